"""Reads and scoping of export jobs, named for their intent (STYLE §3, invariants I1, I2, I5)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from exports.choices import IN_FLIGHT, ExportStatus
from portal.choices import TenantRole

if TYPE_CHECKING:
    from portal.models import Operator, Tenant, User


def _model(name: str):
    return apps.get_model("portal", name)


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class ExportJobQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int) -> ExportJobQuerySet:
        return self.filter(tenant_id=_pk(tenant))

    def for_operator(self, operator: Operator | int) -> ExportJobQuerySet:
        return self.filter(operator_id=_pk(operator))

    def in_flight(self) -> ExportJobQuerySet:
        return self.filter(status__in=list(IN_FLIGHT))

    def _tenant_member(self, user: User, *, admin: bool = False) -> Exists:
        members = _model("Membership").objects.filter(user=user, tenant_id=OuterRef("tenant_id"))
        if admin:
            members = members.filter(role=TenantRole.ADMIN)
        return Exists(members)

    def _operator_member(self, user: User) -> Exists:
        return Exists(
            _model("OperatorMembership").objects.filter(
                user=user, operator_id=OuterRef("operator_id")
            )
        )

    @staticmethod
    def _sharing_now() -> Exists:
        """The tenant shares with the job's operator right now (enabled, assignment active)."""
        return Exists(
            _model("OperatorAssignment")
            .objects.sharing()
            .filter(tenant_id=OuterRef("tenant_id"), operator_id=OuterRef("operator_id"))
        )

    def visible_to(self, user: User) -> ExportJobQuerySet:
        """Jobs of the user's tenants (any role) and of the user's operators."""
        if not _active(user):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(Q(self._tenant_member(user)) | Q(self._operator_member(user)))

    def downloadable_by(self, user: User) -> ExportJobQuerySet:
        """Finished, unexpired files the user may fetch right now (I2, I5).

        Tenant admins may fetch their tenant's files. Operator staff may fetch them only while
        the tenant shares with their operator: suspending or removing the operator, or turning
        Operator Connect off, revokes every finished file at once — it is computed here, on each
        request, never stored.
        """
        if not _active(user):
            return self.none()
        ready = self.filter(status=ExportStatus.SUCCEEDED, expires_at__gt=timezone.now())
        if user.is_staff:
            return ready
        return ready.filter(
            Q(self._tenant_member(user, admin=True))
            | (Q(self._operator_member(user)) & Q(self._sharing_now()))
        )

    def requested_since(self, since: datetime) -> ExportJobQuerySet:
        return self.filter(created_at__gte=since)

    def lease_expired(self, now: datetime | None = None) -> ExportJobQuerySet:
        """Running jobs whose worker stopped renewing its lease (it died or hangs)."""
        return self.filter(status=ExportStatus.RUNNING, lease_expires_at__lt=now or timezone.now())

    def due_for_expiry(self, now: datetime | None = None) -> ExportJobQuerySet:
        return self.filter(status=ExportStatus.SUCCEEDED, expires_at__lte=now or timezone.now())


class ExportScheduleQuerySet(models.QuerySet):
    def for_operator(self, operator: Operator | int) -> ExportScheduleQuerySet:
        return self.filter(operator_id=_pk(operator))

    def due(self, now: datetime) -> ExportScheduleQuerySet:
        """Schedules not paused whose next slot has come."""
        return self.filter(paused=False, next_run_at__lte=now)
