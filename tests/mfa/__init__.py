"""Second-factor test helpers (docs/mfa.md)."""

import time

from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice

from portal.mfa.policy import VERIFIED_AT_KEY
from tests.factories import DEFAULT_PASSWORD

# Django's own force_login, before tests/conftest.py makes it pass the second factor too.
_django_force_login = ClientMixin.force_login


def force_login_unverified(client, user, backend=None):
    """Password-only session: what a sign-in gives before the second factor."""
    _django_force_login(
        client, user, backend=backend or "django.contrib.auth.backends.ModelBackend"
    )
    return client


def mark_session_verified(client, user, *, at: float | None = None):
    """The client's session passed a second factor (a device kept for tests) at ``at``."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="test session")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT_KEY] = int(at if at is not None else time.time())
    session.save()
    return client


def totp_code(device, *, at: float | None = None) -> str:
    """The code an authenticator app shows for ``device`` (a TOTPDevice) now or at ``at``."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user, password=DEFAULT_PASSWORD):
    """A real password sign-in through the login page: no second factor yet."""
    from django.urls import reverse

    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response
