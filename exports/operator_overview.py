"""What an operator sees of one tenant that chose it (docs/operator.md "The tenant page").

One read, used by the operator portal's tenant page and by
``/api/v1/operators/<op>/tenants/<tenant>/``: the contact the tenant shared, its
acknowledgement, countries, status and active periods, the relationship, the sharing gate as of
now (what is shared and what is held back, and why — ``portal.sharing``, the one scoping
function), call-record volume by month within the share windows, the notice version that names
the operator, and this tenant's exports for the operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from exports.models import ExportJob
from portal.models import CallRecord, Operator, OperatorAssignment, User
from portal.sharing import Gate, History, ShareWindow, gate, named_countries

MONTHS_SHOWN = 12
EXPORTS_SHOWN = 50


@dataclass
class TenantOverview:
    assignment: OperatorAssignment
    gate: Gate
    windows: list[ShareWindow]
    monthly_calls: list[tuple[datetime, int]]
    notice: object | None  # the NoticeVersion in force, if it names the operator
    notice_countries: list[str]
    exports: list[ExportJob]

    @property
    def tenant(self):
        return self.assignment.tenant

    @property
    def periods(self):
        return list(self.assignment.periods.all())


def assignment_for(operator: Operator, tenant_slug: str) -> OperatorAssignment:
    """The operator's current (not removed) assignment at the tenant; 404 otherwise (I1)."""
    assignment = (
        OperatorAssignment.objects.for_operator(operator)
        .current()
        .select_related("tenant", "operator", "acknowledgement", "relationship_changed_by")
        .prefetch_related("countries", "periods")
        .filter(tenant__slug=tenant_slug)
        .first()
    )
    if assignment is None:
        raise Http404("No such organization.")
    return assignment


def _months_ago(now: datetime, months: int) -> datetime:
    month = now.year * 12 + (now.month - 1) - months
    return datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC)


def monthly_call_volume(
    operator: Operator, tenant, windows: list[ShareWindow], *, months: int = MONTHS_SHOWN
) -> list[tuple[datetime, int]]:
    """Call legs shareable with the operator per UTC month, the last ``months`` months."""
    start = _months_ago(timezone.now(), months - 1)
    rows = (
        CallRecord.objects.shareable_with(operator, tenant, start=start, windows=windows)
        .annotate(month=TruncMonth("invite_time", tzinfo=UTC))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return [(r["month"], r["n"]) for r in rows]


def tenant_overview(operator: Operator, tenant_slug: str, user: User) -> TenantOverview:
    """Everything the operator's staff may see of one tenant, from one read of its history."""
    assignment = assignment_for(operator, tenant_slug)
    history = History(assignment.tenant)
    windows = history.windows(operator)
    state = gate(assignment.tenant, operator, windows=windows, history=history)
    named = (
        named_countries(state.notice.configuration, operator.pk) if state.notice else frozenset()
    )
    exports = list(
        ExportJob.objects.visible_to(user)
        .for_operator(operator)
        .filter(tenant=assignment.tenant)
        .select_related("tenant", "operator", "requested_by")
        .order_by("-created_at")[:EXPORTS_SHOWN]
    )
    return TenantOverview(
        assignment=assignment,
        gate=state,
        windows=windows,
        monthly_calls=monthly_call_volume(operator, assignment.tenant, windows),
        notice=state.notice if named else None,
        notice_countries=sorted(named),
        exports=exports,
    )
