#!/usr/bin/env bash
# Runs the whole suite against real services: PostgreSQL, Redis, headless Chromium, an S3 store and
# nginx (and, from npm, the naughty-string list and axe-core).
# Uses what is running, starts what is installed but stopped, says what is missing (scripts/services.sh).
# Usage: tests/run_suite.sh VENV [pytest arguments]
set -uo pipefail

venv=${1:?usage: tests/run_suite.sh VENV [pytest args]}
shift
cd "$(dirname "$0")/.."
export TEST_OUTPUT_DIR=${TEST_OUTPUT_DIR:-var/test-output}
mkdir -p "$TEST_OUTPUT_DIR"

SERVICES_PYTHON="$venv/bin/python"
# shellcheck source=../scripts/services.sh
source scripts/services.sh
ensure_chromium "$TEST_OUTPUT_DIR/apt.log"
ensure_swift "$TEST_OUTPUT_DIR/apt.log"
ensure_nginx "$TEST_OUTPUT_DIR/apt.log"
ensure_postgres
ensure_redis "redis://127.0.0.1:6379/1"
ensure_naughty_strings tests/naughty "$TEST_OUTPUT_DIR/npm.log"
ensure_axe tests/browser/axe "$TEST_OUTPUT_DIR/npm.log"

new_key() { "$venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))'; }
export SECRET_KEY=${SECRET_KEY:-$(new_key)}
export POSTER_HASH_KEY=${POSTER_HASH_KEY:-$(new_key)}
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread

services_say "PostgreSQL at ${DATABASE_URL##*@}, Redis at ${CACHE_URL##*//}"
"$venv/bin/pytest" --create-db "$@"
status=$?
[ "$status" = 5 ] && services_say "pytest collected no tests: that is a failure here"
exit "$status"
