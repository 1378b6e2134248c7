"""Sign-in throttling that protects accounts without handing attackers a lock-out button.

django-axes records failed sign-ins; these callables (wired in settings) decide what locks:

- **(account, client address)**: ``AXES_FAILURE_LIMIT`` failures lock that account *from that
  address only*. Someone guessing from elsewhere never locks the owner out of their own address,
  and an office behind one NAT is not locked out by one person's typos.
- **the account, from everywhere**: ``LOGIN_ACCOUNT_FAILURE_LIMIT`` failures across all addresses
  (a distributed guess) lock the account everywhere, for a cool-off.
- **never the address alone.**

The cool-off doubles with every failure past the limit (exponential back-off), from
``AXES_COOLOFF_TIME`` up to ``LOGIN_COOLOFF_MAX``. Each attempt row expires on its own
(``AXES_USE_ATTEMPT_EXPIRATION``), so a long back-off is not cut short by another user's short one.

The client address comes from ``portal.permissions.client_ip``: the trusted proxy chain
(``TRUSTED_PROXY_COUNT``), so the left, client-written parts of ``X-Forwarded-For`` are ignored.
When a lock starts, the account's owner gets an e-mail with a password-reset link.
See docs/security.md, "Lock-out".
"""

from __future__ import annotations

import logging
from datetime import timedelta

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.models import User
from portal.permissions import client_ip

logger = logging.getLogger(__name__)

PER_ADDRESS = ["username", "ip_address"]


def account_name(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The account name axes counts under: the e-mail as the user model looks it up."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    raw = str(raw or "").strip().lower()
    return raw or None


def _address(request) -> str | None:
    return getattr(request, "axes_ip_address", None) or client_ip(request)


def _failures(**filters) -> int:
    from axes.models import AccessAttempt

    live = AccessAttempt.objects.filter(expiration__expires_at__gt=timezone.now(), **filters)
    return live.aggregate(n=Sum("failures_since_start"))["n"] or 0


def counts(name: str | None, address: str | None) -> tuple[int, int]:
    """Live failures of ``name`` from ``address``, and of ``name`` from anywhere."""
    if not name:
        return 0, 0
    return _failures(username=name, ip_address=address), _failures(username=name)


def lockout_parameters(request_or_attempt, credentials: dict | None = None) -> list:
    """Per (account, address) always; per account once it failed too often from everywhere."""
    from axes.models import AccessBase

    if isinstance(request_or_attempt, AccessBase):
        name = request_or_attempt.username
    else:
        name = account_name(request_or_attempt, credentials)
    if name and _failures(username=name) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        return [PER_ADDRESS, "username"]
    return [PER_ADDRESS]


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """``AXES_COOLOFF_BASE`` doubled for every failure past a limit, at most the maximum."""
    base: timedelta = settings.AXES_COOLOFF_BASE
    if request is None:
        return base
    per_address, per_account = counts(account_name(request), _address(request))
    excess = max(
        per_address - settings.AXES_FAILURE_LIMIT,
        per_account - settings.LOGIN_ACCOUNT_FAILURE_LIMIT,
        0,
    )
    ceiling: timedelta = settings.LOGIN_COOLOFF_MAX
    if excess >= 32:  # 2**32 × base passes any sane ceiling
        return ceiling
    return min(base * (2**excess), ceiling)


@receiver(user_locked_out)
def mail_the_locked_account(sender, request=None, username=None, ip_address=None, **kwargs):
    """Tell the owner once per lock (not on every refused attempt), with a reset link."""
    name = account_name(request, getattr(request, "axes_credentials", None)) or username
    user = User.objects.filter(email__iexact=name or "", is_active=True).first()
    if user is None:
        return
    per_address, per_account = counts(name.lower(), ip_address)
    account_lock_starts = per_account == settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    address_lock_starts = (
        per_address == settings.AXES_FAILURE_LIMIT
        and per_account < settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    )
    if not (account_lock_starts or address_lock_starts):
        return
    reset_url = settings.SITE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "everywhere": account_lock_starts,
        "cool_off_minutes": int(cool_off(request).total_seconds() // 60) if request else None,
        "reset_url": reset_url,
    }
    subject = " ".join(render_to_string("email/locked_out_subject.txt", context).split())
    body = render_to_string("email/locked_out_body.txt", context)
    try:
        EmailMessage(subject, body, to=[user.email]).send()
    except OSError:
        logger.warning("could not send locked_out")
