"""Invariant I3, "notice before sharing": no export for an operator the notice does not name."""

from notices.models import NoticeVersion
from portal.errors import DomainError
from portal.models import Operator, Tenant


def require_notice_naming(tenant: Tenant, operator: Operator) -> NoticeVersion:
    """The tenant's current notice version, if it names ``operator``; else a DomainError.

    Call before producing any data for ``operator`` (the export service does).
    """
    current = NoticeVersion.objects.current_for(tenant)
    if current is None:
        raise DomainError(
            f"{tenant.name} has not published a privacy notice for its users yet, so no data "
            f"can be shared with {operator.name}. A tenant admin must publish the notice first.",
            code="notice_missing_operator",
        )
    if not current.names_operator(operator):
        raise DomainError(
            f"The privacy notice of {tenant.name} in force (version {current.number}) does not "
            f"name {operator.name}, so no data can be shared with it. A tenant admin must "
            "publish an updated notice first.",
            code="notice_missing_operator",
        )
    return current
