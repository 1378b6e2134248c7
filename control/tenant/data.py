"""The tenant's data: numbers, emergency locations and call records.

Call records run to millions of rows per tenant, so their list uses keyset pagination on
(invite_time, id) — the order of the (tenant[, operator], invite_time, id) indexes — and never
counts or skips rows with OFFSET.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from control.base import TenantPage
from control.forms import CallFilterForm, LocationFilterForm, NumberFilterForm
from portal.models import CallRecord, EmergencyLocation, Operator, PhoneNumber
from portal.querysets import current_share_window

PAGE_SIZE = 50


def _operators_of(tenant) -> list[Operator]:
    """Operators that carry the tenant's numbers or calls, or were ever assigned by it."""
    carrying = PhoneNumber.objects.for_tenant(tenant).values("operator_id")
    return list(
        Operator.objects.filter(Q(pk__in=carrying) | Q(assignments__tenant=tenant))
        .distinct()
        .order_by("name")
    )


class NumberListView(TenantPage):
    nav_section = "numbers"
    template_name = "portal/tenant/numbers.html"
    title = _("Phone numbers")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        numbers = PhoneNumber.objects.for_tenant(self.tenant)
        operators = _operators_of(self.tenant)
        codes = list(
            numbers.order_by("iso_country_code")
            .values_list("iso_country_code", flat=True)
            .distinct()
        )
        form = NumberFilterForm(self.request.GET or None, operators=operators, country_codes=codes)
        qs = numbers.select_related("operator").order_by("telephone_number")
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                qs = qs.search(data["q"])
            if data["operator"]:
                qs = qs.filter(operator__slug=data["operator"])
            if data["country"]:
                qs = qs.filter(iso_country_code=data["country"])
            if data["status"]:
                qs = qs.filter(pstn_assignment_status=data["status"])
        elif form.is_bound:
            qs = qs.none()  # a bad filter shows its error, not everything
        page = Paginator(qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        ctx.update(form=form, page=page)
        return ctx


class NumberDetailView(TenantPage):
    nav_section = "numbers"
    template_name = "portal/tenant/number_detail.html"

    @cached_property
    def number(self) -> PhoneNumber:
        number = (
            PhoneNumber.objects.for_tenant(self.tenant)
            .select_related("operator", "emergency_location")
            .filter(telephone_number=self.kwargs["number"])
            .first()
        )
        if number is None:
            raise Http404("No such number.")
        return number

    def get_breadcrumbs(self):
        return [
            (_("Phone numbers"), self.tenant_url("numbers")),
            (self.number.telephone_number, None),
        ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        number = self.number
        window = current_share_window(self.tenant, number.operator)
        ctx.update(
            number=number,
            title=number.telephone_number,
            periods=number.periods.select_related("operator").order_by("-started_at"),
            shared_now=window is not None and number.iso_country_code in window.countries,
        )
        return ctx


class LocationListView(TenantPage):
    nav_section = "locations"
    template_name = "portal/tenant/locations.html"
    title = _("Emergency locations")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        locations = EmergencyLocation.objects.for_tenant(self.tenant)
        codes = list(locations.order_by("country").values_list("country", flat=True).distinct())
        form = LocationFilterForm(self.request.GET or None, country_codes=codes)
        qs = locations.annotate(number_count=Count("phone_numbers")).order_by(
            "company_name", "city", "street_name", "id"
        )
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                qs = qs.search(data["q"])
            if data["country"]:
                qs = qs.filter(country=data["country"])
        elif form.is_bound:
            qs = qs.none()  # a bad filter shows its error, not everything
        page = Paginator(qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        ctx.update(form=form, page=page)
        return ctx


# --- call records: keyset pagination ------------------------------------------------------------


def encode_cursor(record: CallRecord) -> str:
    return f"{record.invite_time.isoformat()}_{record.id}"


def decode_cursor(value: str) -> tuple[datetime, uuid.UUID] | None:
    """(invite_time, id) from a cursor, or None for garbage (then the first page is shown)."""
    when, _, pk = (value or "").rpartition("_")
    try:
        moment = parse_datetime(when)
        return (moment, uuid.UUID(pk)) if moment is not None and moment.tzinfo else None
    except ValueError:
        return None


def older_than(qs, cursor: tuple[datetime, uuid.UUID]):
    """Rows after ``cursor`` in newest-first order: ``(invite_time, id) < (when, pk)``, a row
    comparison the index reads as a range (no row is read and then thrown away)."""
    when, pk = cursor
    return qs.filter(TupleLessThan(Tuple(F("invite_time"), F("id")), (when, pk)))


def newer_than(qs, cursor: tuple[datetime, uuid.UUID]):
    when, pk = cursor
    return qs.filter(TupleGreaterThan(Tuple(F("invite_time"), F("id")), (when, pk)))


class CallListView(TenantPage):
    """Newest first. ``after`` pages to older rows, ``before`` back to newer ones."""

    nav_section = "calls"

    template_name = "portal/tenant/calls.html"
    title = _("Call records")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        operators = _operators_of(self.tenant)
        form = CallFilterForm(self.request.GET or None, operators=operators)
        qs = CallRecord.objects.for_tenant(self.tenant)
        if form.is_valid():
            data = form.cleaned_data
            if data["operator"]:
                by_slug = {o.slug: o.pk for o in operators}
                qs = qs.filter(operator_id=by_slug.get(data["operator"]))
            qs = qs.between(*form.time_range())
            for name in ("direction", "call_type", "quality"):
                if data[name]:
                    qs = qs.filter(**{name: data[name]})
        elif form.is_bound:
            qs = qs.none()  # a bad filter shows its error, not everything
        after = decode_cursor(self.request.GET.get("after", ""))
        before = decode_cursor(self.request.GET.get("before", "")) if not after else None
        if before:
            rows = list(newer_than(qs, before).order_by("invite_time", "id")[: PAGE_SIZE + 1])
            has_newer = len(rows) > PAGE_SIZE
            rows = rows[:PAGE_SIZE][::-1]
            has_older = True
        else:
            if after:
                qs = older_than(qs, after)
            rows = list(qs.order_by("-invite_time", "-id")[: PAGE_SIZE + 1])
            has_older = len(rows) > PAGE_SIZE
            rows = rows[:PAGE_SIZE]
            has_newer = after is not None
        names = {o.pk: o.name for o in operators}
        for row in rows:
            row.operator_name = names.get(row.operator_id, "")
            minutes, seconds = divmod(row.duration_seconds, 60)
            row.duration_label = f"{minutes}:{seconds:02d}"
        ctx.update(
            form=form,
            rows=rows,
            older_cursor=encode_cursor(rows[-1]) if rows and has_older else "",
            newer_cursor=encode_cursor(rows[0]) if rows and has_newer else "",
            paged=bool(after or before),
        )
        return ctx
