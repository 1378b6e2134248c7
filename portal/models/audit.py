from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.choices import AuditAction
from portal.querysets import AuditEventQuerySet


class AuditEvent(models.Model):
    """Append-only record of a state change or a download.

    On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002), so not even a bug or the
    admin can rewrite history.
    """

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=255, blank=True)
    tenant = models.ForeignKey(
        "portal.Tenant",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    operator = models.ForeignKey(
        "portal.Operator",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=48, choices=AuditAction.choices)
    target_type = models.CharField(max_length=48, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-occurred_at"], name="audit_tenant_time_idx"),
            models.Index(fields=["operator", "-occurred_at"], name="audit_operator_time_idx"),
            # The downloads of given export files (the data-subject access report,
            # docs/privacy.md): small, as only download events are in it.
            models.Index(
                fields=["target_id"],
                condition=models.Q(action="export.downloaded"),
                name="audit_download_target_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.sentence

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")

    @property
    def sentence(self) -> str:
        """A human-readable line, e.g. "Anna Admin suspended Contoso Telecom for DE"."""
        actor = self.actor_label or "System"
        verb = self.get_action_display()
        target = self.target_label
        text = f"{actor} {verb}"
        if target:
            text += f" {target}"
        extra = self.details.get("summary") if isinstance(self.details, dict) else None
        if extra:
            text += f" ({extra})"
        return text
