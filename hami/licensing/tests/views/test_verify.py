import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from hami.licensing.api import VerificationOut
from hami.licensing.models import Complaint, DecisionKind
from hami.licensing.selectors import public_licence
from hami.licensing.services.committee import licence_sanction
from hami.licensing.services.keys import mark_payload
from hami.licensing.tests.conftest import MEMBERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_public_page_shows_a_valid_licence_without_login(client, licence):
    response = client.get(reverse("verify_code", args=[licence.tracking_code]))
    assert response.status_code == 200
    text = response.text
    assert "پروانه معتبر" in text or "Valid licence" in text
    assert licence.unit.name_fa in text and "کیمیا" in text


def test_code_typed_in_persian_digits_with_spaces_redirects_to_the_licence(client, licence):
    typed = licence.tracking_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.get(reverse("verify"), {"code": f"{typed[:5]} {typed[5:]}"})
    assert response.status_code == 302 and response["Location"].endswith(f"/verify/{licence.tracking_code}/")


@pytest.mark.parametrize("code", ["0000000000", "12345", "abc", "1" * 200, "١٢٣", "۱۲۳۴۵۶۷۸۹۰"])
def test_unknown_or_malformed_codes_are_404_never_500(client, db, code):
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    assert 'id="not-found"' in response.text


def test_suspended_and_revoked_are_unmistakable(client, licence, qazvin_officer, sanction_reason):
    licence_sanction(actor=qazvin_officer, licence=licence, kind=DecisionKind.SUSPEND, reason="مردودی",
                     members_present=MEMBERS, sanction_reason=sanction_reason)  # fmt: skip
    text = client.get(reverse("verify_code", args=[licence.tracking_code])).text
    assert "alert-danger" in text and "تعلیق" in text
    client.cookies["django_language"] = "en"
    assert "SUSPENDED" in client.get(reverse("verify_code", args=[licence.tracking_code])).text
    licence_sanction(actor=qazvin_officer, licence=licence, kind=DecisionKind.REVOKE, reason="تکرار",
                     members_present=MEMBERS, sanction_reason=sanction_reason)  # fmt: skip
    assert "REVOKED" in client.get(reverse("verify_code", args=[licence.tracking_code])).text


def test_qr_payload_page_tells_genuine_from_forged(client, licence):
    payload = mark_payload(licence)
    response = client.get(reverse("verify_mark"), {"payload": payload})
    assert response.context["result"].verdict == "valid" and response.context["licence"] == licence
    forged = payload.replace(payload.split(".")[1][:4], "AAAA", 1)
    assert client.get(reverse("verify_mark"), {"payload": forged}).context["result"].verdict in (
        "tampered",
        "malformed",
    )
    assert client.get(reverse("verify_mark"), {"payload": "garbage"}).status_code == 200


def test_anyone_files_a_complaint_from_the_result(client, licence):
    url = reverse("complaint_new", args=[licence.tracking_code])
    response = client.post(url, {"text": "طعم شیر ترش بود و تاریخ تولید ناخوانا", "contact": "09120000000"})
    assert response.status_code == 200 and 'id="complaint-thanks"' in response.text
    complaint = Complaint.objects.get()
    assert complaint.licence == licence and complaint.province.code == "qazvin"


def test_complaint_about_an_unknown_code_is_kept_for_supervision(client, db):
    response = client.post("/verify/1234567890/complaint/", {"text": "این کد روی بسته چای تقلبی است"})
    assert response.status_code == 200
    assert Complaint.objects.get().licence is None


def test_empty_complaint_is_refused_and_nothing_stored(client, licence):
    response = client.post(reverse("complaint_new", args=[licence.tracking_code]), {"text": "بد"})
    assert response.status_code == 400 and not Complaint.objects.exists()


@override_settings(HAMI_VERIFY_RATE="3/min")
def test_verification_is_rate_limited_per_client(client, licence):
    url = reverse("verify_code", args=[licence.tracking_code])
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    other = client.get(url, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_api_verification_is_public_and_bilingual(client, licence):
    body = client.get(f"/api/v1/verify/{licence.tracking_code}").json()
    assert body["valid"] is True and body["state"] == "active"
    assert body["state_label"] == {"fa": "فعال", "en": "Active"}
    assert body["unit"]["fa"] == licence.unit.name_fa and body["standard"] == "INSO 93:2020"


def test_api_verification_body_is_the_schema_with_the_licence_values(
    client, licence, qazvin_officer, sanction_reason
):
    # The endpoint builds its JSON by hand (speed); this is what keeps it true to VerificationOut.
    licence_sanction(actor=qazvin_officer, licence=licence, kind=DecisionKind.SUSPEND, reason="مردودی",
                     members_present=MEMBERS, sanction_reason=sanction_reason)  # fmt: skip
    licence.refresh_from_db()
    body = client.get(f"/api/v1/verify/{licence.tracking_code}").json()
    assert VerificationOut.model_validate(body).model_dump(mode="json") == body
    version = licence.current
    assert body == {
        "tracking_code": licence.tracking_code,
        "state": "suspended",
        "state_label": {"fa": "تعلیق‌شده", "en": "Suspended"},
        "valid": False,
        "unit": {"fa": licence.unit.name_fa, "en": licence.unit.name_en},
        "unit_national_id": licence.unit.national_id,
        "product": version.product_name,
        "brand": version.brand,
        "model": version.model,
        "standard": licence.standard.code,
        "standard_title": {"fa": licence.standard.title_fa, "en": licence.standard.title_en},
        "issuing_office": {"fa": licence.province.name_fa, "en": licence.province.name_en},
        "issued_on": version.issued_on.isoformat(),
        "expires_on": licence.expires_on.isoformat(),
    }


@override_settings(HAMI_VERIFY_RATE="2/min")
def test_ninja_operation_answers_like_the_view_that_serves_the_url(client, licence):
    # config/urls.py serves /api/v1/verify/<code> with a plain view; the Ninja operation documents it.
    from ninja.testing import TestClient

    from hami.licensing.api import router

    ninja = TestClient(router)
    for code in (licence.tracking_code, "0000000000", "not-a-code"):
        cache.clear()
        served = client.get(f"/api/v1/verify/{code}")
        documented = ninja.get(f"/verify/{code}")
        assert (served.status_code, served.json()) == (documented.status_code, documented.json())
    cache.clear()
    statuses = [client.get(f"/api/v1/verify/{licence.tracking_code}").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(f"/api/v1/verify/{licence.tracking_code}").json()["code"] == "rate_limited"
    assert client.post(f"/api/v1/verify/{licence.tracking_code}").status_code == 405


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_public_lookup_is_prepared_once_per_connection_on_postgresql(licence):
    for _ in range(6):
        assert public_licence(licence.tracking_code).tracking_code == licence.tracking_code
    assert public_licence("0000000000") is None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%tracking_code = $1%"]
        )
        assert cursor.fetchone()[0] == 1


def test_api_unknown_code_is_404(client, db):
    response = client.get("/api/v1/verify/0000000000")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/v1/verify/x' OR 1=1").status_code == 404


def test_api_mark_and_complaint(client, licence):
    body = client.get("/api/v1/verify-mark", {"payload": mark_payload(licence)}).json()
    assert body["signature"] == "valid" and body["licence"]["tracking_code"] == licence.tracking_code
    assert client.get("/api/v1/verify-mark", {"payload": "HAMI1.x.y"}).json() == {
        "signature": "malformed",
        "licence": None,
    }
    response = client.post(
        f"/api/v1/verify/{licence.tracking_code}/complaints",
        {"text": "بسته‌بندی نشتی داشت و بوی نامطبوع"},
        content_type="application/json",
    )
    assert response.status_code == 201 and Complaint.objects.count() == 1


@override_settings(HAMI_VERIFY_RATE="2/min")
def test_api_rate_limit_answers_429(client, licence):
    url = f"/api/v1/verify/{licence.tracking_code}"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
