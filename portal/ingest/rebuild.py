# ruff: noqa: S608 - SQL text is built from catalog names and definitions, never from input data.
"""For one large insert: drop a table's indexes and foreign keys, then build them again.

PostgreSQL's own advice for bulk loads ("Populating a Database"): building an index over all rows
at once is several times cheaper than updating it row by row (and uses every core), and adding a
foreign key checks every row in one join instead of one query per row. On this machine a million
call records go in about three times faster that way. It pays when the new rows are a large share
of the table — a first load, a back-fill — because the rebuild reads the whole table.

Everything happens inside the ingest's transaction and every definition is read back from the
catalog, so nothing is lost: if the rebuild fails (a duplicate key met by the unique index, say)
the transaction rolls back with the indexes and constraints as they were. The price is a lock:
the table is ACCESS EXCLUSIVE, and the tables it references are SHARE ROW EXCLUSIVE, until the
ingest commits. Ingest only takes it if it is free within ``INGEST_REBUILD_LOCK_TIMEOUT``;
otherwise the rows go in the ordinary way. ``seed_demo`` uses the same for its first load.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, transaction

from portal.ingest.fields import q

logger = logging.getLogger("portal.ingest")

LOCK_NOT_AVAILABLE = "55P03"
OBJECT_IN_USE = "55006"

# The rebuild reads the whole table: worth it when the new rows are at least this share of it.
SHARE_OF_TABLE = 0.25


def worthwhile(cur, table: str, new_rows: int) -> bool:
    """Enough new rows, and many next to the rows already stored (the planner's estimate)."""
    if new_rows < settings.INGEST_REBUILD_MIN_ROWS:
        return False
    # A partitioned table's rows are its partitions' (its own reltuples says nothing).
    cur.execute(
        "SELECT coalesce(sum(greatest(c.reltuples, 0)), 0) FROM pg_class c "
        "WHERE c.oid = %s::regclass OR c.oid IN "
        "(SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)",
        [table, table],
    )
    (stored_estimate,) = cur.fetchone()
    return new_rows >= SHARE_OF_TABLE * stored_estimate


@dataclass
class Suspended:
    """What was dropped, as the catalog defined it, in the order to build it again."""

    table: str
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX statement)
    keys: list[tuple[str, str]]  # (name, PRIMARY KEY / UNIQUE definition)
    foreign_keys: list[tuple[str, str]]  # (name, FOREIGN KEY definition)

    def restore(self, cur) -> None:
        # Memory for the sorts (one index at a time, for this transaction only); each build also
        # uses the parallel maintenance workers. 256 MB → 1 GB saved ~10 % at a million rows.
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, statement in self.indexes:
            cur.execute(statement)
        for name, definition in self.keys + self.foreign_keys:
            cur.execute(f"ALTER TABLE {q(self.table)} ADD CONSTRAINT {q(name)} {definition}")


def suspend(cur, table: str, lock_timeout: float | None) -> Suspended | None:
    """Lock ``table`` and drop its indexes and foreign keys; None if that can't be done now.

    ``lock_timeout``: seconds to wait for the locks (None: as long as it takes). A key that
    another table's foreign key relies on is kept.
    """
    cur.execute(
        """
        SELECT k.conname, k.contype, pg_get_constraintdef(k.oid), k.confrelid::regclass::text
        FROM pg_constraint k
        WHERE k.conrelid = %s::regclass AND k.contype IN ('p', 'u', 'f')
          AND (k.contype = 'f' OR NOT EXISTS (
            SELECT 1 FROM pg_constraint ref
            WHERE ref.contype = 'f' AND ref.conindid = k.conindid AND ref.conrelid <> k.conrelid
          ))
        ORDER BY k.conname
        """,
        [table],
    )
    constraints = cur.fetchall()
    cur.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
        "WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid) ORDER BY c.oid",
        [table],
    )
    # Built again in the order they were made (the planner breaks cost ties by it). A
    # partitioned table's index reads back as "ON ONLY" (the parent alone); built again on
    # the whole table it covers every partition, as it did.
    indexes = [(name, sql.replace(" ON ONLY ", " ON ")) for name, sql in cur.fetchall()]
    referenced = sorted({target for _n, kind, _d, target in constraints if kind == "f"})
    suspended = Suspended(
        table=table,
        indexes=indexes,
        keys=[(name, d) for name, kind, d, _t in constraints if kind in ("p", "u")],
        foreign_keys=[(name, d) for name, kind, d, _t in constraints if kind == "f"],
    )
    cur.execute("SELECT current_setting('lock_timeout')")
    (previous,) = cur.fetchone()
    try:
        with transaction.atomic():
            if lock_timeout is not None:
                cur.execute("SELECT set_config('lock_timeout', %s, true)", [_ms(lock_timeout)])
            cur.execute(f"LOCK TABLE {q(table)} IN ACCESS EXCLUSIVE MODE")
            if referenced:
                names = ", ".join(q(name) for name in referenced)
                cur.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
            for name, _d in suspended.foreign_keys + suspended.keys:
                cur.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
            for name, _statement in indexes:
                cur.execute(f"DROP INDEX {q(name)}")
    except OperationalError as exc:
        # Busy: another session holds the table (a long export, say). Or this transaction has
        # deferred foreign-key checks pending on it, which PostgreSQL will not let DDL skip.
        if getattr(exc.__cause__, "sqlstate", None) not in (LOCK_NOT_AVAILABLE, OBJECT_IN_USE):
            raise
        logger.info("%s is busy or has checks pending: its indexes stay in place", table)
        return None
    finally:
        cur.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    logger.info(
        "%s locked; %d indexes, %d keys and %d foreign keys are rebuilt after the insert",
        table,
        len(suspended.indexes),
        len(suspended.keys),
        len(suspended.foreign_keys),
    )
    return suspended


@contextmanager
def rebuilt_after(cur, table: str) -> Iterator[None]:
    """Drop ``table``'s indexes and keys for the block (waiting for the lock), then rebuild."""
    suspended = suspend(cur, table, lock_timeout=None)
    began = time.monotonic()
    yield
    loaded = time.monotonic()
    if suspended is not None:
        suspended.restore(cur)
    cur.execute(f"ANALYZE {q(table)}")
    logger.info(
        "Bulk load of %s: %.1f s, then indexes and keys rebuilt in %.1f s.",
        table,
        loaded - began,
        time.monotonic() - loaded,
    )


def _ms(seconds: float) -> str:
    return f"{int(seconds * 1000)}ms"
