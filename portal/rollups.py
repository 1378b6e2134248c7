# ruff: noqa: S608 - SQL text names our own tables and columns; values travel as parameters.
"""Call counts per tenant × operator × country × UTC day, and exact figures read from them.

The tenant dashboard shows, per operator, the call legs shareable with it month by month. A
count over the base table reads every row of six months; the rollup (``CallDayCount``) holds one
row per tenant, operator, tenant-side country and UTC day. The share windows
(``portal.sharing``) and the months (in the user's time zone) cut days at arbitrary instants, so
each [start, end) to count is split into whole UTC days, summed from the rollup, and at most two
partial days at its ends, counted from the base table through the (tenant, operator,
invite_time, id) index. The figures equal a direct count exactly (tests/scale/test_rollups.py).

Maintenance: on PostgreSQL, statement-level triggers on ``portal_callrecord`` (migration 0017; on the partitioned parent since 0018)
add and subtract each statement's rows in its own transaction: ingest, seeding, retention
deletes and any later writer are covered without calling anything. ``rebuild_days`` recomputes
days from the base table: for SQLite (no triggers), or after a writer bypassed the triggers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from portal.models import CallDayCount, CallRecord
from portal.sharing import ShareWindow

if TYPE_CHECKING:
    from portal.models import Operator, Tenant


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def rebuild_days(tenant: Tenant | int, days: Iterable[date]) -> None:
    """Recompute the rollup of ``tenant`` for ``days`` (UTC) from the base table.

    Idempotent; runs in the caller's transaction (or its own). Call it after writing call
    records where the triggers do not run: SQLite, or a load with triggers disabled."""
    tenant_id = _pk(tenant)
    days = sorted(set(days))
    if not days:
        return
    with transaction.atomic():
        CallDayCount.objects.filter(tenant_id=tenant_id, day__in=days).delete()
        rows = (
            CallRecord.objects.filter(tenant_id=tenant_id)
            .filter(
                _or(
                    Q(invite_time__gte=_midnight(d), invite_time__lt=_midnight(d + timedelta(1)))
                    for d in days
                )
            )
            .annotate(day=TruncDate("invite_time", tzinfo=UTC))
            .values("operator_id", "tenant_country", "day")
            .annotate(n=Count("id"))
            .order_by()
        )
        CallDayCount.objects.bulk_create(
            CallDayCount(
                tenant_id=tenant_id,
                operator_id=r["operator_id"],
                country=r["tenant_country"],
                day=r["day"],
                calls=r["n"],
            )
            for r in rows
        )


def rebuild_all() -> None:
    """Recompute the whole rollup from the base table (the migration's backfill)."""
    with transaction.atomic():
        CallDayCount.objects.all().delete()
        with connection.cursor() as cur:
            cur.execute(BACKFILL_SQL if connection.vendor == "postgresql" else PORTABLE_BACKFILL)


BACKFILL_SQL = """
    INSERT INTO portal_calldaycount (tenant_id, operator_id, country, day, calls)
    SELECT tenant_id, operator_id, tenant_country, (invite_time AT TIME ZONE 'UTC')::date,
           count(*)
    FROM portal_callrecord GROUP BY 1, 2, 3, 4
"""
PORTABLE_BACKFILL = """
    INSERT INTO portal_calldaycount (tenant_id, operator_id, country, day, calls)
    SELECT tenant_id, operator_id, tenant_country, date(invite_time), count(*)
    FROM portal_callrecord GROUP BY 1, 2, 3, 4
"""


def _or(parts: Iterable[Q]) -> Q:
    out = Q()
    for part in parts:
        out |= part
    return out


def shared_calls(
    tenant: Tenant | int,
    operator: Operator | int,
    windows: list[ShareWindow],
    spans: list[tuple[datetime, datetime]],
) -> list[int]:
    """Call legs of ``operator`` at ``tenant`` shareable per span [start, end) of ``spans``:
    inside a share window, in its countries (I2). Exact: whole UTC days from the rollup, the
    days a window or span boundary cuts from the base table. Two queries, whatever the spans."""
    tenant_id, operator_id = _pk(tenant), _pk(operator)
    whole: dict[str, Q] = {}
    partial: dict[str, Q] = {}
    owner: dict[str, int] = {}
    for i, (start, end) in enumerate(spans):
        for j, window in enumerate(windows):
            piece = window.clip(start, end)
            if piece is None or piece.end is None:
                continue
            countries = sorted(piece.countries)
            lo, hi = piece.start, piece.end
            first = _day_of(lo) if lo == _midnight(_day_of(lo)) else _day_of(lo) + timedelta(1)
            last = _day_of(hi)  # whole days are [first, last)
            key = f"s{i}w{j}"
            if first >= last:
                partial[key + "a"] = Q(invite_time__gte=lo, invite_time__lt=hi)
                owner[key + "a"] = i
            else:
                whole[key] = Q(day__gte=first, day__lt=last)
                owner[key] = i
                if lo < _midnight(first):
                    partial[key + "h"] = Q(invite_time__gte=lo, invite_time__lt=_midnight(first))
                    owner[key + "h"] = i
                if _midnight(last) < hi:
                    partial[key + "t"] = Q(invite_time__gte=_midnight(last), invite_time__lt=hi)
                    owner[key + "t"] = i
            for name in [k for k in (key, key + "a", key + "h", key + "t") if k in owner]:
                if name in whole:
                    whole[name] &= Q(country__in=countries)
                elif name in partial:
                    partial[name] &= Q(tenant_country__in=countries)
    totals = [0] * len(spans)
    if whole:
        sums = CallDayCount.objects.filter(tenant_id=tenant_id, operator_id=operator_id).aggregate(
            **{name: Sum("calls", filter=q) for name, q in whole.items()}
        )
        for name, n in sums.items():
            totals[owner[name]] += n or 0
    if partial:
        counts = (
            CallRecord.objects.filter(tenant_id=tenant_id, operator_id=operator_id)
            .filter(_or(partial.values()))
            .aggregate(**{name: Count("id", filter=q) for name, q in partial.items()})
        )
        for name, n in counts.items():
            totals[owner[name]] += n or 0
    return totals
