"""The dashboard card's data: recent exports and downloads of one tenant."""

from django import template

from exports.models import ExportJob
from portal.choices import AuditAction
from portal.models import AuditEvent, Tenant

register = template.Library()


@register.simple_tag
def recent_export_activity(tenant: Tenant, limit: int = 5) -> dict:
    """Only shown on the tenant's own dashboard, to its members: scoped by tenant."""
    return {
        "jobs": list(ExportJob.objects.for_tenant(tenant).select_related("operator")[:limit]),
        "downloads": list(
            AuditEvent.objects.for_tenant(tenant)
            .filter(action=AuditAction.EXPORT_DOWNLOADED)
            .select_related("operator")[:limit]
        ),
    }
