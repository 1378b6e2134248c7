# ruff: noqa: S608 - SQL text names our own tables and columns; data only travels by COPY.
"""Call records in monthly partitions: the bulk path's stored keys, across every month at once.

The database keys hold ``invite_time`` (a partitioned table's unique keys must), so what the
single table's keys refused — a stored ``id`` or (tenant, call_id, leg) of another record — is
checked here. One statement joins the file's ids and legs to every partition's key indexes as
two merge joins over index-only scans in key order (old months are all-visible: no heap page is
read), instead of probing each month's indexes once per row of the file (measured, 1 M rows into
10 M: docs/scaling.md). Only the few stored rows it finds are looked at further.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from portal import partitions


class KeyRefused(Exception):
    """A stored key refuses the file: the row-by-row check names the line."""


@contextmanager
def planner(cur, **values: str) -> Iterator[None]:
    """Settings for the statements inside, put back afterwards (``SET LOCAL`` lasts to the end
    of the transaction otherwise). After an error they are left to the rollback (of the bulk
    path's savepoint), which undoes them: a statement in the failed transaction would only hide
    the error."""
    previous = {}
    for name, value in values.items():
        cur.execute("SELECT current_setting(%s)", [name])
        previous[name] = cur.fetchone()[0]
        cur.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    for name, value in previous.items():
        cur.execute("SELECT set_config(%s, %s, true)", [name, value])


def find_stored(
    cur, typed: str, flag_column: str, stored_flag: str, matches: str, stored: str
) -> None:
    """Mark the file's rows whose ``id`` is stored (``typed.<flag_column>``, false until then);
    raise ``KeyRefused`` for what the single table's keys refused.

    ``matches``: (id, invite_time, by_id) of every stored row sharing the file row's ``id``
    (by_id) or its (tenant, call_id, leg) — usually none. ``stored``: the stored rows of the
    file's ids. ``stored_flag``: the typed flag's SQL over ``stored`` and ``v`` (it raises for a
    stored key it refuses, e.g. of another tenant).
    """
    # Two merge joins, side by side on two cores (a Parallel Append of the two), each reading
    # one key index of every month in key order (index-only: old months are all-visible) against
    # the file's unique index on the same key. Left to itself the planner probes each month's
    # index once per row of the file, or hashes the file's keys and reads every month's heap.
    # Measured, 1 M rows against 10 M on the shared 2-core machine: the id probes alone 18.9 s
    # (even in id order), both hash joins 13-16 s, merge joins 5.5 s (id) and 4.8 s (leg), 7.9 s
    # side by side (docs/scaling.md).
    with planner(cur, enable_seqscan="off", enable_nestloop="off", enable_hashjoin="off"):
        cur.execute(
            f"""
            CREATE UNLOGGED TABLE {matches} AS
            SELECT v.id, c.invite_time, true AS by_id
            FROM {typed} v JOIN {partitions.TABLE} c ON c.id = v.id
            UNION ALL
            SELECT v.id, c.invite_time, false
            FROM {typed} v JOIN {partitions.TABLE} c
              ON c.tenant_id = v.tenant_id AND c.call_id = v.call_id AND c.leg = v.leg
            """
        )
    cur.execute(f"SELECT EXISTS (SELECT 1 FROM {matches})")
    if not cur.fetchone()[0]:
        return
    # An id stored in two months (only an unchecked ORM write makes one): the single table's
    # key never held it; the row-by-row check decides, as it did before.
    cur.execute(
        f"SELECT EXISTS (SELECT 1 FROM {matches} WHERE by_id GROUP BY id HAVING count(*) > 1)"
    )
    if cur.fetchone()[0]:
        raise KeyRefused
    # The stored row of each stored id: its own month only (the key holds the call time).
    cur.execute(
        f"""
        CREATE UNLOGGED TABLE {stored} AS
        SELECT stored.id, stored.tenant_id, stored.call_id, stored.leg, stored.invite_time,
               {stored_flag} AS flag
        FROM {matches} m
        JOIN {typed} v ON v.id = m.id
        JOIN {partitions.TABLE} stored ON stored.id = m.id AND stored.invite_time = m.invite_time
        WHERE m.by_id
        """
    )
    # A stored leg is refused unless it is the stored row of the file row's own id: the same
    # month and leg key as that row (the partition's leg key makes it that very row).
    cur.execute(
        f"""
        SELECT EXISTS (
          SELECT 1 FROM {matches} m JOIN {typed} v ON v.id = m.id
          WHERE NOT m.by_id AND NOT EXISTS (
            SELECT 1 FROM {stored} s
            WHERE s.id = m.id AND s.invite_time = m.invite_time AND s.tenant_id = v.tenant_id
              AND s.call_id = v.call_id AND s.leg = v.leg))
        """
    )
    if cur.fetchone()[0]:
        raise KeyRefused
    cur.execute(f"UPDATE {typed} v SET {flag_column} = s.flag FROM {stored} s WHERE s.id = v.id")
