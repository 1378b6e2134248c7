"""Column kinds and how each becomes a CSV cell or a JSON value — in SQL and in Python.

Rules (documented in docs/exports.md):

- Times are ISO 8601 in UTC with a ``Z``, to the second: ``2026-03-01T09:30:00Z``.
- Floats are rounded to 6 decimals, trailing zeros removed; decimals keep their scale.
- Booleans are ``true`` / ``false``; empty values and NULLs are an empty CSV cell, JSON ``null``
  for NULL and ``""`` for an empty string.
- CSV only — formula neutralisation (I8): a free-text cell starting with ``=``, ``+``, ``-``,
  ``@``, tab, CR or NUL gets a leading ``'``. Phone-number columns keep a leading ``+`` when the
  value is a plain E.164 number (``+`` then digits only) that is not masked; anything else —
  a masked number like ``+4954120XXXX`` included, which a spreadsheet would read as a formula
  (``#NAME?``) — is neutralised like text, so it shows as text.
- Masking (tenant setting): the external party's number loses its last 4 characters to ``XXXX``
  (a value of 4 characters or fewer becomes all ``X``). Applied after neutralisation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

TEXT = "text"  # free text: neutralised in CSV
NUMBER = "number"  # a phone number: E.164 keeps its '+', anything else is neutralised
CODE = "code"  # a constrained enumeration or country code: no formula can start it
TIME = "time"
INT = "int"
FLOAT = "float"
DECIMAL = "decimal"
BOOL = "bool"
UUID = "uuid"
IP = "ip"
JSON = "json"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
E164_RE = re.compile(r"\+[0-9]+")
MASK = "XXXX"
_SIX = Decimal("0.000001")


@dataclass(frozen=True)
class Column:
    """One exported column: its public name, the model field it reads, and its kind.

    ``masked_when``: for a phone number, the value of the row's ``direction`` in which this
    number is the external party (masked when the tenant asks for it).
    """

    name: str
    source: str
    kind: str
    masked_when: str | None = None

    @property
    def alias(self) -> str:
        return f"c_{self.name}"


# --- SQL (PostgreSQL) ---------------------------------------------------------------------------

# The first character by its code point (``ascii()``; the database is UTF8): six integer
# comparisons cost a fraction of ``left(v, 1) IN ('=', '+', …)``'s six text comparisons, on every
# text cell (~1 s of backend CPU per 400,000 call records). NUL cannot occur in PostgreSQL text,
# and ``ascii('')`` is 0. ``tests/exports/test_sql_rewrites.py`` proves the bytes unchanged.
_SQL_FORMULA = "(" + ", ".join(str(ord(c)) for c in FORMULA_STARTS if c != "\0") + ")"


def _sql_neutralise(v: str) -> str:
    return f"CASE WHEN ascii({v}) IN {_SQL_FORMULA} THEN '''' || {v} ELSE {v} END"


def _sql_mask(v: str) -> str:
    return (
        f"CASE WHEN length({v}) > 4 THEN left({v}, -4) || '{MASK}' "
        f"ELSE repeat('X', length({v})) END"
    )


def _sql_float(v: str, *, csv: bool) -> str:
    """``trim_scale(round(v::numeric, 6))``, its text, without the slow float → numeric cast
    (``%.15g`` then parsing, ~60 % of a float cell's cost) wherever the float's own shortest
    text is already that text.

    It is when ``v`` is the double nearest to a decimal D of at most 6 places (``v = round(v *
    1e6) / 1e6``: IEEE division rounds correctly) with at most 15 significant digits (``|v| <
    1e9``): then ``%.15g`` gives D (DBL_DIG round trip), rounding keeps it, and the shortest text
    that reads back as ``v`` is D's too (no other decimal of ≤ 15 digits reads back as ``v``),
    in plain notation for ``|v| ≥ 1e-4`` (``extra_float_digits`` ≥ 0, which the source sets).
    Zero, NaN, infinities and everything else take the cast. NDJSON embeds both as JSON
    numbers. ``tests/exports/test_sql_rewrites.py`` proves the bytes unchanged.
    """
    fast = (
        f"abs({v}) >= 1e-4::float8 AND abs({v}) < 1e9::float8 "
        f"AND {v} = round({v} * 1e6::float8) / 1e6::float8"
    )
    exact = f"trim_scale(round({v}::numeric, 6))"
    if csv:
        return f"CASE WHEN {fast} THEN {v}::text ELSE {exact}::text END"
    return f"CASE WHEN {fast} THEN to_json({v}) ELSE to_json({exact}) END"


def sql_value(column: Column, *, csv: bool, mask: bool, direction: str | None) -> str:
    """The SQL expression for ``column`` over the subquery alias ``r``."""
    v = f"r.{column.alias}"
    kind = column.kind
    if kind == TIME:
        return f"""to_char({v} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    if kind == FLOAT:
        return _sql_float(v, csv=csv)
    if kind == IP:
        return f"host({v})"
    if kind == BOOL:
        return f"CASE WHEN {v} THEN 'true' WHEN NOT {v} THEN 'false' END" if csv else v
    if kind == JSON:
        return f"{v}::text" if csv else v
    if kind in (INT, DECIMAL, UUID):
        return v
    if csv and kind == TEXT:
        v = _sql_neutralise(v)
    elif csv and kind == NUMBER:
        keep = f"{v} ~ '^\\+[0-9]+$'"
        if mask and column.masked_when and direction:
            keep += f" AND {direction} IS DISTINCT FROM '{column.masked_when}'"
        v = f"CASE WHEN {keep} THEN {v} ELSE {_sql_neutralise(v)} END"
    if mask and column.masked_when and direction:
        v = f"CASE WHEN {direction} = '{column.masked_when}' THEN {_sql_mask(v)} ELSE {v} END"
    return f"NULLIF({v}, '')" if csv else v


# Kinds whose SQL text never holds a character JSON escapes: ISO times, UUIDs, IP addresses.
_JSON_PLAIN_STRINGS = (TIME, UUID, IP)
# Kinds whose SQL text is already their JSON text: integers, and the JSON values of floats
# (``_sql_float``) and of JSON columns.
_JSON_OWN_TEXT = (INT, FLOAT, JSON)


def sql_json(column: Column, *, mask: bool, direction: str | None) -> str:
    """The JSON text of ``column``'s value, byte for byte what ``row_to_json`` writes for it.

    An NDJSON line is these members concatenated (``json_line_sql``): ``row_to_json`` of the
    whole row costs more (it builds a composite value per row, then takes it apart again and
    looks each column's type up, per row). Strings that may hold a quote, a backslash or a
    control character go through ``to_json`` (the escaping ``row_to_json`` uses); the rest are
    quoted or written as they are. NULL is ``null``. ``tests/exports/test_sql_rewrites.py``
    proves the lines equal ``row_to_json``'s.
    """
    v = sql_value(column, csv=False, mask=mask, direction=direction)
    if column.kind in _JSON_PLAIN_STRINGS:
        text = f"""'"' || ({v})::text || '"'"""
    elif column.kind in _JSON_OWN_TEXT:
        text = f"({v})::text"
    elif column.kind == BOOL:
        text = f"CASE WHEN {v} THEN 'true' WHEN NOT {v} THEN 'false' END"
    else:  # free text, phone numbers, codes, decimals: to_json escapes (and spells NaN)
        text = f"to_json({v})::text"
    return f"coalesce({text}, 'null')"


def json_line_sql(columns: Sequence[Column], *, mask: bool, direction: str | None) -> str:
    """One NDJSON line (a JSON object, members in ``columns``' order) as a SQL text expression."""
    parts = []
    for n, column in enumerate(columns):
        key = json.dumps(column.name)
        if "'" in key:  # pragma: no cover - our own column names
            raise ValueError(column.name)
        parts.append(f"'{'{' if n == 0 else ','}{key}:'")
        parts.append(sql_json(column, mask=mask, direction=direction))
    parts.append("'}'")
    return " || ".join(parts)


# --- Python (the portable path) -------------------------------------------------------------------


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def mask_digits(value: str) -> str:
    return value[:-4] + MASK if len(value) > 4 else "X" * len(value)


def float_text(value: float) -> str:
    """Like PostgreSQL's ``trim_scale(round(value::numeric, 6))`` (15 significant digits)."""
    d = Decimal(format(value, ".15g")).quantize(_SIX, rounding=ROUND_HALF_UP)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def jsonb_text(value) -> str:
    """A JSON value as PostgreSQL's ``jsonb`` prints it: keys by (length, bytes), ', ' and ': '."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        items = (f"{json.dumps(k, ensure_ascii=False)}: {jsonb_text(value[k])}" for k in keys)
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(jsonb_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def time_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def py_value(column: Column, value, *, csv: bool, mask: bool, direction: str | None):
    """``column``'s cell as text (CSV) or as JSON text (NDJSON); None for an empty CSV cell."""
    kind = column.kind
    if value is None:
        return None if csv else "null"
    if kind == FLOAT:
        return float_text(value)
    if kind == DECIMAL:
        return format(value, "f")
    if kind == INT:
        return str(value)
    if kind == BOOL:
        return "true" if value else "false"
    if kind == JSON:
        return jsonb_text(value)  # CSV: the JSON text; NDJSON: embedded as it is
    text = time_text(value) if kind == TIME else str(value)
    if kind in (TEXT, NUMBER):
        masked = bool(mask and column.masked_when and direction == column.masked_when)
        if csv and (kind == TEXT or masked or not E164_RE.fullmatch(text)):
            text = neutralise(text)
        if masked:
            text = mask_digits(text)
    if csv:
        return text or None
    return json.dumps(text, ensure_ascii=False)


def csv_cell(text: str | None) -> str:
    """RFC 4180 quoting exactly as PostgreSQL's COPY CSV does it."""
    if text is None:
        return ""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
