"""Who must use a second factor: operator users and staff always; tenant members when their
tenant requires it; everyone who set one up (docs/mfa.md)."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.choices import AuditAction
from portal.models import AuditEvent
from tests.exports.conftest import make_job
from tests.mfa import force_login_unverified, sign_in, totp_code
from tests.mfa.test_totp import enrol_app

pytestmark = pytest.mark.django_db


def test_operator_without_device_is_sent_to_enrol_and_can_do_nothing_else(world, client, password):
    sign_in(client, world.oscar, password)
    home = reverse("operator:home", kwargs={"operator_slug": "operator-o"})
    for url in (home, "/", reverse("profile"), reverse("tokens")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa:security") + "?next="), url
    page = client.get(reverse("mfa:security"))
    assert "Operator users download personal data" in page.content.decode()
    # Nor the API with the session.
    assert client.get("/api/v1/exports/").json()["error"]["code"] == "mfa_required"

    enrol_app(client, world.oscar)
    assert client.get(home).status_code == 200


def test_operator_without_device_cannot_download_an_export(world, client, password):
    job = make_job(world.tenant_a, world.operator_o, world.olivia)
    sign_in(client, world.oscar, password)
    url = reverse(
        "operator:export_download", kwargs={"operator_slug": "operator-o", "job_id": job.pk}
    )
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa:security"))


def test_staff_without_device_is_sent_to_enrol(world, client, password):
    sign_in(client, world.sam, password)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa:security"))


def test_token_api_is_unaffected(world, client):
    from tests.api.conftest import make_token

    key = make_token(world.oscar)  # Oscar never set up a second factor
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_tenant_member_signs_in_with_password_alone_by_default(world, client, password):
    sign_in(client, world.victor, password)
    assert (
        client.get(reverse("tenant:dashboard", kwargs={"tenant_slug": "contoso"})).status_code
        == 200
    )


def test_tenant_admin_requires_a_second_factor_of_members(world, client, password):
    dashboard = reverse("tenant:dashboard", kwargs={"tenant_slug": "contoso"})
    policy = reverse("tenant:security", kwargs={"tenant_slug": "contoso"})
    # Alice has no device: turning the policy on asks her to set one up first.
    sign_in(client, world.alice, password)
    response = client.post(policy, {"require_mfa": "on"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa:security"))
    world.tenant_a.refresh_from_db()
    assert not world.tenant_a.require_mfa

    enrol_app(client, world.alice)
    response = client.post(policy, {"require_mfa": "on"})
    assert response.status_code == 302 and response["Location"] == policy
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.require_mfa
    assert AuditEvent.objects.filter(
        action=AuditAction.MFA_POLICY_CHANGED, tenant=world.tenant_a
    ).exists()

    # Victor, a member, now has to enrol before he sees his tenant; Bob (tenant B) does not.
    client.post(reverse("logout"))
    sign_in(client, world.victor, password)
    response = client.get(dashboard)
    assert response["Location"].startswith(reverse("mfa:security"))
    assert "Your organization requires" in client.get(response["Location"]).content.decode()
    client.post(reverse("logout"))
    sign_in(client, world.bob, password)
    assert (
        client.get(reverse("tenant:dashboard", kwargs={"tenant_slug": "fabrikam"})).status_code
        == 200
    )


def test_viewer_cannot_change_the_policy(world, client):
    client.force_login(world.victor)
    policy = reverse("tenant:security", kwargs={"tenant_slug": "contoso"})
    assert client.post(policy, {"require_mfa": "on"}).status_code == 403


def test_user_with_a_device_must_verify_whatever_signed_them_in(world, client):
    """Enforced by middleware, not the login view: any login (e.g. SSO) lands on the prompt."""
    device = TOTPDevice.objects.create(user=world.victor, name="Phone", confirmed=True)
    force_login_unverified(client, world.victor)  # as another sign-in method would
    response = client.get(reverse("profile"))
    assert response["Location"].startswith(reverse("mfa:verify"))
    client.post(reverse("mfa:verify"), {"code": totp_code(device)})
    assert client.get(reverse("profile")).status_code == 200


def test_public_notice_stays_public_for_a_half_signed_in_session(world, client, password):
    TOTPDevice.objects.create(user=world.alice, name="Phone", confirmed=True)
    sign_in(client, world.alice, password)
    response = client.get(reverse("public:notice", kwargs={"tenant_slug": "contoso"}))
    assert response.status_code in (200, 404)  # not a redirect to the prompt
