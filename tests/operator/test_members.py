"""Operator members in the browser and the API; invitations with a set-password link.

docs/operator.md "Members": admins list, invite, re-role and remove; the last admin stays;
a new account gets a single-use, expiring link to choose a password, never a password.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone

from portal.choices import AuditAction
from portal.models import AuditEvent, OperatorMembership, User
from tests.mfa import mark_session_verified

MEMBERS = "/o/operator-o/members/"
INVITE = "/o/operator-o/members/invite/"
ROLE = "/o/operator-o/members/role/"
REMOVE = "/o/operator-o/members/remove/"
PASSWORD = "a-long-enough-passphrase-2026"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def set_password_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


@pytest.fixture
def olivia(world, login):
    return login(world.olivia)


def invite(client, capture, email="nadia@operator-o.test", role="analyst", **extra):
    with capture(execute=True):
        return client.post(INVITE, {"email": email, "role": role, "full_name": "Nadia", **extra})


def test_an_admin_lists_the_members(world, olivia):
    body = olivia.get(MEMBERS).content.decode()
    assert "oscar@operator-o.test" in body and "olivia@operator-o.test" in body
    assert "uma@operator-u.test" not in body


def test_inviting_a_new_person_mails_a_link_that_sets_a_password_once(
    world, olivia, client, django_capture_on_commit_callbacks
):
    response = invite(olivia, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == MEMBERS
    nadia = User.objects.get(email="nadia@operator-o.test")
    assert not nadia.has_usable_password()
    assert OperatorMembership.objects.get(user=nadia).role == "analyst"
    [message] = mail.outbox
    assert message.to == ["nadia@operator-o.test"]
    assert message.subject == "You are invited to Operator O on the Operator Connect portal"
    assert "Olivia OpAdmin added you to Operator O" in message.body
    assert "password" in message.body.lower() and PASSWORD not in message.body
    link = set_password_link(message)

    client.logout()
    page = client.get(link, follow=True)
    assert page.context["validlink"] is True
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status_code == 302
    nadia.refresh_from_db()
    assert nadia.check_password(PASSWORD)
    signed_in = client.post("/accounts/login/", {"username": nadia.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    # Operator staff set up a second factor before anything else (docs/mfa.md) ...
    assert client.get(signed_in.url).url == "/account/security/?next=%2F"
    mark_session_verified(client, nadia)
    assert client.get(signed_in.url).url == "/o/operator-o/"  # ... then land on their operator
    client.logout()
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False  # single use
    invited = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_SENT)
    assert invited.details["kind"] == "invitation" and invited.operator_id == world.operator_o.pk


def test_the_link_expires(world, olivia, client, django_capture_on_commit_callbacks, settings):
    invite(olivia, django_capture_on_commit_callbacks)
    link = set_password_link(mail.outbox[0])
    client.logout()
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        assert client.get(link, follow=True).context["validlink"] is False


def test_inviting_someone_with_an_account_adds_them_without_a_link(
    world, olivia, django_capture_on_commit_callbacks
):
    response = invite(olivia, django_capture_on_commit_callbacks, email="victor@contoso.test")
    assert response.status_code == 302
    assert OperatorMembership.objects.filter(user=world.victor, operator=world.operator_o).exists()
    assert mail.outbox == []


def test_inviting_a_member_twice_is_refused_on_the_form(world, olivia):
    response = olivia.post(INVITE, {"email": "oscar@operator-o.test", "role": "analyst"})
    assert response.status_code == 200
    assert "oscar@operator-o.test is already a member." in response.content.decode()


def test_tenant_admins_invite_new_people_the_same_way(
    world, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(world.alice).post(
            "/t/contoso/members/add/", {"email": "new@contoso.test", "role": "viewer"}
        )
    [message] = mail.outbox
    assert message.subject == "You are invited to Contoso on the Operator Connect portal"
    assert "/accounts/reset/" in message.body


def test_an_admin_changes_a_role(world, olivia):
    olivia.post(ROLE, {"email": "oscar@operator-o.test", "role": "admin"})
    assert OperatorMembership.objects.get(user=world.oscar).role == "admin"
    event = AuditEvent.objects.get(action=AuditAction.OPERATOR_MEMBER_ROLE_CHANGED)
    assert event.operator_id == world.operator_o.pk and event.details["previous_role"] == "analyst"


def test_the_last_admin_can_be_neither_demoted_nor_removed_nor_leave(world, olivia):
    response = olivia.post(ROLE, {"email": "olivia@operator-o.test", "role": "analyst"})
    assert messages_of(response) == [
        "Olivia OpAdmin: The last admin can't be demoted. Make someone else an admin first."
    ]
    response = olivia.post(REMOVE, {"email": "olivia@operator-o.test", "confirm": "on"})
    assert "The last admin can't be removed." in messages_of(response)[-1]
    assert OperatorMembership.objects.get(user=world.olivia).role == "admin"


def test_an_admin_leaves_once_someone_else_is_admin(world, olivia):
    olivia.post(ROLE, {"email": "oscar@operator-o.test", "role": "admin"})
    response = olivia.post(REMOVE, {"email": "olivia@operator-o.test"})
    assert "will lose access to Operator O" in response.content.decode()  # confirm first
    response = olivia.post(REMOVE, {"email": "olivia@operator-o.test", "confirm": "on"})
    assert response.status_code == 302 and response.url == "/"
    assert not OperatorMembership.objects.filter(user=world.olivia).exists()


def test_an_admin_removes_a_member(world, olivia):
    olivia.post(REMOVE, {"email": "oscar@operator-o.test", "confirm": "on"})
    assert not OperatorMembership.objects.filter(user=world.oscar).exists()
    assert AuditEvent.objects.filter(action=AuditAction.OPERATOR_MEMBER_REMOVED).exists()


def test_a_member_of_another_operator_is_404(world, olivia):
    assert olivia.post(ROLE, {"email": "uma@operator-u.test", "role": "admin"}).status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (MEMBERS, None),
        (INVITE, None),
        (INVITE, {"email": "x@operator-o.test", "role": "admin"}),
        (ROLE, {"email": "oscar@operator-o.test", "role": "admin"}),
        (REMOVE, {"email": "olivia@operator-o.test", "confirm": "on"}),
    ],
)
def test_analysts_are_refused_and_outsiders_see_nothing(world, login, path, data):
    for who, status in (("oscar", 403), ("uma", 404), ("alice", 404)):
        client = login(getattr(world, who))
        response = client.get(path) if data is None else client.post(path, data)
        assert response.status_code == status, (who, path)
    assert OperatorMembership.objects.filter(operator=world.operator_o).count() == 2


def test_the_members_link_is_shown_to_admins_only(world, login):
    assert (
        'href="/o/operator-o/members/"'
        in login(world.olivia).get("/o/operator-o/").content.decode()
    )
    assert (
        'href="/o/operator-o/members/"'
        not in login(world.oscar).get("/o/operator-o/").content.decode()
    )


# --- the API -------------------------------------------------------------------------------------


def _url(world, user) -> str:
    member = OperatorMembership.objects.get(user=user, operator=world.operator_o)
    return f"/api/v1/operators/operator-o/members/{member.public_id}/"


def test_the_api_changes_a_role(world, api):
    response = api(world.olivia).patch(_url(world, world.oscar), {"role": "admin"}, format="json")
    assert (response.status_code, response.json()["role"]) == (200, "admin")


def test_the_api_refuses_to_drop_the_last_admin(world, api):
    client = api(world.olivia)
    response = client.patch(_url(world, world.olivia), {"role": "analyst"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "last_admin",
        "message": "The last admin can't be demoted. Make someone else an admin first.",
        "fields": {},
    }
    assert client.delete(_url(world, world.olivia)).status_code == 409


def test_the_api_invites_new_people_by_mail(world, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.olivia).post(
            "/api/v1/operators/operator-o/members/",
            {"email": "api.new@operator-o.test", "role": "analyst"},
            format="json",
        )
    assert response.status_code == 201
    [message] = mail.outbox
    assert "/accounts/reset/" in message.body


def test_the_api_refuses_analysts_and_outsiders(world, api):
    url = _url(world, world.olivia)
    assert api(world.oscar).patch(url, {"role": "analyst"}, format="json").status_code == 403
    assert api(world.uma).patch(url, {"role": "analyst"}, format="json").status_code == 404
