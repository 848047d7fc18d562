import pytest

from hami.core.tokens import api_token_create
from hami.registry.models import ProductionUnit
from hami.registry.tests.factories import ProductFactory
from hami.standards.tests.factories import CategoryFactory, StandardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(qazvin_officer):
    _token, key = api_token_create(actor=None, user=qazvin_officer, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_api_requires_authentication(client):
    response = client.get("/api/v1/units")
    assert response.status_code == 401


def test_token_lists_only_own_province(client, bearer, qazvin_unit, tehran_unit):
    response = client.get("/api/v1/units", **bearer)
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert ids == [str(qazvin_unit.public_id)]
    assert response.json()["items"][0]["province"] == "qazvin"


def test_session_authentication_works_for_the_browser(client, admin_user, qazvin_unit, tehran_unit):
    client.force_login(admin_user)
    response = client.get("/api/v1/units")
    assert response.json()["count"] == 2


def test_other_provinces_unit_is_404(client, bearer, tehran_unit):
    response = client.get(f"/api/v1/units/{tehran_unit.public_id}", **bearer)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_not_found_message_follows_accept_language(client, bearer):
    url = "/api/v1/units/00000000-0000-0000-0000-000000000000"
    fa = client.get(url, **bearer).json()["message"]
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **bearer).json()["message"]
    assert en == "No production unit with this identifier is visible to you."
    assert fa != en


def test_malformed_id_is_404_not_500(client, bearer):
    assert client.get("/api/v1/units/garbage'--", **bearer).status_code == 404


def test_search_with_arabic_letters_and_persian_digits(client, bearer, qazvin_unit):
    assert client.get("/api/v1/units", {"q": "كيميا"}, **bearer).json()["count"] == 1
    assert client.get("/api/v1/units", {"q": "۱۰۳۸۰۲۸۴۷۹۰"}, **bearer).json()["count"] == 1
    assert client.get("/api/v1/units", {"q": "سیمان"}, **bearer).json()["count"] == 0


def test_products_carry_their_mandatory_standards(client, bearer, qazvin_unit):
    category = CategoryFactory()
    category.standards.add(StandardFactory(number=2406, year=2020))
    ProductFactory(unit=qazvin_unit, category=category)
    products = client.get(f"/api/v1/units/{qazvin_unit.public_id}/products", **bearer).json()
    assert [s["code"] for s in products[0]["mandatory_standards"]] == ["INSO 2406:2020"]


def test_revoked_token_is_refused(client, qazvin_officer):
    from hami.core.tokens import api_token_revoke

    token, key = api_token_create(actor=None, user=qazvin_officer, name="test")
    api_token_revoke(actor=None, token=token)
    assert client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_unit_list_query_count_is_bounded(client, bearer, django_assert_max_num_queries):
    from hami.registry.tests.factories import UnitFactory

    UnitFactory.create_batch(30)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/units", **bearer).status_code == 200


def test_me_reports_role_and_province(client, bearer):
    assert client.get("/api/v1/me", **bearer).json() == {
        "username": "qazvin-officer",
        "role": "office_staff",
        "province": "qazvin",
    }


def test_provinces_are_public_with_counties(client):
    provinces = client.get("/api/v1/provinces").json()
    assert len(provinces) == 31
    qazvin = next(p for p in provinces if p["code"] == "qazvin")
    assert {c["code"] for c in qazvin["counties"]} == {
        "qazvin",
        "alborz",
        "abyek",
        "buin-zahra",
        "takestan",
        "avaj",
    }


NEW_UNIT = {"national_id": "۱۰۳۸۰۲۸۴۷۹۰", "name_fa": "صنايع نوين", "province": "qazvin", "county": "takestan"}


def test_officer_registers_a_unit_through_the_api(client, bearer):
    response = client.post("/api/v1/units", NEW_UNIT, content_type="application/json", **bearer)
    assert response.status_code == 201
    body = response.json()
    assert (body["national_id"], body["name_fa"], body["county"]) == ("10380284790", "صنایع نوین", "takestan")


def test_registering_in_another_province_is_403_and_writes_nothing(client, bearer):
    payload = NEW_UNIT | {"province": "tehran", "county": "tehran"}
    response = client.post("/api/v1/units", payload, content_type="application/json", **bearer)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not ProductionUnit.objects.exists()


def test_bad_check_digit_is_400_naming_the_field(client, bearer):
    payload = NEW_UNIT | {"national_id": "10380284791"}
    response = client.post("/api/v1/units", payload, content_type="application/json", **bearer)
    assert response.status_code == 400
    assert response.json()["field"] == "national_id" and response.json()["code"] == "invalid"


def test_unknown_county_and_bad_enum_are_clear_errors(client, bearer):
    response = client.post(
        "/api/v1/units", NEW_UNIT | {"county": "atlantis"}, content_type="application/json", **bearer
    )
    assert response.status_code == 400 and response.json()["field"] == "county"
    response = client.post(
        "/api/v1/units", NEW_UNIT | {"size_class": "huge"}, content_type="application/json", **bearer
    )
    assert response.status_code == 422
    assert not ProductionUnit.objects.exists()


def test_patch_changes_only_sent_fields_and_audits_the_reason(client, bearer, qazvin_unit):
    response = client.patch(
        f"/api/v1/units/{qazvin_unit.public_id}",
        {"status": "idle", "reason": "توقف موقت"},
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 200 and response.json()["status"] == "idle"
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.status == "idle" and qazvin_unit.name_en == "Kimia Gostar Alborz Food Industries"
    from hami.core.models import AuditEvent

    assert AuditEvent.objects.latest("seq").reason == "توقف موقت"


def test_tehran_officer_cannot_change_a_qazvin_unit_through_the_api(client, tehran_officer, qazvin_unit):
    _token, key = api_token_create(actor=None, user=tehran_officer, name="t")
    response = client.patch(
        f"/api/v1/units/{qazvin_unit.public_id}",
        {"name_fa": "تغییر"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 404
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.name_fa != "تغییر"


def test_inspector_gets_403_on_patch(client, qazvin_inspector, qazvin_unit):
    _token, key = api_token_create(actor=None, user=qazvin_inspector, name="t")
    response = client.patch(
        f"/api/v1/units/{qazvin_unit.public_id}",
        {"name_fa": "تغییر"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 403


def test_session_writes_need_the_csrf_token(qazvin_officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(qazvin_officer)
    response = client.post("/api/v1/units", NEW_UNIT, content_type="application/json")
    assert response.status_code == 403
    assert not ProductionUnit.objects.exists()
