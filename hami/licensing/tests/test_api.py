import pytest

from hami.core.tokens import api_token_create
from hami.licensing.models import Application, ApplicationState, Licence

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, key = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client, url, auth, body=None):
    return client.post(url, body or {}, content_type="application/json", **auth)


def test_the_whole_path_through_the_api(
    client, unit_rep, qazvin_officer, qazvin_inspector, product, milk_standard, qazvin_key
):
    unit, office, inspector = bearer(unit_rep), bearer(qazvin_officer), bearer(qazvin_inspector)
    response = post(
        client, "/api/v1/licensing/applications", unit, {"product": product.pk, "standard": milk_standard.pk}
    )
    assert response.status_code == 201
    app_id = response.json()["id"]
    base = f"/api/v1/licensing/applications/{app_id}"
    assert post(client, f"{base}/submit", unit).json()["state"] == "submitted"
    returned = post(client, f"{base}/return", office, {"deficiencies": ["نقشه کارخانه"]}).json()
    deficiency = returned["deficiencies"][0]["id"]
    assert post(client, f"{base}/deficiencies/{deficiency}", unit, {"answer": "پیوست شد"}).status_code == 200
    assert post(client, f"{base}/submit", unit).json()["state"] == "submitted"
    assert post(client, f"{base}/accept", office).json()["state"] == "audit"
    assert post(client, f"{base}/audit-done", inspector, {"note": "ok"}).json()["state"] == "testing"
    assert post(client, f"{base}/tests", office, {"passed": True}).json()["state"] == "ready"
    decided = post(
        client, f"{base}/decide", office, {"grant": True, "reason": "قبول", "members_present": ["الف"]}
    )
    body = decided.json()
    assert body["state"] == "granted" and body["licence"] and len(body["steps"]) == 8
    licence = client.get(f"/api/v1/licensing/licences/{body['licence']}", **unit).json()
    assert licence["state"] == "active" and licence["qr_payload"].startswith("HAMI1.")
    sanction = post(
        client,
        f"/api/v1/licensing/licences/{body['licence']}/sanction",
        office,
        {"kind": "suspend", "sanction_reason": "mark-misuse", "reason": "x", "members_present": ["الف"]},
    )
    assert sanction.status_code == 200 and sanction.json()["state"] == "suspended"


def test_wrong_step_and_wrong_role_are_clear_errors(client, unit_rep, qazvin_officer, product, milk_standard):
    unit, office = bearer(unit_rep), bearer(qazvin_officer)
    app_id = post(
        client, "/api/v1/licensing/applications", unit, {"product": product.pk, "standard": milk_standard.pk}
    ).json()["id"]
    base = f"/api/v1/licensing/applications/{app_id}"
    response = post(client, f"{base}/accept", office)
    assert response.status_code == 400 and response.json()["code"] == "wrong_state"
    response = post(client, f"{base}/submit", office)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert post(client, f"{base}/explode", office).status_code == 404
    response = post(client, f"{base}/decide", office, {"reason": "x"})
    assert response.status_code == 400
    assert Application.objects.get().state == ApplicationState.DRAFT


def test_other_province_sees_neither_applications_nor_licences(client, tehran_officer, licence):
    office = bearer(tehran_officer)
    assert client.get("/api/v1/licensing/applications", **office).json()["count"] == 0
    assert client.get("/api/v1/licensing/licences", **office).json()["count"] == 0
    assert client.get(f"/api/v1/licensing/licences/{licence.public_id}", **office).status_code == 404
    response = post(
        client,
        f"/api/v1/licensing/licences/{licence.public_id}/sanction",
        office,
        {"kind": "revoke", "sanction_reason": "mark-misuse", "reason": "x", "members_present": ["x"]},
    )
    assert response.status_code == 404
    assert Licence.objects.get().state == "active"


def test_unknown_catalogue_reason_is_a_field_error(client, qazvin_officer, licence):
    response = post(
        client,
        f"/api/v1/licensing/licences/{licence.public_id}/sanction",
        bearer(qazvin_officer),
        {"kind": "suspend", "sanction_reason": "nope", "reason": "x", "members_present": ["x"]},
    )
    assert response.status_code == 400 and response.json()["field"] == "sanction_reason"


def test_amendment_through_the_api_keeps_the_history(client, qazvin_officer, unit_rep, licence):
    url = f"/api/v1/licensing/licences/{licence.public_id}/amend"
    response = post(client, url, bearer(unit_rep), {"reason": "x", "brand": "y"})
    assert response.status_code == 403
    response = post(client, url, bearer(qazvin_officer), {"reason": "نام تجاری تازه", "brand": "کیمیا نو"})
    assert response.status_code == 200 and response.json()["brand"] == "کیمیا نو"
    assert licence.versions.count() == 2
