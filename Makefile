# Every install step of Hami lives here: a fresh machine needs only python3 (3.11), make and, for
# the browser test, root (to apt-get install Debian's chromium).
SHELL := /bin/bash
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
export HAMI_DEBUG ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install install-dev browser test test-postgres lint format messages openapi check bench bench-verify worker

$(UV):
	@echo "==> installing uv $(UV_VERSION) into $(TOOLS)/"
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --progress-bar on "uv==$(UV_VERSION)"

.venv/.installed: pyproject.toml uv.lock | $(UV)
	@echo "==> installing Hami's dependencies into .venv/ (uv sync --frozen)"
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed

## run: install, migrate, build the demo province (once), print the logins, serve on 127.0.0.1:8000
run: install
	@mkdir -p var
	@echo "==> migrating the database (var/hami.sqlite3 unless DATABASE_URL is set)"
	$(PY) manage.py migrate --no-input
	@echo "==> building the demo province (skipped if already built)"
	$(PY) manage.py demo --if-empty
	@echo "==> serving Hami at http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(PY) manage.py runserver $(HOST):$(PORT)

## browser: Debian's chromium for the Playwright test (Playwright never downloads a browser here)
browser:
	@command -v chromium >/dev/null || { echo "==> installing Debian's chromium (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## test: the whole suite on SQLite (or on DATABASE_URL's PostgreSQL), in parallel
test: install browser
	$(PY) -m pytest -n auto --create-db $(PYTEST_ARGS)

test-postgres:
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/hami $(MAKE) test

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

## messages: refresh locale/fa from the code, then compile
messages: install
	$(PY) manage.py makemessages -l fa --no-obsolete --add-location file -i ".venv/*" -i ".tools/*" -i "var/*"
	$(PY) manage.py compilemessages -l fa -i ".venv" -i ".tools" -i "var"

## openapi: regenerate the committed schema docs/openapi.json
openapi: install
	$(PY) manage.py export_openapi_schema --api hami.api.api --indent 2 --sorted --output docs/openapi.json

## worker: a task worker (any number may run, on any machine sharing the database)
worker: install
	$(PY) manage.py db_worker

bench: install
	$(PY) bench/bench_import.py

## bench-verify: public verification with 300,000 licences on PostgreSQL (needs Debian's wrk)
bench-verify: install
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) bench/bench_verify.py

check: install
	bash .ci/run
