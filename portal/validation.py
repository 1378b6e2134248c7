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
