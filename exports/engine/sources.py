"""Where rows come from: PostgreSQL ``COPY … TO STDOUT`` or the portable ORM path (SQLite).

Both write bytes to a *sink* (the open ZIP entry) in constant memory and report rows done to a
*progress* callback.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q

from exports.choices import ExportFormat
from exports.engine.base import Exporter
from exports.engine.columns import csv_cell, json_line_sql, py_value, sql_value
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
    if job.format == ExportFormat.CSV:
        select = select_sql(exporter, job, inner)
        return f"COPY ({select}) TO STDOUT (FORMAT csv, HEADER, ENCODING 'UTF8')"
    direction = "r.c__direction" if exporter.direction_source else None
    line = json_line_sql(exporter.columns, mask=job.mask_external_digits, direction=direction)
    # One JSON object per line. CSV mode with a quote and delimiter that JSON text can never
    # contain unescaped copies each line verbatim (text mode would double every backslash).
    return (
        f"COPY (SELECT {line} FROM ({inner}) AS r) TO STDOUT "  # noqa: S608
        f"(FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02', ENCODING 'UTF8')"
    )


class PostgresSource:
    """Reads through its own connection, in one REPEATABLE READ READ ONLY transaction.

    The separate connection leaves Django's default one free to renew the lease and write
    progress while the COPY runs. The transaction's snapshot is exported: the subject list is
    aggregated on a second connection that imports it (``start_subjects``), concurrently with
    the files and over exactly their rows.
    """

    def __init__(self, job: ExportJob):
        self.job = job
        self.wrapper: BaseDatabaseWrapper | None = None  # its own connection, while entered
        self.snapshot = ""

    def __enter__(self) -> PostgresSource:
        wrapper = self.wrapper = connections.create_connection("default")
        wrapper.ensure_connection()
        self.raw = wrapper.connection
        self.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # Also the transaction's first statement: it fixes the snapshot every file is read from.
        self.snapshot = self.raw.execute("SELECT pg_export_snapshot()").fetchone()[0]
        # Floats print as their shortest exact text (the default; ``columns._sql_float``).
        self.raw.execute("SET LOCAL extra_float_digits = 1")
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

    def estimate(self, exporter: Exporter) -> int:
        """The planner's guess at the rows, for the progress bar only: no pass over the rows
        (the manifest's counts are the rows COPY wrote, ``stream``'s result)."""
        inner, params = self._inner(exporter)
        with self.raw.cursor() as cur:
            cur.execute(f"EXPLAIN (FORMAT JSON) {inner}", params)
            plan = cur.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def sql(self, exporter: Exporter) -> tuple[str, tuple]:
        inner, params = self._inner(exporter)
        return copy_sql(exporter, self.job, inner), params

    def write_subjects(self, exporters: list[Exporter], sink: Sink) -> None:
        """The people in the files' rows, on this connection (``subjects.py``)."""
        _copy_subjects(self.raw, _subjects_copy(self.wrapper, self.job, exporters), sink)

    def start_subjects(self, exporters: list[Exporter], path: Path) -> BackgroundSubjects:
        """Write the people in the files' rows to ``path`` on a second connection that imports
        this transaction's snapshot, while the caller streams the files on this one.

        The aggregation is a separate scan (~10 % of the COPY's work): done concurrently, it
        costs no time on a machine with a core to spare, and the shared snapshot makes its rows
        exactly the files' rows even while new call records arrive.
        """
        copy_sql = _subjects_copy(self.wrapper, self.job, exporters)
        return BackgroundSubjects(self.job, copy_sql, path, self.snapshot)

    def stream(self, exporter: Exporter, sink: Sink, progress: Progress) -> int:
        """Write the dataset's file to ``sink``; return its rows, as PostgreSQL counted them."""
        sql, params = self.sql(exporter)
        buf = bytearray()
        # COPY TO hands over one row per message; the CSV header is one too, not a row.
        rows = -1 if self.job.format == ExportFormat.CSV else 0
        with self.raw.cursor() as cur:
            with cur.copy(sql, params) as copy:
                for data in copy:
                    buf += data
                    rows += 1
                    if len(buf) >= FLUSH_BYTES:
                        sink.write(bytes(buf))
                        progress(rows)
                        rows = 0
                        buf.clear()
            # The command tag's count ("COPY n"): the rows written, without the header.
            written = cur.rowcount
        if buf:
            sink.write(bytes(buf))
        progress(rows)
        if written < 0:  # pragma: no cover - psycopg always reports it after COPY
            raise RuntimeError("COPY did not report its row count")
        return written


def _subjects_copy(
    wrapper: BaseDatabaseWrapper | None, job: ExportJob, exporters: list[Exporter]
) -> tuple[str, list] | None:
    """The COPY of the job's subject rows (``subjects.py``), compiled for ``wrapper``; None when
    no dataset names people or none is in scope.

    Built by the caller's thread: the share windows are read on its default connection, like
    the files' own queries.
    """
    parts = []
    for exporter in exporters:
        if exporter.subject_columns:
            queryset = subject_source(exporter, job)
            if queryset.query.is_empty():
                continue
            inner, params = queryset.query.get_compiler(connection=wrapper).as_sql()
            parts.append((subjects_select(exporter, job, inner), params))
    if not parts:
        return None
    return copy_subjects_sql(job, parts)


def _copy_subjects(raw, copy_sql: tuple[str, list] | None, sink: Sink) -> None:
    """Run the subjects' COPY on the psycopg connection ``raw`` into ``sink``."""
    if copy_sql is None:
        return
    sql, params = copy_sql
    with raw.cursor() as cur, cur.copy(sql, params) as copy:
        for data in copy:
            sink.write(bytes(data))


class BackgroundSubjects:
    """The subject aggregation on its own thread and connection, in the exported snapshot."""

    def __init__(
        self, job: ExportJob, copy_sql: tuple[str, list] | None, path: Path, snapshot: str
    ):
        self.copy_sql, self.path, self.snapshot = copy_sql, path, snapshot
        self.error: BaseException | None = None
        self.raw = None  # its psycopg connection, while the query runs (to cancel it)
        self.thread = threading.Thread(target=self._run, name=f"subjects-{job.pk}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from psycopg import sql

        if self.copy_sql is None:  # nobody to list: no second connection either
            self.path.write_bytes(b"")
            return
        wrapper = connections.create_connection("default")
        try:
            wrapper.ensure_connection()
            raw = wrapper.connection
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            # Before any query: this transaction then sees exactly what the files' one sees.
            raw.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(self.snapshot)))
            self.raw = raw
            with open(self.path, "wb") as fh:
                _copy_subjects(raw, self.copy_sql, fh)
            raw.execute("ROLLBACK")
        except BaseException as exc:  # noqa: BLE001 (handed to the caller by wait())
            self.error = exc
        finally:
            self.raw = None
            wrapper.close()

    def wait(self) -> None:
        """Until the list is written; raise what stopped it, if anything did."""
        self.thread.join()
        if self.error is not None:
            raise self.error

    def cancel(self) -> None:
        """Stop the query (the files failed) and wait for the thread; errors are dropped."""
        raw = self.raw
        if raw is not None:
            with contextlib.suppress(Exception):  # it may just have finished
                raw.cancel()
        self.thread.join()


class PortableSource:
    """The same bytes through the ORM, for SQLite (the ``make run`` default)."""

    def __init__(self, job: ExportJob):
        self.job = job

    def __enter__(self) -> PortableSource:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def estimate(self, exporter: Exporter) -> int:
        return exporter.queryset(self.job).count()

    def write_subjects(self, exporters: list[Exporter], sink: Sink) -> None:
        sink.write("".join(portable_lines(self.job, exporters)).encode())

    def start_subjects(self, exporters: list[Exporter], path: Path) -> PortableSubjects:
        """SQLite: one connection, so the list is written after the files (``wait``)."""
        return PortableSubjects(self, exporters, path)

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

    def stream(self, exporter: Exporter, sink: Sink, progress: Progress) -> int:
        csv = self.job.format == ExportFormat.CSV
        if csv:
            sink.write((",".join(exporter.header) + "\n").encode())
        rows = 0
        for page in keyset_pages(exporter.ordered(self.job), exporter):
            sink.write("".join(self._line(exporter, row, csv) for row in page).encode())
            progress(len(page))
            rows += len(page)
        return rows


class PortableSubjects:
    """The portable path's subject list, written when the caller waits for it."""

    def __init__(self, source: PortableSource, exporters: list[Exporter], path: Path):
        self.source, self.exporters, self.path = source, exporters, path

    def wait(self) -> None:
        with open(self.path, "wb") as fh:
            self.source.write_subjects(self.exporters, fh)

    def cancel(self) -> None:
        return None


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
