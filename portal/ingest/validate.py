"""The row-by-row check: the specification of what an ingest accepts.

The portable engine writes what this accepts; the PostgreSQL engine falls back to it whenever its
bulk path refuses a file, so both report exactly the same rejects.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from portal.choices import AssignmentStatus, ValidationStatus
from portal.ingest.fields import UUID_RE, Invalid
from portal.ingest.readers import RowProblem
from portal.ingest.report import RejectCollector
from portal.ingest.specs import KindSpec
from portal.models import CallRecord, EmergencyLocation, Operator, OperatorAssignment, Tenant

HEADER_LINE = 1
RULE_ORDER = 100
DUPLICATE_ORDER = 200


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def column_label(name: object) -> str:
    """An unknown column's name, echoed only when it looks like a column name (not data)."""
    text = str(name)
    return text if _IDENTIFIER.fullmatch(text) else "?"


@dataclass
class Row:
    line: int
    values: dict[str, Any]  # model attname → value, ready to write


def header_rejects(spec: KindSpec, columns: list[str], rejects: RejectCollector) -> None:
    """Unknown, repeated or missing columns: the file is refused before any row is read."""
    seen: set[str] = set()
    for index, name in enumerate(columns):
        if name not in spec.by_name:
            rejects.add(HEADER_LINE, index, column_label(name), "unknown column")
        elif name in seen:
            rejects.add(HEADER_LINE, index, name, "repeated column")
        seen.add(name)
    for index, f in enumerate(spec.fields):
        if f.required and f.name not in seen:
            rejects.add(HEADER_LINE, len(columns) + index, f.name, "required column is missing")


class Resolver:
    """Finds tenants (slug or Microsoft tenant id), operators (slug) and emergency locations."""

    def __init__(self) -> None:
        self.tenant_by_slug: dict[str, int] = {}
        self.tenant_by_uuid: dict[str, int] = {}
        for pk, slug, ms_id in Tenant.objects.values_list("pk", "slug", "microsoft_tenant_id"):
            self.tenant_by_slug[slug] = pk
            self.tenant_by_uuid[str(ms_id)] = pk
        self.operator_by_slug = dict(Operator.objects.values_list("slug", "pk"))
        self.locations: dict[uuid.UUID, EmergencyLocation | None] = {}
        self._assignments: dict[tuple[int, int], str] | None = None

    def assignment_status(self, tenant_id: int, operator_id: int) -> str | None:
        """The status of the tenant's assignment of the operator; None if it never chose it."""
        if self._assignments is None:
            self._assignments = {
                (t, o): status
                for t, o, status in OperatorAssignment.objects.values_list(
                    "tenant_id", "operator_id", "status"
                )
            }
        return self._assignments.get((tenant_id, operator_id))

    def tenant(self, text: str) -> int | None:
        found = self.tenant_by_slug.get(text)
        if found is None and UUID_RE.fullmatch(text):
            found = self.tenant_by_uuid.get(text.lower())
        return found

    def operator(self, text: str) -> int | None:
        return self.operator_by_slug.get(text)

    def load_locations(self, ids: Iterable[uuid.UUID]) -> None:
        missing = {i for i in ids if i not in self.locations}
        if not missing:
            return
        for location in EmergencyLocation.objects.filter(location_id__in=missing):
            self.locations[location.location_id] = location
        for i in missing:
            self.locations.setdefault(i, None)

    def location(self, location_id: uuid.UUID, tenant_id: int) -> EmergencyLocation | None:
        location = self.locations.get(location_id)
        # Another tenant's location answers like a missing one (tenant isolation).
        return location if location is not None and location.tenant_id == tenant_id else None


class Validator:
    """Checks rows chunk by chunk, remembering keys across chunks to find duplicates."""

    def __init__(self, spec: KindSpec, rejects: RejectCollector, *, is_json: bool):
        self.spec = spec
        self.rejects = rejects
        self.is_json = is_json
        self.resolver = Resolver()
        self.rows_total = 0
        self._first_by_key: dict[Any, int] = {}
        self._first_by_leg: dict[tuple, int] = {}
        self._order = {f.name: i + 1 for i, f in enumerate(spec.fields)}

    def chunk(self, records: list[tuple[int, dict | RowProblem]]) -> list[Row]:
        """Return the valid rows of ``records``; every problem goes to ``rejects``."""
        spec = self.spec
        parsed: list[tuple[int, dict[str, Any], set[str]]] = []
        for line, raw in records:
            self.rows_total += 1
            if isinstance(raw, RowProblem):
                self.rejects.add(line, 0, "", raw.reason)
                continue
            parsed.append((line, *self._fields(line, raw)))

        location_field = spec.by_name.get("emergency_location_id")
        if location_field is not None:
            self.resolver.load_locations(
                v["emergency_location_id"]
                for _, v, bad in parsed
                if "emergency_location_id" not in bad and v["emergency_location_id"] is not None
            )

        rows: list[Row] = []
        for line, values, bad in parsed:
            before = self.rejects.total
            attrs = self._references(line, values, bad)
            self._rules(line, values, bad)
            self._duplicates(line, values, bad, attrs)
            if not bad and self.rejects.total == before:
                rows.append(Row(line, attrs))
        if spec.tenant_fixed and rows:
            rows = self._tenant_conflicts(rows)
        if spec.validated_fields and rows:
            rows = self._validated_changes(rows)
        if spec.leg_unique and rows:
            rows = self._leg_conflicts(rows)
        return rows

    def _tenant_conflicts(self, rows: list[Row]) -> list[Row]:
        """A key already stored for another tenant: refused, never moved across tenants."""
        spec = self.spec
        model = spec.model
        lookup = "pk" if spec.key == model._meta.pk.name else spec.key
        stored = dict(
            model.objects.filter(
                **{f"{lookup}__in": [r.values[spec.key] for r in rows]}
            ).values_list(spec.key, "tenant_id")
        )
        keep = []
        for row in rows:
            tenant_id = stored.get(row.values[spec.key])
            if tenant_id is not None and tenant_id != row.values["tenant_id"]:
                self.rejects.add(
                    row.line, DUPLICATE_ORDER + 3, spec.key, "already stored for another tenant"
                )
            else:
                keep.append(row)
        return keep

    def _validated_changes(self, rows: list[Row]) -> list[Row]:
        """A stored Validated location keeps its address unless the row is Validated too.

        Microsoft validates an address once; dispatch relies on it. A file that would change it
        without saying the new address is Validated is a mistake, not news (docs/ingest.md).
        """
        spec = self.spec
        names = spec.validated_fields
        stored = {
            found[spec.key]: found
            for found in spec.model.objects.filter(
                **{f"{spec.key}__in": [r.values[spec.key] for r in rows]},
                validation_status=ValidationStatus.VALIDATED,
            ).values(spec.key, *names)
        }
        keep = []
        for row in rows:
            old = stored.get(row.values[spec.key])
            changed = []
            if old is not None and row.values["validation_status"] != ValidationStatus.VALIDATED:
                changed = [name for name in names if old[name] != row.values[name]]
            for name in changed:
                self.rejects.add(row.line, self._order[name], name, VALIDATED_REASON)
            if not changed:
                keep.append(row)
        return keep

    def _fields(self, line: int, raw: dict) -> tuple[dict[str, Any], set[str]]:
        values: dict[str, Any] = {}
        bad: set[str] = set()
        if self.is_json:
            for name in raw:
                if name not in self.spec.by_name:
                    self.rejects.add(line, -1, column_label(name), "unknown field")
                    bad.add("")
        for f in self.spec.fields:
            try:
                text = f.from_json(raw.get(f.name)) if self.is_json else raw.get(f.name)
                values[f.name] = f.clean(text)
            except Invalid as refused:
                self.rejects.add(line, self._order[f.name], f.name, refused.reason)
                bad.add(f.name)
        return values, bad

    def _references(self, line: int, values: dict, bad: set[str]) -> dict[str, Any]:
        spec, resolver = self.spec, self.resolver
        attrs = {f.attname: values.get(f.name) for f in spec.fields}
        tenant_id = None
        if "tenant" not in bad:
            tenant_id = resolver.tenant(values["tenant"])
            if tenant_id is None:
                self.rejects.add(line, self._order["tenant"], "tenant", "unknown tenant")
            attrs["tenant_id"] = tenant_id
        if spec.has_operator and "operator" not in bad:
            operator_id = resolver.operator(values["operator"])
            if operator_id is None:
                self.rejects.add(line, self._order["operator"], "operator", "unknown operator")
            elif spec.needs_assignment and tenant_id is not None:
                released = "released_at" not in bad and values.get("released_at") is not None
                reason = unassigned_reason(
                    resolver.assignment_status(tenant_id, operator_id),
                    released=released,
                    tenant=values["tenant"],
                    operator=values["operator"],
                )
                if reason:
                    self.rejects.add(line, self._order["operator"], "operator", reason)
            attrs["operator_id"] = operator_id
        if spec.location and "emergency_location_id" not in bad:
            location_id = values["emergency_location_id"]
            location = None
            if location_id is not None and tenant_id is not None:
                location = resolver.location(location_id, tenant_id)
                if location is None:
                    self.rejects.add(
                        line,
                        self._order["emergency_location_id"],
                        "emergency_location_id",
                        "unknown emergency location for this tenant",
                    )
            if spec.location == "fk":
                attrs["emergency_location_id"] = location.pk if location else None
            else:
                attrs["emergency_location_snapshot"] = location.snapshot() if location else None
        return attrs

    def _rules(self, line: int, values: dict, bad: set[str]) -> None:
        for index, rule in enumerate(self.spec.rules):
            if not bad.intersection(rule.involves) and rule.check(values):
                self.rejects.add(line, RULE_ORDER + index, rule.field, rule.reason)

    def _duplicates(self, line: int, values: dict, bad: set[str], attrs: dict) -> None:
        key = self.spec.key
        if key not in bad:
            first = self._first_by_key.setdefault(values[key], line)
            if first != line:
                self.rejects.add(line, DUPLICATE_ORDER, key, f"duplicate of line {first}")
                return  # the same record again: its call leg is no news
        if self.spec.leg_unique and not bad.intersection({"call_id", "leg"}):
            tenant_id = attrs.get("tenant_id")
            if tenant_id is not None:
                leg_key = (tenant_id, values["call_id"], values["leg"])
                first = self._first_by_leg.setdefault(leg_key, line)
                if first != line:
                    self.rejects.add(
                        line,
                        DUPLICATE_ORDER + 1,
                        "call_id",
                        f"same tenant, call_id and leg as line {first}",
                    )

    def _leg_conflicts(self, rows: list[Row]) -> list[Row]:
        """A stored call record of another id holding the same (tenant, call_id, leg)."""
        wanted = {(r.values["tenant_id"], r.values["call_id"], r.values["leg"]): r for r in rows}
        taken: dict[tuple, uuid.UUID] = {}
        tenants = {k[0] for k in wanted}
        call_ids = {k[1] for k in wanted}
        stored = CallRecord.objects.filter(tenant_id__in=tenants, call_id__in=call_ids)
        for tenant_id, call_id, leg, pk in stored.values_list("tenant_id", "call_id", "leg", "id"):
            taken[(tenant_id, call_id, leg)] = pk
        keep = []
        for leg_key, row in wanted.items():
            pk = taken.get(leg_key)
            if pk is not None and pk != row.values["id"]:
                self.rejects.add(
                    row.line,
                    DUPLICATE_ORDER + 2,
                    "call_id",
                    "another call record already has this tenant, call_id and leg",
                )
            else:
                keep.append(row)
        return keep


VALIDATED_REASON = (
    "the stored address is Validated: it changes only with a row whose validation_status is "
    "Validated (re-validated by Microsoft)"
)


def unassigned_reason(status: str | None, *, released: bool, tenant: str, operator: str) -> str:
    """Why a number may not name this operator ("" when it may), given the tenant's assignment.

    Active or suspended: the operator carries the tenant's numbers (a suspension pauses sharing,
    not the service). Removed: only a released number, history of when it was carried, may
    still name it. Never chosen: never. Slugs only: they are configuration, not personal data.
    """
    if status is None:
        return f"tenant {tenant} has no assignment with operator {operator}"
    if status == AssignmentStatus.REMOVED and not released:
        return (
            f"tenant {tenant} removed its assignment with operator {operator}: "
            "only a released number (released_at) may name it"
        )
    return ""


def chunked(records: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
