"""The tenant's record of processing per operator (GDPR Art. 30): page, CSV and JSON.

Tenant admins only (``TenantMixin``: other tenants 404, viewers 403). ``?as_of=YYYY-MM-DD``
reproduces the record as it stood at the end of that day (UTC).
"""

from __future__ import annotations

import csv
import json

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from control.base import TenantPage
from exports.engine.columns import neutralise
from notices.record import CSV_HEADER, csv_rows, end_of_day, processing_record
from portal.permissions import TenantMixin


def _as_of(request):
    """(datetime or None, error): the end of the ``as_of`` day, None for now."""
    raw = (request.GET.get("as_of") or "").strip()
    if not raw:
        return None, ""
    day = parse_date(raw) if len(raw) == 10 else None
    if day is None:
        return None, gettext("Give the date as YYYY-MM-DD.")
    return end_of_day(day), ""


class RecordView(TenantPage):
    template_name = "notices/record.html"
    title = _("Record of processing")
    admin_required = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        as_of, error = _as_of(self.request)
        record = processing_record(self.tenant, as_of)
        query = f"?as_of={record.as_of:%Y-%m-%d}" if as_of else ""
        ctx.update(
            {
                "record": record,
                "error": error,
                "as_of_value": self.request.GET.get("as_of", ""),
                "today": timezone.now().date(),
                "query": query,
            }
        )
        return ctx


class RecordDownloadView(TenantMixin, View):
    admin_required = True
    fmt = "json"

    def get(self, request, tenant_slug: str):
        as_of, error = _as_of(request)
        if error:
            return HttpResponseBadRequest(error)
        record = processing_record(self.tenant, as_of)
        name = f"record-of-processing-{self.tenant.slug}-{record.as_of:%Y%m%d}"
        if self.fmt == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            writer = csv.writer(response)
            writer.writerow(CSV_HEADER)
            # Operator names and labels come from staff input: never a spreadsheet formula (I8).
            writer.writerows([[neutralise(cell) for cell in row] for row in csv_rows(record)])
        else:
            response = HttpResponse(
                json.dumps(record.as_dict(), indent=2, ensure_ascii=False),
                content_type="application/json",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.fmt}"'
        response["Cache-Control"] = "private, no-store"
        return response
