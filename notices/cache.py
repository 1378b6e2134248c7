"""Caching of the public notice pages: a small in-process layer in front of the Django cache.

Published versions never change, so a rendered page is cached per (tenant, version, language,
state tag). What changes is the tenant's *state* (current version, Operator Connect on/off,
name): it lives under one key per tenant that publishing deletes, and so does any save of the
tenant (enable/disable, renaming: ``notices.signals``); a short TTL remains as a backstop.

Two layers, because a Redis round trip costs more than rendering from memory:

* the Django cache (Redis in production): shared by every process, survives restarts;
* a per-process LRU: page entries (immutable per key) for minutes, the state for
  ``LOCAL_STATE_TTL`` seconds — so another process sees a new version at most that late.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from django.core.cache import cache

STATE_TTL = 30  # seconds in the shared cache
LOCAL_STATE_TTL = 2  # seconds in each process
PAGE_TTL = 24 * 3600
LOCAL_PAGE_TTL = 600
PREFIX = "notice:v1"


class LocalCache:
    """A thread-safe, size-bounded LRU with per-entry expiry."""

    def __init__(self, maxsize: int = 512):
        self.maxsize = maxsize
        self._data: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            value, expires = item
            if expires < time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: Any, ttl: float) -> None:
        with self._lock:
            self._data[key] = (value, time.monotonic() + ttl)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


local = LocalCache()


def state_key(slug: str) -> str:
    return f"{PREFIX}:state:{slug}"


def page_key(slug: str, variant: str, state_tag: str) -> str:
    return f"{PREFIX}:page:{slug}:{state_tag}:{variant}"


def get(key: str, local_ttl: float) -> Any | None:
    """Local layer first, then the shared cache (refilling the local layer)."""
    value = local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            local.set(key, value, local_ttl)
    return value


def put(key: str, value: Any, ttl: float, local_ttl: float) -> None:
    cache.set(key, value, ttl)
    local.set(key, value, local_ttl)


def invalidate_tenant(slug: str) -> None:
    """Forget the tenant's state so the next request sees the newly published version."""
    cache.delete(state_key(slug))
    local.delete(state_key(slug))
