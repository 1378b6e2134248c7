"""Real Celery worker processes for the worker tests (a helper module, not a test module)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def database_url() -> str:
    """The database pytest-django created (``test_<name>``), for the worker to use."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def worker_env(var_dir: Path, export_root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url(),
        REDIS_URL=settings.CELERY_BROKER_URL,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        VAR_DIR=str(var_dir),
        EXPORT_ROOT=str(export_root),
        EMAIL_URL="consolemail://",
        CONN_MAX_AGE="0",
        **extra,
    )
    return env


def start_worker(env: dict[str, str], log: Path, name: str) -> subprocess.Popen:
    """A worker in its own process group, so a SIGKILL takes the pool children with it."""
    handle = open(log, "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"{name}@%h"],
        cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """SIGKILL: the whole group at once (a crash). SIGTERM: the main process only (a warm
    shutdown that lets the running task finish)."""
    try:
        if sig == signal.SIGKILL:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def wait_for(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def clear_queue() -> None:
    """Forget messages (and unacked ones) other tests left in this helper's Redis database."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
