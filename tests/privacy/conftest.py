"""Fixtures of the privacy tests: private export storage in a temporary folder and tenant A's
published notice, as in tests/exports."""

from tests.exports.conftest import _private_storage, published  # noqa: F401 (fixtures)
