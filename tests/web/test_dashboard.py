"""The dashboard: Operator Connect state, operators, and what each one receives."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal import services
from portal.choices import PstnAssignmentStatus
from portal.models import CallRecord
from tests.factories import (
    CallRecordFactory,
    EmergencyLocationFactory,
    PhoneNumberFactory,
    tell_users,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _told(world):
    """Contoso's users were told: its notice names operator O for GB and DE."""
    tell_users(world.tenant_a, world.alice)


def test_dashboard_shows_operator_connect_on_since_when_and_by_whom(world, alice_client, url):
    response = alice_client.get(url("dashboard", world.tenant_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enabled since" in html and "by Alice Admin" in html
    assert "Disable Operator Connect" in html
    templates = [t.name for t in response.templates]
    assert "notices/inc/dashboard_card.html" in templates
    assert "exports/inc/dashboard_card.html" in templates


def test_dashboard_lists_operators_with_status_countries_and_shareable_counts(
    world, alice_client, url
):
    gb = EmergencyLocationFactory(tenant=world.tenant_a, country="GB")
    for _ in range(3):
        PhoneNumberFactory(tenant=world.tenant_a, operator=world.operator_o,
                           iso_country_code="GB", emergency_location=gb)  # fmt: skip
    # Not shareable: a country outside the assignment, and another operator's number.
    PhoneNumberFactory(tenant=world.tenant_a, operator=world.operator_o, iso_country_code="FR")
    PhoneNumberFactory(tenant=world.tenant_a, operator=world.operator_u, iso_country_code="GB")
    now = timezone.now()
    for minutes in (1, 2):
        CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o,
                          invite_time=now + timedelta(minutes=minutes), tenant_country="GB")  # fmt: skip
    # Before the share window opened: not shareable.
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o,
                      invite_time=now - timedelta(days=3), tenant_country="GB")  # fmt: skip
    response = alice_client.get(url("dashboard", world.tenant_a))
    [share] = response.context["shares"]
    assert share.assignment.operator == world.operator_o
    assert share.numbers == 3
    assert share.locations == 1
    assert sum(n for _, n in share.calls_by_month) == 2
    assert len(share.calls_by_month) == 6
    html = response.content.decode()
    assert "Operator O" in html and "DE, GB" in html and "Active since" in html


def test_dashboard_says_nothing_is_shared_with_a_suspended_operator(world, alice_client, url):
    services.suspend_assignment(world.assignment, by=world.alice)
    html = alice_client.get(url("dashboard", world.tenant_a)).content.decode()
    assert "Nothing is shared with Operator O now." in html
    assert "Contoso has suspended sharing with Operator O." in html


def test_dashboard_of_a_tenant_with_operator_connect_off_offers_enable(world, login, url):
    html = login(world.bob).get(url("dashboard", world.tenant_b)).content.decode()
    assert "Not enabled yet." in html
    assert "Enable Operator Connect" in html
    assert "You have no operators yet." in html


def test_viewer_sees_the_dashboard_without_write_buttons(world, login, url):
    html = login(world.victor).get(url("dashboard", world.tenant_a)).content.decode()
    assert "Operator O" in html
    assert "Disable Operator Connect" not in html


def test_user_assigned_numbers_are_counted_once_per_operator(world, alice_client, url):
    PhoneNumberFactory(tenant=world.tenant_a, operator=world.operator_o, iso_country_code="DE",
                       pstn_assignment_status=PstnAssignmentStatus.USER)  # fmt: skip
    response = alice_client.get(url("dashboard", world.tenant_a))
    assert response.context["shares"][0].numbers == 1
    assert response.context["number_total"] == 1


def test_monthly_call_counts_are_fresh_after_each_write(world, alice_client, url):
    """From the day rollup (portal.rollups): no cache, so a new leg counts at once, and a
    suspension ends the window (legs after it are not shared)."""
    now = timezone.now()
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o,
                      invite_time=now + timedelta(minutes=1), tenant_country="GB")  # fmt: skip

    def counted() -> int:
        share = alice_client.get(url("dashboard", world.tenant_a)).context["shares"][0]
        return sum(n for _, n in share.calls_by_month)

    assert counted() == 1
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o,
                      invite_time=now + timedelta(minutes=2), tenant_country="GB")  # fmt: skip
    assert counted() == 2
    CallRecord.objects.filter(tenant=world.tenant_a).order_by("invite_time").first().delete()
    assert counted() == 1
