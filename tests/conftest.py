"""Shared personas (STYLE §14): every test talks about the same people.

- alice: admin of tenant A (Contoso, GB), which enabled Operator Connect and assigned operator O
- victor: viewer of tenant A
- bob: admin of tenant B (Fabrikam, DE), which assigned nobody
- oscar: analyst of operator O (assigned by A); olivia: admin of operator O
- uma: analyst of operator U (assigned by nobody)
- sam: platform staff
"""

import os
from types import SimpleNamespace

import pytest
from django.conf import settings

from portal import services
from portal.choices import CompanySize, OperatorRole, TenantRole
from tests.factories import (
    DEFAULT_PASSWORD,
    OperatorFactory,
    TenantFactory,
    UserFactory,
    membership,
    operator_membership,
)


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The suite compiles the message catalogues itself: a fresh clone has no ``.mo`` files
    (they are built, not committed), and pages would silently render English without them."""
    from portal.translations import catalogues, compile_catalogue, stale_catalogues

    if stale_catalogues():
        for _lang, po in catalogues():
            compile_catalogue(po)
    assert not stale_catalogues(), stale_catalogues()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher costs ~0.3 s a password; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """``client.force_login(user)`` stands for a complete sign-in: password AND second factor.

    Every user may need a second factor (docs/mfa.md); tests that are not about it sign in
    verified, just now. Tests about the second factor sign in with ``tests.mfa.sign_in``.
    """
    from django.test.client import ClientMixin

    from tests.mfa import force_login_unverified, mark_session_verified

    def force_login(self, user, backend=None):
        force_login_unverified(self, user, backend)
        mark_session_verified(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture(autouse=True)
def _notifications_in_process(settings):
    # No Celery worker consumes the test broker: send notifications where they are committed.
    # (tests/operator/test_notifications.py checks the Celery path with an eager app.)
    settings.NOTIFICATIONS_VIA_CELERY = False


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    # A request through the test client leaves its language active in the thread (as Django
    # does between requests of one worker thread); a test must not inherit the previous one's.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _webhooks_in_process(settings):
    # Likewise webhooks: one attempt where the event is committed, retries by calling
    # ``webhooks.attempt`` (tests/operator/test_webhooks.py checks the Celery path).
    settings.WEBHOOKS_VIA_CELERY = False
    settings.WEBHOOK_ALLOW_LOOPBACK = True


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> SimpleNamespace:
    """Two tenants, two operators and their people; tenant A shares with operator O."""
    alice = UserFactory(email="alice@contoso.test", full_name="Alice Admin")
    victor = UserFactory(email="victor@contoso.test", full_name="Victor Viewer")
    bob = UserFactory(email="bob@fabrikam.test", full_name="Bob Admin")
    oscar = UserFactory(email="oscar@operator-o.test", full_name="Oscar Operator")
    olivia = UserFactory(email="olivia@operator-o.test", full_name="Olivia OpAdmin")
    uma = UserFactory(email="uma@operator-u.test", full_name="Uma Unassigned")
    sam = UserFactory(email="sam@platform.test", full_name="Sam Staff", is_staff=True)

    tenant_a = TenantFactory(name="Contoso", slug="contoso", country="GB")
    tenant_b = TenantFactory(name="Fabrikam", slug="fabrikam", country="DE")
    membership(alice, tenant_a, TenantRole.ADMIN)
    membership(victor, tenant_a, TenantRole.VIEWER)
    membership(bob, tenant_b, TenantRole.ADMIN)

    operator_o = OperatorFactory(name="Operator O", slug="operator-o", countries=["GB", "DE", "FR"])
    operator_u = OperatorFactory(name="Operator U", slug="operator-u", countries=["GB", "DE"])
    operator_membership(oscar, operator_o, OperatorRole.ANALYST)
    operator_membership(olivia, operator_o, OperatorRole.ADMIN)
    operator_membership(uma, operator_u, OperatorRole.ANALYST)

    services.enable_operator_connect(tenant_a, by=alice, acknowledged=True)
    assignment = services.assign_operator(
        tenant_a,
        operator_o,
        countries=["GB", "DE"],
        contact_full_name="Alice Admin",
        contact_email="alice@contoso.test",
        company_size=CompanySize.S251_1000,
        acknowledged=True,
        by=alice,
    )
    return SimpleNamespace(
        alice=alice,
        victor=victor,
        bob=bob,
        oscar=oscar,
        olivia=olivia,
        uma=uma,
        sam=sam,
        tenant_a=tenant_a,
        tenant_b=tenant_b,
        operator_o=operator_o,
        operator_u=operator_u,
        assignment=assignment,
    )


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in as ``user`` (no password round trip)."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


# --- a real headless Chromium (Debian's, never a downloaded one) driven by Playwright ----------
# One per session for every browser test: two sync Playwright instances cannot share a thread.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so tell Django not to refuse them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
