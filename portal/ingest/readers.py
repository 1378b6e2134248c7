"""Readers for CSV (RFC 4180) and NDJSON: they yield ``(line_number, dict)``.

Both refuse the whole input, with a clear error, when it is larger than the limit or is not
UTF-8 text (NUL bytes, invalid byte sequences). A row that cannot be read (wrong number of
fields, broken quoting, invalid JSON) is yielded as ``(line, RowProblem)`` so that it becomes a
reject, not a crash.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from portal.ingest.report import IngestInputError

CHUNK_BYTES = 1 << 20
BOM = "\ufeff"
FORMATS = ("csv", "ndjson")


@dataclass(frozen=True)
class RowProblem:
    """A row that could not be read at all; ``reason`` never quotes the row."""

    reason: str


def too_large(limit: int) -> IngestInputError:
    return IngestInputError(
        f"The input is larger than the limit of {limit:,} bytes (INGEST_MAX_BYTES).",
        code="too_large",
    )


def checked_chunks(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[bytes, str]]:
    """Yield ``(raw, text)`` chunks after checking size, NUL bytes and UTF-8 validity."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    total = 0
    while True:
        raw = stream.read(CHUNK_BYTES)
        if not raw:
            break
        if isinstance(raw, str):
            raise IngestInputError("The input must be opened in binary mode.", code="binary")
        total += len(raw)
        if total > max_bytes:
            raise too_large(max_bytes)
        if b"\x00" in raw:
            raise IngestInputError(
                "The input is binary (it contains NUL bytes); expected UTF-8 text.", code="binary"
            )
        try:
            text = decoder.decode(raw)
        except UnicodeDecodeError:
            raise IngestInputError("The input is not valid UTF-8 text.", code="binary") from None
        yield raw, text
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise IngestInputError("The input is not valid UTF-8 text.", code="binary") from None


def text_lines(stream: BinaryIO, max_bytes: int) -> Iterator[str]:
    """Lines with their line ending kept (as ``csv`` wants them), split on ``\\n`` only."""
    rest = ""
    first = True
    for _raw, text in checked_chunks(stream, max_bytes):
        if first:
            text = text.removeprefix(BOM)
            first = False
        parts = (rest + text).split("\n")
        rest = parts.pop()
        for part in parts:
            yield part + "\n"
    if rest:
        yield rest


class CsvReader:
    """Iterate ``(line, dict | RowProblem)`` over an RFC 4180 CSV file with a header row.

    ``columns`` is the header. ``line`` is the physical line a record starts on (the header is
    line 1), so quoted line breaks inside a field are counted like an editor counts them.
    """

    def __init__(self, stream: BinaryIO, max_bytes: int):
        self._lines = text_lines(stream, max_bytes)
        self._reader = csv.reader(self._lines, strict=True)
        try:
            header = next(self._reader)
        except StopIteration:
            raise IngestInputError("The input is empty: a header row is required.") from None
        except csv.Error:
            raise IngestInputError("The header row is not valid CSV.") from None
        if not any(h.strip() for h in header):
            raise IngestInputError("The first line must be a header row naming the columns.")
        self.columns: list[str] = header
        self.header_lines = self._reader.line_num

    def __iter__(self) -> Iterator[tuple[int, dict[str, str] | RowProblem]]:
        width = len(self.columns)
        last = self._reader.line_num
        while True:
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except csv.Error:
                yield last + 1, RowProblem("malformed CSV (check the quotes); reading stopped here")
                return
            line, last = last + 1, self._reader.line_num
            if not values:
                yield line, RowProblem("empty line")
            elif len(values) != width:
                yield line, RowProblem(f"expected {width} fields, found {len(values)}")
            else:
                yield line, dict(zip(self.columns, values, strict=True))


def _no_constants(name: str):
    raise ValueError(name)


class NdjsonReader:
    """Iterate ``(line, dict | RowProblem)`` over newline-delimited JSON objects.

    Blank lines are skipped (many tools end a file with one). ``NaN``/``Infinity`` are not JSON.
    """

    columns = None

    def __init__(self, stream: BinaryIO, max_bytes: int):
        self._lines = text_lines(stream, max_bytes)

    def __iter__(self) -> Iterator[tuple[int, dict | RowProblem]]:
        for number, text in enumerate(self._lines, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text, parse_constant=_no_constants)
            except (ValueError, RecursionError):
                yield number, RowProblem("not valid JSON")
                continue
            if not isinstance(value, dict):
                yield number, RowProblem("not a JSON object")
                continue
            yield number, value


def open_reader(stream: BinaryIO, fmt: str, max_bytes: int) -> CsvReader | NdjsonReader:
    if fmt == "csv":
        return CsvReader(stream, max_bytes)
    if fmt == "ndjson":
        return NdjsonReader(stream, max_bytes)
    raise IngestInputError(f"Unknown format; use one of: {', '.join(FORMATS)}.", code="format")
