# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

# Commands run here write their bytecode (__pycache__, ignored by git) even where the environment
# sets PYTHONDONTWRITEBYTECODE: otherwise every test process and manage.py command compiled the
# project again and pytest rewrote every test module again (collecting the suite: 7.0-7.6 s a
# process without the caches, 4.1-6.4 s with them).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast test-postgres lint format bench bench-quick reset-db check-migrations venv serve

# The install goes through uv (pinned here, installed into the venv by pip first): it fetches and
# unpacks in parallel and compiles the bytecode on every core. A fresh venv took 55 s with pip
# (41 s install, 14 s compileall) and 20 s with uv, both from a warm cache; the packages and
# versions it installs are the same (`uv pip freeze` = `pip freeze`).
UV_VERSION := 0.13.9
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Benchmark-only tools (Datasette) in a venv of their own: their pins never meet the project's.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: requirements-bench.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -r requirements-bench.txt
	touch $@

## run: set up everything (virtualenv, migrations, seed data, local admin) and serve on 127.0.0.1:8000
run: venv
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py load_seeds
	DEBUG=1 $(PY) manage.py reindex --no-progress
	DEBUG=1 $(PY) manage.py ensure_local_admin
	DEBUG=1 $(PY) manage.py serve $(HOST):$(PORT)

## serve: the production server (gunicorn with gunicorn.conf.py) on the real settings, DEBUG off.
## Needs SECRET_KEY and ALLOWED_HOSTS in the environment (README, "Serving in production").
serve: venv
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py

# Test processes (pytest-xdist): one per core by default; each test module stays in one process,
# so its module-scoped fixtures (the seed data) are built once, and the browser modules all run in
# one process. Modules are handed out in collection order, the longest first (tests/conftest.py).
# TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

## test: the whole suite on SQLite
test: venv
	$(PYTEST)

## test-fast: the inner loop: no browser or full-data tests, stop at the first failure, last failures first
test-fast: venv
	$(PYTEST) -m "not browser and not slow" -x --ff

## test-postgres: the same suite on a throwaway PostgreSQL server
test-postgres: venv
	scripts/with-postgres.sh $(PYTEST)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: venv
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## bench: the benchmarks under bench/ (medians and ratios; never gates CI); BENCH_CASES=100000 by default
BENCH_CASES ?= 100000
bench: venv $(BENCH_VENV)/.installed
	BENCH_CASES=$(BENCH_CASES) $(PY) bench/run.py

## bench-quick: a smoke run of every benchmark on 2000 cases
bench-quick: venv $(BENCH_VENV)/.installed
	$(PY) bench/run.py --quick

## reset-db: delete the local SQLite database and load it again
reset-db: venv
	rm -f db.sqlite3
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py load_seeds
	DEBUG=1 $(PY) manage.py reindex --no-progress
