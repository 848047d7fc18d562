"""Data: Iran's 31 provinces and their counties, from hami/core/data/provinces.json."""

from django.db import migrations

from hami.core.divisions import load_divisions


def load(apps, schema_editor):
    load_divisions(apps.get_model("core", "Province"), apps.get_model("core", "County"))


def unload(apps, schema_editor):
    apps.get_model("core", "County").objects.all().delete()
    apps.get_model("core", "Province").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
