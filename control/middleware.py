"""Show dates in the signed-in user's time zone (``User.time_zone``); ``?lang=`` per page."""

import zoneinfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserTimeZoneMiddleware:
    """Activate the user's time zone for the request; UTC for anyone else or a bad value."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        name = getattr(user, "time_zone", "") if user is not None else ""
        try:
            if name and user.is_authenticated:
                timezone.activate(zoneinfo.ZoneInfo(name))
            else:
                timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class QueryLanguageMiddleware:
    """``?lang=de`` shows one page in that language, like the public notice's ``?lang=``.

    After LocaleMiddleware: it overrides the cookie/Accept-Language choice for this request only
    (no cookie is set; the language switcher in the layout sets the lasting choice).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        asked = (request.GET.get("lang") or "").lower()
        if asked in {code for code, _name in settings.LANGUAGES}:
            translation.activate(asked)
            request.LANGUAGE_CODE = asked
        return self.get_response(request)
