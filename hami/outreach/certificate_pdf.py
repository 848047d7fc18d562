"""A training certificate as PDF, in Persian or English, with a QR code to its public verification page.

Made the way the licence certificate is (hami/licensing/certificate.py): fpdf2 shapes Persian through
HarfBuzz (uharfbuzz) and lays it out right to left, and Vazirmatn is embedded so the PDF reads the
same on any machine. The verification code is also in the PDF's keywords, so a program (and our
tests) can match a file to its record without decoding the image.
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
from hami.outreach.models import Certificate, CertificateStatus, CourseKind

FONTS = Path(settings.BASE_DIR) / "hami" / "core" / "static" / "vendor" / "vazirmatn" / "fonts"


def render_certificate(certificate: Certificate, verify_url: str, language: str = "fa") -> bytes:
    """The PDF of `certificate`; `verify_url` (absolute) is what its QR code holds."""
    with translation.override(language):
        return _render(certificate, verify_url, language)


def _render(certificate: Certificate, verify_url: str, language: str) -> bytes:
    persian = language == "fa"
    session = certificate.registration.session
    course = certificate.course

    def digits(text) -> str:
        return to_persian_digits(str(text)) if persian else str(text)

    def pick(fa: str, en: str) -> str:
        return fa if persian or not en else en

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("Vazirmatn", "", str(FONTS / "Vazirmatn-Regular.ttf"))
    pdf.add_font("Vazirmatn", "B", str(FONTS / "Vazirmatn-Bold.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, language="fas" if persian else "eng")
    qc = course.kind in (CourseKind.QC_COMPETENCE, CourseKind.QC_RENEWAL)
    heading = _("QC manager competence certificate") if qc else _("Training certificate")
    pdf.set_title(_("{heading} {code}").format(heading=heading, code=certificate.code))
    pdf.set_author(pick(session.province.name_fa, session.province.name_en))
    pdf.set_keywords(certificate.code)
    pdf.set_creator("Hami")
    pdf.add_page()
    align = "R" if persian else "L"

    pdf.set_draw_color(25, 135, 84)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("Vazirmatn", "B", 22)
    pdf.set_y(20)
    pdf.cell(0, 12, heading, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Vazirmatn", "", 12)
    office = pick(session.province.name_fa, session.province.name_en)
    pdf.cell(0, 8, _("Standards office of {province}").format(province=office), align="C",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.ln(4)
    unit = certificate.unit
    dates = _("{start} to {end}").format(
        start=format_date(session.starts_at, long=True, language=language),
        end=format_date(session.ends_at, long=True, language=language),
    )
    rows = [
        (_("Holder"), certificate.full_name),
        (_("National code"), digits(certificate.national_code)),
        (_("Production unit"), pick(unit.name_fa, unit.name_en)),
        (_("Course"), pick(course.title_fa, course.title_en)),
        (_("Hours"), digits(course.hours)),
        (_("Held on"), dates),
        (_("Issued on"), format_date(certificate.issued_on, long=True, language=language)),
        (
            _("Expires on"),
            format_date(certificate.expires_on, long=True, language=language)
            if certificate.expires_on
            else _("Does not expire"),
        ),
        (_("Verification code"), digits(certificate.code)),
    ]
    if certificate.renews_id:
        rows.append((_("Renews certificate"), digits(certificate.renews.code)))
    if certificate.status != CertificateStatus.VALID:
        rows.append((_("Status"), certificate.get_status_display()))
    label_width, value_width = 50, 150
    # The table sits beside the QR code: on the right in Persian (the QR on the left), the reverse in English.
    left = 20 if not persian else 77
    for label, value in rows:
        pdf.set_font("Vazirmatn", "B", 12)
        if persian:
            pdf.set_x(left + value_width)
            pdf.cell(label_width, 9, label, align=align)
            pdf.set_x(left)
        else:
            pdf.set_x(left)
            pdf.cell(label_width, 9, label, align=align)
        pdf.set_font("Vazirmatn", "", 12)
        pdf.multi_cell(value_width, 9, value, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    image = io.BytesIO()
    segno.make(verify_url, error="m").save(image, kind="png", scale=6, border=2)
    image.seek(0)
    qr_x = 25 if persian else 222
    pdf.image(image, x=qr_x, y=95, w=50, h=50)
    pdf.set_xy(qr_x - 10, 147)
    pdf.set_font("Vazirmatn", "", 8)
    hint = _("Scan the QR code, or enter the verification code at the public verification page.")
    pdf.multi_cell(70, 5, hint, align="C")
    pdf.set_xy(qr_x - 10, 160)
    pdf.cell(70, 5, verify_url, align="C")
    return bytes(pdf.output())
