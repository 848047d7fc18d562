"""The plan services: generating a draft from the database (units, tiers, last inspections, the
inspectors' days), refusals that write nothing, publishing (replacing the period's plan, notices),
withdrawing, and moving or removing a draft's visit under the plan's rules."""

import datetime as dt

import pytest

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Holiday, Notification
from hami.supervision.models import (
    Inspection,
    InspectionKind,
    InspectionPlan,
    InspectionState,
    PlanInspector,
    PlanState,
)
from hami.supervision.services.plans import (
    period_bounds,
    plan_generate,
    plan_publish,
    plan_visit_move,
    plan_visit_remove,
    plan_withdraw,
    working_days,
)
from hami.supervision.tests.factories import InspectorFactory
from hami.supervision.tests.plans.conftest import FIRST, LAST, MONTH, YEAR

pytestmark = pytest.mark.django_db


def generate(actor, **overrides):
    arguments = {"period_kind": "month", "year": YEAR, "period": MONTH, "seed": 7, **overrides}
    return plan_generate(actor=actor, province=arguments.pop("province", actor.province), **arguments)


def refusal(call) -> HamiError:
    with pytest.raises(HamiError) as caught:
        call()
    return caught.value


def nothing_written(before: int) -> bool:
    return (
        not InspectionPlan.objects.exists()
        and not Inspection.objects.filter(plan__isnull=False).exists()
        and AuditEvent.objects.count() == before
    )


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("kind", "year", "period", "first", "last"),
    [
        ("month", 1405, 1, dt.date(2026, 3, 21), dt.date(2026, 4, 20)),
        ("month", 1405, 12, dt.date(2027, 2, 20), dt.date(2027, 3, 20)),
        ("season", 1405, 1, dt.date(2026, 3, 21), dt.date(2026, 6, 21)),
        ("season", 1403, 4, dt.date(2024, 12, 21), dt.date(2025, 3, 20)),  # 1403 is leap: Esfand has 30 days
    ],
)
def test_periods_are_jalali_months_and_seasons(kind, year, period, first, last):
    assert period_bounds(kind, year, period) == (first, last)


@pytest.mark.parametrize(
    ("kind", "year", "period", "field"),
    [("month", 1405, 13, "period"), ("season", 1405, 5, "period"), ("month", 1300, 1, "year"),
     ("week", 1405, 1, "period_kind"), ("month", "x", 1, "year")],
)  # fmt: skip
def test_a_period_that_does_not_exist_is_refused(kind, year, period, field):
    error = refusal(lambda: period_bounds(kind, year, period))
    assert (error.code, error.field) == ("bad_period", field)


def test_default_days_are_the_working_days(qazvin):
    Holiday.objects.create(date=dt.date(2026, 4, 22), name_fa="تعطیل آزمایشی")
    days = working_days(qazvin, FIRST, LAST)
    assert dt.date(2026, 4, 22) not in days
    assert all(day.weekday() != 4 for day in days)  # no Friday
    assert FIRST in days and len(days) == 31 - 4 - 1  # four Fridays in the month, one holiday


# ---------------------------------------------------------------- generate


def test_generate_writes_a_draft_with_visits_inspectors_and_the_planners_report(
    qazvin_officer, inspectors, units, history
):
    plan = generate(qazvin_officer)
    assert (plan.state, plan.starts_on, plan.ends_on, plan.score_run) == (
        PlanState.DRAFT,
        FIRST,
        LAST,
        history,
    )
    seats = {seat.inspector: seat for seat in PlanInspector.objects.filter(plan=plan)}
    assert set(seats) == set(inspectors)
    assert all(len(seat.days) == 27 and seat.visits_per_day == 3 for seat in seats.values())  # no Friday
    visits = {visit.unit_id: visit for visit in plan.visits.all()}
    # Due: serious, high, the two never inspected and the overdue one; `recent` (low, a week ago) is not.
    due = {units[key].pk for key in ("serious", "high", "new_a", "new_b", "overdue")}
    assert due <= set(visits) and units["recent"].pk not in visits
    serious = [v for v in plan.visits.all() if v.unit_id == units["serious"].pk]
    assert len(serious) == 2 and all(
        v.unannounced for v in serious
    )  # monthly in a 31-day month: days 0 and 30
    for visit in visits.values():
        assert (visit.kind, visit.state) == (InspectionKind.ROUTINE, InspectionState.PLANNED)
        assert visit.province_id == visit.unit.province_id
        assert visit.county_id == visit.unit.county_id and FIRST <= visit.scheduled_on <= LAST
        assert all({"code", "text", "values"} <= set(reason) for reason in visit.reasons)
    codes = {reason["code"] for reason in visits[units["new_a"].pk].reasons}
    assert {"tier", "never_inspected", "not_scored"} <= codes  # unscored: planned as medium, and says so
    overdue = visits[units["overdue"].pk]
    assert overdue.inspector != inspectors[0]  # it visited last time
    assert "overdue" in {reason["code"] for reason in overdue.reasons}
    report = plan.report
    assert report["summary"]["visits_placed"] == plan.visits.count()
    assert report["policy"]["visit_interval_days"]["serious"] == 30
    assert report["units_unscored"] == 2 and report["unplaced"] == []
    event = AuditEvent.objects.get(event_type=EventType.PLAN_GENERATED)
    assert event.details["visits"] == plan.visits.count() and event.details["seed"] == 7


def test_the_same_seed_makes_the_same_plan(qazvin_officer, inspectors, units, history):
    def visits(plan):
        return sorted(plan.visits.values_list("unit_id", "inspector_id", "scheduled_on", "unannounced"))

    assert visits(generate(qazvin_officer)) == visits(generate(qazvin_officer))


def test_availability_keeps_only_the_inspectors_and_days_given(qazvin_officer, inspectors, units, history):
    one_day = [FIRST]
    plan = generate(qazvin_officer, availability={inspectors[1]: one_day})
    assert list(plan.inspectors.values_list("inspector", flat=True)) == [inspectors[1].pk]
    assert set(plan.visits.values_list("inspector", "scheduled_on")) == {(inspectors[1].pk, FIRST)}
    assert plan.visits.count() == 3  # one day of three visits
    unplaced = plan.report["unplaced"]
    assert unplaced and {entry["reason"] for entry in unplaced} <= {"capacity", "rotation"}
    assert all(entry["text"] and entry["name_fa"] for entry in unplaced)


def test_a_national_admin_plans_for_any_province(admin_user, qazvin, inspectors, units, history):
    plan = generate(admin_user, province=qazvin)
    assert plan.province == qazvin and plan.created_by == admin_user


@pytest.mark.parametrize("persona", ["tehran_officer", "qazvin_inspector", "unit_rep", "outsider"])
def test_only_the_provinces_office_generates(request, persona, qazvin, inspectors, units):
    actor = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        generate(actor, province=qazvin)
    assert not InspectionPlan.objects.exists()


def test_no_inspector_is_refused_and_nothing_written(qazvin_officer, units):
    before = AuditEvent.objects.count()
    error = refusal(lambda: generate(qazvin_officer))
    assert error.code == "no_inspectors" and error.field == "availability"
    assert nothing_written(before)


def test_no_inspector_kept_or_no_day_is_refused_and_nothing_written(qazvin_officer, inspectors, units):
    before = AuditEvent.objects.count()
    assert refusal(lambda: generate(qazvin_officer, availability={})).code == "no_inspectors"
    no_days = {inspectors[0]: [], inspectors[1]: []}
    assert refusal(lambda: generate(qazvin_officer, availability=no_days)).code == "no_capacity"
    assert nothing_written(before)


def test_availability_outside_the_province_or_the_period_is_refused(
    qazvin_officer, inspectors, tehran, units
):
    before = AuditEvent.objects.count()
    tehran_inspector = InspectorFactory(province=tehran)
    error = refusal(lambda: generate(qazvin_officer, availability={tehran_inspector: [FIRST]}))
    assert (error.code, error.field) == ("not_an_inspector", "availability")
    error = refusal(
        lambda: generate(qazvin_officer, availability={inspectors[0]: [LAST + dt.timedelta(days=1)]})
    )
    assert error.code == "outside_period"
    assert nothing_written(before)


def test_an_inactive_inspector_is_not_planned(qazvin_officer, inspectors, units):
    inspectors[1].is_active = False
    inspectors[1].save()
    plan = generate(qazvin_officer)
    assert set(plan.visits.values_list("inspector", flat=True)) == {inspectors[0].pk}


# ---------------------------------------------------------------- publish and withdraw


def test_publish_tells_the_inspectors_and_the_units_of_announced_visits(
    draft, qazvin_officer, unit_rep, qazvin_unit, inspectors, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_publish(actor=qazvin_officer, plan=draft)
    assert (plan.state, plan.published_by) == (PlanState.PUBLISHED, qazvin_officer)
    for inspector in inspectors:
        assert Notification.objects.filter(user=inspector, link__contains=str(plan.public_id)).exists()
    assert AuditEvent.objects.filter(event_type=EventType.PLAN_PUBLISHED).count() == 1


def test_units_hear_of_announced_visits_only(qazvin_officer, inspectors, unit_rep, qazvin_unit,
                                              django_capture_on_commit_callbacks):  # fmt: skip
    plan = generate(qazvin_officer)
    visits = list(plan.visits.filter(unit=qazvin_unit))
    assert visits  # qazvin_unit was never inspected: it is in the plan
    with django_capture_on_commit_callbacks(execute=True):
        plan_publish(actor=qazvin_officer, plan=plan)
    told = Notification.objects.filter(user=unit_rep).count()
    assert told == (0 if all(v.unannounced for v in visits) else 1)


def test_publishing_a_second_plan_of_the_period_withdraws_the_first_and_cancels_its_planned_visits(
    published, qazvin_officer, inspectors, units
):
    started = published.visits.first()
    started.state = InspectionState.IN_PROGRESS
    started.save()
    second = generate(qazvin_officer)
    plan_publish(actor=qazvin_officer, plan=second)
    published.refresh_from_db()
    assert published.state == PlanState.WITHDRAWN and published.withdraw_reason
    states = set(published.visits.exclude(pk=started.pk).values_list("state", flat=True))
    assert states == {InspectionState.CANCELLED}
    started.refresh_from_db()
    assert started.state == InspectionState.IN_PROGRESS  # a visit under way is not undone
    assert InspectionPlan.objects.filter(state=PlanState.PUBLISHED).get() == second
    event = AuditEvent.objects.filter(event_type=EventType.PLAN_PUBLISHED).latest("seq")
    assert event.details["replaced"] == str(published.public_id)
    assert event.details["cancelled"] == published.visits.count() - 1


@pytest.mark.parametrize("state", [PlanState.PUBLISHED, PlanState.WITHDRAWN])
def test_only_a_draft_is_published(draft, qazvin_officer, state):
    draft.state = state
    draft.save()
    assert refusal(lambda: plan_publish(actor=qazvin_officer, plan=draft)).code == "wrong_state"


def test_withdraw_needs_a_reason_and_cancels_the_planned_visits(
    published, qazvin_officer, inspectors, django_capture_on_commit_callbacks
):
    before = AuditEvent.objects.count()
    assert refusal(lambda: plan_withdraw(actor=qazvin_officer, plan=published, reason="  ")).field == "reason"
    assert AuditEvent.objects.count() == before
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_withdraw(actor=qazvin_officer, plan=published, reason="The instruction changed.")
    assert (plan.state, plan.withdraw_reason) == (PlanState.WITHDRAWN, "The instruction changed.")
    assert set(plan.visits.values_list("state", flat=True)) == {InspectionState.CANCELLED}
    assert Notification.objects.filter(user=inspectors[0], subject__isnull=False).exists()
    assert (
        refusal(lambda: plan_withdraw(actor=qazvin_officer, plan=plan, reason="again")).code == "wrong_state"
    )


@pytest.mark.parametrize("persona", ["tehran_officer", "qazvin_inspector"])
def test_only_the_office_publishes_or_withdraws(request, persona, draft):
    actor = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        plan_publish(actor=actor, plan=draft)
    with pytest.raises(Forbidden):
        plan_withdraw(actor=actor, plan=draft, reason="no")
    draft.refresh_from_db()
    assert draft.state == PlanState.DRAFT


# ---------------------------------------------------------------- editing a draft


def a_free_day(plan, inspector, avoid=()):
    """A day the inspector is available in the plan with no visit yet."""
    busy = set(plan.visits.filter(inspector=inspector).values_list("scheduled_on", flat=True))
    seat = plan.inspectors.get(inspector=inspector)
    return next(
        dt.date.fromisoformat(d) for d in seat.days if dt.date.fromisoformat(d) not in busy | set(avoid)
    )


def test_a_visit_moves_to_a_free_day_of_another_inspector(draft, qazvin_officer, inspectors, units):
    visit = draft.visits.get(unit=units["new_a"])
    other = next(i for i in inspectors if i != visit.inspector)
    day = a_free_day(draft, other)
    moved = plan_visit_move(actor=qazvin_officer, visit=visit, inspector=other, day=day)
    moved.refresh_from_db()
    assert (moved.inspector, moved.scheduled_on) == (other, day)
    event = AuditEvent.objects.filter(event_type=EventType.INSPECTION_SAVED).latest("seq")
    assert event.details["moved"]["to"]["day"] == day.isoformat()


def test_moves_that_break_the_rules_are_refused(draft, qazvin_officer, inspectors, units):
    visit = draft.visits.get(unit=units["overdue"])  # last visited by inspectors[0]
    here = visit.inspector
    cases = [
        (inspectors[0], a_free_day(draft, inspectors[0]), "rotation"),
        (here, LAST + dt.timedelta(days=1), "outside_period"),
        (here, dt.date(2026, 4, 24), "not_available"),  # a Friday
        (InspectorFactory(), FIRST, "not_available"),  # not one of the plan's inspectors
    ]
    busy_days = [
        day for day in {v.scheduled_on for v in draft.visits.filter(inspector=here)}
        if draft.visits.filter(inspector=here, scheduled_on=day).count() >= 3 and day != visit.scheduled_on
    ]  # fmt: skip
    if busy_days:
        cases.append((here, busy_days[0], "over_capacity"))
    for inspector, day, code in cases:
        with pytest.raises(HamiError) as caught:
            plan_visit_move(actor=qazvin_officer, visit=visit, inspector=inspector, day=day)
        assert caught.value.code == code
    visit.refresh_from_db()
    assert visit.inspector == here


def test_a_full_day_is_refused(qazvin_officer, inspectors, units, history):
    plan = generate(qazvin_officer, availability={inspectors[1]: [FIRST, FIRST + dt.timedelta(days=1)]})
    per_day = {
        day: list(plan.visits.filter(scheduled_on=day)) for day in (FIRST, FIRST + dt.timedelta(days=1))
    }
    full = next(day for day, visits in per_day.items() if len(visits) == 3)
    other = next(visits[0] for day, visits in per_day.items() if day != full and visits)
    error = refusal(
        lambda: plan_visit_move(actor=qazvin_officer, visit=other, inspector=inspectors[1], day=full)
    )
    assert error.code == "over_capacity"


def test_a_serious_units_visits_stay_an_interval_apart(draft, qazvin_officer, units):
    first_visit, second_visit = draft.visits.filter(unit=units["serious"]).order_by("scheduled_on")
    day = a_free_day(draft, second_visit.inspector, avoid=[second_visit.scheduled_on])
    assert (day - first_visit.scheduled_on).days < 30
    error = refusal(
        lambda: plan_visit_move(
            actor=qazvin_officer, visit=second_visit, inspector=second_visit.inspector, day=day
        )
    )
    assert error.code == "too_soon"


def test_removing_a_visit_cancels_it_unless_rotation_breaks(qazvin_officer, inspectors, units, history):
    # A season: the serious unit is visited monthly by alternating inspectors (A, B, A, B).
    plan = generate(qazvin_officer, period_kind="season", period=1)
    serious = list(plan.visits.filter(unit=units["serious"]).order_by("scheduled_on"))
    assert len(serious) >= 3
    assert refusal(lambda: plan_visit_remove(actor=qazvin_officer, visit=serious[1])).code == "rotation"
    removed = plan_visit_remove(actor=qazvin_officer, visit=serious[-1], reason="Closed for the holidays")
    removed.refresh_from_db()
    assert (removed.state, removed.cancel_reason) == (InspectionState.CANCELLED, "Closed for the holidays")
    assert refusal(lambda: plan_visit_remove(actor=qazvin_officer, visit=removed)).code == "wrong_state"


def test_a_published_plans_visits_are_not_edited_here(published, qazvin_officer, inspectors):
    visit = published.visits.first()
    error = refusal(lambda: plan_visit_remove(actor=qazvin_officer, visit=visit))
    assert error.code == "wrong_state"
    with pytest.raises(Forbidden):
        plan_visit_remove(actor=inspectors[0], visit=visit)
