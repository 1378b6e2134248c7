"""One call record for the tenant: every field an export carries, the emergency snapshot, and
which operators received it, in which export, and when it was downloaded (docs/ui.md)."""

from __future__ import annotations

from django.apps import apps
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from control.base import TenantPage
from exports.engine.call_records import CallRecordsExporter
from portal.choices import AuditAction
from portal.models import AuditEvent, CallRecord


def export_columns() -> list[tuple[str, str]]:
    """(column name, model field) of the call-records export, in the export's order."""
    return [(c.name, c.source) for c in CallRecordsExporter.columns]


def receipts(record: CallRecord, user) -> list[dict]:
    """Finished exports that carried ``record`` to its operator, each with its downloads.

    An export of call records carries every leg shareable with its operator in [start, end):
    the same scope the exporter reads (``CallRecord.objects.shareable_with``).
    """
    ExportJob = apps.get_model("exports", "ExportJob")
    jobs = list(
        ExportJob.objects.visible_to(user)
        .for_tenant(record.tenant_id)
        .for_operator(record.operator_id)
        .filter(
            status="succeeded",
            start__lte=record.invite_time,
            end__gt=record.invite_time,
        )
        .select_related("operator")
        .order_by("finished_at")
    )
    if not jobs:
        return []
    carried = [
        job
        for job in jobs
        if "call_records" in job.datasets  # JSON list: checked here, on SQLite too
        and CallRecord.objects.shareable_with(
            record.operator_id, record.tenant_id, start=job.start, end=job.end
        )
        .filter(pk=record.pk)
        .exists()
    ]
    downloads = (
        AuditEvent.objects.for_tenant(record.tenant_id)
        .filter(
            action=AuditAction.EXPORT_DOWNLOADED,
            details__job__in=[str(job.pk) for job in carried],
        )
        .select_related("operator")
        .order_by("occurred_at")
    )
    by_job: dict[str, list[AuditEvent]] = {}
    for event in downloads:
        by_job.setdefault(event.details.get("job"), []).append(event)
    return [{"job": job, "downloads": by_job.get(str(job.pk), [])} for job in carried]


class CallDetailView(TenantPage):
    nav_section = "calls"
    template_name = "portal/tenant/call_detail.html"
    title = _("Call record")

    def get_breadcrumbs(self):
        return [(_("Call records"), self.tenant_url("calls")), (self.title, None)]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        record = get_object_or_404(
            CallRecord.objects.for_tenant(self.tenant).select_related("operator"),
            pk=self.kwargs["call_id"],
        )
        if record.tenant_id != self.tenant.pk:  # pragma: no cover - for_tenant scopes it
            raise Http404
        ctx["record"] = record
        ctx["fields"] = [
            (name, getattr(record, source))
            for name, source in export_columns()
            if source != "emergency_location_snapshot"
        ]
        snapshot = record.emergency_location_snapshot or {}
        ctx["snapshot"] = sorted(snapshot.items()) if isinstance(snapshot, dict) else []
        ctx["receipts"] = receipts(record, self.request.user)
        return ctx
