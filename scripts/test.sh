#!/usr/bin/env bash
# The whole suite on PostgreSQL + Redis (DATABASE_URL, REDIS_URL), with lint first.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# The broker defaults to REDIS_URL in settings. Not exported: Celery reads CELERY_BROKER_URL
# from the environment ahead of its configuration, which would pin every test to it.
export VAR_DIR="${VAR_DIR:-$PWD/var/test}"
mkdir -p "$VAR_DIR"
$PY -m ruff check .
$PY -m ruff format --check .
$PY manage.py compile_translations >/dev/null
$PY manage.py check --fail-level WARNING
$PY -m mypy  # the domain core's types (the module list is in pyproject.toml)
.venv/bin/lint-imports  # the architecture contracts (pyproject.toml, docs/design.md)
$PY manage.py makemigrations --check --dry-run
set +e
$PY -m pytest --create-db "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "No tests ran: failing."; exit 1; fi
exit "$rc"
