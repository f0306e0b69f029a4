#!/usr/bin/env bash
# `make bench`: PostgreSQL and Redis as scripts/services.sh finds or starts them, wrk from Debian if
# missing, then the driver (tests/bench/run.py). Usage: tests/bench/bench.sh VENV
set -uo pipefail

venv=${1:?usage: tests/bench/bench.sh VENV}
cd "$(dirname "$0")/../.."

SERVICES_PYTHON="$venv/bin/python"
# shellcheck source=../../scripts/services.sh
source scripts/services.sh
ensure_postgres
# Its own Redis database, which the bench flushes: never the site's (CACHE_URL) or the tests'.
export BENCH_CACHE_URL=${BENCH_CACHE_URL:-redis://127.0.0.1:6379/3}
(export CACHE_URL=$BENCH_CACHE_URL && ensure_redis) || exit 2

if ! command -v wrk >/dev/null; then
  log=var/bench/apt.log
  mkdir -p var/bench
  services_say "installing Debian's wrk (log: $log)"
  { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; } >"$log" 2>&1 \
    || services_fail "could not install wrk (see $log); as root: apt-get install wrk"
fi

# No exec: a throwaway PostgreSQL cluster from ensure_postgres stops when this shell exits.
"$venv/bin/python" -m tests.bench.run
