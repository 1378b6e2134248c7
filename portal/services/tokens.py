"""Personal API tokens: scoped, expiring, shown once, stored hashed, revocable, audited."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.choices import AuditAction, TokenScope
from portal.errors import Conflict, DomainError
from portal.models import ApiToken, Operator, Tenant, User
from portal.services.audit import record_event

MAX_TOKENS_PER_USER = 20
DEFAULT_EXPIRY_DAYS = 90
MAX_EXPIRY_DAYS = 365


@transaction.atomic
def create_token(
    user: User,
    *,
    name: str,
    scope: str = TokenScope.READ,
    expires_in_days: int | None = DEFAULT_EXPIRY_DAYS,
    tenant: Tenant | None = None,
    operator: Operator | None = None,
    ip: str | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with its secret — the only time it exists.

    A token has a scope (read, exports, full), an expiry (90 days unless chosen, a year at most)
    and may be limited to one tenant or one operator the user belongs to.
    """
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the token a name, e.g. the script that will use it.", field="name")
    if len(name) > 100:
        raise DomainError("Keep the name under 100 characters.", field="name")
    if scope not in TokenScope.values:
        raise DomainError("Choose what the token may do.", field="scope")
    if expires_in_days is None:
        expires_in_days = DEFAULT_EXPIRY_DAYS
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise DomainError(
            f"Choose an expiry between 1 and {MAX_EXPIRY_DAYS} days.", field="expires_in_days"
        )
    if tenant is not None and operator is not None:
        raise DomainError("Limit a token to one organization or one operator.", field="limit")
    if tenant is not None and not Tenant.objects.visible_to(user).filter(pk=tenant.pk).exists():
        raise DomainError("You are not a member of that organization.", field="limit")
    if (
        operator is not None
        and not Operator.objects.staffed_by(user).filter(pk=operator.pk).exists()
    ):
        raise DomainError("You do not work for that operator.", field="limit")
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.usable().filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise Conflict(
            f"You have {MAX_TOKENS_PER_USER} active tokens, the most allowed. Revoke one first.",
            field="name",
        )
    secret = ApiToken.new_key()
    expires_at = timezone.now() + timedelta(days=expires_in_days)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(secret),
        key_hint=secret[:8],
        scope=scope,
        tenant=tenant,
        operator=operator,
        created_from=ip,
        expires_at=expires_at,
    )
    record_event(
        AuditAction.TOKEN_CREATED, actor=user, target=token, target_label=name, ip=ip,
        tenant=tenant, operator=operator, expires_at=expires_at.isoformat(), scope=scope,
    )  # fmt: skip
    return token, secret


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User, ip: str | None = None) -> ApiToken:
    """Revoke at once: the next request with it is refused."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != by.pk and not by.is_staff:
        raise DomainError("You can only revoke your own tokens.", code="forbidden")
    if token.revoked_at is not None:
        raise Conflict("This token was already revoked.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(AuditAction.TOKEN_REVOKED, actor=by, target=token, target_label=token.name, ip=ip)
    return token
