"""A tenant admin configures SSO: the provider's discovery document is read and checked, the
secret is stored encrypted, e-mail domains wait for platform staff to verify them."""

import pytest
from django.db import connection
from django.urls import reverse

from portal.choices import AuditAction
from portal.errors import DomainError
from portal.models import AuditEvent, TenantDomain, TenantSSO
from portal.services.sso import add_domain
from portal.sso.addresses import check_provider_url
from tests.sso.conftest import verified_domain

SSO_URL = "/t/contoso/settings/sso/"


def form(provider, **overrides) -> dict:
    data = {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "enabled": "on",
    }
    return {**data, **overrides}


@pytest.mark.django_db(transaction=True)
def test_admin_turns_sso_on_after_the_discovery_document_checks_out(
    world, oidc_provider, sso_settings, login
):
    client = login(world.alice)
    response = client.post(SSO_URL, form(oidc_provider), follow=True)
    assert response.redirect_chain[-1][0] == SSO_URL
    assert "Single sign-on is on." in response.content.decode()
    config = TenantSSO.objects.get(tenant=world.tenant_a)
    assert (config.enabled, config.require_sso, config.client_id) == (True, False, "portal")
    # Encrypted at rest, readable by the portal, never shown again.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_secret_encrypted FROM portal_tenantsso WHERE id = %s", [config.pk]
        )
        (stored,) = cursor.fetchone()
    assert oidc_provider.client_secret not in stored
    assert config.client_secret == oidc_provider.client_secret
    assert oidc_provider.client_secret not in client.get(SSO_URL).content.decode()
    event = AuditEvent.objects.get(action=AuditAction.SSO_CONFIGURED)
    assert oidc_provider.client_secret not in str(event.details)


@pytest.mark.django_db(transaction=True)
def test_a_blank_secret_keeps_the_saved_one(world, oidc_provider, sso_settings, login):
    client = login(world.alice)
    client.post(SSO_URL, form(oidc_provider))
    client.post(SSO_URL, form(oidc_provider, client_secret="", require_sso="on"))
    config = TenantSSO.objects.get(tenant=world.tenant_a)
    assert config.require_sso and config.client_secret == oidc_provider.client_secret


@pytest.mark.django_db(transaction=True)
def test_an_issuer_the_discovery_document_does_not_name_is_refused(
    world, oidc_provider, sso_settings, login
):
    response = login(world.alice).post(
        SSO_URL, form(oidc_provider, issuer=oidc_provider.issuer + "/")
    )
    assert response.status_code == 200
    assert f"names a different issuer ({oidc_provider.issuer})" in response.content.decode()
    assert not TenantSSO.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_provider_is_refused(world, sso_settings, login):
    response = login(world.alice).post(
        SSO_URL,
        {
            "issuer": "http://127.0.0.1:9",
            "client_id": "portal",
            "client_secret": "x",
            "enabled": "on",
        },
    )
    assert "discovery document could not be read" in response.content.decode()
    assert not TenantSSO.objects.exists()


@pytest.mark.parametrize(
    ("url", "allow_loopback", "message"),
    [
        ("http://idp.example.com", True, "must use https"),
        ("http://127.0.0.1:9000", False, "must use https"),
        ("https://127.0.0.1", False, "not on the public internet"),
        ("https://10.1.2.3/tenant", True, "not on the public internet"),
        ("https://169.254.169.254/latest", True, "not on the public internet"),
        ("https://user:pw@idp.example.com", True, "https:// issuer URL"),
        ("ftp://idp.example.com", True, "https:// issuer URL"),
    ],
)
def test_provider_urls_the_portal_must_not_call_are_refused(settings, url, allow_loopback, message):
    settings.SSO_ALLOW_LOOPBACK_HTTP = allow_loopback
    with pytest.raises(DomainError, match=message):
        check_provider_url(url)


def test_a_loopback_http_issuer_is_accepted_only_when_allowed(settings):
    settings.SSO_ALLOW_LOOPBACK_HTTP = True
    check_provider_url("http://127.0.0.1:9000")
    check_provider_url("http://localhost:9000")


@pytest.mark.django_db
def test_saving_sso_off_reads_nothing_from_the_provider(world, login):
    # No network here: an Entra ID issuer is saved for later without being fetched.
    issuer = "https://login.microsoftonline.com/2f4a1c1e-0000-4000-8000-000000000000/v2.0"
    response = login(world.alice).post(
        SSO_URL, {"issuer": issuer, "client_id": "app-id", "client_secret": "secret"}
    )
    assert response.status_code == 302
    assert TenantSSO.objects.get(tenant=world.tenant_a).enabled is False


@pytest.mark.django_db
def test_the_settings_page_shows_the_redirect_uri_to_register(world, login):
    body = login(world.alice).get(SSO_URL).content.decode()
    assert "http://testserver/accounts/sso/contoso/callback/" in body


@pytest.mark.django_db
def test_domains_are_claimed_by_admins_and_verified_by_staff_in_the_admin(world, login):
    client = login(world.alice)
    client.post(reverse("tenant:sso_domain_add", args=["contoso"]), {"domain": "@Contoso.TEST"})
    claim = TenantDomain.objects.get(tenant=world.tenant_a)
    assert (claim.domain, claim.verified) == ("contoso.test", False)
    assert "Waiting for verification" in client.get(SSO_URL).content.decode()

    staff = login(world.sam)
    response = staff.post(
        reverse("admin:portal_tenantdomain_changelist"),
        {"action": "verify", "_selected_action": [claim.pk]},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.verified and claim.verified_by == world.sam
    assert AuditEvent.objects.filter(action=AuditAction.SSO_DOMAIN_VERIFIED).exists()


@pytest.mark.django_db
def test_a_domain_verified_by_another_tenant_cannot_be_claimed(world):
    verified_domain(world.tenant_b, "fabrikam.test", by=world.sam)
    with pytest.raises(DomainError, match="Another organization has verified this domain"):
        add_domain(world.tenant_a, domain="fabrikam.test", by=world.alice)
    with pytest.raises(DomainError, match="Enter a domain"):
        add_domain(world.tenant_a, domain="not a domain", by=world.alice)


@pytest.mark.django_db
def test_discovery_leads_a_verified_domain_to_its_tenants_provider(world, client):
    config = TenantSSO(tenant=world.tenant_a, issuer="https://idp.contoso.test", client_id="p")
    config.client_secret, config.enabled = "s", True
    config.save()
    add_domain(world.tenant_a, domain="contoso.test", by=world.alice)
    response = client.post(reverse("sso_discover"), {"email": "nina@contoso.test"})
    assert "No organization signs in with single sign-on" in response.content.decode()

    TenantDomain.objects.update(verified=True)
    response = client.post(reverse("sso_discover"), {"email": "nina@contoso.test"})
    body = response.content.decode()
    assert 'href="/accounts/sso/contoso/?login_hint=nina%40contoso.test"' in body
    assert "Continue to Contoso" in body


@pytest.mark.django_db
def test_a_tenant_with_sso_off_has_no_sign_in_pages(world, client):
    config = TenantSSO(tenant=world.tenant_a, issuer="https://idp.contoso.test", client_id="p")
    config.client_secret = "s"
    config.save()
    assert client.get(reverse("sso_start", args=["contoso"])).status_code == 404
    assert client.get(reverse("sso_callback", args=["contoso"])).status_code == 404


@pytest.mark.django_db
def test_a_provider_that_does_not_answer_gets_a_page_saying_so(world, sso_settings, client):
    config = TenantSSO(tenant=world.tenant_a, issuer="http://127.0.0.1:9", client_id="p")
    config.client_secret, config.enabled = "s", True
    config.save()
    response = client.get(reverse("sso_start", args=["contoso"]))
    assert response.status_code == 502
    assert "discovery document could not be read" in response.content.decode()


@pytest.mark.django_db
def test_a_callback_from_a_provider_whose_host_is_gone_gets_a_page_not_a_500(
    world, sso_settings, client
):
    # The host resolved when the settings were saved and no longer does (.invalid never does).
    config = TenantSSO(tenant=world.tenant_a, issuer="https://idp.invalid", client_id="p")
    config.client_secret, config.enabled = "s", True
    config.save()
    for view in ("sso_start", "sso_callback"):
        response = client.get(reverse(view, args=["contoso"]), {"code": "c", "state": "s"})
        assert response.status_code == 502, view
        assert "idp.invalid" in response.content.decode()
