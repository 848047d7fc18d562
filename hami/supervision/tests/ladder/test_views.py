"""The ladder pages for every persona, in Persian: a unit's ladder, the office's decision form, the list of
units by step, the share of coercive measures. Junk input answers with a message, never a 500."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hami.core.jalali import format_date
from hami.supervision.models import LadderDecision, Step
from hami.supervision.tests.ladder.conftest import finding_of, put_on_step

pytestmark = pytest.mark.django_db


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def unit_page(unit):
    return reverse("supervision:ladder_unit", args=[unit.public_id])


def decide_page(unit):
    return reverse("supervision:ladder_decide", args=[unit.public_id])


# ---------------------------------------------------------------- a unit's ladder


@pytest.mark.parametrize("persona", ["unit_rep", "qazvin_officer", "qazvin_inspector", "admin_user"])
def test_the_unit_its_office_and_inspectors_see_its_ladder(client, request, qazvin_unit, persona):
    put_on_step(qazvin_unit, Step.NOTICE, reason="سه بار مهلت اقدام اصلاحی گذشت")
    login(client, request, persona)
    response = client.get(unit_page(qazvin_unit))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="rung-current"' in page and 'data-step="3"' in page
    assert "سه بار مهلت اقدام اصلاحی گذشت" in page
    assert 'lang="fa"' in page and 'dir="rtl"' in page
    assert ('id="ladder-decide"' in page) == (persona in ("qazvin_officer", "admin_user"))


@pytest.mark.parametrize("persona", ["tehran_officer", "lab_user", "outsider"])
def test_others_do_not_find_the_units_ladder(client, request, qazvin_unit, persona):
    login(client, request, persona)
    assert client.get(unit_page(qazvin_unit)).status_code == 404
    assert client.get(decide_page(qazvin_unit)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, qazvin_unit):
    response = client.get(unit_page(qazvin_unit))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_shows_active_points_and_the_way_back(client, unit_rep, qazvin_unit, qazvin_officer):
    from hami.supervision.services.points import points_award

    put_on_step(qazvin_unit, Step.WARNING, days_ago=10)
    finding_of(qazvin_unit, days_ago=10)
    points_award(actor=qazvin_officer, unit=qazvin_unit, points=4, reason="major")
    client.force_login(unit_rep)
    response = client.get(unit_page(qazvin_unit))
    page = response.content.decode()
    assert response.context["state"].points_total == 4
    assert 'id="points-total">۴<' in page
    assert response.context["state"].way_back.open_findings == 1
    way = response.context["state"].way_back
    assert way.clean_on == timezone.localdate() + dt.timedelta(days=80)
    assert format_date(way.clean_on) in page  # from when it may step down, in Jalali
    assert 'id="ladder-proposal"' not in page  # proposals are the office's


def test_the_office_sees_the_proposal(client, qazvin_officer, qazvin_unit):
    finding_of(qazvin_unit, severity="critical")
    client.force_login(qazvin_officer)
    page = client.get(unit_page(qazvin_unit)).content.decode()
    assert 'id="ladder-proposal"' in page


# ---------------------------------------------------------------- the decision form


def test_the_form_is_pre_filled_from_the_proposal(client, qazvin_officer, qazvin_unit):
    finding = finding_of(qazvin_unit, severity="critical")
    client.force_login(qazvin_officer)
    response = client.get(decide_page(qazvin_unit))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["step"].value() == Step.CLINIC and form["trigger"].value() == "finding"
    assert list(form["findings"].value()) == [finding.pk]
    assert 'id="ladder-proposal"' in response.content.decode()


def test_the_office_records_a_decision(client, qazvin_officer, qazvin_unit):
    finding = finding_of(qazvin_unit)
    client.force_login(qazvin_officer)
    data = {"step": "1", "trigger": "finding", "reason": "یک یافته عمده", "findings": [finding.pk]}
    response = client.post(decide_page(qazvin_unit), data)
    assert response.status_code == 302 and response["Location"] == unit_page(qazvin_unit)
    decision = LadderDecision.objects.get()
    assert decision.step == 1 and decision.decided_by == qazvin_officer


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"step": "4", "trigger": "finding", "reason": "x"}, "step"),  # not allowed
        ({"step": "1", "trigger": "finding", "reason": ""}, "reason"),
        ({"step": "99", "trigger": "finding", "reason": "x"}, "step"),
        ({"step": "1", "trigger": "nope", "reason": "x"}, "trigger"),
        ({"step": "1", "trigger": "finding", "reason": "x", "licence": "999999"}, "licence"),
        ({"step": "1", "trigger": "finding", "reason": "x", "market_withdrawal": "on"}, "market_withdrawal"),
    ],
)
def test_a_refused_decision_stays_on_the_form_with_its_error(
    client, qazvin_officer, qazvin_unit, data, field
):
    finding_of(qazvin_unit)
    client.force_login(qazvin_officer)
    response = client.post(decide_page(qazvin_unit), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not LadderDecision.objects.exists()


@pytest.mark.parametrize("persona", ["unit_rep", "qazvin_inspector"])
def test_only_the_office_decides(client, request, qazvin_unit, persona):
    finding_of(qazvin_unit)
    login(client, request, persona)
    assert client.get(decide_page(qazvin_unit)).status_code == 403
    data = {"step": "1", "trigger": "finding", "reason": "x"}
    assert client.post(decide_page(qazvin_unit), data).status_code == 403
    assert not LadderDecision.objects.exists()


# ---------------------------------------------------------------- the list and the measures


def test_the_office_lists_its_units_by_step_in_few_queries(
    client, qazvin_officer, qazvin_unit, tehran_unit, django_assert_max_num_queries
):
    from hami.registry.tests.factories import UnitFactory

    put_on_step(qazvin_unit, Step.SUSPENSION, days_ago=3)
    put_on_step(tehran_unit, Step.ADVICE)
    for step in (1, 1, 2, 4):
        put_on_step(UnitFactory(), step)
    UnitFactory()  # never on the ladder
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("supervision:ladder_list"))
    assert response.status_code == 200
    units = list(response.context["page"])
    assert [u.ladder_step for u in units] == [6, 4, 2, 1, 1]  # Qazvin's only, highest first
    counts = {s["value"]: s["count"] for s in response.context["steps"]}
    assert counts[1] == 2 and counts[6] == 1 and counts[7] == 0
    response = client.get(reverse("supervision:ladder_list"), {"step": "1"})
    assert [u.ladder_step for u in response.context["page"]] == [1, 1]


def test_a_national_admin_filters_the_list_by_province(client, admin_user, qazvin_unit, tehran_unit, tehran):
    put_on_step(qazvin_unit, Step.ADVICE)
    put_on_step(tehran_unit, Step.CLINIC)
    client.force_login(admin_user)
    assert len(client.get(reverse("supervision:ladder_list")).context["page"]) == 2
    response = client.get(reverse("supervision:ladder_list"), {"province": tehran.pk, "step": "junk"})
    assert [u.pk for u in response.context["page"]] == [tehran_unit.pk]


@pytest.mark.parametrize("persona", ["unit_rep", "qazvin_inspector", "lab_user", "outsider"])
@pytest.mark.parametrize("name", ["ladder_list", "ladder_measures"])
def test_the_list_and_the_measures_are_the_offices(client, request, persona, name):
    login(client, request, persona)
    assert client.get(reverse(f"supervision:{name}")).status_code == 403


def test_the_office_sees_its_share_of_coercive_measures(client, qazvin_officer, qazvin_unit, tehran_unit):
    put_on_step(qazvin_unit, Step.ADVICE)
    put_on_step(qazvin_unit, Step.SUSPENSION, coercive=True)
    put_on_step(tehran_unit, Step.SUSPENSION, coercive=True)
    client.force_login(qazvin_officer)
    response = client.get(reverse("supervision:ladder_measures"))
    page = response.content.decode()
    assert response.status_code == 200
    share = response.context["share"]
    assert (share.total.measures, share.total.coercive) == (2, 1)  # Tehran's is not Qazvin's
    assert 'id="share-chart"' in page and 'data-share="50"' in page
    assert "province" not in response.context["form"].fields


def test_a_national_admin_sees_every_province(client, admin_user, qazvin_unit, tehran_unit, tehran):
    put_on_step(qazvin_unit, Step.ADVICE)
    put_on_step(tehran_unit, Step.SUSPENSION, coercive=True)
    client.force_login(admin_user)
    response = client.get(reverse("supervision:ladder_measures"))
    assert response.context["share"].total.measures == 2
    assert 'id="measures-matrix"' in response.content.decode()
    response = client.get(reverse("supervision:ladder_measures"), {"province": tehran.pk})
    assert response.context["share"].total.measures == 1


@pytest.mark.parametrize(
    "params",
    [{"start": "1404-13"}, {"end": "junk"}, {"start": "1404-05", "end": "1404-01"}, {"start": "1380-01"}],
)
def test_a_bad_range_answers_with_a_message(client, qazvin_officer, params):
    client.force_login(qazvin_officer)
    response = client.get(reverse("supervision:ladder_measures"), params)
    assert response.status_code == 200
    assert response.context["form"].errors or response.context["error"]
    assert len(response.context["share"].months) == 12  # the default range instead
