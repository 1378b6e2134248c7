"""The tenant dashboard: is Operator Connect on, with whom, and what each operator receives."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.models import CallRecord, EmergencyLocation, OperatorAssignment, PhoneNumber, Tenant
from portal.sharing import BLOCKING_RELATIONSHIPS, Gate, History, ShareWindow, gate
from portal.web.views.base import TenantPage

# Months of call records counted per operator: enough to see a trend.
CALL_MONTHS = 6
# Counting months of call legs reads every row in the range (~0.3 s per 50,000 rows), so the
# monthly counts are cached briefly. The key names the share windows, so suspending, resuming,
# changing countries or disabling shows at once; only newly ingested calls wait for the TTL.
CALL_COUNT_TTL = 300


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


def _calls_by_month(
    tenant: Tenant, operator, since: datetime, windows: list[ShareWindow]
) -> dict[datetime, int]:
    """Shareable call legs per month since ``since``, cached per share-window configuration."""
    signature = hashlib.sha256(
        repr(
            [
                (w.start.isoformat(), w.end and w.end.isoformat(), sorted(w.countries))
                for w in windows
            ]
        ).encode()
    ).hexdigest()[:32]
    key = f"web:dash-calls:{tenant.pk}:{operator.pk}:{since.isoformat()}:{signature}"
    cached = cache.get(key)
    if cached is not None:
        return {datetime.fromisoformat(m): n for m, n in cached}
    rows = list(
        CallRecord.objects.shareable_with(operator, tenant, start=since, windows=windows)
        .annotate(month=TruncMonth("invite_time"))
        .order_by("month")
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    cache.set(key, [(m.isoformat(), n) for m, n in rows], CALL_COUNT_TTL)
    return dict(rows)


def shares_of(tenant: Tenant) -> list[Share]:
    """Current operators of ``tenant`` with counts of what is shareable with each (I2)."""
    assignments = (
        OperatorAssignment.objects.for_tenant(tenant)
        .current()
        .select_related("operator", "tenant")
        .prefetch_related("countries")
    )
    since = _month_start(CALL_MONTHS - 1)
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
            by_month = _calls_by_month(tenant, operator, since, windows)
            share.calls_by_month = [
                (month, by_month.get(month, 0))
                for month in (_month_start(i) for i in range(CALL_MONTHS - 1, -1, -1))
            ]
        shares.append(share)
    return shares


class DashboardView(TenantPage):
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
