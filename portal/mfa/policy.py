"""Who must use a second factor, whether they have one, and how recent it is (docs/mfa.md).

django-otp binds the second factor to the session (``otp_device_id``); ``VERIFIED_AT_KEY`` adds
when it happened, for the step-up rule ("verified within ``MFA_RECENT_MINUTES``").
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.models import Membership, OperatorMembership, User

VERIFIED_AT_KEY = "mfa_verified_at"


@dataclass(frozen=True)
class SecondFactorState:
    enrolled: bool  # has a confirmed authenticator app or passkey (recovery codes alone: no)
    required_because: str  # why a second factor is mandatory; "" when it is optional

    @property
    def required(self) -> bool:
        return bool(self.required_because)


def state_of(user: User) -> SecondFactorState:
    """One query: is ``user`` enrolled, and must they be?"""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            has_passkey=Exists(
                WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True)
            ),
            is_operator=Exists(OperatorMembership.objects.filter(user=OuterRef("pk"))),
            tenant_requires=Exists(
                Membership.objects.filter(user=OuterRef("pk"), tenant__require_mfa=True)
            ),
        )
        .values("has_totp", "has_passkey", "is_operator", "tenant_requires", "is_staff")
        .first()
    ) or {}
    if row.get("is_staff"):
        because = _("Platform staff must use a second factor.")
    elif row.get("is_operator"):
        because = _("Operator users download personal data and must use a second factor.")
    elif row.get("tenant_requires"):
        because = _("Your organization requires a second factor for its members.")
    else:
        because = ""
    enrolled = bool(row.get("has_totp") or row.get("has_passkey"))
    return SecondFactorState(enrolled=enrolled, required_because=because)


def is_verified(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and getattr(user, "is_verified", lambda: False)())


def mark_verified(request: HttpRequest, device: Device) -> None:
    """The session passed its second factor with ``device``, now."""
    otp_login(request, device)
    request.session[VERIFIED_AT_KEY] = int(time.time())


def recently_verified(request: HttpRequest) -> bool:
    """Verified in this session within ``MFA_RECENT_MINUTES`` (the step-up rule)."""
    if not is_verified(request):
        return False
    at = request.session.get(VERIFIED_AT_KEY)
    return at is not None and time.time() - at <= settings.MFA_RECENT_MINUTES * 60
