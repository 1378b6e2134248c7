"""Where a sign-in continues once the person is known. The MFA layer plugs in here.

``after_sign_in`` is called right after ``django.contrib.auth.login`` by every sign-in path that
does not go through the password form (today: SSO). Return ``None`` to carry on to the usual
landing page, or a response to send the person somewhere first (e.g. a second-factor challenge).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from portal.models import Tenant, User


def after_sign_in(
    request: HttpRequest, user: User, *, method: str, tenant: Tenant | None = None
) -> HttpResponse | None:
    """Nothing to add yet: SSO sign-in is complete. ``method`` is ``"sso"``."""
    return None
