"""Reads and scoping, named for their intent (invariants I1 and I2).

No view filters tenant data by hand: it asks one of these.

I2, the operator's share, is computed from *share windows* (``portal.sharing``): spans in which
Operator Connect was on, the assignment was active with an open relationship, and the notice in
force named the operator — each with the countries shared. A record is shareable with an
operator when it is carried by that operator, belongs to the tenant, and its time and
tenant-side country fall inside a window.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import Q

from portal import partitions
from portal.choices import AssignmentStatus, OperatorRole, PstnAssignmentStatus, TenantRole
from portal.sharing import (
    BLOCKING_RELATIONSHIPS,
    ShareWindow,
    current_share_window,
    share_windows,
)

if TYPE_CHECKING:
    from portal.models import Operator, Tenant, User


def _model(name: str):
    return apps.get_model("portal", name)


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


# --- share windows (I2): computed in portal/sharing.py, applied here ----------------------------


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
        """Tenants whose gate to ``operator`` may be open now: enabled, assignment active,
        relationship open. Whether the notice in force names the operator is checked by
        ``portal.sharing.gate`` when data is actually requested."""
        return (
            self.filter(
                operator_connect_enabled=True,
                assignments__operator_id=_pk(operator),
                assignments__status=AssignmentStatus.ACTIVE,
            )
            .exclude(
                assignments__operator_id=_pk(operator),
                assignments__relationship_status__in=list(BLOCKING_RELATIONSHIPS),
            )
            .distinct()
        )


class EnablementPeriodQuerySet(models.QuerySet):
    def open(self) -> EnablementPeriodQuerySet:
        return self.filter(ended_at__isnull=True)


class OperatorQuerySet(models.QuerySet):
    def active(self) -> OperatorQuerySet:
        return self.filter(is_active=True)

    def serving(self, country: str) -> OperatorQuerySet:
        return self.filter(countries__country=country.upper()).distinct()

    def search(self, term: str) -> OperatorQuerySet:
        """The directory search of the browser and the API: name or description."""
        term = term.strip()
        return self.filter(Q(name__icontains=term) | Q(description__icontains=term))

    def offering(self, service: str) -> OperatorQuerySet:
        """Operators listing ``service``. Matched in Python: SQLite (the embedded demo) has no
        JSON containment lookup, and the directory holds tens of operators, not millions."""
        ids = [pk for pk, services in self.values_list("pk", "services") if service in services]
        return self.filter(pk__in=ids)

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
        """Active assignments with an open relationship, of tenants with Operator Connect on.

        The notice check of the gate (``portal.sharing.gate``) comes on top."""
        return (
            self.active()
            .filter(tenant__operator_connect_enabled=True)
            .exclude(relationship_status__in=list(BLOCKING_RELATIONSHIPS))
        )

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

    def search(self, term: str) -> PhoneNumberQuerySet:
        """Number (spaces and dashes ignored), assigned user, or city."""
        term = term.strip()
        digits = term.replace(" ", "").replace("-", "")
        return self.filter(
            Q(telephone_number__icontains=digits)
            | Q(assigned_upn__icontains=term)
            | Q(assigned_display_name__icontains=term)
            | Q(city__icontains=term)
        )

    def assigned_to_users(self) -> PhoneNumberQuerySet:
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

    def search(self, term: str) -> EmergencyLocationQuerySet:
        """Company, address parts, place or description."""
        term = term.strip()
        return self.filter(
            Q(company_name__icontains=term)
            | Q(city__icontains=term)
            | Q(street_name__icontains=term)
            | Q(place_name__icontains=term)
            | Q(description__icontains=term)
            | Q(postal_code__icontains=term)
        )


# --- call-record filters: each one served by an index or bounded by a window ---------------------
#
# The two composite indexes, (tenant, invite_time, id, …) and (tenant, operator, invite_time, id,
# …), serve the tenant, the operator and the time range in the lists' order. The other filters
# of the call-record lists (page, API and admin) are no index's order: an index per filter and
# combination would be paid on every row ingested. Both indexes carry them as trailing columns
# instead (migration 0019), so they are checked on index entries, and a list filtered on one of
# them reads at most a window of time — the last CALL_WINDOW_DEFAULT_DAYS by default,
# CALL_WINDOW_MAX_DAYS at most — so a filter that matches nothing reads a few weeks of one
# tenant's index entries, never its whole history (docs/design.md "Scaling").
WINDOWED_CALL_FILTERS = ("direction", "call_type", "quality", "is_emergency", "success")
CALL_WINDOW_DEFAULT_DAYS = 30
CALL_WINDOW_MAX_DAYS = 93
CALL_WINDOW_MESSAGE = (
    f"With direction, call type or quality filters, choose at most {CALL_WINDOW_MAX_DAYS} days "
    "at a time (these filters read a window of time, not the whole history)."
)


class WindowTooLong(ValueError):
    """A time range longer than CALL_WINDOW_MAX_DAYS together with a windowed filter."""


def call_window(
    start: datetime | None, end: datetime | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """The [start, end) a call-record list filtered on a windowed column reads.

    Neither given: the last CALL_WINDOW_DEFAULT_DAYS before ``now``. Only ``start``: up to
    CALL_WINDOW_MAX_DAYS after it (not past ``now``). Only ``end``: CALL_WINDOW_DEFAULT_DAYS
    before it. Longer than CALL_WINDOW_MAX_DAYS: ``WindowTooLong``."""
    most = timedelta(days=CALL_WINDOW_MAX_DAYS)
    if end is None:
        end = now if start is None else max(start, min(now, start + most))
    if start is None:
        start = end - timedelta(days=CALL_WINDOW_DEFAULT_DAYS)
    if end - start > most:
        raise WindowTooLong(CALL_WINDOW_MESSAGE)
    return start, end


def uses_windowed_filter(values: dict) -> bool:
    """True when one of the windowed filters has a value (``False`` counts: it filters)."""
    return any(values.get(name) not in (None, "") for name in WINDOWED_CALL_FILTERS)


class CallRecordQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Create the monthly partitions the new rows need first (``portal.partitions``)."""
        objs = list(objs)
        partitions.ensure_for_times(obj.invite_time for obj in objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if "invite_time" in fields:
            partitions.ensure_for_times(obj.invite_time for obj in objs)
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs) -> int:
        """Moving legs to another time needs that month's partition too."""
        partitions.ensure_for_times([kwargs.get("invite_time")])
        return super().update(**kwargs)

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

    def between(self, start: datetime | None, end: datetime | None) -> AuditEventQuerySet:
        qs = self
        if start is not None:
            qs = qs.filter(occurred_at__gte=start)
        if end is not None:
            qs = qs.filter(occurred_at__lt=end)
        return qs


__all__ = [
    "CALL_WINDOW_DEFAULT_DAYS",
    "CALL_WINDOW_MAX_DAYS",
    "WINDOWED_CALL_FILTERS",
    "ShareWindow",
    "WindowTooLong",
    "call_window",
    "current_share_window",
    "share_windows",
    "uses_windowed_filter",
]
