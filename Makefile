# Beian — one command to run it, one to test it.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

PYTEST_N ?= auto
# Dates the suite is run at once more by `make test-clock` (CI): a December, and a year past
# the holidays library's known arrangements.
CLOCK_DATES ?= 2026-12-20T10:00 2031-06-15T10:00

.PHONY: lock run setup venv test test-sqlite test-postgres test-clock lint bench system-deps demo clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Every machine installs the same versions: requirements.lock pins the whole tree (made by
# `make lock` from pyproject.toml); the project itself goes in editable, without resolving.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

## lock: re-pin requirements.lock after changing the dependencies in pyproject.toml
lock: | $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -q -o requirements.lock

venv: $(VENV)/.installed

setup: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py scan

## run: set everything up, load the demo data and start the web server and the task worker
run: setup
	@echo "Beian: http://$(HOST):$(PORT)/  (demo logins in README.md)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/python manage.py run_huey --workers 2 & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

## system-deps: Debian packages the tests need (chromium for browser tests, postgresql)
system-deps:
	@bash scripts/system-deps.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check

## test: lint, then the whole suite on SQLite and again on a throw-away PostgreSQL cluster
test: venv system-deps lint test-sqlite test-postgres

test-sqlite: venv
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -q -n $(PYTEST_N) $(PYTEST_ARGS)

test-postgres: venv
	@bash scripts/with-postgres.sh $(BIN)/pytest -q -n $(PYTEST_N) $(PYTEST_ARGS)

## test-clock: the SQLite suite again with the clock moved (BEIAN_TEST_NOW) to each CLOCK_DATES
test-clock: venv
	@for when in $(CLOCK_DATES); do echo "== clock at $$when"; \
	  BEIAN_TEST_NOW=$$when DJANGO_SETTINGS_MODULE=config.settings.test \
	  $(BIN)/pytest -q -n $(PYTEST_N) $(PYTEST_ARGS) || exit 1; done

## bench: every benchmark under bench/, each printing its figures and its ratio
bench: venv
	@for f in bench/[!_]*.py; do echo "== $$f"; DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python $$f || exit 1; done

clean:
	rm -rf data/beian.sqlite3* data/huey.sqlite3* .pgtest test-artifacts
