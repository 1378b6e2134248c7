"""Fault trials against real processes (issue 16 item 6; docs/reliability.md).

Starts its own PostgreSQL (initdb on another port) and redis-server (another port) — never the
shared ones — a web server (gunicorn), a Celery worker and beat, and runs:

* ``sigkill-child``: SIGKILL the worker's pool child mid-export; seconds until the job resumes;
* ``sigkill-host``: SIGKILL the whole worker mid-export, start another; seconds until it resumes
  (lease + sweep);
* ``redis-restart``: Redis killed with jobs queued; what pages and the API answer meanwhile;
  Redis back empty; seconds until every queued job finished;
* ``pg-restart``: PostgreSQL stopped mid-export; what pages and the API answer; started again;
  the job finishes once;
* ``disk-full``: the worker's temporary folder on a 1 MiB tmpfs (root only); the outcome.

Every export is checked at the end: lost (not succeeded), duplicated (more than one success or
file), half (checksum mismatch), orphans (temporary or stored files no job owns). One line per
trial. Usage: ``bash scripts/faults.sh [--kills N] [--host-kills N] [--jobs N] [--rows N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class Postgres:
    def __init__(self, work: Path):
        self.dir = work / "pg"
        self.port = free_port()
        self.log = work / "pg.log"

    def init(self) -> Postgres:
        self.dir.parent.chmod(0o777)
        subprocess.run(as_postgres(["initdb", "-D", str(self.dir), "-U", "postgres", "-A",
                                    "trust", "--no-sync"]), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        return self.start()

    def _ctl(self, *args: str) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        subprocess.run(as_postgres(["pg_ctl", "-D", str(self.dir), "-o", opts, "-l",
                                    str(self.log), "-w", *args]), check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    def start(self) -> Postgres:
        self._ctl("start")
        return self

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/ocp_faults"


class Redis:
    def __init__(self, work: Path):
        self.port = free_port()
        self.work = work
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.work)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait(lambda: _answers(self.port), 10, "redis-server")
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # the database may be restarting: ask again
            value = None
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


class Processes:
    """Worker, beat and web, each in its own session (a SIGKILL of the group kills its pool)."""

    def __init__(self, work: Path, env: dict[str, str]):
        self.work, self.env = work, env
        self.workers: list[subprocess.Popen] = []
        self.others: list[subprocess.Popen] = []
        self.count = 0

    def _start(self, args: list[str], log: str, env: dict | None = None) -> subprocess.Popen:
        handle = open(self.work / log, "ab")  # noqa: SIM115 (closed with the process)
        return subprocess.Popen(args, cwd=ROOT, env=env or self.env, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

    def worker(self, env: dict | None = None) -> subprocess.Popen:
        self.count += 1
        process = self._start(
            [PY, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO", "--concurrency=2",
             "-n", f"faults{self.count}@%h", "--without-gossip", "--without-mingle"],
            f"worker{self.count}.log", env,
        )  # fmt: skip
        self.workers.append(process)
        return process

    def beat(self) -> None:
        self.others.append(self._start([PY, "-m", "celery", "-A", "portal", "beat", "-s",
                                        str(self.work / "beat-schedule")], "beat.log"))  # fmt: skip

    def web(self, port: int) -> None:
        """gunicorn with production settings (DEBUG off), plain HTTP on loopback."""
        import secrets

        env = {**self.env, "DEBUG": "false", "SECRET_KEY": secrets.token_hex(32),
               "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false"}  # fmt: skip
        self.others.append(self._start([PY, "-m", "gunicorn", "portal.wsgi", "-w", "2", "-b",
                                        f"127.0.0.1:{port}", "--timeout", "60"], "web.log",
                                       env))  # fmt: skip

    @staticmethod
    def kill(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_workers(self, sig=signal.SIGTERM) -> None:
        for process in self.workers:
            self.kill(process, sig)
        self.workers = []

    def stop_all(self) -> None:
        self.stop_workers(signal.SIGKILL)
        for process in self.others:
            self.kill(process, signal.SIGTERM)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10, help="SIGKILLs of a worker child")
    parser.add_argument("--host-kills", type=int, default=3, help="SIGKILLs of a whole worker")
    parser.add_argument("--jobs", type=int, default=20, help="jobs queued at a Redis restart")
    parser.add_argument("--rows", type=int, default=60_000, help="call records per export")
    parser.add_argument("--lease", type=int, default=30, help="EXPORT_LEASE_SECONDS")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ocp-faults-"))
    pg, redis = Postgres(work), Redis(work)
    web_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CELERY_"))}
    env.update(
        DATABASE_URL=pg.url, REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        VAR_DIR=str(work / "var"), EXPORT_ROOT=str(work / "exports"), CONN_MAX_AGE="0",
        EMAIL_URL="consolemail://", EXPORT_LEASE_SECONDS=str(args.lease), DEBUG="true",
        EXPORT_MAX_CONCURRENT="1000", EXPORT_RATE_PER_HOUR="100000", LOG_LEVEL="INFO",
    )  # fmt: skip
    os.environ.update(env)
    procs = Processes(work, env)
    tmpfs: Path | None = None
    try:
        pg.init()
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres",
                        "ocp_faults"], check=True)  # fmt: skip
        redis.start()
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        trials = Trials(args, work, pg, redis, procs, web_port)
        print(f"# fault trials: {args.rows} call records per export, lease {args.lease} s, "
              f"work folder {work}", flush=True)  # fmt: skip
        trials.setup()
        trials.sigkill_child()
        trials.sigkill_host()
        trials.redis_restart()
        trials.pg_restart()
        tmpfs = trials.disk_full()
        trials.summary()
    finally:
        procs.stop_all()
        if tmpfs is not None:
            subprocess.run(["umount", str(tmpfs)], check=False)
        redis.kill()
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


class Trials:
    def __init__(self, args, work: Path, pg: Postgres, redis: Redis, procs: Processes,
                 web_port: int):  # fmt: skip
        self.args, self.work, self.pg, self.redis, self.procs = args, work, pg, redis, procs
        self.web = f"http://127.0.0.1:{web_port}"
        self.web_port = web_port
        self.jobs: list = []

    # --- helpers ---------------------------------------------------------------------------------

    def setup(self) -> None:
        from django.utils import timezone

        from demo import bench_export as benchmark
        from portal.choices import OperatorRole
        from portal.models import ApiToken, OperatorMembership

        self.tenant, self.operator, self.admin = benchmark.scratch("faults")
        benchmark.seed_call_records(self.tenant, self.operator, self.args.rows)
        OperatorMembership.objects.get_or_create(
            user=self.admin, operator=self.operator, defaults={"role": OperatorRole.ANALYST}
        )
        self.token = ApiToken.new_key()
        ApiToken.objects.create(user=self.admin, name="faults", key_hash=ApiToken.hash_key(
            self.token), key_hint=self.token[:8])  # fmt: skip
        self.now = timezone.now()
        self.procs.web(self.web_port)
        self.procs.beat()
        self.worker = self.procs.worker()
        wait(lambda: self.http("GET", "/healthz")[0] == 200, 60, "the web server")

    def job(self, *, small: bool = False):
        from django.utils import timezone

        from demo import bench_export as benchmark
        from exports.tasks import run_export

        job = benchmark.bench_job(self.tenant, self.operator, self.admin, "ndjson")
        job.enqueued_at = timezone.now()  # as request_export does: sent now
        if small:
            job.datasets = ["numbers"]
        job.save(update_fields=["datasets", "enqueued_at"])
        self.jobs.append(job.pk)
        with contextlib.suppress(Exception):  # broker away: the sweeper sends it
            run_export.delay(str(job.pk))
        return job

    @staticmethod
    def row(job_id):
        from django.db import close_old_connections

        from exports.models import ExportJob

        close_old_connections()
        return ExportJob.objects.get(pk=job_id)

    def http(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        request = urllib.request.Request(  # noqa: S310 (our own http:// web server)
            self.web + path, data=data, method=method,
            headers=headers if path.startswith("/api/") else {},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.headers.get("Retry-After", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Retry-After", "")
        except OSError as exc:
            return 0, type(exc).__name__

    def probes(self) -> str:
        """What the web process answers for a page, the public notice, the API and a POST."""
        export = {"tenant": "faults", "operator": "faults-operator", "datasets": ["numbers"],
                  "format": "csv", "start": "2025-06-01T00:00:00Z",
                  "end": f"2026-{1 + len(self.jobs) % 5:02d}-{1 + len(self.jobs) % 28:02d}"
                         "T00:00:00Z"}  # fmt: skip
        answers = {
            "notice": self.http("GET", "/notice/faults/"),
            "api-list": self.http("GET", "/api/v1/exports/"),
            "api-post": self.http("POST", "/api/v1/exports/", export),
            "readyz": self.http("GET", "/readyz"),
        }
        return " ".join(f"{k}={s}" + (f"(Retry-After {r})" if r else "")
                        for k, (s, r) in answers.items())  # fmt: skip

    def running(self, job_id, progress: int = 5):
        return wait(lambda: (j := self.row(job_id)).status == "running" and j.progress >= progress
                    and j, 180, "the export to be under way", 0.05)  # fmt: skip

    def finished(self, job_id, timeout: float = 600):
        return wait(lambda: (j := self.row(job_id)).status in ("succeeded", "failed") and j,
                    timeout, "the export to finish")  # fmt: skip

    # --- trials ----------------------------------------------------------------------------------

    def sigkill_child(self) -> None:
        times = []
        for i in range(1, self.args.kills + 1):
            job = self.job()
            running = self.running(job.pk)
            child = int(running.lease_owner.split(":")[1])
            os.kill(child, signal.SIGKILL)
            killed = time.monotonic()
            wait(lambda j=job: self.row(j.pk).attempts >= 2, 300, "the job to resume", 0.05)
            took = time.monotonic() - killed
            times.append(took)
            done = self.finished(job.pk)
            print(f"sigkill-child {i:>3}: killed at {running.progress:>2}%, resumed after "
                  f"{took:5.1f} s, {done.status}", flush=True)  # fmt: skip
        if times:
            print(f"sigkill-child: median resume {statistics.median(times):.1f} s, "
                  f"max {max(times):.1f} s over {len(times)} kills", flush=True)  # fmt: skip

    def sigkill_host(self) -> None:
        times = []
        for i in range(1, self.args.host_kills + 1):
            job = self.job()
            running = self.running(job.pk)
            self.procs.kill(self.worker)  # the whole worker: as if its host died
            self.procs.workers.remove(self.worker)
            killed = time.monotonic()
            self.worker = self.procs.worker()  # another host takes over
            wait(lambda j=job: self.row(j.pk).attempts >= 2, 600, "the job to resume", 0.1)
            took = time.monotonic() - killed
            times.append(took)
            done = self.finished(job.pk)
            print(f"sigkill-host  {i:>3}: killed at {running.progress:>2}%, resumed after "
                  f"{took:5.1f} s (lease {self.args.lease} s), {done.status}", flush=True)  # fmt: skip
        if times:
            print(f"sigkill-host: median resume {statistics.median(times):.1f} s, "
                  f"max {max(times):.1f} s (lease {self.args.lease} s)", flush=True)  # fmt: skip

    def redis_restart(self) -> None:
        from exports.models import ExportJob

        self.procs.stop_workers()
        batch = [self.job(small=True).pk for _ in range(self.args.jobs)]
        self.redis.kill()
        time.sleep(1)
        before = set(ExportJob.objects.values_list("pk", flat=True))
        probes = self.probes()
        posted = set(ExportJob.objects.values_list("pk", flat=True)) - before
        self.jobs += list(posted)
        batch += list(posted)
        print(f"redis-down    : {probes}", flush=True)
        self.redis.start()  # empty: no persistence
        back = time.monotonic()
        self.worker = self.procs.worker()
        wait(lambda: all(self.row(j).status in ("succeeded", "failed") for j in batch), 600,
             "the queued jobs", 1)  # fmt: skip
        took = time.monotonic() - back
        statuses = sorted({self.row(j).status for j in batch})
        print(f"redis-restart : {len(batch)} queued jobs (messages lost) finished "
              f"{took:.1f} s after Redis came back empty: {','.join(statuses)}", flush=True)  # fmt: skip

    def pg_restart(self) -> None:
        job = self.job()
        running = self.running(job.pk, progress=10)
        self.pg.stop()
        probes = self.probes()
        print(f"postgres-down : {probes}", flush=True)
        time.sleep(2)
        self.pg.start()
        done = self.finished(job.pk)
        print(f"pg-restart    : stopped at {running.progress}% for ~3 s, job {done.status} after "
              f"{done.attempts} attempt(s)", flush=True)  # fmt: skip

    def disk_full(self) -> Path | None:
        temp = Path(os.environ["VAR_DIR"]) / "tmp" / "exports"
        temp.mkdir(parents=True, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(temp)],
                                 capture_output=True)  # fmt: skip
        if mounted.returncode != 0:
            print("disk-full     : skipped (cannot mount a 1 MiB tmpfs: run as root)")
            return None
        self.procs.stop_workers()
        self.worker = self.procs.worker()
        started = time.monotonic()
        job = self.job()
        done = self.finished(job.pk)
        took = time.monotonic() - started
        left = [p for p in temp.iterdir()]
        small = self.finished(self.job(small=True).pk, timeout=120)
        print(f"disk-full     : big job {done.status} after {took:.1f} s, {done.attempts} "
              f"attempt(s): \"{done.error_message}\"; files left on the full disk: {len(left)}; "
              f"next small job: {small.status}", flush=True)  # fmt: skip
        self.jobs.remove(job.pk)  # expected to fail: not counted as lost
        return temp

    def summary(self) -> None:
        from exports import storage
        from exports.models import ExportJob
        from portal.choices import AuditAction
        from portal.models import AuditEvent

        self.procs.stop_workers()
        jobs = ExportJob.objects.filter(pk__in=self.jobs)
        lost = [j.pk for j in jobs if j.status != "succeeded"]
        dup = half = orphans = 0
        for job in jobs.filter(status="succeeded"):
            successes = AuditEvent.objects.filter(action=AuditAction.EXPORT_SUCCEEDED,
                                                  target_id=str(job.pk)).count()  # fmt: skip
            stored = storage.orphan_file_names(job.pk, keep=job.file_name)
            dup += successes > 1
            orphans += len(stored)
            with storage.open_file(job.file_name) as fh:
                half += hashlib.sha256(fh.read()).hexdigest() != job.file_sha256
        temp = list(storage.local_temp_dir().glob("*.part"))
        print(f"summary       : {len(self.jobs)} exports: lost={len(lost)} duplicated={dup} "
              f"half={half} orphan-stored={orphans} orphan-temporary={len(temp)}", flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
