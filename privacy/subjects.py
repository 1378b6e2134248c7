"""Who a data subject is, as the portal writes it down: a kind and a keyed hash (docs/privacy.md).

A person is looked up by phone number (E.164) or by UPN. Neither is ever stored for the access
report: its index holds ``HMAC-SHA256(PRIVACY_HASH_KEY, "<kind>:<value>")``, computed in Python
for a lookup and in SQL (PostgreSQL's built-in ``sha256``, no extension) while an export is
written. Erased call records carry the same pseudonym, so a later report still finds them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import phonenumbers
from django.conf import settings

from portal.errors import DomainError

NUMBER = "number"
UPN = "upn"
KINDS = (NUMBER, UPN)
_BLOCK = 64  # SHA-256's block size


@dataclass(frozen=True)
class Subject:
    """A person as entered by an admin, normalised: ``kind`` and ``value``."""

    kind: str
    value: str

    @property
    def hash(self) -> str:
        return subject_hash(self.kind, self.value)

    @property
    def masked(self) -> str:
        """What an audit event or a log may say about the person: never the whole value."""
        return mask(self.kind, self.value)


def _key() -> bytes:
    return hashlib.sha256(settings.PRIVACY_HASH_KEY.encode()).digest()


def subject_hash(kind: str, value: str) -> str:
    """The hex HMAC-SHA256 standing for ``value`` of ``kind`` (already normalised)."""
    return hmac.new(_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def hmac_pads() -> tuple[bytes, bytes]:
    """(inner, outer) padded keys, so SQL can compute the same HMAC with two ``sha256`` calls."""
    key = _key().ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def sql_hmac(message_sql: str) -> str:
    """SQL for the hex HMAC of the text ``message_sql``; takes the two pads as parameters."""
    return (
        "encode(sha256(%s::bytea || sha256(%s::bytea || convert_to("
        f"{message_sql}, 'UTF8'))), 'hex')"
    )


def sql_hmac_params() -> list[bytes]:
    inner, outer = hmac_pads()
    return [outer, inner]


def mask(kind: str, value: str) -> str:
    if kind == NUMBER:
        return value[:-4] + "••••" if len(value) > 6 else "••••"
    local, _, domain = value.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else f"{value[:1]}•••"


def counted(n: int, noun: str) -> str:
    """``1 export``, ``2 exports``: for audit summaries."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def parse_subject(number: str = "", upn: str = "") -> Subject:
    """A subject from a form or query: exactly one of an E.164 number or a UPN."""
    number, upn = (number or "").strip(), (upn or "").strip()
    if bool(number) == bool(upn):
        raise DomainError(
            "Give either a phone number or a UPN.", code="subject_required", field="number"
        )
    if number:
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or not phonenumbers.is_possible_number(parsed):
            raise DomainError(
                "Give the phone number in international format, e.g. +442079460000.",
                code="invalid_number",
                field="number",
            )
        return Subject(
            NUMBER, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        )
    if "@" not in upn or len(upn) > 255 or any(c.isspace() for c in upn):
        raise DomainError("Give the UPN as name@domain.", code="invalid_upn", field="upn")
    return Subject(UPN, upn.lower())
