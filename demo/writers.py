"""Writing many call records fast: COPY on PostgreSQL, batched bulk_create elsewhere.

Both paths skip rows that already exist (same tenant, call id and leg, or same id), so a re-run
adds only what is missing.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from datetime import UTC, datetime
from itertools import islice

from django.db import connection, transaction

from demo.calls import COLUMNS, DAY, Line, chunk_sizes, generate_calls, generate_chunk
from portal import partitions
from portal.ingest import rebuild
from portal.models import CallRecord

SQLITE_BATCH = 2000
# Below this many new rows, maintaining the indexes row by row is cheaper than rebuilding them.
BULK_LOAD_MIN_ROWS = 100_000


def write_calls(lines: list[Line], calls: int, *, fresh: bool) -> None:
    """Store the first ``calls`` rows of the demo's call sequence.

    ``fresh``: the demo has no call records yet, so no row can collide with an existing one.
    """
    if connection.vendor == "postgresql":
        _copy(lines, calls, fresh=fresh)
    else:
        _bulk_create(generate_calls(lines, calls))


@transaction.atomic
def _copy(lines: list[Line], calls: int, *, fresh: bool) -> None:
    table = CallRecord._meta.db_table
    columns = ", ".join(COLUMNS)
    _ensure_partitions(lines)
    with connection.cursor() as cursor:
        pg = cursor.cursor  # the psycopg cursor under Django's wrapper
        if not fresh:
            # COPY cannot skip conflicts: load a private staging table, then insert what's new.
            pg.execute(
                f"CREATE TEMP TABLE demo_call_staging (LIKE {table} INCLUDING DEFAULTS) "
                "ON COMMIT DROP"
            )
            _copy_into(pg, "demo_call_staging", columns, lines, calls)
            pg.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
                "FROM demo_call_staging ON CONFLICT DO NOTHING"
            )
            return
        # A first load of many rows: build the indexes once at the end instead of row by row.
        bulk = calls >= BULK_LOAD_MIN_ROWS and _rows_at_most(pg, table, calls)
        with rebuild.rebuilt_after(cursor, table) if bulk else nullcontext():
            _copy_into(pg, table, columns, lines, calls)


def _ensure_partitions(lines: list[Line]) -> None:
    """The monthly partitions of every day a line's calls may fall on (a leg's invite comes at
    most a day after its line's span: calls.Generator._time, the second leg's minute)."""
    if not lines:
        return
    first = min(line.start for line in lines) - 3 * DAY
    last = max(line.end for line in lines) + 3 * DAY
    months = []
    moment = datetime.fromtimestamp(first, UTC)
    while moment.timestamp() <= last:
        months.append(moment)
        moment = partitions.next_month(partitions.month_start(moment))
    months.append(datetime.fromtimestamp(last, UTC))
    partitions.ensure_months(months)


def _copy_into(pg, table: str, columns: str, lines: list[Line], calls: int) -> None:
    with pg.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for block in _text_blocks(lines, calls):
            copy.write(block)


# --- COPY text, made by several processes ---------------------------------------------------------

_NULL = "\\N"
_LINES: list[Line] = []  # set before forking; the workers inherit it


_FREE_TEXT = [
    COLUMNS.index(c) for c in ("user_upn", "user_display_name", "emergency_location_snapshot")
]


def _escape(text: str) -> str:
    """COPY text format: backslash, tab and line breaks are escaped."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t")
        text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text


def _chunk_text(job: tuple[int, int]) -> bytes:
    """One chunk of rows in COPY's text format (runs in a worker process).

    Only the free-text columns can hold a tab or a backslash; every other value is generated
    (numbers, codes, UUIDs, times), so it is written as ``str(value)`` without escaping.
    """
    index, rows = job
    out = []
    append, null = out.append, _NULL
    for row in generate_chunk(_LINES, index, rows):
        values = [null if v is None else str(v) for v in row]
        for i in _FREE_TEXT:
            if row[i] is not None:
                values[i] = _escape(values[i])
        append("\t".join(values))
    out.append("")
    return "\n".join(out).encode()


def _text_blocks(lines: list[Line], calls: int) -> Iterator[bytes]:
    """COPY text for the rows, chunk by chunk, in order.

    Making rows is most of the cost (Python), so big runs spread the chunks over one process per
    CPU while this one streams finished chunks to PostgreSQL. Forked workers never touch the
    database connection they inherit (they exit with ``os._exit``).
    """
    global _LINES
    jobs = list(enumerate(chunk_sizes(calls)))
    if len(jobs) < 4:
        _LINES = lines
        yield from map(_chunk_text, jobs)
        return
    _LINES = lines
    workers = max(1, min(os.cpu_count() or 1, 4))
    todo = iter(jobs)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        # A bounded window of chunks in flight: memory stays flat if PostgreSQL is slower.
        pending = deque(pool.apply_async(_chunk_text, (job,)) for job in islice(todo, 2 * workers))
        while pending:
            block = pending.popleft().get()
            job = next(todo, None)
            if job is not None:
                pending.append(pool.apply_async(_chunk_text, (job,)))
            yield block


def _rows_at_most(pg, table: str, limit: int) -> bool:
    pg.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", [limit + 1])  # noqa: S608
    return pg.fetchone()[0] <= limit


def _bulk_create(rows: Iterable[tuple]) -> None:
    snapshot = COLUMNS.index("emergency_location_snapshot")
    it = iter(rows)
    while batch := list(islice(it, SQLITE_BATCH)):
        records = []
        for row in batch:
            values = dict(zip(COLUMNS, row, strict=True))
            if row[snapshot] is not None:
                values["emergency_location_snapshot"] = json.loads(row[snapshot])
            records.append(CallRecord(**values))
        with transaction.atomic():
            CallRecord.objects.bulk_create(records, ignore_conflicts=True)
