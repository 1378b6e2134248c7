"""Session bookkeeping at sign-in (the idle/absolute timers start here)."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY


@receiver(user_logged_in)
def start_session_timers(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_SEEN_KEY] = now
