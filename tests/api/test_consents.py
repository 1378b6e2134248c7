"""The operator's side: tenants that assigned it, and the relationship status it sets."""

import pytest

from portal.choices import AuditAction, RelationshipStatus
from portal.models import AuditEvent, OperatorAssignment
from portal.services.assignments import remove_assignment
from tests.api.conftest import NOT_FOUND, error

URL = "/api/v1/operators/operator-o/consents/"
STATUS = URL + "contoso/status"


def test_operator_user_lists_the_tenants_that_assigned_it(world, token_api):
    body = token_api(world.oscar).get(URL).json()
    assert body["count"] == 1
    [consent] = body["results"]
    assert consent["tenant"]["slug"] == "contoso"
    assert consent["countries"] == ["DE", "GB"]
    assert consent["relationship_status"] == "pending"
    assert consent["contact_email"] == "alice@contoso.test"
    assert consent["operator_connect_enabled"] is True


def test_removed_assignments_are_not_listed(world, token_api):
    remove_assignment(world.assignment, by=world.alice)
    assert token_api(world.oscar).get(URL).json()["count"] == 0
    response = token_api(world.olivia).post(STATUS, {"status": "agreement_signed"}, format="json")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_operator_user_signs_the_agreement(world, token_api):
    response = token_api(world.olivia).post(STATUS, {"status": "agreement_signed"}, format="json")
    assert response.status_code == 200
    assert response.json()["relationship_status"] == "agreement_signed"
    event = AuditEvent.objects.get(action=AuditAction.RELATIONSHIP_CHANGED)
    assert (event.actor, event.tenant_id) == (world.olivia, world.tenant_a.pk)


def test_declining_needs_a_reason(world, token_api):
    client = token_api(world.olivia)
    response = client.post(STATUS, {"status": "declined"}, format="json")
    assert response.status_code == 400
    message = "Give a reason for declining or terminating."
    assert response.json() == error("invalid", message, {"reason": [message]})
    response = client.post(
        STATUS, {"status": "declined", "reason": "No contract on file"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["relationship_reason"] == "No contract on file"
    assignment = OperatorAssignment.objects.get(pk=world.assignment.pk)
    assert assignment.relationship_status == RelationshipStatus.DECLINED


def test_pending_cannot_be_set(world, token_api):
    response = token_api(world.olivia).post(STATUS, {"status": "pending"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["status"]


def test_a_tenant_that_did_not_assign_the_operator_is_404(world, token_api):
    response = token_api(world.olivia).post(
        URL + "fabrikam/status", {"status": "agreement_signed"}, format="json"
    )
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("persona", ["uma", "alice", "bob"])
def test_consents_of_another_operator_are_404(world, token_api, persona):
    client = token_api(getattr(world, persona))
    assert client.get(URL).status_code == 404
    response = client.post(STATUS, {"status": "agreement_signed"}, format="json")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assignment = OperatorAssignment.objects.get(pk=world.assignment.pk)
    assert assignment.relationship_status == RelationshipStatus.PENDING


def test_an_operator_analyst_cannot_set_the_relationship_status(world, token_api):
    # The same rule as the operator portal: relationship status is an operator admin's call.
    response = token_api(world.oscar).post(STATUS, {"status": "agreement_signed"}, format="json")
    assert response.status_code == 403
    world.assignment.refresh_from_db()
    assert world.assignment.relationship_status == "pending"
