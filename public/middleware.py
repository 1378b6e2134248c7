"""Keep public notice responses cacheable, and answer repeat requests for them early.

1. Session-aware middleware (the session timeout check reads ``request.user``) marks the session
   as accessed on every request, and ``SessionMiddleware`` then adds ``Vary: Cookie`` — which
   makes a public page uncacheable — and may refresh the session cookie. A ``Set-Cookie`` on a
   response that a shared cache stores would hand one visitor's session to the next. For
   responses the notice views mark ``public_cacheable`` this middleware, which sits outside
   ``SessionMiddleware``, removes both.
2. An already rendered page (see ``public.views.from_cache``) is answered here, before the
   session, auth, CSRF, locale and lockout middleware, which a public page does not need. The
   security headers those inner layers add (CSP, X-Frame-Options) are copied from the last full
   response, so both paths answer with the same headers; until one full response has been seen,
   every request takes the full path.
"""

import re

from django.http import HttpRequest, HttpResponse

from public.views import from_cache

PUBLIC_PATH = re.compile(
    r"^/notice/(?P<slug>[-a-zA-Z0-9_]+)(?:/(?:v/(?P<number>\d+)/)?|(?P<json>\.json))$"
)
COPIED_HEADERS = ("Content-Security-Policy", "X-Frame-Options")


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.inner_headers: dict[str, str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fast = self._from_cache(request)
        if fast is not None:
            return fast
        response = self.get_response(request)
        if getattr(response, "public_cacheable", False):
            self._make_public(response)
        return response

    def _from_cache(self, request: HttpRequest) -> HttpResponse | None:
        if self.inner_headers is None or request.method != "GET":
            return None
        match = PUBLIC_PATH.match(request.path_info)
        if match is None:
            return None
        number = int(match["number"]) if match["number"] else None
        kind = "json" if match["json"] else "html"
        response = from_cache(request, match["slug"], kind, number)
        if response is None:
            return None
        for name, value in self.inner_headers.items():
            response[name] = value
        return response

    def _make_public(self, response: HttpResponse) -> None:
        vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
        kept = [v for v in vary if v.lower() != "cookie"]
        if kept:
            response["Vary"] = ", ".join(kept)
        elif "Vary" in response:
            del response["Vary"]
        response.cookies.clear()
        if response.status_code == 200:
            self.inner_headers = {h: response[h] for h in COPIED_HEADERS if h in response}
