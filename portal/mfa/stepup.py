"""Step-up: sensitive actions need a second factor from the last ``MFA_RECENT_MINUTES``.

One decorator for pages (``recent_second_factor``), one check for the API
(``require_recent_second_factor``); both follow docs/mfa.md.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from rest_framework import status
from rest_framework.exceptions import APIException

from portal.mfa.policy import recently_verified, state_of


class SecondFactorRequired(APIException):
    """403 in the API error shape, code ``mfa_required``."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "mfa_required"
    default_detail = (
        "Confirm it's you with your second factor in the portal first "
        "(or use an API token for scripts)."
    )


def reverify_url(request, *, enrol: bool = False) -> str:
    """The page that asks for a second factor (or to set one up), then returns here."""
    name = "mfa:security" if enrol else "mfa:verify"
    nxt = request.get_full_path() if request.method == "GET" else request.path
    return f"{reverse(name)}?{urlencode({'next': nxt})}"


def recent_second_factor(view=None, *, first_enrolment: bool = False):
    """Page decorator: no recent second factor → verify (or set one up), then come back.

    ``first_enrolment=True`` lets a user without any device through: setting up the first
    factor needs only the password session (docs/mfa.md, "Enrolment").
    """

    def decorate(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if not recently_verified(request):
                enrolled = state_of(request.user).enrolled
                if not enrolled and first_enrolment:
                    return view_func(request, *args, **kwargs)
                messages.info(
                    request,
                    "Confirm it's you with your second factor to continue."
                    if enrolled
                    else "Set up a second factor first: this action needs one.",
                )
                return redirect(reverify_url(request, enrol=not enrolled))
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate


def require_recent_second_factor(request) -> None:
    """API check for session-authenticated writes. Token-authenticated calls pass unchanged."""
    if request.auth is not None:  # an API token (session auth leaves auth None)
        return
    if not recently_verified(request._request):
        raise SecondFactorRequired()
