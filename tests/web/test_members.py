"""Members: add by e-mail with a role, change roles, remove; the last admin is protected."""

import pytest

from portal.choices import AuditAction, TenantRole
from portal.models import AuditEvent, Membership, User
from tests.web.conftest import messages_of

pytestmark = pytest.mark.django_db


def test_members_page_lists_people_and_roles(world, alice_client, url):
    html = alice_client.get(url("members", world.tenant_a)).content.decode()
    assert "Alice Admin" in html and "victor@contoso.test" in html
    assert "Bob Admin" not in html


def test_admin_adds_a_new_person_as_viewer(world, alice_client, url):
    response = alice_client.post(
        url("member_add", world.tenant_a),
        {"email": "New.Person@Contoso.test", "full_name": "New Person", "role": "viewer"},
        follow=True,
    )
    assert messages_of(response) == [
        "New Person is now a member with the role viewer. We e-mailed them a link to set a "
        "password."
    ]
    user = User.objects.get(email="new.person@contoso.test")
    assert Membership.objects.get(user=user, tenant=world.tenant_a).role == TenantRole.VIEWER
    assert not user.has_usable_password()  # they set one through the mailed link
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_ADDED).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email", "role": "viewer"}, "email", "valid email"),
        ({"email": "x@contoso.test", "role": "owner"}, "role", "Select a valid choice"),
        ({"email": "victor@contoso.test", "role": "viewer"}, "email", "already a member"),
    ],
)
def test_add_member_rejects_bad_input_with_field_errors(
    world, alice_client, url, data, field, message
):
    response = alice_client.post(url("member_add", world.tenant_a), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


def test_admin_changes_a_role(world, alice_client, url):
    response = alice_client.post(
        url("member_role", world.tenant_a),
        {"email": "victor@contoso.test", "role": "admin"},
        follow=True,
    )
    assert messages_of(response) == ["Victor Viewer is now admin."]
    assert Membership.objects.get(user=world.victor).role == TenantRole.ADMIN


def test_the_last_admin_cannot_be_demoted(world, alice_client, url):
    response = alice_client.post(
        url("member_role", world.tenant_a),
        {"email": "alice@contoso.test", "role": "viewer"},
        follow=True,
    )
    assert messages_of(response) == [
        "Alice Admin: The last admin can't be demoted. Make someone else an admin first."
    ]
    assert Membership.objects.get(user=world.alice).role == TenantRole.ADMIN


def test_remove_asks_for_confirmation_then_removes(world, alice_client, url):
    page = url("member_remove", world.tenant_a)
    response = alice_client.post(page, {"email": "victor@contoso.test"})
    assert response.status_code == 200
    assert "will lose access to Contoso at once" in response.content.decode()
    assert Membership.objects.filter(user=world.victor).exists()
    response = alice_client.post(
        page, {"email": "victor@contoso.test", "confirm": "on"}, follow=True
    )
    assert messages_of(response) == ["Victor Viewer is no longer a member."]
    assert not Membership.objects.filter(user=world.victor).exists()


def test_the_last_admin_cannot_be_removed(world, alice_client, url):
    response = alice_client.post(
        url("member_remove", world.tenant_a),
        {"email": "alice@contoso.test", "confirm": "on"},
        follow=True,
    )
    assert "The last admin can't be removed." in messages_of(response)[0]
    assert Membership.objects.filter(user=world.alice).exists()


def test_members_of_another_tenant_cannot_be_touched(world, alice_client, url):
    response = alice_client.post(
        url("member_remove", world.tenant_a), {"email": "bob@fabrikam.test", "confirm": "on"}
    )
    assert response.status_code == 404
    assert Membership.objects.filter(user=world.bob).exists()


def test_an_admin_who_removes_themselves_is_sent_home(world, alice_client, url):
    Membership.objects.filter(user=world.victor).update(role=TenantRole.ADMIN)
    response = alice_client.post(
        url("member_remove", world.tenant_a), {"email": "alice@contoso.test", "confirm": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not Membership.objects.filter(user=world.alice).exists()
    assert alice_client.get(url("dashboard", world.tenant_a)).status_code == 404
