"""Rules Django cannot express portably, enforced by PostgreSQL itself.

* Composite foreign keys make "the countries of an assignment are a subset of the countries its
  operator serves" a database rule (AssignmentCountry → OperatorCountry and → the assignment's
  own operator).
* A trigger makes audit events append-only: UPDATE and DELETE raise.

SQLite (the embedded default) relies on the services for both.
"""

from django.db import migrations

FORWARD = [
    """
    ALTER TABLE portal_assignmentcountry
      ADD CONSTRAINT assignment_country_served_by_operator
      FOREIGN KEY (operator_id, country)
      REFERENCES portal_operatorcountry (operator_id, country)
      ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED
    """,
    """
    ALTER TABLE portal_assignmentcountry
      ADD CONSTRAINT assignment_country_same_operator
      FOREIGN KEY (assignment_id, operator_id)
      REFERENCES portal_operatorassignment (id, operator_id)
      ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
    """,
    """
    CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION 'audit events are append-only';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER portal_auditevent_append_only
      BEFORE UPDATE OR DELETE ON portal_auditevent
      FOR EACH ROW EXECUTE FUNCTION portal_audit_append_only()
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS portal_auditevent_append_only ON portal_auditevent",
    "DROP FUNCTION IF EXISTS portal_audit_append_only()",
    "ALTER TABLE portal_assignmentcountry DROP CONSTRAINT IF EXISTS assignment_country_same_operator",
    "ALTER TABLE portal_assignmentcountry DROP CONSTRAINT IF EXISTS assignment_country_served_by_operator",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
