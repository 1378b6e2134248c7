"""Who belongs to a tenant or an operator, with which role (docs/operator.md "Members").

One rule for both sides: an organization (tenant or operator) always keeps an admin — the last
one can be neither demoted nor removed, and cannot leave. A person invited who has no account
yet gets one without a password and an e-mail with a single-use, expiring link to set it
(``portal.services.notifications``); a password never travels by mail.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import transaction

from portal.choices import AuditAction, OperatorRole, TenantRole, english
from portal.errors import Conflict, DomainError
from portal.models import Membership, Operator, OperatorMembership, Tenant, User
from portal.services import notifications
from portal.services.audit import record_event

AnyMembership = Membership | OperatorMembership
# One of the two, the same on the way out as on the way in.
M = TypeVar("M", Membership, OperatorMembership)


def _user_by_email(
    email: str, *, full_name: str = "", by: User, tenant=None, operator=None
) -> User:
    """The account with this e-mail; a new one (no password, invited by mail) if none."""
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise DomainError("Enter an e-mail address.", field="email")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
        notifications.notify(
            notifications.INVITATION,
            user_id=user.pk,
            by_id=notifications.actor_id(by),
            tenant_id=tenant.pk if tenant is not None else None,
            operator_id=operator.pk if operator is not None else None,
        )
    return user


def _check_role(role: str, choices) -> None:
    if role not in choices.values:
        raise DomainError("Choose a valid role.", field="role")


# --- the last-admin rule, for tenants and operators alike -----------------------------------------


def _scope(membership: AnyMembership) -> tuple[type[Tenant] | type[Operator], dict, str]:
    """(the organization's model, the filter of its memberships, its admin role)."""
    if isinstance(membership, OperatorMembership):
        return Operator, {"operator_id": membership.operator_id}, OperatorRole.ADMIN
    return Tenant, {"tenant_id": membership.tenant_id}, TenantRole.ADMIN


def is_last_admin(membership: AnyMembership) -> bool:
    """True when ``membership`` is the only admin of its tenant or operator."""
    _, scope, admin = _scope(membership)
    if membership.role != admin:
        return False
    others = type(membership).objects.filter(**scope, role=admin).exclude(pk=membership.pk)
    return not others.exists()


def _refuse_last_admin(membership: AnyMembership, done: str) -> None:
    if is_last_admin(membership):
        raise Conflict(
            f"The last admin can't be {done}. Make someone else an admin first.",
            code="last_admin",
        )


def _locked(membership: M) -> M:
    """Lock the organization first, then the membership: one role change at a time.

    Two admins demoting or removing each other at once would otherwise each see the other as
    "another admin" (or deadlock on each other's rows); with the organization's lock the second
    one waits, then finds it is the last admin and is refused with a message.
    """
    model, scope, _ = _scope(membership)
    model.objects.select_for_update().get(pk=next(iter(scope.values())))
    related = "operator" if isinstance(membership, OperatorMembership) else "tenant"
    return (
        type(membership)
        .objects.select_for_update()
        .select_related("user", related)
        .get(pk=membership.pk)
    )


# --- tenant members -------------------------------------------------------------------------------


@transaction.atomic
def add_member(
    tenant: Tenant, *, email: str, role: str, by: User, full_name: str = "", ip: str | None = None
) -> Membership:
    _check_role(role, TenantRole)
    user = _user_by_email(email, full_name=full_name, by=by, tenant=tenant)
    Tenant.objects.select_for_update().get(pk=tenant.pk)  # a second add waits, then is refused
    if Membership.objects.filter(tenant=tenant, user=user).exists():
        raise Conflict(f"{user.email} is already a member.", code="already_member", field="email")
    membership = Membership.objects.create(tenant=tenant, user=user, role=role)
    record_event(
        AuditAction.MEMBER_ADDED,
        actor=by,
        tenant=tenant,
        target=membership,
        target_label=f"{user.display_name} as {english(TenantRole(role)).lower()}",
        ip=ip,
        role=role,
    )
    return membership


@transaction.atomic
def change_member_role(
    membership: Membership, *, role: str, by: User, ip: str | None = None
) -> Membership:
    _check_role(role, TenantRole)
    membership = _locked(membership)
    if membership.role == role:
        raise DomainError("The role is unchanged.", field="role")
    _refuse_last_admin(membership, "demoted")
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        AuditAction.MEMBER_ROLE_CHANGED,
        actor=by,
        tenant=membership.tenant,
        target=membership,
        target_label=f"{membership.user.display_name} to {english(TenantRole(role)).lower()}",
        ip=ip,
        role=role,
        previous_role=old,
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, by: User, ip: str | None = None) -> None:
    membership = _locked(membership)
    _refuse_last_admin(membership, "removed")
    record_event(
        AuditAction.MEMBER_REMOVED,
        actor=by,
        tenant=membership.tenant,
        target=membership,
        target_label=membership.user.display_name,
        ip=ip,
    )
    membership.delete()


# --- operator members -----------------------------------------------------------------------------


@transaction.atomic
def add_operator_member(
    operator: Operator,
    *,
    email: str,
    role: str,
    by: User,
    full_name: str = "",
    ip: str | None = None,
) -> OperatorMembership:
    _check_role(role, OperatorRole)
    user = _user_by_email(email, full_name=full_name, by=by, operator=operator)
    Operator.objects.select_for_update().get(pk=operator.pk)  # a second add waits, then is refused
    if OperatorMembership.objects.filter(operator=operator, user=user).exists():
        raise Conflict(f"{user.email} is already a member.", code="already_member", field="email")
    membership = OperatorMembership.objects.create(operator=operator, user=user, role=role)
    record_event(
        AuditAction.OPERATOR_MEMBER_ADDED,
        actor=by,
        operator=operator,
        target=membership,
        target_label=f"{user.display_name} as {english(OperatorRole(role)).lower()}",
        ip=ip,
        role=role,
    )
    return membership


@transaction.atomic
def change_operator_member_role(
    membership: OperatorMembership, *, role: str, by: User, ip: str | None = None
) -> OperatorMembership:
    _check_role(role, OperatorRole)
    membership = _locked(membership)
    if membership.role == role:
        raise DomainError("The role is unchanged.", field="role")
    _refuse_last_admin(membership, "demoted")
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        AuditAction.OPERATOR_MEMBER_ROLE_CHANGED,
        actor=by,
        operator=membership.operator,
        target=membership,
        target_label=f"{membership.user.display_name} to {english(OperatorRole(role)).lower()}",
        ip=ip,
        role=role,
        previous_role=old,
    )
    return membership


@transaction.atomic
def remove_operator_member(
    membership: OperatorMembership, *, by: User, ip: str | None = None
) -> None:
    membership = _locked(membership)
    _refuse_last_admin(membership, "removed")
    record_event(
        AuditAction.OPERATOR_MEMBER_REMOVED,
        actor=by,
        operator=membership.operator,
        target=membership,
        target_label=membership.user.display_name,
        ip=ip,
    )
    membership.delete()
