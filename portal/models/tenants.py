import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField

from portal.models.constraints import country, one_of, ordered
from portal.querysets import EnablementPeriodQuerySet, TenantQuerySet
from portal.retention_policy import MAX_DAYS, MIN_DAYS

# Microsoft masks the last digits of the external party for users in these countries; masking
# is on by default for new tenants there and admins can turn it off (docs/exports.md, "Masking").
MASKING_COUNTRIES = {"DE", "FR", "CH"}


def masks_by_default(country) -> bool:
    """A new tenant in one of these countries starts with masking on (its admins may turn it off)."""
    return str(country).upper() in MASKING_COUNTRIES


class Tenant(models.Model):
    """An organization using Microsoft Teams."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    microsoft_tenant_id = models.UUIDField(unique=True, default=uuid.uuid4)
    country = CountryField()
    privacy_contact_name = models.CharField(max_length=200, blank=True)
    privacy_contact_email = models.EmailField(blank=True)
    privacy_contact_address = models.TextField(blank=True)
    mask_external_digits = models.BooleanField(
        default=False,
        help_text="Mask the last digits of the external party's number in exports.",
    )
    require_mfa = models.BooleanField(
        default=False,
        help_text="Members must sign in with a second factor (docs/mfa.md).",
    )
    call_record_retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_DAYS), MaxValueValidator(MAX_DAYS)],
        help_text=(
            "Keep call records this many days (150–730) instead of the default for the tenant's "
            "country (portal/retention_policy.py)."
        ),
    )
    operator_connect_enabled = models.BooleanField(default=False)
    operator_connect_changed_at = models.DateTimeField(null=True, blank=True)
    operator_connect_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            country("country", "tenant_country_iso"),
            models.CheckConstraint(
                condition=models.Q(call_record_retention_days__isnull=True)
                | models.Q(
                    call_record_retention_days__gte=150, call_record_retention_days__lte=730
                ),
                name="tenant_retention_days_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AcknowledgementKind(models.TextChoices):
    ENABLE = "enable", "Enable Operator Connect"
    ASSIGN = "assign", "Add an operator"


class Acknowledgement(models.Model):
    """An explicit acknowledgement of the data transfer: who, when, from where, which text."""

    Kind = AcknowledgementKind

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="acknowledgements")
    operator = models.ForeignKey(
        "portal.Operator", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text_version = models.CharField(max_length=32)
    text_sha256 = models.CharField(max_length=64)
    acknowledged_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [one_of("kind", AcknowledgementKind, "acknowledgement_kind_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.user} at {self.acknowledged_at:%Y-%m-%d %H:%M}"


class EnablementPeriod(models.Model):
    """A span during which Operator Connect was enabled for a tenant. Kept forever (I2)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="enablement_periods")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.ForeignKey(Acknowledgement, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EnablementPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["started_at"]
        constraints = [
            ordered("started_at", "ended_at", "enablement_period_ordered"),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(ended_at__isnull=True),
                name="enablement_one_open_period",
            ),
        ]

    def __str__(self) -> str:
        end = f"{self.ended_at:%Y-%m-%d %H:%M}" if self.ended_at else "now"
        return f"{self.started_at:%Y-%m-%d %H:%M} – {end}"
