"""Erasure of a departed user's data (GDPR Art. 17), by phone number and/or UPN (docs/privacy.md).

Call records are **pseudonymised**, not deleted: every count, duration and quality figure the
tenant and its operators rely on stays right. The person's identifiers are replaced by
``erased:<first 24 hex of HMAC-SHA256(PRIVACY_HASH_KEY, kind:value)>`` — the key never leaves
the server, so the pseudonym cannot be turned back into the number, yet the access report (which
indexes the same HMAC) still finds the exports that held the person before the erasure. On each
leg the person's side loses its IP address; legs found by UPN lose the display name and object
id, and the user's own number on them is pseudonymised too. The phone number's SIP URI and its
assigned user are cleared (the number itself stays in the tenant's inventory: it belongs to the
operator and is reassigned, no longer linked to the person).

The operators that had already received the person's data (from the access report) are named on
the page and e-mailed, so the request reaches them (``notify_operators_of_erasure``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from portal.choices import AuditAction, Direction
from portal.models import AuditEvent, CallRecord, PhoneNumber, PhoneNumberPeriod, Tenant, User
from portal.services import notifications
from portal.services.audit import record_event
from privacy.access import ExportEntry, find_exports
from privacy.subjects import NUMBER, UPN, Subject, counted, subject_hash

PSEUDONYM_PREFIX = "erased:"


def pseudonym(kind: str, value: str) -> str:
    """What replaces an identifier: stable for the same person, meaningless without the key."""
    return PSEUDONYM_PREFIX + subject_hash(kind, value)[:24]


@dataclass
class ErasurePlan:
    tenant: Tenant
    subjects: list[Subject]
    call_records: int
    numbers: int
    exports: list[ExportEntry] = field(default_factory=list)

    @property
    def operators(self):
        seen = {}
        for entry in self.exports:
            seen.setdefault(entry.operator.pk, entry.operator)
        return sorted(seen.values(), key=lambda o: o.name)


def _legs(tenant: Tenant, subject: Subject):
    legs = CallRecord.objects.filter(tenant=tenant)
    if subject.kind == NUMBER:
        return legs.filter(Q(caller_number=subject.value) | Q(callee_number=subject.value))
    return legs.filter(user_upn__iexact=subject.value)


def _numbers(tenant: Tenant, subject: Subject):
    numbers = PhoneNumber.objects.filter(tenant=tenant)
    if subject.kind == NUMBER:
        return numbers.filter(telephone_number=subject.value)
    return numbers.filter(assigned_upn__iexact=subject.value)


def erasure_plan(tenant: Tenant, subjects: list[Subject]) -> ErasurePlan:
    """What an erasure would touch, and which operators already received the person's data."""
    legs = Q(pk__in=[])
    numbers = Q(pk__in=[])
    exports: dict[str, ExportEntry] = {}
    for subject in subjects:
        legs |= Q(pk__in=_legs(tenant, subject).values("pk"))
        numbers |= Q(pk__in=_numbers(tenant, subject).values("pk"))
        for entry in find_exports(tenant, subject):
            exports.setdefault(str(entry.job.pk), entry)
    return ErasurePlan(
        tenant=tenant,
        subjects=subjects,
        call_records=CallRecord.objects.filter(legs).count(),
        numbers=PhoneNumber.objects.filter(numbers).count(),
        exports=sorted(exports.values(), key=lambda e: e.job.finished_at or e.job.created_at),
    )


def review_erasure(
    tenant: Tenant, subjects: list[Subject], *, by: User, ip: str | None = None
) -> ErasurePlan:
    """The plan, for the admin to confirm. It names the operators that received the person's
    data, so it is a look-up like the access report and is audited as one."""
    with transaction.atomic():
        plan = erasure_plan(tenant, subjects)
        record_event(
            AuditAction.PRIVACY_ACCESS_REPORT,
            actor=by,
            tenant=tenant,
            ip=ip,
            target_label=" and ".join(s.masked for s in subjects),
            summary=(
                f"erasure review: {counted(len(plan.exports), 'export')}, "
                f"{counted(len(plan.operators), 'operator')}"
            ),
            kind="+".join(s.kind for s in subjects),
            exports=len(plan.exports),
            purpose="erasure review",
        )
    return plan


def _erase_number(tenant: Tenant, number: str) -> int:
    p = pseudonym(NUMBER, number)
    legs = CallRecord.objects.filter(tenant=tenant)
    # Where the number is the tenant user's own side, that user is the person: their UPN goes too.
    own = legs.filter(
        Q(direction=Direction.OUTBOUND, caller_number=number)
        | Q(direction=Direction.INBOUND, callee_number=number)
    )
    for upn in set(own.exclude(user_upn="").values_list("user_upn", flat=True)):
        own.filter(user_upn=upn).update(
            user_upn=pseudonym(UPN, upn.lower()), user_display_name="", user_object_id=None
        )
    own.filter(user_upn="").update(user_display_name="", user_object_id=None)
    touched = legs.filter(caller_number=number).update(caller_number=p, caller_ip=None)
    touched += legs.filter(callee_number=number).update(callee_number=p, callee_ip=None)
    numbers = PhoneNumber.objects.filter(tenant=tenant, telephone_number=number)
    PhoneNumberPeriod.objects.filter(number__in=numbers).update(assigned_upn="")
    numbers.update(sip_uri="", assigned_upn="", assigned_display_name="", assigned_object_id=None)
    return touched


def _erase_upn(tenant: Tenant, upn: str) -> int:
    p = pseudonym(UPN, upn)
    legs = CallRecord.objects.filter(tenant=tenant, user_upn__iexact=upn)
    # The user's own side of each leg: the caller of an outbound call, the callee of an inbound.
    sides = (
        (Direction.OUTBOUND, "caller_number", "caller_ip"),
        (Direction.INBOUND, "callee_number", "callee_ip"),
    )
    for direction, number_field, ip_field in sides:
        mine = legs.filter(direction=direction)
        for number in set(mine.exclude(**{number_field: ""}).values_list(number_field, flat=True)):
            if not number.startswith(PSEUDONYM_PREFIX):
                mine.filter(**{number_field: number}).update(
                    **{number_field: pseudonym(NUMBER, number)}
                )
        mine.update(**{ip_field: None})
    touched = legs.update(user_upn=p, user_display_name="", user_object_id=None)
    numbers = PhoneNumber.objects.filter(tenant=tenant, assigned_upn__iexact=upn)
    numbers.update(sip_uri="", assigned_upn="", assigned_display_name="", assigned_object_id=None)
    PhoneNumberPeriod.objects.filter(number__tenant=tenant, assigned_upn__iexact=upn).update(
        assigned_upn=""
    )
    return touched


def erase_subject(
    tenant: Tenant, subjects: list[Subject], *, by: User, ip: str | None = None
) -> tuple[ErasurePlan, AuditEvent]:
    """Pseudonymise the person's call records, clear their number's SIP URI and user, record an
    audit event, and tell the operators that had received their data. One transaction."""
    with transaction.atomic():
        plan = erasure_plan(tenant, subjects)
        touched = 0
        for subject in subjects:
            if subject.kind == NUMBER:
                touched += _erase_number(tenant, subject.value)
            else:
                touched += _erase_upn(tenant, subject.value)
        event = record_event(
            AuditAction.PRIVACY_ERASED,
            actor=by,
            tenant=tenant,
            ip=ip,
            target_label=" and ".join(s.masked for s in subjects),
            summary=(
                f"{counted(plan.call_records, 'call record')} pseudonymised, "
                f"{counted(plan.numbers, 'number')} cleared; "
                f"{counted(len(plan.operators), 'operator')} had received the data"
            ),
            kinds=[s.kind for s in subjects],
            call_records=plan.call_records,
            numbers=plan.numbers,
            operators=[o.slug for o in plan.operators],
            exports=[str(e.job.pk) for e in plan.exports],
        )
        notify_operators_of_erasure(tenant, plan, event)
    return plan, event


def notify_operators_of_erasure(tenant: Tenant, plan: ErasurePlan, event: AuditEvent) -> None:
    """Tell each operator that had received the person's data (after commit).

    E-mail to the operator's admins (``subject_erased``, essential: no opt-out) and, through the
    same notification, the operator's ``subject.erased`` webhook event
    (``portal.services.webhooks.on_notification``): the erasure's reference, the tenant and the
    export ids — never the identifiers.
    """
    for operator in plan.operators:
        exports = [str(e.job.pk) for e in plan.exports if e.operator.pk == operator.pk]
        notifications.notify(
            notifications.SUBJECT_ERASED,
            tenant_id=tenant.pk,
            operator_id=operator.pk,
            event_id=event.pk,
            export_ids=exports,
        )
