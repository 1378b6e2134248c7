"""Input that is unusable as a whole stops with a clear error, and nothing is written."""

import io

import pytest

from portal.ingest import IngestInputError, ingest
from portal.models import PhoneNumber
from tests.ingest.conftest import csv_bytes, ndjson_bytes, number_row, run


class Pipe(io.RawIOBase):
    """A stream that cannot seek, like standard input from a pipe."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_input_larger_than_the_limit_is_refused(world, engine, settings, fmt):
    settings.INGEST_MAX_BYTES = 1000
    rows = [number_row(telephone_number=f"+44207946{n:04d}") for n in range(20)]
    data = csv_bytes(rows) if fmt == "csv" else ndjson_bytes(rows)
    assert len(data) > 1000

    with pytest.raises(IngestInputError) as refused:
        run("numbers", data, fmt, engine)

    assert refused.value.code == "too_large"
    assert "larger than the limit of 1,000 bytes" in refused.value.message
    assert PhoneNumber.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        csv_bytes([number_row()]) + b"\x00\x01\x02",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",  # a gzip header
        csv_bytes([number_row()]).replace(b"London", b"Lond\xff\xfen"),
    ],
    ids=["nul-bytes", "gzip", "invalid-utf8"],
)
def test_binary_input_is_refused(world, engine, data):
    with pytest.raises(IngestInputError) as refused:
        run("numbers", data, "csv", engine)

    assert refused.value.code == "binary"
    assert refused.value.message in {
        "The input is binary (it contains NUL bytes); expected UTF-8 text.",
        "The input is not valid UTF-8 text.",
    }
    assert PhoneNumber.objects.count() == 0


def test_empty_input_needs_a_header(world, engine):
    with pytest.raises(IngestInputError, match="a header row is required"):
        run("numbers", b"", "csv", engine)


def test_a_header_alone_is_an_empty_file(world, engine):
    report = run("numbers", b"telephone_number,tenant,operator,iso_country_code\r\n", "csv", engine)

    assert (report.ok, report.rows_total, report.inserted) == (True, 0, 0)


def test_unknown_kind_format_or_engine_is_refused(world):
    with pytest.raises(IngestInputError, match="Unknown kind"):
        run("phones", b"", "csv")
    with pytest.raises(IngestInputError, match="Unknown format"):
        run("numbers", b"", "xlsx")
    with pytest.raises(IngestInputError, match="Unknown engine"):
        run("numbers", b"", "csv", "fast")


@pytest.mark.parametrize("valid", [True, False])
def test_a_stream_that_cannot_seek_is_read_once_and_still_checked(world, engine, valid):
    rows = [number_row(), number_row(telephone_number="+442079460002")]
    if not valid:
        rows[1]["usage"] = "bad"

    report = ingest("numbers", io.BufferedReader(Pipe(csv_bytes(rows))), "csv", engine=engine)

    assert report.ok is valid
    assert PhoneNumber.objects.count() == (2 if valid else 0)
