"""The ladder API: a unit's ladder for each persona, the office's decisions, the coercive share; refusals
are {code, message, field} and change nothing."""

import pytest

from hami.supervision.models import LadderDecision, Step
from hami.supervision.tests.ladder.conftest import finding_of, put_on_step

pytestmark = pytest.mark.django_db


def ladder_url(unit):
    return f"/api/v1/units/{unit.public_id}/ladder"


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


@pytest.mark.parametrize(
    ("persona", "proposal"),
    [("unit_rep", False), ("qazvin_inspector", False), ("qazvin_officer", True), ("admin_user", True)],
)
def test_who_reads_a_units_ladder(client, request, qazvin_unit, persona, proposal):
    put_on_step(qazvin_unit, Step.ADVICE, days_ago=5)
    finding_of(qazvin_unit, repeat_of=finding_of(qazvin_unit, days_ago=300))
    login(client, request, persona)
    response = client.get(ladder_url(qazvin_unit))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["step"] == 1 and body["unit"] == str(qazvin_unit.public_id)
    assert body["way_back"]["target"] == 0 and body["way_back"]["open_findings"] == 2
    assert len(body["decisions"]) == 1 and body["decisions"][0]["reason"]
    if proposal:
        assert body["proposal"] == {
            "step": 2,
            "trigger": "repeated_finding",
            "reasons": {"repeated_finding": 1},
        }
    else:
        assert body["proposal"] is None


@pytest.mark.parametrize("persona", ["tehran_officer", "lab_user", "outsider"])
def test_others_do_not_see_the_unit(client, request, qazvin_unit, persona):
    login(client, request, persona)
    response = client.get(ladder_url(qazvin_unit))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_anonymous_is_refused(client, qazvin_unit):
    assert client.get(ladder_url(qazvin_unit)).status_code == 401


def test_the_office_decides(client, qazvin_officer, qazvin_unit):
    finding = finding_of(qazvin_unit)
    client.force_login(qazvin_officer)
    payload = {
        "step": 2,
        "trigger": "finding",
        "reason": "A major finding.",
        "findings": [str(finding.public_id)],
    }
    response = client.post(ladder_url(qazvin_unit) + "/decisions", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["step"] == 2 and body["previous_step"] == 0 and body["referral"] is not None
    assert body["findings"] == [str(finding.public_id)] and body["automatic"] is False
    assert client.get(ladder_url(qazvin_unit)).json()["step"] == 2


NIL = "00000000-0000-0000-0000-000000000000"


def decision_body(**values):
    return {"step": 1, "trigger": "finding", "reason": "x", **values}


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        (decision_body(step=3), 400, "step_not_allowed", "step"),
        (decision_body(step=9), 400, "unknown_step", "step"),
        (decision_body(trigger="whim"), 400, "unknown_trigger", "trigger"),
        (decision_body(reason="  "), 400, "invalid", "reason"),
        ({"step": 1, "trigger": "finding"}, 422, "invalid", "reason"),
        (decision_body(step="one"), 422, "invalid", "step"),
        (decision_body(findings=[NIL]), 400, "invalid", "findings"),
        (decision_body(findings=["nope"]), 422, "invalid", "findings.0"),
        (
            decision_body(step=6, trigger="critical_safety", sanction_reason="nope"),
            400,
            "invalid",
            "sanction_reason",
        ),
        (decision_body(step=6, trigger="critical_safety", licence=NIL), 400, "invalid", "licence"),
        (decision_body(market_withdrawal=True), 400, "withdrawal_not_allowed", "market_withdrawal"),
    ],
)
def test_a_refused_decision_says_why_and_changes_nothing(
    client, qazvin_officer, qazvin_unit, payload, status, code, field
):
    finding_of(qazvin_unit)
    client.force_login(qazvin_officer)
    response = client.post(ladder_url(qazvin_unit) + "/decisions", payload, content_type="application/json")
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field) and body["message"]
    assert not LadderDecision.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("unit_rep", 403), ("qazvin_inspector", 403), ("tehran_officer", 404)]
)
def test_others_may_not_decide(client, request, qazvin_unit, persona, status):
    finding_of(qazvin_unit)
    login(client, request, persona)
    payload = {"step": 1, "trigger": "finding", "reason": "x"}
    response = client.post(ladder_url(qazvin_unit) + "/decisions", payload, content_type="application/json")
    assert response.status_code == status
    assert not LadderDecision.objects.exists()


def test_reading_the_ladder_takes_a_fixed_number_of_queries(
    client, qazvin_officer, qazvin_unit, django_assert_max_num_queries
):
    for step in range(1, 5):
        put_on_step(qazvin_unit, step, days_ago=50 - step)
    for _ in range(5):
        finding_of(qazvin_unit)
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(16):
        assert client.get(ladder_url(qazvin_unit)).status_code == 200


# ---------------------------------------------------------------- the coercive share

SHARE = "/api/v1/supervision/coercive-share"


def test_the_office_reads_its_provinces_share(client, qazvin_officer, qazvin_unit):
    put_on_step(qazvin_unit, Step.SUSPENSION, coercive=True)
    put_on_step(qazvin_unit, Step.ADVICE)
    client.force_login(qazvin_officer)
    response = client.get(SHARE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["months"]) == 12 and body["total"] == {
        "measures": 2,
        "coercive": 1,
        "advisory": 1,
        "share": 0.5,
    }
    assert body["provinces"] == [
        {"province": "qazvin", "measures": 2, "coercive": 1, "advisory": 1, "share": 0.5}
    ]
    assert body["months"][-1]["provinces"][0]["province"] == "qazvin"


def test_a_national_admin_reads_every_province_or_one(client, admin_user, qazvin_unit, tehran_unit):
    put_on_step(qazvin_unit, Step.ADVICE)
    put_on_step(tehran_unit, Step.SUSPENSION, coercive=True)
    client.force_login(admin_user)
    body = client.get(SHARE).json()
    assert {p["province"] for p in body["provinces"]} == {"qazvin", "tehran"} and body["total"][
        "share"
    ] == 0.5
    body = client.get(SHARE, {"province": "tehran"}).json()
    assert body["total"]["coercive"] == 1 and body["total"]["measures"] == 1


def test_a_range_of_jalali_months(client, qazvin_officer):
    client.force_login(qazvin_officer)
    body = client.get(SHARE, {"from": "1403-11", "to": "1404-02"}).json()
    assert [m["month"] for m in body["months"]] == ["1403-11", "1403-12", "1404-01", "1404-02"]
    assert body["months"][2]["first_day"] == "2025-03-21"  # 1 Farvardin 1404
    assert (body["first_month"], body["last_month"]) == ("1403-11", "1404-02")


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"from": "2025-01"}, "bad_month", "from"),
        ({"to": "1404-13"}, "bad_month", "to"),
        ({"from": "1404"}, "bad_month", "from"),
        ({"from": "1404-05", "to": "1404-04"}, "bad_month", "to"),
        ({"from": "1390-01", "to": "1404-01"}, "bad_month", "from"),
        ({"province": "atlantis"}, "invalid", "province"),
        ({"from": "x" * 50}, "invalid", "from"),
    ],
)
def test_bad_input_is_a_400(client, admin_user, params, code, field):
    client.force_login(admin_user)
    response = client.get(SHARE, params)
    assert response.status_code in (400, 422), response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)


@pytest.mark.parametrize("persona", ["unit_rep", "qazvin_inspector", "lab_user", "outsider"])
def test_only_office_and_national_staff_read_the_share(client, request, persona):
    login(client, request, persona)
    assert client.get(SHARE, {"from": "bad"}).status_code == 403


def test_an_office_may_not_read_another_province(client, qazvin_officer, tehran):
    client.force_login(qazvin_officer)
    assert client.get(SHARE, {"province": "tehran"}).status_code == 403
    assert client.get(SHARE, {"province": "qazvin"}).status_code == 200


def test_the_share_takes_a_fixed_number_of_queries(
    client, admin_user, qazvin_unit, django_assert_max_num_queries
):
    for step in range(1, 7):
        put_on_step(qazvin_unit, step, coercive=step >= 6, days_ago=step * 20)
    client.force_login(admin_user)
    with django_assert_max_num_queries(6):
        response = client.get(SHARE, {"from": "1400-01", "to": "1404-12"})
    assert response.status_code == 200


def test_a_malformed_unit_id_is_a_404_like_everywhere_else(client, qazvin_officer):
    client.force_login(qazvin_officer)
    assert client.get("/api/v1/units/junk/ladder").status_code == 404
    response = client.post("/api/v1/units/junk/ladder/decisions", {}, content_type="application/json")
    assert response.status_code in (404, 422)
