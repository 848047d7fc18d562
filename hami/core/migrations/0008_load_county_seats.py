"""Data: the coordinates of county seats and province capitals, from hami/core/data/county_seats.json."""

from django.db import migrations

from hami.core.geo import load_seat_coordinates


def load(apps, schema_editor):
    load_seat_coordinates(apps.get_model("core", "Province"), apps.get_model("core", "County"))


class Migration(migrations.Migration):
    # 0007 adds the latitude/longitude columns (schema); this one fills them (data). Reversing it leaves the
    # values in place: unapplying 0007 drops the columns anyway.
    dependencies = [("core", "0007_county_latitude_county_longitude_province_latitude_and_more")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
