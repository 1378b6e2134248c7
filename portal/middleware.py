"""Session lifetime: an idle timeout and an absolute lifetime, both from settings."""

import time

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

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
            # The lock-out's cool-off grows with the failures (portal.lockout.cool_off).
            cool_off = get_cool_off(request)
            if cool_off is not None:
                response["Retry-After"] = str(int(cool_off.total_seconds()))
        return response


class PrivateByDefaultMiddleware:
    """``Cache-Control: no-store, private`` on every response that belongs to someone.

    A response is someone's when the request was signed in, carried a session cookie or an
    ``Authorization`` header, or the response sets a cookie — whatever its status: pages, API
    answers, 403/404 pages and redirects alike. Neither a shared cache nor the browser's
    back-button cache may keep it (docs/security.md, "Private by default").

    Sits outside ``SessionMiddleware`` so it sees the session cookie that layer sets, and inside
    ``public.middleware.PublicCacheMiddleware``; responses the public notice marks
    ``public_cacheable`` keep their public caching (that middleware then strips the cookies).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(response, "public_cacheable", False):
            return response
        if self._belongs_to_someone(request, response):
            # Keeps stricter directives a view set (never_cache's no-cache, max-age=0); drops
            # "public".
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _belongs_to_someone(request: HttpRequest, response: HttpResponse) -> bool:
        if "HTTP_AUTHORIZATION" in request.META:
            return True
        if settings.SESSION_COOKIE_NAME in request.COOKIES or response.cookies:
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
