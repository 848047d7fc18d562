"""The topics every province starts with; the fallback `quality-control` is the one referrals use when
no topic names the failed test's standard or product category (hami/outreach/selectors.py)."""

from django.db import migrations

TOPICS = [
    ("quality-control", "استقرار و بهبود کنترل کیفیت", "Setting up and improving quality control"),
    ("testing", "آزمون و آزمایشگاه کارخانه", "Testing and the factory lab"),
    ("labelling", "نشانه‌گذاری و برچسب‌گذاری", "Marking and labelling"),
    ("licensing", "پروانه کاربرد علامت استاندارد", "The standard-mark licence"),
    ("export", "صادرات و ارزیابی انطباق", "Export and conformity assessment"),
]


def load(apps, schema_editor):
    Topic = apps.get_model("outreach", "Topic")
    for code, name_fa, name_en in TOPICS:
        Topic.objects.get_or_create(code=code, defaults={"name_fa": name_fa, "name_en": name_en})


def unload(apps, schema_editor):
    apps.get_model("outreach", "Topic").objects.filter(code__in=[t[0] for t in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
