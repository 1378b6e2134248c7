"""Single sign-on of a tenant through its own OpenID Connect provider (docs/sso.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.crypto import decrypt_secret, encrypt_secret


class TenantSSO(models.Model):
    """A tenant's identity provider: where its members sign in when SSO is on.

    The client secret is stored encrypted (Fernet, ``SSO_ENCRYPTION_KEY``) and never shown again.
    """

    tenant = models.OneToOneField("portal.Tenant", on_delete=models.CASCADE, related_name="sso")
    issuer = models.URLField(
        max_length=400,
        help_text="The provider's issuer URL; its discovery document is read from "
        "<issuer>/.well-known/openid-configuration.",
    )
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField(blank=True)
    enabled = models.BooleanField(default=False)
    require_sso = models.BooleanField(
        default=False, help_text="Members may not sign in with a password."
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "tenant SSO configuration"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(require_sso=False) | models.Q(enabled=True),
                name="tenant_sso_require_needs_enabled",
            )
        ]

    def __str__(self) -> str:
        return f"SSO of {self.tenant}"

    @property
    def client_secret(self) -> str:
        return decrypt_secret(self.client_secret_encrypted) if self.client_secret_encrypted else ""

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_encrypted = encrypt_secret(value) if value else ""


class TenantDomain(models.Model):
    """An e-mail domain a tenant claims. Platform staff verify it in the Django admin.

    A verified domain sends its addresses to the tenant's provider (discovery) and lets people
    of that domain join the tenant on their first SSO sign-in (just-in-time membership).
    """

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)
    verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "domain"], name="tenant_domain_unique"),
            # One owner per verified domain: discovery must lead to exactly one provider.
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(verified=True),
                name="tenant_domain_verified_once",
            ),
            models.CheckConstraint(
                condition=models.Q(domain=models.functions.Lower("domain")),
                name="tenant_domain_lowercase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain} ({'verified' if self.verified else 'pending'})"
