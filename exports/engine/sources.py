"""Where rows come from: PostgreSQL ``COPY … TO STDOUT`` or the portable ORM path (SQLite).

Both write bytes to a *sink* (the open ZIP entry) in constant memory and report rows done to a
*progress* callback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q

from exports.choices import ExportFormat
from exports.engine.base import Exporter
from exports.engine.columns import csv_cell, py_value, sql_value
from exports.engine.subjects import (
    copy_subjects_sql,
    portable_lines,
    subject_source,
    subjects_select,
)

if TYPE_CHECKING:
    from exports.models import ExportJob

FLUSH_BYTES = 1 << 20  # hand the compressor ~1 MiB at a time, not one row at a time
PORTABLE_CHUNK = 2000


class Sink(Protocol):
    def write(self, data: bytes) -> object: ...


Progress = Callable[[int], None]


def select_sql(exporter: Exporter, job: ExportJob, inner: str) -> str:
    """The outer SELECT: format, neutralise and mask every column of the scoped rows ``r``."""
    csv = job.format == ExportFormat.CSV
    direction = "r.c__direction" if exporter.direction_source else None
    exprs = ", ".join(
        f'{sql_value(c, csv=csv, mask=job.mask_external_digits, direction=direction)} AS "{c.name}"'
        for c in exporter.columns
    )
    # Only our own column expressions and Django-compiled SQL (values stay parameters).
    return f"SELECT {exprs} FROM ({inner}) AS r"  # noqa: S608


def copy_sql(exporter: Exporter, job: ExportJob, inner: str) -> str:
    select = select_sql(exporter, job, inner)
    if job.format == ExportFormat.CSV:
        return f"COPY ({select}) TO STDOUT (FORMAT csv, HEADER, ENCODING 'UTF8')"
    # One JSON object per line. CSV mode with a quote and delimiter that JSON text can never
    # contain unescaped copies each line verbatim (text mode would double every backslash).
    return (
        f"COPY (SELECT row_to_json(t) FROM ({select}) AS t) TO STDOUT "  # noqa: S608
        f"(FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02', ENCODING 'UTF8')"
    )


class PostgresSource:
    """Reads through its own connection, in one REPEATABLE READ READ ONLY transaction.

    The snapshot makes the row counts in the manifest exact for the rows streamed; the separate
    connection leaves Django's default one free to renew the lease and write progress while
    the COPY runs.
    """

    def __init__(self, job: ExportJob):
        self.job = job
        self.wrapper: BaseDatabaseWrapper | None = None  # its own connection, while entered

    def __enter__(self) -> PostgresSource:
        wrapper = self.wrapper = connections.create_connection("default")
        wrapper.ensure_connection()
        self.raw = wrapper.connection
        self.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.raw.execute("ROLLBACK")
        finally:
            if self.wrapper is not None:
                self.wrapper.close()

    def _inner(self, exporter: Exporter) -> tuple[str, tuple]:
        queryset = exporter.sql_source(self.job)
        if queryset.query.is_empty():
            # Nothing is shareable in the range (e.g. before the assignment started): Django
            # refuses to compile `.none()`, so select the same columns from no rows instead,
            # and the file still gets its header.
            queryset = exporter.sql_source_without_rows(self.job)
        return queryset.query.get_compiler(connection=self.wrapper).as_sql()

    def count(self, exporter: Exporter) -> int:
        inner, params = self._inner(exporter)
        with self.raw.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM ({inner}) AS r", params)  # noqa: S608
            return cur.fetchone()[0]

    def sql(self, exporter: Exporter) -> tuple[str, tuple]:
        inner, params = self._inner(exporter)
        return copy_sql(exporter, self.job, inner), params

    def write_subjects(self, exporters: list[Exporter], sink: Sink) -> None:
        """The people in the rows just streamed, from the same snapshot (``subjects.py``)."""
        parts = []
        for exporter in exporters:
            if exporter.subject_columns:
                queryset = subject_source(exporter, self.job)
                if queryset.query.is_empty():
                    continue
                inner, params = queryset.query.get_compiler(connection=self.wrapper).as_sql()
                parts.append((subjects_select(exporter, self.job, inner), params))
        if not parts:
            return
        sql, params = copy_subjects_sql(self.job, parts)
        with self.raw.cursor() as cur, cur.copy(sql, params) as copy:
            for data in copy:
                sink.write(bytes(data))

    def stream(self, exporter: Exporter, sink: Sink, progress: Progress) -> None:
        sql, params = self.sql(exporter)
        buf = bytearray()
        with self.raw.cursor() as cur, cur.copy(sql, params) as copy:
            for data in copy:
                buf += data
                if len(buf) >= FLUSH_BYTES:
                    sink.write(bytes(buf))
                    progress(buf.count(b"\n"))
                    buf.clear()
        if buf:
            sink.write(bytes(buf))
            progress(buf.count(b"\n"))


class PortableSource:
    """The same bytes through the ORM, for SQLite (the ``make run`` default)."""

    def __init__(self, job: ExportJob):
        self.job = job

    def __enter__(self) -> PortableSource:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def count(self, exporter: Exporter) -> int:
        return exporter.queryset(self.job).count()

    def write_subjects(self, exporters: list[Exporter], sink: Sink) -> None:
        sink.write("".join(portable_lines(self.job, exporters)).encode())

    def _line(self, exporter: Exporter, row: tuple, csv: bool) -> str:
        mask = self.job.mask_external_digits
        direction = row[-1] if exporter.direction_source else None
        values = [
            py_value(c, v, csv=csv, mask=mask, direction=direction)
            for c, v in zip(exporter.columns, row, strict=False)
        ]
        if csv:
            return ",".join(csv_cell(v) for v in values) + "\n"
        pairs = (f"{json.dumps(c.name)}:{v}" for c, v in zip(exporter.columns, values, strict=True))
        return "{" + ",".join(pairs) + "}\n"

    def stream(self, exporter: Exporter, sink: Sink, progress: Progress) -> None:
        csv = self.job.format == ExportFormat.CSV
        if csv:
            sink.write((",".join(exporter.header) + "\n").encode())
        for page in keyset_pages(exporter.ordered(self.job), exporter):
            sink.write("".join(self._line(exporter, row, csv) for row in page).encode())
            progress(len(page))


def keyset_pages(queryset, exporter: Exporter, size: int = PORTABLE_CHUNK):
    """Rows in pages of ``size``, each a separate, finished query (keyset pagination).

    Not one long-running cursor: on SQLite a connection that keeps a read statement open cannot
    then write (the lease and progress updates) once another process has committed a write.
    """
    keys = list(exporter.order_by)
    fields = exporter.value_fields()
    after = None
    while True:
        page_qs = queryset
        if after is not None:
            page_qs = page_qs.filter(_after(keys, after))
        rows = list(page_qs.values_list(*fields, *keys)[:size])
        if not rows:
            return
        yield [row[: len(fields)] for row in rows]
        if len(rows) < size:
            return
        after = rows[-1][len(fields) :]


def _after(keys: list[str], values: tuple) -> Q:
    """Rows strictly after ``values`` in the order of ``keys``."""
    condition = Q()
    for i in reversed(range(len(keys))):
        step = Q(**{f"{keys[i]}__gt": values[i]})
        condition = step if i == len(keys) - 1 else step | (Q(**{keys[i]: values[i]}) & condition)
    return condition


def open_source(job: ExportJob):
    if connections["default"].vendor == "postgresql":
        return PostgresSource(job)
    return PortableSource(job)
