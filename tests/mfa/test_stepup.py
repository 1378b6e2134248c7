"""Step-up: a new API token, a new member and a masking change need a second factor from the
last MFA_RECENT_MINUTES, in pages and in the session API; token calls are unaffected."""

import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import ApiToken, Membership
from tests.api.conftest import make_token
from tests.mfa import force_login_unverified, mark_session_verified, totp_code

pytestmark = pytest.mark.django_db

STALE = 11 * 60  # seconds: beyond the default 10 minutes
TOKEN = {"name": "script", "scope": "read", "expires_in_days": "90"}


@pytest.fixture
def stale(client):
    """``stale(user)``: signed in with a second factor verified 11 minutes ago."""

    def _stale(user):
        force_login_unverified(client, user)
        mark_session_verified(client, user, at=time.time() - STALE)
        return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)

    return _stale


def reverify(client, device, response, *, at=None):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa:verify") + "?next=")
    nxt = response["Location"].split("next=", 1)[1]
    from urllib.parse import unquote

    done = client.post(
        reverse("mfa:verify"), {"code": totp_code(device, at=at), "next": unquote(nxt)}
    )
    assert done.status_code == 302
    return unquote(nxt)


def test_token_creation_needs_a_recent_second_factor(world, client, stale):
    device = stale(world.oscar)
    tokens = reverse("tokens")
    assert client.get(tokens).status_code == 200  # reading the list is fine
    refused = client.post(tokens, TOKEN)
    assert not ApiToken.objects.filter(user=world.oscar).exists()
    back = reverify(client, device, refused)
    assert back == tokens
    created = client.post(tokens, TOKEN)
    assert (created.status_code, created["Location"]) == (302, tokens)  # POST-redirect-GET
    assert ApiToken.objects.filter(user=world.oscar, name="script").exists()


def test_recent_window_follows_the_setting(world, client, stale, settings):
    stale(world.oscar)
    settings.MFA_RECENT_MINUTES = 15
    created = client.post(reverse("tokens"), TOKEN)
    assert created.status_code == 302
    assert ApiToken.objects.filter(user=world.oscar, name="script").exists()


def test_member_add_needs_a_recent_second_factor(world, client, stale):
    device = stale(world.alice)
    url = reverse("tenant:member_add", kwargs={"tenant_slug": "contoso"})
    data = {"email": "new.person@contoso.test", "full_name": "New Person", "role": "viewer"}
    assert client.get(url)["Location"].startswith(reverse("mfa:verify"))
    refused = client.post(url, data)
    assert not Membership.objects.filter(user__email="new.person@contoso.test").exists()
    assert reverify(client, device, refused) == url
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    assert Membership.objects.filter(user__email="new.person@contoso.test").exists()


def test_step_up_never_reveals_another_tenant(world, client, stale):
    stale(world.bob)
    url = reverse("tenant:member_add", kwargs={"tenant_slug": "contoso"})
    assert client.get(url).status_code == 404


def test_api_member_add_and_masking_refuse_a_stale_session(world, client, stale):
    stale(world.alice)
    members = reverse("api:member-list", kwargs={"tenant_slug": "contoso"})
    refused = client.post(
        members, {"email": "new.person@contoso.test", "role": "viewer"},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "mfa_required"

    detail = reverse("api:tenant-detail", kwargs={"tenant_slug": "contoso"})
    masking = not world.tenant_a.mask_external_digits
    refused = client.patch(
        detail, {"mask_external_digits": masking}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "mfa_required"
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.mask_external_digits != masking
    # Other fields need no step-up.
    ok = client.patch(detail, {"privacy_contact_name": "DPO"}, content_type="application/json")
    assert ok.status_code == 200


def test_api_writes_pass_with_a_recent_second_factor(world, client):
    client.force_login(world.alice)  # verified just now
    detail = reverse("api:tenant-detail", kwargs={"tenant_slug": "contoso"})
    masking = not world.tenant_a.mask_external_digits
    ok = client.patch(detail, {"mask_external_digits": masking}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["mask_external_digits"] == masking


def test_token_authenticated_api_is_unaffected(world, client):
    key = make_token(world.alice)
    members = reverse("api:member-list", kwargs={"tenant_slug": "contoso"})
    response = client.post(
        members, {"email": "new.person@contoso.test", "role": "viewer"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}",
    )  # fmt: skip
    assert response.status_code == 201
