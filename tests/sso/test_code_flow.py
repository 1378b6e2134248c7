"""Sign-in with a tenant's OpenID Connect provider, through a real browser against a real
provider on loopback: discovery, code flow with PKCE, and every check on the way back."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from portal.choices import AuditAction, TenantRole
from portal.models import AuditEvent, Membership, User
from tests.sso.conftest import sign_in_at_provider, verified_domain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _authorize_requests(page, issuer: str) -> list[dict]:
    seen: list[dict] = []
    page.on(
        "request",
        lambda r: (
            seen.append(parse_qs(urlsplit(r.url).query))
            if r.url.startswith(f"{issuer}/auth?")
            else None
        ),
    )
    return seen


def _refusals(tenant) -> list[str]:
    return list(
        AuditEvent.objects.filter(tenant=tenant, action=AuditAction.SSO_REFUSED).values_list(
            "details__reason", flat=True
        )
    )


def test_invited_member_signs_in_with_code_flow_pkce_state_and_nonce(
    world, contoso_sso, oidc_provider, live_server, sso_page
):
    page = sso_page
    authorize = _authorize_requests(page, oidc_provider.issuer)
    page.goto(f"{live_server.url}/accounts/sso/contoso/")
    sign_in_at_provider(page, "alice@contoso.test")

    expect(page.get_by_role("heading", name="Contoso", level=1)).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/t/contoso/")
    (query,) = authorize
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == [f"{live_server.url}/accounts/sso/contoso/callback/"]
    event = AuditEvent.objects.get(action=AuditAction.SSO_SIGNED_IN)
    assert (event.actor, event.tenant) == (world.alice, world.tenant_a)


def test_discovery_by_verified_domain_lets_a_new_colleague_join_as_viewer(
    world, contoso_sso, oidc_provider, live_server, sso_page
):
    verified_domain(world.tenant_a, "contoso.test", by=world.sam)
    page = sso_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with your organization (SSO)").click()
    page.get_by_label("Work e-mail address").fill("nina@contoso.test")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(re.escape(oidc_provider.issuer)))
    sign_in_at_provider(page, "nina@contoso.test")

    expect(page.get_by_text("Welcome to Contoso. You joined as a viewer.")).to_be_visible()
    nina = User.objects.get(email="nina@contoso.test")
    assert not nina.has_usable_password()
    assert Membership.objects.get(user=nina).role == TenantRole.VIEWER
    assert AuditEvent.objects.filter(action=AuditAction.SSO_MEMBER_JOINED, actor=nina).exists()


def test_a_callback_carrying_another_sign_ins_state_is_refused(
    world, contoso_sso, oidc_provider, live_server, sso_page, browser
):
    """Login CSRF: an attacker finishes a sign-in of their own and hands its callback URL (their
    code, their state) to a victim whose own sign-in is under way with another state."""
    callbacks: list[str] = []
    sso_page.on("request", lambda r: callbacks.append(r.url) if "/callback/" in r.url else None)
    sso_page.goto(f"{live_server.url}/accounts/sso/contoso/")
    sign_in_at_provider(sso_page, "alice@contoso.test")
    expect(sso_page.get_by_role("heading", name="Contoso", level=1)).to_be_visible()

    context = browser.new_context()
    victim = context.new_page()
    victim.route("**/fonts.googleapis.com/**", lambda route: route.abort())
    victim.goto(f"{live_server.url}/accounts/sso/contoso/")  # the victim's state, in its session
    expect(victim.locator("input[name=login]")).to_be_visible()
    victim.goto(callbacks[0])

    expect(victim.get_by_role("alert")).to_have_text(
        "This sign-in was not started here, or it expired. Please start again."
    )
    victim.goto(f"{live_server.url}/t/contoso/")
    expect(victim).to_have_url(re.compile(r"/accounts/login/"))
    context.close()
    assert _refusals(world.tenant_a) == ["state_mismatch"]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("tamper", "bad_signature"),  # payload changed after signing
        ("wrong-key", "bad_signature"),  # signed with a key the provider never published
        ("wrong-aud", "'aud'"),  # issued to another client
        ("wrong-nonce", "'nonce'"),  # not the answer to this sign-in
        ("wrong-iss", "'iss'"),  # from another issuer
    ],
)
def test_an_id_token_that_fails_verification_is_refused(
    world, contoso_sso, oidc_provider, live_server, sso_page, mode, reason
):
    page = sso_page
    with oidc_provider.bad_tokens(mode):
        page.goto(f"{live_server.url}/accounts/sso/contoso/")
        sign_in_at_provider(page, "alice@contoso.test")
        expect(page.get_by_role("alert")).to_have_text(
            "The identity provider's answer could not be verified."
        )
    (refusal,) = _refusals(world.tenant_a)
    assert reason in refusal, refusal
    assert not AuditEvent.objects.filter(action=AuditAction.SSO_SIGNED_IN).exists()
    page.goto(f"{live_server.url}/t/contoso/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_someone_not_invited_and_outside_verified_domains_is_refused(
    world, contoso_sso, oidc_provider, live_server, sso_page
):
    # contoso.test is claimed but not verified by staff yet: no just-in-time membership.
    from portal.services.sso import add_domain

    add_domain(world.tenant_a, domain="contoso.test", by=world.alice)
    page = sso_page
    page.goto(f"{live_server.url}/accounts/sso/contoso/")
    sign_in_at_provider(page, "mallory@contoso.test")

    expect(page.get_by_role("alert")).to_have_text(
        "mallory@contoso.test is not a member of Contoso. Ask one of its admins to invite you."
    )
    assert not User.objects.filter(email="mallory@contoso.test").exists()
    assert _refusals(world.tenant_a) == ["not_invited"]
