"""The tenant dashboard: is Operator Connect on, with whom, and what each operator receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone

from control.base import TenantPage
from portal.models import CallRecord, EmergencyLocation, OperatorAssignment, PhoneNumber, Tenant
from portal.rollups import shared_calls
from portal.sharing import BLOCKING_RELATIONSHIPS, Gate, History, ShareWindow, gate

# Months of call records counted per operator: enough to see a trend.
CALL_MONTHS = 6


@dataclass
class Share:
    """What one operator receives from the tenant right now."""

    assignment: OperatorAssignment
    gate: Gate
    numbers: int = 0
    locations: int = 0
    calls_by_month: list[tuple[datetime, int]] = field(default_factory=list)

    @property
    def sharing(self) -> bool:
        return self.gate.is_open

    @property
    def relationship_closed(self) -> bool:
        return self.assignment.relationship_status in BLOCKING_RELATIONSHIPS


def _month_start(months_back: int) -> datetime:
    now = timezone.localtime()
    year, month = now.year, now.month - months_back
    while month <= 0:
        month += 12
        year -= 1
    return now.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def _month_after(start: datetime) -> datetime:
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start.replace(year=year, month=month)


def _calls_by_month(
    tenant: Tenant, operator, months: list[datetime], windows: list[ShareWindow]
) -> list[tuple[datetime, int]]:
    """Shareable call legs per month (I2). On PostgreSQL from the day rollup, exact and fresh
    (``portal.rollups``); SQLite (the embedded demo, small) counts the base table."""
    spans = [(m, _month_after(m)) for m in months]
    if connection.vendor == "postgresql":
        return list(zip(months, shared_calls(tenant, operator, windows, spans), strict=True))
    counts = []
    for start, end in spans:
        qs = CallRecord.objects.shareable_with(
            operator, tenant, start=start, end=end, windows=windows
        )
        counts.append((start, qs.count()))
    return counts


def shares_of(tenant: Tenant) -> list[Share]:
    """Current operators of ``tenant`` with counts of what is shareable with each (I2)."""
    assignments = (
        OperatorAssignment.objects.for_tenant(tenant)
        .current()
        .select_related("operator", "tenant")
        .prefetch_related("countries")
    )
    months = [_month_start(i) for i in range(CALL_MONTHS - 1, -1, -1)]
    shares = []
    history = History(tenant)  # read once for every operator's gate and counts
    for assignment in assignments:
        operator = assignment.operator
        windows = history.windows(operator)
        share = Share(assignment, gate(tenant, operator, windows=windows, history=history))
        if share.sharing:
            numbers = PhoneNumber.objects.shareable_with(operator, tenant, windows=windows)
            share.numbers = numbers.count()
            share.locations = EmergencyLocation.objects.shareable_with(
                operator, tenant, windows=windows
            ).count()
            share.calls_by_month = _calls_by_month(tenant, operator, months, windows)
        shares.append(share)
    return shares


class DashboardView(TenantPage):
    nav_section = "dashboard"
    template_name = "portal/tenant/dashboard.html"

    def get_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        tenant = Tenant.objects.select_related("operator_connect_changed_by").get(pk=self.tenant.pk)
        ctx["tenant_state"] = tenant
        ctx["shares"] = shares_of(tenant)
        ctx["number_total"] = PhoneNumber.objects.for_tenant(tenant).count()
        return ctx
