"""A real OpenID Connect provider on loopback (tests/oidc, the `oidc-provider` npm package).

One provider per test session, started once the live server's address is known (its client's
redirect URIs must match exactly). ``oidc_provider.bad_tokens(mode)`` makes its token endpoint
hand out a bad ID token for the duration of a ``with`` block (see tests/oidc/provider.mjs).
"""

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from portal.services import sso as sso_services

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
SLUGS = ("contoso", "fabrikam")


def _npm_ci() -> None:
    if (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed for the SSO tests (apt-get install nodejs npm; .ci/run does)"
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OIDC_DIR, check=True
    )


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    _npm_ci()
    redirect_uris = ",".join(f"{live_server.url}/accounts/sso/{s}/callback/" for s in SLUGS)
    with tempfile.NamedTemporaryFile(prefix="oidc-provider-", suffix=".log", delete=False) as log:
        proc = subprocess.Popen(
            ["node", "provider.mjs"],
            cwd=OIDC_DIR,
            env={**os.environ, "OIDC_PORT": "0", "OIDC_REDIRECT_URIS": redirect_uris},
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            line = proc.stdout.readline()
            assert line, f"the OIDC provider did not start; see {log.name}"
            info = json.loads(line)
            yield SimpleNamespace(**info, bad_tokens=_bad_tokens(info["issuer"]), log=log.name)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _bad_tokens(issuer: str):
    @contextlib.contextmanager
    def bad_tokens(mode: str):
        requests.post(f"{issuer}/__test__/mode", params={"set": mode}, timeout=5)
        try:
            yield
        finally:
            requests.post(f"{issuer}/__test__/mode", params={"set": ""}, timeout=5)

    return bad_tokens


@pytest.fixture
def sso_settings(settings):
    settings.SSO_ALLOW_LOOPBACK_HTTP = True
    return settings


@pytest.fixture
def contoso_sso(world, oidc_provider, sso_settings):
    """Tenant A (Contoso) signs in with the loopback provider (configured through the service,
    which reads the provider's discovery document)."""
    return sso_services.configure_sso(
        world.tenant_a,
        issuer=oidc_provider.issuer,
        client_id=oidc_provider.client_id,
        client_secret=oidc_provider.client_secret,
        enabled=True,
        require_sso=False,
        by=world.alice,
    )


def verified_domain(tenant, domain: str, by):
    claim = sso_services.add_domain(tenant, domain=domain, by=by)
    return sso_services.verify_domain(claim, by=by)


def sign_in_at_provider(page, email: str) -> None:
    """The provider's own sign-in form (any password works on the test provider)."""
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()


@pytest.fixture
def sso_page(page):
    # The provider's stock page imports a web font; nothing leaves the machine.
    page.route("**/fonts.googleapis.com/**", lambda route: route.abort())
    return page
