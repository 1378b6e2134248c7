"""Build the demo world — directory, tenants, people, assignments, notices — as a timeline.

Every step of the story runs through its service (which validates it and writes its audit
event) under a frozen clock set to the step's story time (``time_machine.travel``). So every
row a step writes — enablement and assignment periods, acknowledgements, status times, notice
versions and audit events — carries the story's date, and the audit log, the notice history,
the share windows and the dashboard tell the same story. Nothing is moved afterwards, and
production code has no hook for this: only the clock it reads is changed.

The story, in days before the anchor (midnight UTC on the day the world is built), is the data
in ``catalog``. On a story day the first step happens at 09:00 UTC and each further step 20
minutes later. After a tenant's steps of a day, its admin publishes the notice five minutes
later if the portal says it is out of date — except where the story leaves it out of date on
purpose (``AssignmentSpec.notice_left_out_of_date``). Enabling Operator Connect alone is not
followed by a publication: the admin publishes once the operators are added.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count

import time_machine
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.catalog import (
    ASSIGNMENTS,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    OPERATOR_ADMINS,
    OPERATOR_AGE_DAYS,
    OPERATORS,
    PEOPLE,
    TENANT_AGE_DAYS,
    TENANTS,
    AssignmentSpec,
    OperatorSpec,
    TenantSpec,
    demo_uuid,
)
from notices.services import notice_status, publish_notice, update_notice_settings
from portal import services
from portal.choices import TenantRole, TransferMechanism
from portal.models import Operator, OperatorAssignment, Tenant, User
from portal.privacy_law import authority_for, outside_eea
from portal.services.directory import create_operator, create_tenant

logger = logging.getLogger(__name__)

# When a story day starts, how far apart its steps are, and when the notice follows a change.
DAY_STARTS = timedelta(hours=9)
STEP_GAP = timedelta(minutes=20)
PUBLISH_DELAY = timedelta(minutes=5)

# Steps of one tenant on one day run in this order.
ENABLE, ASSIGN, RELATIONSHIP, COUNTRIES, SUSPEND, REMOVE = range(6)


def demo_tenants():
    """The demo's tenants (a queryset), found by their stable Microsoft tenant IDs."""
    return Tenant.objects.filter(
        microsoft_tenant_id__in=[demo_uuid("tenant", t.slug) for t in TENANTS]
    )


def _midnight(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def find_anchor() -> datetime | None:
    """The anchor of an existing demo world (None when there is none)."""
    first = Tenant.objects.filter(microsoft_tenant_id=demo_uuid("tenant", TENANTS[0].slug)).first()
    if first is None:
        return None
    return _midnight(first.created_at + timedelta(days=TENANT_AGE_DAYS))


def world_exists() -> bool:
    return find_anchor() is not None


def new_anchor() -> datetime:
    """Midnight UTC today: call records cover the whole days before it."""
    return _midnight(timezone.now())


def story_time(anchor: datetime, day: int, slot: int = 0) -> datetime:
    """When the ``slot``-th step of the story day ``day`` (days before ``anchor``) happens."""
    return anchor - timedelta(days=day) + DAY_STARTS + slot * STEP_GAP


@dataclass
class _Step:
    day: int
    tenant: str  # "" for steps of the directory and the platform staff
    kind: int
    seq: int
    run: Callable[[], object]
    publish: bool  # afterwards, the tenant's admin brings the notice up to date


class _Timeline:
    """Steps of the story, run oldest first, each under the clock of its story time."""

    def __init__(self, anchor: datetime):
        self.anchor = anchor
        self.steps: list[_Step] = []
        self._seq = count()

    def at(
        self,
        day: int,
        run: Callable[[], object],
        *,
        tenant: str = "",
        kind: int = 0,
        publish: bool = False,
    ) -> None:
        self.steps.append(_Step(day, tenant, kind, next(self._seq), run, publish))

    def run(self, publisher: Callable[[str], User]) -> None:
        steps = sorted(self.steps, key=lambda s: (-s.day, s.tenant, s.kind, s.seq))
        slot, day, publish = 0, None, False
        for i, step in enumerate(steps):
            slot = slot + 1 if step.day == day else 0
            day = step.day
            at = story_time(self.anchor, step.day, slot)
            with time_machine.travel(at, tick=False):
                step.run()
            # The admin reviews the notice once, after the tenant's last step of the day.
            publish = publish or step.publish
            nxt = steps[i + 1] if i + 1 < len(steps) else None
            if nxt is None or (nxt.day, nxt.tenant) != (step.day, step.tenant):
                if step.tenant and publish:
                    with time_machine.travel(at + PUBLISH_DELAY, tick=False):
                        _publish_if_out_of_date(step.tenant, publisher(step.tenant))
                publish = False


def _publish_if_out_of_date(slug: str, by: User) -> None:
    """What an admin does when the dashboard says the notice no longer matches the settings."""
    tenant = Tenant.objects.get(slug=slug)
    if notice_status(tenant).can_publish:
        publish_notice(tenant, by=by)


@transaction.atomic
def build_world(anchor: datetime) -> None:
    """Create the directory, tenants, people, memberships, assignments and notices."""
    timeline = _Timeline(anchor)
    operators: dict[str, Operator] = {}
    tenants: dict[str, Tenant] = {}
    users: dict[str, User] = {}
    staff_spec = next(p for p in PEOPLE if p.staff)
    # One hash for everyone: hashing a password costs ~0.3 s and they all share it anyway.
    password = make_password(DEMO_PASSWORD)

    def person(email: str) -> None:
        spec = next(p for p in PEOPLE if p.email == email)
        users[email] = User.objects.filter(email=email).first() or User.objects.create(
            email=email,
            full_name=spec.full_name,
            is_staff=spec.staff,
            is_superuser=spec.staff,
            password=password,
        )
        if spec.staff or spec.operators:  # they must use a second factor (docs/mfa.md)
            TOTPDevice.objects.get_or_create(
                user=users[email],
                name="Demo authenticator",
                defaults={"key": DEMO_TOTP_KEY, "confirmed": True},
            )

    def operator(spec: OperatorSpec) -> None:
        operators[spec.slug] = _operator(spec, users[staff_spec.email])

    def tenant(spec: TenantSpec) -> None:
        tenants[spec.slug] = _tenant(spec, users[staff_spec.email])

    timeline.at(OPERATOR_AGE_DAYS, lambda: person(staff_spec.email))
    for spec in OPERATORS:
        timeline.at(OPERATOR_AGE_DAYS, lambda s=spec: operator(s))
    for spec in TENANTS:
        timeline.at(TENANT_AGE_DAYS, lambda s=spec: tenant(s))
    for p in PEOPLE:
        if p.staff:
            continue

        def join(p=p) -> None:
            person(p.email)
            staff = users[staff_spec.email]
            for slug, role in p.tenants:
                services.add_member(tenants[slug], email=p.email, role=role, by=staff)
            for slug, role in p.operators:
                services.add_operator_member(operators[slug], email=p.email, role=role, by=staff)

        timeline.at(TENANT_AGE_DAYS - 1, join)

    for spec in TENANTS:
        if spec.enabled_day is not None:
            timeline.at(
                spec.enabled_day,
                lambda s=spec: services.enable_operator_connect(
                    tenants[s.slug], by=users[_admin_of(s.slug)], acknowledged=True
                ),
                tenant=spec.slug,
                kind=ENABLE,
            )
    for spec in ASSIGNMENTS:
        _assignment_steps(timeline, spec, tenants, operators, users)

    timeline.run(lambda slug: users[_admin_of(slug)])
    logger.info("Demo world built: %d tenants, %d operators.", len(tenants), len(operators))


def _admin_of(slug: str) -> str:
    """The e-mail of the tenant's first admin in the catalogue."""
    return next(
        p.email for p in PEOPLE for s, role in p.tenants if s == slug and role == TenantRole.ADMIN
    )


def _operator(spec: OperatorSpec, staff: User) -> Operator:
    existing = Operator.objects.filter(slug=spec.slug).first()
    if existing is not None:
        return existing
    return create_operator(
        countries=list(spec.countries),
        by=staff,
        name=spec.name,
        slug=spec.slug,
        privacy_policy_url=f"https://www.{spec.domain}/legal/privacy",
        terms_url=f"https://www.{spec.domain}/legal/terms-of-use",
        website=f"https://www.{spec.domain}/",
        support_email=f"teams-support@{spec.domain}",
        support_phone=spec.support_phone,
        description=spec.description,
        services=list(spec.services),
        **_transfer_facts(spec.countries),
    )


def _tenant(spec: TenantSpec, staff: User) -> Tenant:
    tenant = create_tenant(
        by=staff,
        microsoft_tenant_id=demo_uuid("tenant", spec.slug),
        slug=spec.slug,
        name=spec.name,
        country=spec.country,
        privacy_contact_name="Data Protection Officer",
        privacy_contact_email=f"privacy@{spec.domain}",
        privacy_contact_address=spec.contact_address,
        mask_external_digits=spec.mask_external_digits,
    )
    if authority_for(spec.country) is None:
        # Outside the EEA, UK and CH the admin names the authority users can complain to.
        update_notice_settings(tenant, by=staff, **DEMO_AUTHORITIES[spec.country])
    return tenant


# The authority a demo tenant outside the maintained list enters in its notice settings.
DEMO_AUTHORITIES = {
    "US": {"authority_name": "Federal Trade Commission", "authority_url": "https://www.ftc.gov/"}
}


def _transfer_facts(countries: tuple[str, ...]) -> dict:
    """Demo operators process where they serve; abroad with SCCs (adequacy for GB, CH, CA)."""
    abroad = set(outside_eea(countries))
    if not abroad:
        mechanism = ""
    elif abroad <= {"GB", "CH", "CA"}:
        mechanism = TransferMechanism.ADEQUACY
    else:
        mechanism = TransferMechanism.SCC
    return {"processing_countries": list(countries), "transfer_mechanism": mechanism}


def _assignment_steps(
    timeline: _Timeline,
    spec: AssignmentSpec,
    tenants: dict[str, Tenant],
    operators: dict[str, Operator],
    users: dict[str, User],
) -> None:
    def current() -> OperatorAssignment:
        return OperatorAssignment.objects.get(
            tenant=tenants[spec.tenant], operator=operators[spec.operator]
        )

    def assign() -> None:
        admin = users[spec.by]
        services.assign_operator(
            tenants[spec.tenant],
            operators[spec.operator],
            countries=list(spec.countries),
            contact_full_name=admin.full_name,
            contact_email=admin.email,
            company_size=spec.company_size,
            contact_phone=spec.contact_phone,
            acknowledged=True,
            by=admin,
        )

    def step(day: int, kind: int, run: Callable[[], object], publish: bool = True) -> None:
        timeline.at(day, run, tenant=spec.tenant, kind=kind, publish=publish)

    step(spec.assigned_day, ASSIGN, assign)
    for day, status, reason in spec.relationship:
        step(
            day,
            RELATIONSHIP,
            lambda s=status, r=reason: services.set_relationship_status(
                current(), status=s, reason=r, by=users[OPERATOR_ADMINS[spec.operator]]
            ),
        )
    if spec.countries_changed:
        day, codes = spec.countries_changed
        step(
            day,
            COUNTRIES,
            lambda: services.change_assignment_countries(
                current(), countries=list(codes), by=users[spec.by]
            ),
            publish=not spec.notice_left_out_of_date,
        )
    if spec.suspended_day is not None:
        step(
            spec.suspended_day,
            SUSPEND,
            lambda: services.suspend_assignment(current(), by=users[spec.by]),
        )
    if spec.removed_day is not None:
        step(
            spec.removed_day,
            REMOVE,
            lambda: services.remove_assignment(current(), by=users[spec.by]),
        )
