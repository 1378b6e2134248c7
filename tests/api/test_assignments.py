"""A tenant's operators over the API: list, add, change, suspend, resume, remove."""

import pytest

from notices.services import publish_notice
from portal import services
from portal.choices import AssignmentStatus, AuditAction, PstnAssignmentStatus
from portal.models import AuditEvent, OperatorAssignment
from tests.api.conftest import NOT_FOUND, error
from tests.factories import OperatorFactory, PhoneNumberFactory

URL = "/api/v1/tenants/contoso/assignments/"
DETAIL = URL + "operator-o/"
NEW = {
    "operator": "operator-u",
    "countries": ["GB"],
    "contact_full_name": "Alice Admin",
    "contact_email": "alice@contoso.test",
    "company_size": "251-1000",
    "acknowledged": True,
}


def test_list_shows_the_tenants_operators(world, api):
    body = api(world.victor).get(URL).json()
    assert body["count"] == 1
    [assignment] = body["results"]
    assert assignment["operator"] == {"slug": "operator-o", "name": "Operator O"}
    assert assignment["status"] == "active"
    assert assignment["countries"] == ["DE", "GB"]
    assert assignment["acknowledgement_version"] == "assign-2026-11"
    assert [p["countries"] for p in assignment["periods"]] == [["DE", "GB"]]
    assert assignment["periods"][0]["ended_at"] is None


def test_admin_adds_an_operator(world, api):
    response = api(world.alice).post(URL, NEW, format="json")
    assert response.status_code == 201, response.json()
    assert response["Location"] == "/api/v1/tenants/contoso/assignments/operator-u/"
    assert response.json()["operator"]["slug"] == "operator-u"
    assert response.json()["countries"] == ["GB"]
    assert response.json()["relationship_status"] == "pending"
    assert AuditEvent.objects.filter(
        action=AuditAction.ASSIGNMENT_ADDED, operator=world.operator_u, actor=world.alice
    ).exists()


def test_adding_needs_the_acknowledgement(world, api):
    response = api(world.alice).post(URL, {**NEW, "acknowledged": False}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "acknowledgement_required"
    assert not OperatorAssignment.objects.filter(operator=world.operator_u).exists()


def test_adding_an_operator_twice_is_a_conflict(world, api):
    response = api(world.alice).post(URL, {**NEW, "operator": "operator-o"}, format="json")
    assert response.status_code == 409
    assert response.json() == error(
        "already_assigned", "Operator O is already one of your operators."
    )


def test_adding_refuses_countries_the_operator_does_not_serve(world, api):
    # The operator's coverage is state (staff may add the country): 409, naming the input.
    response = api(world.alice).post(URL, {**NEW, "countries": ["FR"]}, format="json")
    assert response.status_code == 409
    assert response.json() == error(
        "country_not_served",
        "Operator U does not serve FR.",
        {"countries": ["Operator U does not serve FR."]},
    )


def test_adding_an_unknown_operator_is_not_found(world, api):
    # A reference to nothing is a 404, as in a path; ``fields`` names the input.
    response = api(world.alice).post(URL, {**NEW, "operator": "nope"}, format="json")
    assert response.status_code == 404
    assert response.json() == error(
        "not_found", "No such operator.", {"operator": ["No such operator."]}
    )


def test_viewer_cannot_add(world, api):
    response = api(world.victor).post(URL, NEW, format="json")
    assert response.status_code == 403
    assert not OperatorAssignment.objects.filter(operator=world.operator_u).exists()


def test_detail_is_addressed_by_operator_slug(world, api):
    body = api(world.alice).get(DETAIL).json()
    assert body["operator"]["slug"] == "operator-o"
    response = api(world.alice).get(URL + "operator-u/")  # not assigned: same as missing
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("persona", ["bob", "oscar", "uma"])
def test_outsiders_get_404_on_every_assignment_url(world, api, persona):
    client = api(getattr(world, persona))
    for method, url in [
        ("get", URL),
        ("get", DETAIL),
        ("patch", DETAIL),
        ("post", DETAIL + "suspend"),
        ("post", DETAIL + "resume"),
        ("post", DETAIL + "remove"),
    ]:
        response = getattr(client, method)(url, {}, format="json")
        assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, url)


def test_patch_changes_countries_and_opens_a_new_period(world, api):
    response = api(world.alice).patch(DETAIL, {"countries": ["GB", "FR"]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["countries"] == ["FR", "GB"]
    assert [p["countries"] for p in body["periods"]] == [["DE", "GB"], ["FR", "GB"]]
    assert body["periods"][0]["end_reason"] == "countries_changed"


def test_patch_changes_contact_keeping_the_other_fields(world, api):
    response = api(world.alice).patch(
        DETAIL, {"contact_email": "telecoms@contoso.test"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["contact_email"] == "telecoms@contoso.test"
    assert response.json()["contact_full_name"] == "Alice Admin"
    assert AuditEvent.objects.filter(action=AuditAction.ASSIGNMENT_CONTACT).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.ASSIGNMENT_COUNTRIES).exists()


def test_a_text_over_its_length_by_spaces_is_refused_as_the_schema_says(world, api):
    # The schema's maxLength counts what is sent; DRF alone trimmed the space first and took it.
    too_long = " " + "x" * 200  # maxLength 200
    response = api(world.alice).patch(DETAIL, {"contact_full_name": too_long}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["contact_full_name"]
    fits = api(world.alice).patch(DETAIL, {"contact_full_name": " Ann Admin "}, format="json")
    assert fits.json()["contact_full_name"] == "Ann Admin"  # trimmed as before


def test_patch_is_all_or_nothing(world, api):
    response = api(world.alice).patch(
        DETAIL,
        {"countries": ["GB"], "contact_phone": "not a phone"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["contact_phone"]
    assert OperatorAssignment.objects.get(pk=world.assignment.pk).country_codes == ["DE", "GB"]


def test_viewer_cannot_patch(world, api):
    response = api(world.victor).patch(DETAIL, {"countries": ["GB"]}, format="json")
    assert response.status_code == 403


def test_suspend_resume_remove(world, api):
    client = api(world.alice)
    response = client.post(DETAIL + "suspend")
    assert (response.status_code, response.json()["status"]) == (200, "suspended")
    again = client.post(DETAIL + "suspend")
    assert again.status_code == 409
    assert again.json() == error("conflict", "Operator O is not active, so it can't be suspended.")
    response = client.post(DETAIL + "resume")
    assert (response.status_code, response.json()["status"]) == (200, "active")
    response = client.post(DETAIL + "remove")
    assert (response.status_code, response.json()["status"]) == (200, "removed")
    assert OperatorAssignment.objects.get(pk=world.assignment.pk).status == AssignmentStatus.REMOVED


def test_remove_is_refused_while_numbers_are_assigned(world, api):
    PhoneNumberFactory(
        telephone_number="+442079460123",
        tenant=world.tenant_a,
        operator=world.operator_o,
        pstn_assignment_status=PstnAssignmentStatus.USER,
    )
    response = api(world.alice).post(DETAIL + "remove")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "numbers_assigned"
    assert "+442079460123" in response.json()["error"]["message"]


def test_viewer_cannot_suspend(world, api):
    response = api(world.victor).post(DETAIL + "suspend")
    assert response.status_code == 403
    assert OperatorAssignment.objects.get(pk=world.assignment.pk).status == "active"


def test_assignment_list_queries_do_not_grow_with_operators(
    world, api, django_assert_max_num_queries
):
    client = api(world.alice)
    assert client.post(URL, NEW, format="json").status_code == 201
    third = OperatorFactory(slug="operator-t", countries=["GB"])
    assert client.post(URL, {**NEW, "operator": third.slug}, format="json").status_code == 201
    # session, tenant, role, count, page, then one prefetch each for countries and periods,
    # then the tenant's sharing history read once for every operator's gate (6)
    with django_assert_max_num_queries(16):
        assert client.get(URL).json()["count"] == 3


def test_errors_inside_a_list_name_the_item(world, api):
    response = api(world.alice).post(URL, {**NEW, "countries": ["GB", "G1"]}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["countries.1"]


def test_each_assignment_says_what_the_gate_lets_through_now_and_why_not(world, api):
    [before] = api(world.victor).get(URL).json()["results"]
    assert before["sharing"]["open"] is False
    assert [b["code"] for b in before["sharing"]["blocks"]] == ["notice_missing_operator"]
    publish_notice(world.tenant_a, by=world.alice)
    services.change_assignment_countries(world.assignment, countries=["GB", "FR"], by=world.alice)
    [after] = api(world.victor).get(URL).json()["results"]
    assert after["sharing"] == {
        "open": True,
        "countries": ["GB"],
        "held_back": ["FR"],
        "blocks": [],
    }
