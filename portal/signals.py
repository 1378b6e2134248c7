"""Sign-in bookkeeping: session timers start at login; failed logins are audited."""

import time

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from portal.choices import AuditAction
from portal.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from portal.models import User
from portal.permissions import client_ip
from portal.services import record_event


@receiver(user_logged_in)
def start_session_timers(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_SEEN_KEY] = now


@receiver(user_login_failed)
def audit_failed_login(sender, credentials, request=None, **kwargs) -> None:
    """Audit a failed sign-in of a known account (axes' own log lines are silenced, I8).

    Unknown addresses are not recorded: that would store whatever strangers type.
    """
    email = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    user = User.objects.filter(email__iexact=str(email).strip()).first() if email else None
    if user is not None:
        record_event(
            AuditAction.LOGIN_FAILED,
            actor=user,
            ip=client_ip(request) if request is not None else None,
        )
