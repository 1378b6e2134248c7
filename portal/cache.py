"""A Redis cache that degrades to "nothing cached" when Redis is away (docs/reliability.md).

Everything the portal caches can be recomputed: public notice pages fall back to the database,
API throttle counters start afresh, dashboard counts are re-read. So a cache outage must never
turn a page into a 500, and must not make every request wait on a dead Redis either:

* short socket timeouts (``CACHE_SOCKET_TIMEOUT``) bound the first failed call;
* then a circuit breaker stays *open* for ``CACHE_BREAKER_SECONDS``: the cache answers "miss" at
  once without touching the network; after that one request tries Redis again (*half-open*),
  and a success closes the breaker.

Reads answer the default, writes do nothing, ``add`` answers False; each failure is one WARNING
line per opening of the breaker, not one per request.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


class Breaker:
    """Open for ``seconds`` after a failure; thread-safe enough for a flag and a timestamp."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> bool:
        """Open it; True if it was closed (the first failure of an outage)."""
        with self._lock:
            was_closed = self.open_until == 0.0
            self.open_until = time.monotonic() + self.seconds
            return was_closed

    def reset(self) -> bool:
        """Close it; True if it was open."""
        if self.open_until == 0.0:
            return False
        with self._lock:
            was_open = self.open_until != 0.0
            self.open_until = 0.0
            return was_open


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache`` behind a circuit breaker. ``OPTIONS`` take ``BREAKER_SECONDS``."""

    def __init__(self, server, params):
        params = {**params, "OPTIONS": dict(params.get("OPTIONS") or {})}
        seconds = float(params["OPTIONS"].pop("BREAKER_SECONDS", 5))
        super().__init__(server, params)
        self.breaker = Breaker(seconds)

    def _guard(self, call, fallback):
        import redis

        if self.breaker.is_open:
            return fallback
        try:
            result = call()
        except (redis.exceptions.RedisError, OSError) as exc:
            if self.breaker.trip():
                logger.warning(
                    "cache unavailable (%s); serving without it for %ss at a time",
                    type(exc).__name__,
                    self.breaker.seconds,
                )
            return fallback
        if self.breaker.open_until and self.breaker.reset():
            logger.warning("cache available again")
        return result

    def ping(self) -> None:
        """Raise unless Redis answers now (the readiness probe; ignores the breaker)."""
        self._cache.get_client(write=True).ping()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).add(key, value, timeout,
                                                                        version), False)  # fmt: skip

    def get(self, key, default=None, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).get(key, default, version),
                           default)  # fmt: skip

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
                    None)  # fmt: skip

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
                           False)  # fmt: skip

    def delete(self, key, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        return self._guard(lambda: super(ResilientRedisCache, self).set_many(data, timeout,
                                                                             version), keys)  # fmt: skip

    def delete_many(self, keys, version=None):
        self._guard(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self._guard(lambda: super(ResilientRedisCache, self).clear(), False)
