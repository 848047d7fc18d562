"""The licence certificate as PDF, in Persian or English, with the signed QR code.

fpdf2 shapes Persian through HarfBuzz (uharfbuzz) and lays it out right to left; Vazirmatn is
embedded, so the PDF reads the same on any machine. The QR payload is also stored in the PDF's
keywords, so a program (and our tests) can check it against the licence without decoding the image.
"""

import io
from pathlib import Path

import segno
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from hami.core.jalali import format_date
from hami.core.persian import to_persian_digits
from hami.licensing.models import Licence

FONTS = Path(settings.BASE_DIR) / "hami" / "core" / "static" / "vendor" / "vazirmatn" / "fonts"


def render_certificate(licence: Licence, payload: str | None, language: str = "fa") -> bytes:
    with translation.override(language):
        return _render(licence, payload, language)


def _render(licence: Licence, payload: str | None, language: str) -> bytes:
    persian = language == "fa"
    version = licence.current
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("Vazirmatn", "", str(FONTS / "Vazirmatn-Regular.ttf"))
    pdf.add_font("Vazirmatn", "B", str(FONTS / "Vazirmatn-Bold.ttf"))
    # Direction and script are found per run of text (fpdf2's bidi + HarfBuzz), so a Persian brand
    # on the English certificate is shaped right to left as well.
    pdf.set_text_shaping(use_shaping_engine=True, language="fas" if persian else "eng")
    pdf.set_title(_("Standard-mark licence {number}").format(number=licence.number))
    pdf.set_author(licence.province.name_fa if persian else licence.province.name_en)
    pdf.set_keywords(payload or "")
    pdf.set_creator("Hami")
    pdf.add_page()
    align = "R" if persian else "L"

    def digits(text) -> str:
        return to_persian_digits(str(text)) if persian else str(text)

    pdf.set_draw_color(13, 110, 253)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 190, 277)
    pdf.set_font("Vazirmatn", "B", 20)
    pdf.set_y(22)
    pdf.cell(0, 12, _("Standard-mark licence"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Vazirmatn", "", 12)
    office = licence.province.name_fa if persian else licence.province.name_en
    pdf.cell(0, 8, _("Standards office of {province}").format(province=office), align="C",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.ln(6)
    unit, standard = licence.unit, licence.standard
    unit_name = unit.name_fa if persian or not unit.name_en else unit.name_en
    standard_title = standard.title_fa if persian or not standard.title_en else standard.title_en
    rows = [
        (_("Licence number"), digits(licence.number)),
        (_("Tracking code"), digits(licence.tracking_code)),
        (_("Producer"), unit_name),
        (_("National legal identifier"), digits(licence.unit.national_id)),
        (_("Product"), digits(version.product_label)),
        (_("Brand"), version.brand),
        (_("Standard"), f"{digits(licence.standard.code)} — {standard_title}"),
        (_("Certification scheme"), version.get_scheme_display()),
        (_("Issued on"), format_date(version.issued_on, long=True, language=language)),
        (_("Expires on"), format_date(licence.expires_on, long=True, language=language)),
        (_("State"), licence.get_state_display()),
    ]
    label_width, value_width = 55, 125
    for label, value in rows:
        pdf.set_font("Vazirmatn", "B", 11)
        if persian:
            x = pdf.get_x()
            pdf.set_x(x + value_width)
            pdf.cell(label_width, 9, label, align=align)
            pdf.set_x(x)
            pdf.set_font("Vazirmatn", "", 11)
            pdf.multi_cell(value_width, 9, value, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.cell(label_width, 9, label, align=align)
            pdf.set_font("Vazirmatn", "", 11)
            pdf.multi_cell(value_width, 9, value, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if payload:
        image = io.BytesIO()
        segno.make(payload, error="m").save(image, kind="png", scale=6, border=2)
        image.seek(0)
        pdf.image(image, x=75, y=195, w=60, h=60)
        pdf.set_y(257)
        pdf.set_font("Vazirmatn", "", 9)
        pdf.cell(0, 6, _("Scan the QR code or enter the tracking code at the public verification page."),
                 align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    return bytes(pdf.output())
