"""A user's own settings."""

import secrets
import zoneinfo

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest

from portal.choices import AuditAction
from portal.errors import DomainError
from portal.models import User
from portal.services.audit import record_event


@transaction.atomic
def update_profile(
    user: User, *, full_name: str, time_zone: str, optional_emails: bool | None = None
) -> User:
    """Change the user's display name, the time zone dates are shown in, and whether optional
    e-mails are sent to them (docs/operator.md "Notifications").

    A personal preference, not a change to shared data, so it writes no audit event.
    """
    full_name = (full_name or "").strip()
    if not full_name:
        raise DomainError("Enter your full name.", field="full_name")
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DomainError("Choose a time zone from the list.", field="time_zone") from None
    user.full_name = full_name
    user.time_zone = time_zone
    fields = ["full_name", "time_zone"]
    if optional_emails is not None:
        user.optional_emails = optional_emails
        fields.append("optional_emails")
    user.save(update_fields=fields)
    return user


@transaction.atomic
def sign_out_everywhere(user: User, *, request: HttpRequest | None = None, ip: str | None = None):
    """End every session of ``user`` but the one in ``request`` (docs/security.md).

    A new ``session_salt`` changes the auth hash every session was started with, so Django
    drops each of them on its next request, on any server. API tokens are not sessions: they
    stay until revoked or expired.
    """
    user.session_salt = secrets.token_hex(16)
    user.save(update_fields=["session_salt"])
    if request is not None:
        update_session_auth_hash(request, user)  # this browser stays signed in
    record_event(AuditAction.SIGNED_OUT_EVERYWHERE, actor=user, target=user, ip=ip)
    return user
