"""An operator analyst in a real Chromium: forced to set up a second factor at first sign-in,
with a passkey (a DevTools virtual authenticator) or an authenticator app (codes computed here),
then asked for it at the next sign-in (docs/mfa.md)."""

import re
import time
from base64 import b32decode
from binascii import hexlify

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.mfa import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, settings):
    # Passkeys belong to a host name: the live server's "localhost" and its origin.
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    return live_server.url


def sign_in(page, base, user, password):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_passkey_enrolment_and_sign_in(site, page, world, password, tmp_path):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]

    sign_in(page, site, world.oscar, password)
    # Nothing but enrolment until a second factor is set up.
    expect(page).to_have_url(re.compile(r"/account/security/\?next="))
    expect(page.get_by_role("alert")).to_contain_text("Operator users download personal data")
    page.goto(f"{site}/o/operator-o/")
    expect(page).to_have_url(re.compile(r"/account/security/\?next="))

    page.get_by_role("button", name="Add a passkey").click()
    expect(page).to_have_url(re.compile(r"/o/operator-o/$"))  # back where he was going
    expect(page.get_by_role("heading", name="Operator O", level=1)).to_be_visible()
    assert WebAuthnCredential.objects.filter(user=world.oscar, confirmed=True).count() == 1
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    # Next sign-in: the password alone leads only to the prompt; the passkey opens the portal.
    sign_out(page)
    sign_in(page, site, world.oscar, password)
    expect(page).to_have_url(re.compile(r"/account/security/verify/"))
    page.goto(f"{site}/o/operator-o/exports/")
    expect(page).to_have_url(re.compile(r"/account/security/verify/\?next="))
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(re.compile(r"/o/operator-o/exports/$"))
    page.screenshot(path=str(tmp_path / "after-passkey.png"))
    credential = WebAuthnCredential.objects.get(user=world.oscar)
    assert credential.last_used_at is not None


def test_app_enrolment_and_sign_in_with_computed_codes(site, page, world, password):
    sign_in(page, site, world.oscar, password)
    expect(page).to_have_url(re.compile(r"/account/security/\?next="))
    page.get_by_role("link", name="Add an authenticator app").click()
    expect(page.get_by_role("img", name="QR code of the sign-in secret")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    phone = TOTPDevice(key=hexlify(b32decode(secret)).decode())
    page.get_by_label("Code from the app").fill(totp_code(phone))
    page.get_by_role("button", name="Confirm").click()
    # Where the sign-in was going ("/"): a user of one operator lands on its home.
    expect(page).to_have_url(f"{site}/o/operator-o/")
    expect(page.get_by_role("heading", name="Operator O", level=1)).to_be_visible()

    sign_out(page)
    sign_in(page, site, world.oscar, password)
    expect(page).to_have_url(re.compile(r"/account/security/verify/"))
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    page.wait_for_timeout(1100)  # a wrong code makes the next attempt wait a second
    page.get_by_label("Code").fill(totp_code(phone, at=time.time() + 30))  # the next step
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{site}/o/operator-o/")
    expect(page.get_by_role("heading", name="Operator O", level=1)).to_be_visible()
