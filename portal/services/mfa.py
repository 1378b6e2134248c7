"""A tenant's second-factor policy (docs/mfa.md): its admins require one of every member."""

from __future__ import annotations

from django.db import transaction

from portal.choices import AuditAction
from portal.models import Tenant, User
from portal.services.audit import record_event


@transaction.atomic
def set_require_mfa(tenant: Tenant, *, require: bool, by: User, ip: str | None = None) -> Tenant:
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.require_mfa != require:
        tenant.require_mfa = require
        tenant.save(update_fields=["require_mfa"])
        record_event(
            AuditAction.MFA_POLICY_CHANGED, actor=by, tenant=tenant, target=tenant,
            target_label=tenant.name, ip=ip, require_mfa=require,
        )  # fmt: skip
    return tenant
