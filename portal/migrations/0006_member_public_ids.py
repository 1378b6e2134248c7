"""Memberships get a non-guessable public id for the API (rows existing before get one each)."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    for name in ("Membership", "OperatorMembership"):
        model = apps.get_model("portal", name)
        for pk in model.objects.filter(public_id__isnull=True).values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(public_id=uuid.uuid4())


def public_id(**kwargs):
    return models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="How the API names this membership: not guessable, unlike the row id.",
        **kwargs,
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_gate_relationship_period_reasons")]

    operations = [
        # No default while adding: a callable default is evaluated once for every existing row.
        migrations.AddField("membership", "public_id", models.UUIDField(null=True)),
        migrations.AddField("operatormembership", "public_id", models.UUIDField(null=True)),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField("membership", "public_id", public_id(unique=True)),
        migrations.AlterField("operatormembership", "public_id", public_id(unique=True)),
    ]
