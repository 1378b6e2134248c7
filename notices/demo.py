"""Demo data for the notice: called by ``seed_demo``.

Publishes a notice for every tenant that uses Operator Connect, then changes one tenant's
configuration after publishing so the dashboard shows the "out of date" warning and a country
held back from an operator.
"""

from __future__ import annotations

import logging

from notices.models import NoticeSettings, NoticeVersion
from notices.services import notice_status, publish_notice
from portal import services
from portal.choices import TenantRole
from portal.errors import DomainError
from portal.models import Membership, OperatorAssignment, Tenant, User

logger = logging.getLogger(__name__)


def _publisher(tenant: Tenant) -> User | None:
    admin = (
        Membership.objects.filter(tenant=tenant, role=TenantRole.ADMIN)
        .select_related("user")
        .order_by("created_at")
        .first()
    )
    return admin.user if admin else None


def _ensure_contact(tenant: Tenant, by: User | None) -> None:
    if tenant.privacy_contact_email or NoticeSettings.objects.filter(tenant=tenant).exists():
        return
    NoticeSettings.objects.create(
        tenant=tenant,
        contact_name="Data Protection Officer",
        contact_email=f"privacy@{tenant.slug}.example",
        updated_by=by,
    )


def _make_out_of_date(tenant: Tenant, by: User | None) -> str | None:
    """Change one thing after publishing: add a country the notice does not name yet.

    (A suspension would not do: it leaves the notice true.) The added country's calls are
    then held back until the notice is published again, which the dashboard explains.
    """
    if by is None:
        return None
    for assignment in OperatorAssignment.objects.for_tenant(tenant).active():
        codes = assignment.country_codes
        served = sorted(assignment.operator.countries.values_list("country", flat=True))
        extra = [c for c in served if c not in codes]
        try:
            if extra:
                services.change_assignment_countries(assignment, countries=codes + extra[:1], by=by)
                return f"added {extra[0]} to {assignment.operator.name}"
        except DomainError:
            continue
    return None


def publish_demo_notices(*, out_of_date: int = 1) -> list[NoticeVersion]:
    """Publish a notice for each tenant using Operator Connect; leave ``out_of_date`` stale.

    Idempotent: a tenant whose published notice is already up to date is left alone.
    """
    published: list[NoticeVersion] = []
    tenants = list(Tenant.objects.filter(operator_connect_enabled=True).order_by("name"))
    for tenant in tenants:
        by = _publisher(tenant)
        _ensure_contact(tenant, by)
        if not notice_status(tenant).can_publish:
            continue
        try:
            published.append(publish_notice(tenant, by=by, note="Demo data"))
        except DomainError as exc:
            logger.warning("Demo notice for %s not published: %s", tenant.slug, exc.message)
    stale = 0
    for tenant in reversed(tenants):
        if stale >= out_of_date:
            break
        status = notice_status(tenant)
        if status.current is None:
            continue
        if status.out_of_date:
            stale += 1
            continue
        if _make_out_of_date(tenant, _publisher(tenant)):
            stale += 1
    return published
