# ruff: noqa: S608 - SQL text names our own tables; values travel as parameters.
"""Monthly range partitions of the call-record table (issue 17, item 1; docs/scaling.md).

On PostgreSQL ``portal_callrecord`` is partitioned by range on ``invite_time``, one partition per
UTC month (``portal_callrecord_p2026_01`` holds [2026-01-01, 2026-02-01) UTC), plus, on a
database converted by migration 0018, ``portal_callrecord_legacy`` holding everything before
the first month. There is **no DEFAULT partition**: a row whose month has no partition is
refused by PostgreSQL rather than dumped where no retention drop or partition-wise plan will
ever find it. So every writer makes sure its months exist first, through this module:

- ingest (``portal.ingest.postgres``): for the months of the batch's new rows, before inserting;
- ORM inserts (``CallRecord.save`` and ``CallRecordQuerySet.bulk_create``: demo seeding, tests);
- beat, every 6 hours (``portal.tasks.create_call_record_partitions``): the current month and
  ``CALL_RECORD_PARTITIONS_AHEAD`` months ahead, so a daily ingest never has to create one.

Creating is idempotent and safe under concurrency: a transaction-level advisory lock serialises
creators, and the partitions are read back from the catalog under it. A new month is created
as a plain table and then ATTACHed, which takes SHARE UPDATE EXCLUSIVE on the parent (readers
and writers go on; ``CREATE TABLE … PARTITION OF`` would take ACCESS EXCLUSIVE). Creating runs
in the caller's transaction: an ingest that is rolled back takes its new partition with it.

On SQLite (the embedded demo), or before migration 0018, the table is plain and every function
here does nothing: the code path is the same.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger("portal.partitions")

TABLE = "portal_callrecord"
LEGACY = "portal_callrecord_legacy"
# The parent's unique keys (migration 0018), which each partition holds for its rows.
KEYS = [
    ("pkey", "PRIMARY KEY (id, invite_time)"),
    ("call_record_leg_unique", "UNIQUE (tenant_id, call_id, leg, invite_time)"),
]
# pg_advisory_xact_lock key: "portal_callrecord partitions" (any constant; ours alone).
LOCK_KEY = 1_717_170_017


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime | None  # None: MINVALUE (the legacy partition)
    end: datetime | None  # None: MAXVALUE
    detach_pending: bool = False

    def covers(self, start: datetime, end: datetime) -> bool:
        """Does this partition's range overlap [start, end)?"""
        return (self.start is None or self.start < end) and (self.end is None or start < self.end)


def month_start(moment: datetime) -> datetime:
    """The first instant of ``moment``'s UTC month."""
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def next_month(start: datetime) -> datetime:
    if start.month == 12:
        return datetime(start.year + 1, 1, 1, tzinfo=UTC)
    return datetime(start.year, start.month + 1, 1, tzinfo=UTC)


def add_months(start: datetime, months: int) -> datetime:
    index = start.year * 12 + start.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(start: datetime) -> str:
    return f"{TABLE}_p{start.year:04d}_{start.month:02d}"


def is_partitioned() -> bool:
    """True on PostgreSQL once migration 0018 has made the table partitioned."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cur.fetchone()
    return bool(row) and row[0] == "p"


def _bound(text: str) -> datetime | None:
    text = text.strip()
    if text in ("MINVALUE", "MAXVALUE"):
        return None
    return datetime.fromisoformat(text.strip("'")).astimezone(UTC)


def partitions() -> list[Partition]:
    """The table's partitions with their bounds, oldest first (the legacy one leads)."""
    with connection.cursor() as cur:
        # Bounds print in the session's time zone; Django's PostgreSQL sessions are in UTC, and
        # the parser reads the offset anyway.
        cur.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), i.inhdetachpending "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)",
            [TABLE],
        )
        rows = cur.fetchall()
    found = []
    for name, bound, pending in rows:
        # FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')
        low, _, high = bound.removeprefix("FOR VALUES FROM (").partition(") TO (")
        found.append(Partition(name, _bound(low), _bound(high.removesuffix(")")), pending))
    return sorted(found, key=lambda p: p.start or datetime.min.replace(tzinfo=UTC))


def ensure_months(months: Iterable[datetime]) -> list[str]:
    """Create the monthly partitions holding ``months`` (any instant in each) that are missing.

    Returns the names created. Idempotent; concurrent callers wait for each other on an
    advisory lock held to the end of the caller's transaction, then see what the other made.
    """
    wanted = sorted({month_start(m) for m in months})
    if not wanted or connection.vendor != "postgresql":
        return []
    with connection.cursor() as cur:
        # The common case in one catalog read: partitioned, and every month already there.
        cur.execute(
            "SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)), "
            "(SELECT count(*) FROM pg_class WHERE relname = ANY(%s) AND relispartition)",
            [TABLE, [partition_name(start) for start in wanted]],
        )
        kind, present = cur.fetchone()
    if kind != "p" or present == len(wanted):
        return []
    created = []
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        existing = partitions()
        for start in wanted:
            end = next_month(start)
            if any(p.covers(start, end) for p in existing):
                continue
            name = partition_name(start)
            # A plain table first (copying columns, defaults and CHECK constraints), then ATTACH:
            # SHARE UPDATE EXCLUSIVE on the parent instead of ACCESS EXCLUSIVE. ATTACH builds the
            # parent's indexes and foreign keys on it (empty: instant) and, finding the range
            # CHECK below, skips its scan.
            cur.execute(
                f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                "INCLUDING STORAGE)"
            )
            cur.execute(
                f"ALTER TABLE {name} ADD CONSTRAINT {name}_range "
                "CHECK (invite_time >= %s AND invite_time < %s)",
                [start, end],
            )
            # The parent's keys, named after it: a violation names the partition's constraint
            # (``portal_callrecord_p2026_01_call_record_leg_unique``), so it still says which.
            for key, definition in KEYS:
                cur.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_{key} {definition}")
            cur.execute(
                f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                [start, end],
            )
            # The partition constraint says the same now; the CHECK would only cost inserts.
            cur.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_range")
            existing.append(Partition(name, start, end))
            created.append(name)
    if created:
        logger.info("call-record partitions created: %s", ", ".join(created))
    return created


def ensure_for_times(times: Iterable[datetime | None]) -> list[str]:
    """The partitions for these call times (an ORM insert's ``invite_time`` values)."""
    return ensure_months(t for t in times if isinstance(t, datetime))


def ensure_range(start: datetime, end: datetime) -> list[str]:
    """The partitions of every month overlapping [start, end) (a seeder's time range)."""
    months, month = [], month_start(start)
    while month < end:
        months.append(month)
        month = next_month(month)
    return ensure_months(months)


def ensure_for_rows(cur, table: str, where: str = "true") -> list[str]:
    """The partitions for the ``invite_time`` values of ``table``'s rows (an ingest's staging)."""
    if not is_partitioned():
        return []
    cur.execute(
        f"SELECT DISTINCT date_trunc('month', invite_time AT TIME ZONE 'UTC') "
        f"FROM {table} WHERE {where}"
    )
    return ensure_months(month.replace(tzinfo=UTC) for (month,) in cur.fetchall())


def ensure_ahead(now: datetime | None = None, ahead: int | None = None) -> list[str]:
    """The current month and ``CALL_RECORD_PARTITIONS_AHEAD`` months after it (beat)."""
    ahead = settings.CALL_RECORD_PARTITIONS_AHEAD if ahead is None else ahead
    first = month_start(now or timezone.now())
    return ensure_months(add_months(first, i) for i in range(ahead + 1))


def expired(before: datetime) -> list[Partition]:
    """Attached partitions whose every possible row is older than ``before``."""
    return [p for p in partitions() if p.end is not None and p.end <= before]


def detach(name: str) -> None:
    """Detach a partition without blocking readers or writers of the parent.

    ``DETACH … CONCURRENTLY`` runs outside any transaction block (autocommit): it waits for
    transactions using the parent to end, and takes only SHARE UPDATE EXCLUSIVE on it. A detach
    interrupted half-way (pending) is finished with ``FINALIZE``.
    """
    if connection.in_atomic_block:
        raise RuntimeError("DETACH PARTITION … CONCURRENTLY cannot run inside a transaction")
    pending = {p.name for p in partitions() if p.detach_pending}
    with connection.cursor() as cur:
        if name in pending:
            cur.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name} FINALIZE")
        else:
            cur.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name} CONCURRENTLY")


def detached_leftovers() -> list[str]:
    """Tables named like our monthly partitions that are not attached (a purge interrupted
    between its detach and its drop): the next purge finishes them."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' "
            "AND c.relnamespace = current_schema()::regnamespace "
            "AND (c.relname ~ %s OR c.relname = %s) AND NOT c.relispartition",
            [f"^{TABLE}_p[0-9]{{4}}_[0-9]{{2}}$", LEGACY],
        )
        return sorted(name for (name,) in cur.fetchall())


# --- converting a populated table (migration 0018), prepared online beforehand ---------------

BOUND = "call_record_legacy_bound"
PREPARED_INDEXES = [
    # (name, columns, unique): what migration 0018 needs on the table it attaches
    ("call_record_prep_pkey", "id, invite_time", True),
    ("call_record_prep_leg", "tenant_id, call_id, leg, invite_time", True),
    ("call_record_prep_tenant_time", "tenant_id, invite_time, id, operator_id", False),
]


@dataclass
class PrepStep:
    what: str
    seconds: float
    lock: str  # the strongest lock it holds on the table, and for how long it blocks whom


def prepare_conversion(months_ahead: int = 2, *, lock_timeout_s: float = 5.0) -> list[PrepStep]:
    """The slow part of migration 0018, done online before it (``manage.py
    prepare_call_record_partitions``): the unique indexes the partition keys need, built
    CONCURRENTLY, and the CHECK that bounds the table's call times (NOT VALID, then VALIDATE),
    so that the migration's ACCESS EXCLUSIVE lock covers catalog changes only. Idempotent.

    Runs in autocommit (CONCURRENTLY cannot run in a transaction). The bound is the first of
    the month ``months_ahead`` months after the current one (or after the newest call): rows
    later than it are refused until the migration has run, so run the migration before then.
    """
    if connection.in_atomic_block:
        raise RuntimeError("prepare_conversion builds indexes CONCURRENTLY: not in a transaction")
    if connection.vendor != "postgresql" or is_partitioned():
        return []
    steps = []
    with connection.cursor() as cur:
        for name, columns, unique in PREPARED_INDEXES:
            cur.execute(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name]
            )
            row = cur.fetchone()
            if row and row[0]:
                continue
            began = time.monotonic()
            if row:  # an interrupted CONCURRENTLY build leaves an invalid index behind
                cur.execute(f"DROP INDEX CONCURRENTLY {name}")
            kind = "UNIQUE INDEX" if unique else "INDEX"
            cur.execute(f"CREATE {kind} CONCURRENTLY {name} ON {TABLE} ({columns})")
            steps.append(
                PrepStep(
                    f"CREATE {kind} CONCURRENTLY {name}",
                    time.monotonic() - began,
                    "SHARE UPDATE EXCLUSIVE: reads and writes go on",
                )  # fmt: skip
            )
        cur.execute(
            "SELECT convalidated FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
            [TABLE, BOUND],
        )
        row = cur.fetchone()
        if row is None:
            # The newest call through each tenant's time index (no scan of the table).
            cur.execute(
                f"SELECT max((SELECT max(invite_time) FROM {TABLE} c WHERE c.tenant_id = t.id)) "
                "FROM portal_tenant t"
            )
            newest = cur.fetchone()[0]
            latest = max(timezone.now(), newest) if newest else timezone.now()
            bound = add_months(month_start(latest), months_ahead)
            began = time.monotonic()
            cur.execute(
                "SELECT set_config('lock_timeout', %s, false)", [f"{int(lock_timeout_s * 1000)}ms"]
            )
            try:
                cur.execute(
                    f"ALTER TABLE {TABLE} ADD CONSTRAINT {BOUND} CHECK (invite_time < %s) NOT VALID",
                    [bound],
                )
            finally:
                cur.execute("SELECT set_config('lock_timeout', '0', false)")
            steps.append(
                PrepStep(
                    f"ADD CONSTRAINT {BOUND} CHECK (invite_time < {bound:%Y-%m-%d}) NOT VALID",
                    time.monotonic() - began,
                    "ACCESS EXCLUSIVE for this long",
                )  # fmt: skip
            )
        if not (row and row[0]):
            began = time.monotonic()
            cur.execute(f"ALTER TABLE {TABLE} VALIDATE CONSTRAINT {BOUND}")
            steps.append(
                PrepStep(
                    f"VALIDATE CONSTRAINT {BOUND}",
                    time.monotonic() - began,
                    "SHARE UPDATE EXCLUSIVE: reads and writes go on",
                )  # fmt: skip
            )
    return steps
