# ruff: noqa: S608 - SQL text is built from our own column specs; data only travels by COPY
# and bound parameters.
"""The PostgreSQL engine: COPY into a staging table, cast and check in bulk, then write.

Measured on this machine (2 shared cores): Python's csv module alone reads ~100k call records/s
and PostgreSQL regular expressions cost ~2 µs each, so neither a Python pass nor regex checks in
SQL can validate a million 45-column rows at 50k rows/s. So the bulk path is optimistic:

1. COPY the file's bytes (CSV) or the decoded objects (NDJSON) into an UNLOGGED table of text
   columns (not TEMP: parallel workers cannot read temporary tables).
2. Cast every column with native casts plus cheap guards (``fields.py``), in ONE
   ``CREATE TABLE … AS SELECT`` that PostgreSQL runs on every core, noting which keys are already
   stored. Then ``UPDATE`` the stored rows that differ (unchanged rows are not rewritten) and
   ``INSERT`` the new ones; foreign keys, CHECK constraints and unique indexes do the rest. A
   large batch of new call records is inserted with the table's indexes and foreign keys dropped
   and rebuilt (``rebuild.py``). Numbers, whose assignment history depends on the stored row, take
   one ``INSERT … ON CONFLICT … DO UPDATE … WHERE (row) IS DISTINCT FROM (new)`` instead.
3. Anything it will not decide — a failed cast, a guard, a constraint, a duplicate key, an
   unusual spelling — raises inside a savepoint: it is rolled back and the caller re-reads the
   file with the row-by-row check (``validate.py``), which names every reject precisely and is
   the specification both engines share.
"""

from __future__ import annotations

import csv
import logging
import time
import uuid
from datetime import datetime
from json import dumps
from typing import BinaryIO

from django.conf import settings
from django.db import connection

from portal import partitions
from portal.choices import AssignmentStatus, ValidationStatus
from portal.ingest import partitioned, rebuild
from portal.ingest.fields import Invalid, Uuid, bad, lit, q
from portal.ingest.portable import Counts
from portal.ingest.readers import BOM, NdjsonReader, RowProblem, checked_chunks
from portal.ingest.specs import KindSpec
from portal.models import EmergencyLocation, OperatorAssignment

logger = logging.getLogger("portal.ingest")

# SQLSTATE classes that mean "this data" rather than "this code": cardinality (21), data
# exception (22), integrity (23), and our own RAISE (P0).
DATA_SQLSTATE_CLASSES = ("21", "22", "23", "P0")

# Bytes that may stand next to a quote in RFC 4180 CSV (opening, closing or doubled quote).
_BEFORE_QUOTE = frozenset(b',\n"')
_AFTER_QUOTE = frozenset(b',\r\n"')


def has_stray_quote(probe: bytes) -> bool:
    """A quote inside an unquoted field (``a"b``): PostgreSQL and RFC 4180 readers disagree.

    Checks quotes with both neighbours inside ``probe`` (callers overlap chunks by two bytes).
    A loop over ``find`` — a look-around regex over half a gigabyte took 48 s.
    """
    last = len(probe) - 1
    at = probe.find(b'"', 1)
    while 0 < at < last:
        if probe[at - 1] not in _BEFORE_QUOTE and probe[at + 1] not in _AFTER_QUOTE:
            return True
        at = probe.find(b'"', at + 1)
    return False


# PARALLEL SAFE: raising an error is fine in a parallel worker (the leader re-raises it), and
# anything parallel-unsafe in the SELECT would keep the cast-and-check pass on one core.
BAD_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.ingest_bad(anyelement) RETURNS anyelement
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
BEGIN
  RAISE EXCEPTION 'ingest bulk path refused a value' USING ERRCODE = 'P0001';
END $$
"""


NOW = "__ingest_now__"  # stands for the ingest's timestamp in generated SQL
STORED = "ingest_stored"  # the typed table's flag: this key is already in the target table


class FastPathRefused(Exception):
    """The bulk path met something it does not decide; check the file row by row."""


def is_data_error(exc: BaseException) -> bool:
    for candidate in (exc, exc.__cause__):
        state = getattr(candidate, "sqlstate", None)
        if state and state[:2] in DATA_SQLSTATE_CLASSES:
            return True
    return False


class PostgresIngest:
    def __init__(self, spec: KindSpec, now: datetime, max_bytes: int):
        self.spec = spec
        self.now = now
        self.max_bytes = max_bytes
        suffix = uuid.uuid4().hex[:10]
        self.staging = f"ingest_raw_{suffix}"
        self.snapshots = f"ingest_snap_{suffix}"
        self.changes = f"ingest_changes_{suffix}"
        self.typed = f"ingest_typed_{suffix}"
        self.matches = f"ingest_matches_{suffix}"
        self.stored = f"ingest_stored_{suffix}"
        self.staged: list[str] = []

    # --- loading ----------------------------------------------------------------------------
    def run(self, stream: BinaryIO, fmt: str) -> Counts:
        with connection.cursor() as cur:
            cur.execute(BAD_FUNCTION)
            # JIT compiling ~45 column expressions costs seconds and saves nothing here.
            cur.execute("SET LOCAL jit = off")
            began = time.perf_counter()
            if fmt == "csv":
                rows_total = self._copy_csv(cur, stream)
            else:
                rows_total = self._copy_ndjson(cur, stream)
            copied = time.perf_counter()
            counts = self._upsert(cur)
            logger.info(
                "ingest %s bulk path: %d rows; COPY to staging %.1f s, upsert %.1f s",
                self.spec.name,
                rows_total,
                copied - began,
                time.perf_counter() - copied,
            )
            counts.rows_total = rows_total
            counts.unchanged = rows_total - counts.inserted - counts.updated
            for table in (
                self.staging,
                self.snapshots,
                self.changes,
                self.typed,
                self.matches,
                self.stored,
            ):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
        return counts

    def _create_staging(self, cur, columns: list[str]) -> None:
        self.staged = columns
        cols = ", ".join(f"{q(c)} text" for c in columns)
        # Created inside the ingest's transaction: a failure rolls the table back with it.
        cur.execute(f"CREATE UNLOGGED TABLE {self.staging} ({cols})")

    def _copy_csv(self, cur, stream: BinaryIO) -> int:
        chunks = checked_chunks(stream, self.max_bytes)
        buffer = b""
        for raw, _text in chunks:
            buffer += raw
            if b"\n" in buffer:
                break
        head, _, rest = buffer.partition(b"\n")
        try:
            columns = next(csv.reader([head.decode("utf-8").removeprefix(BOM)], strict=True))
        except (csv.Error, StopIteration, UnicodeDecodeError):
            raise FastPathRefused from None
        spec = self.spec
        if (
            len(set(columns)) != len(columns)
            or any(c not in spec.by_name for c in columns)
            or any(f.required and f.name not in columns for f in spec.fields)
        ):
            raise FastPathRefused
        self._create_staging(cur, columns)
        names = ", ".join(q(c) for c in columns)
        sql = f"COPY {self.staging} ({names}) FROM STDIN WITH (FORMAT csv)"
        tail = b"\n\n"  # the data starts a line
        with cur.copy(sql) as copy:
            tail = self._write_checked(copy, rest, tail)
            for raw, _text in chunks:
                tail = self._write_checked(copy, raw, tail)
        return cur.cursor.rowcount

    @staticmethod
    def _write_checked(copy, raw: bytes, tail: bytes) -> bytes:
        if not raw:
            return tail
        probe = tail + raw
        # "\." on a line ends COPY data early; stray quotes parse differently. Both are rare:
        # leave such files to the row-by-row reader.
        if b"\\." in probe or (b'"' in raw and has_stray_quote(probe)):
            raise FastPathRefused
        copy.write(raw)
        return probe[-2:]

    def _copy_ndjson(self, cur, stream: BinaryIO) -> int:
        spec = self.spec
        self._create_staging(cur, spec.columns)
        rows = 0
        sql = f"COPY {self.staging} ({', '.join(q(c) for c in spec.columns)}) FROM STDIN"
        known = spec.by_name.keys()
        names = spec.columns
        converters = [f.from_json for f in spec.fields]
        with cur.copy(sql) as copy:
            for _line, value in NdjsonReader(stream, self.max_bytes):
                if isinstance(value, RowProblem) or not value.keys() <= known:
                    raise FastPathRefused
                try:
                    # Most values are plain strings: they pass as they are, without a call per
                    # value (Field.from_json would return them unchanged). The rest convert.
                    copy.write_row(
                        [
                            v if v.__class__ is str and "\x00" not in v else convert(v)
                            for v, convert in zip(map(value.get, names), converters, strict=True)
                        ]
                    )
                except Invalid:
                    raise FastPathRefused from None
                rows += 1
        return rows

    def _run(self, cur, sql: str) -> None:
        """Execute generated SQL whose only parameter is the ingest's timestamp ``{NOW}``."""
        cur.execute(sql.replace("%", "%%").replace(NOW, "%(now)s"), {"now": self.now})

    # --- the one INSERT ---------------------------------------------------------------------
    def raw(self, name: str) -> str:
        return f"s.{q(name)}" if name in self.staged else "NULL::text"

    def _joins(self) -> str:
        spec = self.spec
        joins = [
            "LEFT JOIN portal_tenant t1 ON t1.slug = s.tenant",
            "LEFT JOIN portal_tenant t2 ON t2.microsoft_tenant_id::text = lower(s.tenant)",
        ]
        if spec.has_operator:
            joins.append(f"LEFT JOIN portal_operator o ON o.slug = {self.raw('operator')}")
        if spec.needs_assignment:
            joins.append(
                f"LEFT JOIN {OperatorAssignment._meta.db_table} oa "
                "ON oa.tenant_id = coalesce(t1.id, t2.id) AND oa.operator_id = o.id"
            )
        location = self.raw("emergency_location_id")
        if spec.location == "fk" and "emergency_location_id" in self.staged:
            joins.append(
                f"LEFT JOIN {EmergencyLocation._meta.db_table} el "
                f"ON el.location_id::text = lower({location}) AND el.tenant_id = coalesce(t1.id, t2.id)"
            )
        if spec.location == "snapshot" and "emergency_location_id" in self.staged:
            joins.append(
                f"LEFT JOIN {self.snapshots} sn "
                f"ON sn.location_id = lower({location}) AND sn.tenant_id = coalesce(t1.id, t2.id)"
            )
        if spec.number_history:
            joins.append(f"LEFT JOIN {spec.table} p0 ON p0.{spec.key} = s.{q(spec.key)}")
        return "\n".join(joins)

    def _value(self, field_name: str) -> str:
        spec, raw = self.spec, self.raw
        f = spec.by_name[field_name]
        if field_name == "tenant":
            return f"coalesce(t1.id, t2.id, {bad('integer')})"
        if field_name == "operator":
            if spec.needs_assignment:
                # validate.unassigned_reason: active or suspended; removed for released numbers
                current = ", ".join(
                    lit(s) for s in (AssignmentStatus.ACTIVE, AssignmentStatus.SUSPENDED)
                )
                allowed = (
                    f"oa.status IN ({current}) OR (oa.status = {lit(AssignmentStatus.REMOVED)} "
                    f"AND nullif({raw('released_at')}, '') IS NOT NULL)"
                )
                return f"coalesce(CASE WHEN {allowed} THEN o.id END, {bad('integer')})"
            return f"coalesce(o.id, {bad('integer')})"
        if field_name == "emergency_location_id" and spec.location:
            if "emergency_location_id" not in self.staged:
                return "NULL::integer" if spec.location == "fk" else "NULL::jsonb"
            found, kind = (
                ("el.id", "integer") if spec.location == "fk" else ("sn.snapshot", "jsonb")
            )
            return (
                f"(CASE WHEN nullif({raw(field_name)}, '') IS NULL THEN NULL::{kind} "
                f"ELSE coalesce({found}, {bad(kind)}) END)"
            )
        value = f.sql(raw(field_name))
        if f.keep_when_empty:
            value = f"coalesce({value}, p0.{f.attname}, {NOW})"
        return value

    def _guards(self) -> str:
        checks = [rule.sql(self.raw) for rule in self.spec.rules if rule.sql is not None]
        if not checks:
            return "true"
        return f"CASE WHEN {' OR '.join(checks)} THEN {bad('boolean')} ELSE true END"

    def _prepare_snapshots(self, cur) -> None:
        """Copy each referenced location's ``snapshot()`` (the model's own) into a TEMP table."""
        cur.execute(
            f"CREATE UNLOGGED TABLE {self.snapshots} "
            "(location_id text, tenant_id integer, snapshot jsonb)"
        )
        if "emergency_location_id" not in self.staged:
            return
        cur.execute(
            f"SELECT DISTINCT lower(emergency_location_id) FROM {self.staging} "
            "WHERE emergency_location_id <> ''"
        )
        wanted = set()
        for (text,) in cur.fetchall():
            try:
                wanted.add(uuid.UUID(text))
            except ValueError:
                continue  # the INSERT's guard refuses it
        # Read first: the connection is busy while a COPY is open.
        locations = list(EmergencyLocation.objects.filter(location_id__in=wanted))
        with cur.copy(f"COPY {self.snapshots} FROM STDIN") as copy:
            for location in locations:
                copy.write_row(
                    [str(location.location_id), location.tenant_id, dumps(location.snapshot())]
                )

    def _prepare_history(self, cur) -> None:
        """Numbers that are new or change operator or user: their periods turn over."""
        upn = self._value("assigned_upn")
        operator = self._value("operator")
        self._run(
            cur,
            f"CREATE TEMP TABLE {self.changes} ON COMMIT DROP AS "
            f"SELECT s.{q(self.spec.key)} AS number, {operator} AS operator_id, {upn} AS upn "
            f"FROM {self.staging} s {self._joins()} "
            f"WHERE p0.id IS NULL OR p0.operator_id IS DISTINCT FROM {operator} "
            f"OR p0.assigned_upn IS DISTINCT FROM {upn}",
        )

    def _refuse_repeated_keys(self, cur) -> None:
        """A key twice in the file is a reject. ON CONFLICT only notices when it would write the
        row twice, not when both copies equal the stored row: a unique index notices always."""
        key = q(self.spec.key)
        if isinstance(self.spec.key_field, Uuid):
            key = f"(lower({key}))"
        cur.execute(f"CREATE UNIQUE INDEX ON {self.staging} ({key})")

    def _targets(self) -> tuple[list[str], list[str]]:
        """The table's columns this ingest writes, and the SQL of each one's typed value."""
        attnames = [f.attname for f in self.spec.fields]
        values = [self._value(f.name) for f in self.spec.fields]
        if self.spec.touches_updated_at:
            attnames.append("updated_at")
            values.append(NOW)
        return attnames, values

    def _assignments(self, attnames: list[str], old: str, new: str) -> tuple[str, str]:
        """``SET`` list and ``(old row) IS DISTINCT FROM (new row)`` test of an update: every
        written column but the key is set; ``updated_at`` alone does not make a row differ."""
        key = self.spec.key
        compared = [a for a in attnames if a not in (key, "updated_at")]
        sets = ", ".join(f"{q(a)} = {new}.{q(a)}" for a in attnames if a != key)
        old_row = ", ".join(f"{old}.{q(a)}" for a in compared)
        new_row = ", ".join(f"{new}.{q(a)}" for a in compared)
        return sets, f"({old_row}) IS DISTINCT FROM ({new_row})"

    def _upsert(self, cur) -> Counts:
        if self.spec.number_history:
            return self._upsert_in_one_statement(cur)
        return self._update_then_insert(cur)

    def _update_then_insert(self, cur) -> Counts:
        spec = self.spec
        key = q(spec.key)
        if spec.location == "snapshot":
            self._prepare_snapshots(cur)
        attnames, values = self._targets()
        typed = ", ".join(f"{value} AS {q(a)}" for a, value in zip(attnames, values, strict=True))
        phases: list[tuple[str, float]] = [("start", time.perf_counter())]
        by_month = spec.table == partitions.TABLE and partitions.is_partitioned()
        # Partitioned: the stored keys are looked up afterwards, against every month at once
        # (_check_call_keys); probing each month's key per row here cost more than the casts.
        stored_join = "" if by_month else f"LEFT JOIN {spec.table} stored ON stored.{key} = v.{key}"
        flag = "false" if by_month else self._stored_flag()
        # One pass over the staged text, on every core (CREATE TABLE AS may run in parallel;
        # INSERT … SELECT may not).
        self._run(
            cur,
            f"""
            CREATE UNLOGGED TABLE {self.typed} AS
            SELECT v.*, {flag} AS {STORED}
            FROM (
              SELECT {typed} FROM {self.staging} s {self._joins()} WHERE {self._guards()}
            ) v
            {stored_join}
            """,
        )
        phases.append(("cast", time.perf_counter()))
        if by_month:
            self._check_call_keys(cur)
            phases.append(("keys across partitions, partitions", time.perf_counter()))
        # Each tenant's share for its audit event: one grouped pass over the typed rows.
        cur.execute(
            f"SELECT tenant_id, count(*), count(*) FILTER (WHERE NOT {STORED}) "
            f"FROM {self.typed} GROUP BY tenant_id"
        )
        counts = Counts()
        for tenant_id, rows, new in cur.fetchall():
            mine = counts.tenant(tenant_id)
            mine.rows, mine.inserted = rows, new
        inserted = sum(c.inserted for c in counts.tenants.values())
        if inserted < sum(c.rows for c in counts.tenants.values()):
            for tenant_id, updated in self._update_stored(cur, attnames):
                counts.tenant(tenant_id).updated = updated
        counts.inserted = inserted
        counts.updated = sum(c.updated for c in counts.tenants.values())
        if not inserted:
            return counts
        suspended = None
        if spec.rebuild_indexes and rebuild.worthwhile(cur, spec.table, inserted):
            suspended = rebuild.suspend(
                cur, spec.table, lock_timeout=settings.INGEST_REBUILD_LOCK_TIMEOUT
            )
        columns = ", ".join(q(a) for a in attnames)
        phases.append(("counts and updates", time.perf_counter()))
        cur.execute(
            f"INSERT INTO {spec.table} ({columns}) "
            f"SELECT {columns} FROM {self.typed} WHERE NOT {STORED}"
        )
        phases.append(("insert (indexes, keys, rollup trigger)", time.perf_counter()))
        logger.info(
            "ingest %s phases: %s",
            spec.name,
            ", ".join(
                f"{name} {end - begin:.1f} s"
                for (_, begin), (name, end) in zip(phases, phases[1:], strict=False)
            ),
        )
        if suspended is not None:
            began = time.perf_counter()
            suspended.restore(cur)
            logger.info(
                "ingest %s: indexes and keys rebuilt in %.1f s",
                spec.name,
                time.perf_counter() - began,
            )
        return counts

    def _check_call_keys(self, cur) -> None:
        """Call records in monthly partitions: what the single table's keys used to refuse.

        The database keys hold ``invite_time`` now (a partitioned table's unique keys must), so a
        call leg's ``id`` and its (tenant, call_id, leg) are checked here, set-based, against the
        file and against every partition (``partitioned.find_stored``): twice in the file, or
        stored as another record, is a reject (the portable check names it). The rows whose id
        is stored are marked. Then the months the rows fall in get their partitions
        (``portal.partitions``: created on demand, none by default).
        """
        key = q(self.spec.key)
        # Twice in the file (with any call time): a unique violation, handed to the portable check.
        cur.execute(f"CREATE UNIQUE INDEX ON {self.typed} ({key})")
        cur.execute(f"CREATE UNIQUE INDEX ON {self.typed} (tenant_id, call_id, leg)")
        # The planner's figures for the key columns only (all 45: 0.6-1.2 s at 200 k rows).
        cur.execute(f"ANALYZE {self.typed} ({key}, tenant_id, call_id, leg, invite_time)")
        try:
            partitioned.find_stored(
                cur, self.typed, STORED, self._stored_flag(), self.matches, self.stored
            )
        except partitioned.KeyRefused:
            raise FastPathRefused from None
        partitions.ensure_for_rows(cur, self.typed)

    def _stored_flag(self) -> str:
        """True when the key is stored; refuses the file if stored for another tenant, or if it
        would change a Validated address without the row saying Validated
        (``Validator._validated_changes``)."""
        spec = self.spec
        stored = f"(stored.{q(spec.key)} IS NOT NULL)"
        refused = []
        if spec.tenant_fixed:
            refused.append("stored.tenant_id <> v.tenant_id")
        if spec.validated_fields:
            validated = lit(ValidationStatus.VALIDATED)
            old = ", ".join(f"stored.{q(name)}" for name in spec.validated_fields)
            new = ", ".join(f"v.{q(name)}" for name in spec.validated_fields)
            refused.append(
                f"(stored.validation_status = {validated} AND v.validation_status <> {validated} "
                f"AND ({old}) IS DISTINCT FROM ({new}))"
            )
        if not refused:
            return stored
        return f"(CASE WHEN {' OR '.join(refused)} THEN {bad('boolean')} ELSE {stored} END)"

    def _update_stored(self, cur, attnames: list[str]) -> list[tuple[int, int]]:
        """Rewrite the stored rows that differ from the file; leave equal ones untouched.
        Returns (tenant, rows rewritten) pairs."""
        spec, key = self.spec, q(self.spec.key)
        # A key twice in the file is a reject: the row-by-row check names both lines. (Twice
        # among the new rows, the table's own primary key refuses it.)
        if not (spec.table == partitions.TABLE and partitions.is_partitioned()):
            cur.execute(f"CREATE UNIQUE INDEX ON {self.typed} ({key}) WHERE {STORED}")
            cur.execute(f"ANALYZE {self.typed}")
        sets, differs = self._assignments(attnames, "t", "x")
        cur.execute(
            f"WITH up AS (UPDATE {spec.table} t SET {sets} FROM {self.typed} x "
            f"WHERE x.{STORED} AND t.{key} = x.{key} AND {differs} RETURNING t.tenant_id) "
            "SELECT tenant_id, count(*) FROM up GROUP BY tenant_id"
        )
        return cur.fetchall()

    def _upsert_in_one_statement(self, cur) -> Counts:
        """Numbers: one INSERT … ON CONFLICT, then their assignment periods turn over."""
        spec = self.spec
        self._refuse_repeated_keys(cur)
        self._prepare_history(cur)
        counts = self._count_by_tenant(cur)
        attnames, values = self._targets()
        sets, differs = self._assignments(attnames, spec.table, "EXCLUDED")
        sql = f"""
            WITH up AS (
              INSERT INTO {spec.table} ({", ".join(q(a) for a in attnames)})
              SELECT {", ".join(values)}
              FROM {self.staging} s
              {self._joins()}
              WHERE {self._guards()}
              ON CONFLICT ({q(spec.key)}) DO UPDATE SET {sets}
              WHERE {differs}
              RETURNING (xmax = 0) AS inserted, tenant_id
            )
            SELECT tenant_id, count(*) FILTER (WHERE inserted), count(*) FROM up
            GROUP BY tenant_id
        """
        self._run(cur, sql)
        for tenant_id, inserted, written in cur.fetchall():
            mine = counts.tenant(tenant_id)
            mine.inserted, mine.updated = inserted, written - inserted
            counts.inserted += inserted
            counts.updated += written - inserted
        self._turn_over_periods(cur)
        return counts

    def _count_by_tenant(self, cur) -> Counts:
        """Each tenant's rows in the file, and the stored numbers the file moves away from a
        tenant (ported): one grouped pass over the staged rows, before they are written."""
        key = q(self.spec.key)
        cur.execute(
            f"SELECT coalesce(t1.id, t2.id), p0.tenant_id, count(*) FROM {self.staging} s "
            "LEFT JOIN portal_tenant t1 ON t1.slug = s.tenant "
            "LEFT JOIN portal_tenant t2 ON t2.microsoft_tenant_id::text = lower(s.tenant) "
            f"LEFT JOIN {self.spec.table} p0 ON p0.{key} = s.{key} GROUP BY 1, 2"
        )
        counts = Counts()
        for tenant_id, old_tenant_id, rows in cur.fetchall():
            if tenant_id is None:
                continue  # an unknown tenant: the upsert refuses the file
            counts.tenant(tenant_id).rows += rows
            if old_tenant_id is not None and old_tenant_id != tenant_id:
                counts.tenant(old_tenant_id).moved_away += rows
        return counts

    def _turn_over_periods(self, cur) -> None:
        numbers = self.spec.table
        self._run(
            cur,
            f"""
            UPDATE portal_phonenumberperiod p SET ended_at = {NOW}
            FROM {self.changes} c JOIN {numbers} n ON n.telephone_number = c.number
            WHERE p.number_id = n.id AND p.ended_at IS NULL
            """,
        )
        self._run(
            cur,
            f"""
            INSERT INTO portal_phonenumberperiod (number_id, operator_id, assigned_upn, started_at)
            SELECT n.id, c.operator_id, c.upn, {NOW}
            FROM {self.changes} c JOIN {numbers} n ON n.telephone_number = c.number
            """,
        )
