"""API tokens: scoped, limited, expiring, shown once, hashed, listed with last use and address.
Sessions: sign out everywhere; secure cookies whenever TLS is trusted. (docs/security.md)"""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.scopes import TokenScope
from portal.choices import AuditAction
from portal.choices import TokenScope as Scope
from portal.errors import DomainError
from portal.models import ApiToken, AuditEvent
from portal.services.tokens import create_token
from tests.access.rows_api import _oscar_job

pytestmark = pytest.mark.django_db

EXPORT_REQUEST = {
    "tenant": "contoso",
    "operator": "operator-o",
    "datasets": ["numbers"],
    "start": "2026-01-01T00:00:00Z",
    "end": "2026-02-01T00:00:00Z",
}


@pytest.fixture
def published(world):
    from notices.services import publish_notice

    return publish_notice(world.tenant_a, by=world.alice)


TOKENS = "/account/tokens/"


def bearer(secret: str, address: str = "198.51.100.7") -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", "REMOTE_ADDR": address}


# --- the token page ------------------------------------------------------------------------------


def test_the_token_page_never_creates_a_token_on_get_or_reload(world, login):
    client = login(world.oscar)
    for _ in range(3):
        assert client.get(TOKENS).status_code == 200
    assert not ApiToken.objects.exists()
    created = client.post(TOKENS, {"name": "sync", "scope": "exports", "expires_in_days": "90"})
    assert created.status_code == 302 and created["Location"] == TOKENS
    shown = client.get(TOKENS)
    secret = shown.context["secret"]
    assert secret.encode() in shown.content
    reloaded = client.get(TOKENS)  # a reload: the secret is gone, no second token
    assert reloaded.context["secret"] is None and secret.encode() not in reloaded.content
    assert ApiToken.objects.count() == 1
    token = ApiToken.objects.get()
    assert token.key_hash == ApiToken.hash_key(secret) and secret not in str(token.__dict__)


def test_a_new_token_expires_in_90_days_unless_chosen_and_in_a_year_at_most(world):
    token, _ = create_token(world.oscar, name="default")
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert token.scope == Scope.READ
    year, _ = create_token(world.oscar, name="year", expires_in_days=365)
    assert year.expires_at - timezone.now() <= timedelta(days=365)
    with pytest.raises(DomainError) as refused:
        create_token(world.oscar, name="too long", expires_in_days=366)
    assert refused.value.field == "expires_in_days"


def test_the_form_offers_no_token_that_never_expires(world, login):
    page = login(world.oscar).get(TOKENS).content.decode()
    assert "Never" not in page
    response = login(world.oscar).post(
        TOKENS, {"name": "forever", "scope": "read", "expires_in_days": ""}
    )
    assert response.status_code == 400 and not ApiToken.objects.exists()
    # The error summary above the form links to the field (docs/ui.md "Forms").
    summary = response.content.decode().split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_expires_in_days"' in summary


def test_the_list_shows_scope_limit_last_use_and_its_address(world, login):
    _, secret = create_token(
        world.oscar, name="nightly", scope=Scope.EXPORTS, operator=world.operator_o,
        ip="203.0.113.4",
    )  # fmt: skip
    assert Client().get("/api/v1/me", **bearer(secret, "198.51.100.7")).status_code == 200
    page = login(world.oscar).get(TOKENS).content.decode()
    assert "Exports: request, poll, download" in page
    assert "operator Operator O" in page
    assert "from 203.0.113.4" in page  # where it was made
    assert "from 198.51.100.7" in page  # where it was last used


def test_a_token_cannot_be_limited_to_someone_elses_tenant_or_operator(world):
    with pytest.raises(DomainError):
        create_token(world.oscar, name="x", tenant=world.tenant_b)
    with pytest.raises(DomainError):
        create_token(world.oscar, name="x", operator=world.operator_u)
    with pytest.raises(DomainError):
        create_token(world.sam, name="x", tenant=world.tenant_a, operator=world.operator_o)


def test_creating_a_token_is_audited_with_its_scope(world):
    create_token(world.alice, name="x", scope=Scope.FULL, tenant=world.tenant_a, ip="192.0.2.1")
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATED)
    assert event.tenant == world.tenant_a and event.details["scope"] == "full"


# --- scopes ----------------------------------------------------------------------------------------


def _token(user, scope, **limit) -> str:
    return create_token(user, name=f"{scope}-{len(limit)}", scope=scope, **limit)[1]


def test_a_read_only_token_reads_but_never_writes_or_downloads(world):
    client, secret = Client(), _token(world.oscar, Scope.READ)
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
    assert client.get("/api/v1/exports/", **bearer(secret)).status_code == 200
    refused = client.post("/api/v1/exports/", EXPORT_REQUEST,
                          content_type="application/json", **bearer(secret))  # fmt: skip
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert "read only" in refused.json()["error"]["message"]
    job = _oscar_job(world)["job_id"]
    download = client.get(f"/api/v1/exports/{job}/download", **bearer(secret))
    assert download.status_code == 403


def test_an_exports_token_requests_polls_and_downloads_and_nothing_else(world, published):
    client, secret = Client(), _token(world.oscar, Scope.EXPORTS)
    made = client.post("/api/v1/exports/", EXPORT_REQUEST,
                       content_type="application/json", **bearer(secret))  # fmt: skip
    assert made.status_code == 202
    assert client.get(made["Location"], **bearer(secret)).status_code == 200
    download = client.get(made["Location"].rstrip("/") + "/download", **bearer(secret))
    assert download.status_code == 409  # allowed; just not ready yet
    assert client.get("/api/v1/operators/", **bearer(secret)).status_code == 403
    cancel = client.post(made["Location"].rstrip("/") + "/cancel", **bearer(secret))
    assert cancel.status_code == 403


def test_a_full_token_does_what_its_user_may(world, published):
    client, secret = Client(), _token(world.oscar, Scope.FULL)
    made = client.post("/api/v1/exports/", EXPORT_REQUEST,
                       content_type="application/json", **bearer(secret))  # fmt: skip
    assert made.status_code == 202
    cancel = client.post(made["Location"].rstrip("/") + "/cancel", **bearer(secret))
    assert cancel.status_code == 200
    # Never more than its user: oscar is not staff.
    assert client.post("/api/v1/operators/", {}, content_type="application/json",
                       **bearer(secret)).status_code == 403  # fmt: skip


def test_a_token_limited_to_a_tenant_reaches_nothing_else(world):
    client, secret = Client(), _token(world.sam, Scope.FULL, tenant=world.tenant_a)
    assert client.get("/api/v1/tenants/contoso/", **bearer(secret)).status_code == 200
    assert client.get("/api/v1/tenants/fabrikam/", **bearer(secret)).status_code == 404
    other = client.get("/api/v1/operators/operator-o/members/", **bearer(secret))
    assert other.status_code == 404


def test_a_token_limited_to_an_operator_sees_only_its_exports(world):
    job = _oscar_job(world)["job_id"]  # contoso → operator O
    staff_secret = _token(world.sam, Scope.FULL, operator=world.operator_u)
    client = Client()
    assert client.get(f"/api/v1/exports/{job}/", **bearer(staff_secret)).status_code == 404
    listed = client.get("/api/v1/exports/", **bearer(staff_secret)).json()
    assert listed["results"] == []
    refused = client.post("/api/v1/exports/", EXPORT_REQUEST, content_type="application/json",
                          **bearer(staff_secret))  # fmt: skip
    assert refused.status_code == 404
    own = _token(world.sam, Scope.FULL, operator=world.operator_o)
    assert client.get(f"/api/v1/exports/{job}/", **bearer(own)).status_code == 200


def _api_views():
    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(
                    entry, namespace + (f"{entry.namespace}:" if entry.namespace else "")
                )
            elif isinstance(entry, URLPattern) and namespace.startswith("api:"):
                yield namespace + (entry.name or ""), entry.callback

    return list(walk(get_resolver()))


def test_every_api_view_checks_the_token_scope():
    views = _api_views()
    assert len(views) > 20
    for name, callback in views:
        cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if cls is None:  # schema/docs views of drf-spectacular
            continue
        classes = cls.permission_classes
        assert any(isinstance(p, type) and issubclass(p, TokenScope) for p in classes), name


def test_the_schema_views_refuse_nothing_a_token_may_read(world):
    secret = _token(world.oscar, Scope.READ)
    assert Client().get("/api/schema/", **bearer(secret)).status_code in (200, 401, 403)


# --- sessions --------------------------------------------------------------------------------------


def _signed_in(email: str, password: str) -> Client:
    client = Client()
    assert (
        client.post(reverse("login"), {"username": email, "password": password}).status_code == 302
    )
    return client


def test_sign_out_everywhere_ends_every_other_session_and_keeps_this_one(world, password):
    laptop = _signed_in("alice@contoso.test", password)
    phone = _signed_in("alice@contoso.test", password)
    assert phone.get("/t/contoso/").status_code == 200
    response = laptop.post(reverse("sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    assert laptop.get("/t/contoso/").status_code == 200
    gone = phone.get("/t/contoso/")
    assert gone.status_code == 302 and gone["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(
        action=AuditAction.SIGNED_OUT_EVERYWHERE, actor=world.alice
    ).exists()


def test_sign_out_everywhere_leaves_other_users_and_tokens_alone(world, password):
    victor = _signed_in("victor@contoso.test", password)
    _, secret = create_token(world.alice, name="script")
    alice = _signed_in("alice@contoso.test", password)
    alice.post(reverse("sign_out_everywhere"))
    assert victor.get("/t/contoso/").status_code == 200
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200


def test_the_profile_page_has_the_button(world, login):
    page = login(world.alice).get(reverse("profile")).content.decode()
    assert f'action="{reverse("sign_out_everywhere")}"' in page


def _cookie_settings(**env) -> str:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings';"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    full_env = {**os.environ, "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "portal.example", **env}
    out = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    return out.stdout.strip()


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({"DEBUG": "false"}, "True True"),
        ({"DEBUG": "true", "TRUST_X_FORWARDED_PROTO": "true"}, "True True"),
        ({"DEBUG": "true", "TRUST_X_FORWARDED_PROTO": "false"}, "False False"),
    ],
)
def test_cookies_are_secure_whenever_tls_is_trusted(env, secure):
    assert _cookie_settings(**env) == secure


def test_signing_in_starts_a_new_session_key(world, password):
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "alice@contoso.test", "password": password})
    assert client.session.session_key != before and "_auth_user_id" in client.session


def test_disabling_an_account_ends_its_sessions_and_tokens(world, password):
    browser = _signed_in("alice@contoso.test", password)
    _, secret = create_token(world.alice, name="script")
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])
    assert browser.get("/t/contoso/").status_code == 302
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401
