import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Sign-in lock-out and API throttle counters live in the (real) Redis cache.
    cache.clear()
    yield
    cache.clear()
