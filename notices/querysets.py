"""Reads of published notices, named for their intent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from portal.models import Tenant


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


class NoticeVersionQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int) -> NoticeVersionQuerySet:
        return self.filter(tenant_id=_pk(tenant))

    def current_for(self, tenant: Tenant | int):
        """The tenant's latest published version (the one in force now), or None."""
        return self.for_tenant(tenant).order_by("-number").first()

    def in_force_on(self, tenant: Tenant | int, at: datetime):
        """The version in force at ``at``: the latest one effective at or before it, or None."""
        return self.for_tenant(tenant).filter(effective_at__lte=at).order_by("-number").first()
