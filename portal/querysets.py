"""Reads and scoping, named for their intent (invariants I1 and I2).

No view filters tenant data by hand: it asks one of these.

I2, the operator's share, is computed from *share windows*: the intersections of the
assignment's active periods (each with the countries it covered) and the tenant's Operator
Connect enablement periods. A record is shareable with an operator when it is carried by that
operator, belongs to the tenant, and its time and tenant-side country fall inside a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import Q

from portal.choices import AssignmentStatus, OperatorRole, TenantRole

if TYPE_CHECKING:
    from portal.models import Operator, Tenant, User


def _model(name: str):
    return apps.get_model("portal", name)


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


# --- share windows (I2) -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareWindow:
    """A span [start, end) during which an operator receives a tenant's data for ``countries``."""

    start: datetime
    end: datetime | None
    countries: frozenset[str]

    def clip(self, start: datetime | None, end: datetime | None) -> ShareWindow | None:
        lo = max(self.start, start) if start else self.start
        hi_candidates = [t for t in (self.end, end) if t is not None]
        hi = min(hi_candidates) if hi_candidates else None
        if hi is not None and hi <= lo:
            return None
        return ShareWindow(lo, hi, self.countries)

    def is_open(self) -> bool:
        return self.end is None


def share_windows(tenant: Tenant | int, operator: Operator | int) -> list[ShareWindow]:
    """Every window in which ``operator`` received ``tenant``'s data, oldest first."""
    periods = _model("AssignmentPeriod").objects.filter(
        assignment__tenant_id=_pk(tenant), assignment__operator_id=_pk(operator)
    )
    enabled = list(_model("EnablementPeriod").objects.filter(tenant_id=_pk(tenant)))
    windows = []
    for period in periods:
        if not period.countries:
            continue
        for span in enabled:
            window = ShareWindow(period.started_at, period.ended_at, frozenset(period.countries))
            clipped = window.clip(span.started_at, span.ended_at)
            if clipped is not None:
                windows.append(clipped)
    return sorted(windows, key=lambda w: w.start)


def current_share_window(
    tenant: Tenant | int, operator: Operator | int, windows: list[ShareWindow] | None = None
) -> ShareWindow | None:
    """The window open right now, or None when the operator receives nothing today.

    ``windows``: ``share_windows(tenant, operator)`` if the caller has them already."""
    if windows is None:
        windows = share_windows(tenant, operator)
    return next((w for w in windows if w.is_open()), None)


def _window_q(windows: list[ShareWindow], time_field: str, country_field: str) -> Q | None:
    parts = []
    for w in windows:
        q = Q(**{f"{time_field}__gte": w.start, f"{country_field}__in": sorted(w.countries)})
        if w.end is not None:
            q &= Q(**{f"{time_field}__lt": w.end})
        parts.append(q)
    return reduce(or_, parts) if parts else None


# --- querysets ------------------------------------------------------------------------------------


class TenantQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> TenantQuerySet:
        """Tenants the user is a member of (all of them for platform staff)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(memberships__user=user).distinct()

    def administered_by(self, user: User) -> TenantQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(memberships__user=user, memberships__role=TenantRole.ADMIN).distinct()

    def assigning(self, operator: Operator | int) -> TenantQuerySet:
        """Tenants that currently have ``operator`` as an (active or suspended) operator."""
        return self.filter(
            assignments__operator_id=_pk(operator),
            assignments__status__in=[AssignmentStatus.ACTIVE, AssignmentStatus.SUSPENDED],
        ).distinct()

    def sharing_with(self, operator: Operator | int) -> TenantQuerySet:
        """Tenants sharing data with ``operator`` right now (enabled, assignment active)."""
        return self.filter(
            operator_connect_enabled=True,
            assignments__operator_id=_pk(operator),
            assignments__status=AssignmentStatus.ACTIVE,
        ).distinct()


class EnablementPeriodQuerySet(models.QuerySet):
    def open(self) -> EnablementPeriodQuerySet:
        return self.filter(ended_at__isnull=True)


class OperatorQuerySet(models.QuerySet):
    def active(self) -> OperatorQuerySet:
        return self.filter(is_active=True)

    def serving(self, country: str) -> OperatorQuerySet:
        return self.filter(countries__country=country.upper()).distinct()

    def staffed_by(self, user: User) -> OperatorQuerySet:
        """Operators the user works for (all of them for platform staff)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(memberships__user=user).distinct()

    def administered_by(self, user: User) -> OperatorQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(memberships__user=user, memberships__role=OperatorRole.ADMIN).distinct()


class OperatorAssignmentQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int) -> OperatorAssignmentQuerySet:
        return self.filter(tenant_id=_pk(tenant))

    def for_operator(self, operator: Operator | int) -> OperatorAssignmentQuerySet:
        return self.filter(operator_id=_pk(operator))

    def current(self) -> OperatorAssignmentQuerySet:
        """Not removed: active or suspended."""
        return self.exclude(status=AssignmentStatus.REMOVED)

    def active(self) -> OperatorAssignmentQuerySet:
        return self.filter(status=AssignmentStatus.ACTIVE)

    def sharing(self) -> OperatorAssignmentQuerySet:
        """Active assignments of tenants with Operator Connect on: data flows now."""
        return self.active().filter(tenant__operator_connect_enabled=True)

    def visible_to(self, user: User) -> OperatorAssignmentQuerySet:
        """Assignments of the user's tenants, plus those naming the user's operators."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            Q(tenant__memberships__user=user) | Q(operator__memberships__user=user)
        ).distinct()


class AssignmentPeriodQuerySet(models.QuerySet):
    def open(self) -> AssignmentPeriodQuerySet:
        return self.filter(ended_at__isnull=True)


class PhoneNumberQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int) -> PhoneNumberQuerySet:
        return self.filter(tenant_id=_pk(tenant))

    def shareable_with(
        self,
        operator: Operator | int,
        tenant: Tenant | int,
        *,
        windows: list[ShareWindow] | None = None,
    ) -> PhoneNumberQuerySet:
        """The operator's numbers of the tenant, in the countries it serves for it, right now."""
        window = current_share_window(tenant, operator, windows)
        if window is None:
            return self.none()
        return self.filter(
            tenant_id=_pk(tenant),
            operator_id=_pk(operator),
            iso_country_code__in=sorted(window.countries),
        )

    def assigned_to_users(self) -> PhoneNumberQuerySet:
        from portal.choices import PstnAssignmentStatus

        return self.filter(pstn_assignment_status=PstnAssignmentStatus.USER)


class EmergencyLocationQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int) -> EmergencyLocationQuerySet:
        return self.filter(tenant_id=_pk(tenant))

    def shareable_with(
        self,
        operator: Operator | int,
        tenant: Tenant | int,
        *,
        windows: list[ShareWindow] | None = None,
    ) -> EmergencyLocationQuerySet:
        """Locations used by numbers that are shareable with the operator right now."""
        numbers = _model("PhoneNumber").objects.shareable_with(operator, tenant, windows=windows)
        used = numbers.filter(emergency_location__isnull=False).values("emergency_location_id")
        return self.filter(tenant_id=_pk(tenant), pk__in=used)


class CallRecordQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int) -> CallRecordQuerySet:
        return self.filter(tenant_id=_pk(tenant))

    def between(self, start: datetime | None, end: datetime | None) -> CallRecordQuerySet:
        qs = self
        if start is not None:
            qs = qs.filter(invite_time__gte=start)
        if end is not None:
            qs = qs.filter(invite_time__lt=end)
        return qs

    def shareable_with(
        self,
        operator: Operator | int,
        tenant: Tenant | int,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        windows: list[ShareWindow] | None = None,
    ) -> CallRecordQuerySet:
        """The operator's call legs of the tenant inside a share window (and [start, end))."""
        if windows is None:
            windows = share_windows(tenant, operator)
        clipped = [w.clip(start, end) for w in windows]
        q = _window_q([w for w in clipped if w is not None], "invite_time", "tenant_country")
        if q is None:
            return self.none()
        return self.filter(tenant_id=_pk(tenant), operator_id=_pk(operator)).filter(q)


class AuditEventQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int) -> AuditEventQuerySet:
        return self.filter(tenant_id=_pk(tenant))

    def for_operator(self, operator: Operator | int) -> AuditEventQuerySet:
        return self.filter(operator_id=_pk(operator))
