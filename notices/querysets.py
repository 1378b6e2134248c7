"""Reads of published notices, named for their intent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from portal.models import Tenant


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


class NoticeVersionQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int) -> NoticeVersionQuerySet:
        return self.filter(tenant_id=_pk(tenant))

    def latest_for(self, tenant: Tenant | int):
        """The tenant's highest-numbered version, in force or scheduled, or None.

        The next version is compared with this one: a scheduled version already counts."""
        return self.for_tenant(tenant).order_by("-number").first()

    def current_for(self, tenant: Tenant | int, at: datetime | None = None):
        """The version in force now (or at ``at``), or None (docs/notice.md "Scheduled")."""
        return self.in_force_on(tenant, at or timezone.now())

    def upcoming_for(self, tenant: Tenant | int, at: datetime | None = None) -> list:
        """Versions published but not yet effective that will take effect, soonest first.

        A scheduled version overtaken by a higher-numbered one that took effect before it never
        takes effect, so it is not upcoming."""
        at = at or timezone.now()
        current = self.in_force_on(tenant, at)
        pending = list(self.for_tenant(tenant).filter(effective_at__gt=at).order_by("-number"))
        floor = current.number if current is not None else 0
        return takes_effect(pending, floor)

    def in_force_on(self, tenant: Tenant | int, at: datetime):
        """The version in force at ``at``: the latest one effective at or before it, or None."""
        return self.for_tenant(tenant).filter(effective_at__lte=at).order_by("-number").first()


def takes_effect(pending: list, floor: int) -> list:
    """Of ``pending`` (newest number first), those that will take effect, soonest first.

    ``floor``: the number in force now. A version with a higher-numbered one effective no later
    than it is overtaken and never in force."""
    kept, earliest_later = [], None
    for version in pending:
        number, effective_at = _field(version, "number"), _field(version, "effective_at")
        if number <= floor:
            continue
        if earliest_later is None or effective_at < earliest_later:
            kept.append(version)
        earliest_later = (
            effective_at if earliest_later is None else min(earliest_later, effective_at)
        )
    return sorted(kept, key=lambda v: (_field(v, "effective_at"), _field(v, "number")))


def _field(version, name: str):
    # Versions come as rows or as the public pages' cached dicts.
    return version[name] if isinstance(version, dict) else getattr(version, name)
