"""The dashboard's figures from the day rollup equal a direct count (issue 17, items 3 and 6).

Hypothesis writes random call legs (inserted, moved in time or country, deleted — each kind of
statement the triggers see), draws random share windows that cut days anywhere and random months
in a random time zone, and compares ``portal.rollups.shared_calls`` with an oracle written here:
plain Python over every stored row. ``rebuild_days`` must agree with what the triggers kept.
"""

from __future__ import annotations

import io
import uuid
import zoneinfo
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import partitions, rollups
from portal.models import CallDayCount, CallRecord
from portal.sharing import ShareWindow
from tests.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

BASE = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 150 * 24 * 60  # five months
COUNTRIES = ["GB", "DE", "FR"]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]

minutes = st.integers(min_value=0, max_value=SPAN_MINUTES)
legs = st.lists(
    st.tuples(st.integers(0, 1), st.sampled_from(COUNTRIES), minutes, st.integers(0, 59)),
    min_size=0,
    max_size=40,
)
windows = st.lists(
    st.tuples(minutes, st.frozensets(st.sampled_from(COUNTRIES), min_size=1)),
    min_size=0,
    max_size=6,
)


def _at(minute: int, second: int = 0) -> datetime:
    return BASE + timedelta(minutes=minute, seconds=second)


def _windows(cuts, open_end: bool) -> list[ShareWindow]:
    """Non-overlapping windows (as ``share_windows`` returns): sorted cut points, paired up."""
    points = sorted({m for m, _ in cuts})
    countries = [c for _, c in cuts]
    out = []
    for i in range(0, len(points) - 1, 2):
        out.append(ShareWindow(_at(points[i], 17), _at(points[i + 1], 3), countries[i]))
    if open_end and len(points) % 2:
        out.append(ShareWindow(_at(points[-1], 29), None, countries[-1]))
    return out


def _months(zone: str) -> list[tuple[datetime, datetime]]:
    tz = zoneinfo.ZoneInfo(zone)
    starts = [datetime(2025, 12, 1, tzinfo=tz)] + [
        datetime(2026, m, 1, tzinfo=tz) for m in range(1, 8)
    ]
    return list(zip(starts, starts[1:], strict=False))


def oracle(tenant, operator, wins, spans) -> list[int]:
    """Shareable legs per span, straight from the definition: every stored row, one by one."""
    rows = CallRecord.objects.filter(tenant=tenant, operator=operator).values_list(
        "invite_time", "tenant_country"
    )
    totals = []
    for start, end in spans:
        totals.append(
            sum(
                1
                for t, country in rows
                if start <= t < end and any(w.contains(t) and country in w.countries for w in wins)
            )
        )
    return totals


def _copy(records: list[CallRecord]) -> None:
    """Write like the ingest and the seeders do: COPY (the triggers see it as one statement)."""
    columns = ["id", "tenant_id", "operator_id", "call_id", "leg", "call_type", "direction"]
    columns += ["invite_time", "tenant_country", "duration_seconds", "duration_source"]
    columns += ["success", "final_sip_phrase", "caller_number", "callee_number", "user_upn"]
    columns += ["user_display_name", "destination_context", "external_country", "caller_os"]
    columns += ["callee_os", "caller_platform", "callee_platform", "caller_connection_type"]
    columns += ["callee_connection_type", "quality", "is_emergency"]
    partitions.ensure_for_times(r.invite_time for r in records)  # as the ingest does
    buf = io.StringIO()
    for r in records:
        values = [
            str(r.id), str(r.tenant_id), str(r.operator_id), r.call_id, "0", "user_out",
            "outbound", r.invite_time.isoformat(), r.tenant_country, "0", "microsoft", "t",
            "", "", "", "", "", "", "", "", "", "", "", "", "", "unclassified", "f",
        ]  # fmt: skip
        buf.write("\t".join(values) + "\n")
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY portal_callrecord ({', '.join(columns)}) FROM STDIN"  # noqa: S608
        ) as copy,
    ):
        copy.write(buf.getvalue())


def _stored_rollup(tenant) -> Counter:
    return Counter(
        {
            (r.operator_id, r.country, r.day): r.calls
            for r in CallDayCount.objects.filter(tenant=tenant)
            if r.calls
        }
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=st.lists(legs, min_size=1, max_size=3),
    moves=st.lists(st.tuples(st.integers(0, 200), minutes, st.sampled_from(COUNTRIES)), max_size=5),
    deletes=st.lists(st.integers(0, 200), max_size=5),
    cuts=windows,
    open_end=st.booleans(),
    zone=st.sampled_from(ZONES),
)
def test_rollup_figures_equal_a_direct_count(world, batches, moves, deletes, cuts, open_end, zone):
    tenant, operators = world.tenant_a, [world.operator_o, world.operator_u]
    with transaction.atomic():
        for n, batch in enumerate(batches):
            records = [
                CallRecord(
                    id=uuid.uuid4(),
                    tenant_id=tenant.pk,
                    operator_id=operators[o].pk,
                    call_id=f"c{n}-{i}-{uuid.uuid4().hex[:8]}",
                    invite_time=_at(m, s),
                    tenant_country=country,
                )  # fmt: skip
                for i, (o, country, m, s) in enumerate(batch)
            ]
            if n % 2:
                _copy(records)
            else:
                by_pk = {o.pk: o for o in operators}
                for r in records:
                    CallRecordFactory(
                        id=r.id, tenant=tenant, operator=by_pk[r.operator_id], call_id=r.call_id,
                        invite_time=r.invite_time, tenant_country=r.tenant_country,
                    )  # fmt: skip
        ids = list(CallRecord.objects.filter(tenant=tenant).order_by("id").values_list("pk"))
        if ids:
            for k, m, country in moves:  # an ingest that corrects a leg: an UPDATE statement
                CallRecord.objects.filter(pk=ids[k % len(ids)][0]).update(
                    invite_time=_at(m), tenant_country=country, start_time=None, end_time=None
                )
            doomed = [ids[k % len(ids)][0] for k in deletes]  # a retention delete
            CallRecord.objects.filter(pk__in=doomed).delete()

        wins = _windows(cuts, open_end)
        spans = _months(zone)
        for operator in operators:
            expected = oracle(tenant, operator, wins, spans)
            assert rollups.shared_calls(tenant, operator, wins, spans) == expected

        # The triggers kept exactly what a rebuild from the base table computes.
        kept = _stored_rollup(tenant)
        days = {day for _, _, day in kept} | {
            t.astimezone(UTC).date()
            for t in CallRecord.objects.filter(tenant=tenant).values_list("invite_time", flat=True)
        }
        rollups.rebuild_days(tenant, days)
        assert _stored_rollup(tenant) == kept
        transaction.set_rollback(True)


def test_rebuild_days_repairs_a_day_written_without_triggers(world):
    day = datetime(2026, 3, 4, 10, tzinfo=UTC)
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, invite_time=day)
    CallDayCount.objects.filter(tenant=world.tenant_a).delete()  # as if written around them
    rollups.rebuild_days(world.tenant_a, [day.date()])
    (row,) = CallDayCount.objects.filter(tenant=world.tenant_a)
    assert (row.operator_id, row.country, row.day, row.calls) == (
        world.operator_o.pk,
        "GB",
        day.date(),
        1,
    )


def test_the_dashboard_reads_whole_days_from_the_rollup(world):
    """Six UTC months and one window from a midnight: no base-table count at all."""
    spans = _months("UTC")[1:7]
    wins = [ShareWindow(datetime(2025, 6, 1, tzinfo=UTC), None, frozenset({"GB"}))]
    CallRecordFactory(
        tenant=world.tenant_a,
        operator=world.operator_o,
        invite_time=datetime(2026, 2, 3, tzinfo=UTC),
    )
    with CaptureQueriesContext(connection) as captured:
        figures = rollups.shared_calls(world.tenant_a, world.operator_o, wins, spans)
    assert figures == [0, 1, 0, 0, 0, 0]
    assert [q["sql"] for q in captured if "portal_callrecord" in q["sql"]] == []
    assert len(captured) == 1


@pytest.mark.parametrize("engine", ["postgresql", "portable"])
def test_the_ingest_keeps_the_rollup_in_its_transaction(world, engine):
    from tests.ingest.conftest import call_row, csv_bytes, run

    def row(n: int, when: str, country: str = "GB") -> dict:
        return call_row(
            id=str(uuid.UUID(int=n)), call_id=f"call-{n}", invite_time=when,
            start_time="", end_time="", tenant_country=country,
        )  # fmt: skip

    first = [row(1, "2024-05-01T10:00:00Z"), row(2, "2024-05-01T23:59:59Z")]
    first.append(row(3, "2024-05-02T00:00:00Z", "DE"))
    assert run("call-records", csv_bytes(first), engine=engine).inserted == 3
    tenant, op = world.tenant_a, world.operator_o.pk
    may = {
        (op, "GB", datetime(2024, 5, 1).date()): 2,
        (op, "DE", datetime(2024, 5, 2).date()): 1,
    }
    assert _stored_rollup(tenant) == Counter(may)
    # A corrected file moves leg 2 to the next day: the old day loses it, the new day gains it.
    first[1] = row(2, "2024-05-02T08:00:00Z")
    assert run("call-records", csv_bytes(first), engine=engine).updated == 1
    may[(op, "GB", datetime(2024, 5, 1).date())] = 1
    may[(op, "GB", datetime(2024, 5, 2).date())] = 1
    assert _stored_rollup(tenant) == Counter(may)
    # A refused file writes nothing, rollup included.
    bad = [*first, row(4, "2024-05-03T00:00:00Z", "XX")]
    assert run("call-records", csv_bytes(bad), engine=engine).inserted == 0
    assert _stored_rollup(tenant) == Counter(may)
