"""Scheduled incremental exports: slots, windows, watermark, skips, concurrency (docs/operator.md)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from exports import runner, schedules
from exports.choices import ExportStatus, RunOutcome
from exports.models import ExportJob, ExportSchedule, ScheduleRun
from notices.services import publish_notice
from portal import services
from portal.choices import AuditAction
from portal.errors import DomainError, PermissionDenied
from portal.models import AuditEvent
from tests.exports.conftest import read_zip, utc
from tests.factories import CallRecordFactory

LAG = timedelta(minutes=5)


@pytest.fixture(autouse=True)
def _lag(settings):
    settings.SCHEDULE_SAFETY_LAG_SECONDS = int(LAG.total_seconds())
    settings.EXPORT_RATE_PER_HOUR = 1000


def _schedule(world, **kw):
    options = {
        "by": world.olivia, "name": "Nightly", "datasets": ["call_records"], "format": "csv",
        "cadence": "hourly", "minute": 0, "tenant": world.tenant_a,
    }  # fmt: skip
    options.update(kw)
    return schedules.create_schedule(world.operator_o, **options)


# --- when slots fall -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "after", "expected"),
    [
        ("hourly", utc(2026, 3, 2, 10, 14), utc(2026, 3, 2, 10, 30)),
        ("hourly", utc(2026, 3, 2, 10, 30), utc(2026, 3, 2, 11, 30)),
        ("daily", utc(2026, 3, 2, 10, 14), utc(2026, 3, 3, 2, 30)),
        ("daily", utc(2026, 3, 2, 1, 0), utc(2026, 3, 2, 2, 30)),
        # 2026-03-02 is a Monday; weekday 2 is Wednesday
        ("weekly", utc(2026, 3, 2, 10, 14), utc(2026, 3, 4, 2, 30)),
        ("weekly", utc(2026, 3, 4, 2, 30), utc(2026, 3, 11, 2, 30)),
        ("weekly", utc(2026, 3, 6, 0, 0), utc(2026, 3, 11, 2, 30)),
    ],
)
def test_next_slot_is_the_first_slot_strictly_after(cadence, after, expected):
    assert schedules.next_slot(cadence, minute=30, hour=2, weekday=2, after=after) == expected


# --- defining ------------------------------------------------------------------------------------


def test_operator_admin_creates_a_schedule_audited(world):
    with time_machine.travel(utc(2027, 3, 1, 10, 14), tick=False):
        schedule = _schedule(world, cadence="daily", hour=2, minute=30)
    assert schedule.next_run_at == utc(2027, 3, 2, 2, 30)
    assert schedule.starts_at == utc(2027, 3, 1, 10, 14)
    event = AuditEvent.objects.get(action=AuditAction.SCHEDULE_CREATED)
    assert event.operator == world.operator_o and event.actor == world.olivia


def test_analyst_cannot_create_a_schedule(world):
    with pytest.raises(PermissionDenied):
        _schedule(world, by=world.oscar)
    assert not ExportSchedule.objects.exists()


def test_schedule_for_a_tenant_that_never_chose_the_operator_is_refused(world):
    with pytest.raises(DomainError) as exc:
        _schedule(world, tenant=world.tenant_b)
    assert exc.value.field == "tenant"


def test_pause_resume_delete_are_audited(world):
    schedule = _schedule(world)
    schedules.set_paused(schedule, paused=True, by=world.olivia)
    assert ExportSchedule.objects.get(pk=schedule.pk).paused
    assert schedules.run_due_schedules(now=schedule.next_run_at + timedelta(hours=5)) == 0
    schedules.set_paused(schedule, paused=False, by=world.olivia)
    schedules.delete_schedule(schedule, by=world.olivia)
    assert not ExportSchedule.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"schedule.paused", "schedule.resumed", "schedule.deleted"} <= actions


# --- runs ----------------------------------------------------------------------------------------


def test_a_due_slot_requests_an_incremental_export_through_the_ordinary_service(world, published):
    with time_machine.travel(utc(2027, 3, 1, 10, 14), tick=False):
        schedule = _schedule(world)
    with time_machine.travel(utc(2027, 3, 1, 11, 0, 20), tick=False):
        assert schedules.run_due_schedules() == 1
    run = ScheduleRun.objects.get()
    assert run.outcome == RunOutcome.REQUESTED
    assert run.slot == utc(2027, 3, 1, 11, 0)
    assert run.window_start == utc(2027, 3, 1, 10, 14)
    assert run.window_end == utc(2027, 3, 1, 10, 55, 20)  # now − the safety lag
    job = run.export
    assert (job.ingested_from, job.ingested_until) == (run.window_start, run.window_end)
    assert job.schedule_id == schedule.pk and job.requested_by == world.olivia
    assert job.status == ExportStatus.QUEUED
    requested = AuditEvent.objects.get(action=AuditAction.EXPORT_REQUESTED)
    assert requested.details["schedule"] == str(schedule.pk)
    schedule.refresh_from_db()
    assert schedule.next_run_at == utc(2027, 3, 1, 12, 0)


def test_a_second_tick_of_the_same_slot_does_nothing(world, published):
    with time_machine.travel(utc(2027, 3, 1, 10, 14), tick=False):
        schedule = _schedule(world)
    now = utc(2027, 3, 1, 11, 0, 5)
    assert len(schedules.run_schedule(schedule.pk, now=now)) == 1
    assert schedules.run_schedule(schedule.pk, now=now) == []
    assert ScheduleRun.objects.count() == 1 and ExportJob.objects.count() == 1


def test_the_next_window_starts_where_the_last_delivered_one_ended(world, published):
    with time_machine.travel(utc(2027, 3, 1, 10, 14), tick=False):
        schedule = _schedule(world)
    first = schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, 11, 0))[0]
    ExportJob.objects.filter(pk=first.export_id).update(status=ExportStatus.SUCCEEDED)
    second = schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, 12, 0))[0]
    assert second.window_start == first.window_end
    assert second.window_end == utc(2027, 3, 1, 11, 55)


def test_a_failed_run_is_covered_by_the_next_one(world, published):
    with time_machine.travel(utc(2027, 3, 1, 10, 14), tick=False):
        schedule = _schedule(world)
    first = schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, 11, 0))[0]
    ExportJob.objects.filter(pk=first.export_id).update(status=ExportStatus.FAILED)
    second = schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, 12, 0))[0]
    assert second.window_start == utc(2027, 3, 1, 10, 14)  # the failed window again


def test_a_slot_while_the_previous_run_is_in_flight_is_skipped(world, published):
    with time_machine.travel(utc(2027, 3, 1, 10, 14), tick=False):
        schedule = _schedule(world)
    schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, 11, 0))
    second = schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, 12, 0))[0]
    assert second.outcome == RunOutcome.SKIPPED and second.export is None
    assert "still running" in second.message
    assert ExportJob.objects.count() == 1


def test_a_closed_gate_skips_the_run_with_the_reason_and_audits_it(world, published):
    with time_machine.travel(utc(2027, 3, 1, 10, 14), tick=False):
        schedule = _schedule(world)
    services.suspend_assignment(world.assignment, by=world.alice)
    run = schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, 11, 0))[0]
    assert run.outcome == RunOutcome.SKIPPED and run.export is None
    assert "suspended" in run.message.lower() or "not shar" in run.message.lower()
    assert AuditEvent.objects.filter(action=AuditAction.SCHEDULE_RUN_SKIPPED).exists()


def test_every_tenant_schedule_runs_once_per_tenant_of_the_operator(world, published):
    services.enable_operator_connect(world.tenant_b, by=world.bob, acknowledged=True)
    services.assign_operator(
        world.tenant_b, world.operator_o, countries=["DE"], contact_full_name="Bob",
        contact_email="bob@fabrikam.test", company_size="1-50", acknowledged=True, by=world.bob,
    )  # fmt: skip
    publish_notice(world.tenant_b, by=world.bob)
    with time_machine.travel(utc(2027, 3, 1, 10, 14), tick=False):
        schedule = _schedule(world, tenant=None)
    runs = schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, 11, 0))
    assert {r.tenant for r in runs} == {world.tenant_a, world.tenant_b}
    assert all(r.outcome == RunOutcome.REQUESTED for r in runs)


def test_nothing_new_yet_is_recorded(world, published):
    with time_machine.travel(utc(2027, 3, 1, 10, 58), tick=False):
        schedule = _schedule(world)
    run = schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, 11, 0))[0]
    assert run.outcome == RunOutcome.SKIPPED and "Nothing new" in run.message


# --- with the real engine and concurrent ticks (committed rows) ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_runs_deliver_late_records_once_and_carry_the_watermark(world):
    """Records are chosen by ingestion time: one made long ago but stored now goes in the next
    run, exactly once; the manifest carries the watermark range."""
    publish_notice(world.tenant_a, by=world.alice)
    with time_machine.travel(utc(2027, 3, 1, 10, 0), tick=False):
        schedule = _schedule(world)

    def ingest(call_id, made, stored):
        return CallRecordFactory(
            tenant=world.tenant_a, operator=world.operator_o, call_id=call_id,
            invite_time=made, ingested_at=stored,
        )  # fmt: skip

    ingest("before-schedule", utc(2027, 3, 1, 9, 0), utc(2027, 3, 1, 9, 1))
    ingest("first", utc(2027, 3, 1, 10, 20), utc(2027, 3, 1, 10, 21))
    ingest("in-the-lag", utc(2027, 3, 1, 10, 57), utc(2027, 3, 1, 10, 57))
    files = []
    for hour, extra in ((11, "late"), (12, None)):
        if extra:  # made the day before, stored after the first run's window closed
            ingest(extra, utc(2027, 2, 28, 8, 0), utc(2027, 3, 1, 11, 30))
        with time_machine.travel(utc(2027, 3, 1, hour, 0), tick=False):
            (run,) = schedules.run_schedule(schedule.pk, now=utc(2027, 3, 1, hour, 0))
            assert runner.run_export(run.export_id) == "succeeded"
        run.export.refresh_from_db()
        files.append(run.export)
    import csv
    import io
    import json

    def ids(job):
        data = read_zip(job)["call_records.csv"].decode()
        return [row["call_id"] for row in csv.DictReader(io.StringIO(data))]

    assert ids(files[0]) == ["first"]
    assert sorted(ids(files[1])) == ["in-the-lag", "late"]
    manifest = json.loads(read_zip(files[1])["manifest.json"])
    assert manifest["watermark"] == {
        "on": "ingested_at",
        "from": "2027-03-01T10:55:00Z",
        "until": "2027-03-01T11:55:00Z",
        "schedule": str(schedule.pk),
    }


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ticks_make_one_export_of_a_slot(world):
    publish_notice(world.tenant_a, by=world.alice)
    with time_machine.travel(utc(2027, 3, 1, 10, 14), tick=False):
        schedule = _schedule(world)
    now = utc(2027, 3, 1, 11, 0, 1)
    barrier = threading.Barrier(2)
    results = []

    def tick():
        try:
            barrier.wait()
            results.append(schedules.run_due_schedules(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert ScheduleRun.objects.filter(schedule=schedule).count() == 1
    assert ExportJob.objects.filter(schedule=schedule).count() == 1
