"""The tenant side under ``/t/<tenant_slug>/exports/``: request, list, what has been shared."""

from django.views.generic import TemplateView

from exports import services
from exports.models import ExportJob
from exports.services import VIA_TENANT
from exports.views.common import (
    CancelBase,
    DownloadBase,
    ExportDetailBase,
    ExportRequestBase,
    ExportStatusBase,
    with_links,
)
from portal.choices import AuditAction
from portal.models import AuditEvent, Operator
from portal.permissions import TenantMixin


class TenantSide:
    side = "tenant"

    def scoped_jobs(self):
        return ExportJob.objects.visible_to(self.request.user).for_tenant(self.tenant)


def sharing_operators(tenant):
    return Operator.objects.filter(assignments__in=tenant.assignments.sharing()).order_by("name")


class ExportListView(TenantSide, TenantMixin, TemplateView):
    template_name = "exports/tenant/export_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        jobs = self.scoped_jobs().select_related("tenant", "operator", "requested_by")[:200]
        ctx["jobs"] = with_links(jobs, self.side)
        ctx["can_request"] = sharing_operators(self.tenant).exists()
        return ctx


class ExportRequestView(TenantSide, TenantMixin, ExportRequestBase):
    admin_required = True
    party_label = "Operator"

    def parties(self):
        return [(o.slug, o.name) for o in sharing_operators(self.tenant)]

    def request_kwargs(self, party: str) -> dict:
        operator = sharing_operators(self.tenant).get(slug=party)
        return {"tenant": self.tenant, "operator": operator, "via": VIA_TENANT}


class ExportDetailView(TenantSide, TenantMixin, ExportDetailBase):
    pass


class ExportStatusView(TenantSide, TenantMixin, ExportStatusBase):
    pass


class CancelView(TenantSide, TenantMixin, CancelBase):
    pass


class DownloadView(TenantMixin, DownloadBase):
    def scope(self) -> dict:
        return {"tenant": self.tenant}


class SharedView(TenantSide, TenantMixin, TemplateView):
    """What has been shared: every export with its manifest summary, every download."""

    template_name = "exports/tenant/shared.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        jobs = list(self.scoped_jobs().select_related("operator", "requested_by", "tenant"))
        closed = services.operator_download_closed(jobs)
        for job in jobs:
            job.operator_closed = closed.get(job.pk)
        ctx["jobs"] = with_links(jobs, self.side)
        ctx["downloads"] = (
            AuditEvent.objects.for_tenant(self.tenant)
            .filter(action=AuditAction.EXPORT_DOWNLOADED)
            .select_related("operator")[:500]
        )
        ctx["show_ip"] = ctx["is_tenant_admin"]
        return ctx
