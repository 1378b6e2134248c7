"""Who belongs to a tenant or an operator, with which role."""

from django.db import transaction

from portal.choices import AuditAction, OperatorRole, TenantRole
from portal.errors import Conflict, DomainError
from portal.models import Membership, Operator, OperatorMembership, Tenant, User
from portal.services.audit import record_event


def _user_by_email(email: str, *, full_name: str = "") -> User:
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise DomainError("Enter an e-mail address.", field="email")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        # An invited person sets a password through "Forgot your password?".
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    return user


def _check_role(role: str, choices) -> None:
    if role not in choices.values:
        raise DomainError("Choose a valid role.", field="role")


@transaction.atomic
def add_member(
    tenant: Tenant, *, email: str, role: str, by: User, full_name: str = "", ip: str | None = None
) -> Membership:
    _check_role(role, TenantRole)
    user = _user_by_email(email, full_name=full_name)
    Tenant.objects.select_for_update().get(pk=tenant.pk)  # a second add waits, then is refused
    if Membership.objects.filter(tenant=tenant, user=user).exists():
        raise Conflict(f"{user.email} is already a member.", code="already_member", field="email")
    membership = Membership.objects.create(tenant=tenant, user=user, role=role)
    record_event(
        AuditAction.MEMBER_ADDED,
        actor=by,
        tenant=tenant,
        target=membership,
        target_label=f"{user.display_name} as {TenantRole(role).label.lower()}",
        ip=ip,
        role=role,
    )
    return membership


def _locked_membership(membership: Membership) -> Membership:
    """Lock the tenant first, then the membership: one role change per tenant at a time.

    Two admins demoting or removing each other at once would otherwise each see the other as
    "another admin" (or deadlock on each other's rows); with the tenant lock the second one
    waits, then finds it is the last admin and is refused with a message.
    """
    Tenant.objects.select_for_update().get(pk=membership.tenant_id)
    return (
        Membership.objects.select_for_update()
        .select_related("user", "tenant")
        .get(pk=membership.pk)
    )


LAST_ADMIN_DEMOTED = "The last admin can't be demoted. Make someone else an admin first."
LAST_ADMIN_REMOVED = "The last admin can't be removed. Make someone else an admin first."


def is_last_admin(membership: Membership | OperatorMembership) -> bool:
    """The one rule: a tenant or an operator always keeps an admin (services, admin, pages)."""
    if isinstance(membership, OperatorMembership):
        admins = OperatorMembership.objects.filter(
            operator_id=membership.operator_id, role=OperatorRole.ADMIN
        )
        admin_role = OperatorRole.ADMIN
    else:
        admins = Membership.objects.filter(tenant_id=membership.tenant_id, role=TenantRole.ADMIN)
        admin_role = TenantRole.ADMIN
    return membership.role == admin_role and not admins.exclude(pk=membership.pk).exists()


@transaction.atomic
def change_member_role(
    membership: Membership, *, role: str, by: User, ip: str | None = None
) -> Membership:
    _check_role(role, TenantRole)
    membership = _locked_membership(membership)
    if membership.role == role:
        raise DomainError("The role is unchanged.", field="role")
    if is_last_admin(membership):
        raise Conflict(LAST_ADMIN_DEMOTED)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        AuditAction.MEMBER_ROLE_CHANGED,
        actor=by,
        tenant=membership.tenant,
        target=membership,
        target_label=f"{membership.user.display_name} to {TenantRole(role).label.lower()}",
        ip=ip,
        role=role,
        previous_role=old,
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, by: User, ip: str | None = None) -> None:
    membership = _locked_membership(membership)
    if is_last_admin(membership):
        raise Conflict(LAST_ADMIN_REMOVED)
    record_event(
        AuditAction.MEMBER_REMOVED,
        actor=by,
        tenant=membership.tenant,
        target=membership,
        target_label=membership.user.display_name,
        ip=ip,
    )
    membership.delete()


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
    user = _user_by_email(email, full_name=full_name)
    if OperatorMembership.objects.filter(operator=operator, user=user).exists():
        raise Conflict(f"{user.email} is already a member.", code="already_member", field="email")
    membership = OperatorMembership.objects.create(operator=operator, user=user, role=role)
    record_event(
        AuditAction.OPERATOR_MEMBER_ADDED,
        actor=by,
        operator=operator,
        target=membership,
        target_label=f"{user.display_name} as {OperatorRole(role).label.lower()}",
        ip=ip,
        role=role,
    )
    return membership


@transaction.atomic
def remove_operator_member(
    membership: OperatorMembership, *, by: User, ip: str | None = None
) -> None:
    membership = OperatorMembership.objects.select_related("user", "operator").get(pk=membership.pk)
    record_event(
        AuditAction.OPERATOR_MEMBER_REMOVED,
        actor=by,
        operator=membership.operator,
        target=membership,
        target_label=membership.user.display_name,
        ip=ip,
    )
    membership.delete()
