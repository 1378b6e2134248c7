"""A user's own settings."""

import zoneinfo

from django.db import transaction

from portal.errors import DomainError
from portal.models import User


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
