"""Call records in monthly range partitions on invite_time (issue 17, item 1; docs/scaling.md).

PostgreSQL only; SQLite keeps a plain table (only the unique constraint changes there too).

The existing table is not rewritten: under a short ACCESS EXCLUSIVE lock it is renamed to
``portal_callrecord_legacy`` and attached to a new partitioned ``portal_callrecord`` as the
partition FROM (MINVALUE) TO (a month start), and monthly partitions follow from that month.
What makes the lock short is done beforehand, online, by ``manage.py
prepare_call_record_partitions``: the unique indexes the partition keys need (built
CONCURRENTLY) and the CHECK constraint bounding its time range (NOT VALID, then VALIDATE). Run
on a table that was not prepared, this migration builds and validates them itself, under the
lock (fine for a small table; for a large one, prepare first — docs/scaling.md).

At the database level the primary key becomes (id, invite_time) and the leg's unique key
(tenant, call_id, leg, invite_time): a partitioned table's unique keys must hold its partition
key. Django keeps ``id`` as the model's primary key (the ingest refuses an id stored with another
call time or tenant, set-based). The day rollup's statement triggers move to the parent, where
PostgreSQL fires them (with their transition tables) for rows routed to any partition.
"""

from django.db import migrations, models

PARENT = "portal_callrecord"
LEGACY = "portal_callrecord_legacy"
BOUND = "call_record_legacy_bound"  # CHECK (invite_time < …) on the table to attach
PREP_PKEY = "call_record_prep_pkey"  # UNIQUE (id, invite_time), built CONCURRENTLY beforehand
PREP_LEG = "call_record_prep_leg"  # UNIQUE (tenant_id, call_id, leg, invite_time), likewise
PREP_TIME = "call_record_prep_tenant_time"  # call_tenant_time_idx's new columns, likewise
TENANT_TIME = "call_tenant_time_idx"
TENANT_TIME_COLUMNS = "tenant_id, invite_time, id, operator_id"
AHEAD = 3  # months created ahead at once (beat keeps CALL_RECORD_PARTITIONS_AHEAD later)

TRIGGERS = [
    "CREATE TRIGGER portal_callrecord_rollup_insert AFTER INSERT ON portal_callrecord "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION portal_calldaycount_apply()",
    "CREATE TRIGGER portal_callrecord_rollup_update AFTER UPDATE ON portal_callrecord "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION portal_calldaycount_apply()",
    "CREATE TRIGGER portal_callrecord_rollup_delete AFTER DELETE ON portal_callrecord "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION portal_calldaycount_apply()",
]
TRIGGER_NAMES = [
    "portal_callrecord_rollup_insert",
    "portal_callrecord_rollup_update",
    "portal_callrecord_rollup_delete",
]

OLD_LEG = models.UniqueConstraint(fields=["tenant", "call_id", "leg"], name="call_record_leg_unique")
NEW_LEG = models.UniqueConstraint(
    fields=["tenant", "call_id", "leg", "invite_time"], name="call_record_leg_unique"
)
OLD_TIME = models.Index(fields=["tenant", "invite_time", "id"], name=TENANT_TIME)
NEW_TIME = models.Index(fields=["tenant", "invite_time", "id", "operator"], name=TENANT_TIME)


def _one(cur, sql, params=None):
    cur.execute(sql, params)
    row = cur.fetchone()
    return row[0] if row else None


def _valid_index(cur, name):
    return bool(
        _one(
            cur,
            "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(%s)",
            [name],
        )
    )


def _foreign_keys(cur, table):
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    )
    return cur.fetchall()


def _plain_indexes(cur, table):
    """Indexes that back no constraint: (name, CREATE INDEX statement)."""
    cur.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
        "WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid) ORDER BY c.relname",
        [table],
    )
    return cur.fetchall()


def _month_start(cur, sql, params=None):
    return _one(cur, f"SELECT date_trunc('month', ({sql}) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'", params)


def _create_months(cur, first, months):
    """As ``portal.partitions.ensure_months`` does (written out: a migration keeps its code)."""
    for i in range(months):
        cur.execute(
            "SELECT to_char(m, 'YYYY_MM'), m, m + interval '1 month' FROM "
            "(SELECT (%s::timestamptz AT TIME ZONE 'UTC' + make_interval(months => %s)) "
            "AT TIME ZONE 'UTC' AS m) x",
            [first, i],
        )
        suffix, start, end = cur.fetchone()
        name = f"{PARENT}_p{suffix}"
        cur.execute(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS "
                    "INCLUDING CONSTRAINTS INCLUDING STORAGE)")  # fmt: skip
        cur.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_pkey PRIMARY KEY (id, invite_time)")
        cur.execute(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_call_record_leg_unique "
            "UNIQUE (tenant_id, call_id, leg, invite_time)"
        )
        cur.execute(
            f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
            [start, end],
        )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        model = apps.get_model("portal", "CallRecord")
        schema_editor.remove_constraint(model, OLD_LEG)
        schema_editor.add_constraint(model, NEW_LEG)
        schema_editor.remove_index(model, OLD_TIME)
        schema_editor.add_index(model, NEW_TIME)
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute("SET LOCAL TIME ZONE 'UTC'")
        if _one(cur, "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [PARENT]) == "p":
            return
        cur.execute(f"LOCK TABLE {PARENT} IN ACCESS EXCLUSIVE MODE")
        empty = not _one(cur, f"SELECT EXISTS (SELECT 1 FROM {PARENT})")
        foreign_keys = _foreign_keys(cur, PARENT)
        indexes = [
            (name, sql) for name, sql in _plain_indexes(cur, PARENT)
            if name not in (PREP_PKEY, PREP_LEG, PREP_TIME)
        ]  # fmt: skip
        bound = _one(
            cur,
            "SELECT substring(pg_get_constraintdef(oid) FROM '''([^'']+)''')::timestamptz "
            "FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s AND convalidated",
            [PARENT, BOUND],
        )
        cur.execute(f"ALTER TABLE {PARENT} RENAME TO {LEGACY}")
        for name in TRIGGER_NAMES:
            cur.execute(f"DROP TRIGGER IF EXISTS {name} ON {LEGACY}")
        if empty:
            # A new installation (or an empty table): nothing to keep.
            cur.execute(f"CREATE TABLE {PARENT} (LIKE {LEGACY} INCLUDING DEFAULTS "
                        "INCLUDING CONSTRAINTS INCLUDING STORAGE) PARTITION BY RANGE (invite_time)")  # fmt: skip
            cur.execute(f"DROP TABLE {LEGACY}")
            cur.execute(f"ALTER TABLE {PARENT} DROP CONSTRAINT IF EXISTS {BOUND}")
        else:
            for name, _sql in indexes:
                cur.execute(f'ALTER INDEX "{name}" RENAME TO "{LEGACY}_{name}"')
            # The partition's keys, on the indexes prepared CONCURRENTLY (or built now).
            for prepared, columns, old, new, kind in [
                (PREP_PKEY, "id, invite_time", f"{PARENT}_pkey", f"{LEGACY}_pkey", "PRIMARY KEY"),
                (PREP_LEG, "tenant_id, call_id, leg, invite_time", "call_record_leg_unique",
                 f"{LEGACY}_call_record_leg_unique", "UNIQUE"),
            ]:  # fmt: skip
                if not _valid_index(cur, prepared):
                    cur.execute(f"DROP INDEX IF EXISTS {prepared}")
                    cur.execute(f"CREATE UNIQUE INDEX {prepared} ON {LEGACY} ({columns})")
                cur.execute(f"ALTER TABLE {LEGACY} DROP CONSTRAINT {old}")
                cur.execute(f"ALTER TABLE {LEGACY} ADD CONSTRAINT {new} {kind} USING INDEX {prepared}")
            # call_tenant_time_idx gains the operator: the prepared index replaces it.
            if not _valid_index(cur, PREP_TIME):
                cur.execute(f"DROP INDEX IF EXISTS {PREP_TIME}")
                cur.execute(f"CREATE INDEX {PREP_TIME} ON {LEGACY} ({TENANT_TIME_COLUMNS})")
            cur.execute(f'DROP INDEX "{LEGACY}_{TENANT_TIME}"')
            cur.execute(f'ALTER INDEX {PREP_TIME} RENAME TO "{LEGACY}_{TENANT_TIME}"')
            if bound is None:
                # Not prepared: bound the rows' range now (a full scan, under the lock).
                bound = _month_start(
                    cur, f"greatest(now(), (SELECT max(invite_time) FROM {LEGACY})) + interval '1 month'"
                )
                cur.execute(f"ALTER TABLE {LEGACY} DROP CONSTRAINT IF EXISTS {BOUND}")
                cur.execute(
                    f"ALTER TABLE {LEGACY} ADD CONSTRAINT {BOUND} CHECK (invite_time < %s)", [bound]
                )
            cur.execute(f"CREATE TABLE {PARENT} (LIKE {LEGACY} INCLUDING DEFAULTS "
                        "INCLUDING CONSTRAINTS INCLUDING STORAGE) PARTITION BY RANGE (invite_time)")  # fmt: skip
            cur.execute(f"ALTER TABLE {PARENT} DROP CONSTRAINT {BOUND}")
        cur.execute(f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY (id, invite_time)")
        cur.execute(
            f"ALTER TABLE {PARENT} ADD CONSTRAINT call_record_leg_unique "
            "UNIQUE (tenant_id, call_id, leg, invite_time)"
        )
        for name, definition in foreign_keys:
            cur.execute(f'ALTER TABLE {PARENT} ADD CONSTRAINT "{name}" {definition}')
        # call_scope_idx last: at equal cost (a common operator, an empty month) the planner
        # takes the index considered first, which is the newest, and only call_scope_idx holds
        # an operator filter in its Index Cond (tests/scale/test_bounded_lists.py).
        indexes.sort(key=lambda index: index[0] == "call_scope_idx")
        for name, sql in indexes:
            if name == TENANT_TIME:
                sql = f"CREATE INDEX {TENANT_TIME} ON {PARENT} ({TENANT_TIME_COLUMNS})"
            cur.execute(sql.replace(" ON ONLY ", " ON "))
        if not empty:
            # Every index, key and CHECK the parent has is found on the legacy table (the
            # prepared ones included) and the bound CHECK implies the partition's range: no
            # index is built and no row is read.
            cur.execute(
                f"ALTER TABLE {PARENT} ATTACH PARTITION {LEGACY} "
                "FOR VALUES FROM (MINVALUE) TO (%s)",
                [bound],
            )
            first = bound
        else:
            first = _month_start(cur, "now()")
        for sql in TRIGGERS:
            cur.execute(sql)
        now_month = _month_start(cur, "now()")
        months = _one(
            cur,
            "SELECT greatest(0, (extract(year FROM age(%s::timestamptz, %s::timestamptz)) * 12 "
            "+ extract(month FROM age(%s::timestamptz, %s::timestamptz)))::int)",
            [now_month, first, now_month, first],
        )
        _create_months(cur, first, months + AHEAD + 1)


def backward(apps, schema_editor):
    """Back to one plain table (rewrites every row: for development, not for production)."""
    if schema_editor.connection.vendor != "postgresql":
        model = apps.get_model("portal", "CallRecord")
        schema_editor.remove_constraint(model, NEW_LEG)
        schema_editor.add_constraint(model, OLD_LEG)
        schema_editor.remove_index(model, NEW_TIME)
        schema_editor.add_index(model, OLD_TIME)
        return
    with schema_editor.connection.cursor() as cur:
        if _one(cur, "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [PARENT]) != "p":
            return
        cur.execute(f"LOCK TABLE {PARENT} IN ACCESS EXCLUSIVE MODE")
        foreign_keys = _foreign_keys(cur, PARENT)
        indexes = _plain_indexes(cur, PARENT)
        plain = f"{PARENT}_plain"
        cur.execute(f"CREATE TABLE {plain} (LIKE {PARENT} INCLUDING DEFAULTS "
                    "INCLUDING CONSTRAINTS INCLUDING STORAGE)")  # fmt: skip
        cur.execute(f"INSERT INTO {plain} SELECT * FROM {PARENT}")
        cur.execute(f"DROP TABLE {PARENT} CASCADE")
        cur.execute(f"ALTER TABLE {plain} RENAME TO {PARENT}")
        cur.execute(f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY (id)")
        cur.execute(
            f"ALTER TABLE {PARENT} ADD CONSTRAINT call_record_leg_unique "
            "UNIQUE (tenant_id, call_id, leg)"
        )
        for name, definition in foreign_keys:
            cur.execute(f'ALTER TABLE {PARENT} ADD CONSTRAINT "{name}" {definition}')
        for name, sql in indexes:
            if name == TENANT_TIME:
                sql = f"CREATE INDEX {TENANT_TIME} ON {PARENT} (tenant_id, invite_time, id)"
            cur.execute(sql.replace(" ON ONLY ", " ON "))
        for sql in TRIGGERS:
            cur.execute(sql)


class Migration(migrations.Migration):
    # The conversion locks the table for its whole run: no other statement may slip between
    # the rename and the attach.
    atomic = True

    dependencies = [
        ("portal", "0017_call_day_counts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="callrecord", name="call_record_leg_unique"),
                migrations.AddConstraint(model_name="callrecord", constraint=NEW_LEG),
                migrations.RemoveIndex(model_name="callrecord", name=TENANT_TIME),
                migrations.AddIndex(model_name="callrecord", index=NEW_TIME),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
