#!/usr/bin/env bash
# Start web, a real Celery worker and beat (the embedded default unless the environment says
# otherwise); print the demo logins; Ctrl-C stops all three. PORT picks the web port (8000).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"

# Job control: each process starts in its own process group, so stopping a group also stops
# its children (runserver's autoreloader child, the worker's pool processes).
set -m
pids=()
web=
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping web, worker and beat..."
  # Celery stops its own pool processes (warm shutdown); runserver's autoreloader child only
  # goes with its whole process group.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  kill -TERM -- "-$web" 2>/dev/null || true
  for _ in $(seq 1 150); do # up to 15 s for a warm shutdown
    alive=0
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  echo "Stopped."
}
trap cleanup INT TERM EXIT

$PY -m celery -A portal worker --loglevel=INFO --concurrency=2 --without-gossip --without-mingle &
pids+=($!)
$PY -m celery -A portal beat --loglevel=INFO &
pids+=($!)
$PY manage.py runserver "127.0.0.1:$PORT" &
web=$!
pids+=($web)

sleep 3
echo
$PY manage.py demo_logins
echo
echo "Web: http://127.0.0.1:$PORT/   Admin: http://127.0.0.1:$PORT/admin/   (Ctrl-C stops web, worker and beat)"
# Stop everything as soon as any one of the three exits.
wait -n "${pids[@]}" || true
