"""Migration 0018 converts a populated call-record table into monthly partitions (issue 17,
item 1): the rows stay where they are (attached as ``portal_callrecord_legacy``), with their
ids, foreign keys and day rollup; the indexes prepared online beforehand become its keys, so the
migration builds nothing; new months get their own partitions."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from portal import partitions
from tests.factories import CallRecordFactory, OperatorFactory, TenantFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("portal", "0017_call_day_counts")]
AFTER = [("portal", "0018_call_record_partitions")]


def _one(sql, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def _rows() -> set[tuple]:
    with connection.cursor() as cur:
        cur.execute("SELECT id, tenant_id, call_id, invite_time FROM portal_callrecord")
        return set(cur.fetchall())


def _rollup() -> set[tuple]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tenant_id, operator_id, country, day, calls FROM portal_calldaycount "
            "WHERE calls <> 0"
        )
        return set(cur.fetchall())


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared online", "not prepared"])
def test_the_conversion_keeps_every_row_id_key_and_rollup(prepared, migrate):
    tenant, operator = TenantFactory(), OperatorFactory()
    migrate(BEFORE)
    try:
        assert _one("SELECT relkind FROM pg_class WHERE oid = 'portal_callrecord'::regclass") == "r"
        for month in (1, 2, 3):
            for day in (1, 28):
                CallRecordFactory(
                    tenant=tenant, operator=operator, call_id=f"c-{month}-{day}",
                    invite_time=datetime(2026, month, day, 12, tzinfo=UTC),
                )  # fmt: skip
        before_rows, before_rollup = _rows(), _rollup()
        prepared_oid = None
        if prepared:
            steps = partitions.prepare_conversion(months_ahead=2)
            assert len(steps) == 5  # three indexes, the CHECK, its validation
            prepared_oid = _one("SELECT 'call_record_prep_pkey'::regclass::oid")
    finally:
        migrate(AFTER)

    assert _one("SELECT relkind FROM pg_class WHERE oid = 'portal_callrecord'::regclass") == "p"
    legacy = partitions.partitions()[0]
    assert (legacy.name, legacy.start) == (partitions.LEGACY, None)
    assert legacy.end == partitions.add_months(
        partitions.month_start(datetime.now(UTC)), 2 if prepared else 1
    )
    assert _rows() == before_rows
    assert _rollup() == before_rollup
    assert _one("SELECT count(*) FROM ONLY portal_callrecord_legacy") == 6
    if prepared:  # the index built CONCURRENTLY beforehand is the partition's key: nothing rebuilt
        assert _one("SELECT 'portal_callrecord_legacy_pkey'::regclass::oid") == prepared_oid

    # The keys and foreign keys hold on the converted rows.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("UPDATE portal_callrecord SET tenant_id = -1 WHERE call_id = 'c-1-1'")
    with pytest.raises(IntegrityError), transaction.atomic():
        CallRecordFactory(
            tenant=tenant, operator=operator, call_id="c-2-1",
            invite_time=datetime(2026, 2, 1, 12, tzinfo=UTC),
        )  # fmt: skip
    # New months go to monthly partitions; the triggers keep the rollup on the parent.
    late = CallRecordFactory(
        tenant=tenant, operator=operator, invite_time=partitions.add_months(legacy.end, 5)
    )
    assert _one(
        "SELECT tableoid::regclass::text FROM portal_callrecord WHERE id = %s", [late.id]
    ) == partitions.partition_name(partitions.add_months(legacy.end, 5))
    assert len(_rollup()) == len(before_rollup) + 1
