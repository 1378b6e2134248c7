"""The embedded default works with no server at all: SQLite + Celery's filesystem:// broker.

Real processes, as `make run` starts them: migrate, seed the demo once, a Celery worker, and a
task sent from another process that round-trips through the file-based broker and cache.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


@pytest.fixture
def embedded_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="portal.settings")
    env["PYTHONPATH"] = str(ROOT)
    return env


def run(env, *args, timeout=240) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PY, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


SEND = "import django; django.setup(); from portal.tasks import ping; ping.delay({token!r})"
READ = (
    "import django; django.setup(); from django.core.cache import cache; "
    "print(cache.get({key!r}) or '')"
)


def test_migrate_seed_and_a_task_round_trip_on_the_embedded_default(embedded_env, tmp_path):
    var = Path(embedded_env["VAR_DIR"])
    run(embedded_env, "manage.py", "migrate", "--noinput")
    assert (var / "portal.sqlite3").exists()
    seeded = run(embedded_env, "manage.py", "seed_demo", "--calls", "300", "--once")
    assert "300" in seeded.stdout
    again = run(embedded_env, "manage.py", "seed_demo", "--once")
    assert "nothing to do" in again.stdout

    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=embedded_env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        token = uuid.uuid4().hex
        run(embedded_env, "-c", SEND.format(token=token))
        deadline = time.monotonic() + 90
        answer = ""
        while time.monotonic() < deadline and not answer:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            answer = run(embedded_env, "-c", READ.format(key=f"ping:{token}")).stdout.strip()
            if not answer:
                time.sleep(1)
        assert answer == "pong", (tmp_path / "worker.log").read_text()[-3000:]
        assert (var / "cache").is_dir()
        # Everything the broker keeps stays under VAR_DIR, nothing lands in the working dir.
        assert list((var / "celery" / "control").glob("*.exchange"))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        log.close()
    assert worker.returncode is not None
