"""The periodic runs (manage.py supervision_run): overdue corrective actions escalate, give points and
climb the unit one non-coercive rung; clean units step down one rung below suspension. Both idempotent."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.models import AuditEvent, Notification
from hami.supervision.models import CorrectiveAction, LadderDecision, NegativePoint, Step
from hami.supervision.selectors_ladder import current_decision, unit_facts
from hami.supervision.services.ladder import actions_escalate_overdue, ladder_steps_down
from hami.supervision.tests.ladder.conftest import action_of, finding_of, put_on_step

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def snapshot():
    return (
        LadderDecision.objects.count(),
        NegativePoint.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_an_overdue_action_escalates_gives_points_and_climbs_one_rung(
    qazvin_unit, unit_rep, qazvin_officer, notices
):
    action = action_of(finding_of(qazvin_unit, days_ago=40), due_in=-1)
    with notices():
        assert actions_escalate_overdue(today=TODAY) == 1
    action.refresh_from_db()
    assert action.escalated_at is not None and action.state == "accepted"
    point = NegativePoint.objects.get(reason="deadline_missed")
    assert (point.unit, point.points, point.finding) == (qazvin_unit, 3, action.finding)
    decision = current_decision(qazvin_unit.pk)
    assert (decision.step, decision.trigger, decision.decided_by) == (Step.ADVICE, "deadline_missed", None)
    assert list(decision.findings.all()) == [action.finding]
    assert Notification.objects.filter(user=unit_rep).count() == 2  # the deadline, the decision
    assert Notification.objects.filter(user=qazvin_officer).count() == 1
    # A rerun changes nothing.
    before = snapshot()
    with notices():
        assert actions_escalate_overdue(today=TODAY) == 0
    assert snapshot() == before


@pytest.mark.parametrize(
    ("state", "due_in", "escalated"),
    [
        ("accepted", 0, False),  # due today: not late yet
        ("proposed", -5, False),  # not accepted: no date agreed
        ("submitted", -5, False),  # evidence sent in time for the office
        ("verified", -5, False),
        ("returned", -5, False),
        ("reopened", -5, True),  # escalated already
    ],
)
def test_only_accepted_or_reopened_actions_past_their_date_escalate_once(
    qazvin_unit, state, due_in, escalated
):
    action_of(
        finding_of(qazvin_unit),
        due_in=due_in,
        state=state,
        escalated_at=timezone.now() if escalated else None,
    )
    assert actions_escalate_overdue(today=TODAY) == 0
    assert not LadderDecision.objects.exists() and not NegativePoint.objects.exists()


def test_a_reopened_action_past_its_date_escalates(qazvin_unit):
    action_of(finding_of(qazvin_unit), due_in=-2, state="reopened")
    assert actions_escalate_overdue(today=TODAY) == 1


def test_several_late_actions_of_a_unit_climb_it_one_rung(qazvin_unit):
    put_on_step(qazvin_unit, Step.NOTICE, days_ago=60)
    for _ in range(3):
        action_of(finding_of(qazvin_unit, days_ago=50), due_in=-2)
    assert actions_escalate_overdue(today=TODAY) == 3
    decision = current_decision(qazvin_unit.pk)
    assert (decision.previous_step, decision.step) == (Step.NOTICE, Step.WARNING)
    # The warning gives the findings' points besides the three deadlines'.
    reasons = sorted(NegativePoint.objects.values_list("reason", flat=True))
    assert reasons == ["deadline_missed"] * 3 + ["major"] * 3


def test_the_climb_to_intensified_sampling_is_automatic(qazvin_unit):
    put_on_step(qazvin_unit, Step.WARNING, days_ago=60)
    action_of(finding_of(qazvin_unit, days_ago=50), due_in=-2)
    actions_escalate_overdue(today=TODAY)
    qazvin_unit.refresh_from_db()
    assert current_decision(qazvin_unit.pk).step == Step.TIGHTENED and qazvin_unit.tightened_sampling


def test_from_intensified_sampling_up_the_climb_is_left_to_the_office(qazvin_unit, qazvin_officer, notices):
    put_on_step(qazvin_unit, Step.TIGHTENED, days_ago=60)
    action_of(finding_of(qazvin_unit, days_ago=50), due_in=-2)
    with notices():
        assert actions_escalate_overdue(today=TODAY) == 1
    assert current_decision(qazvin_unit.pk).step == Step.TIGHTENED  # no automatic suspension
    assert unit_facts(qazvin_unit, today=TODAY).missed_deadlines == 1  # still a proposal for the office
    from hami.supervision import ladder
    from hami.supervision.selectors_ladder import current_policy

    proposal = ladder.proposal(unit_facts(qazvin_unit, today=TODAY), current_policy())
    assert (proposal.step, proposal.trigger) == (Step.SUSPENSION, "deadline_missed")
    assert Notification.objects.filter(user=qazvin_officer).exists()


def test_units_of_every_province_escalate_in_one_run(qazvin_unit, tehran_unit):
    action_of(finding_of(qazvin_unit), due_in=-1)
    action_of(finding_of(tehran_unit), due_in=-10)
    assert actions_escalate_overdue(today=TODAY) == 2
    assert LadderDecision.objects.filter(step=Step.ADVICE).count() == 2
    assert not CorrectiveAction.objects.filter(escalated_at__isnull=True).exists()


def test_the_overdue_actions_are_found_with_one_query(qazvin_unit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        action_of(finding_of(qazvin_unit), due_in=5)  # not due
    with CaptureQueriesContext(connection) as queries:
        assert actions_escalate_overdue(today=TODAY) == 0
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2  # the instruction, then the actions
    assert "supervision_correctiveaction" in selects[1]


# ---------------------------------------------------------------- stepping down


def test_a_clean_unit_steps_down_one_rung(qazvin_unit, unit_rep, notices):
    put_on_step(qazvin_unit, Step.NOTICE, days_ago=91)
    finding_of(qazvin_unit, days_ago=100, state="corrected")
    with notices():
        assert ladder_steps_down(today=TODAY) == 1
    decision = current_decision(qazvin_unit.pk)
    assert (decision.previous_step, decision.step, decision.trigger) == (
        Step.NOTICE,
        Step.CLINIC,
        "corrected",
    )
    assert decision.decided_by is None and not decision.coercive
    assert Notification.objects.filter(user=unit_rep).exists()
    before = snapshot()
    assert ladder_steps_down(today=TODAY) == 0  # a rerun steps none
    assert snapshot() == before


def test_the_clean_period_counts_from_the_last_finding_or_decision(qazvin_unit, tehran_unit):
    put_on_step(qazvin_unit, Step.NOTICE, days_ago=89)  # the decision too recent
    put_on_step(tehran_unit, Step.NOTICE, days_ago=200)
    finding_of(tehran_unit, days_ago=89, state="corrected")  # a finding too recent
    assert ladder_steps_down(today=TODAY) == 0
    assert ladder_steps_down(today=TODAY + dt.timedelta(days=1)) == 2


@pytest.mark.parametrize("blocker", ["open_finding", "live_action", "withdrawn_is_fine"])
def test_open_findings_or_live_actions_keep_the_unit_on_its_step(qazvin_unit, blocker):
    put_on_step(qazvin_unit, Step.CLINIC, days_ago=120)
    if blocker == "open_finding":
        finding_of(qazvin_unit, days_ago=100)
    elif blocker == "live_action":
        action_of(finding_of(qazvin_unit, days_ago=100, state="corrected"), state="submitted")
    else:
        finding_of(qazvin_unit, days_ago=1, state="withdrawn")
    expected = 1 if blocker == "withdrawn_is_fine" else 0
    assert ladder_steps_down(today=TODAY) == expected


def test_points_over_the_threshold_hold_the_unit(qazvin_unit):
    put_on_step(qazvin_unit, Step.WARNING, days_ago=120)
    NegativePoint.objects.create(
        unit=qazvin_unit, province=qazvin_unit.province, points=12, reason="critical",
        awarded_on=TODAY - dt.timedelta(days=120), expires_on=TODAY + dt.timedelta(days=10),
    )  # fmt: skip
    assert ladder_steps_down(today=TODAY) == 0
    assert ladder_steps_down(today=TODAY + dt.timedelta(days=10)) == 1  # the points expired


def test_intensified_sampling_steps_down_and_is_lifted(qazvin_unit):
    qazvin_unit.tightened_sampling = True
    qazvin_unit.save()
    put_on_step(qazvin_unit, Step.TIGHTENED, days_ago=100)
    assert ladder_steps_down(today=TODAY) == 1
    qazvin_unit.refresh_from_db()
    assert not qazvin_unit.tightened_sampling


@pytest.mark.parametrize("step", [Step.SUSPENSION, Step.REVOCATION, Step.NONE])
def test_suspension_revocation_and_no_step_are_left_to_the_office(qazvin_unit, step):
    put_on_step(qazvin_unit, step, days_ago=400)
    assert ladder_steps_down(today=TODAY) == 0


def test_a_reopened_action_that_misses_its_new_date_escalates_again(qazvin_unit, qazvin_officer, notices):
    from hami.supervision.services.actions import action_reopen

    action = action_of(finding_of(qazvin_unit, days_ago=40), due_in=-1)
    with notices():
        assert actions_escalate_overdue(today=TODAY) == 1
    CorrectiveAction.objects.filter(pk=action.pk).update(state="submitted")  # the unit sent evidence
    action.refresh_from_db()
    with notices():
        action_reopen(actor=qazvin_officer, action=action, note="The photos do not show the record book.",
                      due_on=TODAY + dt.timedelta(days=3))  # fmt: skip
    action.refresh_from_db()
    assert action.escalated_at is None
    with notices():
        assert actions_escalate_overdue(today=TODAY + dt.timedelta(days=3)) == 0  # due that day: not late
        assert actions_escalate_overdue(today=TODAY + dt.timedelta(days=4)) == 1
    assert NegativePoint.objects.filter(reason="deadline_missed", unit=qazvin_unit).count() == 2
