"""Passkeys through django-otp-webauthn, bound to our session rules (docs/mfa.md).

The library's views, with two additions: every successful ceremony stamps the session's
second-factor time (the step-up rule) and is audited; registering another passkey when one is
already set up needs a recent second factor, like any other change of devices.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as lib
from django_otp_webauthn.helpers import WebAuthnHelper

from portal.choices import AuditAction
from portal.mfa.policy import VERIFIED_AT_KEY, is_verified, recently_verified, state_of
from portal.permissions import client_ip
from portal.services.audit import record_event


class PortalWebAuthnHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        origins = list(super().get_allowed_origins())
        if settings.DEBUG:
            # The demo on any port of localhost (PORT=8012 make run).
            own = f"{self.request.scheme}://{self.request.get_host()}"
            if urlsplit(own).hostname == self.get_relying_party_domain() and own not in origins:
                origins.append(own)
        return origins


def _stamp(request) -> None:
    if is_verified(request):
        request.session[VERIFIED_AT_KEY] = int(time.time())


class BeginRegistrationView(lib.BeginCredentialRegistrationView):
    def check_can_register(self):
        if state_of(self.request.user).enrolled and not recently_verified(self.request):
            raise exceptions.NotVerified(
                detail="Confirm it's you with your second factor before adding a passkey."
            )


class CompleteRegistrationView(lib.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            _stamp(self.request)
            record_event(
                AuditAction.MFA_DEVICE_ADDED, actor=self.request.user,
                target_label="passkey", ip=client_ip(self.request), kind="passkey",
            )  # fmt: skip
        return response


class BeginAuthenticationView(lib.BeginCredentialAuthenticationView):
    pass


class CompleteAuthenticationView(lib.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        super().complete_auth(device)
        _stamp(self.request)


app_name = "otp_webauthn"

# The names the library's template tags reverse, under our own views.
urlpatterns = [
    path("registration/begin/", BeginRegistrationView.as_view(),
         name="credential-registration-begin"),
    path("registration/complete/", CompleteRegistrationView.as_view(),
         name="credential-registration-complete"),
    path("authentication/begin/", BeginAuthenticationView.as_view(),
         name="credential-authentication-begin"),
    path("authentication/complete/", CompleteAuthenticationView.as_view(),
         name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
         name="js-i18n-catalog"),
]  # fmt: skip
