# KJ News: `make run` serves the demo site, `make test` runs the whole suite on PostgreSQL.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Python >= 3.12: on PATH, or under pyenv (whose shims exist even where that version is not active).
PYTHON ?= $(shell for p in python3.13 python3.12 $(HOME)/.pyenv/versions/3.13*/bin/python3.13 \
	$(HOME)/.pyenv/versions/3.12*/bin/python3.12; do \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; \
	done)

.PHONY: run install install-test test bench lint format lock migrate messages clean

$(VENV)/.installed-%: %
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed: install python3.13 or python3.12 (e.g. with pyenv)." >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $<
	@rm -f $(VENV)/.installed-*
	@touch $@

## install: the virtual environment with the locked runtime dependencies, migrated and collected.
install: $(VENV)/.installed-requirements.lock .env
	@chmod 600 .env
	@if [ -z "$${POSTER_HASH_KEY:-}" ] && ! grep -q '^POSTER_HASH_KEY=' .env; then \
	  umask 077; echo "POSTER_HASH_KEY=$$($(NEW_KEY))" >> .env; \
	  echo "Added a POSTER_HASH_KEY to .env: poster IDs and hashes are keyed anew."; fi
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0

# Per-machine secrets so the site can run with DEBUG off from a fresh clone: never committed, and
# readable by their owner only (a poster hash key that leaks turns poster IDs back into addresses).
NEW_KEY = $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))'
.env:
	@umask 077; { echo "SECRET_KEY=$$($(NEW_KEY))"; echo "POSTER_HASH_KEY=$$($(NEW_KEY))"; } > $@
	@chmod 600 $@
	@echo "Wrote .env (mode 0600) with a new SECRET_KEY and POSTER_HASH_KEY (see .env.example for every variable)."

## run: install, load the demo content into an empty database, serve with gunicorn.
run: install
	@SERVICES_PYTHON=$(PY) bash scripts/services.sh redis
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py seed_demo_comments --if-empty
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn --config gunicorn.conf.py kjnews.wsgi

## test: the whole suite against a real PostgreSQL and Redis, browser tests in headless Chromium.
test: $(VENV)/.installed-requirements-dev.lock
	@bash tests/run_suite.sh $(VENV)

## bench: the site under gunicorn and wrk against same-run baselines (README, Benchmark).
bench: $(VENV)/.installed-requirements-dev.lock
	@bash tests/bench/bench.sh $(VENV)

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## lock: re-resolve pyproject.toml into the two hash-pinned lock files.
lock:
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile --quiet --universal --generate-hashes pyproject.toml -o requirements.lock
	$(VENV)/bin/uv pip compile --quiet --universal --generate-hashes --extra dev pyproject.toml -o requirements-dev.lock

messages:
	DEBUG=true $(PY) manage.py makemessages --locale ja --locale en --ignore '$(VENV)/*' --ignore node_modules
	DEBUG=true $(PY) manage.py compilemessages --ignore '$(VENV)/*'

clean:
	rm -rf $(VENV) staticfiles var/test-output
