"""Small validators shared by forms, serializers, services and ingestion."""

import phonenumbers
from django_countries import countries as all_countries

from portal.errors import DomainError


def normalize_phone(value: str, *, field: str = "phone", region: str | None = None) -> str:
    """Return ``value`` as E.164, or raise a DomainError saying why it is not a number."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise DomainError(
            "Enter a phone number in international format, e.g. +44 20 7946 0000.", field=field
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise DomainError("This phone number is not valid.", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def country_codes(values, *, field: str = "countries") -> list[str]:
    """Upper-cased, de-duplicated, sorted ISO 3166-1 alpha-2 codes; unknown codes are refused."""
    codes = sorted({str(v).strip().upper() for v in values if str(v).strip()})
    unknown = [c for c in codes if c not in all_countries]
    if unknown:
        raise DomainError(f"Unknown country code: {', '.join(unknown)}.", field=field)
    return codes


def country_list(codes) -> str:
    return ", ".join(codes)


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def link_problem(url: str) -> str | None:
    """Why ``url`` can't be an operator's link on the notice, or None.

    Links the notice shows end users (privacy policy, terms, website) must be https: an http page
    can be altered on the way. Only in development (``DEBUG``) may a link point at this machine
    over plain http, for a local test server. See docs/security.md, "Input".
    """
    from urllib.parse import urlsplit

    from django.conf import settings

    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return None
    host = (parts.hostname or "").lower()
    loopback = host in LOOPBACK_HOSTS or host.startswith("127.")
    if parts.scheme == "http" and loopback and settings.DEBUG:
        return None
    return "Use an https:// address: the notice links to it for every end user."


def secure_link(url: str, *, field: str) -> str:
    """``url`` if it may be an operator's link; a DomainError naming ``field`` otherwise."""
    if url and (problem := link_problem(url)):
        raise DomainError(problem, field=field)
    return url


def validate_secure_link(url: str) -> None:
    """The same rule as a Django validator, for model fields (the admin, serializers)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    try:
        URLValidator()(url)
    except ValidationError:
        return  # not a URL at all: the URL field says so, once
    if url and (problem := link_problem(url)):
        raise ValidationError(problem, code="insecure_link")
