"""Rate limits per API token (scripts) or per user (browser sessions)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from portal.models import ApiToken


class UserOrTokenRateThrottle(SimpleRateThrottle):
    """One bucket per token, so one runaway script does not lock its owner out of the browser."""

    scope = "user"

    def get_rate(self) -> str | None:
        # Read at request time (not import time) so the setting can be changed without a restart
        # of the class, e.g. by tests.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
