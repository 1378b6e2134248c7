"""What the tenant side and the operator portal share: job pages, status JSON, downloads."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from control.base import Page
from control.export_forms import ExportRequestForm
from exports import services
from exports.choices import IN_FLIGHT
from exports.models import ExportJob
from portal.errors import Conflict, DomainError, NotFound, PermissionDenied
from portal.permissions import client_ip


def job_links(job: ExportJob, side: str) -> dict[str, str]:
    if side == "operator":
        args = {"operator_slug": job.operator.slug, "job_id": job.id}
        prefix = "operator:export"
    else:
        args = {"tenant_slug": job.tenant.slug, "job_id": job.id}
        prefix = "exports:tenant_export"
    return {
        name: reverse(f"{prefix}{suffix}", kwargs=args)
        for name, suffix in (
            ("detail", ""),
            ("status", "_status"),
            ("download", "_download"),
            ("cancel", "_cancel"),
        )
    }


def with_links(jobs, side: str) -> list[ExportJob]:
    jobs = list(jobs)
    for job in jobs:
        job.links = job_links(job, side)
    return jobs


def status_payload(job: ExportJob) -> dict:
    return {
        "id": str(job.id),
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": job.progress,
        "rows_total": job.rows_total,
        "in_flight": job.status in IN_FLIGHT,
        "error": job.error_message,
    }


class SideMixin:
    """Set by the tenant and operator views: which side of the relationship is looking."""

    side = ""

    def scoped_jobs(self):
        raise NotImplementedError

    def get_job(self) -> ExportJob:
        job = (
            self.scoped_jobs()
            .select_related("tenant", "operator", "requested_by")
            .filter(pk=self.kwargs["job_id"])
            .first()
        )
        if job is None:
            raise Http404("No such export.")
        job.links = job_links(job, self.side)
        return job


class ExportListBase(Page):
    """The latest 200 exports this side may see, and whether it can ask for a new one now.

    First among a list view's bases (its breadcrumbs replace the side's), before the side that
    gives ``scoped_jobs`` and ``side``.
    """

    title = _("Exports")

    def get_breadcrumbs(self):
        return [(self.title, None)]

    def can_request(self) -> bool:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        jobs = self.scoped_jobs().select_related("tenant", "operator", "requested_by")[:200]
        ctx["jobs"] = with_links(jobs, self.side)
        ctx["can_request"] = self.can_request()
        return ctx


class ExportDetailBase(SideMixin, Page):
    template_name = "exports/export_detail.html"

    def get_title(self) -> str:
        return gettext("Export %(id)s") % {"id": str(self.kwargs["job_id"])[:8]}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        job = self.get_job()
        user = self.request.user
        ctx.update(
            job=job,
            side=self.side,
            download_refusal=(refusal := services.download_refusal(job, user)),
            can_download=refusal is None,
            operator_closed=services.operator_download_closed([job]).get(job.pk, ""),
            can_cancel=job.is_in_flight and (user.is_staff or job.requested_by_id == user.pk),
        )
        return ctx


class ExportStatusBase(SideMixin, View):
    def get(self, request, *args, **kwargs):
        response = JsonResponse(status_payload(self.get_job()))
        response["Cache-Control"] = "no-store"
        return response


class CancelBase(SideMixin, Page):
    http_method_names = ["post"]

    def refused(self, exc: DomainError) -> HttpResponse:
        if isinstance(exc, PermissionDenied):  # not the requester's job: the "not available" page
            return render(
                self.request, "exports/unavailable.html", {"message": exc.message}, status=403
            )
        return super().refused(exc)

    def refused_url(self) -> str:
        return self.job.links["detail"]

    def post(self, request, *args, **kwargs):
        self.job = job = self.get_job()
        services.cancel_export(job, by=request.user, ip=client_ip(request))
        messages.success(request, gettext("The export was cancelled."))
        return redirect(job.links["detail"])


class DownloadBase(View):
    """The only way to a file (I5): authorize, audit, stream as a private attachment."""

    def scope(self) -> dict:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        try:
            job, handle = services.download_export(
                kwargs["job_id"], user=request.user, ip=client_ip(request), **self.scope()
            )
        except NotFound:
            raise Http404("No such export.") from None
        except (services.Gone, Conflict, PermissionDenied) as exc:
            response = render(
                request, "exports/unavailable.html", {"message": exc.message}, status=exc.status
            )
            response["Cache-Control"] = "no-store"
            return response
        response = FileResponse(
            handle, as_attachment=True, filename=job.download_name, content_type="application/zip"
        )
        response.setdefault("Content-Length", str(job.file_size))  # a stream from S3 has none
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ExportRequestBase(Page):
    """GET shows the form; POST calls ``request_export`` and shows the job."""

    template_name = "exports/export_form.html"
    title = _("Request an export")
    party_label = ""
    refusal_fields = {"start": "start_date", "end": "end_date"}
    refusal_status = 400

    def parties(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def request_kwargs(self, party: str) -> dict:
        raise NotImplementedError

    def get_form(self) -> ExportRequestForm:
        data = self.request.POST if self.request.method == "POST" else None
        initial = {"party": self.request.GET["party"]} if "party" in self.request.GET else None
        return ExportRequestForm(
            data, initial=initial, parties=self.parties(), party_label=self.party_label
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", self.get_form())
        ctx["side"] = self.side
        return ctx

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = self.form = self.get_form()
        if form.is_valid():
            job, created = services.request_export(
                by=request.user,
                datasets=form.cleaned_data["datasets"],
                start=form.start,
                end=form.end,
                format=form.cleaned_data["format"],
                ip=client_ip(request),
                **self.request_kwargs(form.cleaned_data["party"]),
            )
            if created:
                messages.success(request, gettext("The export was queued."))
            else:
                messages.info(
                    request, gettext("An identical export is already queued: here it is.")
                )
            return redirect(job_links(job, self.side)["detail"])
        return self.render_to_response(self.get_context_data(form=form), status=400)
