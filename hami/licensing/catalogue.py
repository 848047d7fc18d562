"""The starting catalogue of reasons for suspension and revocation; the national admin keeps it after."""

REASONS = [
    ("qc-manager-inactive", "مسئول کنترل کیفیت فعال نیست", "QC manager inactive"),
    ("production-stopped", "توقف تولید بیش از شش ماه", "Production stopped for more than 6 months"),
    ("failed-surveillance-test", "مردودی در آزمون نظارتی", "Failed surveillance test"),
    ("misleading-advertising", "تبلیغات گمراه‌کننده", "Misleading advertising"),
    ("mark-misuse", "استفاده نادرست از علامت استاندارد", "Misuse of the standard mark"),
    (
        "corrective-action-not-taken",
        "انجام ندادن اقدام اصلاحی در مهلت",
        "Corrective action not taken in time",
    ),
    ("fees-unpaid", "پرداخت نکردن هزینه‌های نظارت", "Supervision fees unpaid"),
]


def load_sanction_reasons(model) -> None:
    """Create the missing reasons; takes the model so a data migration can pass its historical one."""
    for code, fa, en in REASONS:
        model.objects.get_or_create(code=code, defaults={"name_fa": fa, "name_en": en})
