"""Data: the starting catalogue of reasons for suspension and revocation."""

from django.db import migrations

from hami.licensing.catalogue import REASONS, load_sanction_reasons


def load(apps, schema_editor):
    load_sanction_reasons(apps.get_model("licensing", "SanctionReason"))


def unload(apps, schema_editor):
    apps.get_model("licensing", "SanctionReason").objects.filter(code__in=[r[0] for r in REASONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
