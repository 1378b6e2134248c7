"""A tenant's operators: add, change countries, suspend, resume, remove (invariants I2, I4)."""

from django.db import transaction
from django.utils import timezone

from portal.acknowledgements import ASSIGN_TEXT
from portal.choices import (
    AssignmentStatus,
    AuditAction,
    CompanySize,
    PeriodEndReason,
    RelationshipStatus,
    english,
)
from portal.errors import Conflict, DomainError
from portal.models import (
    Acknowledgement,
    AssignmentCountry,
    AssignmentPeriod,
    Operator,
    OperatorAssignment,
    PhoneNumber,
    Tenant,
    User,
)
from portal.services import notifications
from portal.services.audit import record_event
from portal.sharing import BLOCKING_RELATIONSHIPS
from portal.validation import country_codes, country_list, normalize_phone

MAX_LISTED_NUMBERS = 10


def _checked_countries(operator: Operator, countries) -> list[str]:
    codes = country_codes(countries)
    if not codes:
        raise DomainError("Choose at least one country.", field="countries")
    served = set(operator.countries.values_list("country", flat=True))
    not_served = [c for c in codes if c not in served]
    if not_served:
        # The operator's coverage, not the request's form, is at fault: a refusal because of
        # state (staff may add the country later).
        raise Conflict(
            f"{operator.name} does not serve {country_list(not_served)}.",
            code="country_not_served",
            field="countries",
        )
    return codes


def _checked_contact(full_name: str, email: str, company_size: str, phone: str) -> dict:
    full_name, email = (full_name or "").strip(), (email or "").strip()
    if not full_name:
        raise DomainError("Enter the contact's full name.", field="contact_full_name")
    if not email or "@" not in email:
        raise DomainError("Enter the contact's e-mail address.", field="contact_email")
    if company_size not in CompanySize.values:
        raise DomainError("Choose the company size.", field="company_size")
    return {
        "contact_full_name": full_name,
        "contact_email": email,
        "company_size": company_size,
        "contact_phone": normalize_phone(phone, field="contact_phone"),
    }


def _locked(assignment: OperatorAssignment) -> OperatorAssignment:
    return (
        OperatorAssignment.objects.select_for_update()
        .select_related("tenant", "operator")
        .get(pk=assignment.pk)
    )


def _label(assignment: OperatorAssignment, countries=None) -> str:
    codes = countries if countries is not None else assignment.country_codes
    return (
        f"{assignment.operator.name} for {country_list(codes)}"
        if codes
        else assignment.operator.name
    )


def _set_countries(assignment: OperatorAssignment, codes: list[str]) -> None:
    assignment.countries.exclude(country__in=codes).delete()
    existing = set(assignment.countries.values_list("country", flat=True))
    AssignmentCountry.objects.bulk_create(
        AssignmentCountry(assignment=assignment, operator_id=assignment.operator_id, country=c)
        for c in codes
        if c not in existing
    )


def _open_period(assignment: OperatorAssignment, codes: list[str], by: User, at) -> None:
    AssignmentPeriod.objects.create(
        assignment=assignment, started_at=at, countries=codes, started_by=by
    )


def _close_period(assignment: OperatorAssignment, reason: str, by: User, at) -> bool:
    """End the open period, if any. True when data was flowing until now."""
    return bool(assignment.periods.open().update(ended_at=at, ended_by=by, end_reason=reason))


def _relationship_open(assignment: OperatorAssignment) -> bool:
    """Declined or terminated closes sharing; pending does not (the notice and status do)."""
    return assignment.relationship_status not in BLOCKING_RELATIONSHIPS


def numbers_blocking_removal(assignment: OperatorAssignment, countries=None):
    """The operator's numbers in these countries that are still assigned to users."""
    codes = countries if countries is not None else assignment.country_codes
    return (
        PhoneNumber.objects.for_tenant(assignment.tenant_id)
        .filter(operator_id=assignment.operator_id, iso_country_code__in=codes)
        .assigned_to_users()
        .order_by("telephone_number")
    )


def _refuse_if_numbers_assigned(assignment: OperatorAssignment, countries, what: str) -> None:
    blocking = numbers_blocking_removal(assignment, countries)
    count = blocking.count()
    if count:
        listed = list(blocking.values_list("telephone_number", flat=True)[:MAX_LISTED_NUMBERS])
        more = f" and {count - len(listed)} more" if count > len(listed) else ""
        raise Conflict(
            f"You can't {what} yet: {count} number(s) from {assignment.operator.name} are still "
            f"assigned to users ({', '.join(listed)}{more}). Unassign these numbers from their "
            f"users and release them to the operator first.",
            code="numbers_assigned",
        )


@transaction.atomic
def assign_operator(
    tenant: Tenant,
    operator: Operator,
    *,
    countries,
    contact_full_name: str,
    contact_email: str,
    company_size: str,
    contact_phone: str = "",
    acknowledged: bool,
    by: User,
    ip: str | None = None,
) -> OperatorAssignment:
    """Add ``operator`` as one of the tenant's operators, for ``countries``."""
    if not acknowledged:
        raise DomainError(
            "Please accept the data transfer notice to add this operator.",
            code="acknowledgement_required",
            field="acknowledged",
        )
    if not operator.is_active:
        raise Conflict(
            f"{operator.name} is not available in the directory.", code="operator_inactive"
        )
    codes = _checked_countries(operator, countries)
    contact = _checked_contact(contact_full_name, contact_email, company_size, contact_phone)
    Tenant.objects.select_for_update().get(pk=tenant.pk)  # serialise concurrent adds
    now = timezone.now()
    ack = Acknowledgement.objects.create(
        tenant=tenant,
        operator=operator,
        kind=ASSIGN_TEXT.kind,
        user=by,
        text_version=ASSIGN_TEXT.version,
        text_sha256=ASSIGN_TEXT.sha256,
        acknowledged_at=now,
        ip_address=ip or None,
    )
    assignment = OperatorAssignment.objects.filter(tenant=tenant, operator=operator).first()
    if assignment is not None and assignment.status != AssignmentStatus.REMOVED:
        raise Conflict(
            f"{operator.name} is already one of your operators.", code="already_assigned"
        )
    if assignment is None:
        assignment = OperatorAssignment(tenant=tenant, operator=operator, created_by=by)
    for field, value in contact.items():
        setattr(assignment, field, value)
    assignment.status = AssignmentStatus.ACTIVE
    assignment.status_changed_at = now
    assignment.acknowledgement = ack
    assignment.relationship_status = RelationshipStatus.PENDING
    assignment.relationship_reason = ""
    assignment.save()
    _set_countries(assignment, codes)
    _open_period(assignment, codes, by, now)
    record_event(
        AuditAction.ASSIGNMENT_ADDED,
        actor=by,
        tenant=tenant,
        operator=operator,
        target=assignment,
        target_label=_label(assignment, codes),
        ip=ip,
        countries=codes,
        acknowledgement_version=ASSIGN_TEXT.version,
        acknowledgement_sha256=ASSIGN_TEXT.sha256,
    )
    notifications.notify(
        notifications.OPERATOR_ASSIGNED,
        assignment_id=assignment.pk,
        actor_id=notifications.actor_id(by),
    )
    return assignment


@transaction.atomic
def change_assignment_countries(
    assignment: OperatorAssignment, *, countries, by: User, ip: str | None = None
) -> OperatorAssignment:
    """Change where the tenant uses the operator. A new active period records the new scope."""
    assignment = _locked(assignment)
    if assignment.status == AssignmentStatus.REMOVED:
        raise Conflict(
            "This operator was removed. Add it again to use it.", code="assignment_removed"
        )
    codes = _checked_countries(assignment.operator, countries)
    old = assignment.country_codes
    if codes == old:
        raise DomainError("The countries are unchanged.", field="countries")
    dropped = [c for c in old if c not in codes]
    if dropped:
        _refuse_if_numbers_assigned(assignment, dropped, f"remove {country_list(dropped)}")
    now = timezone.now()
    _set_countries(assignment, codes)
    # A new period records the new scope — only if one was open (active, relationship open).
    if _close_period(assignment, PeriodEndReason.COUNTRIES_CHANGED, by, now):
        _open_period(assignment, codes, by, now)
    added = [c for c in codes if c not in old]
    summary = "; ".join(
        part
        for part in (
            f"added {country_list(added)}" if added else "",
            f"removed {country_list(dropped)}" if dropped else "",
        )
        if part
    )
    record_event(
        AuditAction.ASSIGNMENT_COUNTRIES,
        actor=by,
        tenant=assignment.tenant,
        operator=assignment.operator,
        target=assignment,
        target_label=assignment.operator.name,
        ip=ip,
        summary=summary,
        countries=codes,
        previous_countries=old,
    )
    return assignment


@transaction.atomic
def change_assignment_contact(
    assignment: OperatorAssignment,
    *,
    contact_full_name: str,
    contact_email: str,
    company_size: str,
    contact_phone: str = "",
    by: User,
    ip: str | None = None,
) -> OperatorAssignment:
    """Change the contact details shared with the operator."""
    assignment = _locked(assignment)
    contact = _checked_contact(contact_full_name, contact_email, company_size, contact_phone)
    for field, value in contact.items():
        setattr(assignment, field, value)
    assignment.save(update_fields=list(contact))
    record_event(
        AuditAction.ASSIGNMENT_CONTACT,
        actor=by,
        tenant=assignment.tenant,
        operator=assignment.operator,
        target=assignment,
        target_label=assignment.operator.name,
        ip=ip,
    )
    return assignment


@transaction.atomic
def suspend_assignment(
    assignment: OperatorAssignment, *, by: User, ip: str | None = None
) -> OperatorAssignment:
    """Stop sharing with this operator now; keep its configuration for a later resume."""
    assignment = _locked(assignment)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise Conflict(f"{assignment.operator.name} is not active, so it can't be suspended.")
    now = timezone.now()
    _close_period(assignment, PeriodEndReason.SUSPENDED, by, now)
    assignment.status = AssignmentStatus.SUSPENDED
    assignment.status_changed_at = now
    assignment.save(update_fields=["status", "status_changed_at"])
    record_event(
        AuditAction.ASSIGNMENT_SUSPENDED,
        actor=by,
        tenant=assignment.tenant,
        operator=assignment.operator,
        target=assignment,
        target_label=_label(assignment),
        ip=ip,
    )
    notifications.notify(
        notifications.OPERATOR_SUSPENDED,
        assignment_id=assignment.pk,
        actor_id=notifications.actor_id(by),
    )
    return assignment


@transaction.atomic
def resume_assignment(
    assignment: OperatorAssignment, *, by: User, ip: str | None = None
) -> OperatorAssignment:
    """Share with a suspended operator again, for its configured countries."""
    assignment = _locked(assignment)
    if assignment.status != AssignmentStatus.SUSPENDED:
        raise Conflict(f"{assignment.operator.name} is not suspended, so it can't be resumed.")
    now = timezone.now()
    if _relationship_open(assignment):
        _open_period(assignment, assignment.country_codes, by, now)
    assignment.status = AssignmentStatus.ACTIVE
    assignment.status_changed_at = now
    assignment.save(update_fields=["status", "status_changed_at"])
    record_event(
        AuditAction.ASSIGNMENT_RESUMED,
        actor=by,
        tenant=assignment.tenant,
        operator=assignment.operator,
        target=assignment,
        target_label=_label(assignment),
        ip=ip,
    )
    notifications.notify(
        notifications.OPERATOR_RESUMED,
        assignment_id=assignment.pk,
        actor_id=notifications.actor_id(by),
    )
    return assignment


@transaction.atomic
def remove_assignment(
    assignment: OperatorAssignment, *, by: User, ip: str | None = None
) -> OperatorAssignment:
    """Remove the operator. Refused while its numbers are still assigned to users."""
    assignment = _locked(assignment)
    if assignment.status == AssignmentStatus.REMOVED:
        raise Conflict(f"{assignment.operator.name} was already removed.")
    _refuse_if_numbers_assigned(assignment, None, f"remove {assignment.operator.name}")
    now = timezone.now()
    _close_period(assignment, PeriodEndReason.REMOVED, by, now)
    label = _label(assignment)
    assignment.status = AssignmentStatus.REMOVED
    assignment.status_changed_at = now
    assignment.save(update_fields=["status", "status_changed_at"])
    record_event(
        AuditAction.ASSIGNMENT_REMOVED,
        actor=by,
        tenant=assignment.tenant,
        operator=assignment.operator,
        target=assignment,
        target_label=label,
        ip=ip,
    )
    notifications.notify(
        notifications.OPERATOR_REMOVED,
        assignment_id=assignment.pk,
        actor_id=notifications.actor_id(by),
    )
    return assignment


@transaction.atomic
def set_relationship_status(
    assignment: OperatorAssignment,
    *,
    status: str,
    reason: str = "",
    by: User,
    ip: str | None = None,
) -> OperatorAssignment:
    """The operator's side of the relationship: agreement signed, declined or terminated.

    Declined or terminated closes sharing at once, like a suspension (the open period ends with
    that reason); agreement signed reopens it from now on if the tenant has the operator active.
    The tenant's admins are told by e-mail after commit.
    """
    assignment = _locked(assignment)
    reason = (reason or "").strip()
    if status not in RelationshipStatus.values or status == RelationshipStatus.PENDING:
        raise DomainError("Choose agreement signed, declined or terminated.", field="status")
    if status in BLOCKING_RELATIONSHIPS and not reason:
        raise DomainError("Give a reason for declining or terminating.", field="reason")
    if status == RelationshipStatus.AGREEMENT_SIGNED:
        reason = ""
    if status == assignment.relationship_status and reason == assignment.relationship_reason:
        raise Conflict(
            f"The relationship is already “{RelationshipStatus(status).label}”.",
            code="relationship_unchanged",
        )
    now = timezone.now()
    was_open = _relationship_open(assignment)
    assignment.relationship_status = status
    assignment.relationship_reason = reason
    assignment.relationship_changed_at = now
    assignment.relationship_changed_by = by
    assignment.save(
        update_fields=[
            "relationship_status",
            "relationship_reason",
            "relationship_changed_at",
            "relationship_changed_by",
        ]  # fmt: skip
    )
    closes, opens = (
        was_open and status in BLOCKING_RELATIONSHIPS,
        (not was_open and status not in BLOCKING_RELATIONSHIPS),
    )
    if closes:
        _close_period(assignment, status, by, now)
    elif opens and assignment.status == AssignmentStatus.ACTIVE:
        _open_period(assignment, assignment.country_codes, by, now)
    record_event(
        AuditAction.RELATIONSHIP_CHANGED,
        actor=by,
        tenant=assignment.tenant,
        operator=assignment.operator,
        target=assignment,
        target_label=assignment.tenant.name,
        ip=ip,
        summary=english(RelationshipStatus(status)),
        status=status,
        sharing="closed" if closes else "reopened" if opens else "unchanged",
    )
    notifications.notify(notifications.RELATIONSHIP_CHANGED, assignment_id=assignment.pk)
    return assignment
