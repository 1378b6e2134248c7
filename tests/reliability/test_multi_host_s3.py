"""Several hosts that share nothing but PostgreSQL, Redis and S3 (issue 16 item 5).

A real S3 API on loopback (moto in server mode), two Celery workers and a gunicorn web process,
each with a working folder of its own (``VAR_DIR``: no shared disk), all configured the way the
README says production is (``EXPORT_STORAGE_*``). The journey: request exports → worker A builds
one → A is SIGKILLed mid-file → B finishes it → the operator downloads every file through the web
host, streamed from the bucket → expiry deletes the objects.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import psutil
import pytest
import requests
import time_machine
from botocore.config import Config
from django.urls import reverse
from django.utils import timezone

from demo import bench_export as benchmark
from exports import services, storage
from exports.models import ExportJob
from exports.tasks import purge_expired_exports, sweep_stuck_exports
from portal.choices import AuditAction, OperatorRole
from portal.models import ApiToken, AuditEvent
from tests.exports.workers import ROOT, clear_queue, kill, start_worker, wait_for, worker_env
from tests.factories import UserFactory, operator_membership
from tests.reliability.processes import free_port

pytestmark = [pytest.mark.worker, pytest.mark.slow]

ROWS = 60_000
MOTO_INITIATED = datetime(2010, 11, 10, 20, 48, 33, tzinfo=UTC)  # moto's fixed upload start
REGION = "eu-west-1"
KEYS = {"aws_access_key_id": "portal-test", "aws_secret_access_key": "portal-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3 API over HTTP on a loopback port, in a thread of this process."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A fresh private bucket, and this process (the test's own web side) configured on it."""
    name = f"ocp-exports-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **KEYS)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    env = {
        "EXPORT_STORAGE_BUCKET": name,
        "EXPORT_STORAGE_ENDPOINT_URL": s3_endpoint,
        "EXPORT_STORAGE_REGION": REGION,
        "EXPORT_STORAGE_ACCESS_KEY": KEYS["aws_access_key_id"],
        "EXPORT_STORAGE_SECRET_KEY": KEYS["aws_secret_access_key"],
    }
    settings.STORAGES = {**settings.STORAGES, "exports": _s3_storage_from(env)}
    yield name, client, env


def _s3_storage_from(env: dict[str, str], **options) -> dict:
    """The storage ``portal/settings.py`` builds from these variables (for this process; the
    hosts read the variables themselves)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env["EXPORT_STORAGE_BUCKET"],
            "endpoint_url": env["EXPORT_STORAGE_ENDPOINT_URL"],
            "region_name": env["EXPORT_STORAGE_REGION"],
            "access_key": env["EXPORT_STORAGE_ACCESS_KEY"],
            "secret_key": env["EXPORT_STORAGE_SECRET_KEY"],
            "default_acl": "private",
            "file_overwrite": False,
            **options,
        },
    }


def _objects(client, bucket_name: str, prefix: str = "") -> dict[str, int]:
    listing = client.list_objects_v2(Bucket=bucket_name, Prefix=prefix)
    return {o["Key"]: o["Size"] for o in listing.get("Contents", [])}


def _local_files(folder: Path, pattern: str = "*.zip*") -> list[Path]:
    return sorted(p for p in folder.rglob(pattern) if p.is_file())


class WebHost:
    """``gunicorn portal.wsgi`` with a folder of its own, as a separate web host would run."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.log = log
        handle = open(log, "ab")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "-w", "1",
             "-b", f"127.0.0.1:{self.port}", "--timeout", "120"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(self._up, timeout=60, interval=0.2, what="the web host")

    def _up(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            # Refused or slow to answer (a loaded CI machine): not up yet, ask again.
            return False

    def worker_pid(self) -> int:
        return psutil.Process(self.process.pid).children()[0].pid

    def stop(self) -> None:
        kill(self.process)


def _host_env(tmp_path: Path, name: str, s3_env: dict[str, str], **extra: str) -> dict[str, str]:
    var_dir = tmp_path / name
    var_dir.mkdir()
    # EXPORT_ROOT points into the host's own folder: it must stay unused with S3 configured.
    env = worker_env(var_dir, var_dir / "exports", **s3_env, **extra)
    env.pop("AWS_PROFILE", None)
    return env


@pytest.fixture
def hosts(tmp_path, bucket):
    started: list = []
    yield tmp_path, bucket[2], started
    for host in started:
        host.stop() if isinstance(host, WebHost) else kill(host)


def _token(user) -> str:
    key = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, name="multi-host", key_hash=ApiToken.hash_key(key), key_hint=key[:8],
        expires_at=timezone.now() + timedelta(days=1), scope="exports",
    )  # fmt: skip
    return key


def _job(job_id) -> ExportJob:
    return ExportJob.objects.get(pk=job_id)


@pytest.mark.django_db(transaction=True)
def test_workers_and_web_on_separate_hosts_share_export_files_only_through_s3(
    hosts, bucket, login, settings
):
    tmp_path, s3_env, started = hosts
    bucket_name, client, _ = bucket
    clear_queue()
    tenant, operator, _admin = benchmark.scratch("multi-host")
    benchmark.seed_call_records(tenant, operator, ROWS)
    analyst = UserFactory(email="analyst@multi-host.test", full_name="Ann Analyst")
    operator_membership(analyst, operator, OperatorRole.ANALYST)

    lease = {"EXPORT_LEASE_SECONDS": "3"}
    env_a = _host_env(tmp_path, "worker-a", s3_env, **lease)
    env_b = _host_env(tmp_path, "worker-b", s3_env, **lease)
    env_web = _host_env(tmp_path, "web", s3_env)
    worker_a = start_worker(env_a, tmp_path / "worker-a.log", "a")
    started.append(worker_a)
    web = WebHost(env_web, tmp_path / "web.log")
    started.append(web)

    jobs = [
        services.request_export(
            tenant=tenant, operator=operator, by=analyst, via="operator", datasets=datasets,
            start=benchmark.RANGE_START, end=benchmark.RANGE_END, format=fmt,
        )[0]
        for datasets, fmt in ((["call_records"], "ndjson"), (["call_records"], "csv"),
                              (["call_records", "numbers"], "csv"))
    ]  # fmt: skip

    # Worker A (alone so far) is mid-file on the first job; then B joins and A dies.
    running = wait_for(
        lambda: (j := _job(jobs[0].pk)).status == "running" and j.progress >= 5 and j,
        timeout=180, what="worker A to be mid-export",
    )  # fmt: skip
    worker_b = start_worker(env_b, tmp_path / "worker-b.log", "b")
    started.append(worker_b)
    kill(worker_a)  # SIGKILL of the whole host's worker: no cleanup, no ack
    assert running.progress < 95, "the export finished too fast to be interrupted"
    killed = _job(jobs[0].pk)
    assert killed.status == "running" and killed.attempts == 1
    half = _local_files(tmp_path / "worker-a", "*.zip.part")
    assert len(half) == 1 and half[0].stat().st_size > 0  # A's half file: on A's disk only

    def all_finished():
        services.sweep_stuck_exports()  # beat's job: re-queue the job whose lease lapsed
        return all(_job(j.pk).status in ("succeeded", "failed") for j in jobs)

    wait_for(all_finished, timeout=300, interval=0.5, what="every export to finish on B")
    logs = {n: (tmp_path / f"{n}.log").read_text()[-3000:] for n in ("worker-a", "worker-b")}
    done = [_job(j.pk) for j in jobs]
    assert [j.status for j in done] == ["succeeded"] * 3, logs
    assert done[0].attempts == 2  # A's attempt, then B's
    for job in done:
        assert AuditEvent.objects.filter(
            action=AuditAction.EXPORT_SUCCEEDED, target_id=str(job.pk)
        ).count() == 1  # fmt: skip
        # Exactly one object per job, the published one, of the published size.
        assert _objects(client, bucket_name, f"{job.pk}/") == {job.file_name: job.file_size}

    # The operator downloads each file through the web host (a process of its own), by API
    # token, and through this process's HTML view: the same bytes, streamed from the bucket.
    token = _token(analyst)
    for job in done:
        response = requests.get(
            f"{web.url}/api/v1/exports/{job.pk}/download",
            headers={"Authorization": f"Bearer {token}"}, timeout=60, allow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 200, response.text[:500]
        assert response.headers["Content-Type"] == "application/zip"
        assert int(response.headers["Content-Length"]) == job.file_size
        assert hashlib.sha256(response.content).hexdigest() == job.file_sha256
        page = login(analyst).get(
            reverse("operator:export_download",
                    kwargs={"operator_slug": operator.slug, "job_id": job.pk})
        )  # fmt: skip
        assert page.status_code == 200
        assert hashlib.sha256(b"".join(page.streaming_content)).hexdigest() == job.file_sha256
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED).count() == 6

    # No host kept an export file: B's and the web host's folders hold no ZIP, finished or not.
    for name in ("worker-b", "web"):
        assert _local_files(tmp_path / name) == [], name
    assert not (tmp_path / "worker-a" / "exports").exists()

    # Host A comes back; B is gone. The files expire: the purge, run by A, deletes the objects,
    # and A's sweep removes the half file its dead worker left on its own disk.
    kill(worker_b, sig=signal.SIGTERM)
    ExportJob.objects.filter(pk__in=[j.pk for j in jobs]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    worker_a = start_worker(env_a, tmp_path / "worker-a.log", "a2")
    started.append(worker_a)
    purge_expired_exports.delay()
    sweep_stuck_exports.delay()
    wait_for(
        lambda: all(_job(j.pk).status == "expired" for j in jobs)
        and not _local_files(tmp_path / "worker-a"),
        timeout=60, interval=0.5, what="the purge and the sweep on host A",
    )  # fmt: skip
    assert _objects(client, bucket_name) == {}
    gone = requests.get(
        f"{web.url}/api/v1/exports/{done[0].pk}/download",
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )  # fmt: skip
    assert gone.status_code == 410


def _vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.django_db(transaction=True)
def test_a_download_from_s3_is_streamed_without_holding_the_file_in_the_web_process(
    hosts, bucket, world, published
):
    tmp_path, s3_env, started = hosts
    bucket_name, client, _ = bucket
    web = WebHost(_host_env(tmp_path, "web", s3_env), tmp_path / "web.log")
    started.append(web)
    token = _token(world.oscar)
    headers = {"Authorization": f"Bearer {token}"}

    def stored_export(dataset: str, data: bytes) -> str:
        job, _ = services.request_export(
            tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
            datasets=[dataset], start=timezone.now() - timedelta(days=1), end=timezone.now(),
            format="csv",
        )  # fmt: skip
        name = storage.new_file_name(job.pk)
        client.put_object(Bucket=bucket_name, Key=name, Body=data)
        ExportJob.objects.filter(pk=job.pk).update(
            status="succeeded", file_name=name, file_size=len(data),
            file_sha256=hashlib.sha256(data).hexdigest(), finished_at=timezone.now(),
            expires_at=timezone.now() + timedelta(days=1),
        )  # fmt: skip
        return f"{web.url}/api/v1/exports/{job.pk}/download"

    size = 48 * 1024 * 1024
    data = os.urandom(size)
    small, big = stored_export("numbers", b"PK" * 512), stored_export("call_records", data)
    # A first small download loads what every download needs (the S3 client, its models).
    assert requests.get(small, headers=headers, timeout=30).content == b"PK" * 512
    pid = web.worker_pid()
    before = _vm_hwm_kib(pid)
    digest = hashlib.sha256()
    with requests.get(big, headers=headers, timeout=120, stream=True) as response:
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == size
        for chunk in response.iter_content(256 * 1024):
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
    grown_mib = (_vm_hwm_kib(pid) - before) / 1024
    # Before the fix the web process copied the whole object into memory first (+48 MiB).
    assert grown_mib < 16, f"the web process grew by {grown_mib:.0f} MiB for a 48 MiB file"


@pytest.mark.django_db
def test_an_unreachable_object_store_is_a_passing_failure_not_a_broken_export(
    world, published, settings
):
    from exports import runner

    port = free_port()  # nothing listens: connections are refused at once
    env = {
        "EXPORT_STORAGE_BUCKET": "nowhere",
        "EXPORT_STORAGE_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "EXPORT_STORAGE_REGION": REGION,
        "EXPORT_STORAGE_ACCESS_KEY": "x",
        "EXPORT_STORAGE_SECRET_KEY": "y",
    }
    quick = Config(retries={"max_attempts": 1}, connect_timeout=1)
    settings.STORAGES = {**settings.STORAGES, "exports": _s3_storage_from(env, client_config=quick)}
    job, _ = services.request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
        datasets=["numbers"], start=timezone.now() - timedelta(days=1), end=timezone.now(),
        format="csv",
    )  # fmt: skip
    with pytest.raises(runner.TransientExportError):
        runner.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == "queued" and job.error_message == ""  # back in the queue for a retry
    with pytest.raises(OSError):
        storage.open_file(f"{job.pk}/missing.zip")


def _uploads(client, bucket_name: str) -> set[str]:
    return {u["Key"] for u in client.list_multipart_uploads(Bucket=bucket_name).get("Uploads", [])}


def _half_upload(client, bucket_name: str, key: str) -> None:
    """What a worker killed mid-upload leaves: a multipart upload with a part and no end."""
    upload = client.create_multipart_upload(Bucket=bucket_name, Key=key)
    client.upload_part(
        Bucket=bucket_name, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=b"PK" * 1024
    )


@pytest.mark.django_db
def test_the_purge_aborts_half_uploads_that_no_live_attempt_will_finish(
    world, published, bucket, settings
):
    bucket_name, client, _env = bucket
    job, _ = services.request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
        datasets=["numbers"], start=timezone.now() - timedelta(days=1), end=timezone.now(),
        format="csv",
    )  # fmt: skip
    running, _ = services.request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
        datasets=["emergency_locations"], format="csv",
    )  # fmt: skip
    assert running.pk != job.pk
    ExportJob.objects.filter(pk=running.pk).update(status="running")
    dead, live = f"{job.pk}/dead-attempt.zip", f"{running.pk}/live-attempt.zip"
    _half_upload(client, bucket_name, dead)  # the job is queued again: nobody uploads this
    _half_upload(client, bucket_name, live)  # its job is running: an attempt may be uploading
    assert _objects(client, bucket_name) == {}  # invisible to listings, yet stored

    # moto reports every upload as started at MOTO_INITIATED (real S3 gives the real time), so
    # the clock is set relative to it.
    with time_machine.travel(MOTO_INITIATED + timedelta(seconds=5)):
        # Just started: even the dead attempt's upload is left (it could be a slow start).
        assert storage.abort_stale_uploads() == 0
    assert _uploads(client, bucket_name) == {dead, live}
    with time_machine.travel(MOTO_INITIATED + timedelta(hours=1)):
        # Past two leases: the dead one goes, the running job's stays (its attempt is alive).
        assert storage.abort_stale_uploads() == 1
        assert _uploads(client, bucket_name) == {live}
    with time_machine.travel(MOTO_INITIATED + timedelta(hours=25)):
        # A day on, no attempt is still uploading: the purge (beat, every 15 min) aborts it.
        purge_expired_exports()
    assert _uploads(client, bucket_name) == set()
