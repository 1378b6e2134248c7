"""Keep public notice responses cacheable by shared caches.

Session-aware middleware (the session timeout check reads ``request.user``) marks the session as
accessed on every request, and ``SessionMiddleware`` then adds ``Vary: Cookie`` — which makes a
public page uncacheable — and may refresh the session cookie. A ``Set-Cookie`` on a response that
a shared cache stores would hand one visitor's session to the next. This middleware sits outside
``SessionMiddleware`` and, for responses the notice views mark ``public_cacheable``, removes both.
"""

from django.http import HttpRequest, HttpResponse


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(response, "public_cacheable", False):
            vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
            kept = [v for v in vary if v.lower() != "cookie"]
            if kept:
                response["Vary"] = ", ".join(kept)
            elif "Vary" in response:
                del response["Vary"]
            response.cookies.clear()
        return response
