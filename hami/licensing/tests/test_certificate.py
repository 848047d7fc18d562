import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hami.licensing.services.keys import verify_payload

pytestmark = pytest.mark.django_db


def _pdf(client, licence, lang=""):
    url = reverse("licensing:licence_certificate", args=[licence.public_id])
    response = client.get(url + (f"?lang={lang}" if lang else ""))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def test_persian_certificate_carries_the_signed_payload_and_embeds_its_font(client, unit_rep, licence):
    client.force_login(unit_rep)
    pdf = _pdf(client, licence)
    payload = pdf.metadata["/Keywords"]
    result = verify_payload(payload)
    assert result.verdict == "valid" and result.claims["t"] == licence.tracking_code
    assert result.claims["e"] == licence.expires_on.isoformat()
    page = pdf.pages[0]
    fonts = page["/Resources"]["/Font"]
    descriptors = [
        fonts[name].get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for name in fonts
    ]
    assert all("/FontFile2" in d.get_object() for d in descriptors)  # TrueType embedded, not referenced
    assert "Vazirmatn" in str(descriptors[0].get_object()["/FontName"])
    text = page.extract_text()
    persian_code = licence.tracking_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert persian_code in text or persian_code[::-1] in text
    assert page.images, "the QR code image is on the page"


def test_english_certificate_has_gregorian_dates(client, unit_rep, licence):
    client.force_login(unit_rep)
    text = _pdf(client, licence, "en").pages[0].extract_text()
    assert licence.tracking_code in text and str(licence.expires_on.year) in text


def test_certificate_is_scoped(client, tehran_officer, licence):
    client.force_login(tehran_officer)
    url = reverse("licensing:licence_certificate", args=[licence.public_id])
    assert client.get(url).status_code == 404
