"""The public check of a certificate by its code, on the page and through the API: valid, expired,
renewed, revoked, unknown and malformed codes; the shared /verify/ page sends a 12-digit code here."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from hami.outreach.models import Certificate
from hami.outreach.services.certificates import certificate_revoke, new_certificate_code
from hami.outreach.services.training import attendance_record, session_complete
from hami.outreach.tests.training.conftest import register, schedule, took_place

pytestmark = pytest.mark.django_db

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(qc_course, qazvin_officer, unit_rep, qazvin_unit) -> Certificate:
    session = schedule(qazvin_officer, qc_course, capacity=5)
    registration = register(unit_rep, session, qazvin_unit, name="فاطمه حسینی", code="0012345679")
    took_place(session)
    attendance_record(actor=qazvin_officer, session=session, attended=[registration.pk])
    [certificate] = session_complete(actor=qazvin_officer, session=session)
    return certificate


def _page(client, code):
    return client.get(reverse("certificate_verify", args=[code]))


def _api(client, code):
    return client.get(f"/api/v1/certificates/verify/{code}")


def test_a_valid_certificate_is_shown_to_anyone_with_the_national_code_masked(client, certificate):
    response = _page(client, certificate.code)
    assert response.status_code == 200
    text = response.text
    assert "فاطمه حسینی" in text and certificate.course.title_fa in text and "alert-success" in text
    assert "0012345679" not in text and "0012345679".translate(PERSIAN) not in text
    assert "001*****79".translate(PERSIAN) in text
    body = _api(client, certificate.code).json()
    assert body["valid"] is True and body["status"] == "valid" and body["national_code"] == "001*****79"
    assert body["holder"] == "فاطمه حسینی" and body["qc_competence"] is True
    assert body["issued_on"] == certificate.issued_on.isoformat()
    assert body["expires_on"] == certificate.expires_on.isoformat()
    assert body["status_label"]["en"] == "Valid" and body["issuing_office"]["en"] == "Qazvin"


def test_an_expired_certificate_says_so(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    client.cookies["django_language"] = "en"
    text = _page(client, certificate.code).text
    assert "EXPIRED" in text and "alert-warning" in text
    body = _api(client, certificate.code).json()
    assert body["valid"] is False and body["status"] == "expired"


def test_a_revoked_certificate_says_so(client, certificate, qazvin_officer):
    certificate_revoke(actor=qazvin_officer, certificate=certificate, reason="تقلب در آزمون")
    client.cookies["django_language"] = "en"
    text = _page(client, certificate.code).text
    assert "REVOKED" in text and "alert-danger" in text
    body = _api(client, certificate.code).json()
    assert body["valid"] is False and body["status"] == "revoked"


def test_a_renewed_certificate_points_to_its_successor(
    client, certificate, renewal_course, qazvin_officer, unit_rep, qazvin_unit
):
    session = schedule(qazvin_officer, renewal_course, capacity=5)
    registration = register(unit_rep, session, qazvin_unit, name="فاطمه حسینی", code="0012345679")
    took_place(session)
    attendance_record(actor=qazvin_officer, session=session, attended=[registration.pk])
    [newer] = session_complete(actor=qazvin_officer, session=session)
    text = _page(client, certificate.code).text
    assert reverse("certificate_verify", args=[newer.code]) in text
    body = _api(client, certificate.code).json()
    assert body["status"] == "renewed" and body["renewed_by"] == newer.code and body["valid"] is False
    assert _api(client, newer.code).json()["valid"] is True


@pytest.mark.parametrize("code", ["unknown", "12345", "abc", "1" * 200, "١٢٣", "0" * 12, "-", "%20"])
def test_malformed_codes_are_404_never_500(client, db, code):
    response = _page(client, code)
    assert response.status_code == 404 and 'id="not-found"' in response.text
    response = _api(client, code)
    assert response.status_code == 404 and response.json()["code"] == "unknown_certificate"


def test_a_well_formed_code_no_certificate_has_is_404(client, certificate):
    code = new_certificate_code()
    while code == certificate.code:
        code = new_certificate_code()
    assert _page(client, code).status_code == 404
    body = _api(client, code).json()
    assert body["code"] == "unknown_certificate" and body["message"]


def test_a_code_typed_in_persian_digits_with_spaces_is_found(client, certificate):
    typed = certificate.code.translate(PERSIAN)
    assert _page(client, f"{typed[:4]} {typed[4:8]}-{typed[8:]}").status_code == 200
    assert _api(client, typed).json()["code"] == certificate.code


def test_the_shared_verify_page_sends_a_certificate_code_to_its_page(client, certificate):
    typed = certificate.code.translate(PERSIAN)
    response = client.get(reverse("verify"), {"code": f"{typed[:6]} {typed[6:]}"})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificate_verify", args=[certificate.code])
    assert client.get(response["Location"]).status_code == 200
    # ten digits are still a licence's tracking code
    response = client.get(reverse("verify"), {"code": "1234567890"})
    assert response.status_code in (302, 404) and "certificate" not in response.get("Location", "")
    assert 'id="certificate-hint"' in client.get(reverse("verify")).text


@override_settings(HAMI_VERIFY_RATE="3/min")
def test_the_check_is_rate_limited_like_the_licence_check(client, certificate):
    for _ in range(3):
        assert _page(client, certificate.code).status_code == 200
    response = _page(client, certificate.code)
    assert response.status_code == 429 and 'id="rate-limited"' in response.text
    response = _api(client, certificate.code)
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"


def test_the_public_check_takes_one_query(client, certificate, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the certificate with its course, session and successor
        assert _api(client, certificate.code).status_code == 200
