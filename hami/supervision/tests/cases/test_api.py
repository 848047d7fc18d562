"""The cases API: /api/v1/market-cases and /api/v1/complaints, for every persona; refusals are
{code, message, field} and write nothing; the complainant's contact is answered to the office only."""

import json

import pytest

from hami.licensing.models import Complaint
from hami.licensing.services.complaints import complaint_reference
from hami.supervision.models import ComplaintCase, MarketCase
from hami.supervision.services.cases import complaint_triage, market_case_report_mark
from hami.supervision.tests.cases.conftest import COMPLAINT_TEXT, CONTACT, SHOP, make_licence, unknown_code
from hami.supervision.tests.factories import InspectionFactory

pytestmark = pytest.mark.django_db
PRODUCT = "شیر پرچرب ۱ لیتری کیمیا"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def case(qazvin_inspector, qazvin_unit, milk_standard):
    licence = make_licence(qazvin_unit, milk_standard, state="suspended")
    return market_case_report_mark(
        actor=qazvin_inspector, tracking_code=licence.tracking_code, place=SHOP, product_description=PRODUCT
    )


# ---------------------------------------------------------------- market cases


@pytest.mark.parametrize(("persona", "sees"), [("qazvin_officer", True), ("qazvin_inspector", True),
                                               ("admin_user", True), ("unit_rep", True),
                                               ("tehran_officer", False), ("lab_user", False),
                                               ("outsider", False)])  # fmt: skip
def test_market_cases_are_listed_by_scope(
    client, request, case, persona, sees, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(persona))
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/market-cases")
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert ids == ([str(case.public_id)] if sees else [])
    one = client.get(f"/api/v1/market-cases/{case.public_id}")
    assert one.status_code == (200 if sees else 404)


def test_the_list_answers_the_case_with_its_facts(client, qazvin_officer, case, qazvin_unit):
    client.force_login(qazvin_officer)
    [item] = client.get("/api/v1/market-cases", {"state": "open", "kind": "invalid_mark"}).json()["items"]
    assert (item["mark_status"], item["unit"], item["province"]) == (
        "suspended",
        str(qazvin_unit.public_id),
        "qazvin",
    )
    assert item["coercive"] is False and item["closed_at"] is None
    assert client.get("/api/v1/market-cases", {"state": "closed"}).json()["items"] == []
    assert client.get("/api/v1/market-cases", {"state": "nonsense"}).status_code == 422


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/market-cases").status_code == 401
    assert client.get("/api/v1/complaints").status_code == 401


def test_an_inspector_reports_a_mark(client, qazvin_inspector, milk_licence):
    client.force_login(qazvin_inspector)
    body = {
        "tracking_code": unknown_code(),
        "place": SHOP,
        "product_description": PRODUCT,
        "producer_name": "کیمیا",
    }
    response = post(client, "/api/v1/market-cases", body)
    assert response.status_code == 201, response.content
    assert response.json()["mark_status"] == "unknown" and response.json()["kind"] == "invalid_mark"
    refused = post(client, "/api/v1/market-cases", {**body, "tracking_code": milk_licence.tracking_code})
    assert refused.status_code == 400
    assert refused.json()["code"] == "mark_valid" and refused.json()["field"] == "tracking_code"
    good = unknown_code()
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    malformed = post(client, "/api/v1/market-cases", {**body, "tracking_code": typo})
    assert malformed.json()["code"] == "tracking_code_malformed"
    unknown_unit = post(
        client, "/api/v1/market-cases", {**body, "tracking_code": unknown_code(), "unit": "nope"}
    )
    assert unknown_unit.status_code == 400 and unknown_unit.json()["field"] == "unit"
    assert post(client, "/api/v1/market-cases", {"place": SHOP}).status_code == 422
    assert MarketCase.objects.count() == 1


@pytest.mark.parametrize("persona", ["unit_rep", "lab_user", "outsider"])
def test_others_may_not_report_marks(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    body = {
        "tracking_code": unknown_code(),
        "place": SHOP,
        "product_description": PRODUCT,
        "producer_name": "x",
    }
    response = post(client, "/api/v1/market-cases", body)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not MarketCase.objects.exists()


def test_a_case_is_moved_and_closed_through_the_api(client, case, qazvin_inspector, qazvin_officer, unit_rep):
    url = f"/api/v1/market-cases/{case.public_id}"
    client.force_login(unit_rep)
    assert post(client, f"{url}/move", {"state": "investigating"}).status_code == 403
    client.force_login(qazvin_inspector)
    assert post(client, f"{url}/move", {"state": "investigating"}).json()["state"] == "investigating"
    again = post(client, f"{url}/move", {"state": "investigating"})
    assert again.status_code == 400 and again.json()["code"] == "wrong_state"
    assert post(client, f"{url}/close", {"outcome": "referred", "note": "x"}).status_code == 403
    client.force_login(qazvin_officer)
    bad = post(client, f"{url}/close", {"outcome": "referred"})
    assert bad.status_code == 400 and bad.json()["field"] == "note"
    done = post(client, f"{url}/close", {"outcome": "referred", "note": "پرونده به دادسرا رفت"})
    assert done.status_code == 200 and done.json()["coercive"] is True and done.json()["closed_at"]


def test_another_provinces_case_is_a_404(client, tehran_officer, case):
    client.force_login(tehran_officer)
    url = f"/api/v1/market-cases/{case.public_id}/close"
    assert post(client, url, {"outcome": "corrected", "note": "x"}).status_code == 404
    assert client.get("/api/v1/market-cases/not-a-uuid").status_code == 404


# ---------------------------------------------------------------- complaints


@pytest.mark.parametrize(("persona", "contact"), [("qazvin_officer", CONTACT), ("admin_user", CONTACT),
                                                  ("qazvin_inspector", None)])  # fmt: skip
def test_the_office_side_lists_complaints_untriaged_first(
    client, request, persona, contact, public_complaint, milk_licence, qazvin_officer,
    django_assert_max_num_queries,
):  # fmt: skip
    from hami.licensing.services.complaints import complaint_file

    other = complaint_file(licence=milk_licence, tracking_code="", text="دومین شکایت درباره همین شیر")
    complaint_triage(actor=qazvin_officer, complaint=other, priority="urgent")
    client.force_login(request.getfixturevalue(persona))
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/complaints")
    items = response.json()["items"]
    assert [i["id"] for i in items] == [str(public_complaint.public_id), str(other.public_id)]
    assert (items[0]["state"], items[0]["triaged"], items[0]["contact"]) == ("untriaged", False, contact)
    assert items[0]["reference"] == complaint_reference(public_complaint)
    assert (items[1]["state"], items[1]["priority"]) == ("received", "urgent")
    untriaged = client.get("/api/v1/complaints", {"state": "untriaged"}).json()["items"]
    assert [i["id"] for i in untriaged] == [str(public_complaint.public_id)]
    bad = client.get("/api/v1/complaints", {"state": "nonsense"})
    assert bad.status_code == 400 and bad.json()["field"] == "state"


def test_a_unit_sees_its_triaged_complaints_without_contact(
    client, unit_rep, complaint_case, public_complaint
):
    client.force_login(unit_rep)
    [item] = client.get("/api/v1/complaints").json()["items"]
    assert item["id"] == str(public_complaint.public_id) and item["contact"] is None
    assert client.get(f"/api/v1/complaints/{public_complaint.public_id}").json()["contact"] is None


def test_a_unit_is_not_told_which_visit_investigates_nor_who(
    client, unit_rep, qazvin_officer, qazvin_inspector, qazvin_unit, complaint_case, public_complaint
):
    from hami.supervision.services.cases import complaint_investigate

    visit = InspectionFactory(
        unit=qazvin_unit, inspector=qazvin_inspector, unannounced=True, kind="complaint"
    )
    complaint_investigate(actor=qazvin_officer, case=complaint_case, inspection=visit)
    ComplaintCase.objects.filter(pk=complaint_case.pk).update(assigned_to=qazvin_inspector)
    url = f"/api/v1/complaints/{public_complaint.public_id}"
    client.force_login(qazvin_officer)
    office = client.get(url).json()
    assert office["inspection"] == str(visit.public_id) and office["assigned_to"] == qazvin_inspector.username
    client.force_login(unit_rep)
    answer = client.get(url).json()
    assert answer["inspection"] is None and answer["assigned_to"] is None


@pytest.mark.parametrize("persona", ["tehran_officer", "lab_user", "outsider"])
def test_strangers_see_no_complaint(client, request, persona, public_complaint):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/v1/complaints").json()["items"] == []
    assert client.get(f"/api/v1/complaints/{public_complaint.public_id}").status_code == 404


def test_the_office_files_a_complaint_through_the_api(client, qazvin_officer, qazvin_unit, qazvin_inspector):
    client.force_login(qazvin_officer)
    body = {"text": COMPLAINT_TEXT, "contact": CONTACT, "unit": qazvin_unit.national_id, "priority": "urgent",
            "assigned_to": qazvin_inspector.username}  # fmt: skip
    response = post(client, "/api/v1/complaints", body)
    assert response.status_code == 201, response.content
    item = response.json()
    assert (item["channel"], item["state"], item["contact"], item["assigned_to"]) == (
        "office", "received", CONTACT, qazvin_inspector.username,
    )  # fmt: skip
    for change, field in (({"unit": "nope"}, "unit"), ({"licence": "nope"}, "licence"),
                          ({"assigned_to": "nobody"}, "assigned_to"), ({"text": "کم"}, "text")):  # fmt: skip
        refused = post(client, "/api/v1/complaints", {**body, **change})
        assert refused.status_code == 400 and refused.json()["field"] == field
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("persona", ["qazvin_inspector", "unit_rep"])
def test_others_do_not_file_complaints(client, request, persona, qazvin_unit):
    client.force_login(request.getfixturevalue(persona))
    body = {"text": COMPLAINT_TEXT, "unit": qazvin_unit.national_id, "priority": "normal"}
    assert post(client, "/api/v1/complaints", body).status_code == 403
    assert not Complaint.objects.exists()


def test_triage_investigate_and_close_through_the_api(
    client, qazvin_officer, qazvin_inspector, public_complaint, qazvin_unit
):
    url = f"/api/v1/complaints/{public_complaint.public_id}"
    client.force_login(qazvin_inspector)
    assert post(client, f"{url}/triage", {"priority": "normal"}).status_code == 403
    client.force_login(qazvin_officer)
    assert post(client, f"{url}/investigate", {}).json()["code"] == "wrong_state"  # not triaged yet
    triaged = post(client, f"{url}/triage", {"priority": "urgent"})
    assert triaged.status_code == 200 and triaged.json()["unit"] == str(qazvin_unit.public_id)
    again = post(client, f"{url}/triage", {"priority": "low"})
    assert again.status_code == 400 and again.json()["code"] == "already_triaged"
    visit = InspectionFactory(unit=qazvin_unit, kind="complaint")
    investigating = post(client, f"{url}/investigate", {"inspection": str(visit.public_id)})
    assert investigating.json()["inspection"] == str(visit.public_id)
    missing = post(client, f"{url}/investigate", {"inspection": "00000000-0000-0000-0000-000000000000"})
    assert missing.status_code == 400 and missing.json()["field"] == "inspection"
    assert post(client, f"{url}/investigate", {"inspection": "junk"}).status_code == 422
    bad = post(client, f"{url}/close", {"outcome": "guilty", "note": "x"})
    assert bad.status_code == 400 and bad.json()["field"] == "outcome"
    closed = post(client, f"{url}/close", {"outcome": "upheld", "note": "آزمون نمونه بازار مردود بود"})
    assert closed.json()["outcome"] == "upheld" and closed.json()["closed_at"]
    assert ComplaintCase.objects.get().state == "closed"


def test_the_message_follows_the_language(client, qazvin_officer, milk_licence):
    client.force_login(qazvin_officer)
    body = {"tracking_code": milk_licence.tracking_code, "place": SHOP, "product_description": PRODUCT}
    response = client.post("/api/v1/market-cases", json.dumps(body), content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "valid" in response.json()["message"] and milk_licence.number in response.json()["message"]
