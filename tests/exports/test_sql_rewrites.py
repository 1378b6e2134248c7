"""The export's SQL was rewritten for speed, never for output: on generated values, each rewritten
expression gives exactly what the expression it replaced gave (docs/exports.md "Performance").

The oracle is the earlier SQL, rebuilt from today's by undoing the rewrite, so every column kind
and masking rule that uses it (``sql_value``) is checked as composed.
"""

import re

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.engine import columns as k
from exports.engine.columns import Column, sql_value

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
