"""Real processes (I6): a Celery worker on Redis + PostgreSQL, a SIGKILL mid-export, and the
embedded default (SQLite + filesystem:// broker + a worker) end to end."""

import csv
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from demo import bench_export as benchmark
from exports import services, storage
from exports.models import ExportJob
from exports.tasks import run_export
from portal.choices import AuditAction
from portal.models import AuditEvent
from tests.exports.workers import ROOT, clear_queue, kill, start_worker, wait_for, worker_env
from tests.factories import CallRecordFactory

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def _status(job_id) -> ExportJob:
    return ExportJob.objects.get(pk=job_id)


def _verify_zip(data: bytes, job: ExportJob) -> dict:
    """The stored file is complete: its checksum, the manifest's, and each entry's verify."""
    assert hashlib.sha256(data).hexdigest() == job.file_sha256
    assert len(data) == job.file_size
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        manifest = json.loads(zf.read("manifest.json"))
        for f in manifest["files"]:
            body = zf.read(f["name"])
            assert hashlib.sha256(body).hexdigest() == f["sha256"]
            assert len(body) == f["bytes"]
        return {"manifest": manifest, **{f["name"]: zf.read(f["name"]) for f in manifest["files"]}}


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_and_postgres_builds_the_export(world, published, tmp_path,
                                                               settings, login):  # fmt: skip
    clear_queue()
    for i in range(25):
        CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, call_id=f"e2e-{i}")
    export_root = Path(settings.STORAGES["exports"]["OPTIONS"]["location"])
    worker = start_worker(worker_env(tmp_path, export_root), tmp_path / "worker.log", "e2e")
    try:
        job, created = services.request_export(
            tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
            datasets=["call_records", "numbers", "emergency_locations"],
            start=timezone.now() - timedelta(days=1), end=timezone.now() + timedelta(hours=1),
            format="csv",
        )  # fmt: skip
        done = wait_for(lambda: _status(job.pk).status in ("succeeded", "failed")
                        and _status(job.pk), timeout=120, what="the export")  # fmt: skip
    finally:
        kill(worker)
    assert done.status == "succeeded", (tmp_path / "worker.log").read_text()[-3000:]
    response = login(world.oscar).get(
        reverse(
            "operator:export_download",
            kwargs={"operator_slug": "operator-o", "job_id": job.pk},
        )  # fmt: skip
    )
    files = _verify_zip(b"".join(response.streaming_content), done)
    rows = list(csv.DictReader(io.StringIO(files["call_records.csv"].decode())))
    assert {r["call_id"] for r in rows} == {f"e2e-{i}" for i in range(25)}
    assert files["manifest"]["files"][0]["rows"] == 25
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_SUCCEEDED).count() == 1


ROWS = 60_000


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_export_is_replaced_and_the_job_succeeds_exactly_once(
    tmp_path, settings
):
    clear_queue()
    tenant, operator, admin = benchmark.scratch("sigkill")
    benchmark.seed_call_records(tenant, operator, ROWS)
    job = benchmark.bench_job(tenant, operator, admin, "ndjson")
    export_root = Path(settings.STORAGES["exports"]["OPTIONS"]["location"])
    env = worker_env(tmp_path, export_root, EXPORT_LEASE_SECONDS="3")
    run_export.delay(str(job.pk))

    first = start_worker(env, tmp_path / "first.log", "first")
    try:
        running = wait_for(
            lambda: (j := _status(job.pk)).status == "running" and j.progress >= 5 and j,
            timeout=180, what="the first worker to be mid-export",
        )  # fmt: skip
    finally:
        kill(first)  # SIGKILL the whole process group: no cleanup, no ack, no goodbye
    assert running.progress < 95, "the export finished too fast to be interrupted"
    stuck = _status(job.pk)
    assert stuck.status == "running" and stuck.attempts == 1
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_SUCCEEDED).exists()

    second = start_worker(env, tmp_path / "second.log", "second")
    try:
        # The dead worker's lease lapses; the beat's sweeper re-queues the job.
        wait_for(lambda: services.sweep_stuck_exports(), timeout=60, interval=0.5,
                 what="the lease to lapse")  # fmt: skip
        done = wait_for(lambda: _status(job.pk).status in ("succeeded", "failed")
                        and _status(job.pk), timeout=300, what="the second worker")  # fmt: skip
    finally:
        kill(second, sig=15)
    assert done.status == "succeeded", (tmp_path / "second.log").read_text()[-3000:]
    assert done.attempts == 2
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_SUCCEEDED,
                                     target_id=str(job.pk)).count() == 1  # fmt: skip
    with storage.open_file(done.file_name) as fh:
        files = _verify_zip(fh.read(), done)
    lines = files["call_records.ndjson"].splitlines()
    assert len(lines) == ROWS == files["manifest"]["files"][0]["rows"]
    assert len({json.loads(line)["call_id"] for line in lines}) == ROWS
    assert storage.orphan_file_names(job.pk, keep=done.file_name) == []
    # The killed worker's half-written local ZIP went when the job was claimed again.
    assert list(storage.local_temp_dir().glob("*.part")) == []


SETUP = """
from datetime import timedelta
from django.utils import timezone
from exports import services
from notices.services import publish_notice
from portal import services as ps
from portal.choices import CompanySize, OperatorRole, TenantRole
from tests.factories import (CallRecordFactory, OperatorFactory, TenantFactory, UserFactory,
                             membership, operator_membership)
alice = UserFactory(email="alice@contoso.test")
oscar = UserFactory(email="oscar@operator-o.test")
tenant = TenantFactory(name="Contoso", slug="contoso", country="GB")
operator = OperatorFactory(name="Operator O", slug="operator-o", countries=["GB"])
membership(alice, tenant, TenantRole.ADMIN)
operator_membership(oscar, operator, OperatorRole.ANALYST)
ps.enable_operator_connect(tenant, by=alice, acknowledged=True)
ps.assign_operator(tenant, operator, countries=["GB"], contact_full_name="Alice",
                   contact_email="alice@contoso.test", company_size=CompanySize.S1_50,
                   acknowledged=True, by=alice)
publish_notice(tenant, by=alice)
for i in range(40):
    CallRecordFactory(tenant=tenant, operator=operator, call_id=f"embedded-{i}",
                      user_display_name="=1+1" if i == 0 else "Alice")
job, _ = services.request_export(tenant=tenant, operator=operator, by=alice, via="tenant",
    datasets=["call_records", "numbers"], start=timezone.now() - timedelta(days=1),
    end=timezone.now() + timedelta(hours=1), format="csv")
import sys
sys.stdout.write(f"JOB {job.pk}\\n")  # stdout is how this child reports to the test
"""


def test_the_embedded_default_runs_an_export_with_sqlite_and_a_filesystem_broker(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL") and
           not k.startswith("PYTEST")}  # fmt: skip
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="portal.settings")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    setup = subprocess.run([*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True)  # fmt: skip
    job_id = setup.stdout.split("JOB ")[-1].split()[0].replace("-", "")
    assert any((tmp_path / "celery" / "out").iterdir()), "the task was not queued on disk"
    worker = start_worker(env, tmp_path / "worker.log", "embedded")
    db = sqlite3.connect(tmp_path / "portal.sqlite3", timeout=30)

    def finished():
        row = db.execute("SELECT status, file_name, file_sha256 FROM exports_exportjob "
                         "WHERE id = ?", (job_id,)).fetchone()  # fmt: skip
        return row if row and row[0] in ("succeeded", "failed") else None

    try:
        status, file_name, sha256 = wait_for(finished, timeout=180, interval=0.5,
                                             what="the embedded worker")  # fmt: skip
    finally:
        kill(worker, sig=15)
        db.close()
    assert status == "succeeded", (tmp_path / "worker.log").read_text()[-3000:]
    data = (tmp_path / "exports" / file_name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == sha256
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        calls = zf.read("call_records.csv").decode()
    assert {f["name"]: f["rows"] for f in manifest["files"]} == {
        "call_records.csv": 40, "numbers.csv": 0,
    }  # fmt: skip
    assert ",'=1+1," in calls  # the portable path neutralises formulas too
    shutil.rmtree(tmp_path / "celery", ignore_errors=True)
