"""Session lifetime: an idle timeout and an absolute lifetime, both from settings."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

SESSION_STARTED_KEY = "_auth_started"
SESSION_SEEN_KEY = "_auth_last_seen"


class SessionTimeoutMiddleware:
    """Log out a session idle longer than SESSION_IDLE_TIMEOUT or older than the lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "HTTP_AUTHORIZATION" not in request.META:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED_KEY, now)
            seen = request.session.get(SESSION_SEEN_KEY, now)
            idle = now - seen > settings.SESSION_IDLE_TIMEOUT
            too_old = now - started > settings.SESSION_ABSOLUTE_LIFETIME
            if idle or too_old:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, "Your session expired. Please sign in again.")
                    # The full path, URL-encoded: the user lands back where they were.
                    return redirect_to_login(request.get_full_path())
            else:
                request.session.setdefault(SESSION_STARTED_KEY, started)
                # Write at most once a minute: every write is a database round trip.
                if now - seen >= 60 or SESSION_SEEN_KEY not in request.session:
                    request.session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


class RetryAfterMiddleware:
    """Every 429 tells the client when to come back (RFC 9110 §10.2.3).

    Views that know the exact wait (the export rate limit, the API throttle) set ``Retry-After``
    themselves; anything else that answers 429 — the sign-in lock-out — gets its cool-off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
        return response
