"""Published privacy notices and the tenant's editable notice settings (invariant I3).

A ``NoticeVersion`` is immutable: once published, its content, configuration and checksum never
change (``save``/``delete`` refuse, and on PostgreSQL a trigger refuses UPDATE and DELETE), so the
history shown to end users is exactly what they were told.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from notices.choices import LegalBasis
from notices.querysets import NoticeVersionQuerySet
from portal.models import Operator


class NoticeSettings(models.Model):
    """What a tenant admin may add to the notice: an introduction and contact details.

    Required content is generated; these fields only add to it. Blank contact fields fall back
    to the tenant's privacy contact.
    """

    tenant = models.OneToOneField(
        "portal.Tenant", on_delete=models.CASCADE, related_name="notice_settings"
    )
    introduction = models.TextField(blank=True, max_length=2000)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    contact_url = models.URLField(max_length=500, blank=True)
    contact_address = models.TextField(blank=True, max_length=1000)
    # The GDPR Art. 13/14 inputs (docs/notice.md "A complete notice"). Blank or null: the
    # default for the tenant's country (``notices.law``).
    legal_basis = models.CharField(max_length=32, choices=LegalBasis.choices, blank=True)
    numbers_retention_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days a number's data is kept after it is released."
    )
    locations_retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Days an emergency location is kept after it is no longer used.",
    )
    dpo_name = models.CharField(max_length=200, blank=True)
    dpo_email = models.EmailField(blank=True)
    authority_name = models.CharField(max_length=200, blank=True)
    authority_url = models.URLField(max_length=500, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "notice settings"
        verbose_name_plural = "notice settings"

    def __str__(self) -> str:
        return f"Notice settings of {self.tenant}"


class NoticeVersion(models.Model):
    """One published version of a tenant's end-user privacy notice."""

    tenant = models.ForeignKey(
        "portal.Tenant", on_delete=models.PROTECT, related_name="notice_versions"
    )
    number = models.PositiveIntegerField()
    effective_at = models.DateTimeField()
    published_at = models.DateTimeField(default=timezone.now)
    # Like audit events: no database constraint, so deleting a user never rewrites history.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    published_by_label = models.CharField(max_length=255, blank=True)
    languages = models.JSONField(default=list)
    configuration = models.JSONField(
        default=dict, help_text="The data-sharing configuration this version describes."
    )
    content = models.JSONField(default=dict, help_text="Rendered HTML body per language code.")
    sha256 = models.CharField(max_length=64)
    changes = models.JSONField(default=list, help_text="Structured changes from the previous one.")
    change_summary = models.TextField(blank=True)
    admin_note = models.TextField(blank=True, max_length=2000)

    objects = NoticeVersionQuerySet.as_manager()

    class Meta:
        ordering = ["tenant", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="notice_version_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="notice_number_pos"),
        ]
        indexes = [
            models.Index(fields=["tenant", "effective_at"], name="notice_tenant_effective_idx")
        ]

    def __str__(self) -> str:
        return f"{self.tenant} notice v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise RuntimeError("Published notice versions are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Published notice versions are immutable.")

    @property
    def operator_slugs(self) -> list[str]:
        return [op["slug"] for op in self.configuration.get("operators", [])]

    def names_operator(self, operator) -> bool:
        """True when this version lists ``operator`` as receiving data."""
        if not self.configuration.get("enabled"):
            return False
        return any(
            op.get("id") == operator.pk or op.get("slug") == operator.slug
            for op in self.configuration.get("operators", [])
        )


class OperatorLinkHealth(Operator):
    """Proxy of the operator directory for staff: privacy/terms link health (admin list)."""

    class Meta:
        proxy = True
        verbose_name = "operator link health"
        verbose_name_plural = "operator link health"
