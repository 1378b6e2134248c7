"""Turn masking on for existing tenants in countries where Microsoft masks digits."""

from django.db import migrations

MASKING_COUNTRIES = ["DE", "FR", "CH"]


def forwards(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    Tenant.objects.filter(country__in=MASKING_COUNTRIES).update(mask_external_digits=True)


class Migration(migrations.Migration):
    dependencies = [("exports", "0001_initial"), ("portal", "0002_postgres_rules")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
