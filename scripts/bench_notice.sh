#!/usr/bin/env bash
# Load test of the public notice page: gunicorn on 127.0.0.1 against a seeded tenant, wrk with
# 32 connections. Goal: >= 300 requests/s with p99 <= 200 ms.
# Uses DATABASE_URL and REDIS_URL (the Makefile passes the test services). Needs `wrk`
# (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${BENCH_PORT:-8765}"
DURATION="${BENCH_DURATION:-20s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
WORKERS="${BENCH_WORKERS:-2}"
THREADS="${BENCH_THREADS:-8}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }

# A production-like configuration: DEBUG off, no https redirect on the loopback.
export DEBUG=false
export SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 60)"
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=false
export LOG_LEVEL=WARNING
export VAR_DIR="${VAR_DIR:-$PWD/var/bench}"
mkdir -p "$VAR_DIR/static"

$PY manage.py migrate --noinput >/dev/null
$PY manage.py compilemessages --ignore=.venv >/dev/null
SLUG=$($PY manage.py shell -c "from demo.bench_notice import seed_bench_tenant; print(seed_bench_tenant())" | tail -1)
URL="http://127.0.0.1:$PORT/notice/$SLUG/"

$PY -m gunicorn portal.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --worker-class gthread --threads "$THREADS" --log-level warning &
GUNICORN=$!
trap 'kill -TERM $GUNICORN 2>/dev/null || true; wait $GUNICORN 2>/dev/null || true' EXIT

for _ in $(seq 1 50); do
  if curl -fsS -o /dev/null "$URL" 2>/dev/null; then break; fi
  sleep 0.2
done
echo "Headers of $URL:"
curl -sS -o /dev/null -D - -H "Accept-Language: de" "$URL" | grep -iE "^(HTTP|cache-control|etag|last-modified|vary|content-language)"
# Warm every language variant once, then measure.
for lang in en de fr es; do curl -fsS -o /dev/null "$URL?lang=$lang"; done

echo "wrk: $CONNECTIONS connections, $DURATION, Accept-Language: de"
OUT=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Accept-Language: de-DE,de;q=0.9" "$URL")
echo "$OUT"
RPS=$(echo "$OUT" | awk '/Requests\/sec/ {print $2}')
P99=$(echo "$OUT" | awk '$1 == "99%" {print $2}')
ERRORS=$(echo "$OUT" | grep -E "Non-2xx|Socket errors" || true)
echo
echo "RESULT requests/s=$RPS p99=$P99 (goal: >= 300 req/s, p99 <= 200ms)"
[ -n "$ERRORS" ] && echo "ERRORS: $ERRORS"
$PY - "$RPS" "$P99" <<'PYEOF'
import sys
rps = float(sys.argv[1])
p99 = sys.argv[2]
ms = float(p99[:-2]) if p99.endswith("ms") else float(p99[:-2]) / 1000 if p99.endswith("us") else float(p99[:-1]) * 1000
ok = rps >= 300 and ms <= 200
print("PASS" if ok else "FAIL", f"({rps:.0f} req/s, p99 {ms:.1f} ms)")
sys.exit(0 if ok else 1)
PYEOF
