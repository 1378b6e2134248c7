"""Migration 0017 creates the rollup and back-fills it from the rows already stored."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection

from tests.factories import CallRecordFactory, OperatorFactory, TenantFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("portal", "0016_audit_actions_of_schedules_webhooks_privacy")]
AFTER = [("portal", "0017_call_day_counts")]


def _rollup() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tenant_id, operator_id, country, day, calls FROM portal_calldaycount "
            "WHERE calls <> 0"
        )
        return set(cursor.fetchall())


def test_the_migration_back_fills_existing_rows_and_then_the_triggers_keep_it(migrate):
    tenant, operator = TenantFactory(), OperatorFactory()
    migrate(BEFORE)
    try:
        for when, country in [
            (datetime(2026, 2, 1, 23, 59, tzinfo=UTC), "GB"),
            (datetime(2026, 2, 1, 0, 0, tzinfo=UTC), "GB"),
            (datetime(2026, 2, 2, 0, 0, tzinfo=UTC), "DE"),
        ]:
            # The call-record table is unchanged by 0017: the current factory can write it.
            CallRecordFactory(
                tenant=tenant, operator=operator, invite_time=when, tenant_country=country
            )
    finally:
        migrate(AFTER)
    assert _rollup() == {
        (tenant.pk, operator.pk, "GB", date(2026, 2, 1), 2),
        (tenant.pk, operator.pk, "DE", date(2026, 2, 2), 1),
    }
    CallRecordFactory(
        tenant=tenant, operator=operator, invite_time=datetime(2026, 2, 2, 5, tzinfo=UTC),
        tenant_country="DE",
    )  # fmt: skip
    assert (tenant.pk, operator.pk, "DE", date(2026, 2, 2), 2) in _rollup()
