"""Tenant single sign-on: configuration, e-mail domains, and who may sign in (docs/sso.md).

The protocol itself (discovery, PKCE, state, nonce, token verification) is Authlib's, in
``portal.sso.client``. This module decides what a verified identity may do.
"""

from __future__ import annotations

import contextlib
import re

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.choices import AuditAction, TenantRole, english
from portal.errors import Conflict, DomainError
from portal.models import Membership, Tenant, TenantDomain, TenantSSO, User
from portal.permissions import client_ip
from portal.services.audit import record_event
from portal.sso.addresses import check_provider_url
from portal.sso.client import build_client, load_metadata

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Role given to people who join a tenant on their first SSO sign-in through a verified domain.
JIT_ROLE = TenantRole.VIEWER


# --- configuration ----------------------------------------------------------------------------


@transaction.atomic
def configure_sso(
    tenant: Tenant,
    *,
    issuer: str,
    client_id: str,
    client_secret: str = "",
    enabled: bool,
    require_sso: bool,
    by: User,
    ip: str | None = None,
) -> TenantSSO:
    """Save the tenant's provider. When enabled, its discovery document must answer correctly.

    A blank ``client_secret`` keeps the stored one (the form never shows it again).
    """
    issuer = (issuer or "").strip()
    client_id = (client_id or "").strip()
    if not client_id:
        raise DomainError("Enter the client (application) id.", field="client_id")
    if require_sso and not enabled:
        raise DomainError("Turn SSO on before requiring it.", field="require_sso")
    check_provider_url(issuer, resolve=enabled)
    Tenant.objects.select_for_update().get(pk=tenant.pk)
    config = TenantSSO.objects.filter(tenant=tenant).first() or TenantSSO(tenant=tenant)
    if client_secret:
        config.client_secret = client_secret.strip()
    if not config.client_secret_encrypted:
        raise DomainError("Enter the client secret.", field="client_secret")
    config.issuer, config.client_id = issuer, client_id
    config.enabled, config.require_sso = enabled, require_sso
    if enabled:
        load_metadata(build_client(config), config)  # SSOFailed is a DomainError: shown on form
    config.updated_at, config.updated_by = timezone.now(), by
    config.save()
    record_event(
        AuditAction.SSO_CONFIGURED,
        actor=by,
        tenant=tenant,
        target=config,
        target_label=f"with {issuer}",
        ip=ip,
        summary="on, required" if require_sso else ("on" if enabled else "off"),
        issuer=issuer,
        client_id=client_id,
        enabled=enabled,
        require_sso=require_sso,
        secret_changed=bool(client_secret),
    )
    return config


def normalize_domain(domain: str) -> str:
    domain = (domain or "").strip().lower().lstrip("@").rstrip(".")
    if not DOMAIN_RE.match(domain):
        raise DomainError("Enter a domain such as contoso.com.", field="domain")
    return domain


@transaction.atomic
def add_domain(tenant: Tenant, *, domain: str, by: User, ip: str | None = None) -> TenantDomain:
    """Claim an e-mail domain; it stays pending until platform staff verify it."""
    domain = normalize_domain(domain)
    if TenantDomain.objects.filter(domain=domain, verified=True).exclude(tenant=tenant).exists():
        raise Conflict("Another organization has verified this domain.", field="domain")
    if TenantDomain.objects.filter(tenant=tenant, domain=domain).exists():
        raise Conflict(f"{domain} is already listed.", field="domain")
    claim = TenantDomain.objects.create(tenant=tenant, domain=domain)
    record_event(
        AuditAction.SSO_DOMAIN_ADDED, actor=by, tenant=tenant, target=claim, target_label=domain,
        ip=ip,
    )  # fmt: skip
    return claim


@transaction.atomic
def remove_domain(claim: TenantDomain, *, by: User, ip: str | None = None) -> None:
    record_event(
        AuditAction.SSO_DOMAIN_REMOVED,
        actor=by,
        tenant=claim.tenant,
        target=claim,
        target_label=claim.domain,
        ip=ip,
    )
    claim.delete()


@transaction.atomic
def verify_domain(claim: TenantDomain, *, by: User, ip: str | None = None) -> TenantDomain:
    """Platform staff confirm the tenant owns the domain (e.g. a DNS TXT record, out of band)."""
    claim = TenantDomain.objects.select_for_update().select_related("tenant").get(pk=claim.pk)
    if claim.verified:
        return claim
    claim.verified, claim.verified_at, claim.verified_by = True, timezone.now(), by
    try:
        with transaction.atomic():
            claim.save(update_fields=["verified", "verified_at", "verified_by"])
    except IntegrityError as exc:
        raise Conflict(f"Another organization has already verified {claim.domain}.") from exc
    record_event(
        AuditAction.SSO_DOMAIN_VERIFIED,
        actor=by,
        tenant=claim.tenant,
        target=claim,
        target_label=claim.domain,
        ip=ip,
    )
    return claim


# --- discovery and sign-in --------------------------------------------------------------------


def tenant_for_email(email: str) -> Tenant | None:
    """The tenant whose verified domain matches the address and whose SSO is on."""
    domain = (email or "").strip().lower().rpartition("@")[2]
    if not domain:
        return None
    claim = (
        TenantDomain.objects.filter(domain=domain, verified=True, tenant__sso__enabled=True)
        .select_related("tenant")
        .first()
    )
    return claim.tenant if claim else None


def tenant_requiring_sso(email: str) -> tuple[User, Tenant] | None:
    """(user, tenant) if a non-staff account is a member of a tenant that requires SSO."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True, is_staff=False).first()
    if user is None:
        return None
    tenant = (
        Tenant.objects.filter(memberships__user=user, sso__enabled=True, sso__require_sso=True)
        .order_by("name")
        .first()
    )
    return (user, tenant) if tenant else None


def refuse_password_sign_in(user: User, tenant: Tenant, *, request: HttpRequest | None) -> None:
    record_event(
        AuditAction.SSO_PASSWORD_REFUSED,
        actor=user,
        tenant=tenant,
        ip=client_ip(request) if request is not None else None,
    )


class SSORefused(DomainError):
    code = "sso_refused"
    status = 403

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


def email_from_claims(claims: dict) -> str:
    """The address the provider vouches for: ``email``, else an e-mail-shaped
    ``preferred_username`` (Entra ID's UPN). An address the provider marks unverified is refused.
    """
    if claims.get("email_verified") is False:
        raise SSORefused(
            "Your identity provider has not verified your e-mail address.",
            reason="email_unverified",
        )
    for key in ("email", "preferred_username", "upn"):
        value = str(claims.get(key) or "").strip().lower()
        if value.count("@") == 1 and "." in value.rpartition("@")[2]:
            return value
    raise SSORefused("Your identity provider did not send an e-mail address.", reason="no_email")


def _domain_verified(tenant: Tenant, email: str) -> bool:
    domain = email.rpartition("@")[2]
    return TenantDomain.objects.filter(tenant=tenant, domain=domain, verified=True).exists()


def _reaches_beyond(user: User, tenant: Tenant) -> bool:
    """Whether the account can see more than ``tenant``: then ``tenant``'s provider (run by its
    admins) must not vouch for it, unless the tenant owns the address's domain."""
    return (
        user.is_staff
        or user.operator_memberships.exists()
        or user.memberships.exclude(tenant=tenant).exists()
    )


def sso_user(
    tenant: Tenant, claims: dict, *, ip: str | None = None
) -> tuple[User, Membership | None]:
    """The account a verified ID token of ``tenant``'s provider signs in, and the membership
    created just in time (or ``None``). Refusals raise ``SSORefused`` and are audited.

    - invited: an existing member of the tenant signs in; if the account also reaches other
      tenants, operators or the platform, only when the tenant verified the address's domain;
    - verified domain: anyone with an address in it joins as a viewer on first sign-in;
    - platform staff and operator staff never sign in through a tenant's provider;
    - everyone else is refused.
    """
    try:
        with transaction.atomic():
            return _sso_user(tenant, claims, ip=ip)
    except SSORefused as exc:
        user = None
        with contextlib.suppress(SSORefused):
            user = User.objects.filter(email__iexact=email_from_claims(claims)).first()
        record_event(
            AuditAction.SSO_REFUSED,
            actor=None,
            tenant=tenant,
            target=user,
            target_label=user.display_name if user else "an unknown account",
            ip=ip,
            summary=exc.reason,
            reason=exc.reason,
        )
        raise


def _sso_user(tenant: Tenant, claims: dict, *, ip: str | None) -> tuple[User, Membership | None]:
    email = email_from_claims(claims)
    verified = _domain_verified(tenant, email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and not user.is_active:
        raise SSORefused("This account is deactivated.", reason="inactive")
    if user is not None and (user.is_staff or user.operator_memberships.exists()):
        raise SSORefused(
            "Platform and operator staff sign in with their password, not an organization's SSO.",
            reason="staff_account",
        )
    member = (
        Membership.objects.filter(tenant=tenant, user=user).first() if user is not None else None
    )
    if user is not None and member is not None:
        if not verified and _reaches_beyond(user, tenant):
            raise SSORefused(
                f"Your account also belongs to other organizations; {tenant.name}'s sign-in "
                "can't vouch for it. Sign in with your password.",
                reason="account_reaches_beyond",
            )
        return user, None
    if not verified:
        raise SSORefused(
            f"{email} is not a member of {tenant.name}. Ask one of its admins to invite you.",
            reason="not_invited",
        )
    if user is None:
        name = str(claims.get("name") or "").strip()[:150]
        user = User.objects.create_user(email=email, password=None, full_name=name)
    Tenant.objects.select_for_update().get(pk=tenant.pk)
    member, created = Membership.objects.get_or_create(
        tenant=tenant, user=user, defaults={"role": JIT_ROLE}
    )
    if created:
        record_event(
            AuditAction.SSO_MEMBER_JOINED,
            actor=user,
            tenant=tenant,
            target=member,
            target_label=english(TenantRole(JIT_ROLE)).lower(),
            ip=ip,
            role=JIT_ROLE,
        )
    return user, member if created else None


def record_sso_sign_in(user: User, tenant: Tenant, *, ip: str | None = None) -> None:
    record_event(AuditAction.SSO_SIGNED_IN, actor=user, tenant=tenant, ip=ip)


def record_sso_failure(tenant: Tenant, *, reason: str, ip: str | None = None) -> None:
    """A sign-in the protocol refused (state, token, provider): no account is known yet."""
    record_event(
        AuditAction.SSO_REFUSED,
        actor=None,
        tenant=tenant,
        target_label="an unknown account",
        ip=ip,
        summary=reason,
        reason=reason,
    )
