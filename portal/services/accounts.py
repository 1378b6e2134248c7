"""A user's own settings."""

import zoneinfo

from django.db import transaction

from portal.errors import DomainError
from portal.models import User


@transaction.atomic
def update_profile(user: User, *, full_name: str, time_zone: str) -> User:
    """Change the user's display name and the time zone dates are shown in.

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
    user.save(update_fields=["full_name", "time_zone"])
    return user
