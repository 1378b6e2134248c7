"""Fixtures of the reliability tests: private export storage in a temporary folder, a
published notice of tenant A naming operator O."""

import pytest
from django.core.cache import cache

from notices.services import publish_notice


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports"), "base_url": None},
        },
    }
    settings.VAR_DIR = tmp_path


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters and the notice cache live in the real Redis; it outlives transactions.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(world):
    return publish_notice(world.tenant_a, by=world.alice)
