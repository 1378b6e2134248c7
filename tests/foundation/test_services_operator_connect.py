"""Enabling and disabling Operator Connect (issue 2, item 5; invariant I4)."""

import hashlib
from datetime import UTC, datetime

import pytest
import time_machine

from portal import services
from portal.acknowledgements import ENABLE_TEXT
from portal.choices import AuditAction
from portal.errors import Conflict, DomainError
from portal.models import Acknowledgement, EnablementPeriod, Tenant
from tests.foundation.helpers import audit_mark, database_state, events_since

NOW = datetime(2027, 3, 2, 9, 30, tzinfo=UTC)  # after the world was built


def test_enabling_records_the_acknowledgement_opens_a_period_and_writes_one_event(world):
    mark = audit_mark()
    with time_machine.travel(NOW, tick=False):
        services.enable_operator_connect(
            world.tenant_b, by=world.bob, acknowledged=True, ip="203.0.113.7"
        )

    tenant = Tenant.objects.get(pk=world.tenant_b.pk)
    assert (tenant.operator_connect_enabled, tenant.operator_connect_changed_at) == (True, NOW)
    assert tenant.operator_connect_changed_by == world.bob
    ack = Acknowledgement.objects.get(tenant=tenant)
    assert (ack.kind, ack.user, ack.operator, ack.acknowledged_at) == (
        "enable",
        world.bob,
        None,
        NOW,
    )
    assert ack.text_version == "enable-2026-11" == ENABLE_TEXT.version
    assert ack.text_sha256 == hashlib.sha256(ENABLE_TEXT.text.encode()).hexdigest()
    assert ack.ip_address == "203.0.113.7"
    period = EnablementPeriod.objects.get(tenant=tenant)
    assert (period.started_at, period.ended_at, period.acknowledgement) == (NOW, None, ack)

    [event] = events_since(mark)
    assert event.action == AuditAction.OC_ENABLED
    assert (event.actor, event.actor_label) == (world.bob, "Bob Admin")
    assert (event.tenant_id, event.operator_id) == (tenant.pk, None)
    assert (event.target_type, event.target_id) == ("tenant", str(tenant.pk))
    assert (event.occurred_at, event.ip_address) == (NOW, "203.0.113.7")
    assert event.details == {
        "acknowledgement_version": ENABLE_TEXT.version,
        "acknowledgement_sha256": ack.text_sha256,
    }
    assert event.sentence == "Bob Admin enabled Operator Connect for Fabrikam"


def test_enabling_without_the_acknowledgement_is_refused_and_changes_nothing(world):
    before = database_state()
    with pytest.raises(DomainError) as excinfo:
        services.enable_operator_connect(world.tenant_b, by=world.bob, acknowledged=False)
    assert excinfo.value.message == (
        "Please confirm that you understand and accept the data transfer."
    )
    assert (excinfo.value.code, excinfo.value.field) == ("acknowledgement_required", "acknowledged")
    assert database_state() == before


def test_enabling_twice_is_refused_and_records_no_second_acknowledgement(world):
    before = database_state()
    with pytest.raises(Conflict) as excinfo:
        services.enable_operator_connect(world.tenant_a, by=world.alice, acknowledged=True)
    assert excinfo.value.message == "Operator Connect is already enabled for this organization."
    assert excinfo.value.status == 409
    assert database_state() == before


def test_disabling_closes_the_open_period_and_writes_one_event(world):
    mark = audit_mark()
    with time_machine.travel(NOW, tick=False):
        services.disable_operator_connect(world.tenant_a, by=world.alice, ip="2001:db8::7")

    tenant = Tenant.objects.get(pk=world.tenant_a.pk)
    assert (tenant.operator_connect_enabled, tenant.operator_connect_changed_at) == (False, NOW)
    [period] = EnablementPeriod.objects.filter(tenant=tenant)
    assert (period.ended_at, period.ended_by) == (NOW, world.alice)
    # The assignment itself stays active: the enablement periods cut its share windows.
    assert world.assignment.periods.get().ended_at is None
    [event] = events_since(mark)
    assert (event.action, event.actor, event.tenant_id) == (
        AuditAction.OC_DISABLED,
        world.alice,
        tenant.pk,
    )
    assert (event.ip_address, event.details) == ("2001:db8::7", {})
    assert event.sentence == "Alice Admin disabled Operator Connect for Contoso"


def test_disabling_a_disabled_tenant_is_refused_and_changes_nothing(world):
    before = database_state()
    with pytest.raises(Conflict) as excinfo:
        services.disable_operator_connect(world.tenant_b, by=world.bob)
    assert excinfo.value.message == "Operator Connect is already disabled for this organization."
    assert database_state() == before


def test_enabling_again_after_disabling_opens_a_second_period_with_a_new_acknowledgement(world):
    with time_machine.travel(NOW, tick=False):
        services.disable_operator_connect(world.tenant_a, by=world.alice)
    later = NOW.replace(hour=11)
    with time_machine.travel(later, tick=False):
        services.enable_operator_connect(world.tenant_a, by=world.victor, acknowledged=True)
    periods = list(EnablementPeriod.objects.filter(tenant=world.tenant_a))
    assert [(p.ended_at, p.acknowledgement.user) for p in periods] == [
        (NOW, world.alice),
        (None, world.victor),
    ]
    assert periods[1].started_at == later
