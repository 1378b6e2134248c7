"""Published notice versions are immutable: on PostgreSQL a trigger refuses UPDATE and DELETE.

SQLite (the embedded default) relies on ``NoticeVersion.save``/``delete`` refusing.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION notices_version_immutable() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION 'published notice versions are immutable';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER notices_noticeversion_immutable
      BEFORE UPDATE OR DELETE ON notices_noticeversion
      FOR EACH ROW EXECUTE FUNCTION notices_version_immutable()
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS notices_noticeversion_immutable ON notices_noticeversion",
    "DROP FUNCTION IF EXISTS notices_version_immutable()",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
