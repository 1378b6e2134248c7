"""Column types of an ingest file, each defined twice: in Python and as a PostgreSQL expression.

The Python ``parse`` is the specification: it decides what is valid and produces the value.
The SQL ``sql_parse`` is the fast path's guarded cast. It may be *narrower* than Python (it then
calls ``pg_temp.ingest_bad()``, which raises, and the file is re-checked row by row in Python)
but it must never accept a value that Python refuses, nor produce a different value. Cheap
string functions and native casts only: PostgreSQL regular expressions cost ~2 µs a call, too
slow for 45 columns × a million rows.

Reasons never quote the value: it may be personal data.
"""

from __future__ import annotations

import ipaddress
import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django_countries import countries

REQUIRED = "this field is required"


class Invalid(Exception):
    """A value is refused; ``reason`` is safe to show and to log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def lit(value: str) -> str:
    """An SQL string literal of one of *our* constants (never of input data)."""
    return "'" + value.replace("'", "''") + "'"


def q(name: str) -> str:
    """An SQL identifier, quoted (column and table names of ours or of the catalog)."""
    return '"' + name.replace('"', '""') + '"'


def bad(sql_type: str) -> str:
    """The fast path's "refuse this file" marker: raises when evaluated."""
    return f"pg_temp.ingest_bad(NULL::{sql_type})"


@cache
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


@dataclass
class Field:
    """One column. ``name`` is the model field name (or ``tenant``/``operator`` references)."""

    name: str
    required: bool = False
    default: Any = None
    sql_type: str = "text"
    json_types: tuple[str, ...] = ("string",)
    # model attribute the value is written to; defaults to ``name``
    attname: str = ""
    # a value present in the file is kept on update only when given (numbers' acquired_at)
    keep_when_empty: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.attname = self.attname or self.name

    # --- Python -------------------------------------------------------------------------
    def clean(self, text: str | None) -> Any:
        if text is None or text == "":
            if self.required:
                raise Invalid(REQUIRED)
            return self.default
        return self.parse(text)

    def parse(self, text: str) -> Any:
        return text

    def from_json(self, value: Any) -> str | None:
        """The text form of a JSON value, as a CSV cell would hold it."""
        if value is None:
            return None
        if isinstance(value, str):
            if "\x00" in value:  # "\u0000" in JSON: no database text can hold it
                raise Invalid("contains a NUL character")
            return value
        if isinstance(value, bool):
            if "boolean" in self.json_types:
                return "true" if value else "false"
        elif isinstance(value, int | float):
            if "number" in self.json_types:
                return str(value) if isinstance(value, int) else repr(value)
        elif (
            isinstance(value, list)
            and "array" in self.json_types
            and all(isinstance(v, str) for v in value)
        ):
            return ",".join(value)
        raise Invalid(f"wrong type: expected {' or '.join(self.json_types)}")

    # --- SQL (fast path) ------------------------------------------------------------------
    def sql_empty(self) -> str:
        if self.required:
            return bad(self.sql_type)
        if self.default is None:
            return f"NULL::{self.sql_type}"
        return self.sql_default()

    def sql_default(self) -> str:
        return f"{lit(str(self.default))}::{self.sql_type}"

    def sql_parse(self, c: str) -> str:
        return c

    def sql(self, c: str) -> str:
        """The typed value of raw text column expression ``c`` (empty → default)."""
        return f"(CASE WHEN nullif({c}, '') IS NULL THEN {self.sql_empty()} ELSE {self.sql_parse(c)} END)"


@dataclass
class Text(Field):
    max_length: int = 255
    default: Any = ""
    prefix: str = ""  # e.g. "sip:" — the value must start with it

    def parse(self, text: str) -> str:
        if len(text) > self.max_length:
            raise Invalid(f"longer than {self.max_length} characters")
        if self.prefix and not text.startswith(self.prefix):
            raise Invalid(f"must start with {self.prefix}")
        return text

    def sql_parse(self, c: str) -> str:
        # octet_length is O(1); char_length only for non-ASCII text near the limit.
        ok = f"(octet_length({c}) <= {self.max_length} OR char_length({c}) <= {self.max_length})"
        if self.prefix:
            ok += f" AND left({c}, {len(self.prefix)}) = {lit(self.prefix)}"
        return f"CASE WHEN {ok} THEN {c} ELSE {bad('text')} END"


E164_RE = re.compile(r"\+[1-9][0-9]{0,14}")
E164_TOO_LONG_RE = re.compile(r"\+[1-9][0-9]{15,}")


def e164_reason(text: str) -> str | None:
    if E164_RE.fullmatch(text):
        return None
    if E164_TOO_LONG_RE.fullmatch(text):
        return "not a valid E.164 number: more than 15 digits"
    return "not a valid E.164 number"


def sql_is_e164(c: str) -> str:
    # bigint's canonical text has no sign, spaces or leading zeros: exactly [1-9][0-9]*.
    return (
        f"({c} LIKE '+%' AND octet_length({c}) BETWEEN 2 AND 16 "
        f"AND substr({c}, 2)::bigint::text = substr({c}, 2))"
    )


@dataclass
class E164(Field):
    """A telephone number in E.164: ``+``, then 1–15 digits, the first not 0."""

    def parse(self, text: str) -> str:
        reason = e164_reason(text)
        if reason:
            raise Invalid(reason)
        return text

    def sql_parse(self, c: str) -> str:
        return f"CASE WHEN {sql_is_e164(c)} THEN {c} ELSE {bad('text')} END"


@dataclass
class PartyNumber(Text):
    """A call party as Microsoft reports it: E.164 when it starts with ``+``, else free text."""

    max_length: int = 64

    def parse(self, text: str) -> str:
        text = super().parse(text)
        if text.startswith("+"):
            reason = e164_reason(text)
            if reason:
                raise Invalid(reason)
        return text

    def sql_parse(self, c: str) -> str:
        return (
            f"CASE WHEN {c} NOT LIKE '+%' AND octet_length({c}) <= {self.max_length} THEN {c} "
            f"WHEN {sql_is_e164(c)} THEN {c} ELSE {bad('text')} END"
        )


@dataclass
class Choice(Field):
    """One value of an enumeration of ``portal.choices`` (``blank`` allows empty)."""

    choices: Any = None
    blank: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.default is None and self.blank:
            self.default = ""

    @property
    def values(self) -> list[str]:
        return list(self.choices.values)

    def parse(self, text: str) -> str:
        if text not in self.values:
            raise Invalid(f"not one of: {', '.join(self.values)}")
        return text

    def sql_parse(self, c: str) -> str:
        values = ", ".join(lit(v) for v in self.values)
        return f"CASE WHEN {c} IN ({values}) THEN {c} ELSE {bad('text')} END"


@dataclass
class Country(Field):
    """ISO 3166-1 alpha-2 (django-countries' list); lower case is accepted and upper-cased."""

    blank: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.default is None and self.blank:
            self.default = ""

    def parse(self, text: str) -> str:
        code = text.upper()
        if not (len(text) == 2 and text.isascii() and code in country_codes()):
            raise Invalid("not an ISO 3166-1 alpha-2 country code")
        return code

    def sql_parse(self, c: str) -> str:
        codes = ",".join(sorted(country_codes()))
        return f"CASE WHEN {c} = ANY('{{{codes}}}'::text[]) THEN {c} ELSE {bad('text')} END"


UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


@dataclass
class Uuid(Field):
    """A UUID in its canonical 8-4-4-4-12 form (either case)."""

    sql_type: str = "uuid"

    def parse(self, text: str) -> uuid.UUID:
        if not UUID_RE.fullmatch(text):
            raise Invalid("not a UUID")
        return uuid.UUID(text)

    def sql_parse(self, c: str) -> str:
        # Hyphens at the canonical places: PostgreSQL then accepts exactly 8-4-4-4-12 hex.
        shape = "________-____-____-____-____________"
        return f"CASE WHEN {c} LIKE '{shape}' THEN {c}::uuid ELSE {bad('uuid')} END"


INT_RE = re.compile(r"[+-]?[0-9]+")


@dataclass
class Integer(Field):
    lo: int = 0
    hi: int = 2_147_483_647
    sql_type: str = "bigint"
    json_types: tuple[str, ...] = ("number", "string")

    def parse(self, text: str) -> int:
        if not INT_RE.fullmatch(text):
            raise Invalid("not a whole number")
        value = int(text)
        if not self.lo <= value <= self.hi:
            raise Invalid(f"must be between {self.lo} and {self.hi}")
        return value

    def sql_parse(self, c: str) -> str:
        return (
            f"CASE WHEN {c}::bigint::text = {c} "
            f"AND {c}::bigint BETWEEN {self.lo} AND {self.hi} THEN {c}::bigint "
            f"ELSE {bad('bigint')} END"
        )


C_SPACE = " \t\n\r\v\f"
FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@dataclass
class Number(Field):
    lo: float = 0.0
    hi: float = 1e6
    sql_type: str = "double precision"
    json_types: tuple[str, ...] = ("number", "string")

    def parse(self, text: str) -> float:
        # Surrounding white space is allowed: exactly what C's isspace() (and so PostgreSQL's
        # float input) skips, so both engines agree without a costly check in SQL.
        text = text.strip(C_SPACE)
        if not FLOAT_RE.fullmatch(text):
            raise Invalid("not a number")
        value = float(text)
        if not math.isfinite(value) or not self.lo <= value <= self.hi:
            raise Invalid(f"must be between {self.lo:g} and {self.hi:g}")
        return value

    def sql_parse(self, c: str) -> str:
        return (
            # float8 input takes what Python takes, plus NaN/Infinity (out of range here) and
            # C99 hex floats (refused).
            f"CASE WHEN {c} NOT LIKE '%x%' AND {c} NOT LIKE '%X%' "
            f"AND {c}::float8 BETWEEN {self.lo!r} AND {self.hi!r} THEN {c}::float8 "
            f"ELSE {bad('float8')} END"
        )


DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


@dataclass
class Coordinate(Field):
    """Latitude/longitude: decimal degrees, at most 6 decimal places."""

    lo: int = -90
    hi: int = 90
    places: int = 6
    sql_type: str = "numeric"
    json_types: tuple[str, ...] = ("number", "string")

    def parse(self, text: str) -> Decimal:
        if not DECIMAL_RE.fullmatch(text):
            raise Invalid("not a decimal number")
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern excludes it
            raise Invalid("not a decimal number") from None
        if value.as_tuple().exponent < -self.places:
            raise Invalid(f"more than {self.places} decimal places")
        if not self.lo <= value <= self.hi:
            raise Invalid(f"must be between {self.lo} and {self.hi}")
        return value

    def sql_parse(self, c: str) -> str:
        return (
            f"CASE WHEN btrim({c}, E' \\t\\n\\r\\v\\f') = {c} "
            f"AND {c}::numeric BETWEEN {self.lo} AND {self.hi} "
            f"AND scale({c}::numeric) <= {self.places} THEN {c}::numeric "
            f"ELSE {bad('numeric')} END"
        )


TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")


@dataclass
class Boolean(Field):
    default: Any = False
    sql_type: str = "boolean"
    json_types: tuple[str, ...] = ("boolean", "string")

    def parse(self, text: str) -> bool:
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise Invalid("not true or false")

    def sql_default(self) -> str:
        return "true" if self.default else "false"

    def sql_parse(self, c: str) -> str:
        trues = ", ".join(lit(w) for w in TRUE_WORDS)
        falses = ", ".join(lit(w) for w in FALSE_WORDS)
        return (
            f"CASE WHEN {c} IN ({trues}) THEN true "
            f"WHEN {c} IN ({falses}) THEN false ELSE {bad('boolean')} END"
        )


_DATE = r"[12][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_ZONE = r"(?:Z|[+-](?:0[0-9]|1[0-4])(?::?[0-5][0-9])?)"
NAIVE_RE = re.compile(f"{_DATE}[T ]{_TIME}")
TIMESTAMP_RE = re.compile(f"({_DATE}[T ]{_TIME})({_ZONE})")

# The spellings the fast path takes (LIKE is cheap; translate() and regexes are not): T,
# 0–6 fraction digits, Z or ±hh:mm. Everything else goes to the row-by-row check.
_FAST_PATTERNS = [
    f"____-__-__T__:__:__{frac}{zone}"
    for zone in ("Z", "+__:__", "-__:__")
    for frac in ("", ".___", ".______", "._", ".__", ".____", "._____")
]


@dataclass
class Timestamp(Field):
    """ISO 8601 date and time WITH a time zone (``Z`` or an offset); a naive time is refused."""

    sql_type: str = "timestamptz"

    def parse(self, text: str) -> datetime:
        match = TIMESTAMP_RE.fullmatch(text)
        if not match:
            if NAIVE_RE.fullmatch(text):
                raise Invalid("no time zone: add Z or an offset such as +01:00")
            raise Invalid("not an ISO 8601 date and time")
        moment, zone = match.groups()
        if zone == "Z":
            zone = "+00:00"
        elif len(zone) == 3:
            zone += ":00"
        elif ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:]}"
        try:
            return datetime.fromisoformat(moment.replace(" ", "T") + zone)
        except ValueError:
            raise Invalid("not a valid date") from None

    def sql_parse(self, c: str) -> str:
        shape = " OR ".join(f"{c} LIKE '{p}'" for p in _FAST_PATTERNS)
        # PostgreSQL also takes hour 24, leap seconds, offsets up to ±15:59, years before
        # 1000 and words such as "PM": refuse those here so that only Python decides them.
        ok = (
            f"({shape}) AND ({c} LIKE '1%' OR {c} LIKE '2%') AND strpos({c}, ' ') = 0 "
            f"AND {c} NOT LIKE '___________24%' AND {c} NOT LIKE '_________________60%' "
            f"AND {c} NOT LIKE '%+15:__' AND {c} NOT LIKE '%-15:__'"
        )
        return f"CASE WHEN {ok} THEN {c}::timestamptz ELSE {bad('timestamptz')} END"


@dataclass
class IpAddress(Field):
    """An IPv4 address in dotted-quad form (no leading zeros) or an IPv6 address (no zone)."""

    sql_type: str = "inet"

    def parse(self, text: str) -> str:
        try:
            if ":" in text:
                if "%" in text:
                    raise ValueError
                return str(ipaddress.IPv6Address(text))
            address = ipaddress.IPv4Address(text)
            if str(address) != text:
                raise ValueError
            return text
        except ValueError:
            raise Invalid("not a valid IPv4 or IPv6 address") from None

    def sql_parse(self, c: str) -> str:
        # Only canonical spellings take the fast path (host() prints them back unchanged).
        return f"CASE WHEN host({c}::inet) = {c} THEN {c}::inet ELSE {bad('inet')} END"


@dataclass
class Capabilities(Field):
    """Comma-separated (CSV) or a list of strings (NDJSON): inbound, outbound, mobile."""

    options: tuple[str, ...] = ("inbound", "outbound", "mobile")
    sql_type: str = "jsonb"
    json_types: tuple[str, ...] = ("array", "string")

    def clean(self, text: str | None) -> list[str]:
        return [] if text is None or text == "" else self.parse(text)

    def parse(self, text: str) -> list[str]:
        items = text.split(",")
        if any(item not in self.options for item in items):
            raise Invalid(f"a comma-separated list of: {', '.join(self.options)}")
        return items

    def sql_empty(self) -> str:
        return "'[]'::jsonb"

    def sql_parse(self, c: str) -> str:
        options = ",".join(self.options)
        return (
            f"CASE WHEN string_to_array({c}, ',') <@ '{{{options}}}'::text[] "
            f"THEN to_jsonb(string_to_array({c}, ',')) ELSE {bad('jsonb')} END"
        )
