"""Fast recovery (issue 16 item 4): a job whose worker child was killed resumes within seconds
(not after its lease), and queued jobs whose messages a restarted broker lost are re-sent
within a minute. Real processes: a Celery worker, a redis-server of the test's own."""

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from demo import bench_export as benchmark
from exports import runner, services, storage
from exports.models import ExportJob
from exports.tasks import run_export
from portal.choices import AuditAction
from portal.models import AuditEvent
from tests.exports.workers import clear_queue, kill, start_worker, wait_for, worker_env
from tests.reliability.processes import RedisServer, broker_at

ROWS = 60_000


def _job(job_id) -> ExportJob:
    return ExportJob.objects.get(pk=job_id)


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_child_is_replaced_and_its_job_resumes_within_seconds(tmp_path, settings):
    clear_queue()
    tenant, operator, admin = benchmark.scratch("child-kill")
    benchmark.seed_call_records(tenant, operator, ROWS)
    job = benchmark.bench_job(tenant, operator, admin, "ndjson")
    export_root = Path(settings.STORAGES["exports"]["OPTIONS"]["location"])
    # The default lease (120 s): recovery must not wait for it.
    env = worker_env(tmp_path, export_root, EXPORT_LEASE_SECONDS="120")
    worker = start_worker(env, tmp_path / "worker.log", "child")
    try:
        run_export.delay(str(job.pk))
        running = wait_for(
            lambda: (j := _job(job.pk)).status == "running" and j.progress >= 5 and j,
            timeout=180, what="the export to be under way",
        )  # fmt: skip
        child = int(running.lease_owner.split(":")[1])
        os.kill(child, signal.SIGKILL)  # the pool child only: the worker's main process lives
        killed_at = time.monotonic()
        wait_for(lambda: _job(job.pk).attempts == 2, timeout=60, what="the job to resume")
        resumed_after = time.monotonic() - killed_at
        done = wait_for(lambda: _job(job.pk).status in ("succeeded", "failed") and _job(job.pk),
                        timeout=300, what="the export")  # fmt: skip
    finally:
        kill(worker, sig=signal.SIGTERM)
    log = (tmp_path / "worker.log").read_text()
    assert resumed_after < 10, f"resumed after {resumed_after:.1f} s"
    assert done.status == "succeeded", log[-3000:]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_SUCCEEDED,
                                     target_id=str(job.pk)).count() == 1  # fmt: skip
    assert "its worker process died; taking it over" in log
    # No orphan: the export folder holds the published file only, the temporary folder nothing.
    assert list(storage.local_temp_dir().glob("*")) == []
    assert sorted(p.relative_to(export_root).as_posix() for p in export_root.rglob("*.zip")) == [
        done.file_name
    ]


def test_a_lease_of_a_live_or_foreign_process_is_never_taken_over():
    import socket

    here = socket.gethostname()
    assert not runner.owner_is_dead(f"{here}:{os.getpid()}:abcd")  # ourselves
    assert not runner.owner_is_dead(f"{here}:{os.getppid()}:abcd")  # alive
    assert not runner.owner_is_dead("another-host:1:abcd")  # can't tell: wait for the lease
    assert not runner.owner_is_dead("")
    dead = os.fork()
    if dead == 0:  # pragma: no cover - the child exits at once
        os._exit(0)
    os.waitpid(dead, 0)
    assert runner.owner_is_dead(f"{here}:{dead}:abcd")


@pytest.fixture
def broker(tmp_path, monkeypatch):
    server = RedisServer(tmp_path / "broker").start()
    with broker_at(server.url, monkeypatch):
        yield server
    server.kill()


@pytest.mark.django_db(transaction=True)
def test_queued_jobs_whose_messages_a_restarted_broker_lost_are_re_sent_within_a_minute(
    world, broker, time_machine
):
    from notices.services import publish_notice

    publish_notice(world.tenant_a, by=world.alice)
    jobs = [
        services.request_export(
            tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
            datasets=[dataset], start=timezone.now() - timedelta(days=1),
            end=timezone.now(), format="csv",
        )[0]
        for dataset in ("numbers", "call_records", "emergency_locations")
    ]  # fmt: skip
    import redis

    client = redis.Redis.from_url(broker.url)
    assert client.llen("celery") == 3
    # A worker holds one message, delivered but not acknowledged.
    client.hset("unacked", "tag-1", client.rpop("celery"))

    time_machine.move_to(timezone.now() + timedelta(minutes=5), tick=False)
    assert services.sweep_stuck_exports() == []  # their messages are there: waiting their turn

    broker.restart()  # no persistence: it comes back empty
    assert client.llen("celery") == 0
    time_machine.move_to(timezone.now() + timedelta(seconds=10), tick=False)
    assert sorted(services.sweep_stuck_exports()) == sorted(str(j.pk) for j in jobs)
    assert client.llen("celery") == 3
    time_machine.move_to(timezone.now() + timedelta(seconds=10), tick=False)
    assert services.sweep_stuck_exports() == []  # sent once: the next sweep leaves them be


@pytest.mark.django_db(transaction=True)
def test_a_job_just_sent_is_not_re_sent_before_it_could_be_lost(world, broker):
    from notices.services import publish_notice

    publish_notice(world.tenant_a, by=world.alice)
    job, _ = services.request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
        datasets=["numbers"], start=timezone.now() - timedelta(days=1), end=timezone.now(),
        format="csv",
    )  # fmt: skip
    broker.restart()
    assert services.sweep_stuck_exports() == []  # younger than EXPORT_LOST_AFTER_SECONDS
    assert _job(job.pk).status == "queued"


# --- no orphan files ------------------------------------------------------------------------------


def _part(job_id, age: float = 0) -> Path:
    path = storage.temp_path(job_id)
    path.write_bytes(b"PK half a zip")
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child exits at once
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_the_sweep_removes_every_temporary_file_no_live_attempt_writes(world, settings):
    import socket
    import uuid

    here = socket.gethostname()
    settings.EXPORT_LEASE_SECONDS = 120
    jobs = {name: ExportJob.objects.create(tenant=world.tenant_a, operator=world.operator_o,
                                           requested_by=world.alice, datasets=["numbers"], format="csv",
                                           requested_via="tenant",
                                           start=timezone.now(),
                                           end=timezone.now() + timedelta(hours=1),
                                           dedupe_key=name)
            for name in ("live", "dead", "hung", "done", "failed")}  # fmt: skip
    ExportJob.objects.filter(pk=jobs["live"].pk).update(
        status="running", lease_owner=f"{here}:{os.getpid()}:live"
    )
    ExportJob.objects.filter(pk=jobs["dead"].pk).update(
        status="running", lease_owner=f"{here}:{_dead_pid()}:dead"
    )
    ExportJob.objects.filter(pk=jobs["hung"].pk).update(
        status="running", lease_owner=f"{here}:{os.getpid()}:hung"
    )
    ExportJob.objects.filter(pk=jobs["done"].pk).update(status="succeeded")
    ExportJob.objects.filter(pk=jobs["failed"].pk).update(status="failed")  # fmt: skip
    live = _part(jobs["live"].pk, age=100)
    for name in ("dead", "done", "failed"):
        _part(jobs[name].pk)
    _part(jobs["hung"].pk, age=241)  # untouched for longer than two leases
    _part(uuid.uuid4())  # a job that no longer exists

    assert services.sweep_stuck_exports() == []
    assert list(storage.local_temp_dir().glob("*.part")) == [live]


def test_a_failed_or_re_claimed_job_loses_its_leftover_temporary_files(world, published):
    job, _ = services.request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
        datasets=["numbers"], start=timezone.now() - timedelta(days=1), end=timezone.now(),
        format="csv",
    )  # fmt: skip
    _part(job.pk)
    _part(job.pk)
    storage.temp_path(job.pk, kind="subjects")  # the subject list of the same dead attempt
    assert runner.run_export(job.pk) == "succeeded"  # claimed: the leftovers went first
    assert list(storage.local_temp_dir().glob("*.part")) == []
    other, _ = services.request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
        datasets=["call_records"], start=timezone.now() - timedelta(days=1), end=timezone.now(),
        format="csv",
    )  # fmt: skip
    _part(other.pk)
    assert runner.give_up(other.pk)  # the last retry failed it
    assert list(storage.local_temp_dir().glob("*.part")) == []
