"""Sign-in by e-mail, lockout, password change and reset, home page, profile and time zone."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse

from portal.choices import AuditAction
from portal.models import AuditEvent, User
from portal.services import record_event
from tests.factories import TenantFactory, membership, operator_membership

pytestmark = pytest.mark.django_db


def test_user_signs_in_with_email_and_lands_on_their_only_tenant(world, client, password):
    response = client.post(
        reverse("login"), {"username": "ALICE@contoso.test", "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/t/contoso/"
    assert response.context["user"] == world.alice
    assert b"Operator Connect" in response.content


def test_wrong_password_is_refused_with_a_message(world, client):
    response = client.post(
        reverse("login"), {"username": "alice@contoso.test", "password": "nope-nope-nope"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0] == (
        "Please enter a correct e-mail address and password. The password is case-sensitive."
    )  # not Django's "a correct email and password", named after the model field
    assert "_auth_user_id" not in client.session


def test_login_form_rejects_a_non_email_with_a_field_error(world, client):
    response = client.post(reverse("login"), {"username": "alice", "password": "x"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(
    world, client, settings, password
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            reverse("login"), {"username": "alice@contoso.test", "password": "wrong-password"}
        )
        assert response.status_code == 200
    response = client.post(
        reverse("login"), {"username": "alice@contoso.test", "password": "wrong-password"}
    )
    assert response.status_code == 429
    assert "Sign-in temporarily blocked" in response.content.decode()
    assert "Try again in 15 minutes" in response.content.decode()
    response = client.post(
        reverse("login"), {"username": "alice@contoso.test", "password": password}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how often a password is checked."""

    verified = 0

    def verify(self, password, encoded):
        CountingHasher.verified += 1
        return super().verify(password, encoded)


def test_a_locked_out_attempt_never_reaches_the_password_hasher(world, client, settings, password):
    settings.PASSWORD_HASHERS = ["tests.web.test_accounts.CountingHasher"]
    start = CountingHasher.verified
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice@contoso.test", "password": "wrong-pass"})
    before = CountingHasher.verified
    assert before - start == settings.AXES_FAILURE_LIMIT  # each failure was checked
    response = client.post(
        reverse("login"), {"username": "alice@contoso.test", "password": password}
    )
    assert response.status_code == 429
    assert CountingHasher.verified == before


def test_logout_is_a_post_and_ends_the_session(world, login):
    client = login(world.alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_needs_the_old_password_and_a_strong_new_one(world, login, password):
    client = login(world.alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert {"old_password", "new_password2"} <= set(response.context["form"].errors)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "a-much-better-passphrase-42",
            "new_password2": "a-much-better-passphrase-42",
        },
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.check_password("a-much-better-passphrase-42")


def test_password_reset_mails_a_link_that_sets_a_new_password(world, client):
    response = client.post(reverse("password_reset"), {"email": "alice@contoso.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Reset your Operator Connect portal password" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", body).group(1)
    response = client.get(link, follow=True)
    assert response.context["validlink"] is True
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "brand-new-passphrase-77", "new_password2": "brand-new-passphrase-77"},
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.check_password("brand-new-passphrase-77")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(world, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_user_with_several_tenants_gets_a_switcher(world, login):
    other = TenantFactory(name="Northwind", slug="northwind")
    membership(world.alice, other)
    response = login(world.alice).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/t/contoso/"' in html and 'href="/t/northwind/"' in html


def test_a_user_of_one_operator_lands_on_its_portal(world, login):
    response = login(world.oscar).get(reverse("home"))
    assert response.status_code == 302 and response.url == "/o/operator-o/"


def test_a_user_of_two_operators_is_pointed_to_each_operator_portal(world, login):
    operator_membership(world.oscar, world.operator_u)
    response = login(world.oscar).get(reverse("home"))
    assert response.status_code == 200
    assert 'href="/o/operator-o/"' in response.content.decode()
    assert 'href="/o/operator-u/"' in response.content.decode()
    assert "/t/contoso/" not in response.content.decode()


def test_staff_see_the_admin_link_and_every_tenant(world, login):
    html = login(world.sam).get(reverse("home")).content.decode()
    assert 'href="/admin/"' in html
    assert 'href="/t/contoso/"' in html and 'href="/t/fabrikam/"' in html


def test_user_without_membership_is_told_how_to_get_access(world, login):
    lonely = User.objects.create_user("lonely@example.test", "x" * 20)
    html = login(lonely).get(reverse("home")).content.decode()
    assert "No access yet" in html


def test_profile_sets_the_time_zone_used_for_dates(world, login, url):
    client = login(world.alice)
    response = client.post(
        reverse("profile"), {"full_name": "Alice Admin", "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.time_zone == "Asia/Tokyo"
    html = client.get(url("audit", world.tenant_a)).content.decode()
    assert "Times in Asia/Tokyo" in html


def test_profile_rejects_an_unknown_time_zone(world, login):
    response = login(world.alice).post(
        reverse("profile"), {"full_name": "Alice Admin", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors


def test_dates_are_shown_in_the_users_time_zone(world, login, url):
    with time_machine.travel(datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC), tick=False):
        record_event(
            AuditAction.TENANT_UPDATED,
            actor=world.sam,
            tenant=world.tenant_a,
            target=world.tenant_a,
        )
    world.alice.time_zone = "America/New_York"
    world.alice.save()
    html = login(world.alice).get(url("audit", world.tenant_a)).content.decode()
    assert "1 Jul 2026, 08:00:00" in html  # EDT is UTC-4
    assert "1 Jul 2026, 12:00:00" not in html


def test_a_failed_sign_in_of_a_known_account_is_audited(world, client):
    client.post(
        reverse("login"),
        {"username": "alice@contoso.test", "password": "wrong-password"},
        REMOTE_ADDR="198.51.100.7",
    )
    client.post(reverse("login"), {"username": "stranger@nowhere.test", "password": "x"})
    events = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert [(e.actor_id, e.ip_address) for e in events] == [(world.alice.pk, "198.51.100.7")]
    assert events[0].sentence == "Alice Admin failed to sign in"


def test_switch_link_shows_only_when_there_is_somewhere_else_to_go(world, login, url):
    assert (
        "Switch organization"
        not in login(world.alice).get(url("dashboard", world.tenant_a)).content.decode()
    )
    membership(world.alice, TenantFactory(name="Northwind", slug="northwind"))
    assert (
        "Switch organization"
        in login(world.alice).get(url("dashboard", world.tenant_a)).content.decode()
    )
