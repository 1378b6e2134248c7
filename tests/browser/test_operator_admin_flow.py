"""An operator admin in a real browser: sign in (straight to the operator), open a tenant and
see what it shared, invite an analyst, and the mailed set-password link works once."""

import re
from base64 import b32decode
from binascii import hexlify

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from notices.services import publish_notice
from tests.factories import DEFAULT_PASSWORD
from tests.mfa import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-enough-passphrase-2026"


def sign_in(page, base, email, password):
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_operator_admin_opens_a_tenant_and_invites_an_analyst(
    live_server, page, browser, world, tmp_path
):
    publish_notice(world.tenant_a, by=world.alice)
    mail.outbox.clear()
    base = live_server.url

    phone = TOTPDevice.objects.create(user=world.olivia, name="Phone", confirmed=True)
    sign_in(page, base, "olivia@operator-o.test", DEFAULT_PASSWORD)
    # Operator staff always pass a second factor (docs/mfa.md) ...
    expect(page).to_have_url(re.compile(r"/account/security/verify/\?next="))
    page.get_by_label("Code").fill(totp_code(phone))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base}/o/operator-o/")  # ... then her only operator: no chooser

    page.get_by_role("link", name="Contoso").click()
    expect(page.get_by_role("heading", name="Contoso", level=1)).to_be_visible()
    expect(page.get_by_text("alice@contoso.test")).to_be_visible()
    expect(page.get_by_text("251–1,000 employees")).to_be_visible()
    expect(page.get_by_text("Shared now: DE, GB.")).to_be_visible()
    expect(page.get_by_role("link", name="version 1")).to_be_visible()
    status = page.get_by_role("combobox", name="Status")
    expect(status).to_have_value("")  # pending: nothing preselected
    page.screenshot(path=str(tmp_path / "tenant.png"), full_page=True)

    page.get_by_role("link", name="Members").click()
    page.get_by_role("link", name="Invite a member").click()
    page.get_by_label("E-mail address").fill("nadia@operator-o.test")
    page.get_by_label("Full name (optional)").fill("Nadia Analyst")
    page.get_by_label("Analyst").check()
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("We e-mailed them a link to set a password.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Nadia Analyst"))).to_contain_text("invited")

    [message] = [m for m in mail.outbox if m.to == ["nadia@operator-o.test"]]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)

    nadia = browser.new_context().new_page()
    nadia.goto(f"{base}{link}")
    nadia.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    nadia.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    nadia.get_by_role("button", name="Set password").click()
    expect(nadia.get_by_text("Your new password is set.")).to_be_visible()

    nadia.goto(f"{base}{link}")  # the link works once
    expect(nadia.get_by_role("alert")).to_contain_text("invalid or was already used")

    sign_in(nadia, base, "nadia@operator-o.test", NEW_PASSWORD)
    # A new operator user sets up a second factor before anything else.
    expect(nadia).to_have_url(re.compile(r"/account/security/\?next="))
    nadia.get_by_role("link", name="Add an authenticator app").click()
    secret = nadia.locator("#totp-secret").inner_text().replace(" ", "")
    app = TOTPDevice(key=hexlify(b32decode(secret)).decode())
    nadia.get_by_label("Code from the app").fill(totp_code(app))
    nadia.get_by_role("button", name="Confirm").click()
    expect(nadia).to_have_url(f"{base}/o/operator-o/")
    expect(nadia.get_by_role("link", name="Members")).to_have_count(0)  # analysts don't manage
    nadia.context.close()
