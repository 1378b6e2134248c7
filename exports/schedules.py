"""Scheduled incremental exports: create, pause, resume, delete, and turn due slots into runs.

Every write is one of these services (STYLE §2). A run is an ordinary export requested through
``exports.services.request_export`` — the same checks, gate, limits, audit, engine, expiry and
download rules as a manual one — whose call records are chosen by *ingestion* time
(``CallRecord.ingested_at``) in the run's window:

    window = [watermark, now − SCHEDULE_SAFETY_LAG)

The watermark of (schedule, tenant) is the end of the last run whose export succeeded (or the
schedule's ``starts_at``). So consecutive successful runs tile the stream with no gap and no
overlap; a slot that is skipped (gate closed, limits, a run still in flight) or whose export
fails leaves the watermark where it was, and the next run covers its window too. The lag leaves
ingest transactions time to commit: a row stored at statement time t becomes visible at its
commit, which must come before t + lag (docs/operator.md).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from exports import services
from exports.choices import IN_FLIGHT, Cadence, ExportFormat, ExportStatus, RunOutcome
from exports.models import ExportSchedule, ScheduleRun
from exports.permissions import VIA_OPERATOR
from portal.choices import AuditAction, OperatorRole
from portal.errors import DomainError, PermissionDenied
from portal.models import Operator, OperatorAssignment, Tenant, User
from portal.permissions import operator_role
from portal.services.audit import record_event

logger = logging.getLogger(__name__)

# A run's export counts as delivered once it succeeded (an expired file was delivered too).
DELIVERED = (ExportStatus.SUCCEEDED, ExportStatus.EXPIRED)


# --- when ------------------------------------------------------------------------------------------


def next_slot(cadence: str, *, minute: int, hour: int, weekday: int, after: datetime) -> datetime:
    """The first slot of the cadence strictly after ``after`` (UTC)."""
    after = after.astimezone(UTC)
    base = after.replace(second=0, microsecond=0)
    if cadence == Cadence.HOURLY:
        slot = base.replace(minute=minute)
        step = timedelta(hours=1)
    elif cadence == Cadence.DAILY:
        slot = base.replace(hour=hour, minute=minute)
        step = timedelta(days=1)
    elif cadence == Cadence.WEEKLY:
        slot = base.replace(hour=hour, minute=minute) + timedelta(days=weekday - base.weekday())
        step = timedelta(weeks=1)
    else:
        raise DomainError("Choose hourly, daily or weekly.", field="cadence")
    while slot <= after:
        slot += step
    while slot - step > after:
        slot -= step
    return slot


def safety_lag() -> timedelta:
    return timedelta(seconds=settings.SCHEDULE_SAFETY_LAG_SECONDS)


# --- watermark -------------------------------------------------------------------------------------


def watermark(schedule: ExportSchedule, tenant: Tenant | int) -> datetime:
    """Where the next run of ``schedule`` for ``tenant`` starts: the end of the last delivered
    run, or the schedule's ``starts_at``."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    last = (
        ScheduleRun.objects.filter(
            schedule=schedule, tenant_id=tenant_id, export__status__in=list(DELIVERED)
        )
        .order_by("-window_end")
        .values_list("window_end", flat=True)
        .first()
    )
    return last or schedule.starts_at


def tenants_of(schedule: ExportSchedule) -> list[Tenant]:
    """The schedule's tenant, or every tenant that has the operator (active or suspended: the
    gate then says why a run is skipped)."""
    if schedule.tenant is not None:
        return [schedule.tenant]
    ids = (
        OperatorAssignment.objects.for_operator(schedule.operator_id)
        .current()
        .values_list("tenant_id", flat=True)
    )
    return list(Tenant.objects.filter(pk__in=ids).order_by("name", "pk"))


# --- create, pause, resume, delete -----------------------------------------------------------------


def _require_admin(user: User, operator: Operator) -> None:
    if operator_role(user, operator) != OperatorRole.ADMIN:
        raise PermissionDenied(f"Only admins of {operator.name} can manage export schedules.")


def create_schedule(
    operator: Operator,
    *,
    by: User,
    name: str,
    datasets,
    format: str,
    cadence: str,
    minute: int = 0,
    hour: int = 0,
    weekday: int = 0,
    tenant: Tenant | None = None,
    starts_at: datetime | None = None,
    ip: str | None = None,
) -> ExportSchedule:
    """Define a schedule. The first run delivers records stored from ``starts_at`` (now by
    default; earlier to catch up)."""
    _require_admin(by, operator)
    chosen = services._checked_datasets(datasets)
    if format not in ExportFormat.values:
        raise DomainError("Choose CSV or NDJSON.", field="format")
    if cadence not in Cadence.values:
        raise DomainError("Choose hourly, daily or weekly.", field="cadence")
    if not (0 <= minute <= 59 and 0 <= hour <= 23 and 0 <= weekday <= 6):
        raise DomainError("Give a time of day from 00:00 to 23:59 UTC.", field="hour")
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the schedule a name.", field="name")
    if tenant is not None and not (
        OperatorAssignment.objects.for_operator(operator).current().filter(tenant=tenant).exists()
    ):
        raise DomainError("That tenant has not chosen this operator.", field="tenant")
    now = timezone.now()
    if starts_at is not None and timezone.is_naive(starts_at):
        raise DomainError("Times must be absolute (UTC).", field="starts_at")
    with transaction.atomic():
        schedule = ExportSchedule.objects.create(
            operator=operator,
            tenant=tenant,
            name=name[:100],
            datasets=chosen,
            format=format,
            cadence=cadence,
            minute=minute,
            hour=hour,
            weekday=weekday,
            starts_at=starts_at or now,
            next_run_at=next_slot(cadence, minute=minute, hour=hour, weekday=weekday, after=now),
            created_by=by,
        )
        _audit(AuditAction.SCHEDULE_CREATED, schedule, by, ip, cadence=schedule.cadence_text)
    return schedule


def set_paused(
    schedule: ExportSchedule, *, paused: bool, by: User, ip: str | None = None
) -> ExportSchedule:
    """Pause or resume. Resuming does not catch up missed slots one by one: the next run's
    window starts at the watermark, so nothing stored meanwhile is lost."""
    _require_admin(by, schedule.operator)
    with transaction.atomic():
        locked = ExportSchedule.objects.select_for_update().get(pk=schedule.pk)
        if locked.paused == paused:
            return locked
        locked.paused = paused
        fields = ["paused"]
        if not paused:
            now = timezone.now()
            locked.next_run_at = next_slot(
                locked.cadence, minute=locked.minute, hour=locked.hour, weekday=locked.weekday,
                after=now,
            )  # fmt: skip
            fields.append("next_run_at")
        locked.save(update_fields=fields)
        action = AuditAction.SCHEDULE_PAUSED if paused else AuditAction.SCHEDULE_RESUMED
        _audit(action, locked, by, ip)
    return locked


def delete_schedule(schedule: ExportSchedule, *, by: User, ip: str | None = None) -> None:
    """Delete the schedule and its run log; its exports stay (with their own expiry)."""
    _require_admin(by, schedule.operator)
    with transaction.atomic():
        _audit(AuditAction.SCHEDULE_DELETED, schedule, by, ip)
        schedule.delete()


def _audit(action, schedule: ExportSchedule, by, ip, **details) -> None:
    record_event(
        action,
        actor=by,
        tenant=schedule.tenant,
        operator=schedule.operator,
        target=schedule,
        target_label=schedule.name,
        ip=ip,
        schedule=str(schedule.pk),
        **details,
    )


# --- runs ------------------------------------------------------------------------------------------


def run_due_schedules(now: datetime | None = None) -> int:
    """Beat's entry point: run every schedule whose slot has come. Returns runs recorded."""
    now = now or timezone.now()
    count = 0
    for schedule_id in ExportSchedule.objects.due(now).values_list("pk", flat=True):
        try:
            count += len(run_schedule(schedule_id, now=now))
        except Exception:  # one broken schedule must not stop the others
            logger.exception("schedule %s: could not run", schedule_id)
    return count


def run_schedule(
    schedule_id, *, now: datetime | None = None, manual: bool = False, by: User | None = None
) -> list[ScheduleRun]:
    """Turn the schedule's due slot (or, ``manual``, the present moment) into one run per tenant.

    The schedule row is locked for the whole slot, and a run is unique per (schedule, tenant,
    slot): a second beat tick or worker waits, then finds the slot taken and does nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        schedule = (
            ExportSchedule.objects.select_for_update(of=("self",))
            .select_related("operator", "tenant", "created_by")
            .filter(pk=schedule_id)
            .first()
        )
        if schedule is None:
            return []
        if manual:
            if by is not None:
                _require_admin(by, schedule.operator)
            slot = now.replace(microsecond=0)
        else:
            if schedule.paused or schedule.next_run_at > now:
                return []  # another tick took this slot, or it was paused meanwhile
            slot = schedule.next_run_at
            schedule.next_run_at = next_slot(
                schedule.cadence, minute=schedule.minute, hour=schedule.hour,
                weekday=schedule.weekday, after=now,
            )  # fmt: skip
            schedule.save(update_fields=["next_run_at"])
        runs = [r for r in (_run_for(schedule, t, slot, now) for t in tenants_of(schedule)) if r]
    return runs


def _run_for(schedule: ExportSchedule, tenant: Tenant, slot: datetime, now: datetime):
    if ScheduleRun.objects.filter(schedule=schedule, tenant=tenant, slot=slot).exists():
        return None
    start = watermark(schedule, tenant)
    end = now - safety_lag()
    run = ScheduleRun(
        schedule=schedule, tenant=tenant, slot=slot, window_start=start,
        window_end=max(start, end),
    )  # fmt: skip
    in_flight = ScheduleRun.objects.filter(
        schedule=schedule, tenant=tenant, export__status__in=list(IN_FLIGHT)
    ).exists()
    if in_flight:
        _skip(run, "The previous run is still running; the next run covers this window too.")
    elif end <= start:
        _skip(run, "Nothing new yet: the window since the last delivered run is empty.")
    elif schedule.created_by is None:
        _skip(run, "The admin who made this schedule has left; an admin must make it anew.")
    else:
        try:
            job, _created = services.request_export(
                tenant=tenant, operator=schedule.operator, by=schedule.created_by,
                via=VIA_OPERATOR, datasets=schedule.datasets, start=start, end=end,
                format=schedule.format, schedule=schedule,
            )  # fmt: skip
        except DomainError as exc:
            _skip(run, f"{exc.message} The next run covers this window too.")
        else:
            run.outcome, run.export = RunOutcome.REQUESTED, job
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:  # the same slot, recorded meanwhile (cannot happen under the lock)
        return None
    return run


def _skip(run: ScheduleRun, message: str) -> None:
    run.outcome, run.message = RunOutcome.SKIPPED, message[:300]
    record_event(
        AuditAction.SCHEDULE_RUN_SKIPPED,
        actor=None,
        tenant=run.tenant,
        operator=run.schedule.operator,
        target=run.schedule,
        target_label=run.schedule.name,
        schedule=str(run.schedule.pk),
        reason=run.message,
    )


def runs_of(schedule: ExportSchedule, limit: int = 50):
    """The schedule's latest runs, newest first, for its page and the API."""
    return (
        ScheduleRun.objects.filter(schedule=schedule)
        .select_related("tenant", "export")
        .order_by("-slot", "tenant__name")[:limit]
    )
