"""Writing audit events. Called inside the service's transaction, so both commit or neither."""

from typing import Any

from django.db import models

from portal.models import AuditEvent, Operator, Tenant, User


def record_event(
    action: str,
    *,
    actor: User | None,
    tenant: Tenant | None = None,
    operator: Operator | None = None,
    target: models.Model | None = None,
    target_label: str = "",
    ip: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one audit event. ``details`` must never hold phone numbers, IPs or addresses."""
    actor_label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = actor.display_name
    else:
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label,
        tenant=tenant,
        operator=operator,
        target_type=(target._meta.model_name or "") if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=target_label or (str(target) if target is not None else ""),
        ip_address=ip or None,
        details=details,
    )
