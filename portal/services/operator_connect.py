"""Turning Operator Connect on and off for a tenant (invariants I2, I4)."""

from django.db import transaction
from django.utils import timezone

from portal.acknowledgements import ENABLE_TEXT
from portal.choices import AuditAction
from portal.errors import Conflict, DomainError
from portal.models import Acknowledgement, EnablementPeriod, OperatorAssignment, Tenant, User
from portal.services import notifications
from portal.services.audit import record_event


def _locked(tenant: Tenant) -> Tenant:
    return Tenant.objects.select_for_update().get(pk=tenant.pk)


@transaction.atomic
def enable_operator_connect(
    tenant: Tenant, *, by: User, acknowledged: bool, ip: str | None = None
) -> Tenant:
    """Enable sharing for the tenant after an explicit acknowledgement of the data transfer."""
    if not acknowledged:
        raise DomainError(
            "Please confirm that you understand and accept the data transfer.",
            code="acknowledgement_required",
            field="acknowledged",
        )
    tenant = _locked(tenant)
    if tenant.operator_connect_enabled:
        raise Conflict("Operator Connect is already enabled for this organization.")
    now = timezone.now()
    ack = Acknowledgement.objects.create(
        tenant=tenant,
        kind=ENABLE_TEXT.kind,
        user=by,
        text_version=ENABLE_TEXT.version,
        text_sha256=ENABLE_TEXT.sha256,
        acknowledged_at=now,
        ip_address=ip or None,
    )
    EnablementPeriod.objects.create(tenant=tenant, started_at=now, acknowledgement=ack)
    tenant.operator_connect_enabled = True
    tenant.operator_connect_changed_at = now
    tenant.operator_connect_changed_by = by
    tenant.save(update_fields=["operator_connect_enabled", "operator_connect_changed_at",
                               "operator_connect_changed_by"])  # fmt: skip
    record_event(
        AuditAction.OC_ENABLED,
        actor=by,
        tenant=tenant,
        target=tenant,
        target_label=f"for {tenant.name}",
        ip=ip,
        acknowledgement_version=ENABLE_TEXT.version,
        acknowledgement_sha256=ENABLE_TEXT.sha256,
    )
    return tenant


@transaction.atomic
def disable_operator_connect(tenant: Tenant, *, by: User, ip: str | None = None) -> Tenant:
    """Stop sharing with every operator at once.

    Assignment periods stay open: share windows are cut by the enablement periods (I2).
    """
    tenant = _locked(tenant)
    if not tenant.operator_connect_enabled:
        raise Conflict("Operator Connect is already disabled for this organization.")
    now = timezone.now()
    EnablementPeriod.objects.filter(tenant=tenant, ended_at__isnull=True).update(
        ended_at=now, ended_by=by
    )
    tenant.operator_connect_enabled = False
    tenant.operator_connect_changed_at = now
    tenant.operator_connect_changed_by = by
    tenant.save(update_fields=["operator_connect_enabled", "operator_connect_changed_at",
                               "operator_connect_changed_by"])  # fmt: skip
    record_event(
        AuditAction.OC_DISABLED,
        actor=by,
        tenant=tenant,
        target=tenant,
        target_label=f"for {tenant.name}",
        ip=ip,
    )
    # Every operator the tenant has (active or suspended) is told sharing stopped.
    for operator_id in (
        OperatorAssignment.objects.for_tenant(tenant)
        .current()
        .values_list("operator_id", flat=True)
    ):
        notifications.notify(
            notifications.OPERATOR_CONNECT_DISABLED, tenant_id=tenant.pk, operator_id=operator_id
        )
    return tenant
