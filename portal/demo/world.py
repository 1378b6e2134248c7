"""Build the demo world's directory, tenants, people and assignments — through the services.

Services stamp everything with ``timezone.now()``. A demo whose operators were all added a
second ago would share nothing: call records spread over the last 90 days would fall outside
every share window (I2). So the world is built as a timeline: each step runs through its
service (which validates it and writes its audit event), then the rows that step stamped
(enablement and assignment periods, acknowledgements, status times) are moved back to the day
the timeline says. Audit events keep their real time: they are append-only (a PostgreSQL
trigger refuses UPDATE), and the audit log honestly says when the demo was seeded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from portal import services
from portal.demo.catalog import (
    ASSIGNMENTS,
    DEMO_PASSWORD,
    OPERATOR_ADMINS,
    OPERATORS,
    PEOPLE,
    TENANT_AGE_DAYS,
    TENANTS,
    demo_uuid,
)
from portal.models import (
    Acknowledgement,
    AssignmentPeriod,
    EnablementPeriod,
    Membership,
    Operator,
    OperatorAssignment,
    OperatorCountry,
    OperatorMembership,
    Tenant,
    User,
)

logger = logging.getLogger(__name__)


def demo_tenants():
    """The demo's tenants (a queryset), found by their stable Microsoft tenant IDs."""
    return Tenant.objects.filter(
        microsoft_tenant_id__in=[demo_uuid("tenant", t.slug) for t in TENANTS]
    )


def find_anchor() -> datetime | None:
    """The anchor of an existing demo world (None when there is none)."""
    first = Tenant.objects.filter(microsoft_tenant_id=demo_uuid("tenant", TENANTS[0].slug)).first()
    if first is None:
        return None
    return first.created_at + timedelta(days=TENANT_AGE_DAYS)


def world_exists() -> bool:
    return find_anchor() is not None


def new_anchor() -> datetime:
    """Midnight UTC today: call records cover the whole days before it."""
    now = timezone.now()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


class _Timeline:
    """Runs steps through services, then moves what each step stamped back to its demo day."""

    def __init__(self, anchor: datetime, tenants: list[Tenant]):
        self.anchor = anchor
        self.tenant_ids = [t.pk for t in tenants]

    def at(self, days_before: int, step: Callable[[], object]) -> object:
        since = timezone.now()
        result = step()
        self._backdate(since, self.anchor - timedelta(days=days_before))
        return result

    def _backdate(self, since: datetime, to: datetime) -> None:
        # Everything the step stamped is at or after ``since``; earlier steps are already in
        # the past, so they are untouched. Start times move before end times, which keeps
        # every "end >= start" constraint true at each UPDATE.
        t = self.tenant_ids
        for model, fields in (
            (EnablementPeriod, ["started_at", "ended_at"]),
            (Acknowledgement, ["acknowledged_at"]),
            (Membership, ["created_at"]),
        ):
            for f in fields:
                model.objects.filter(tenant_id__in=t, **{f"{f}__gte": since}).update(**{f: to})
        for f in ("started_at", "ended_at"):
            AssignmentPeriod.objects.filter(
                assignment__tenant_id__in=t, **{f"{f}__gte": since}
            ).update(**{f: to})
        for f in ("created_at", "status_changed_at", "relationship_changed_at"):
            OperatorAssignment.objects.filter(tenant_id__in=t, **{f"{f}__gte": since}).update(
                **{f: to}
            )
        Tenant.objects.filter(pk__in=t, operator_connect_changed_at__gte=since).update(
            operator_connect_changed_at=to
        )


def _operators(anchor: datetime) -> dict[str, Operator]:
    out = {}
    for spec in OPERATORS:
        operator, _ = Operator.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "privacy_policy_url": f"https://www.{spec.domain}/legal/privacy",
                "terms_url": f"https://www.{spec.domain}/legal/terms-of-use",
                "website": f"https://www.{spec.domain}/",
                "support_email": f"teams-support@{spec.domain}",
                "support_phone": spec.support_phone,
                "description": spec.description,
                "services": list(spec.services),
                "created_at": anchor - timedelta(days=400),
            },
        )
        for code in spec.countries:
            OperatorCountry.objects.get_or_create(operator=operator, country=code)
        out[spec.slug] = operator
    return out


def _people(anchor: datetime) -> dict[str, User]:
    # One hash for everyone: hashing a password costs ~0.3 s and they all share it anyway.
    password = make_password(DEMO_PASSWORD)
    out = {}
    for person in PEOPLE:
        user, _ = User.objects.get_or_create(
            email=person.email,
            defaults={
                "full_name": person.full_name,
                "is_staff": person.staff,
                "is_superuser": person.staff,
                "date_joined": anchor - timedelta(days=TENANT_AGE_DAYS),
                "password": password,
            },
        )
        out[person.email] = user
    return out


def _tenants(anchor: datetime) -> dict[str, Tenant]:
    out = {}
    for spec in TENANTS:
        tenant, _ = Tenant.objects.get_or_create(
            microsoft_tenant_id=demo_uuid("tenant", spec.slug),
            defaults={
                "slug": spec.slug,
                "name": spec.name,
                "country": spec.country,
                "privacy_contact_name": "Data Protection Officer",
                "privacy_contact_email": f"privacy@{spec.domain}",
                "privacy_contact_address": spec.contact_address,
                "mask_external_digits": spec.mask_external_digits,
                "created_at": anchor - timedelta(days=TENANT_AGE_DAYS),
            },
        )
        out[spec.slug] = tenant
    return out


@transaction.atomic
def build_world(anchor: datetime) -> None:
    """Create the directory, tenants, people, memberships and assignment histories."""
    operators = _operators(anchor)
    users = _people(anchor)
    tenants = _tenants(anchor)
    staff = users[next(p.email for p in PEOPLE if p.staff)]
    timeline = _Timeline(anchor, list(tenants.values()))

    for person in PEOPLE:
        for slug, role in person.tenants:
            timeline.at(
                TENANT_AGE_DAYS - 1,
                lambda s=slug, r=role, p=person: services.add_member(
                    tenants[s], email=p.email, role=r, by=staff
                ),
            )
        for slug, role in person.operators:
            services.add_operator_member(operators[slug], email=person.email, role=role, by=staff)
    OperatorMembership.objects.filter(operator__in=operators.values()).update(
        created_at=anchor - timedelta(days=TENANT_AGE_DAYS)
    )

    steps: list[tuple[int, int, Callable[[], object]]] = []
    admins = {slug: users[p.email] for p in PEOPLE for slug, role in p.tenants if role == "admin"}
    for spec in TENANTS:
        if spec.enabled_day is not None:
            steps.append(
                (
                    spec.enabled_day,
                    0,
                    lambda s=spec: services.enable_operator_connect(
                        tenants[s.slug], by=admins[s.slug], acknowledged=True
                    ),
                )
            )
    for spec in ASSIGNMENTS:
        steps.extend(_assignment_steps(spec, tenants, operators, users))
    # Oldest first; on the same day, in the order the steps were listed.
    for days, _, step in sorted(steps, key=lambda s: (-s[0], s[1])):
        timeline.at(days, step)
    logger.info("Demo world built: %d tenants, %d operators.", len(tenants), len(operators))


def _assignment_steps(spec, tenants, operators, users) -> list[tuple[int, int, Callable]]:
    tenant, operator, admin = tenants[spec.tenant], operators[spec.operator], users[spec.by]
    operator_admin = users[OPERATOR_ADMINS[spec.operator]]

    def current() -> OperatorAssignment:
        return OperatorAssignment.objects.get(tenant=tenant, operator=operator)

    steps = [
        (
            spec.assigned_day,
            1,
            lambda: services.assign_operator(
                tenant,
                operator,
                countries=list(spec.countries),
                contact_full_name=admin.full_name,
                contact_email=admin.email,
                company_size=spec.company_size,
                contact_phone=spec.contact_phone,
                acknowledged=True,
                by=admin,
            ),
        )
    ]
    if spec.relationship:
        day, status, reason = spec.relationship
        steps.append(
            (
                day,
                2,
                lambda: services.set_relationship_status(
                    current(), status=status, reason=reason, by=operator_admin
                ),
            )
        )
    if spec.countries_changed:
        day, codes = spec.countries_changed
        steps.append(
            (
                day,
                3,
                lambda: services.change_assignment_countries(
                    current(), countries=list(codes), by=admin
                ),
            )
        )
    if spec.suspended_day is not None:
        steps.append(
            (spec.suspended_day, 4, lambda: services.suspend_assignment(current(), by=admin))
        )
    if spec.removed_day is not None:
        steps.append((spec.removed_day, 5, lambda: services.remove_assignment(current(), by=admin)))
    return steps
