"""Retention of call records: each tenant's period, and the purge that deletes on it.

The period is ``portal.retention_policy.call_record_retention_days(tenant)`` — the same number
the notice states. The purge (beat, hourly: ``privacy.tasks.purge_expired_call_records``) deletes
a tenant's call records whose ``invite_time`` is older than the period, oldest first, in batches
of ``RETENTION_BATCH_ROWS`` (5,000): the next keys by index order (keyset, never OFFSET), then
one ``DELETE … WHERE id IN (…)`` in its own short transaction: row locks are held for one batch only, ingest and exports never
wait long, and autovacuum reclaims the dead rows as it goes (docs/privacy.md "Retention").

**The purge waits for files.** A record inside an export file the operator can still download
(``succeeded``), or inside the time range of an export being made (``queued``, ``running``),
is kept until that file expires (``EXPORT_TTL``, 7 days by default): the file's rows, the
access report and an erasure must keep meaning the same thing as the database. The records
are then deleted by the next run. Which ranges a file covers is read again before every batch.

**Monthly partitions** (PostgreSQL, ``portal.partitions``): before the per-tenant batches,
``drop_expired_partitions`` detaches (``DETACH PARTITION … CONCURRENTLY``: readers and writers go
on) and drops each month wholly past *every* tenant's cut-off that no export holds, subtracting
its rows from the day rollup in the drop's transaction; each tenant's rows dropped are counted in
that tenant's purge (its audit event says ``deleted`` as before). The month straddling a cut-off
is deleted in batches as before. A detach cannot run inside a transaction: called inside one
(tests, a caller's ``atomic``), the purge deletes everything in batches, with the same result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from exports.choices import Dataset, ExportStatus
from exports.models import ExportJob
from portal import partitions
from portal.choices import AuditAction
from portal.errors import DomainError
from portal.models import CallRecord, Tenant, User
from portal.retention_policy import MAX_DAYS, MIN_DAYS, call_record_retention_days
from portal.services.audit import record_event

HOLDING_STATUSES = (ExportStatus.SUCCEEDED, ExportStatus.QUEUED, ExportStatus.RUNNING)
LOCK_KEY = "privacy:retention-purge"
LOCK_SECONDS = 3600


@dataclass
class PurgeResult:
    tenant: Tenant
    cutoff: datetime
    days: int
    deleted: int = 0
    held: int = 0
    batches: int = 0
    longest_batch_ms: float = 0.0
    seconds: float = 0.0
    held_by: list[str] = field(default_factory=list)


def retention_cutoff(tenant: Tenant, now: datetime | None = None) -> datetime:
    """Call records invited before this moment are past the tenant's retention."""
    return (now or timezone.now()) - timedelta(days=call_record_retention_days(tenant))


def held_ranges(tenant: Tenant, cutoff: datetime) -> tuple[Q, list[str]]:
    """(rows in a file still downloadable or being made, the ids of those exports)."""
    held = Q(pk__in=[])
    ids = []
    jobs = ExportJob.objects.filter(tenant=tenant, status__in=HOLDING_STATUSES, start__lt=cutoff)
    for job_id, operator_id, start, end, datasets in jobs.values_list(
        "id", "operator_id", "start", "end", "datasets"
    ):
        if Dataset.CALL_RECORDS.value in datasets:
            held |= Q(operator_id=operator_id, invite_time__gte=start, invite_time__lt=end)
            ids.append(str(job_id))
    return held, ids


def _held_partition(part: partitions.Partition) -> bool:
    """Does a file still downloadable or being made (any tenant) cover part of this month?"""
    jobs = ExportJob.objects.filter(status__in=HOLDING_STATUSES)
    if part.end is not None:
        jobs = jobs.filter(start__lt=part.end)
    if part.start is not None:
        jobs = jobs.filter(end__gt=part.start)
    return any(Dataset.CALL_RECORDS.value in d for d in jobs.values_list("datasets", flat=True))


# The rollup triggers' subtraction (migration 0017), over a detached month: DROP fires no trigger.
SUBTRACT = """
WITH g AS (
  SELECT tenant_id, operator_id, tenant_country AS country,
         (invite_time AT TIME ZONE 'UTC')::date AS day, count(*) AS n
  FROM {table} GROUP BY 1, 2, 3, 4
), subtracted AS (
  INSERT INTO portal_calldaycount AS r (tenant_id, operator_id, country, day, calls)
  SELECT tenant_id, operator_id, country, day, -n FROM g ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant_id, operator_id, day, country) DO UPDATE SET calls = r.calls + EXCLUDED.calls
)
SELECT tenant_id, sum(n)::bigint FROM g GROUP BY tenant_id
"""


@dataclass
class DroppedMonth:
    name: str
    rows_by_tenant: dict[int, int]
    detach_ms: float
    drop_ms: float


def drop_expired_partitions(
    now: datetime | None = None, tenants: list[Tenant] | None = None
) -> list[DroppedMonth]:
    """Detach and drop every monthly partition wholly past every tenant's retention cut-off
    that no export holds (PostgreSQL, outside a transaction; otherwise nothing)."""
    if connection.in_atomic_block or not partitions.is_partitioned():
        return []
    tenants = list(Tenant.objects.all()) if tenants is None else tenants
    if not tenants:
        return []
    cutoff = min(retention_cutoff(t, now) for t in tenants)
    done = []
    leftovers = [partitions.Partition(name, None, None) for name in partitions.detached_leftovers()]
    for part in [*partitions.expired(cutoff), *leftovers]:
        attached = part not in leftovers
        if attached and _held_partition(part):
            continue
        t0 = time.monotonic()
        if attached:
            partitions.detach(part.name)
        t1 = time.monotonic()
        rows: dict[int, int] = {}
        with transaction.atomic(), connection.cursor() as cur:
            if attached and _held_partition(part):
                # An export asked for it while it was being detached: put it back, drop nothing.
                cur.execute(
                    f"ALTER TABLE {partitions.TABLE} ATTACH PARTITION {part.name} "  # noqa: S608
                    f"FOR VALUES FROM ({_bound(part.start, 'MINVALUE')}) "
                    f"TO ({_bound(part.end, 'MAXVALUE')})"
                )
                continue
            cur.execute(SUBTRACT.format(table=part.name))  # noqa: S608
            for tenant_id, calls in cur.fetchall():
                rows[tenant_id] = rows.get(tenant_id, 0) + calls
            cur.execute(f"DROP TABLE {part.name}")
        done.append(DroppedMonth(part.name, rows, (t1 - t0) * 1000, (time.monotonic() - t1) * 1000))
    return done


def _bound(moment: datetime | None, unbounded: str) -> str:
    return unbounded if moment is None else f"'{moment.isoformat()}'"


def purge_tenant_call_records(
    tenant: Tenant,
    *,
    now: datetime | None = None,
    batch_rows: int | None = None,
    on_batch: Callable[[int, float], None] | None = None,
    dropped: int = 0,
) -> PurgeResult:
    """Delete the tenant's call records past retention, in batches; one audit event if any
    were due. ``on_batch(rows, seconds)`` is told about each batch (the benchmark).
    ``dropped``: the tenant's rows already gone with whole months (``drop_expired_partitions``)."""
    batch_rows = batch_rows or settings.RETENTION_BATCH_ROWS
    cutoff = retention_cutoff(tenant, now)
    result = PurgeResult(tenant, cutoff, call_record_retention_days(tenant), deleted=dropped)
    started = time.monotonic()
    expired = CallRecord.objects.filter(tenant=tenant, invite_time__lt=cutoff)
    last = None
    while True:
        held, _ = held_ranges(tenant, cutoff)
        due = expired.exclude(held)
        if last is not None:
            # Keyset: start after the last batch, so no batch walks over the index entries of
            # rows already deleted (dead until vacuumed) — each batch costs the same.
            due = due.filter(Q(invite_time__gt=last[0]) | Q(invite_time=last[0], id__gt=last[1]))
        keys = list(due.order_by("invite_time", "id").values_list("invite_time", "id")[:batch_rows])
        if not keys:
            break
        last = keys[-1]
        t0 = time.monotonic()
        with transaction.atomic():
            # Ranges read again inside the transaction: an export requested since the SELECT
            # above holds its rows too.
            held, result.held_by = held_ranges(tenant, cutoff)
            count, _ = (
                CallRecord.objects.filter(pk__in=[pk for _, pk in keys]).exclude(held).delete()
            )
        took = time.monotonic() - t0
        result.deleted += count
        result.batches += 1
        result.longest_batch_ms = max(result.longest_batch_ms, took * 1000)
        if on_batch:
            on_batch(count, took)
        if len(keys) < batch_rows:
            break
    result.seconds = time.monotonic() - started
    result.held = expired.count()
    if result.deleted or result.held:
        record_event(
            AuditAction.PRIVACY_RETENTION_PURGED,
            actor=None,
            tenant=tenant,
            target_label=f"older than {result.days} days",
            summary=f"{result.deleted} deleted, {result.held} kept for export files",
            deleted=result.deleted,
            held=result.held,
            held_by_exports=result.held_by,
            retention_days=result.days,
            cutoff=cutoff.isoformat(),
            batches=result.batches,
        )
    return result


def purge_expired_call_records(now: datetime | None = None) -> list[PurgeResult]:
    """Every tenant's purge; one run at a time across workers (a cache lock)."""
    if not cache.add(LOCK_KEY, "1", LOCK_SECONDS):
        return []
    try:
        tenants = list(Tenant.objects.order_by("pk"))
        dropped: dict[int, int] = {}
        for month in drop_expired_partitions(now, tenants):
            for tenant_id, rows in month.rows_by_tenant.items():
                dropped[tenant_id] = dropped.get(tenant_id, 0) + rows
        return [
            purge_tenant_call_records(tenant, now=now, dropped=dropped.get(tenant.pk, 0))
            for tenant in tenants
        ]
    finally:
        cache.delete(LOCK_KEY)


def set_retention(tenant: Tenant, days: int | None, *, by: User, ip: str | None = None) -> Tenant:
    """Set (or clear, with None) the tenant's call-record retention override, within limits.

    The notice states the period: a change makes the notice in force out of date until the
    tenant publishes a new version.
    """
    if days is not None and not MIN_DAYS <= days <= MAX_DAYS:
        raise DomainError(
            f"Choose between {MIN_DAYS} and {MAX_DAYS} days.", code="invalid", field="days"
        )
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = call_record_retention_days(tenant)
        tenant.call_record_retention_days = days
        tenant.save(update_fields=["call_record_retention_days"])
        record_event(
            AuditAction.PRIVACY_RETENTION_CHANGED,
            actor=by,
            tenant=tenant,
            ip=ip,
            target_label=f"to {call_record_retention_days(tenant)} days",
            summary=f"was {before} days",
            before=before,
            after=call_record_retention_days(tenant),
            override=days,
        )
    return tenant
