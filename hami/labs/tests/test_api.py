"""The labs API, /api/v1/labs: the public directory, the lab portal by bearer token (orders, accept or
reject, results one by one or from a file, reports), the office's samples, assignment and capacity
map; every read scoped, every refusal a 4xx {code, message, field} in the reader's language."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hami.core.tokens import api_token_create
from hami.labs.models import AssignmentBatch, OrderState, Sample, TestItem, TestOrder, TestReport
from hami.labs.tests.conftest import make_lab
from hami.labs.tests.steps import BAD_LEAD, place, report_all, staff_of

pytestmark = pytest.mark.django_db

API = "/api/v1/labs"
PERSIAN = re.compile("[\u0600-\u06ff]")
CSV = b"clause,value,unit,uncertainty,method,outcome\n5.2,0.01,mg/kg,0.002,INSO 9266,\n6.1,,,,,pass\n"


def bearer(user) -> dict:
    _token, key = api_token_create(actor=None, user=user, name="lab system")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client, url, auth, body=None, **headers):
    return client.post(url, body or {}, content_type="application/json", **auth, **headers)


def refusal(response, status: int, code: str, field=...):
    """The response is a refusal with this status and code, carrying a message (and `field`)."""
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code and body["message"], body
    if field is not ...:
        assert body["field"] == field, body
    return body


@pytest.fixture
def order(qazvin_officer, sample, cheap_lab) -> TestOrder:
    [order] = place(qazvin_officer)
    return order


# --- the public directory ----------------------------------------------------------------------------


@pytest.fixture
def directory(cheap_lab, requirements, tehran_county, qazvin_county):
    make_lab(tehran_county, "تهران", requirements=requirements[:1])
    make_lab(qazvin_county, "تعلیق", requirements=requirements, status="suspended")
    make_lab(qazvin_county, "در حال بررسی", requirements=requirements, status="assessment")
    return cheap_lab


def _names(client, **query) -> list[str]:
    response = client.get(f"{API}/directory", query)
    assert response.status_code == 200, response.json()
    return sorted(lab["name_fa"] for lab in response.json()["items"])


def test_the_directory_is_public_and_lists_approved_and_suspended_labs(client, directory):
    response = client.get(f"{API}/directory")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and "در حال بررسی" not in _names(client)
    lab = next(item for item in body["items"] if item["name_fa"] == directory.name_fa)
    assert lab["id"] == str(directory.public_id) and lab["province"] == "qazvin" and lab["county"] == "qazvin"
    assert lab["accreditation_number"] == "NACI-1" and lab["status"] == "approved"
    assert "pk" not in lab and "id" in lab


def test_the_directory_filters_by_standard_requirement_category_province_and_county(
    client, directory, requirements, milk_standard, product
):
    assert _names(client, requirement=requirements[1].pk) == sorted([directory.name_fa, "تعلیق"])
    assert _names(client, standard=milk_standard.pk, province="tehran") == ["تهران"]
    assert _names(client, category=product.category.code) == sorted([directory.name_fa, "تعلیق", "تهران"])
    assert _names(client, county="qazvin") == sorted([directory.name_fa, "تعلیق"])
    assert _names(client, county="tehran", province="tehran") == ["تهران"]
    assert _names(client, county="atlantis") == [] and _names(client, standard=999999) == []


@pytest.mark.parametrize("query", [{"standard": "abc"}, {"page": "0"}, {"page_size": "100000"},
                                   {"category": "x" * 200}, {"requirement": "1e5"}])  # fmt: skip
def test_junk_directory_queries_are_a_422_with_the_field(client, directory, query):
    body = refusal(client.get(f"{API}/directory", query), 422, "invalid")
    assert body["field"] in query


def test_the_directory_query_count_does_not_grow_with_the_labs(client, directory, qazvin_county, requirements,
                                                               django_assert_max_num_queries):  # fmt: skip
    for n in range(20):
        make_lab(qazvin_county, f"آزمایشگاه {n}", requirements=requirements)
    with django_assert_max_num_queries(3):
        assert client.get(f"{API}/directory").json()["count"] == 23


# --- the lab portal by token -----------------------------------------------------------------------------


def test_a_lab_works_an_order_end_to_end_by_token(client, order, cheap_lab_user, requirements):
    lab = bearer(cheap_lab_user)
    listing = client.get(f"{API}/orders", **lab).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == str(order.public_id)
    assert listing["items"][0]["state"] == "sent" and listing["items"][0]["sample"] == order.sample.code
    base = f"{API}/orders/{order.public_id}"
    detail = client.get(base, **lab).json()
    assert [item["clause"] for item in detail["items"]] == ["5.1", "5.2", "6.1"]
    assert detail["items"][0]["limit_kind"] == "min" and detail["items"][0]["requirement_unit"] == "%"

    assert post(client, f"{base}/accept", lab).json()["state"] == "accepted"
    assert post(client, f"{base}/accept", lab).json()["state"] == "accepted"  # twice: the same
    fat = post(client, f"{base}/results", lab, {"clause": "5.1", "value": "3.4", "unit": "%",
                                                "uncertainty": "0.1", "method": "INSO 384"})  # fmt: skip
    assert fat.status_code == 200
    assert next(i for i in fat.json()["items"] if i["clause"] == "5.1")["verdict"] == "pass"
    upload = client.post(f"{base}/results/file", {"file": SimpleUploadedFile("r.csv", CSV)}, **lab)
    assert upload.status_code == 200 and upload.json() == {"rows": 2, "created": 2, "errors": []}
    again = client.post(f"{base}/results/file", {"file": SimpleUploadedFile("r.csv", CSV)}, **lab)
    assert again.status_code == 200 and again.json()["created"] == 0

    issued = post(client, f"{base}/report", lab)
    assert issued.status_code == 200 and issued.json()["version"] == 1
    assert issued.json()["conformity"] == "conforms"
    assert post(client, f"{base}/report", lab).json()["id"] == issued.json()["id"]
    assert TestReport.objects.count() == 1

    refusal(
        post(client, f"{base}/results", lab, {"clause": "6.1", "outcome": "fail"}), 400, "invalid", "reason"
    )
    corrected = post(
        client, f"{base}/results", lab, {"clause": "6.1", "outcome": "fail", "reason": "دوباره دیده شد"}
    )
    assert corrected.status_code == 200
    reports = corrected.json()["reports"]
    assert [(r["version"], r["reason"]) for r in reports] == [(1, ""), (2, "دوباره دیده شد")]
    assert reports[1]["conformity"] == "minor_nonconformities" and corrected.json()["state"] == "reported"


def test_a_lab_sees_only_its_own_orders(client, order, dear_lab, cheap_lab_user, lab_user):
    other = bearer(staff_of(dear_lab, "dear-staff"))
    assert client.get(f"{API}/orders", **other).json()["count"] == 0
    refusal(client.get(f"{API}/orders/{order.public_id}", **other), 404, "not_found")
    refusal(post(client, f"{API}/orders/{order.public_id}/accept", other), 404, "not_found")
    refusal(post(client, f"{API}/orders/{order.public_id}/report", bearer(lab_user)), 404, "not_found")
    assert TestOrder.objects.get().state == OrderState.SENT


def test_reads_are_scoped_for_every_persona(
    client, order, qazvin_officer, tehran_officer, unit_rep, admin_user, outsider, qazvin_inspector, product
):
    from hami.labs.tests.steps import take
    from hami.registry.tests.factories import ProductFactory

    neighbour = ProductFactory(category=product.category)  # another Qazvin unit's product
    take(qazvin_inspector, neighbour, order.sample.standard, seal="N")
    [other] = place(qazvin_officer)
    for user, count, mine, theirs in (
        (qazvin_officer, 2, 200, 200), (qazvin_inspector, 2, 200, 200), (admin_user, 2, 200, 200),
        (unit_rep, 1, 200, 404), (tehran_officer, 0, 404, 404), (outsider, 0, 404, 404),
    ):  # fmt: skip
        auth = bearer(user)
        assert client.get(f"{API}/orders", **auth).json()["count"] == count
        assert client.get(f"{API}/samples", **auth).json()["count"] == count
        assert client.get(f"{API}/orders/{order.public_id}", **auth).status_code == mine
        assert client.get(f"{API}/orders/{other.public_id}", **auth).status_code == theirs


def test_an_unknown_or_malformed_id_is_a_404(client, order, cheap_lab_user):
    lab = bearer(cheap_lab_user)
    for junk in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", "1", "%20"):
        refusal(client.get(f"{API}/orders/{junk}", **lab), 404, "not_found")
        refusal(post(client, f"{API}/orders/{junk}/accept", lab), 404, "not_found")


def test_without_a_token_the_portal_is_closed(client, order):
    assert client.get(f"{API}/orders").status_code == 401
    assert post(client, f"{API}/orders/{order.public_id}/accept", {}).status_code == 401
    assert client.get(f"{API}/orders", HTTP_AUTHORIZATION="Bearer hami_forged").status_code == 401


def test_only_the_labs_staff_answer_an_order(client, order, qazvin_officer, unit_rep):
    for user in (qazvin_officer, unit_rep):
        auth = bearer(user)
        refusal(post(client, f"{API}/orders/{order.public_id}/accept", auth), 403, "forbidden", None)
        refusal(
            post(client, f"{API}/orders/{order.public_id}/reject", auth, {"reason": "x"}), 403, "forbidden"
        )
    assert TestOrder.objects.get().state == OrderState.SENT


def test_rejecting_by_token_needs_a_reason(client, order, cheap_lab_user):
    lab = bearer(cheap_lab_user)
    refusal(
        post(client, f"{API}/orders/{order.public_id}/reject", lab, {"reason": "  "}),
        400,
        "invalid",
        "reason",
    )
    refusal(post(client, f"{API}/orders/{order.public_id}/reject", lab, {}), 422, "invalid", "reason")
    refusal(
        post(client, f"{API}/orders/{order.public_id}/reject", lab, {"reason": "x" * 301}), 422, "invalid"
    )
    response = post(client, f"{API}/orders/{order.public_id}/reject", lab, {"reason": "ظرفیت تکمیل"})
    assert response.status_code == 200 and response.json()["reject_reason"] == "ظرفیت تکمیل"


def test_a_lapsed_lab_cannot_accept_by_token(client, order, cheap_lab, cheap_lab_user):
    import datetime as dt

    from django.utils import timezone

    cheap_lab.accreditation_expiry = timezone.localdate() - dt.timedelta(days=1)
    cheap_lab.save()
    refusal(
        post(client, f"{API}/orders/{order.public_id}/accept", bearer(cheap_lab_user)), 400, "not_accredited"
    )


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (
            {"clause": "5.2", "value": "-0.01", "unit": "mg/kg", "uncertainty": "0.001"},
            "negative_value",
            "value",
        ),
        (
            {"clause": "5.2", "value": "0.01", "unit": "mg/kg", "uncertainty": "0.05"},
            "uncertainty_exceeds_value",
            "uncertainty",
        ),
        ({"clause": "5.2", "value": "0.01", "unit": "smoots"}, "unknown_unit", "unit"),
        ({"clause": "9.9", "value": "1"}, "invalid", "clause"),
        ({"clause": "6.1", "outcome": "nope"}, "invalid_outcome", "outcome"),
        ({"clause": "5.1", "value": "abc", "unit": "%"}, "not_a_number", "value"),
    ],
)
def test_a_bad_result_is_a_400_with_its_reason_in_persian(client, order, cheap_lab_user, body, code, field):
    lab = bearer(cheap_lab_user)
    post(client, f"{API}/orders/{order.public_id}/accept", lab)
    answer = refusal(post(client, f"{API}/orders/{order.public_id}/results", lab, body), 400, code, field)
    assert PERSIAN.search(answer["message"])
    assert not TestItem.objects.exclude(reported_at=None).exists()


def test_a_refusal_follows_accept_language(client, order, cheap_lab_user):
    lab = bearer(cheap_lab_user)
    post(client, f"{API}/orders/{order.public_id}/accept", lab)
    body = {"clause": "5.2", "value": "-1", "unit": "mg/kg"}
    answer = post(
        client, f"{API}/orders/{order.public_id}/results", lab, body, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert "cannot be negative" in answer["message"]


def test_a_value_sent_as_a_json_number_is_read_as_written(client, order, cheap_lab_user):
    lab = bearer(cheap_lab_user)
    post(client, f"{API}/orders/{order.public_id}/accept", lab)
    response = post(client, f"{API}/orders/{order.public_id}/results", lab,
                    {"clause": "5.1", "value": 3.4, "unit": "%", "uncertainty": 0.1})  # fmt: skip
    assert response.status_code == 200, response.json()
    item = TestItem.objects.get(requirement__clause="5.1")
    assert str(item.value.normalize()) == "3.4" and str(item.uncertainty.normalize()) == "0.1"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"clause,value,unit\n5.1,3.4,%\n5.2,-1,mg/kg\n", "r.csv"),
        (b"", "r.csv"),
        (b"\x00\x01binary", "r.xlsx"),
    ],
)
def test_a_bad_results_file_writes_nothing_and_says_why(client, order, cheap_lab_user, content, name):
    lab = bearer(cheap_lab_user)
    post(client, f"{API}/orders/{order.public_id}/accept", lab)
    response = client.post(f"{API}/orders/{order.public_id}/results/file",
                           {"file": SimpleUploadedFile(name, content)}, **lab)  # fmt: skip
    body = response.json()
    assert response.status_code == 400 and body["created"] == 0 and body["errors"]
    assert body["code"] and body["message"] and "field" in body
    assert all(error["message"] for error in body["errors"])
    assert not TestItem.objects.exclude(reported_at=None).exists()


def test_a_results_file_without_a_file_is_a_422(client, order, cheap_lab_user):
    lab = bearer(cheap_lab_user)
    post(client, f"{API}/orders/{order.public_id}/accept", lab)
    body = refusal(client.post(f"{API}/orders/{order.public_id}/results/file", {}, **lab), 422, "invalid")
    assert body["field"].endswith("file")


def test_results_before_accepting_and_a_report_before_every_result_are_refused(client, order, cheap_lab_user):
    lab = bearer(cheap_lab_user)
    base = f"{API}/orders/{order.public_id}"
    refusal(post(client, f"{base}/results", lab, {"clause": "6.1", "outcome": "pass"}), 400, "wrong_state")
    refusal(client.post(f"{base}/results/file", {"file": SimpleUploadedFile("r.csv", CSV)}, **lab), 400,
            "wrong_state")  # fmt: skip
    post(client, f"{base}/accept", lab)
    refusal(post(client, f"{base}/report", lab), 400, "wrong_state")
    assert not TestReport.objects.exists()


def test_malformed_json_is_a_422_not_a_500(client, order, cheap_lab_user):
    lab = bearer(cheap_lab_user)
    response = client.post(
        f"{API}/orders/{order.public_id}/results", "{not json", content_type="application/json", **lab
    )
    assert response.status_code in (400, 422) and response.json()["code"] == "invalid"
    response = post(
        client, f"{API}/orders/{order.public_id}/results", lab, {"clause": ["5.1"], "value": {"a": 1}}
    )
    refusal(response, 422, "invalid")


# --- the office: samples, assignment, capacity ---------------------------------------------------------


def test_the_office_takes_a_sample_proposes_and_confirms_by_token(
    client, qazvin_officer, qazvin_inspector, product, milk_standard, cheap_lab, dear_lab, requirements
):
    inspector, office = bearer(qazvin_inspector), bearer(qazvin_officer)
    taken = post(
        client,
        f"{API}/samples",
        inspector,
        {
            "product": product.pk,
            "standard": milk_standard.pk,
            "origin": "factory",
            "lot_size": 1200,
            "seal_number": "SL-9",
            "aql": "1.0",
        },
    )
    assert taken.status_code == 201, taken.json()
    sample = taken.json()
    assert (sample["code_letter"], sample["sample_size"], sample["accept"], sample["reject"]) == (
        "J",
        80,
        2,
        3,
    )
    sent = post(client, f"{API}/samples/{sample['id']}/custody", inspector,
                {"step": "sent", "lab": str(cheap_lab.public_id)})  # fmt: skip
    assert sent.status_code == 200 and sent.json()["state"] == "sent"

    proposal = post(client, f"{API}/assignments", office, {"samples": [sample["id"]]})
    assert proposal.status_code == 201, proposal.json()
    batch = proposal.json()
    assert batch["feasible"] and len(batch["placements"]) == 3 and batch["orders"] == []
    assert {p["lab"] for p in batch["placements"]} == {str(cheap_lab.public_id)}
    assert all(p["explanation"] and p["sample"] == sample["code"] for p in batch["placements"])
    confirmed = post(client, f"{API}/assignments/{batch['id']}/confirm", office)
    assert confirmed.status_code == 200 and len(confirmed.json()["orders"]) == 1
    assert confirmed.json()["confirmed_at"]
    refusal(post(client, f"{API}/assignments/{batch['id']}/confirm", office), 400, "wrong_state")
    assert TestOrder.objects.count() == 1
    refusal(post(client, f"{API}/assignments", office, {}), 400, "nothing_to_assign")


def test_an_infeasible_proposal_reports_its_shortages(
    client, qazvin_officer, sample, cheap_lab, milk_standard
):
    from decimal import Decimal

    from hami.standards.tests.factories import RequirementFactory

    orphan = RequirementFactory(standard=milk_standard, clause="7.1", limit_kind="max", low=None,
                                high=Decimal("5"), unit="µg/kg")  # fmt: skip
    batch = post(client, f"{API}/assignments", bearer(qazvin_officer), {}).json()
    assert batch["feasible"] is False
    assert [s["requirement"] for s in batch["shortages"]] == [orphan.pk]
    assert next(p for p in batch["placements"] if p["requirement"] == orphan.pk)["lab"] is None


def test_only_an_office_assigns_and_only_its_own_batches(
    client, qazvin_officer, tehran_officer, sample, cheap_lab, cheap_lab_user, unit_rep, qazvin_inspector
):
    for user in (cheap_lab_user, unit_rep, qazvin_inspector):
        refusal(post(client, f"{API}/assignments", bearer(user), {}), 403, "forbidden")
    refusal(post(client, f"{API}/assignments", bearer(tehran_officer), {}), 400, "nothing_to_assign")
    batch = post(client, f"{API}/assignments", bearer(qazvin_officer), {}).json()
    for user in (tehran_officer, cheap_lab_user):
        refusal(post(client, f"{API}/assignments/{batch['id']}/confirm", bearer(user)), 404, "not_found")
    refusal(post(client, f"{API}/assignments/999999/confirm", bearer(qazvin_officer)), 404, "not_found")
    assert not TestOrder.objects.exists() and AssignmentBatch.objects.count() == 1


@pytest.mark.parametrize(
    "body", [{"samples": ["not-a-uuid"]}, {"rotation_limit": 0}, {"price_weight": -1}, {"rials_per_km": "x"},
             {"samples": "all"}],
)  # fmt: skip
def test_junk_assignment_input_is_a_422(client, qazvin_officer, sample, cheap_lab, body):
    refusal(post(client, f"{API}/assignments", bearer(qazvin_officer), body), 422, "invalid")
    assert not AssignmentBatch.objects.exists()


def test_a_sample_by_token_is_refused_outside_the_province_or_role(
    client, tehran_officer, unit_rep, product, milk_standard
):
    body = {"product": product.pk, "standard": milk_standard.pk, "origin": "factory", "lot_size": 100,
            "seal_number": "S"}  # fmt: skip
    for user in (tehran_officer, unit_rep):
        refusal(post(client, f"{API}/samples", bearer(user), body), 403, "forbidden")
    refusal(
        post(client, f"{API}/samples", bearer(tehran_officer), {**body, "product": 999999}), 404, "not_found"
    )
    assert not Sample.objects.exists()


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [({"origin": "moon"}, 400, "origin"), ({"lot_size": 0}, 422, "lot_size"), ({"aql": "1.23"}, 400, "aql"),
     ({"inspection_level": "Z"}, 400, "level"), ({"seal_number": ""}, 400, "seal_number")],
)  # fmt: skip
def test_a_bad_sample_by_token_names_its_field(
    client, qazvin_inspector, product, milk_standard, changes, status, field
):
    body = {"product": product.pk, "standard": milk_standard.pk, "origin": "factory", "lot_size": 100,
            "seal_number": "S", **changes}  # fmt: skip
    refusal(post(client, f"{API}/samples", bearer(qazvin_inspector), body), status, "invalid", field)
    assert not Sample.objects.exists()


def test_custody_by_token_follows_the_same_rules(client, sample, cheap_lab, qazvin_inspector, tehran_officer):
    inspector = bearer(qazvin_inspector)
    refusal(
        post(
            client,
            f"{API}/samples/{sample.public_id}/custody",
            inspector,
            {"step": "received", "lab": str(cheap_lab.public_id), "seal_intact": True},
        ),
        400,
        "wrong_state",
        "lab",
    )  # fmt: skip  (nothing was sent to that lab)
    refusal(
        post(client, f"{API}/samples/{sample.public_id}/custody", inspector, {"step": "sent"}),
        400,
        "invalid",
        "lab",
    )
    refusal(post(client, f"{API}/samples/{sample.public_id}/custody", bearer(tehran_officer),
                 {"step": "sent", "lab": str(cheap_lab.public_id)}), 404, "not_found")  # fmt: skip
    assert Sample.objects.get().state == "taken"


def test_the_capacity_map_by_token(
    client, qazvin_officer, cheap_lab, tehran_county, requirements, milk_standard
):
    make_lab(tehran_county, "تهران", requirements=requirements[:1])
    rows = client.get(f"{API}/capacity", **bearer(qazvin_officer)).json()
    assert [(r["clause"], r["labs_in_province"], r["labs_in_country"]) for r in rows] == [
        ("5.1", 1, 2), ("5.2", 1, 1), ("6.1", 1, 1),
    ]  # fmt: skip
    assert rows[0]["yearly_capacity"] == 20 * 52 and rows[0]["no_lab_in_country"] is False
    from hami.standards.tests.factories import StandardFactory

    other = StandardFactory(number=2406)
    assert client.get(f"{API}/capacity", {"standard": other.pk}, **bearer(qazvin_officer)).json() == []
    assert (
        len(client.get(f"{API}/capacity", {"standard": milk_standard.pk}, **bearer(qazvin_officer)).json())
        == 3
    )


@pytest.mark.parametrize(
    ("query", "field"), [({"standard": 999999}, "standard"), ({"category": "nope"}, "category")]
)
def test_an_unknown_capacity_filter_is_refused_not_ignored(client, qazvin_officer, cheap_lab, query, field):
    refusal(client.get(f"{API}/capacity", query, **bearer(qazvin_officer)), 400, "invalid", field)


def test_the_capacity_map_is_the_offices(client, cheap_lab, cheap_lab_user, unit_rep, outsider):
    for user in (cheap_lab_user, unit_rep, outsider):
        refusal(client.get(f"{API}/capacity", **bearer(user)), 403, "forbidden")


def test_a_report_decides_the_sample_seen_by_the_unit(client, order, cheap_lab_user, unit_rep):
    from hami.labs.services.results import report_issue

    report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order, BAD_LEAD))
    [sample] = client.get(f"{API}/samples", **bearer(unit_rep)).json()["items"]
    assert sample["conformity"] == "does_not_conform" and sample["lot_accepted"] is False
    detail = client.get(f"{API}/orders/{order.public_id}", **bearer(unit_rep)).json()
    assert detail["state"] == "reported" and detail["reports"][0]["verdict"] == "fail"


def test_a_sample_by_token_may_be_for_a_licence_application(
    client, qazvin_inspector, tehran_officer, unit_rep, qazvin_officer, product, milk_standard
):
    from hami.licensing.services.applications import application_create

    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    body = {"product": product.pk, "standard": milk_standard.pk, "origin": "factory", "lot_size": 100,
            "seal_number": "S", "application": str(application.public_id)}  # fmt: skip
    refusal(post(client, f"{API}/samples", bearer(tehran_officer), body), 404, "not_found")
    taken = post(client, f"{API}/samples", bearer(qazvin_inspector), body)
    assert taken.status_code == 201 and Sample.objects.get().application == application
    junk = {**body, "application": "not-a-uuid"}
    refusal(post(client, f"{API}/samples", bearer(qazvin_inspector), junk), 422, "invalid", "application")


@pytest.mark.parametrize(
    "taken_at", ["2025-05-01T10:30:00", "2025-05-01T10:30:00+03:30", "2999-01-01T00:00:00"]
)
def test_the_time_a_sample_was_taken_may_come_without_a_zone(
    client, qazvin_inspector, product, milk_standard, taken_at
):
    body = {"product": product.pk, "standard": milk_standard.pk, "origin": "factory", "lot_size": 100,
            "seal_number": "S", "taken_at": taken_at}  # fmt: skip
    response = post(client, f"{API}/samples", bearer(qazvin_inspector), body)
    if taken_at.startswith("2999"):
        refusal(response, 400, "invalid", "taken_at")
    else:
        assert response.status_code == 201, response.json()
        assert Sample.objects.get().taken_at.year == 2025
