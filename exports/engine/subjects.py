"""Which people each export file held, for the data-subject access report (docs/privacy.md).

While the worker still holds the snapshot it streamed the file from, it aggregates the same rows
into one line per person — kind, keyed hash, rows per dataset — and writes them to a local file
in PostgreSQL ``COPY`` text format. The runner loads that file into ``ExportSubject`` inside the
transaction that publishes the export (``exports/runner.py``): the file and its list of people
become visible together, or neither does, and a retried or taken-over attempt leaves no rows.

Recorded are the tenant's users — the people whose requests the tenant answers: the UPN of each
call leg and the user's own number on it (the caller of an outbound leg, the callee of an
inbound one), and each number with its assigned UPN. The external party of a call is not
indexed: it would make the index about as large as the call records themselves (one new
number per call for a contact centre), and the tenant does not know those people. Own-side
numbers are never masked; a masked value would not be recorded (the operator never had it).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import F

from exports.engine.base import Exporter
from exports.models import ExportSubject
from privacy.subjects import UPN, sql_hmac, sql_hmac_params, subject_hash

if TYPE_CHECKING:
    from exports.models import ExportJob

DATASET_COLUMNS = {"call_records": "call_records", "numbers": "numbers"}
COLUMNS = "export_id, tenant_id, kind, value_hash, call_records, numbers"


def subject_source(exporter: Exporter, job: ExportJob):
    """The same scoped rows as the file, unordered, with only the columns that name users."""
    fields = {}
    for _, name, _ in exporter.subject_columns:
        column = next(c for c in exporter.columns if c.name == name)
        fields[column.alias] = F(column.source)
    if exporter.direction_source:
        fields["c__direction"] = F(exporter.direction_source)
    return exporter.queryset(job).order_by().values(**fields)


def _value_sql(exporter: Exporter, kind: str, name: str, own: str | None, mask: bool) -> str:
    column = next(c for c in exporter.columns if c.name == name)
    value = f"NULLIF(r.{column.alias}, '')"
    if kind == UPN:
        value = f"lower({value})"
    if own is not None:
        value = f"CASE WHEN r.c__direction = '{own}' THEN {value} END"
    if mask and column.masked_when and exporter.direction_source:
        value = f"CASE WHEN r.c__direction = '{column.masked_when}' THEN NULL ELSE {value} END"
    return value


def subjects_select(exporter: Exporter, job: ExportJob, inner: str) -> str:
    """One row per (file row, person in it): kind, value and 1 in the dataset's count column."""
    values = ", ".join(
        f"('{kind}', {_value_sql(exporter, kind, name, own, job.mask_external_digits)})"
        for kind, name, own in exporter.subject_columns
    )
    counts = ", ".join(
        f"{1 if column == DATASET_COLUMNS[exporter.dataset] else 0} AS {column}"
        for column in DATASET_COLUMNS.values()
    )
    # No DISTINCT needed: a row names at most one user per kind (the own side is either the
    # caller or the callee, by direction), so each (row, person) pair appears once.
    return (
        f"SELECT k.kind, k.v, {counts} FROM ({inner}) AS r "  # noqa: S608 (our own SQL)
        f"CROSS JOIN LATERAL (VALUES {values}) AS k(kind, v) WHERE k.v IS NOT NULL"
    )


def copy_subjects_sql(job: ExportJob, parts: list[tuple[str, tuple]]) -> tuple[str, list]:
    """``COPY (…) TO STDOUT`` of the job's subject rows, in ``COLUMNS`` order."""
    union = " UNION ALL ".join(sql for sql, _ in parts)
    sums = ", ".join(f"sum(s.{c})" for c in DATASET_COLUMNS.values())
    digest = sql_hmac("s.kind || ':' || s.v")
    select = (
        f"SELECT %s::uuid, %s::bigint, s.kind, {digest}, {sums} "  # noqa: S608
        f"FROM ({union}) AS s GROUP BY s.kind, s.v"  # noqa: S608
    )
    params: list = [str(job.id), job.tenant_id, *sql_hmac_params()]
    for _, p in parts:
        params.extend(p)
    return f"COPY ({select}) TO STDOUT", params


def portable_lines(job: ExportJob, exporters: list[Exporter]) -> list[str]:
    """The same lines through the ORM (SQLite)."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(DATASET_COLUMNS.values(), 0)
    )
    for exporter in exporters:
        if not exporter.subject_columns:
            continue
        sources = {c.name: c for c in exporter.columns}
        fields = [sources[name].source for _, name, _ in exporter.subject_columns]
        if exporter.direction_source:
            fields.append(exporter.direction_source)
        for row in exporter.queryset(job).values_list(*fields).iterator(chunk_size=2000):
            direction = row[-1] if exporter.direction_source else None
            seen = set()
            for (kind, name, own), value in zip(exporter.subject_columns, row, strict=False):
                column = sources[name]
                if not value or (own is not None and own != direction):
                    continue
                if (
                    job.mask_external_digits
                    and column.masked_when
                    and column.masked_when == direction
                ):
                    continue
                seen.add((kind, value.lower() if kind == UPN else value))
            for key in seen:
                counts[key][DATASET_COLUMNS[exporter.dataset]] += 1
    return [
        "\t".join(
            [str(job.id), str(job.tenant_id), kind, subject_hash(kind, value)]
            + [str(c[col]) for col in DATASET_COLUMNS.values()]
        )
        + "\n"
        for (kind, value), c in counts.items()
    ]


def load_subjects(path: Path) -> int:
    """Insert the lines of ``path`` into ``ExportSubject`` on the default connection, in the
    caller's transaction. Returns how many."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur, open(path, "rb") as fh:
            with cur.cursor.copy(f"COPY exports_exportsubject ({COLUMNS}) FROM STDIN") as copy:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            return cur.cursor.rowcount
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            export_id, tenant_id, kind, value_hash, call_records, numbers = line.rstrip("\n").split(
                "\t"
            )
            rows.append(
                ExportSubject(
                    export_id=export_id,
                    tenant_id=int(tenant_id),
                    kind=kind,
                    value_hash=value_hash,
                    call_records=int(call_records),
                    numbers=int(numbers),
                )
            )
    ExportSubject.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
