"""Two fixes from the foundation tests (branch foundtests).

* Acknowledgement.kind was the one enum column without a database check.
* The append-only audit trigger raised a bare P0001 (Django: ProgrammingError, which reads as
  "bad SQL"); it now raises SQLSTATE 23001 restrict_violation, so a write to the audit log is
  refused with an IntegrityError like every other broken rule.
"""

from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_postgres_rules")]

    operations = [
        migrations.AddConstraint(
            model_name="acknowledgement",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["enable", "assign"])),
                name="acknowledgement_kind_valid",
            ),
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
