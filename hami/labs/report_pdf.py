"""A test report as PDF, in Persian or English, drawn only from the report's frozen content.

An issued TestReport never changes, and neither does its PDF: everything printed comes from
`TestReport.content`, written once when the report is issued (hami/labs/services/results.py). The
report number is in the PDF's keywords so a program can match a file to its record. Fonts and
shaping as for the licence certificate (hami/licensing/certificate.py).
"""

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from hami.core.jalali import format_date, format_datetime
from hami.core.persian import to_persian_digits
from hami.labs.models import SampleOrigin, TestReport, Verdict
from hami.licensing.certificate import FONTS
from hami.standards.models import DecisionRule


def render_report(report: TestReport, language: str = "fa") -> bytes:
    with translation.override(language):
        return _render(report.content, language)


def _render(content: dict, language: str) -> bytes:
    persian = language == "fa"

    def digits(text) -> str:
        return to_persian_digits(str(text)) if persian else str(text)

    def pick(pair: dict) -> str:
        return pair["fa"] if persian or not pair.get("en") else pair["en"]

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.add_font("Vazirmatn", "", str(FONTS / "Vazirmatn-Regular.ttf"))
    pdf.add_font("Vazirmatn", "B", str(FONTS / "Vazirmatn-Bold.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, language="fas" if persian else "eng")
    pdf.set_title(_("Test report {number}").format(number=content["number"]))
    pdf.set_author(pick(content["lab"]))
    pdf.set_keywords(content["number"])
    pdf.set_creator("Hami")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    align = "R" if persian else "L"

    pdf.set_font("Vazirmatn", "B", 16)
    pdf.cell(0, 10, _("Test report"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Vazirmatn", "", 11)
    pdf.cell(0, 7, pick(content["lab"]), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    lab = content["lab"]
    if lab.get("accreditation"):
        expiry = (
            format_date(dt.date.fromisoformat(lab["expiry"]), language=language) if lab.get("expiry") else ""
        )
        pdf.set_font("Vazirmatn", "", 9)
        pdf.cell(0, 6, _("ISO/IEC 17025 accreditation {number} ({body}), valid until {expiry}").format(
            number=digits(lab["accreditation"]), body=lab.get("body", ""), expiry=expiry),
            align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.ln(3)
    sample = content["sample"]
    standard = content["standard"]
    rows = [
        (_("Report number"), digits(content["number"])),
        (_("Version"), digits(content["version"])),
    ]
    if content.get("amends"):
        rows.append((_("Amends report"), digits(content["amends"])))
        rows.append((_("Reason for the amendment"), content.get("reason", "")))
    rows += [
        (_("Order"), digits(content["order"])),
        (_("Sample"), digits(sample["code"])),
        (_("Seal number"), digits(sample["seal"])),
        (_("Taken at"), f"{SampleOrigin(sample['origin']).label} · "
         f"{format_datetime(dt.datetime.fromisoformat(sample['taken_at']), language=language)}"),
        (_("Lot"), _("{lot} — lot size {size}, sample size {n}").format(
            lot=digits(sample.get("lot_number") or "—"), size=digits(sample["lot_size"]),
            n=digits(sample["sample_size"]))),
        (_("Producer"), f"{pick(content['unit'])} ({digits(content['unit']['national_id'])})"),
        (_("Product"), digits(content["product"])),
        (_("Standard"), f"{digits(standard['code'])} — {pick(standard['title'])}"),
        (_("Decision rule"), DecisionRule(content["decision_rule"]).label),
    ]  # fmt: skip
    label_width, value_width = 45, 135
    for label, value in rows:
        _pair(pdf, persian, align, label, value, label_width, value_width)

    pdf.ln(4)
    widths = [14, 52, 30, 40, 24, 20]  # clause, requirement, limit, result, method, verdict
    headers = [_("Clause"), _("Requirement"), _("Limit"), _("Result"), _("Method"), _("Verdict")]
    _table_row(pdf, persian, widths, headers, bold=True)
    for item in content["items"]:
        if item.get("outcome"):
            result = Verdict.PASS.label if item["outcome"] == "pass" else Verdict.FAIL.label
        elif item.get("value") is None:
            result = "—"
        else:
            result = digits(item["value"])
            if item.get("uncertainty") is not None:
                result += f" ± {digits(item['uncertainty'])}"
            result += f" {item.get('unit', '')}"
        cells = [
            digits(item["clause"]),
            pick(item["title"]),
            digits(item["limit"]),
            result,
            digits(item.get("method") or ""),
            Verdict(item["verdict"]).label if item.get("verdict") else "—",
        ]
        _table_row(pdf, persian, widths, cells)
    pdf.ln(4)
    pdf.set_font("Vazirmatn", "B", 12)
    pdf.cell(0, 8, _("Overall verdict: {verdict}").format(verdict=Verdict(content["verdict"]).label),
             align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font("Vazirmatn", "", 9)
    issued = format_datetime(dt.datetime.fromisoformat(content["issued_at"]), language=language)
    pdf.cell(0, 6, _("Issued {when} by {who}.").format(when=issued, who=content["issued_by"]),
             align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.multi_cell(0, 5, _("The results relate only to the sample tested. This report must not be reproduced "
                           "except in full."), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    return bytes(pdf.output())


def _pair(pdf, persian, align, label, value, label_width, value_width) -> None:
    pdf.set_font("Vazirmatn", "B", 10)
    if persian:
        x = pdf.get_x()
        pdf.set_x(x + value_width)
        pdf.cell(label_width, 7, label, align=align)
        pdf.set_x(x)
    else:
        pdf.cell(label_width, 7, label, align=align)
    pdf.set_font("Vazirmatn", "", 10)
    pdf.multi_cell(value_width, 7, value, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table_row(pdf, persian, widths, cells, bold=False) -> None:
    """One row of bordered cells; right to left for Persian. Tall cells wrap and the row grows."""
    pdf.set_font("Vazirmatn", "B" if bold else "", 8)
    order = list(zip(widths, cells, strict=True))
    if persian:
        order.reverse()
    heights = [len(pdf.multi_cell(width, 5, text, dry_run=True, output="LINES")) * 5 for width, text in order]
    height = max(heights)
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    y, x = pdf.get_y(), pdf.l_margin
    for width, text in order:
        pdf.rect(x, y, width, height)
        pdf.set_xy(x, y)
        pdf.multi_cell(width, 5, text, align="R" if persian else "L")
        x += width
    pdf.set_xy(pdf.l_margin, y + height)
