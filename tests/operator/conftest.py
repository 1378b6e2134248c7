"""The API client fixtures of tests/api, for the operator's endpoints."""

from tests.api.conftest import _fresh_throttle_buckets, api  # noqa: F401
