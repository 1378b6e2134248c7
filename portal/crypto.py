"""Secrets at rest: Fernet with the key(s) in ``SSO_ENCRYPTION_KEY`` (the first one encrypts)."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "SSO_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes)."
        ) from exc


def _current() -> MultiFernet:
    return _fernet(tuple(settings.SSO_ENCRYPTION_KEYS))


def encrypt_secret(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The secret, or ``ImproperlyConfigured`` if no configured key opens it (key lost)."""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored SSO client secret can't be decrypted with SSO_ENCRYPTION_KEY."
        ) from exc
