"""The enforcement ladder of responsive regulation: which moves are allowed, what to propose next, and the
way back down. Pure: no Django import, so the rules can be read and tested on their own.

    0 none → 1 advice → 2 clinic referral → 3 written notice → 4 warning with negative points
      → 5 intensified sampling (ISO 2859-1 tightened) → 6 suspension → 7 revocation / the judiciary

- A unit **climbs one rung only when the rung below failed**: a corrective-action deadline missed, the same
  finding again, negative points over the instruction's threshold, or a market-surveillance case. The
  first rungs (none → advice or clinic, advice → clinic) may come from a finding.
- A **critical safety finding** may jump from any lower rung up to suspension (with market withdrawal),
  and, when the unit is already suspended, on to revocation. Otherwise revocation comes only after the
  suspension failed.
- A unit **steps down one rung** after every finding is verified corrected (none open, no live corrective
  action) and the instruction's `clean_days` have passed since its last finding or decision, unless its
  active negative points still reach the threshold of its rung. Revocation is final; a referral to the
  judiciary (the licence stays suspended) may step down to suspension.

Everything else is refused with a reason code (`Refusal`); the service translates it. MOVES below is the
table of allowed (from, to) → triggers; docs/supervision.md draws it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Step(IntEnum):
    """models.Step, lowest first."""

    NONE = 0
    ADVICE = 1
    CLINIC = 2
    NOTICE = 3
    WARNING = 4
    TIGHTENED = 5
    SUSPENSION = 6
    REVOCATION = 7


class Trigger(StrEnum):
    """models.Trigger."""

    FINDING = "finding"
    DEADLINE_MISSED = "deadline_missed"
    REPEATED_FINDING = "repeated_finding"
    CRITICAL_SAFETY = "critical_safety"
    POINTS = "points"
    MARKET_CASE = "market_case"
    CORRECTED = "corrected"


class Refusal(StrEnum):
    """Why a move is refused (the service's error code)."""

    UNKNOWN_STEP = "unknown_step"  # not a rung 0–7
    UNKNOWN_TRIGGER = "unknown_trigger"  # not a Trigger
    SAME_STEP = "same_step"  # the unit is already on that rung
    STEP_NOT_ALLOWED = "step_not_allowed"  # this trigger does not allow this move (MOVES)
    LOWER_STEP_NOT_FAILED = "lower_step_not_failed"  # the facts do not show the failure the trigger names
    FINDINGS_NOT_CORRECTED = "findings_not_corrected"  # stepping down with a finding open or an action live
    NOT_CLEAN_YET = "not_clean_yet"  # stepping down before the clean period has passed
    REVOCATION_FINAL = "revocation_final"  # a revoked licence does not come back by stepping down
    POINTS_HOLD = "points_hold"  # active negative points still reach the threshold of the current rung


COERCIVE = frozenset({Step.SUSPENSION, Step.REVOCATION})
# A rung higher than the next one is reached automatically (by the overdue run) only up to here; above it
# the office decides (a Marks Committee decision for suspension and revocation).
AUTOMATIC_UP_TO = Step.TIGHTENED
# The failures of a lower rung that allow climbing one rung.
FAILURES = frozenset({Trigger.DEADLINE_MISSED, Trigger.REPEATED_FINDING, Trigger.POINTS, Trigger.MARKET_CASE})
# point_thresholds in the instruction name these rungs.
THRESHOLD_STEPS = {"warning": Step.WARNING, "tightened": Step.TIGHTENED, "suspension": Step.SUSPENSION}


def _moves() -> dict[tuple[int, int], frozenset[Trigger]]:
    moves: dict[tuple[int, int], set[Trigger]] = {}
    for low in range(Step.NONE, Step.REVOCATION):  # one rung up when the rung below failed
        moves[(low, low + 1)] = set(FAILURES)
    moves[(Step.NONE, Step.ADVICE)].add(Trigger.FINDING)  # the first rungs may come from a finding
    moves[(Step.NONE, Step.CLINIC)] = {Trigger.FINDING}
    moves[(Step.ADVICE, Step.CLINIC)].add(Trigger.FINDING)
    for low in range(Step.NONE, Step.SUSPENSION):  # a critical safety finding: any rung up to suspension
        for high in range(low + 1, Step.SUSPENSION + 1):
            moves.setdefault((low, high), set()).add(Trigger.CRITICAL_SAFETY)
    moves[(Step.SUSPENSION, Step.REVOCATION)].add(Trigger.CRITICAL_SAFETY)  # when already suspended
    moves[(Step.SUSPENSION, Step.REVOCATION)].discard(Trigger.POINTS)  # no point threshold names revocation
    for high in range(Step.ADVICE, Step.REVOCATION + 1):  # one rung down after a clean period
        moves[(high, high - 1)] = {Trigger.CORRECTED}
    return {(int(low), int(high)): frozenset(triggers) for (low, high), triggers in moves.items()}


# (from, to) → the triggers that allow the move; a move not listed is refused whatever the trigger.
MOVES: dict[tuple[int, int], frozenset[Trigger]] = _moves()


@dataclass(frozen=True)
class Facts:
    """What the ladder rests on for one unit today (the service reads it from the database).

    "New" means since the unit's newest decision (everything, for a unit without one): a failure the
    office already acted on does not allow a second climb."""

    today: dt.date
    step: int = Step.NONE
    last_decision_on: dt.date | None = None
    judiciary: bool = False  # the current rung 7 is a referral to the judiciary (the licence stays suspended)
    last_finding_on: dt.date | None = None  # the newest finding, not withdrawn
    open_findings: int = 0
    live_actions: int = 0  # corrective actions proposed, accepted, submitted or reopened
    new_findings: int = 0
    new_serious_findings: int = 0  # major or critical among the new ones
    missed_deadlines: int = 0  # actions overdue and not yet escalated, or escalated since the decision
    repeated_findings: int = 0  # new findings that repeat an earlier one
    critical_safety: int = 0  # new critical findings that are a safety risk
    market_cases: int = 0  # new market cases, not closed as unfounded
    active_points: int = 0  # negative points not yet expired


@dataclass(frozen=True)
class Move:
    """An allowed move."""

    previous: Step
    step: Step
    trigger: Trigger

    @property
    def up(self) -> bool:
        return self.step > self.previous

    @property
    def coercive(self) -> bool:
        return self.up and self.step in COERCIVE


class LadderRefused(ValueError):
    """A move the rules refuse: `code` and the numbers the message needs (`params`)."""

    def __init__(self, code: Refusal, **params):
        super().__init__(f"{code}: {params}" if params else str(code))
        self.code = code
        self.params = params


@dataclass(frozen=True)
class WayBack:
    """What the unit must do to step down one rung, and from when."""

    step: Step
    target: Step | None  # None: nothing to step down from, or revocation (final)
    final: bool  # a revocation does not come back
    open_findings: int
    live_actions: int
    clean_from: dt.date | None  # the later of the newest finding and the newest decision
    clean_days: int
    clean_on: dt.date | None  # the first day the clean period has passed
    points_hold: bool  # active negative points still reach the threshold of the current rung
    ready: bool  # every condition holds today
    needs_office: bool  # stepping down from suspension reinstates the licence: a committee decision


@dataclass(frozen=True)
class Proposal:
    step: Step
    trigger: Trigger
    reasons: list[tuple[str, int]] = field(default_factory=list)  # (code, number) for the page to explain


def points_step(points: int, policy) -> Step:
    """The highest rung whose point threshold the active points reach (NONE below every threshold)."""
    reached = [
        THRESHOLD_STEPS[name]
        for name, threshold in policy["point_thresholds"].items()
        if name in THRESHOLD_STEPS and points >= threshold
    ]
    return max(reached, default=Step.NONE)


def _clean_from(facts: Facts) -> dt.date | None:
    days = [day for day in (facts.last_finding_on, facts.last_decision_on) if day is not None]
    return max(days, default=None)


def _clean_on(facts: Facts, policy) -> dt.date | None:
    start = _clean_from(facts)
    return None if start is None else start + dt.timedelta(days=int(policy["clean_days"]))


def _as_step(value) -> Step:
    try:
        return Step(int(value))
    except (TypeError, ValueError) as exc:
        raise LadderRefused(Refusal.UNKNOWN_STEP) from exc


def _as_trigger(value) -> Trigger:
    try:
        return Trigger(value)
    except ValueError as exc:
        raise LadderRefused(Refusal.UNKNOWN_TRIGGER) from exc


def _evidence(trigger: Trigger, target: Step, facts: Facts, policy) -> bool:
    """Whether the facts show what the trigger says (a climb needs its failure)."""
    if trigger == Trigger.FINDING:
        return facts.new_findings > 0
    if trigger == Trigger.DEADLINE_MISSED:
        return facts.missed_deadlines > 0
    if trigger == Trigger.REPEATED_FINDING:
        return facts.repeated_findings > 0
    if trigger == Trigger.CRITICAL_SAFETY:
        return facts.critical_safety > 0
    if trigger == Trigger.MARKET_CASE:
        return facts.market_cases > 0
    if trigger == Trigger.POINTS:
        return points_step(facts.active_points, policy) >= target
    return False


def check(step, trigger, facts: Facts, policy) -> Move:
    """The move of the unit (now on `facts.step`) to `step` for `trigger`, or LadderRefused."""
    target, trigger = _as_step(step), _as_trigger(trigger)
    current = Step(facts.step)
    if target == current:
        raise LadderRefused(Refusal.SAME_STEP, step=int(target))
    if current == Step.REVOCATION and target < current and not facts.judiciary:
        raise LadderRefused(Refusal.REVOCATION_FINAL)
    if trigger not in MOVES.get((current, target), frozenset()):
        raise LadderRefused(Refusal.STEP_NOT_ALLOWED, current=int(current), step=int(target))
    if target < current:
        if facts.open_findings or facts.live_actions:
            raise LadderRefused(
                Refusal.FINDINGS_NOT_CORRECTED, open=facts.open_findings, live=facts.live_actions
            )
        clean_on = _clean_on(facts, policy)
        if clean_on is not None and facts.today < clean_on:
            raise LadderRefused(Refusal.NOT_CLEAN_YET, clean_on=clean_on)
        if points_step(facts.active_points, policy) >= current:
            # The instruction's thresholds hold the unit on the rung its points reach until they expire;
            # stepping below it would only propose the climb back.
            raise LadderRefused(Refusal.POINTS_HOLD, points=facts.active_points)
    elif not _evidence(trigger, target, facts, policy):
        raise LadderRefused(Refusal.LOWER_STEP_NOT_FAILED, trigger=str(trigger))
    return Move(previous=current, step=target, trigger=trigger)


def allowed(step, trigger, facts: Facts, policy) -> bool:
    try:
        check(step, trigger, facts, policy)
    except LadderRefused:
        return False
    return True


def proposal(facts: Facts, policy) -> Proposal | None:
    """The next move the facts suggest, or None: a critical safety finding first (suspension, or revocation
    when suspended), then one rung up for a failure, then a first rung for a new finding, then one rung
    down when the clean period has passed."""
    current = Step(facts.step)
    if facts.critical_safety and current < Step.REVOCATION:
        target = Step.REVOCATION if current == Step.SUSPENSION else Step.SUSPENSION
        return Proposal(target, Trigger.CRITICAL_SAFETY, [("critical_safety", facts.critical_safety)])
    if current < Step.REVOCATION:
        failures = [
            (Trigger.DEADLINE_MISSED, facts.missed_deadlines),
            (Trigger.REPEATED_FINDING, facts.repeated_findings),
            (Trigger.MARKET_CASE, facts.market_cases),
        ]
        if points_step(facts.active_points, policy) > current:
            failures.append((Trigger.POINTS, facts.active_points))
        present = [(trigger, count) for trigger, count in failures if count]
        if present:
            return Proposal(Step(current + 1), present[0][0], [(str(t), count) for t, count in present])
    if current <= Step.ADVICE and facts.new_findings:
        target = Step.CLINIC if current == Step.ADVICE or facts.new_serious_findings else Step.ADVICE
        return Proposal(target, Trigger.FINDING, [("finding", facts.new_findings)])
    if current > Step.NONE and allowed(current - 1, Trigger.CORRECTED, facts, policy):
        return Proposal(Step(current - 1), Trigger.CORRECTED, [("clean_days", int(policy["clean_days"]))])
    return None


def way_back(step, facts: Facts, policy) -> WayBack:
    """What the unit on `step` must do to step down one rung, and from when."""
    current = _as_step(step)
    final = current == Step.REVOCATION and not facts.judiciary
    target = None if current == Step.NONE or final else Step(current - 1)
    clean_on = _clean_on(facts, policy)
    points_hold = target is not None and points_step(facts.active_points, policy) >= current
    ready = (
        target is not None
        and not facts.open_findings
        and not facts.live_actions
        and not points_hold
        and (clean_on is None or facts.today >= clean_on)
    )
    return WayBack(
        step=current,
        target=target,
        final=final,
        open_findings=facts.open_findings,
        live_actions=facts.live_actions,
        clean_from=_clean_from(facts),
        clean_days=int(policy["clean_days"]),
        clean_on=clean_on,
        points_hold=points_hold,
        ready=ready,
        needs_office=current == Step.SUSPENSION,
    )
