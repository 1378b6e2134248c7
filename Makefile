# Operator Connect portal. `make run` for a local demo, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/ocp)
TEST_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: install run test lint format bench bench-notice bench-ingest bench-scale clean oidc-demo faults

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# The demo on the embedded default: SQLite + Celery's filesystem:// broker under var/.
# PORT=8012 make run serves on another port.
run: install
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --once
	bash scripts/run.sh

test: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) bash scripts/test.sh

lint: install
	$(PY) manage.py compile_translations >/dev/null
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py check
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench-ingest: install
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) manage.py bench_ingest --rows 1000000

# 10 M call records in monthly partitions: daily ingest, pages, retention (docs/scaling.md).
# Writes millions of rows: point SCALE_DATABASE_URL at a database of its own.
bench-scale: install
	DATABASE_URL=$(or $(SCALE_DATABASE_URL),$(TEST_DATABASE_URL)) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(or $(SCALE_DATABASE_URL),$(TEST_DATABASE_URL)) $(PY) manage.py bench_scale --rows $(or $(ROWS),10000000)

bench: install
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) manage.py bench_export --rows 2000000

bench-notice: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) bash scripts/bench_notice.sh

# A loopback OpenID Connect provider to try tenant SSO on `make run` (docs/sso.md).
oidc-demo: install
	bash scripts/oidc_demo.sh

# Fault trials on a PostgreSQL and a Redis of their own (docs/reliability.md); takes minutes.
faults: install
	bash scripts/faults.sh $(FAULTS_ARGS)

clean:
	rm -rf var
