"""API test helpers: clients signed in as a persona by session or by Bearer token."""

from datetime import datetime

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from portal.models import ApiToken, User


@pytest.fixture(autouse=True)
def _fresh_throttle_buckets():
    # Throttle counters live in the (real) Redis cache, which outlives each test's transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _private_export_storage(settings, tmp_path):
    """Export files of API tests go to a temporary folder, not the project's var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports"), "base_url": None},
        },
    }


def make_token(
    user: User, *, name: str = "script", expires_at: datetime | None = None, scope: str = "full"
) -> str:
    """Store a token the way the token page does (hash only) and return the secret."""
    key = ApiToken.new_key()
    ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(key),
        key_hint=key[:8],
        expires_at=expires_at,
        scope=scope,
    )
    return key


@pytest.fixture
def api():
    """``api(user)``: an APIClient signed in by session as ``user`` (None: anonymous)."""

    def _client(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _client


@pytest.fixture
def token_api():
    """``token_api(user)``: an APIClient that sends ``Authorization: Bearer <new token>``."""

    def _client(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
        return client

    return _client


def error(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


NOT_FOUND = error("not_found", "Not found.")
NOT_AUTHENTICATED = error("not_authenticated", "Authentication credentials were not provided.")
