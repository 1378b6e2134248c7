"""My operators: countries, suspend, resume, remove (with the guardrail) and history."""

import pytest

from portal import services
from portal.choices import AssignmentStatus, PstnAssignmentStatus
from tests.factories import PhoneNumberFactory
from tests.web.conftest import messages_of

pytestmark = pytest.mark.django_db


def _detail(url, world):
    return url("assignment_detail", world.tenant_a, operator_slug="operator-o")


def test_my_operators_lists_status_countries_and_actions(world, alice_client, url):
    html = alice_client.get(url("assignments", world.tenant_a)).content.decode()
    assert "Operator O" in html and "DE, GB" in html
    assert "Suspend" in html and "Remove" in html


def test_viewer_sees_my_operators_without_actions(world, login, url):
    html = login(world.victor).get(url("assignments", world.tenant_a)).content.decode()
    assert "Operator O" in html
    assert "Suspend" not in html


def test_change_countries_opens_a_new_period(world, alice_client, url):
    page = url("assignment_countries", world.tenant_a, operator_slug="operator-o")
    form = alice_client.get(page).context["form"]
    assert [c for c, _ in form.fields["countries"].choices] == [
        "FR",
        "DE",
        "GB",
    ]  # by name: France, Germany, United Kingdom
    assert form.initial == {"countries": ["DE", "GB"]}
    response = alice_client.post(page, {"countries": ["GB", "FR"]})
    assert response.status_code == 302
    world.assignment.refresh_from_db()
    assert world.assignment.country_codes == ["FR", "GB"]
    assert world.assignment.periods.open().get().countries == ["FR", "GB"]


def test_change_countries_rejects_no_country_and_unchanged(world, alice_client, url):
    page = url("assignment_countries", world.tenant_a, operator_slug="operator-o")
    response = alice_client.post(page, {})
    assert "Choose at least one country." in response.context["form"].errors["countries"]
    response = alice_client.post(page, {"countries": ["DE", "GB"]})
    assert "The countries are unchanged." in response.context["form"].errors["countries"]


def test_dropping_a_country_with_assigned_numbers_is_refused_with_the_numbers(
    world, alice_client, url
):
    PhoneNumberFactory(telephone_number="+4930123456", tenant=world.tenant_a,
                       operator=world.operator_o, iso_country_code="DE",
                       pstn_assignment_status=PstnAssignmentStatus.USER)  # fmt: skip
    page = url("assignment_countries", world.tenant_a, operator_slug="operator-o")
    response = alice_client.post(page, {"countries": ["GB"]})
    assert response.status_code == 200
    assert "+4930123456" in response.context["form"].non_field_errors()[0]


def test_suspend_needs_confirmation_then_stops_sharing(world, alice_client, url):
    page = url("assignment_suspend", world.tenant_a, operator_slug="operator-o")
    assert "stops <strong>at once</strong>" in alice_client.get(page).content.decode()
    response = alice_client.post(page, {})
    assert "confirm" in response.context["form"].errors
    response = alice_client.post(page, {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == _detail(url, world)
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.SUSPENDED
    assert not world.assignment.periods.open().exists()


def test_resume_shares_again(world, alice_client, url):
    services.suspend_assignment(world.assignment, by=world.alice)
    response = alice_client.post(
        url("assignment_resume", world.tenant_a, operator_slug="operator-o"), follow=True
    )
    assert messages_of(response) == ["Operator O is active again for DE, GB."]
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.ACTIVE


def test_resuming_an_active_operator_shows_the_service_message(world, alice_client, url):
    response = alice_client.post(
        url("assignment_resume", world.tenant_a, operator_slug="operator-o"), follow=True
    )
    assert response.status_code == 200
    assert messages_of(response) == ["Operator O is not suspended, so it can't be resumed."]


def test_remove_is_refused_while_numbers_are_assigned_and_says_which(world, alice_client, url):
    for i in range(12):
        PhoneNumberFactory(telephone_number=f"+44207946{i:04d}", tenant=world.tenant_a,
                           operator=world.operator_o, iso_country_code="GB",
                           pstn_assignment_status=PstnAssignmentStatus.USER,
                           assigned_display_name=f"User {i}")  # fmt: skip
    page = url("assignment_remove", world.tenant_a, operator_slug="operator-o")
    html = alice_client.get(page).content.decode()
    assert "12 numbers from Operator O are still assigned to users" in html
    assert "unassign these numbers" in html
    response = alice_client.post(page, {"confirm": "on"})
    assert response.status_code == 200
    error = response.context["form"].non_field_errors()[0]
    assert "12 number(s)" in error and "+442079460000" in error and "and 2 more" in error
    assert "Unassign these numbers from their users and release them" in error
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.ACTIVE


def test_remove_without_assigned_numbers_works_and_history_is_kept(world, alice_client, url):
    PhoneNumberFactory(tenant=world.tenant_a, operator=world.operator_o, iso_country_code="GB")
    page = url("assignment_remove", world.tenant_a, operator_slug="operator-o")
    response = alice_client.post(page, {"confirm": "on"}, follow=True)
    assert "Operator O was removed." in messages_of(response)[0]
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.REMOVED
    html = alice_client.get(_detail(url, world)).content.decode()
    assert "Add Operator O again" in html
    assert "Alice Admin removed Operator O for DE, GB" in html
    # Actions on a removed operator send the user back to its history.
    response = alice_client.get(page)
    assert response.status_code == 302


def test_history_page_shows_periods_and_events(world, alice_client, url):
    services.suspend_assignment(world.assignment, by=world.alice)
    services.resume_assignment(world.assignment, by=world.alice)
    response = alice_client.get(_detail(url, world))
    periods = list(response.context["periods"])
    assert len(periods) == 2
    assert periods[1].end_reason == "suspended" and periods[0].ended_at is None
    html = response.content.decode()
    assert "Suspended by Alice Admin" in html
    assert "Alice Admin suspended Operator O for DE, GB" in html
    assert "Alice Admin resumed Operator O for DE, GB" in html
    assert "Alice Admin added operator Operator O for DE, GB" in html
    assert "assign-2026-11" in html


def test_contact_details_can_be_changed_and_the_phone_is_validated(world, alice_client, url):
    page = url("assignment_contact", world.tenant_a, operator_slug="operator-o")
    assert alice_client.get(page).context["form"].initial["contact_email"] == "alice@contoso.test"
    data = {
        "contact_full_name": "Victor Viewer",
        "contact_email": "victor@contoso.test",
        "company_size": "1-50",
        "contact_phone": "030 901820",
    }
    response = alice_client.post(page, data)
    assert "international format" in response.context["form"].errors["contact_phone"][0]
    response = alice_client.post(page, {**data, "contact_phone": "+49 30 901820"})
    assert response.status_code == 302
    world.assignment.refresh_from_db()
    assert (world.assignment.contact_full_name, world.assignment.contact_phone) == (
        "Victor Viewer", "+4930901820",
    )  # fmt: skip
