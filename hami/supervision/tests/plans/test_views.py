"""The plan pages for every persona (in Persian), the new-plan form, publishing and withdrawing, moving a
draft's visit, the office calendar; junk input answers with a message, never a 500."""

import datetime as dt

import pytest
from django.urls import reverse

from hami.supervision.models import Inspection, InspectionPlan, InspectionState, PlanState
from hami.supervision.tests.plans.conftest import FIRST, MONTH, YEAR

pytestmark = pytest.mark.django_db

REFUSED = ["unit_rep", "lab_user", "outsider"]


def login(client, request, persona):
    client.force_login(request.getfixturevalue(persona))


def pages(plan):
    visit = plan.visits.first()
    return {
        "plan_list": reverse("supervision:plan_list"),
        "plan_new": reverse("supervision:plan_new"),
        "plan_detail": reverse("supervision:plan_detail", args=[plan.public_id]),
        "plan_visit": reverse("supervision:plan_visit", args=[plan.public_id, visit.public_id]),
        "plan_calendar": reverse("supervision:plan_calendar"),
    }


@pytest.mark.parametrize("persona", ["qazvin_officer", "admin_user"])
def test_the_office_reaches_every_page(client, request, persona, draft):
    login(client, request, persona)
    for name, url in pages(draft).items():
        response = client.get(url)
        assert response.status_code == 200, name


@pytest.mark.parametrize("persona", REFUSED)
@pytest.mark.parametrize("name", ["plan_list", "plan_new", "plan_detail", "plan_visit", "plan_calendar"])
def test_other_roles_are_refused(client, request, persona, name, published):
    login(client, request, persona)
    assert client.get(pages(published)[name]).status_code == 403


@pytest.mark.parametrize("name", ["plan_list", "plan_new", "plan_detail", "plan_calendar"])
def test_anonymous_is_sent_to_sign_in(client, name, draft):
    response = client.get(pages(draft)[name])
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_inspector_reads_published_plans_only(client, qazvin_inspector, draft, qazvin_officer):
    client.force_login(qazvin_inspector)
    assert str(draft.public_id) not in client.get(reverse("supervision:plan_list")).content.decode()
    assert client.get(pages(draft)["plan_detail"]).status_code == 404
    assert client.get(pages(draft)["plan_new"]).status_code == 403
    from hami.supervision.services.plans import plan_publish

    plan_publish(actor=qazvin_officer, plan=draft)
    page = client.get(pages(draft)["plan_detail"]).content.decode()
    assert 'id="plan-days"' in page and 'id="plan-publish"' not in page and 'id="withdraw-form"' not in page
    assert client.get(pages(draft)["plan_visit"]).status_code == 403  # editing is the office's
    assert client.get(reverse("supervision:plan_calendar")).status_code == 200


def test_another_provinces_office_does_not_see_the_plan(client, tehran_officer, draft):
    client.force_login(tehran_officer)
    assert str(draft.public_id) not in client.get(reverse("supervision:plan_list")).content.decode()
    assert client.get(pages(draft)["plan_detail"]).status_code == 404
    assert client.post(reverse("supervision:plan_publish", args=[draft.public_id])).status_code == 404


def test_the_list_is_in_persian_and_costs_few_queries(
    client, qazvin_officer, draft, django_assert_max_num_queries
):
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("supervision:plan_list")).content.decode()
    assert "اردیبهشت ۱۴۰۵" in page  # the period, Jalali, Persian digits
    assert str(draft.public_id) in page


def test_the_detail_shows_visits_by_day_reasons_and_the_summary(
    client, qazvin_officer, draft, units, django_assert_max_num_queries
):
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(16):
        page = client.get(pages(draft)["plan_detail"]).content.decode()
    assert units["serious"].name_fa in page and units["new_b"].name_fa in page
    assert 'id="plan-publish"' in page and 'id="summary-changes"' in page
    assert "۱ اردیبهشت ۱۴۰۵" in page  # the first day, long Jalali form
    assert units["recent"].name_fa not in page  # not due: not in the plan


def test_new_plan_form_shows_each_inspectors_working_days_and_generates(
    client, qazvin_officer, inspectors, units
):
    client.force_login(qazvin_officer)
    query = f"?period_kind=month&year={YEAR}&month={MONTH}&season=1"
    page = client.get(reverse("supervision:plan_new") + query).content.decode()
    assert f'data-inspector="{inspectors[0].pk}"' in page
    assert (
        page.count(f'name="days_{inspectors[0].pk}"') == 31 and 'value="2026-04-24"' in page
    )  # every day shown
    data = {f"keep_{inspectors[0].pk}": "on", f"days_{inspectors[0].pk}": [FIRST.isoformat(), "2026-04-22"]}
    response = client.post(reverse("supervision:plan_new") + query, data)
    plan = InspectionPlan.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{plan.public_id}/")
    assert set(plan.visits.values_list("inspector", "scheduled_on")) <= {
        (inspectors[0].pk, FIRST),
        (inspectors[0].pk, dt.date(2026, 4, 22)),
    }


def test_new_plan_with_nobody_kept_says_so_and_writes_nothing(client, qazvin_officer, inspectors, units):
    client.force_login(qazvin_officer)
    query = f"?period_kind=month&year={YEAR}&month={MONTH}"
    response = client.post(reverse("supervision:plan_new") + query, {})
    assert response.status_code == 200 and 'id="plan-errors"' in response.content.decode()
    assert not InspectionPlan.objects.exists()
    no_days = {f"keep_{inspectors[0].pk}": "on"}
    response = client.post(reverse("supervision:plan_new") + query, no_days)
    assert 'id="plan-errors"' in response.content.decode() and not InspectionPlan.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "?period_kind=month&year=99999&month=1",
        "?period_kind=season&year=1405&season=9",
        "?period_kind=x&year=a",
        "?period_kind=month&year=1405&month=",
        "?period_kind=season&year=1405&month=1",
    ],
)
def test_a_bad_period_is_shown_on_the_form(client, qazvin_officer, inspectors, query):
    client.force_login(qazvin_officer)
    response = client.get(reverse("supervision:plan_new") + query)
    assert response.status_code == 200
    assert (
        "invalid-feedback" in response.content.decode() and 'id="plan-form"' not in response.content.decode()
    )
    assert client.post(reverse("supervision:plan_new") + query, {}).status_code == 200
    assert not InspectionPlan.objects.exists()


def test_a_national_admin_chooses_the_province_first(client, admin_user, qazvin, inspectors):
    client.force_login(admin_user)
    page = client.get(reverse("supervision:plan_new")).content.decode()
    assert 'id="period-form"' in page and 'id="plan-form"' not in page
    query = f"?province={qazvin.pk}&period_kind=month&year={YEAR}&month={MONTH}"
    assert 'id="plan-form"' in client.get(reverse("supervision:plan_new") + query).content.decode()


def test_publish_and_withdraw_from_the_page(client, qazvin_officer, draft):
    client.force_login(qazvin_officer)
    response = client.post(reverse("supervision:plan_publish", args=[draft.public_id]), follow=True)
    draft.refresh_from_db()
    assert draft.state == PlanState.PUBLISHED and response.status_code == 200
    again = client.post(reverse("supervision:plan_publish", args=[draft.public_id]), follow=True)
    assert again.status_code == 200 and "alert" in again.content.decode()  # wrong state: a message
    client.post(reverse("supervision:plan_withdraw", args=[draft.public_id]), {"reason": ""}, follow=True)
    draft.refresh_from_db()
    assert draft.state == PlanState.PUBLISHED  # no reason, no withdrawal
    client.post(reverse("supervision:plan_withdraw", args=[draft.public_id]), {"reason": "Replanned"})
    draft.refresh_from_db()
    assert (draft.state, draft.withdraw_reason) == (PlanState.WITHDRAWN, "Replanned")
    assert not draft.visits.filter(state=InspectionState.PLANNED).exists()


def test_moving_a_visit_from_its_page(client, qazvin_officer, draft, units, inspectors):
    client.force_login(qazvin_officer)
    visit = draft.visits.get(unit=units["overdue"])  # qazvin_inspector visited it last
    url = reverse("supervision:plan_visit", args=[draft.public_id, visit.public_id])
    page = client.get(url).content.decode()
    assert 'id="move-form"' in page and 'id="visit-reasons"' in page
    refused = client.post(url, {"action": "move", "inspector": inspectors[0].pk, "day": "1405/02/05"})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()
    visit.refresh_from_db()
    assert visit.inspector == inspectors[1]
    junk = client.post(url, {"action": "move", "inspector": "abc", "day": "not a day"})
    assert junk.status_code == 200
    busy = set(draft.visits.filter(inspector=inspectors[1]).values_list("scheduled_on", flat=True))
    free = next(d for d in (dt.date(2026, 5, 2), dt.date(2026, 5, 3), dt.date(2026, 5, 4)) if d not in busy)
    moved = client.post(url, {"action": "move", "inspector": inspectors[1].pk, "day": free.isoformat()})
    assert moved.status_code == 302
    visit.refresh_from_db()
    assert visit.scheduled_on == free
    client.post(url, {"action": "remove", "reason": "Closed"})
    visit.refresh_from_db()
    assert visit.state == InspectionState.CANCELLED


def test_an_unknown_visit_or_plan_is_404(client, qazvin_officer, draft):
    client.force_login(qazvin_officer)
    for junk in ("?inspector=" + "9" * 30, "?month=junk", "?inspector=۱&month=1405-02"):
        assert client.get(pages(draft)["plan_detail"] + junk).status_code == 200
    other = Inspection.objects.exclude(plan=draft).first()
    if other is not None:
        assert (
            client.get(reverse("supervision:plan_visit", args=[draft.public_id, other.public_id])).status_code
            == 404
        )
    assert client.get("/supervision/plans/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_calendar_counts_live_visits_by_county_and_lists_a_day(
    client, qazvin_officer, published, units, django_assert_max_num_queries
):
    client.force_login(qazvin_officer)
    url = reverse("supervision:plan_calendar")
    with django_assert_max_num_queries(10):
        page = client.get(f"{url}?month=1405-02").content.decode()
    assert "اردیبهشت ۱۴۰۵" in page
    day = published.visits.order_by("scheduled_on").first().scheduled_on
    assert f"day={day.isoformat()}" in page
    listing = client.get(f"{url}?month=1405-02&day={day.isoformat()}").content.decode()
    assert 'id="day-visits"' in listing
    assert any(v.unit.name_fa in listing for v in published.visits.filter(scheduled_on=day))
    huge = "9" * 30
    for junk in (
        "?month=abc",
        "?month=1405-13",
        "?day=2026-99-01",
        "?inspector=x",
        "?month=99999-01",
        f"?inspector={huge}",
    ):
        assert client.get(url + junk).status_code == 200


def test_the_calendar_leaves_out_drafts(client, qazvin_officer, draft):
    client.force_login(qazvin_officer)
    page = client.get(reverse("supervision:plan_calendar") + "?month=1405-02").content.decode()
    assert "day=2026-04-21" not in page
