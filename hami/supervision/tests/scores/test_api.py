"""The scores API: a unit's score for its representative and office (404 for others, `not_scored` before
the first run), the scoped and filtered list, "recompute", and the instruction (GET for the office, PUT for
a national admin); refusals are {code, message, field}."""

import pytest

from hami.core.tokens import api_token_create
from hami.supervision.models import ScoreRun, SupervisionPolicy
from hami.supervision.tests.scores import build
from hami.supervision.tests.scores.conftest import run_scores

pytestmark = pytest.mark.django_db

API = "/api/v1"


def bearer(user) -> dict:
    _token, key = api_token_create(actor=None, user=user, name="script")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def as_persona(request, persona) -> dict:
    return bearer(request.getfixturevalue(persona))


def refusal(response, status: int, code: str, field=...) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code and body["message"], body
    if field is not ...:
        assert body["field"] == field, body
    return body


@pytest.fixture
def scored(risky, tehran_unit):
    run_scores()
    return risky


@pytest.mark.parametrize("persona", ["unit_rep", "qazvin_officer", "qazvin_inspector", "admin_user"])
def test_a_units_score_with_components_and_hints(client, request, persona, scored):
    response = client.get(f"{API}/units/{scored.public_id}/risk-score", **as_persona(request, persona))
    body = response.json()
    assert response.status_code == 200, body
    assert (
        body["unit"] == str(scored.public_id) and body["province"] == "qazvin" and body["county"] == "qazvin"
    )
    assert body["score"] == 55.2 and body["tier"] == "high" and body["policy_version"] == 0
    assert body["computed_at"]
    parts = {c["key"]: c for c in body["components"]}
    assert parts["open_findings"] == {
        "key": "open_findings", "raw": 4, "points": 10.0, "weight": 15,
        "detail": {"critical": 1, "major": 0, "minor": 1},
    }  # fmt: skip
    assert parts["since_inspection"]["raw"] == 100 and parts["standing"]["weight"] == -10
    assert body["hints"][0] == {"key": "test_failures", "gain": 13.3, "count": 2}


@pytest.mark.parametrize("persona", ["tehran_officer", "lab_user", "outsider"])
def test_anyone_else_gets_a_404(client, request, persona, scored):
    response = client.get(f"{API}/units/{scored.public_id}/risk-score", **as_persona(request, persona))
    refusal(response, 404, "not_found")


def test_a_unit_without_a_score_answers_not_scored(client, unit_rep, qazvin_unit):
    refusal(
        client.get(f"{API}/units/{qazvin_unit.public_id}/risk-score", **bearer(unit_rep)), 404, "not_scored"
    )
    refusal(client.get(f"{API}/units/nonsense/risk-score", **bearer(unit_rep)), 404, "not_found")


def test_sign_in_is_needed(client, scored):
    assert client.get(f"{API}/units/{scored.public_id}/risk-score").status_code == 401
    assert client.get(f"{API}/risk-scores").status_code == 401


def test_the_list_is_scoped_filtered_and_paginated(
    client, request, scored, tehran_unit, qazvin_officer, admin_user
):
    quiet = build.unit()
    run_scores()
    office = client.get(f"{API}/risk-scores", **bearer(qazvin_officer)).json()
    assert office["count"] == 2
    assert [item["unit"] for item in office["items"]] == [str(scored.public_id), str(quiet.public_id)]
    everything = client.get(f"{API}/risk-scores", **bearer(admin_user)).json()
    assert everything["count"] == 3
    tehran = client.get(f"{API}/risk-scores", {"province": "tehran"}, **bearer(admin_user)).json()
    assert [item["unit"] for item in tehran["items"]] == [str(tehran_unit.public_id)]
    high = client.get(f"{API}/risk-scores", {"tier": "high"}, **bearer(admin_user)).json()
    assert [item["unit"] for item in high["items"]] == [str(scored.public_id)]
    county = client.get(f"{API}/risk-scores", {"county": "tehran"}, **bearer(qazvin_officer)).json()
    assert county["count"] == 0  # another province's county: nothing of Qazvin is there
    paged = client.get(f"{API}/risk-scores", {"page_size": 1, "page": 2}, **bearer(qazvin_officer)).json()
    assert [item["unit"] for item in paged["items"]] == [str(quiet.public_id)]
    mine = client.get(f"{API}/risk-scores", **bearer(request.getfixturevalue("unit_rep"))).json()
    assert [item["unit"] for item in mine["items"]] == [str(scored.public_id)]


def test_the_list_refuses_junk_and_roles_without_scores(client, lab_user, qazvin_officer, scored):
    refusal(client.get(f"{API}/risk-scores", **bearer(lab_user)), 403, "forbidden")
    response = client.get(f"{API}/risk-scores", {"tier": "awful"}, **bearer(qazvin_officer))
    assert response.status_code == 422 and response.json()["field"] == "tier"


def test_the_list_answers_in_few_queries(client, qazvin_officer, scored, django_assert_max_num_queries):
    for _ in range(20):
        build.unit()
    run_scores()
    headers = bearer(qazvin_officer)
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}/risk-scores", **headers).json()
    assert body["count"] == 21


@pytest.mark.parametrize("persona", ["qazvin_officer", "admin_user"])
def test_office_staff_recompute_through_the_api(client, request, persona, scored):
    response = client.post(f"{API}/risk-scores/recompute", **as_persona(request, persona))
    body = response.json()
    assert response.status_code == 200, body
    assert body["state"] == "done" and body["unit_count"] == 2 and body["error"] == ""
    assert ScoreRun.objects.filter(state="done").count() == 2


@pytest.mark.parametrize("persona", ["qazvin_inspector", "unit_rep", "lab_user", "outsider"])
def test_other_roles_may_not_recompute(client, request, persona):
    refusal(client.post(f"{API}/risk-scores/recompute", **as_persona(request, persona)), 403, "forbidden")
    assert not ScoreRun.objects.exists()


def test_a_second_recompute_while_one_runs_is_refused(client, qazvin_officer):
    ScoreRun.objects.create(state="running", as_of=build.NOW)
    refusal(client.post(f"{API}/risk-scores/recompute", **bearer(qazvin_officer)), 400, "scores_running")


# ---------------------------------------------------------------- the instruction


@pytest.mark.parametrize("persona", ["qazvin_officer", "qazvin_inspector", "admin_user"])
def test_the_office_reads_the_instruction(client, request, persona):
    body = client.get(f"{API}/supervision/policy", **as_persona(request, persona)).json()
    assert body["version"] == 0 and body["values"]["weights"]["hazard"] == 25 and body["adopted_at"] is None


@pytest.mark.parametrize("persona", ["unit_rep", "lab_user", "outsider"])
def test_other_roles_may_not_read_the_instruction(client, request, persona):
    refusal(client.get(f"{API}/supervision/policy", **as_persona(request, persona)), 403, "forbidden")


def put(client, user, body):
    return client.put(f"{API}/supervision/policy", body, content_type="application/json", **bearer(user))


def test_a_national_admin_puts_a_new_version(client, admin_user, qazvin_officer):
    response = put(
        client, admin_user, {"values": {"weights": {"standing": -15}}, "reason": "Reward standing"}
    )
    body = response.json()
    assert response.status_code == 200, body
    assert body["version"] == 1 and body["values"]["weights"]["standing"] == -15
    assert body["reason"] == "Reward standing" and body["adopted_at"]
    read = client.get(f"{API}/supervision/policy", **bearer(qazvin_officer)).json()
    assert read["version"] == 1 and read["values"]["weights"]["standing"] == -15


@pytest.mark.parametrize("persona", ["qazvin_officer", "qazvin_inspector", "unit_rep"])
def test_only_a_national_admin_puts(client, request, persona):
    response = put(client, request.getfixturevalue(persona), {"values": {"visits_per_day": 4}, "reason": "x"})
    refusal(response, 403, "forbidden")
    assert not SupervisionPolicy.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"values": {"weights": {"hazard": 1000}}, "reason": "x"}, 400, "invalid", "weights.hazard"),
        ({"values": {"tier_thresholds": {"high": 90}}, "reason": "x"}, 400, "invalid", "tier_thresholds"),
        ({"values": {"nonsense": 1}, "reason": "x"}, 400, "invalid", "nonsense"),
        ({"values": {}, "reason": "x"}, 400, "policy_unchanged", None),
        ({"values": {"visits_per_day": 4}, "reason": ""}, 400, "invalid", "reason"),
        ({"values": "all of them", "reason": "x"}, 422, "invalid", "values"),
        ({"reason": "x"}, 422, "invalid", "values"),
    ],
)
def test_a_bad_instruction_is_refused_with_its_field(client, admin_user, body, status, code, field):
    refusal(put(client, admin_user, body), status, code, field)
    assert not SupervisionPolicy.objects.exists()
