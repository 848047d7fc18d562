"""The plans API: list, generate (and its refusals), one plan with its visits, publish, withdraw, move and
remove a draft's visit, the calendar of a Jalali month; access per persona; bad input answers 4xx with
{code, message, field}, never a 500."""

import pytest

from hami.supervision.models import InspectionPlan, InspectionState, PlanState
from hami.supervision.tests.plans.conftest import FIRST, MONTH, YEAR

pytestmark = pytest.mark.django_db

API = "/api/v1"
INSPECTOR = "qazvin-inspector"
NOBODY_FIELD = "availability.0.inspector"
LATER = "2030-01-01"
AVAILABILITY = "availability"


def body(year=YEAR, period=MONTH, **extra):
    return {"period_kind": "month", "year": year, "period": period, "seed": 3, **extra}


def post(client, url, data=None):
    return client.post(f"{API}{url}", data or {}, content_type="application/json")


def test_the_office_generates_a_plan_and_reads_it_back(client, qazvin_officer, inspectors, units, history):
    client.force_login(qazvin_officer)
    response = post(client, "/inspection-plans", body())
    assert response.status_code == 201, response.content
    plan = response.json()
    assert (plan["state"], plan["starts_on"], plan["province"]) == ("draft", FIRST.isoformat(), "qazvin")
    assert plan["visit_count"] == len(plan["visits"]) > 0
    visit = plan["visits"][0]
    assert {"id", "unit", "unit_name", "county", "inspector", "day", "unannounced", "tier", "reasons"} <= set(
        visit
    )
    assert visit["reasons"][0]["code"] == "tier" and visit["reasons"][0]["text"]
    assert plan["policy"]["visit_interval_days"]["serious"] == 30
    assert plan["summary"]["visits_placed"] == plan["visit_count"]
    again = client.get(f"{API}/inspection-plans/{plan['id']}")
    assert again.status_code == 200 and again.json()["visits"] == plan["visits"]


def test_availability_by_username(client, qazvin_officer, inspectors, units, history):
    client.force_login(qazvin_officer)
    availability = [{"inspector": inspectors[1].username, "days": [FIRST.isoformat()]}]
    response = post(client, "/inspection-plans", body(availability=availability))
    assert response.status_code == 201
    assert {v["inspector"] for v in response.json()["visits"]} == {inspectors[1].username}
    assert response.json()["unplaced"][0]["reason"] in ("capacity", "rotation")


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        (body(period=13), 422, "invalid", "period"),
        (body(year=1200), 422, "invalid", "year"),
        ({**body(), "period_kind": "season", "period": 7}, 400, "bad_period", "period"),
        (body(availability=[]), 400, "no_inspectors", "availability"),
        (body(availability=[{"inspector": "nobody", "days": []}]), 400, "not_an_inspector", NOBODY_FIELD),
        (body(availability=[{"inspector": INSPECTOR, "days": []}]), 400, "no_capacity", "availability"),
        (body(availability=[{"inspector": INSPECTOR, "days": [LATER]}]), 400, "outside_period", AVAILABILITY),
        (body(province="atlantis"), 400, "invalid", "province"),
    ],
)  # fmt: skip
def test_bad_requests_are_refused_with_a_code_and_write_nothing(
    client, qazvin_officer, inspectors, units, payload, status, code, field
):
    client.force_login(qazvin_officer)
    response = post(client, "/inspection-plans", payload)
    assert response.status_code == status, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert response.json()["message"]
    assert not InspectionPlan.objects.exists()


def test_no_inspector_in_the_province_is_refused(client, qazvin_officer, units):
    client.force_login(qazvin_officer)
    response = post(client, "/inspection-plans", body())
    assert response.status_code == 400 and response.json()["code"] == "no_inspectors"


@pytest.mark.parametrize(
    "persona", ["qazvin_inspector", "unit_rep", "lab_user", "outsider", "tehran_officer"]
)
def test_only_the_office_generates(client, request, persona, qazvin, units):
    client.force_login(request.getfixturevalue(persona))
    response = post(client, "/inspection-plans", body(province="qazvin"))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_anonymous_is_refused(client, draft):
    assert client.get(f"{API}/inspection-plans").status_code == 401
    assert client.get(f"{API}/inspection-calendar").status_code == 401


def test_lists_follow_the_role(
    client, draft, qazvin_officer, qazvin_inspector, tehran_officer, unit_rep, django_assert_max_num_queries
):
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(6):
        rows = client.get(f"{API}/inspection-plans").json()["items"]
    assert [row["id"] for row in rows] == [str(draft.public_id)]
    client.force_login(qazvin_inspector)
    assert client.get(f"{API}/inspection-plans").json()["items"] == []  # a draft: the office's only
    assert client.get(f"{API}/inspection-plans/{draft.public_id}").status_code == 404
    client.force_login(tehran_officer)
    assert client.get(f"{API}/inspection-plans").json()["items"] == []
    client.force_login(unit_rep)
    assert client.get(f"{API}/inspection-plans").status_code == 403
    assert client.get(f"{API}/inspection-plans/{draft.public_id}").status_code == 403


def test_publish_then_withdraw(client, qazvin_officer, qazvin_inspector, draft):
    client.force_login(qazvin_inspector)
    assert (
        post(client, f"/inspection-plans/{draft.public_id}/publish").status_code == 404
    )  # a draft is not theirs
    client.force_login(qazvin_officer)
    response = post(client, f"/inspection-plans/{draft.public_id}/publish")
    assert response.status_code == 200 and response.json()["state"] == "published"
    assert post(client, f"/inspection-plans/{draft.public_id}/publish").json()["code"] == "wrong_state"
    client.force_login(qazvin_inspector)
    assert client.get(f"{API}/inspection-plans/{draft.public_id}").status_code == 200
    assert post(client, f"/inspection-plans/{draft.public_id}/withdraw", {"reason": "x"}).status_code == 403
    client.force_login(qazvin_officer)
    assert post(client, f"/inspection-plans/{draft.public_id}/withdraw", {}).status_code == 422
    response = post(client, f"/inspection-plans/{draft.public_id}/withdraw", {"reason": " "})
    assert (response.status_code, response.json()["field"]) == (400, "reason")
    response = post(client, f"/inspection-plans/{draft.public_id}/withdraw", {"reason": "Replanned"})
    assert response.json()["state"] == "withdrawn" and response.json()["withdraw_reason"] == "Replanned"


def free(plan, inspector) -> str:
    """A day the inspector is available in the plan with no visit yet (ISO)."""
    busy = {
        day.isoformat()
        for day in plan.visits.filter(inspector=inspector).values_list("scheduled_on", flat=True)
    }
    return next(day for day in plan.inspectors.get(inspector=inspector).days if day not in busy)


def test_move_and_remove_a_drafts_visit(client, qazvin_officer, draft, units, inspectors):
    client.force_login(qazvin_officer)
    visit = draft.visits.get(unit=units["overdue"])
    url = f"/inspection-plans/{draft.public_id}/visits/{visit.public_id}"
    free_day = free(draft, inspectors[0])
    refused = post(client, f"{url}/move", {"inspector": inspectors[0].username, "day": free_day})
    assert (refused.status_code, refused.json()["code"]) == (400, "rotation")
    unknown = post(client, f"{url}/move", {"inspector": "nobody", "day": "2026-04-25"})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "inspector")
    assert post(client, f"{url}/move", {"inspector": "x", "day": "tomorrow"}).status_code == 422
    free_day = free(draft, inspectors[1])
    moved = post(client, f"{url}/move", {"inspector": inspectors[1].username, "day": free_day})
    assert moved.status_code == 200 and moved.json()["day"] == free_day
    removed = post(client, f"{url}/remove", {"reason": "Closed"})
    assert removed.status_code == 200 and removed.json()["state"] == "cancelled"
    missing = f"/inspection-plans/{draft.public_id}/visits/00000000-0000-0000-0000-000000000000/remove"
    assert post(client, missing, {}).status_code == 404
    assert post(client, f"/inspection-plans/{draft.public_id}/visits/junk/remove", {}).status_code == 404


def test_the_calendar_gives_the_months_live_visits(client, qazvin_officer, qazvin_inspector, published, draft,
                                                   unit_rep, django_assert_max_num_queries):  # fmt: skip
    client.force_login(qazvin_inspector)
    with django_assert_max_num_queries(5):
        response = client.get(f"{API}/inspection-calendar?month=1405-02")
    data = response.json()
    assert (data["month"], data["first"], data["last"]) == ("1405-02", "2026-04-21", "2026-05-21")
    live = published.visits.filter(state=InspectionState.PLANNED).count()
    assert len(data["visits"]) == live and all(v["plan"] == str(published.public_id) for v in data["visits"])
    assert (
        client.get(f"{API}/inspection-calendar?month=۱۴۰۵-۰۲").json()["month"] == "1405-02"
    )  # Persian digits
    for junk in ("abc", "1405-13", "1405", "99999-01"):
        response = client.get(f"{API}/inspection-calendar?month={junk}")
        assert (response.status_code, response.json()["field"]) == (400, "month")
    client.force_login(unit_rep)
    assert client.get(f"{API}/inspection-calendar?month=1405-02").status_code == 403


def test_a_published_plans_state_is_listed_by_filter(client, qazvin_officer, published):
    client.force_login(qazvin_officer)
    rows = client.get(f"{API}/inspection-plans?state=published").json()["items"]
    assert [row["state"] for row in rows] == [PlanState.PUBLISHED]
    assert client.get(f"{API}/inspection-plans?state=draft").json()["items"] == []
    assert client.get(f"{API}/inspection-plans?state=nonsense").status_code == 422
