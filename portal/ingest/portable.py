"""The portable engine: the row-by-row check, then the ORM in chunks (SQLite, or any fallback).

It writes chunk by chunk inside the caller's transaction and stops writing at the first reject;
the caller rolls the transaction back when anything was refused (all-or-nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from portal.ingest.readers import CsvReader, NdjsonReader
from portal.ingest.report import RejectCollector
from portal.ingest.specs import KindSpec
from portal.ingest.validate import Row, Validator, chunked
from portal.models import PhoneNumber, PhoneNumberPeriod

CHUNK_ROWS = 2000


@dataclass
class TenantCounts:
    """One tenant's share of a file: its rows, and numbers the file ported away from it."""

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    moved_away: int = 0

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


@dataclass
class Counts:
    rows_total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    tenants: dict[int, TenantCounts] = field(default_factory=dict)

    def tenant(self, tenant_id: int) -> TenantCounts:
        return self.tenants.setdefault(tenant_id, TenantCounts())


def run_portable(
    spec: KindSpec,
    reader: CsvReader | NdjsonReader,
    rejects: RejectCollector,
    now: datetime,
    *,
    write: bool = True,
) -> Counts:
    """Check every row; write chunk by chunk (``write``) until the first reject."""
    validator = Validator(spec, rejects, is_json=reader.columns is None)
    counts = Counts()
    for records in chunked(reader, CHUNK_ROWS):
        rows = validator.chunk(records)
        if write and not rejects:  # after a reject keep checking, but stop writing
            write_rows(spec, rows, now, counts)
    counts.rows_total = validator.rows_total
    return counts


def _data_attnames(spec: KindSpec) -> list[str]:
    return [f.attname for f in spec.fields]


def write_rows(spec: KindSpec, rows: list[Row], now: datetime, counts: Counts) -> None:
    """Insert new rows, update changed ones, leave equal ones alone (not even updated_at)."""
    if not rows:
        return
    model = spec.model
    key = spec.key
    lookup = "pk" if key == model._meta.pk.name else key
    existing = model.objects.in_bulk([r.values[key] for r in rows], field_name=lookup)
    keep_when_empty = {f.attname for f in spec.fields if f.keep_when_empty}
    attnames = _data_attnames(spec)
    created, changed = [], []
    history: list[tuple[str, int, str]] = []  # (telephone_number, operator_id, upn)
    for row in rows:
        values = dict(row.values)
        obj = existing.get(values[key])
        mine = counts.tenant(values["tenant_id"])
        mine.rows += 1
        if obj is None:
            mine.inserted += 1
            for name in keep_when_empty:
                if values[name] is None:
                    values[name] = now
            if spec.touches_updated_at:
                values["updated_at"] = now
            created.append(model(**values))
            if spec.number_history:
                history.append((values[key], values["operator_id"], values["assigned_upn"]))
            continue
        diff = [
            name
            for name in attnames
            if not (name in keep_when_empty and values[name] is None)
            and getattr(obj, name) != values[name]
        ]
        if not diff:
            counts.unchanged += 1
            continue
        mine.updated += 1
        if obj.tenant_id != values["tenant_id"]:  # a number ported to another tenant
            counts.tenant(obj.tenant_id).moved_away += 1
        if spec.number_history and (
            obj.operator_id != values["operator_id"] or obj.assigned_upn != values["assigned_upn"]
        ):
            history.append((values[key], values["operator_id"], values["assigned_upn"]))
        for name in diff:
            setattr(obj, name, values[name])
        if spec.touches_updated_at:
            obj.updated_at = now
        changed.append(obj)
    model.objects.bulk_create(created, batch_size=500)
    # Not the key: rows were matched by it (and a primary key cannot be bulk-updated).
    fields = [a for a in attnames if a != key] + (["updated_at"] if spec.touches_updated_at else [])
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=500)
    counts.inserted += len(created)
    counts.updated += len(changed)
    if history:
        record_number_history(history, now)


def record_number_history(changes: list[tuple[str, int, str]], now: datetime) -> None:
    """Close each changed number's open period and open a new one (operator, user) from now."""
    ids = dict(
        PhoneNumber.objects.filter(telephone_number__in=[c[0] for c in changes]).values_list(
            "telephone_number", "pk"
        )
    )
    PhoneNumberPeriod.objects.filter(number_id__in=ids.values(), ended_at__isnull=True).update(
        ended_at=now
    )
    PhoneNumberPeriod.objects.bulk_create(
        [
            PhoneNumberPeriod(
                number_id=ids[number], operator_id=operator_id, assigned_upn=upn, started_at=now
            )
            for number, operator_id, upn in changes
        ],
        batch_size=500,
    )
