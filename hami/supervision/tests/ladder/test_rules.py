"""ladder.py, the rules of the enforcement ladder: every move allowed, refused and jumped; the evidence a
climb needs; the clean period of a step down; proposals and the way back. Pure: no database."""

import datetime as dt
import itertools

import pytest

from hami.supervision import ladder
from hami.supervision.ladder import Facts, LadderRefused, Refusal, Step, Trigger
from hami.supervision.policy import default_policy

POLICY = default_policy()
TODAY = dt.date(2026, 3, 1)
FAILURES = {Trigger.DEADLINE_MISSED, Trigger.REPEATED_FINDING, Trigger.POINTS, Trigger.MARKET_CASE}


def facts(step=0, **values) -> Facts:
    return Facts(today=TODAY, step=step, **values)


def everything(step: int, **values) -> Facts:
    """Every climb's evidence present, and (for a step down) everything corrected long ago."""
    base = dict(
        new_findings=2,
        new_serious_findings=1,
        missed_deadlines=1,
        repeated_findings=1,
        critical_safety=1,
        market_cases=1,
        active_points=40,
        last_decision_on=TODAY - dt.timedelta(days=400),
        last_finding_on=TODAY - dt.timedelta(days=400),
        judiciary=True,
    )
    base.update(values)
    return facts(step, **base)


def expected(current: int, target: int, trigger: Trigger) -> bool:
    """The rules as the issue states them, written out independently of ladder.MOVES."""
    if trigger == Trigger.POINTS:
        return target == current + 1 <= Step.SUSPENSION  # no threshold names revocation
    if trigger in FAILURES:
        return target == current + 1
    if trigger == Trigger.FINDING:
        return (current, target) in {(0, 1), (0, 2), (1, 2)}
    if trigger == Trigger.CRITICAL_SAFETY:
        return current < target <= Step.SUSPENSION or (current, target) == (6, 7)
    if trigger == Trigger.CORRECTED:
        return target == current - 1
    return False


@pytest.mark.parametrize(
    ("current", "target", "trigger"), list(itertools.product(range(8), range(8), list(Trigger)))
)
def test_every_move_is_allowed_or_refused_by_the_rules(current, target, trigger):
    # Every climb's evidence and the clean period's are present at once (points only where they climb).
    points = 0 if trigger == Trigger.CORRECTED else 40
    state = everything(current, open_findings=0, live_actions=0, active_points=points)
    if expected(current, target, trigger):
        move = ladder.check(target, trigger, state, POLICY)
        assert (move.previous, move.step, move.trigger) == (current, target, trigger)
        assert move.coercive == (target > current and target >= Step.SUSPENSION)
        return
    with pytest.raises(LadderRefused) as refused:
        ladder.check(target, trigger, state, POLICY)
    if target == current:
        assert refused.value.code == Refusal.SAME_STEP
    else:
        assert refused.value.code == Refusal.STEP_NOT_ALLOWED


def test_the_table_climbs_one_rung_only_on_failure_or_finding_or_critical_safety():
    for (low, high), triggers in ladder.MOVES.items():
        if high > low + 1:
            assert Trigger.CRITICAL_SAFETY in triggers or (low, high, set(triggers)) == (
                0,
                2,
                {Trigger.FINDING, Trigger.CRITICAL_SAFETY},
            )
            assert high <= Step.SUSPENSION  # no jump reaches revocation
        if high < low:
            assert high == low - 1 and triggers == {Trigger.CORRECTED}


@pytest.mark.parametrize("current", range(0, 6))
def test_a_critical_safety_finding_jumps_straight_to_suspension(current):
    move = ladder.check(Step.SUSPENSION, Trigger.CRITICAL_SAFETY, facts(current, critical_safety=1), POLICY)
    assert move.step == Step.SUSPENSION and move.coercive


def test_revocation_only_from_suspension():
    for current in range(0, 6):
        with pytest.raises(LadderRefused) as refused:
            ladder.check(Step.REVOCATION, Trigger.CRITICAL_SAFETY, everything(current), POLICY)
        assert refused.value.code == Refusal.STEP_NOT_ALLOWED
    assert ladder.check(Step.REVOCATION, Trigger.DEADLINE_MISSED, facts(6, missed_deadlines=1), POLICY)
    assert ladder.check(Step.REVOCATION, Trigger.CRITICAL_SAFETY, facts(6, critical_safety=1), POLICY)


@pytest.mark.parametrize(
    ("trigger", "target", "evidence"),
    [
        (Trigger.DEADLINE_MISSED, 4, {"missed_deadlines": 1}),
        (Trigger.REPEATED_FINDING, 4, {"repeated_findings": 1}),
        (Trigger.MARKET_CASE, 4, {"market_cases": 1}),
        (Trigger.CRITICAL_SAFETY, 6, {"critical_safety": 1}),
        (Trigger.POINTS, 4, {"active_points": 10}),
    ],
)
def test_a_climb_needs_the_failure_it_names(trigger, target, evidence):
    with pytest.raises(LadderRefused) as refused:
        ladder.check(target, trigger, facts(3), POLICY)
    assert refused.value.code == Refusal.LOWER_STEP_NOT_FAILED
    assert refused.value.params == {"trigger": str(trigger)}
    assert ladder.check(target, trigger, facts(3, **evidence), POLICY).step == target


def test_a_first_rung_needs_a_new_finding():
    with pytest.raises(LadderRefused) as refused:
        ladder.check(Step.ADVICE, Trigger.FINDING, facts(0), POLICY)
    assert refused.value.code == Refusal.LOWER_STEP_NOT_FAILED
    assert ladder.check(Step.CLINIC, Trigger.FINDING, facts(0, new_findings=1), POLICY).step == Step.CLINIC


@pytest.mark.parametrize(
    ("points", "current", "allowed"),
    [
        (9, 3, False),  # below the warning threshold (10)
        (10, 3, True),
        (10, 0, True),  # the threshold allows climbing one rung at a time up to warning
        (10, 4, False),  # tightened needs 20
        (19, 4, False),
        (20, 4, True),
        (39, 5, False),  # suspension needs 40
        (40, 5, True),
        (10_000, 6, False),  # points never reach revocation
        (40, 6, False),
    ],
)
def test_points_climb_only_up_to_the_rung_their_threshold_names(points, current, allowed):
    assert (
        ladder.allowed(current + 1, Trigger.POINTS, facts(current, active_points=points), POLICY) is allowed
    )


def test_the_thresholds_follow_the_instruction():
    policy = {**POLICY.values, "point_thresholds": {"warning": 3, "tightened": 5, "suspension": 8}}
    assert ladder.points_step(2, policy) == Step.NONE
    assert ladder.points_step(3, policy) == Step.WARNING
    assert ladder.points_step(7, policy) == Step.TIGHTENED
    assert ladder.points_step(8, policy) == Step.SUSPENSION


@pytest.mark.parametrize(("open_findings", "live_actions"), [(1, 0), (0, 1), (2, 1)])
def test_no_step_down_before_every_finding_is_verified_corrected(open_findings, live_actions):
    state = facts(
        3,
        open_findings=open_findings,
        live_actions=live_actions,
        last_decision_on=TODAY - dt.timedelta(days=500),
    )
    with pytest.raises(LadderRefused) as refused:
        ladder.check(2, Trigger.CORRECTED, state, POLICY)
    assert refused.value.code == Refusal.FINDINGS_NOT_CORRECTED
    assert refused.value.params == {"open": open_findings, "live": live_actions}


@pytest.mark.parametrize("field", ["last_decision_on", "last_finding_on"])
def test_a_step_down_waits_for_the_clean_days_since_the_last_finding_or_decision(field):
    old = TODAY - dt.timedelta(days=300)
    values = {"last_decision_on": old, "last_finding_on": old}
    values[field] = TODAY - dt.timedelta(days=89)
    with pytest.raises(LadderRefused) as refused:
        ladder.check(2, Trigger.CORRECTED, facts(3, **values), POLICY)
    assert refused.value.code == Refusal.NOT_CLEAN_YET
    assert refused.value.params == {"clean_on": TODAY + dt.timedelta(days=1)}
    values[field] = TODAY - dt.timedelta(days=90)  # exactly clean_days: the period has passed
    assert ladder.check(2, Trigger.CORRECTED, facts(3, **values), POLICY).step == 2


def test_the_clean_period_follows_the_instruction():
    policy = {**POLICY.values, "clean_days": 10}
    state = facts(3, last_decision_on=TODAY - dt.timedelta(days=10))
    assert ladder.allowed(2, Trigger.CORRECTED, state, policy)
    assert not ladder.allowed(2, Trigger.CORRECTED, state, POLICY)


def test_active_points_over_the_rungs_threshold_hold_the_unit_on_it():
    clean = {"last_decision_on": TODAY - dt.timedelta(days=200)}
    with pytest.raises(LadderRefused) as refused:
        ladder.check(3, Trigger.CORRECTED, facts(4, active_points=10, **clean), POLICY)
    assert refused.value.code == Refusal.POINTS_HOLD and refused.value.params == {"points": 10}
    assert ladder.check(3, Trigger.CORRECTED, facts(4, active_points=9, **clean), POLICY).step == 3
    way = ladder.way_back(4, facts(4, active_points=10, **clean), POLICY)
    assert way.points_hold and not way.ready
    assert ladder.proposal(facts(4, active_points=10, **clean), POLICY) is None


def test_revocation_is_final_but_a_referral_to_the_judiciary_may_step_down():
    clean = {"last_decision_on": TODAY - dt.timedelta(days=200)}
    with pytest.raises(LadderRefused) as refused:
        ladder.check(6, Trigger.CORRECTED, facts(7, **clean), POLICY)
    assert refused.value.code == Refusal.REVOCATION_FINAL
    assert ladder.check(6, Trigger.CORRECTED, facts(7, judiciary=True, **clean), POLICY).step == 6


@pytest.mark.parametrize(
    ("step", "trigger", "code"),
    [
        (8, "finding", Refusal.UNKNOWN_STEP),
        (-1, "finding", Refusal.UNKNOWN_STEP),
        ("x", "finding", Refusal.UNKNOWN_STEP),
        (None, "finding", Refusal.UNKNOWN_STEP),
        (1, "whim", Refusal.UNKNOWN_TRIGGER),
    ],
)
def test_unknown_steps_and_triggers_are_refused(step, trigger, code):
    with pytest.raises(LadderRefused) as refused:
        ladder.check(step, trigger, facts(0, new_findings=1), POLICY)
    assert refused.value.code == code


# ---------------------------------------------------------------- proposals


def test_nothing_to_propose_for_a_unit_without_anything():
    assert ladder.proposal(facts(0), POLICY) is None


def test_a_new_minor_finding_proposes_advice_and_a_serious_one_a_clinic():
    assert ladder.proposal(facts(0, new_findings=1), POLICY).step == Step.ADVICE
    proposal = ladder.proposal(facts(0, new_findings=2, new_serious_findings=1), POLICY)
    assert (proposal.step, proposal.trigger) == (Step.CLINIC, Trigger.FINDING)
    assert ladder.proposal(facts(1, new_findings=1), POLICY).step == Step.CLINIC
    seen = {"open_findings": 1, "last_finding_on": TODAY}
    assert ladder.proposal(facts(2, new_findings=1, **seen), POLICY) is None  # a finding climbs no higher


def test_a_failure_proposes_one_rung_up_with_every_reason():
    proposal = ladder.proposal(facts(3, missed_deadlines=2, repeated_findings=1, active_points=12), POLICY)
    assert (proposal.step, proposal.trigger) == (Step.WARNING, Trigger.DEADLINE_MISSED)
    assert dict(proposal.reasons) == {"deadline_missed": 2, "repeated_finding": 1, "points": 12}


def test_points_over_the_threshold_propose_the_next_rung():
    assert ladder.proposal(facts(2, active_points=10), POLICY).trigger == Trigger.POINTS
    assert ladder.proposal(facts(4, active_points=10), POLICY) is None  # warning reached already


def test_a_critical_safety_finding_proposes_suspension_then_revocation():
    proposal = ladder.proposal(facts(1, critical_safety=1, missed_deadlines=1), POLICY)
    assert (proposal.step, proposal.trigger) == (Step.SUSPENSION, Trigger.CRITICAL_SAFETY)
    assert ladder.proposal(facts(6, critical_safety=1), POLICY).step == Step.REVOCATION
    assert ladder.proposal(facts(7, critical_safety=1), POLICY) is None


def test_a_clean_unit_is_proposed_one_rung_down():
    clean = facts(4, last_decision_on=TODAY - dt.timedelta(days=90))
    proposal = ladder.proposal(clean, POLICY)
    assert (proposal.step, proposal.trigger) == (Step.TIGHTENED - 2, Trigger.CORRECTED)
    assert ladder.proposal(facts(4, last_decision_on=TODAY - dt.timedelta(days=30)), POLICY) is None


def test_every_proposal_is_an_allowed_move():
    for values in itertools.product(range(8), (0, 1), (0, 1), (0, 1), (0, 25, 50), (0, 1)):
        step, missed, repeated, critical, points, new = values
        state = facts(
            step, missed_deadlines=missed, repeated_findings=repeated, critical_safety=critical,
            active_points=points, new_findings=new, last_decision_on=TODAY - dt.timedelta(days=100),
        )  # fmt: skip
        proposal = ladder.proposal(state, POLICY)
        if proposal is not None:
            assert ladder.allowed(proposal.step, proposal.trigger, state, POLICY), values


# ---------------------------------------------------------------- the way back


def test_the_way_back_says_what_is_missing_and_from_when():
    state = facts(4, open_findings=2, live_actions=1, last_finding_on=TODAY - dt.timedelta(days=10))
    way = ladder.way_back(4, state, POLICY)
    assert (way.target, way.open_findings, way.live_actions, way.ready) == (Step.NOTICE, 2, 1, False)
    assert way.clean_from == TODAY - dt.timedelta(days=10)
    assert way.clean_on == TODAY + dt.timedelta(days=80)
    assert not way.needs_office and not way.final


def test_the_way_back_is_ready_once_clean():
    way = ladder.way_back(6, facts(6, last_decision_on=TODAY - dt.timedelta(days=90)), POLICY)
    assert way.ready and way.target == Step.TIGHTENED and way.needs_office


def test_no_way_back_from_revocation_or_from_no_step():
    assert ladder.way_back(7, facts(7), POLICY).final
    assert ladder.way_back(7, facts(7), POLICY).target is None
    assert ladder.way_back(0, facts(0), POLICY).target is None
    assert ladder.way_back(7, facts(7, judiciary=True), POLICY).target == Step.SUSPENSION
