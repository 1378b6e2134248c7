"""The export's SQL was rewritten for speed, never for output: on generated values, each rewritten
expression gives exactly what the expression it replaced gave (docs/exports.md "Performance").

The oracle is the earlier SQL, rebuilt from today's by undoing the rewrite, so every column kind
and masking rule that uses it (``sql_value``) is checked as composed.
"""

import json
import re
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.engine import columns as k
from exports.engine.columns import Column, json_line_sql, sql_value

pytestmark = pytest.mark.django_db

NEW_FORMULA = re.compile(r"ascii\((r\.\w+)\) IN \(61, 43, 45, 64, 9, 13\)")
OLD_FORMULA = r"left(\1, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r')"


def earlier(sql: str) -> str:
    """The expression as it was before the rewrite: ``left(v, 1) IN ('=', …)``."""
    old, n = NEW_FORMULA.subn(OLD_FORMULA, sql)
    assert n, sql  # the rewrite is there to undo
    return old


# PostgreSQL text holds any character but NUL (and no lone surrogates, which UTF-8 cannot hold).
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
FIRST = st.sampled_from(list("=+-@\t\r'\" 0+9aé✓\u00a0\u2212\uff1d") + ["\U0001f600"])
VALUE = st.one_of(
    st.none(),
    st.text(CHARS, max_size=8),
    st.builds(lambda first, rest: first + rest, FIRST, st.text(CHARS, max_size=8)),
    st.from_regex(r"\A\+[0-9]{0,14}\Z"),  # E.164 and the bare "+"
    st.from_regex(r"\A\+[0-9]{4,12}X{0,4}\Z"),  # masked-looking numbers
)
ROWS = st.lists(st.tuples(VALUE, st.sampled_from([None, "inbound", "outbound"])), max_size=25)

COLUMNS = [
    Column("x", "x", k.TEXT),
    Column("x", "x", k.NUMBER),
    Column("x", "x", k.NUMBER, masked_when="inbound"),
    Column("x", "x", k.NUMBER, masked_when="outbound"),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, column=st.sampled_from(COLUMNS), mask=st.booleans())
def test_formula_neutralising_by_code_point_gives_the_same_cells(rows, column, mask):
    new = sql_value(column, csv=True, mask=mask, direction="r.c__direction")
    old = earlier(new)
    if not rows:
        return
    values = ", ".join(["(%s::text, %s::text)"] * len(rows))
    params = [v for row in rows for v in row]
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {new}, {old} FROM (VALUES {values}) AS r(c_x, c__direction)",  # noqa: S608
            params,
        )
        for got, expected in cur.fetchall():
            assert got == expected


def test_the_oracle_is_the_earlier_sql():
    new = sql_value(Column("x", "x", k.TEXT), csv=True, mask=False, direction=None)
    assert earlier(new) == (
        "NULLIF(CASE WHEN left(r.c_x, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') "
        "THEN '''' || r.c_x ELSE r.c_x END, '')"
    )


# --- floats: the shortest text where it is already the rounded value, the cast elsewhere -------

FAST_FLOAT = re.compile(
    r"CASE WHEN abs\((r\.\w+)\) >= 1e-4::float8 .*? THEN (?:to_json\()?r\.\w+(?:::text|\)) "
    r"ELSE (to_json\()?(trim_scale\(round\(r\.\w+::numeric, 6\)\))(?:::text|\)) END"
)


def earlier_float(sql: str) -> str:
    """The float cell as it was: ``trim_scale(round(v::numeric, 6))``."""
    match = FAST_FLOAT.fullmatch(sql)
    assert match, sql
    return match.group(3)


def _near(x: float) -> st.SearchStrategy[float]:
    return st.integers(-3, 3).map(lambda steps: _step(x, steps))


def _step(x: float, steps: int) -> float:
    import math

    for _ in range(abs(steps)):
        x = math.nextafter(x, math.inf if steps > 0 else -math.inf)
    return x


FLOATS = st.one_of(
    st.none(),
    st.floats(),  # anything: NaN, ±inf, ±0, subnormals, huge
    st.floats(-1e10, 1e10),
    # decimals of a few places, as measurements are (and their neighbours, one ulp away)
    st.builds(lambda n, p: n / 10**p, st.integers(-(10**16), 10**16), st.integers(0, 9)),
    st.builds(lambda n, p: n / 10**p, st.integers(-(10**16), 10**16), st.integers(0, 9)).flatmap(
        _near
    ),
    # the edges of the fast path and of rounding at 6 places
    st.sampled_from([1e-4, 1e9, 0.0000005, 0.0000015, 3.9999995, 999999999.999999, 1e-7]).flatmap(
        _near
    ),
    st.sampled_from([1e-4, 1e9, 999999999.9999995]).map(lambda x: -x),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(FLOATS, max_size=40), csv=st.booleans())
def test_floats_print_as_the_rounded_numeric_did(values, csv):
    new = sql_value(Column("x", "x", k.FLOAT), csv=csv, mask=False, direction=None)
    old = earlier_float(new)
    if not values:
        return
    rows = ", ".join(["(%s::float8)"] * len(values))
    with connection.cursor() as cur:
        cur.execute("SET extra_float_digits = 1")  # as the export's source sets it
        if csv:
            select = f"SELECT {new}, ({old})::text FROM (VALUES {rows}) AS r(c_x)"  # noqa: S608
        else:  # NDJSON: the line row_to_json prints, each way
            select = (
                f"SELECT row_to_json(n)::text, row_to_json(o)::text FROM (VALUES {rows}) AS r(c_x)"  # noqa: S608
                f" CROSS JOIN LATERAL (SELECT {new} AS x) AS n CROSS JOIN LATERAL (SELECT {old} AS x) AS o"
            )
        cur.execute(select, values)
        for value, (got, expected) in zip(values, cur.fetchall(), strict=True):
            assert got == expected, value


# --- NDJSON: each line built from its members, as row_to_json built it ---------------------------

LINE_COLUMNS = [
    (Column("text", "text", k.TEXT), "text"),
    (Column("caller_number", "n1", k.NUMBER, masked_when="inbound"), "text"),
    (Column("callee_number", "n2", k.NUMBER, masked_when="outbound"), "text"),
    (Column("code", "code", k.CODE), "text"),
    (Column("time", "time", k.TIME), "timestamptz"),
    (Column("int", "int", k.INT), "bigint"),
    (Column("float", "float", k.FLOAT), "float8"),
    (Column("decimal", "decimal", k.DECIMAL), "numeric"),
    (Column("bool", "bool", k.BOOL), "boolean"),
    (Column("uuid", "uuid", k.UUID), "uuid"),
    (Column("ip", "ip", k.IP), "inet"),
    (Column("json", "json", k.JSON), "jsonb"),
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(CHARS, max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(CHARS, max_size=4), inner),
    max_leaves=6,
).map(json.dumps)
LINE_VALUES = {
    k.TEXT: VALUE,
    k.NUMBER: VALUE,
    k.CODE: st.one_of(st.none(), st.sampled_from(["", "GB", "user_out", "inbound"])),
    k.TIME: st.none()
    | st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1), timezones=st.just(UTC)),
    k.INT: st.none() | st.integers(-(2**31), 2**31 - 1),
    k.FLOAT: FLOATS,
    # As text: the driver's literal for a NaN decimal is not one PostgreSQL reads.
    k.DECIMAL: st.none()
    | st.decimals(allow_nan=True, allow_infinity=True).map(
        lambda d: "NaN" if d.is_nan() else str(d)
    ),
    k.BOOL: st.none() | st.booleans(),
    k.UUID: st.none() | st.uuids(),
    k.IP: st.none() | st.ip_addresses().map(str),
    k.JSON: st.none() | JSON_VALUES,
}
LINE_ROW = st.tuples(
    st.sampled_from([None, "inbound", "outbound"]),
    *(LINE_VALUES[column.kind] for column, _ in LINE_COLUMNS),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(LINE_ROW, min_size=1, max_size=10), mask=st.booleans())
def test_ndjson_lines_equal_row_to_json_of_the_formatted_columns(rows, mask):
    columns = [column for column, _ in LINE_COLUMNS]
    direction = "r.c__direction"
    line = json_line_sql(columns, mask=mask, direction=direction)
    # The oracle: the earlier engine's line, row_to_json over the formatted columns.
    formatted = ", ".join(
        f'{sql_value(c, csv=False, mask=mask, direction=direction)} AS "{c.name}"' for c in columns
    )
    casts = ", ".join(["%s::text"] + [f"%s::{kind}" for _, kind in LINE_COLUMNS])
    names = ", ".join(["c__direction"] + [c.alias for c in columns])
    values = ", ".join([f"({casts})"] * len(rows))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET extra_float_digits = 1")  # as the export's source sets it
        cur.execute(
            f"SELECT {line}, row_to_json(o)::text FROM (VALUES {values}) AS r({names}) "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT {formatted}) AS o",
            [v for row in rows for v in row],
        )
        for row, (got, expected) in zip(rows, cur.fetchall(), strict=True):
            assert got == expected, row
            json.loads(got)  # and it is one JSON object
