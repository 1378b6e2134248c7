"""A large batch of new call records goes in with the table's indexes and keys rebuilt.

The thresholds are lowered so that small files take that path. What must hold: the same rows
as the ordinary path, the very same index and constraint definitions afterwards (and still
enforced), rejects as precise as ever, and no rebuild when the table is busy or the batch small.
"""

import uuid

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from portal.ingest import rebuild
from portal.ingest.report import Reject
from portal.models import CallRecord
from tests.factories import CallRecordFactory
from tests.ingest.conftest import call_row, csv_bytes, run

TABLE = CallRecord._meta.db_table


@pytest.fixture
def rebuild_small_batches(settings):
    settings.INGEST_REBUILD_MIN_ROWS = 1
    settings.INGEST_REBUILD_LOCK_TIMEOUT = 0.2
    # The fixtures' own rows leave deferred foreign-key checks pending in the test's
    # transaction, and PostgreSQL refuses DDL on a table with pending checks. Run them now.
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # The table's row estimate outlives a test's rollback (ANALYZE writes it in place):
        # start every test from an empty table's.
        cur.execute(f"ANALYZE {TABLE}")


def index_oids() -> set[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT indexrelid::int FROM pg_index WHERE indrelid = %s::regclass", [TABLE])
        return {oid for (oid,) in cur.fetchall()}


def definitions() -> set[str]:
    """Every index and key of the table, as the catalog prints it."""
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
        indexes = {row[0] for row in cur.fetchall()}
        cur.execute(
            "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass",
            [TABLE],
        )
        return indexes | {row[0] for row in cur.fetchall()}


def rows(n: int, **overrides) -> list[dict]:
    return [
        call_row(id=str(uuid.UUID(int=i + 1, version=4)), call_id=f"call-{i:04d}", **overrides)
        for i in range(n)
    ]


def test_a_large_batch_rebuilds_the_indexes_and_keeps_every_definition(
    world, rebuild_small_batches
):
    before_oids, before = index_oids(), definitions()
    report = run("call-records", csv_bytes(rows(30)), "csv", "postgresql")
    assert (report.ok, report.engine, report.inserted) == (True, "postgresql", 30)
    assert CallRecord.objects.filter(tenant=world.tenant_a).count() == 30
    after_oids = index_oids()
    assert after_oids and not after_oids & before_oids  # every index was built anew
    assert definitions() == before


def test_the_rebuilt_keys_are_enforced(world, rebuild_small_batches):
    before = index_oids()
    run("call-records", csv_bytes(rows(5)), "csv", "postgresql")
    assert not index_oids() & before
    stored = CallRecord.objects.filter(tenant=world.tenant_a).first()
    # The database keys hold the call time (monthly partitions: docs/scaling.md); the same leg
    # or id at another time is the ingest's to refuse (tests/scale/test_partitions.py).
    with pytest.raises(IntegrityError), transaction.atomic():
        CallRecordFactory(
            tenant=world.tenant_a, call_id=stored.call_id, leg=stored.leg,
            invite_time=stored.invite_time,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        CallRecordFactory(id=stored.id, tenant=world.tenant_b, invite_time=stored.invite_time)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("UPDATE portal_callrecord SET tenant_id = -1 WHERE id = %s", [stored.id])


def test_rows_equal_to_the_ordinary_path(world, settings):
    data = csv_bytes(rows(12))
    ordinary = run("call-records", data, "csv", "postgresql")
    # Every column but ingested_at (when each run stored the row: it differs by design).
    columns = [f.attname for f in CallRecord._meta.concrete_fields if f.name != "ingested_at"]
    expected = list(CallRecord.objects.order_by("id").values(*columns))
    CallRecord.objects.all().delete()
    settings.INGEST_REBUILD_MIN_ROWS = 1
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f"ANALYZE {TABLE}")
    before = index_oids()
    rebuilt = run("call-records", data, "csv", "postgresql")
    assert rebuilt == ordinary
    assert not index_oids() & before
    assert list(CallRecord.objects.order_by("id").values(*columns)) == expected


def test_a_leg_stored_under_another_id_is_still_a_precise_reject(world, rebuild_small_batches):
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, call_id="call-0003", leg=0)
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the factory's checks are pending again
    before = definitions()
    report = run("call-records", csv_bytes(rows(6)), "csv", "postgresql")
    assert not report.ok
    assert report.rejects == [
        Reject(5, "call_id", "another call record already has this tenant, call_id and leg")
    ]
    assert CallRecord.objects.count() == 1
    assert definitions() == before


def test_a_key_repeated_in_the_file_is_still_a_precise_reject(world, rebuild_small_batches):
    batch = rows(4)
    batch[3]["id"] = batch[0]["id"]
    report = run("call-records", csv_bytes(batch), "csv", "postgresql")
    assert [(r.line, r.field) for r in report.rejects] == [(5, "id")]
    assert CallRecord.objects.count() == 0


def test_a_busy_table_takes_the_ordinary_path(world, rebuild_small_batches):
    """Another session reading call records: the ingest does not wait for it, nor block it."""
    before = index_oids()
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=False) as reader:
        reader.execute("SELECT count(*) FROM portal_callrecord").fetchone()  # holds ACCESS SHARE
        report = run("call-records", csv_bytes(rows(8)), "csv", "postgresql")
        reader.rollback()
    assert (report.ok, report.inserted) == (True, 8)
    assert index_oids() == before


def test_pending_foreign_key_checks_take_the_ordinary_path(world, settings):
    settings.INGEST_REBUILD_MIN_ROWS = 1
    CallRecordFactory(tenant=world.tenant_b)  # its deferred checks are pending until commit
    before = index_oids()
    assert run("call-records", csv_bytes(rows(8)), "csv", "postgresql").inserted == 8
    assert index_oids() == before


def test_a_small_batch_takes_the_ordinary_path(world, settings):
    settings.INGEST_REBUILD_MIN_ROWS = 9
    before = index_oids()
    assert run("call-records", csv_bytes(rows(8)), "csv", "postgresql").inserted == 8
    assert index_oids() == before


def test_a_batch_small_next_to_the_table_takes_the_ordinary_path(world, rebuild_small_batches):
    run("call-records", csv_bytes(rows(40)), "csv", "postgresql")
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {TABLE}")
    before = index_oids()
    more = [call_row(id=str(uuid.uuid4()), call_id=f"late-{i}") for i in range(5)]
    assert run("call-records", csv_bytes(more), "csv", "postgresql").inserted == 5
    assert index_oids() == before  # 5 new rows are less than a quarter of 45


def test_stored_and_new_rows_in_one_file(world, rebuild_small_batches):
    first = rows(3)
    run("call-records", csv_bytes(first), "csv", "postgresql")
    first[0]["user_display_name"] = "Renamed"
    second = first + rows(6)[3:]
    before = index_oids()
    report = run("call-records", csv_bytes(second), "csv", "postgresql")
    assert not index_oids() & before
    assert (report.inserted, report.updated, report.unchanged) == (3, 1, 2)
    assert CallRecord.objects.get(id=first[0]["id"]).user_display_name == "Renamed"


@pytest.mark.parametrize("good", [True, False])
def test_the_parallel_cast_and_check_decides_like_the_serial_one(world, good):
    """Forced into parallel workers, the guards still refuse, and the rows are the same."""
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM pg_settings WHERE name = ANY(%s)", [list(PARALLEL_SETTINGS)])
        (name,) = cur.fetchone()
        cur.execute(f"SET LOCAL {name} = on")
    batch = rows(20)
    if not good:
        batch[7]["start_time"] = "2024-05-01T24:00:00Z"  # PostgreSQL takes hour 24; we do not
    report = run("call-records", csv_bytes(batch), "csv", "postgresql")
    if good:
        assert (report.ok, report.inserted) == (True, 20)
    else:
        assert [(r.line, r.field) for r in report.rejects] == [(9, "start_time")]
        assert CallRecord.objects.count() == 0


# PostgreSQL 16 renamed force_parallel_mode to debug_parallel_query.
PARALLEL_SETTINGS = ("force_parallel_mode", "debug_parallel_query")


def test_the_demo_seed_rebuilds_around_its_own_load(world, rebuild_small_batches):
    """seed_demo's first load (COPY of generated rows) uses the same drop-and-rebuild."""
    before_oids, before = index_oids(), definitions()
    with connection.cursor() as cur, rebuild.rebuilt_after(cur, TABLE):
        CallRecordFactory.create_batch(3, tenant=world.tenant_a)
    assert CallRecord.objects.count() == 3
    assert not index_oids() & before_oids
    assert definitions() == before
