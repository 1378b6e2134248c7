#!/usr/bin/env bash
# Start web, a real Celery worker and beat on the embedded default; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping web, worker and beat..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$PY -m celery -A portal worker --loglevel=INFO --concurrency=2 --without-gossip --without-mingle &
pids+=($!)
$PY -m celery -A portal beat --loglevel=INFO &
pids+=($!)
$PY manage.py runserver 127.0.0.1:8000 &
pids+=($!)

sleep 2
$PY manage.py demo_logins
echo "Web: http://127.0.0.1:8000/   (Ctrl-C stops web, worker and beat)"
wait -n "${pids[@]}"
