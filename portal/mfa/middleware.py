"""Enforce the second factor for every signed-in session, whatever signed it in (docs/mfa.md).

Runs after ``LoginRequiredMiddleware``: a password (or SSO) session of a user who has a device
must verify before any other page; a user who must use one (staff, operator users, members of a
tenant that requires it) and has none must enrol first. Token-authenticated API calls are not
sessions and pass unchanged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from portal.errors import error_body
from portal.mfa.policy import is_verified, state_of

# Pages a session may reach before its second factor: the ones that ask for it or set it up,
# signing out, and the language switch.
OPEN_VIEWS = {"mfa:verify", "mfa:security", "mfa:totp_add", "logout", "set_language"}
OPEN_NAMESPACES = {"otp_webauthn"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if "HTTP_AUTHORIZATION" in request.META:
            return None  # an API token, not this session, authenticates the request
        user = request.user
        if not user.is_authenticated or is_verified(request):
            return None
        match = request.resolver_match
        if match is not None and (
            match.view_name in OPEN_VIEWS or set(match.namespaces) & OPEN_NAMESPACES
        ):
            return None
        is_api = request.path.startswith("/api/")
        if not is_api and not getattr(view_func, "login_required", True):
            return None  # public pages (the notice, health checks) stay public
        state = state_of(user)
        if not state.enrolled and not state.required:
            return None
        if is_api:
            message = (
                "Confirm it's you with your second factor in the portal first."
                if state.enrolled
                else "Set up a second factor in the portal first."
            )
            return JsonResponse(error_body("mfa_required", message), status=403)
        target = reverse("mfa:verify" if state.enrolled else "mfa:security")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
