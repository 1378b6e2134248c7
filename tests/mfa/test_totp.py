"""Authenticator apps (TOTP): enrolment with a QR code, sign-in with codes computed here,
recovery codes that work once (docs/mfa.md)."""

import re
import time
from base64 import b32decode
from binascii import hexlify

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.choices import AuditAction
from portal.models import AuditEvent
from tests.mfa import sign_in, totp_code

pytestmark = pytest.mark.django_db


def enrol_app(client, user) -> TOTPDevice:
    """Add an authenticator app the way a person does: read the key off the page, type a code."""
    page = client.get(reverse("mfa:totp_add"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    key = hexlify(b32decode(secret.replace(" ", ""))).decode()
    assert "otpauth://totp/" in html
    app = TOTPDevice(key=key)  # the phone's copy of the secret
    response = client.post(reverse("mfa:totp_add"), {"name": "My phone", "code": totp_code(app)})
    assert response.status_code == 302
    return TOTPDevice.objects.get(user=user, name="My phone")


def test_enrol_an_app_then_sign_in_needs_its_code(world, client, password):
    sign_in(client, world.alice, password)
    assert client.get(reverse("mfa:security")).status_code == 200
    # A wrong code is refused and nothing is stored.
    client.get(reverse("mfa:totp_add"))
    bad = client.post(reverse("mfa:totp_add"), {"name": "Phone", "code": "000000"})
    assert bad.status_code == 200 and "That code doesn" in bad.content.decode()
    assert not TOTPDevice.objects.filter(user=world.alice).exists()

    device = enrol_app(client, world.alice)
    assert device.confirmed
    assert AuditEvent.objects.filter(
        action=AuditAction.MFA_DEVICE_ADDED, actor=world.alice
    ).exists()

    # A new sign-in: the password alone reaches no page but the code prompt.
    client.post(reverse("logout"))
    sign_in(client, world.alice, password)
    dashboard = reverse("tenant:dashboard", kwargs={"tenant_slug": "contoso"})
    response = client.get(dashboard)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa:verify") + "?next=")
    # The API refuses the half-signed-in session too, in the API error shape.
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["error"]["code"] == "mfa_required"

    wrong = client.post(reverse("mfa:verify"), {"code": "123456", "next": dashboard})
    assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
    time.sleep(1.1)  # a wrong code makes the next attempt wait a second (django-otp throttling)
    # The next 30-second step: the code used at enrolment can't be replayed.
    ok = client.post(
        reverse("mfa:verify"),
        {"code": totp_code(device, at=time.time() + 30), "next": dashboard},
    )
    assert ok.status_code == 302 and ok["Location"] == dashboard
    assert client.get(dashboard).status_code == 200


def test_a_code_is_refused_for_another_users_session(world, client, password):
    bobs = TOTPDevice.objects.create(user=world.bob, name="Bob's", confirmed=True)
    TOTPDevice.objects.create(user=world.alice, name="Alice's", confirmed=True)
    sign_in(client, world.alice, password)
    response = client.post(reverse("mfa:verify"), {"code": totp_code(bobs), "next": "/"})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_recovery_code_works_once(world, client, password):
    sign_in(client, world.alice, password)
    enrol_app(client, world.alice)
    page = client.post(reverse("mfa:recovery_codes"))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page.content.decode())
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=world.alice).count() == 10

    client.post(reverse("logout"))
    sign_in(client, world.alice, password)
    used = client.post(reverse("mfa:verify"), {"code": codes[0], "next": "/"})
    assert used.status_code == 302
    assert client.get(reverse("profile")).status_code == 200

    client.post(reverse("logout"))
    sign_in(client, world.alice, password)
    again = client.post(reverse("mfa:verify"), {"code": codes[0], "next": "/"})
    assert again.status_code == 200  # used once, gone
    assert client.get(reverse("profile")).status_code == 302
    time.sleep(1.1)  # a wrong code makes the next attempt wait a second (django-otp throttling)
    assert client.post(reverse("mfa:verify"), {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old(world, client, password):
    sign_in(client, world.alice, password)
    enrol_app(client, world.alice)
    first = re.findall(
        r"<code>([a-z2-7]+)</code>", client.post(reverse("mfa:recovery_codes")).content.decode()
    )
    client.post(reverse("mfa:recovery_codes"))
    client.post(reverse("logout"))
    sign_in(client, world.alice, password)
    assert client.post(reverse("mfa:verify"), {"code": first[0]}).status_code == 200


def test_verified_session_is_bound_to_its_device(world, client, password):
    """Removing the device that verified the session ends the verification."""
    sign_in(client, world.alice, password)
    device = enrol_app(client, world.alice)
    other = TOTPDevice.objects.create(user=world.alice, name="Spare", confirmed=True)
    assert client.get(reverse("profile")).status_code == 200
    device.delete()
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa:verify"))
    assert other.pk


def test_removing_the_last_app_is_refused_while_a_second_factor_is_required(
    world, client, password
):
    sign_in(client, world.oscar, password)
    # Oscar (an operator user) must enrol before anything else; then he cannot remove the last.
    device = enrol_app(client, world.oscar)
    response = client.post(
        reverse("mfa:device_remove"), {"kind": "totp", "device": str(device.pk)}, follow=True
    )
    assert "Add another one before removing the last" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_user_without_obligation_removes_their_app(world, client, password):
    sign_in(client, world.alice, password)
    device = enrol_app(client, world.alice)
    client.post(reverse("mfa:device_remove"), {"kind": "totp", "device": str(device.pk)})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.MFA_DEVICE_REMOVED).exists()
