"""Cache keys of the public notice pages (Django cache; Redis in production).

Published versions never change, so their rendered pages are cached per (tenant, version,
language). What changes is the tenant's *state* (current version, Operator Connect on/off): it is
cached under one short-lived key that publishing deletes.
"""

from django.core.cache import cache

STATE_TTL = 30  # seconds; bounds how late an enable/disable shows on the public page
PAGE_TTL = 24 * 3600
PREFIX = "notice:v1"


def state_key(slug: str) -> str:
    return f"{PREFIX}:state:{slug}"


def page_key(slug: str, variant: str, state_tag: str) -> str:
    return f"{PREFIX}:page:{slug}:{state_tag}:{variant}"


def invalidate_tenant(slug: str) -> None:
    """Forget the tenant's state so the next request sees the newly published version."""
    cache.delete(state_key(slug))
