"""The call-record lists' filters become index conditions (issue 17, item 3; docs/scaling.md).

``call_tenant_time_idx`` (tenant, invite_time, id, operator) becomes ``call_window_idx`` and
``call_scope_idx`` (tenant, operator, invite_time, id) ``call_operator_window_idx``: both also
carry direction, call type, quality, emergency and success. A list filtered on them reads
a window of the tenant's days in this index and checks every filter there: no row is fetched
that the page does not show, so a filter that matches nothing costs an index range scan, not a
heap read per call of the window.

On PostgreSQL's monthly partitions the index is built online: an invalid index ``ON ONLY`` the
parent, one index per partition built ``CONCURRENTLY`` (SHARE UPDATE EXCLUSIVE: reads and writes
go on) and attached to it (the parent's index is valid once every partition has one), then the
old one is dropped (ACCESS EXCLUSIVE on the table for the catalog change only). Hence not
atomic: an interrupted run is resumed by running it again (each step is idempotent).
"""

from django.db import migrations, models

TABLE = "portal_callrecord"
FILTERS = ["direction", "call_type", "quality", "is_emergency", "success"]
# (old name, its fields, new name, its fields); built in this order: at equal cost the planner
# takes the newest index, and the operator's index reads only that operator's entries.
REPLACED = [
    (
        "call_tenant_time_idx",
        ["tenant", "invite_time", "id", "operator"],
        "call_window_idx",
        ["tenant", "invite_time", "id", "operator", *FILTERS],
    ),
    (
        "call_scope_idx",
        ["tenant", "operator", "invite_time", "id"],
        "call_operator_window_idx",
        ["tenant", "operator", "invite_time", "id", *FILTERS],
    ),
]


def _columns(fields: list[str]) -> str:
    return ", ".join(f"{f}_id" if f in ("tenant", "operator") else f for f in fields)


def _partitioned(cur) -> bool:
    cur.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
    row = cur.fetchone()
    return bool(row) and row[0] == "p"


def _partitions(cur) -> list[str]:
    cur.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass AND NOT i.inhdetachpending ORDER BY c.relname",
        [TABLE],
    )
    return [name for (name,) in cur.fetchall()]


def _index_of(cur, parent_index: str, partition: str) -> str | None:
    """The partition's index already attached to the parent's (a resumed run)."""
    cur.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_index x ON x.indexrelid = c.oid "
        "WHERE i.inhparent = to_regclass(%s) AND x.indrelid = %s::regclass",
        [parent_index, partition],
    )
    row = cur.fetchone()
    return row[0] if row else None


def _build_online(cur, name: str, columns: str) -> None:
    cur.execute(f"CREATE INDEX IF NOT EXISTS {name} ON ONLY {TABLE} ({columns})")
    for partition in _partitions(cur):
        if _index_of(cur, name, partition):
            continue
        # Partition names end in _pYYYY_MM (or _legacy): short enough for a suffix.
        own = f"{partition}_{name.removeprefix('call_')}"
        cur.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [own])
        row = cur.fetchone()
        if row and not row[0]:  # an interrupted CONCURRENTLY build leaves it invalid
            cur.execute(f"DROP INDEX CONCURRENTLY {own}")
        cur.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {own} ON {partition} ({columns})")
        cur.execute(f"ALTER INDEX {name} ATTACH PARTITION {own}")


def forwards(apps, schema_editor):
    model = apps.get_model("portal", "CallRecord")
    with schema_editor.connection.cursor() as cur:
        online = schema_editor.connection.vendor == "postgresql" and _partitioned(cur)
        for old, old_fields, new, new_fields in REPLACED:
            if online:
                _build_online(cur, new, _columns(new_fields))
                cur.execute(f"DROP INDEX IF EXISTS {old}")
            else:  # SQLite (the embedded demo) keeps a plain table
                schema_editor.add_index(model, models.Index(fields=new_fields, name=new))
                schema_editor.remove_index(model, models.Index(fields=old_fields, name=old))


def backwards(apps, schema_editor):
    model = apps.get_model("portal", "CallRecord")
    for old, old_fields, new, new_fields in reversed(REPLACED):
        schema_editor.add_index(model, models.Index(fields=old_fields, name=old))
        schema_editor.remove_index(model, models.Index(fields=new_fields, name=new))


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("portal", "0018_call_record_partitions")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                operation
                for old, _, new, fields in REPLACED
                for operation in (
                    migrations.RemoveIndex(model_name="callrecord", name=old),
                    migrations.AddIndex(
                        model_name="callrecord", index=models.Index(fields=fields, name=new)
                    ),
                )
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]
