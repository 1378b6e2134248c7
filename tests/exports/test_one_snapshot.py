"""One snapshot, no second pass: the manifest's row counts are the rows COPY wrote, and the list
of people (read concurrently on a second connection) is exactly the files' rows, even while
new call records arrive."""

import csv
import io
import json
import zipfile

import pytest

from exports.engine import EXPORTERS
from exports.engine.archive import write_archive
from exports.engine.sources import PortableSource, PostgresSource
from privacy.subjects import UPN, subject_hash
from tests.exports.conftest import make_job, utc
from tests.factories import CallRecordFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def calls(world, published):
    return [
        CallRecordFactory(
            tenant=world.tenant_a,
            operator=world.operator_o,
            call_id=f"c{i}",
            user_upn=f"user{i}@contoso.test",
            invite_time=utc(2030, 1, 1, 10, i),
            user_display_name='two\nlines, "quoted"',
        )  # fmt: skip
        for i in range(7)
    ]


def _late_call(world, upn="late@contoso.test"):
    """A call of someone new, committed by another connection while the export runs."""
    return CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, call_id="late",
                             user_upn=upn, invite_time=utc(2030, 1, 2))  # fmt: skip


def _upns(subjects: bytes) -> set[str]:
    """The UPN hashes of a subject list (kind, hash per line)."""
    lines = [line.split(b"\t") for line in subjects.splitlines()]
    return {fields[3].decode() for fields in lines if fields[2] == UPN.encode()}


def _expected_upns(n: int = 7) -> set[str]:
    return {subject_hash(UPN, f"user{i}@contoso.test") for i in range(n)}


def _data_rows(body: bytes, fmt: str) -> int:
    if fmt == "csv":
        return len(list(csv.reader(io.StringIO(body.decode())))) - 1  # the header
    return len([json.loads(line) for line in body.decode().splitlines()])


@pytest.mark.parametrize("source_cls", [PostgresSource, PortableSource])
@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_streaming_returns_the_rows_it_wrote(world, calls, source_cls, fmt):
    # Cells with line breaks: a row is not a line, and the count must not be one either.
    job = make_job(world.tenant_a, world.operator_o, world.oscar, fmt=fmt,
                   start=utc(2029, 1, 1), end=utc(2031, 1, 1))  # fmt: skip
    sink, done = io.BytesIO(), []
    with source_cls(job) as source:
        rows = source.stream(EXPORTERS["call_records"], sink, done.append)
    assert rows == _data_rows(sink.getvalue(), fmt) == len(calls) == 7
    assert sum(done) == 7  # progress counts rows, not lines or the header


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_manifest_counts_the_rows_written_while_calls_arrive(world, calls, tmp_path, fmt):
    """A call that arrives mid-export is in neither the file, its count, nor the people."""
    job = make_job(world.tenant_a, world.operator_o, world.oscar, fmt=fmt,
                   start=utc(2029, 1, 1), end=utc(2031, 1, 1))  # fmt: skip
    reports = []

    def report(done, total):
        if not reports:
            _late_call(world)
        reports.append((done, total))

    path, subjects = tmp_path / "x.zip", tmp_path / "subjects"
    manifest = write_archive(job, path, notice=None, report=report, subjects=subjects)
    with zipfile.ZipFile(path) as zf:
        body = zf.read(f"call_records.{fmt}")
    assert manifest["files"][0]["rows"] == _data_rows(body, fmt) == 7
    assert b"late@contoso.test" not in body
    assert reports[0] == (0, reports[0][1]) and reports[-1][0] == 7
    # The people are user0…user6 (and their numbers); "late" is not among them.
    assert _upns(subjects.read_bytes()) == _expected_upns()


def test_the_people_are_read_from_the_files_snapshot_on_a_second_connection(world, calls, tmp_path):
    job = make_job(world.tenant_a, world.operator_o, world.oscar,
                   start=utc(2029, 1, 1), end=utc(2031, 1, 1))  # fmt: skip
    exporters = [EXPORTERS["call_records"]]
    path = tmp_path / "subjects"
    with PostgresSource(job) as source:
        _late_call(world)  # committed after the files' snapshot was taken
        pending = source.start_subjects(exporters, path)
        pending.wait()
        same_connection = io.BytesIO()
        source.write_subjects(exporters, same_connection)
        rows = source.stream(exporters[0], io.BytesIO(), lambda n: None)
    assert rows == 7
    assert sorted(path.read_bytes().splitlines()) == sorted(same_connection.getvalue().splitlines())
    assert _upns(path.read_bytes()) == _expected_upns()
    # A fresh transaction does see the late call: only the shared snapshot kept it out.
    with PostgresSource(job) as later:
        fresh = io.BytesIO()
        later.write_subjects(exporters, fresh)
    assert _upns(fresh.getvalue()) == _expected_upns() | {subject_hash(UPN, "late@contoso.test")}


def test_a_failed_file_stops_the_concurrent_aggregation(world, calls, tmp_path):
    job = make_job(world.tenant_a, world.operator_o, world.oscar,
                   start=utc(2029, 1, 1), end=utc(2031, 1, 1))  # fmt: skip

    def report(done, total):
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError, match="disk went away"):
        write_archive(job, tmp_path / "x.zip", notice=None, report=report,
                      subjects=tmp_path / "subjects")  # fmt: skip
