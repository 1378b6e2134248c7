"""Export jobs: request, cancel, download, sweep, purge — every write is one of these (STYLE §2).

Running a job lives in ``exports/runner.py``; both own their transactions and audit events.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import IO

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from exports import runner, storage
from exports.choices import IN_FLIGHT, Dataset, ExportFormat, ExportStatus
from exports.models import ExportJob
from exports.permissions import check_may_request
from exports.queue import ids_in_broker
from portal import sharing
from portal.choices import AuditAction, TenantRole, english
from portal.errors import Conflict, DomainError, NotFound, PermissionDenied
from portal.models import Operator, Tenant, User
from portal.permissions import operator_role, tenant_role
from portal.services.audit import record_event

logger = logging.getLogger(__name__)

BROKER_ERRORS = (KombuError, RedisError, OSError)


class Gone(DomainError):
    """The file existed but is no longer available: expired, cancelled, failed or revoked."""

    code = "gone"
    status = 410


class RateLimited(DomainError):
    """Too many requests: ``retry_after`` says in how many seconds one more is allowed."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


def _enqueue(job_id) -> None:
    """Send the job's message once the row is committed (STYLE §6)."""
    transaction.on_commit(lambda: send(job_id))


def send(job_id) -> bool:
    """Publish the job's message; False (and nothing raised) when the broker is away.

    The committed row is the truth (I6): a job whose message could not be sent stays queued
    with no ``enqueued_at``, and the sweeper sends it at its next run once the broker answers
    (docs/reliability.md). The requester is told "queued" either way.
    """
    try:
        runner.run_export_task.apply_async((str(job_id),))
    except Exception as exc:  # never refuse the request: the row is queued
        if isinstance(exc, BROKER_ERRORS):
            logger.warning("export %s: queue unavailable (%s); the sweeper will send it",
                           job_id, type(exc).__name__)  # fmt: skip
        else:
            logger.exception("export %s: could not be sent; the sweeper will retry", job_id)
        with contextlib.suppress(DatabaseError):
            ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(enqueued_at=None)
        return False
    return True


# --- who may request -------------------------------------------------------------------------------


# --- input checks ----------------------------------------------------------------------------------


def _checked_datasets(datasets) -> list[str]:
    chosen = sorted({str(d) for d in datasets or []})
    unknown = [d for d in chosen if d not in Dataset.values]
    if unknown or not chosen:
        raise DomainError("Choose at least one dataset.", field="datasets")
    return chosen


def _checked_range(
    datasets: list[str], start: datetime | None, end: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The call records' time range, checked; none for an export without call records (numbers
    and locations are exported as they are when the file is made: a range would mean nothing)."""
    if Dataset.CALL_RECORDS.value not in datasets:
        return None, None
    if start is None or end is None:
        raise DomainError("Give the start and the end of the time range.", field="start")
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise DomainError("Times must be absolute (UTC).", field="start")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise DomainError("The end of the time range must be after its start.", field="end")
    span = settings.EXPORT_MAX_SPAN_DAYS
    if end - start > timedelta(days=span):
        raise DomainError(
            f"The time range is too long: at most {span} days per export. "
            "Split it into several exports.",
            code="span_too_long",
            field="end",
        )
    return start, end


def dedupe_key(tenant, operator, datasets, start, end, fmt) -> str:
    raw = "|".join(
        [str(tenant.pk), str(operator.pk), ",".join(datasets), start.isoformat() if start else "",
         end.isoformat() if end else "", fmt]
    )  # fmt: skip
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_limits(operator: Operator) -> None:
    jobs = ExportJob.objects.for_operator(operator)
    per_hour = settings.EXPORT_RATE_PER_HOUR
    now = timezone.now()
    recent = jobs.requested_since(now - timedelta(hours=1))
    if recent.count() >= per_hour:
        # One more is allowed once the oldest request that fills the hour's quota ages out.
        times = list(recent.order_by("-created_at").values_list("created_at", flat=True))
        frees_at = (
            times[per_hour - 1] + timedelta(hours=1) if per_hour else now + timedelta(hours=1)
        )
        raise RateLimited(
            f"{operator.name} has requested {per_hour} exports in the last hour, the most "
            "allowed. Try again later.",
            retry_after=math.ceil((frees_at - now).total_seconds()),
        )
    cap = settings.EXPORT_MAX_CONCURRENT
    if jobs.in_flight().count() >= cap:
        raise Conflict(
            f"{operator.name} already has {cap} exports queued or running, the most allowed "
            "at once. Wait for one to finish or cancel one.",
            code="too_many_exports",
        )


# --- request and cancel ----------------------------------------------------------------------------


def request_export(
    *,
    tenant: Tenant,
    operator: Operator,
    by: User,
    via: str,
    datasets,
    start: datetime | None = None,
    end: datetime | None = None,
    format: str,
    ip: str | None = None,
    schedule=None,
) -> tuple[ExportJob, bool]:
    """Queue an export; an identical one still queued or running is returned instead.

    Returns ``(job, created)``. The task is enqueued only once the row is committed.

    With ``schedule`` (a scheduled run, ``exports.schedules``), ``start``/``end`` are the run's
    window on ingestion time: call records stored in it are exported whatever their call time
    (inside the share windows), so the span limit on call time does not apply.
    """
    chosen = _checked_datasets(datasets)
    if format not in ExportFormat.values:
        raise DomainError("Choose CSV or NDJSON.", field="format")
    if schedule is None:
        start, end = _checked_range(chosen, start, end)
    elif start is None or end is None or end <= start:
        raise DomainError("A scheduled run needs a window that ends after it starts.")
    key = dedupe_key(tenant, operator, chosen, start, end, format)
    if schedule is not None:
        key = hashlib.sha256(f"{key}|ingested|{schedule.pk}".encode()).hexdigest()
    with transaction.atomic():
        check_may_request(by, tenant, operator, via)
        # One requester of an operator at a time: the limits below count committed rows.
        Operator.objects.select_for_update().filter(pk=operator.pk).first()
        existing = ExportJob.objects.in_flight().filter(dedupe_key=key).first()
        if existing is not None:
            return existing, False
        _check_limits(operator)
        try:
            with transaction.atomic():
                job = ExportJob.objects.create(
                    tenant=tenant,
                    operator=operator,
                    requested_by=by,
                    requested_via=via,
                    datasets=chosen,
                    start=start,
                    end=end,
                    format=format,
                    mask_external_digits=tenant.mask_external_digits,
                    dedupe_key=key,
                    enqueued_at=timezone.now(),
                    schedule=schedule,
                    ingested_from=start if schedule is not None else None,
                    ingested_until=end if schedule is not None else None,
                )
        except IntegrityError:  # an identical request won the race
            return ExportJob.objects.in_flight().get(dedupe_key=key), False
        record_event(
            AuditAction.EXPORT_REQUESTED,
            actor=by,
            tenant=tenant,
            operator=operator,
            target=job,
            target_label=f"for {operator.name}",
            ip=ip,
            summary=", ".join(english(Dataset(d)) for d in job.datasets),
            job=str(job.id),
            datasets=chosen,
            format=format,
            **({"schedule": str(schedule.pk)} if schedule is not None else {}),
        )
        _enqueue(job.id)
    return job, True


def cancel_export(job: ExportJob, *, by: User, ip: str | None = None) -> ExportJob:
    """Stop a queued or running export. Its worker notices at its next heartbeat."""
    if not (by.is_staff or job.requested_by_id == by.pk):
        raise PermissionDenied("Only the person who requested this export can cancel it.")
    with transaction.atomic():
        now = timezone.now()
        changed = ExportJob.objects.filter(pk=job.pk, status__in=list(IN_FLIGHT)).update(
            status=ExportStatus.CANCELLED,
            finished_at=now,
            cancelled_by=by,
            lease_owner="",
            lease_expires_at=None,
        )
        if not changed:
            raise Conflict("This export has already finished, so it can't be cancelled.")
        record_event(
            AuditAction.EXPORT_CANCELLED,
            actor=by,
            tenant=job.tenant,
            operator=job.operator,
            target=job,
            target_label=f"for {job.operator.name}",
            ip=ip,
            job=str(job.id),
        )
    job.refresh_from_db()
    return job


# --- download --------------------------------------------------------------------------------------


def _made_at(job: ExportJob) -> datetime:
    """When ``job``'s file was made. Only a finished job has a file, and finishing sets the time."""
    if job.finished_at is None:
        raise ValueError(f"Export {job.pk} has no finish time, so it has no file.")
    return job.finished_at


def _why_not_downloadable(job: ExportJob, user: User) -> DomainError:
    if job.status in IN_FLIGHT:
        return Conflict(f"This export is not ready yet ({job.progress}% done).", code="not_ready")
    if job.status == ExportStatus.FAILED:
        return Gone("This export failed; there is no file.")
    if job.status == ExportStatus.CANCELLED:
        return Gone("This export was cancelled; there is no file.")
    if job.status == ExportStatus.EXPIRED or (job.expires_at and job.expires_at <= timezone.now()):
        return Gone("This export file has expired and was deleted.")
    if operator_role(user, job.operator) is not None and not user.is_staff:
        return Gone(sharing.file_closed_reason(job.tenant, job.operator, _made_at(job))
                    or "Sharing has stopped.", code="sharing_closed")  # fmt: skip
    return PermissionDenied("Only admins can download export files.")


def _gated(job: ExportJob, user: User) -> bool:
    """Operator staff fetch a file only through the gate; the tenant's admins and platform
    staff may always fetch it (it is the tenant's own data, or the platform's to support)."""
    return not user.is_staff and tenant_role(user, job.tenant) != TenantRole.ADMIN


def download_refusal(job: ExportJob, user: User) -> DomainError | None:
    """Why ``user`` may not download ``job``'s file now, or None when they may (I3, I5).

    For operator staff the gate is re-checked on every request: it must be open now and must
    have stayed open without a break since the file was made — a file made before a
    suspension, a removal, Operator Connect turned off, a closed relationship or a notice that
    stopped naming the operator answers 410 for good, even after sharing resumes.
    """
    if not ExportJob.objects.downloadable_by(user).filter(pk=job.pk).exists():
        return _why_not_downloadable(job, user)
    if _gated(job, user):
        reason = sharing.file_closed_reason(job.tenant, job.operator, _made_at(job))
        if reason:
            return Gone(reason, code="sharing_closed")
    return None


def operator_download_closed(jobs) -> dict:
    """For each succeeded job: "" while its operator may download it, else the reason why not.

    The gate and windows are computed once per tenant and operator, for lists of many jobs.
    """
    pairs: dict[tuple[int, int], tuple] = {}
    closed = {}
    for job in jobs:
        if job.status != ExportStatus.SUCCEEDED or job.finished_at is None:
            continue
        key = (job.tenant_id, job.operator_id)
        if key not in pairs:
            history = sharing.History(job.tenant_id)
            windows = history.windows(job.operator_id)
            state = sharing.gate(job.tenant, job.operator, windows=windows, history=history)
            pairs[key] = (windows, state)
        windows, state = pairs[key]
        closed[job.pk] = sharing.file_closed_reason(
            job.tenant, job.operator, job.finished_at, windows=windows, state=state
        )
    return closed


def download_export(
    job_id, *, user: User, ip: str | None, tenant: Tenant | None = None,
    operator: Operator | None = None,
) -> tuple[ExportJob, IO[bytes]]:  # fmt: skip
    """Open a finished file for ``user`` and record the download (I5).

    Not visible to the user → NotFound (404, as if it did not exist); visible but expired,
    cancelled or revoked → Gone (410); not finished → Conflict (409).
    """
    scope = ExportJob.objects.visible_to(user).select_related("tenant", "operator")
    if tenant is not None:
        scope = scope.for_tenant(tenant)
    if operator is not None:
        scope = scope.for_operator(operator)
    job = scope.filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such export.")
    refusal = download_refusal(job, user)
    if refusal is not None:
        raise refusal
    try:
        handle = storage.open_file(job.file_name)
    except (FileNotFoundError, OSError):
        logger.error("export %s: file missing from storage", job.id)
        raise Gone("This export file is no longer available.") from None
    with transaction.atomic():
        record_event(
            AuditAction.EXPORT_DOWNLOADED,
            actor=user,
            tenant=job.tenant,
            operator=job.operator,
            target=job,
            target_label=f"for {job.operator.name}",
            ip=ip,
            job=str(job.id),
            sha256=job.file_sha256,
            bytes=job.file_size,
        )
    return job, handle


# --- periodic work ---------------------------------------------------------------------------------


def sweep_stuck_exports(now: datetime | None = None) -> list[str]:
    """Re-queue jobs whose worker died (lease expired) and re-send lost queue messages.

    Returns the ids enqueued. A job interrupted ``EXPORT_MAX_ATTEMPTS`` times fails instead.
    """
    now = now or timezone.now()
    enqueued: list[str] = []
    for job in ExportJob.objects.lease_expired(now).select_related("tenant", "operator"):
        with transaction.atomic():
            still_stuck = ExportJob.objects.filter(
                pk=job.pk, status=ExportStatus.RUNNING, lease_expires_at__lt=now
            )
            if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
                if still_stuck.update(
                    status=ExportStatus.FAILED,
                    finished_at=now,
                    lease_owner="",
                    lease_expires_at=None,
                    error_message="The export was interrupted too many times. Request it again.",
                ):
                    record_event(
                        AuditAction.EXPORT_FAILED, actor=None, tenant=job.tenant,
                        operator=job.operator, target=job, target_label=f"for {job.operator.name}",
                        job=str(job.id), reason="interrupted",
                    )  # fmt: skip
                    transaction.on_commit(partial(storage.delete_job_files, job.pk))
                    storage.delete_job_temp(job.pk)
                continue
            if still_stuck.update(
                status=ExportStatus.QUEUED, lease_owner="", lease_expires_at=None, enqueued_at=now
            ):
                logger.warning("export %s: worker lease expired; re-queued", job.pk)
                _enqueue(job.pk)
                enqueued.append(str(job.pk))
    enqueued += resend_lost_messages(now)
    try:
        storage.clean_local_temp()
    except OSError:
        logger.warning("could not clean temporary export files", exc_info=True)
    return enqueued


def resend_lost_messages(now: datetime) -> list[str]:
    """Re-send the message of queued jobs whose message is gone (a broker restarted empty).

    A job sent more than ``EXPORT_LOST_AFTER_SECONDS`` ago whose id the broker holds in no
    message — neither waiting nor delivered — lost it; one never sent (broker away at request
    time) has no ``enqueued_at``. When the broker cannot be inspected, any queued job older than
    ``EXPORT_REQUEUE_AFTER_SECONDS`` is re-sent. A duplicate message is harmless: the claim is
    conditional (I6).
    """
    in_broker = ids_in_broker()
    age = settings.EXPORT_REQUEUE_AFTER_SECONDS if in_broker is None else (
        settings.EXPORT_LOST_AFTER_SECONDS
    )  # fmt: skip
    lost_before = now - timedelta(seconds=age)
    candidates = ExportJob.objects.filter(
        Q(enqueued_at__lt=lost_before) | Q(enqueued_at__isnull=True), status=ExportStatus.QUEUED
    ).values_list("pk", flat=True)
    enqueued: list[str] = []
    for job_id in candidates:
        if in_broker is not None and str(job_id) in in_broker:
            continue  # waiting its turn behind other jobs, or being worked on
        with transaction.atomic():
            if ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
                enqueued_at=now
            ):
                _enqueue(job_id)
                enqueued.append(str(job_id))
    if enqueued:
        logger.warning("re-sent %d queued exports whose message was lost", len(enqueued))
    return enqueued


def purge_expired_exports(now: datetime | None = None) -> int:
    """Delete files past ``EXPORT_TTL`` and mark their jobs expired. Returns how many."""
    now = now or timezone.now()
    storage.clean_local_temp()  # the sweep does it too; here for a beat without sweeps
    try:
        storage.abort_stale_uploads()  # a bucket's half uploads (docs/reliability.md)
    except OSError:
        logger.warning("could not abort unfinished uploads of export files", exc_info=True)
    count = 0
    for job in ExportJob.objects.due_for_expiry(now).select_related("tenant", "operator"):
        storage.delete_job_files(job.pk)
        with transaction.atomic():
            if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.SUCCEEDED).update(
                status=ExportStatus.EXPIRED
            ):
                record_event(
                    AuditAction.EXPORT_EXPIRED,
                    actor=None,
                    tenant=job.tenant,
                    operator=job.operator,
                    target=job,
                    target_label=f"for {job.operator.name}",
                    job=str(job.id),
                )
                count += 1
    return count
