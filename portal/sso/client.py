"""One Authlib OpenID Connect client per tenant, built from the tenant's configuration.

Authlib does the protocol: discovery (``server_metadata_url``), the authorization request with
state, nonce and PKCE (S256), the code exchange, and the ID token's signature (the provider's
JWKS) and claims (``iss``, ``aud``, ``exp``, ``nonce``, ``azp``). Nothing here parses a token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from portal.errors import DomainError
from portal.models import TenantSSO
from portal.sso.addresses import check_provider_url

log = logging.getLogger(__name__)

SCOPE = "openid email profile"
# The discovery document's URLs the portal calls from the server.
SERVER_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class SSOFailed(DomainError):
    """The provider could not be used, or its answer was refused. ``reason`` is for the audit."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message, code="sso_failed")
        self.reason = reason


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def build_client(config: TenantSSO) -> DjangoOAuth2App:
    """A fresh client (its own registry: nothing is shared between tenants or requests).

    The registry name carries the tenant, so the state Authlib keeps in the session for one
    tenant's sign-in is never accepted by another tenant's callback.
    """
    return OAuth().register(
        name=f"tenant-{config.tenant_id}",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=discovery_url(config.issuer),
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "default_timeout": settings.SSO_HTTP_TIMEOUT,
        },
    )


def load_metadata(client: DjangoOAuth2App, config: TenantSSO) -> dict:
    """The provider's discovery document, checked before the portal follows any of it."""
    check_provider_url(config.issuer)
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise SSOFailed(
            "The identity provider's discovery document could not be read. Check the issuer URL.",
            reason="discovery_unreachable",
        ) from exc
    # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was fetched for.
    if metadata.get("issuer") != config.issuer:
        raise SSOFailed(
            "The provider's discovery document names a different issuer "
            f"({metadata.get('issuer') or 'none'}). Enter exactly that issuer URL.",
            reason="issuer_mismatch",
        )
    for key in SERVER_ENDPOINTS:
        if not metadata.get(key):
            raise SSOFailed(
                f"The provider's discovery document has no {key}.", reason="discovery_incomplete"
            )
        check_provider_url(metadata[key])
    if "S256" not in metadata.get("code_challenge_methods_supported", ["S256"]):
        raise SSOFailed("The provider does not support PKCE (S256).", reason="no_pkce")
    return metadata


def redirect_to_provider(
    request: HttpRequest, config: TenantSSO, *, redirect_uri: str, login_hint: str = ""
) -> HttpResponse:
    """Send the browser to the provider's sign-in page (state, nonce and PKCE in the session)."""
    client = build_client(config)
    load_metadata(client, config)
    extra = {"login_hint": login_hint} if login_hint else {}
    try:
        return client.authorize_redirect(request, redirect_uri, **extra)
    except requests.RequestException as exc:
        raise SSOFailed(
            "The identity provider could not be reached.", reason="provider_unreachable"
        ) from exc


@dataclass
class VerifiedSignIn:
    claims: dict


def complete_sign_in(request: HttpRequest, config: TenantSSO) -> VerifiedSignIn:
    """Check the callback (state), redeem the code (PKCE verifier) and verify the ID token."""
    client = build_client(config)
    load_metadata(client, config)
    try:
        token = client.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "value": config.issuer},
                "aud": {"essential": True, "value": config.client_id},
            },
        )
    except MismatchingStateError as exc:
        raise SSOFailed(
            "This sign-in was not started here, or it expired. Please start again.",
            reason="state_mismatch",
        ) from exc
    except OAuthError as exc:
        raise SSOFailed(
            "The identity provider refused the sign-in.", reason=f"provider_error:{exc.error}"
        ) from exc
    except JoseError as exc:
        # Bad signature, unknown key, wrong iss/aud/nonce/azp, expired: one answer for all.
        log.warning("SSO ID token refused for tenant %s: %s", config.tenant_id, exc.error)
        raise SSOFailed(
            "The identity provider's answer could not be verified.",
            reason=f"id_token:{exc}",
        ) from exc
    except requests.RequestException as exc:
        raise SSOFailed(
            "The identity provider could not be reached.", reason="provider_unreachable"
        ) from exc
    claims = token.get("userinfo")
    if not claims:
        # Authlib verifies an ID token only when there is one: without it there is no proof.
        raise SSOFailed(
            "The identity provider's answer could not be verified.", reason="no_id_token"
        )
    return VerifiedSignIn(claims=dict(claims))
