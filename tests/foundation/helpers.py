"""Helpers shared by the foundation tests."""

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction


def refused_by(constraint: str, write: Callable[[], object]) -> None:
    """Run ``write`` and assert PostgreSQL refuses it with exactly ``constraint``.

    Deferrable constraints (foreign keys) are checked at once with SET CONSTRAINTS, as a commit
    would; the test transaction itself never commits.
    """
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        write()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    name = excinfo.value.__cause__.diag.constraint_name
    # A partitioned table's unique key is enforced, and reported, by the partition holding the
    # row: ``portal_callrecord_p2026_01_call_record_leg_unique`` (portal.partitions).
    assert name == constraint or (
        name.startswith("portal_callrecord_") and name.endswith(f"_{constraint}")
    ), name


def database_state() -> dict:
    """Everything a service may write, as plain values, to prove a refusal changed nothing."""
    from portal import models

    def rows(model, *fields):
        return sorted(model.objects.values_list("pk", *fields), key=lambda r: str(r[0]))

    return {
        "tenants": rows(
            models.Tenant, "operator_connect_enabled", "operator_connect_changed_at", "name"
        ),
        "acknowledgements": rows(models.Acknowledgement),
        "enablement": rows(models.EnablementPeriod, "started_at", "ended_at"),
        "assignments": rows(
            models.OperatorAssignment,
            "status",
            "status_changed_at",
            "contact_full_name",
            "contact_email",
            "contact_phone",
            "company_size",
            "relationship_status",
            "relationship_reason",
            "acknowledgement_id",
        ),
        "assignment_countries": rows(models.AssignmentCountry, "assignment_id", "country"),
        "periods": rows(models.AssignmentPeriod, "started_at", "ended_at", "countries"),
        "members": rows(models.Membership, "user_id", "tenant_id", "role"),
        "operator_members": rows(models.OperatorMembership, "user_id", "operator_id", "role"),
        "users": rows(models.User, "email"),
        "audit": rows(models.AuditEvent),
    }


def only_event(**filters):
    """The one audit event matching ``filters`` (fails if there are none or several)."""
    from portal.models import AuditEvent

    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, [e.sentence for e in events]
    return events[0]


def audit_mark() -> int:
    """The newest audit event id now; ``events_since(mark)`` lists what came after."""
    from django.db.models import Max

    from portal.models import AuditEvent

    return AuditEvent.objects.aggregate(m=Max("pk"))["m"] or 0


def events_since(mark: int) -> list:
    from portal.models import AuditEvent

    return list(AuditEvent.objects.filter(pk__gt=mark).order_by("pk"))
