#!/usr/bin/env bash
# Runs the whole suite against real services: PostgreSQL, Redis and headless Chromium.
# Uses what is already running; starts what is installed but stopped; says what is missing.
# Usage: tests/run_suite.sh VENV [pytest arguments]
set -uo pipefail

venv=${1:?usage: tests/run_suite.sh VENV [pytest args]}
shift
cd "$(dirname "$0")/.."
output_dir=${TEST_OUTPUT_DIR:-var/test-output}
mkdir -p "$output_dir"

say() { printf 'run_suite: %s\n' "$*" >&2; }
fail() { say "$*"; exit 2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# --- Chromium for the browser tests (Debian's package; a test tool's own browser download fails here)
if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=ja 2>/dev/null | grep -q .; then
  say "installing Debian's chromium, chromium-driver and a Japanese font (fonts-noto-cjk)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      chromium chromium-driver fonts-noto-cjk >"$output_dir/apt.log" 2>&1 \
    || fail "could not install chromium (see $output_dir/apt.log); run as root: apt-get install chromium chromium-driver fonts-noto-cjk"
fi

# --- PostgreSQL: DATABASE_URL if set, else the local server, else a throwaway cluster
pg_answers() { "$venv/bin/python" - "$1" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as error:
    print(error, file=sys.stderr)
    sys.exit(1)
PY
}

if [ -z "${DATABASE_URL:-}" ]; then
  local_admin_url="postgres://postgres@127.0.0.1:5432/postgres"
  if ! pg_answers "$local_admin_url" 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [ -n "$version" ] && say "starting PostgreSQL $version cluster main" \
      && as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null
    sleep 2
  fi
  if pg_answers "$local_admin_url" 2>/dev/null; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/kjnews"
  else
    initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    [ -n "$initdb" ] || fail "no PostgreSQL answers at 127.0.0.1:5432 and none is installed: apt-get install postgresql, or set DATABASE_URL"
    bin=$(dirname "$initdb")
    cluster=$(mktemp -d /tmp/kjnews-pg.XXXXXX)
    runner=()
    if [ "$(id -u)" = 0 ]; then chown postgres "$cluster" 2>/dev/null && runner=(runuser -u postgres --); fi
    say "starting a throwaway PostgreSQL cluster in $cluster on port 55432"
    "${runner[@]}" "$bin/initdb" -D "$cluster/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null \
      && "${runner[@]}" "$bin/pg_ctl" -D "$cluster/data" -o "-p 55432 -k $cluster -c listen_addresses=127.0.0.1" -l "$cluster/log" -w start >/dev/null \
      || fail "could not start a throwaway PostgreSQL cluster (see $cluster/log)"
    trap '"${runner[@]}" "$bin/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null 2>&1' EXIT
    export DATABASE_URL="postgres://postgres@127.0.0.1:55432/kjnews"
  fi
fi

# --- Redis: the shared cache every gunicorn worker uses (rate limits must agree across them)
redis_answers() { "$venv/bin/python" -c "import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()" "$1" 2>/dev/null; }
export CACHE_URL=${CACHE_URL:-redis://127.0.0.1:6379/1}
if ! redis_answers "$CACHE_URL"; then
  command -v redis-server >/dev/null || fail "no Redis answers at $CACHE_URL: apt-get install redis-server, or set CACHE_URL"
  say "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  sleep 1
  redis_answers "$CACHE_URL" || fail "redis-server did not start; set CACHE_URL to a running Redis"
fi

export SECRET_KEY=${SECRET_KEY:-$("$venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')}
export TEST_OUTPUT_DIR="$output_dir"
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread

say "PostgreSQL at ${DATABASE_URL##*@}, Redis at ${CACHE_URL##*//}"
"$venv/bin/pytest" --create-db "$@"
status=$?
[ "$status" = 5 ] && say "pytest collected no tests: that is a failure here"
exit "$status"
