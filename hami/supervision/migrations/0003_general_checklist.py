"""The general checklist every province starts with: what a standards office checks at any licensed
producer, whatever its standard (services.checklists.checklist_for falls back to it). The national admin
adds checklists per scheme and standard, and may edit these items; the migration never overwrites them."""

from django.db import migrations

CODE = "general"
NAME_FA = "فهرست بازرسی عمومی واحدهای تولیدی دارای پروانه"
NAME_EN = "General checklist for licensed production units"

# (code, text_fa, text_en, usual severity, guidance)
ITEMS = [
    (
        "qc-manager-present",
        "مسئول کنترل کیفیت در زمان بازرسی در واحد حضور دارد",
        "The QC manager is present at the unit during the visit",
        "major",
        "",
    ),
    (
        "qc-manager-certificate",
        "مسئول کنترل کیفیت گواهی صلاحیت معتبر دارد",
        "The QC manager holds a valid competence certificate",
        "major",
        "نام و تاریخ انقضای گواهی ثبت‌شده در سامانه بالای صفحه بازرسی آمده است؛ آن را با اصل گواهی مقایسه کنید.",
    ),
    (
        "production-records",
        "سوابق تولید (شماره بهر، تاریخ تولید و مقدار) ثبت و نگهداری می‌شود",
        "Production records (batch number, production date, quantity) are kept",
        "major",
        "",
    ),
    (
        "test-records",
        "سوابق آزمون‌های کنترل کیفیت داخل کارخانه ثبت و نگهداری می‌شود",
        "Records of the in-house quality-control tests are kept",
        "major",
        "",
    ),
    (
        "test-frequency",
        "آزمون‌های داخلی با تناوب تعیین‌شده در استاندارد یا طرح کنترل کیفیت انجام می‌شود",
        "In-house tests are done as often as the standard or the quality-control plan requires",
        "major",
        "",
    ),
    (
        "calibration",
        "تجهیزات اندازه‌گیری و آزمون کالیبره‌اند و گواهی کالیبراسیون معتبر دارند",
        "Measuring and test equipment is calibrated, with valid calibration certificates",
        "major",
        "",
    ),
    (
        "raw-materials",
        "مواد اولیه و اجزای ورودی پیش از مصرف کنترل و سوابق آن نگهداری می‌شود",
        "Incoming raw materials and components are checked before use and the checks recorded",
        "major",
        "",
    ),
    (
        "mark-use",
        "علامت استاندارد و کد رهگیری به‌درستی روی محصول و بسته‌بندی درج شده است",
        "The standard mark and tracking codes are used correctly on products and packaging",
        "critical",
        "کد رهگیری چند کالای انبار را در صفحه استعلام علامت بررسی کنید.",
    ),
    (
        "storage",
        "انبارش و جابه‌جایی محصول نهایی به‌گونه‌ای است که کیفیت آن حفظ شود",
        "Finished goods are stored and handled so that their quality is kept",
        "minor",
        "",
    ),
    (
        "nonconforming-product",
        "محصول نامنطبق شناسایی، جدا، ثبت و تعیین تکلیف می‌شود",
        "Nonconforming product is identified, set apart, recorded and dealt with",
        "major",
        "",
    ),
    (
        "complaints",
        "شکایات مشتریان ثبت، بررسی و پیگیری می‌شود",
        "Customer complaints are recorded, investigated and followed up",
        "minor",
        "",
    ),
    (
        "labels",
        "برچسب محصول اطلاعات الزامی استاندارد را دارد",
        "Product labels carry the information the standard requires",
        "major",
        "",
    ),
]


def load(apps, schema_editor):
    Checklist = apps.get_model("supervision", "Checklist")
    ChecklistItem = apps.get_model("supervision", "ChecklistItem")
    checklist, created = Checklist.objects.get_or_create(
        code=CODE, defaults={"name_fa": NAME_FA, "name_en": NAME_EN, "scheme": "", "standard": None}
    )
    if not created:
        return  # the national admin's edits win
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            checklist=checklist,
            code=code,
            text_fa=text_fa,
            text_en=text_en,
            severity=severity,
            guidance=guidance,
            order=(i + 1) * 10,
        )
        for i, (code, text_fa, text_en, severity, guidance) in enumerate(ITEMS)
    )


def unload(apps, schema_editor):
    Checklist = apps.get_model("supervision", "Checklist")
    ChecklistItem = apps.get_model("supervision", "ChecklistItem")
    # Refused (PROTECT) once a visit answered an item: the answers need their items.
    ChecklistItem.objects.filter(checklist__code=CODE).delete()
    Checklist.objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_inspections_and_enforcement")]
    operations = [migrations.RunPython(load, unload)]
