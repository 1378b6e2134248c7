"""Monthly call-record partitions (issue 17, items 1 and 6; docs/scaling.md).

Created ahead by beat and on demand by every writer, idempotently and under concurrency; no
DEFAULT partition takes a stray row; ingest across a month boundary and into a new month (both
engines); retention detaches and drops a month wholly past every tenant's cut-off and deletes in
batches at the edge, the rollup and the audit events as before.
"""

from __future__ import annotations

import io
import threading
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction

from exports.choices import ExportStatus
from portal import partitions, rollups
from portal.choices import AuditAction
from portal.ingest import partitioned
from portal.ingest.service import _bulk
from portal.ingest.specs import KINDS
from portal.models import AuditEvent, CallDayCount, CallRecord
from portal.tasks import create_call_record_partitions
from privacy import retention
from tests.exports.conftest import make_job
from tests.factories import CallRecordFactory
from tests.ingest.conftest import call_row, csv_bytes, run


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _names() -> set[str]:
    return {p.name for p in partitions.partitions()}


def _partition_of(record_id) -> str:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tableoid::regclass::text FROM portal_callrecord WHERE id = %s", [record_id]
        )
        return cur.fetchone()[0]


def _exists(name: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cur.fetchone()[0]


# --- creation ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_beat_creates_this_month_and_the_months_ahead_once(settings):
    settings.CALL_RECORD_PARTITIONS_AHEAD = 9
    now = partitions.month_start(datetime.now(UTC))
    wanted = {partitions.partition_name(partitions.add_months(now, i)) for i in range(10)}
    before = _names()  # 0018 made this month and 3 ahead (a reused database may hold more)
    assert not wanted <= before
    created = create_call_record_partitions()
    assert set(created) == wanted - before
    assert wanted <= _names()
    assert create_call_record_partitions() == []  # idempotent
    by_name = {p.name: p for p in partitions.partitions()}
    far = by_name[partitions.partition_name(partitions.add_months(now, 9))]
    assert (far.start, far.end) == (partitions.add_months(now, 9), partitions.add_months(now, 10))


@pytest.mark.django_db
def test_the_list_indexes_are_valid_and_on_every_month_created_before_or_after_0019(world):
    CallRecordFactory(tenant=world.tenant_a, invite_time=utc(2034, 2, 3))  # a new month
    wanted = {"call_window_idx", "call_operator_window_idx"}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, x.indisvalid FROM pg_index x JOIN pg_class c ON c.oid = "
            "x.indexrelid WHERE x.indrelid = 'portal_callrecord'::regclass"
        )
        parent = dict(cur.fetchall())
        assert {name: parent.get(name) for name in wanted} == dict.fromkeys(wanted, True)
        assert not {"call_tenant_time_idx", "call_scope_idx"} & parent.keys()  # replaced
        cur.execute(
            "SELECT p.relname, count(*) FROM pg_inherits i "
            "JOIN pg_class pi ON pi.oid = i.inhparent JOIN pg_index x ON x.indexrelid = i.inhrelid "
            "JOIN pg_class p ON p.oid = x.indrelid WHERE pi.relname = ANY(%s) AND x.indisvalid "
            "GROUP BY p.relname",
            [sorted(wanted)],
        )
        attached = dict(cur.fetchall())
    assert "portal_callrecord_p2034_02" in attached
    assert attached == dict.fromkeys(_names(), 2)


@pytest.mark.django_db
def test_an_orm_write_creates_its_month_and_the_row_lands_in_it(world):
    assert not _exists("portal_callrecord_p2033_07")
    record = CallRecordFactory(tenant=world.tenant_a, invite_time=utc(2033, 7, 31, 23, 59, 59))
    assert _partition_of(record.id) == "portal_callrecord_p2033_07"
    later = CallRecordFactory(tenant=world.tenant_a, invite_time=utc(2033, 8, 1))
    assert _partition_of(later.id) == "portal_callrecord_p2033_08"
    # Moving a leg to another month (an UPDATE) creates that month too.
    CallRecord.objects.filter(pk=record.pk).update(
        invite_time=utc(2033, 10, 2), start_time=None, end_time=None
    )
    assert _partition_of(record.id) == "portal_callrecord_p2033_10"


@pytest.mark.django_db
def test_a_row_whose_month_has_no_partition_is_refused_not_dumped(world):
    with (
        pytest.raises(IntegrityError, match="no partition"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(
            "INSERT INTO portal_callrecord (id, tenant_id, operator_id, call_id, leg, "
            "call_type, direction, invite_time, tenant_country, duration_seconds, "
            "duration_source, success, final_sip_phrase, caller_number, callee_number, "
            "user_upn, user_display_name, destination_context, external_country, caller_os, "
            "callee_os, caller_platform, callee_platform, caller_connection_type, "
            "callee_connection_type, quality, is_emergency) VALUES (%s, %s, %s, 'x', 0, "
            "'user_out', 'outbound', '2041-03-03T00:00:00Z', 'GB', 0, 'microsoft', true, "
            "'', '', '', '', '', '', '', '', '', '', '', '', '', 'unclassified', false)",
            [uuid.uuid4(), world.tenant_a.pk, world.operator_o.pk],
        )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'portal_callrecord'::regclass AND c.relname ~ 'default'"
        )
        assert cur.fetchone()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_creators_of_the_same_month_make_it_once():
    month = utc(2037, 4, 1)
    with connection.cursor() as cur:  # committed by an earlier run of this test (--reuse-db)
        cur.execute("DROP TABLE IF EXISTS portal_callrecord_p2037_04")
    barrier = threading.Barrier(3)
    results, errors = [], []

    def create():
        try:
            barrier.wait(timeout=10)
            results.append(partitions.ensure_months([month]))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(map(len, results)) == [0, 0, 1]
    assert "portal_callrecord_p2037_04" in _names()


# --- ingest -----------------------------------------------------------------------------------


def _row(n: int, when: str, **over) -> dict:
    values = {"id": str(uuid.UUID(int=n)), "call_id": f"call-{n}", "invite_time": when}
    return call_row(**{**values, "start_time": "", "end_time": "", **over})


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ["postgresql", "portable"])
def test_ingest_across_a_month_boundary_into_new_months(world, engine):
    rows = [
        _row(1, "2035-01-31T23:59:59.999Z"),
        _row(2, "2035-02-01T00:00:00Z"),
        _row(3, "2035-03-15T12:00:00+05:00", tenant_country="DE"),
    ]
    assert not {"portal_callrecord_p2035_01", "portal_callrecord_p2035_02"} & _names()
    report = run("call-records", csv_bytes(rows), engine=engine)
    assert (report.ok, report.engine, report.inserted) == (True, engine, 3)
    assert [_partition_of(uuid.UUID(int=n)) for n in (1, 2, 3)] == [
        "portal_callrecord_p2035_01",
        "portal_callrecord_p2035_02",
        "portal_callrecord_p2035_03",
    ]
    rollup = Counter(
        {
            (r.day, r.country): r.calls
            for r in CallDayCount.objects.filter(tenant=world.tenant_a)
            if r.calls
        }
    )
    assert rollup == Counter(
        {(date(2035, 1, 31), "GB"): 1, (date(2035, 2, 1), "GB"): 1, (date(2035, 3, 15), "DE"): 1}
    )
    # A corrected file moves leg 1 into the next month: the row moves partition, no duplicate.
    rows[0] = _row(1, "2035-04-01T08:00:00Z")
    assert run("call-records", csv_bytes(rows), engine=engine).updated == 1
    assert _partition_of(uuid.UUID(int=1)) == "portal_callrecord_p2035_04"
    assert CallRecord.objects.filter(tenant=world.tenant_a).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ["postgresql", "portable"])
def test_ingest_refuses_an_id_or_a_leg_stored_in_another_month(world, engine):
    """The keys hold the call time; the ingest keeps a leg's id and (tenant, call_id, leg)
    unique across every month, as the single table's keys did."""
    assert run("call-records", csv_bytes([_row(1, "2035-05-10T10:00:00Z")])).inserted == 1
    # The same leg under a new id, a month later.
    other_id = _row(2, "2035-06-10T10:00:00Z", call_id="call-1")
    report = run("call-records", csv_bytes([other_id]), engine=engine)
    assert not report.ok and report.rejects[0].field == "call_id", report.rejects
    # Two rows of one id in two months of one file.
    twice = [_row(7, "2035-05-11T10:00:00Z"), _row(7, "2035-07-11T10:00:00Z", call_id="c-8")]
    report = run("call-records", csv_bytes(twice), engine=engine)
    assert not report.ok and report.rejects[0].field == "id", report.rejects
    assert CallRecord.objects.filter(tenant=world.tenant_a).count() == 1


def _stored(n: int, when: str, **over) -> CallRecord:
    return CallRecordFactory(
        id=uuid.UUID(int=n),
        call_id=over.pop("call_id", f"call-{n}"),
        invite_time=datetime.fromisoformat(when),
        start_time=None,
        end_time=None,
        **over,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ["postgresql", "portable"])
def test_ingest_updates_legs_stored_under_their_own_ids_in_other_months(world, engine):
    """A stored row of the file's own id is no conflict, whatever its month or leg: the bulk path
    finds it among every month's keys and rewrites it; the new rows go in beside it."""
    a, o = world.tenant_a, world.operator_o
    _stored(1, "2035-05-10T10:00:00+00:00", tenant=a, operator=o, duration_seconds=5)
    _stored(2, "2035-06-10T10:00:00+00:00", tenant=a, operator=o)
    rows = [
        _row(1, "2035-05-10T10:00:00Z", duration_seconds="61"),  # same leg, same month
        _row(2, "2035-07-01T00:00:00Z", call_id="call-2b"),  # another leg, another month
        _row(3, "2035-06-30T23:59:59Z"),  # new, next to the stored ones
    ]
    report = run("call-records", csv_bytes(rows), engine=engine)
    assert (report.ok, report.engine) == (True, engine), report.rejects
    assert (report.inserted, report.updated) == (1, 2)
    assert CallRecord.objects.get(pk=uuid.UUID(int=1)).duration_seconds == 61
    assert _partition_of(uuid.UUID(int=2)) == "portal_callrecord_p2035_07"
    assert CallRecord.objects.get(pk=uuid.UUID(int=2)).call_id == "call-2b"
    assert Counter(
        {(r.day, r.country): r.calls for r in CallDayCount.objects.filter(tenant=a) if r.calls}
    ) == Counter(
        {(date(2035, 5, 10), "GB"): 1, (date(2035, 6, 30), "GB"): 1, (date(2035, 7, 1), "GB"): 1}
    )
    # The same file again: every key is stored under its own id; nothing is rewritten.
    again = run("call-records", csv_bytes(rows), engine=engine)
    assert (again.ok, again.inserted, again.updated, again.unchanged) == (True, 0, 0, 3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("other_when", "row_when"),
    [
        # the other id's leg at the very call time of the file row's own stored row
        ("2035-05-10T10:00:00+00:00", "2035-05-10T10:00:00Z"),
        # the other id's leg in the month the file row moves to
        ("2035-06-10T10:00:00+00:00", "2035-06-10T10:00:00Z"),
    ],
)
@pytest.mark.parametrize("engine", ["postgresql", "portable"])
def test_a_stored_id_cannot_take_the_leg_of_another_stored_id(world, engine, other_when, row_when):
    a, o = world.tenant_a, world.operator_o
    _stored(1, "2035-05-10T10:00:00+00:00", tenant=a, operator=o)
    _stored(2, other_when, tenant=a, operator=o)
    report = run("call-records", csv_bytes([_row(1, row_when, call_id="call-2")]), engine=engine)
    assert not report.ok and report.rejects[0].field == "call_id", report.rejects
    assert CallRecord.objects.get(pk=uuid.UUID(int=1)).call_id == "call-1"


@pytest.mark.django_db
def test_an_id_stored_in_two_months_is_left_to_the_row_by_row_check(world):
    """Only an unchecked ORM write stores one id twice; the bulk path does not decide it."""
    a, o = world.tenant_a, world.operator_o
    _stored(1, "2035-05-10T10:00:00+00:00", tenant=a, operator=o)
    _stored(1, "2035-06-10T10:00:00+00:00", tenant=a, operator=o, call_id="call-1b")
    data = io.BytesIO(csv_bytes([_row(1, "2035-05-10T10:00:00Z")]))
    # None: the bulk path hands the file to the row-by-row check.
    assert _bulk(KINDS["call-records"], data, "csv", datetime.now(UTC), 1 << 20) is None


@pytest.mark.django_db
def test_the_key_lookup_s_planner_settings_last_for_its_statement_only():
    query = "SELECT current_setting('enable_hashjoin'), current_setting('work_mem')"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(query)
        before = cur.fetchone()
        with partitioned.planner(cur, enable_hashjoin="off", work_mem="77MB"):
            cur.execute(query)
            assert cur.fetchone() == ("off", "77MB")
        cur.execute(query)
        assert cur.fetchone() == before


# --- retention --------------------------------------------------------------------------------

NOW = utc(2037, 6, 1, 12)


def _stored_rollup(tenant) -> Counter:
    return Counter(
        {
            (r.operator_id, r.country, r.day): r.calls
            for r in CallDayCount.objects.filter(tenant=tenant)
            if r.calls
        }
    )


@pytest.mark.django_db(transaction=True)
def test_retention_drops_a_month_past_every_cutoff_and_deletes_the_edge_in_batches(world, settings):
    settings.RETENTION_BATCH_ROWS = 2
    a, b, o = world.tenant_a, world.tenant_b, world.operator_o
    retention.set_retention(a, 730, by=world.alice)  # the longest: its cut-off decides
    a.refresh_from_db()
    cutoff = retention.retention_cutoff(a, NOW)  # 2035-06-02 12:00
    old = [utc(2035, 3, d, 9) for d in (1, 2, 3)]  # March 2035: past every cut-off
    edge = [cutoff - timedelta(days=1), cutoff - timedelta(hours=1), cutoff + timedelta(days=2)]
    for i, when in enumerate(old):
        CallRecordFactory(tenant=a if i else b, operator=o, call_id=f"old-{i}", invite_time=when)
    for i, when in enumerate(edge):
        CallRecordFactory(tenant=a, operator=o, call_id=f"edge-{i}", invite_time=when)
    assert "portal_callrecord_p2035_03" in _names()

    results = {r.tenant.slug: r for r in retention.purge_expired_call_records(now=NOW)}

    assert not _exists("portal_callrecord_p2035_03")  # detached and dropped, not emptied
    assert set(CallRecord.objects.values_list("call_id", flat=True)) == {"edge-2"}
    assert (results["contoso"].deleted, results["contoso"].batches) == (4, 1)  # 2 dropped + 2
    assert results["fabrikam"].deleted == 1
    events = AuditEvent.objects.filter(action=AuditAction.PRIVACY_RETENTION_PURGED)
    assert {(e.tenant.slug, e.details["deleted"], e.details["held"]) for e in events} == {
        ("contoso", 4, 0),
        ("fabrikam", 1, 0),
    }
    # The rollup lost the dropped month exactly (DROP fires no trigger).
    for tenant in (a, b):
        kept = _stored_rollup(tenant)
        days = {day for _, _, day in kept} | {date(2035, 3, d) for d in (1, 2, 3)}
        rollups.rebuild_days(tenant, days)
        assert _stored_rollup(tenant) == kept
    assert _stored_rollup(a) == Counter({(o.pk, "GB", edge[2].date()): 1})


@pytest.mark.django_db(transaction=True)
def test_a_month_inside_a_downloadable_file_is_kept_for_the_batches(world):
    a, o = world.tenant_a, world.operator_o
    CallRecordFactory(tenant=a, operator=o, call_id="held", invite_time=utc(2035, 3, 2))
    CallRecordFactory(tenant=a, operator=o, call_id="free", invite_time=utc(2035, 4, 2))
    job = make_job(a, o, world.oscar, start=utc(2035, 3, 1), end=utc(2035, 3, 10))
    job.status = ExportStatus.SUCCEEDED
    job.save(update_fields=["status"])

    dropped = retention.drop_expired_partitions(NOW)

    names = {m.name for m in dropped}
    assert "portal_callrecord_p2035_04" in names and "portal_callrecord_p2035_03" not in names
    assert set(CallRecord.objects.values_list("call_id", flat=True)) == {"held"}
    assert "portal_callrecord_p2035_03" in _names()
