"""The tenant side under ``/t/<tenant_slug>/exports/``: request, list, what has been shared."""

from defusedcsv import csv as defused_csv
from django import forms
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from control.base import TenantPage
from control.export_pages import (
    CancelBase,
    DownloadBase,
    ExportDetailBase,
    ExportListBase,
    ExportRequestBase,
    ExportStatusBase,
    with_links,
)
from control.forms import DateRangeMixin
from exports import services
from exports.models import ExportJob
from exports.permissions import VIA_TENANT
from portal.choices import AuditAction, TenantRole
from portal.models import AuditEvent, Operator
from portal.permissions import TenantMixin


class TenantSide:
    side = "tenant"
    nav_section = "exports"

    def get_breadcrumbs(self):
        crumbs = [(_("Exports"), reverse("exports:tenant_exports", args=[self.tenant.slug]))]
        return crumbs + [(self.get_title(), None)]

    def scoped_jobs(self):
        return ExportJob.objects.visible_to(self.request.user).for_tenant(self.tenant)


def sharing_operators(tenant):
    return Operator.objects.filter(assignments__in=tenant.assignments.sharing()).order_by("name")


class ExportListView(ExportListBase, TenantSide, TenantPage):
    template_name = "exports/tenant/export_list.html"

    def can_request(self) -> bool:
        return sharing_operators(self.tenant).exists()


class ExportRequestView(TenantSide, TenantPage, ExportRequestBase):
    admin_required = True
    party_label = _("Operator")

    def parties(self):
        return [(o.slug, o.name) for o in sharing_operators(self.tenant)]

    def request_kwargs(self, party: str) -> dict:
        operator = sharing_operators(self.tenant).get(slug=party)
        return {"tenant": self.tenant, "operator": operator, "via": VIA_TENANT}


class ExportDetailView(TenantSide, TenantPage, ExportDetailBase):
    pass


class ExportStatusView(TenantSide, TenantMixin, ExportStatusBase):
    pass


class CancelView(TenantSide, TenantPage, CancelBase):
    pass


class DownloadView(TenantMixin, DownloadBase):
    def scope(self) -> dict:
        return {"tenant": self.tenant}


class SharedFilterForm(DateRangeMixin):
    """Operator and period (export request time, download time), both days included."""

    operator = forms.ChoiceField(label=_("Operator"), required=False)

    def __init__(self, *args, operators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [("", _("Any operator"))] + [
            (o.slug, o.name) for o in operators
        ]


SHARED_PAGE_SIZE = 50
CSV_KINDS = ("exports", "downloads")


class SharedView(TenantSide, TenantPage):
    """What has been shared: every export with its manifest summary, every download.

    Filterable by operator and period; both lists are paginated (no cap: every row is reachable)
    and downloadable as CSV (``?csv=exports`` or ``?csv=downloads``) with the same filters.
    """

    template_name = "exports/tenant/shared.html"
    nav_section = "shared"
    title = _("What has been shared")

    def get_breadcrumbs(self):
        return [(self.title, None)]

    def operators(self) -> list[Operator]:
        ids = self.scoped_jobs().values("operator_id")
        return list(Operator.objects.filter(pk__in=ids).order_by("name"))

    def filtered(self):
        operators = self.operators()
        form = SharedFilterForm(self.request.GET or None, operators=operators)
        jobs = self.scoped_jobs().select_related("operator", "requested_by", "tenant")
        downloads = (
            AuditEvent.objects.for_tenant(self.tenant)
            .filter(action=AuditAction.EXPORT_DOWNLOADED)
            .select_related("operator")
            .order_by("-occurred_at", "-id")
        )
        if form.is_valid():
            slug = form.cleaned_data["operator"]
            if slug:
                operator = next((o for o in operators if o.slug == slug), None)
                jobs = jobs.filter(operator=operator)
                downloads = downloads.filter(operator=operator)
            start, end = form.time_range()
            if start:
                jobs = jobs.filter(created_at__gte=start)
                downloads = downloads.filter(occurred_at__gte=start)
            if end:
                jobs = jobs.filter(created_at__lt=end)
                downloads = downloads.filter(occurred_at__lt=end)
        elif form.is_bound and any(
            k in self.request.GET for k in ("operator", "date_from", "date_to")
        ):
            jobs, downloads = jobs.none(), downloads.none()
        return form, jobs.order_by("-created_at", "-id"), downloads

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("csv")
        if kind in CSV_KINDS:
            _form, jobs, downloads = self.filtered()
            return shared_csv(
                kind, self.tenant, jobs, downloads, show_ip=request.tenant_role == TenantRole.ADMIN
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, jobs, downloads = self.filtered()
        job_page = Paginator(jobs, SHARED_PAGE_SIZE).get_page(self.request.GET.get("page"))
        page_jobs = list(job_page.object_list)
        closed = services.operator_download_closed(page_jobs)
        for job in page_jobs:
            job.operator_closed = closed.get(job.pk)
        ctx["form"] = form
        ctx["title"] = _("What has been shared")
        ctx["jobs"] = with_links(page_jobs, self.side)
        ctx["page"] = job_page
        ctx["downloads_page"] = Paginator(downloads, SHARED_PAGE_SIZE).get_page(
            self.request.GET.get("dpage")
        )
        ctx["downloads"] = ctx["downloads_page"].object_list
        ctx["show_ip"] = ctx["is_tenant_admin"]
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("dpage", None)
        ctx["csv_query"] = query
        return ctx


def shared_csv(kind: str, tenant, jobs, downloads, *, show_ip: bool) -> StreamingHttpResponse:
    """Stream one list as CSV; defusedcsv neutralises cells that a spreadsheet would run."""

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = defused_csv.writer(Echo())

    def rows():
        if kind == "exports":
            yield writer.writerow(
                ["export_id", "operator", "status", "requested_at", "requested_by", "datasets",
                 "start", "end", "format", "rows", "notice_version", "finished_at"]
            )  # fmt: skip
            for job in jobs.iterator(chunk_size=500):
                yield writer.writerow(
                    [job.pk, job.operator.name, job.status, job.created_at.isoformat(),
                     job.requested_by.display_name if job.requested_by else "",
                     ";".join(job.datasets), job.start.isoformat() if job.start else "",
                     job.end.isoformat() if job.end else "",
                     job.format, job.rows_total, job.notice_version or "",
                     job.finished_at.isoformat() if job.finished_at else ""]
                )  # fmt: skip
        else:
            head = ["downloaded_at", "who", "operator", "export_id"]
            yield writer.writerow(head + (["ip_address"] if show_ip else []))
            for e in downloads.iterator(chunk_size=500):
                row = [e.occurred_at.isoformat(), e.actor_label, e.operator.name if e.operator
                       else "", (e.details or {}).get("job", "")]  # fmt: skip
                yield writer.writerow(row + ([e.ip_address or ""] if show_ip else []))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = f"{tenant.slug}-shared-{kind}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
