"""Personal API tokens: created with the secret shown once, stored hashed, revocable, audited."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.choices import AuditAction
from portal.errors import Conflict, DomainError
from portal.models import ApiToken, User
from portal.services.audit import record_event

MAX_TOKENS_PER_USER = 20


@transaction.atomic
def create_token(
    user: User, *, name: str, expires_in_days: int | None = None, ip: str | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with its secret — the only time it exists."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the token a name, e.g. the script that will use it.", field="name")
    if len(name) > 100:
        raise DomainError("Keep the name under 100 characters.", field="name")
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        raise DomainError("Choose an expiry between 1 and 366 days.", field="expires_in_days")
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.usable().filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise Conflict(
            f"You have {MAX_TOKENS_PER_USER} active tokens, the most allowed. Revoke one first.",
            field="name",
        )
    secret = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(secret),
        key_hint=secret[:8],
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    record_event(
        AuditAction.TOKEN_CREATED, actor=user, target=token, target_label=name, ip=ip,
        expires_at=token.expires_at.isoformat() if token.expires_at else None,
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
