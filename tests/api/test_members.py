"""Members of a tenant and of an operator."""

import pytest

from portal.choices import AuditAction
from portal.models import AuditEvent, Membership, OperatorMembership
from tests.api.conftest import NOT_FOUND

URL = "/api/v1/tenants/contoso/members/"
OP_URL = "/api/v1/operators/operator-o/members/"


def _member_url(world, user) -> str:
    return f"{URL}{Membership.objects.get(user=user, tenant=world.tenant_a).public_id}/"


def test_members_are_listed_for_viewers(world, api):
    body = api(world.victor).get(URL).json()
    assert [(m["email"], m["role"]) for m in body["results"]] == [
        ("alice@contoso.test", "admin"),
        ("victor@contoso.test", "viewer"),
    ]


def test_admin_adds_a_member(world, api):
    response = api(world.alice).post(
        URL, {"email": "Nina@Contoso.test", "role": "viewer"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["email"] == "nina@contoso.test"
    assert response.json()["role"] == "viewer"
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_ADDED).exists()
    again = api(world.alice).post(URL, {"email": "nina@contoso.test", "role": "viewer"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_member"


def test_adding_a_member_validates_the_role(world, api):
    response = api(world.alice).post(URL, {"email": "n@c.test", "role": "owner"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["role"]


def test_admin_changes_a_role_and_removes_a_member(world, api):
    url = _member_url(world, world.victor)
    response = api(world.alice).patch(url, {"role": "admin"}, format="json")
    assert (response.status_code, response.json()["role"]) == (200, "admin")
    response = api(world.alice).delete(url)
    assert response.status_code == 204
    assert not Membership.objects.filter(user=world.victor).exists()


def test_the_last_admin_cannot_demote_themselves(world, api):
    response = api(world.alice).patch(_member_url(world, world.alice), {"role": "viewer"})
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "The last admin can't be demoted. Make someone else an admin first."
    )


def test_viewer_cannot_change_members(world, api):
    client = api(world.victor)
    assert client.post(URL, {"email": "x@c.test", "role": "viewer"}).status_code == 403
    assert client.delete(_member_url(world, world.alice)).status_code == 403
    assert Membership.objects.filter(tenant=world.tenant_a).count() == 2


def test_a_membership_of_another_tenant_is_404(world, api):
    bob_membership = Membership.objects.get(user=world.bob)
    response = api(world.alice).delete(f"{URL}{bob_membership.public_id}/")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert Membership.objects.filter(pk=bob_membership.pk).exists()


def test_operator_admin_manages_operator_members(world, api):
    client = api(world.olivia)
    body = client.get(OP_URL).json()
    assert sorted(m["email"] for m in body["results"]) == [
        "olivia@operator-o.test",
        "oscar@operator-o.test",
    ]
    response = client.post(OP_URL, {"email": "otto@operator-o.test", "role": "analyst"})
    assert response.status_code == 201
    member_id = response.json()["id"]
    assert client.delete(f"{OP_URL}{member_id}/").status_code == 204
    assert not OperatorMembership.objects.filter(public_id=member_id).exists()
    assert AuditEvent.objects.filter(action=AuditAction.OPERATOR_MEMBER_REMOVED).exists()


def test_operator_analyst_cannot_manage_members(world, api):
    response = api(world.oscar).get(OP_URL)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only admins of this operator can do that."


@pytest.mark.parametrize("persona", ["uma", "alice"])
def test_operator_members_are_404_for_outsiders(world, api, persona):
    response = api(getattr(world, persona)).get(OP_URL)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_operator_membership_of_another_operator_is_404(world, api):
    uma_membership = OperatorMembership.objects.get(user=world.uma)
    response = api(world.olivia).delete(f"{OP_URL}{uma_membership.public_id}/")
    assert response.status_code == 404
    assert OperatorMembership.objects.filter(pk=uma_membership.pk).exists()


def test_members_are_addressed_by_a_non_guessable_id(world, api):
    victor = Membership.objects.get(user=world.victor, tenant=world.tenant_a)
    listed = api(world.alice).get(URL).json()["results"]
    ids = {m["email"]: m["id"] for m in listed}
    assert ids["victor@contoso.test"] == str(victor.public_id)
    # The sequential row id no longer names anyone.
    assert api(world.alice).delete(f"{URL}{victor.pk}/").status_code == 404
    assert Membership.objects.filter(pk=victor.pk).exists()
