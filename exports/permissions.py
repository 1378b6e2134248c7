"""Who may have a tenant's data exported for an operator, asked at every hand-over.

Its own module because both sides of a job ask it: ``services.request_export`` when the job is
requested, and ``runner`` when a worker starts the job and again before it publishes the file
(STYLE §9). The runner must not depend on the request side, which enqueues the runner's task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal import sharing
from portal.choices import TenantRole
from portal.errors import DomainError, PermissionDenied
from portal.permissions import operator_role, tenant_role

if TYPE_CHECKING:
    from portal.models import Operator, Tenant, User

VIA_TENANT = "tenant"
VIA_OPERATOR = "operator"


def check_may_request(user: User | None, tenant: Tenant, operator: Operator, via: str):
    """Refuse unless ``user`` may have ``tenant``'s data exported for ``operator`` right now.

    Checked when the job is requested and again by the worker when it starts and before it
    publishes (STYLE §9): a membership, an assignment, the relationship, Operator Connect or the
    notice may change in between. Returns the notice version in force (for the manifest).
    """
    if user is None or not user.is_active:
        raise PermissionDenied("The person who requested this export no longer has access.")
    if via == VIA_TENANT:
        if tenant_role(user, tenant) != TenantRole.ADMIN:
            raise PermissionDenied(f"Only admins of {tenant.name} can request exports.")
    elif via == VIA_OPERATOR:
        if operator_role(user, operator) is None:
            raise PermissionDenied(f"Only staff of {operator.name} can request its exports.")
    else:
        raise DomainError("Unknown request channel.")
    return sharing.require_open(tenant, operator)
