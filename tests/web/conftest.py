"""Helpers for the tenant-admin page tests (personas come from ``tests/conftest.py``)."""

import pytest
from django.urls import reverse


@pytest.fixture
def url():
    """``url("dashboard", world.tenant_a, operator_slug=…)`` → a tenant page's path."""

    def _url(name: str, tenant, **kwargs) -> str:
        return reverse(f"tenant:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})

    return _url


@pytest.fixture
def alice_client(world, login):
    return login(world.alice)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
