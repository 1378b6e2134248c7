#!/usr/bin/env bash
# Fault trials (docs/reliability.md): SIGKILLs, a Redis restart, a PostgreSQL restart and a full
# disk, against a PostgreSQL and a redis-server this script starts on free ports (never the shared
# ones). One line per trial. Needs initdb/pg_ctl and redis-server on PATH; the disk-full trial
# mounts a 1 MiB tmpfs and needs root. Options: --kills N --host-kills N --jobs N --rows N
# --lease S --keep (see scripts/faults.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
unset DATABASE_URL REDIS_URL CELERY_BROKER_URL
exec "$PY" scripts/faults.py "$@"
