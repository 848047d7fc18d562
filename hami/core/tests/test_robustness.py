"""Inputs found by an adversarial review (schemathesis and hand-made requests): none may give a 500."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from hami.core.jalali import format_date
from hami.core.tokens import api_token_create
from hami.registry.models import ProductionUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(qazvin_officer):
    _token, key = api_token_create(actor=None, user=qazvin_officer, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("url", ["/api/v1/units", "/api/v1/standards", "/api/v1/categories"])
def test_huge_page_numbers_are_422_not_500(client, api, url):
    response = client.get(url, {"page": "184467440737095518"}, **api)
    assert response.status_code == 422 and response.json()["field"] == "page"


@pytest.mark.parametrize("national_id", ["1010000000²", "١٠١٠٠٠٠٠٠٠٠²"])
def test_superscript_digits_are_refused_cleanly(client, api, national_id):
    body = {"national_id": national_id, "name_fa": "تست", "province": "qazvin", "county": "takestan"}
    response = client.post("/api/v1/units", body, content_type="application/json", **api)
    assert response.status_code == 400 and response.json()["field"] == "national_id"


def test_digits_of_any_script_are_stored_as_ascii_so_duplicates_are_caught(client, api, qazvin_unit):
    devanagari = qazvin_unit.national_id.translate(str.maketrans("0123456789", "०१२३४५६७८९"))
    body = {"national_id": devanagari, "name_fa": "تست", "province": "qazvin", "county": "takestan"}
    response = client.post("/api/v1/units", body, content_type="application/json", **api)
    assert response.status_code == 400 and response.json()["code"] == "duplicate_national_id"
    assert ProductionUnit.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "status"), [("national_id", 400), ("name_fa", 400), ("isic", 200), ("address", 200)]
)
def test_patch_with_null_is_an_error_or_an_empty_value(client, api, qazvin_unit, field, status):
    response = client.patch(
        f"/api/v1/units/{qazvin_unit.public_id}", {field: None}, content_type="application/json", **api
    )
    assert response.status_code == status


def test_bad_isic_and_latitude_are_field_errors(client, api, qazvin_unit):
    url = f"/api/v1/units/{qazvin_unit.public_id}"
    response = client.patch(url, {"isic": "x!?"}, content_type="application/json", **api)
    assert response.status_code == 400 and response.json()["field"] == "isic"
    response = client.patch(url, {"latitude": 95}, content_type="application/json", **api)
    assert response.status_code == 400 and response.json()["field"] == "latitude"
    response = client.patch(url, {"province": "tehran"}, content_type="application/json", **api)
    assert response.status_code == 400 and response.json()["field"] == "county"


@pytest.mark.parametrize(
    "request_args",
    [
        ("get", "/api/v1/units?q=%00", None),
        ("get", "/api/v1/units?county=%00", None),
        ("get", "/api/v1/categories/%00", None),
        ("get", "/units/?q=%00", None),
    ],
)
def test_nul_characters_are_refused_with_400(client, api, qazvin_officer, request_args):
    client.force_login(qazvin_officer)
    method, url, _body = request_args
    assert getattr(client, method)(url, **api).status_code == 400


def test_nul_in_a_json_body_is_refused(client, api, qazvin_unit):
    response = client.patch(
        f"/api/v1/units/{qazvin_unit.public_id}",
        '{"name_fa": "a\\u0000b"}',
        content_type="application/json",
        **api,
    )
    assert response.status_code == 400
    qazvin_unit.refresh_from_db()
    assert "\x00" not in qazvin_unit.name_fa


def test_unreadable_json_body_is_a_json_error(client, api):
    response = client.post("/api/v1/units", "{not json", content_type="application/json", **api)
    assert response.status_code in (400, 422) and "message" in response.json()


def test_dates_beyond_the_jalali_range_fall_back_to_iso():
    import datetime as dt

    assert format_date(dt.date(9999, 6, 1), language="fa") == "9999-06-01"


def test_unknown_page_is_a_persian_404_without_router_internals(client):
    response = client.get("/nonexistent/")
    assert response.status_code == 404
    assert "Resolver404" not in response.text and 'id="error-404"' in response.text


def test_csrf_failure_page_is_in_persian(qazvin_officer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403 and 'id="error-csrf"' in response.text and 'lang="fa"' in response.text


def test_language_cookie_variants_are_honoured(client):
    client.cookies["django_language"] = "en-us"
    assert 'lang="en"' in client.get("/").text


def test_unit_list_pages_keep_the_county_filter(client, qazvin_officer):
    from hami.registry.tests.factories import UnitFactory

    UnitFactory.create_batch(30)
    client.force_login(qazvin_officer)
    response = client.get("/units/", {"county": "qazvin", "status": "active"})
    assert "county=qazvin" in response.text.split('class="pagination"')[1]


def test_static_files_survive_collectstatic_with_the_manifest(client, tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        call_command("collectstatic", "--noinput", verbosity=0)
        response = client.get("/")
        assert response.status_code == 200 and "bootstrap.rtl.min" in response.text
