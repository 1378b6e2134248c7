"""Masked numbers are text to a spreadsheet (issue 14 item 5; docs/exports.md, "Masking").

``+4954120XXXX`` would be read as a formula (``#NAME?``); both engines write it ``'+4954120XXXX``,
as the formula-safety rule writes any other cell a spreadsheet would execute.
"""

import csv
import io

import pytest

from exports.engine import EXPORTERS
from exports.engine.columns import E164_RE, FORMULA_STARTS
from exports.engine.sources import PortableSource, PostgresSource
from portal.choices import Direction
from tests.exports.conftest import make_job, read_zip, run, utc
from tests.factories import CallRecordFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def calls(world, published):
    for i, (direction, caller, callee) in enumerate(
        [
            (Direction.INBOUND, "+4954120123456", "+442079460001"),
            (Direction.OUTBOUND, "+442079460002", "+4954120654321"),
            (Direction.INBOUND, "+123", "+442079460003"),  # short: all X after the apostrophe
        ]
    ):
        CallRecordFactory(
            tenant=world.tenant_a, operator=world.operator_o, call_id=f"masked-{i}",
            direction=direction, caller_number=caller, callee_number=callee,
            invite_time=utc(2030, 1, 1, 10, i), start_time=utc(2030, 1, 1, 10, i, 5),
            end_time=utc(2030, 1, 1, 10, i, 59), failure_time=None,
        )  # fmt: skip


def _job(world, mask=True, fmt="csv"):
    return make_job(world.tenant_a, world.operator_o, world.oscar, mask=mask, fmt=fmt,
                    start=utc(2029, 1, 1), end=utc(2031, 1, 1))  # fmt: skip


def _read(source_cls, job) -> list[dict]:
    sink = io.BytesIO()
    with source_cls(job) as source:
        source.stream(EXPORTERS["call_records"], sink, lambda n: None)
    return list(csv.DictReader(io.StringIO(sink.getvalue().decode())))


def _numbers(rows):
    return [(r["caller_number"], r["callee_number"]) for r in rows]


MASKED = [
    ("'+495412012XXXX", "+442079460001"),
    ("+442079460002", "'+495412065XXXX"),
    ("'XXXX", "+442079460003"),  # neutralised first, then masked
]


@pytest.mark.parametrize("source_cls", [PostgresSource, PortableSource])
def test_masked_numbers_are_written_as_text_by_both_engines(world, calls, source_cls):
    assert _numbers(_read(source_cls, _job(world))) == MASKED


def test_a_finished_export_file_has_no_cell_a_spreadsheet_would_run(world, calls):
    job = run(_job(world))
    rows = list(csv.DictReader(io.StringIO(read_zip(job)["call_records.csv"].decode())))
    assert _numbers(rows) == MASKED
    for row in rows:
        for name, cell in row.items():
            if cell.startswith(FORMULA_STARTS):
                # Only a whole, unmasked E.164 number may start with '+': a spreadsheet reads
                # it as a number, never as a formula.
                assert E164_RE.fullmatch(cell) and "X" not in cell, (name, cell)


@pytest.mark.parametrize("source_cls", [PostgresSource, PortableSource])
def test_unmasked_numbers_keep_their_plus(world, calls, source_cls):
    assert _numbers(_read(source_cls, _job(world, mask=False)))[:2] == [
        ("+4954120123456", "+442079460001"),
        ("+442079460002", "+4954120654321"),
    ]


def test_ndjson_masks_without_the_apostrophe(world, calls):
    import json

    job = run(_job(world, fmt="ndjson"))
    lines = [json.loads(x) for x in read_zip(job)["call_records.ndjson"].decode().splitlines()]
    assert (lines[0]["caller_number"], lines[1]["callee_number"]) == (
        "+495412012XXXX",
        "+495412065XXXX",
    )
