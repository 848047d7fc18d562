"""A production unit's risk score from explainable components (issue 6, point 2). Pure: no Django import.

The score is the sum of the components' points. A component turns one raw fact about the unit into a
share between 0 and 1, and gives `weight × share` points, rounded half away from zero to one decimal;
the score is the sum of those rounded points (so the points a page lists add up to the score exactly),
never below 0, and its tier comes from the instruction's thresholds (policy.Policy.tier).

    component          raw value                                          share (0 … 1)
    hazard             highest typical hazard level (1–4) of the unit's   level / 4 (0 without products)
                       product categories
    test_failures      failed test reports (latest version) in the window  min(n, 3) / 3
    open_findings      open findings, critical 3 + major 2 + minor 1       min(n, 6) / 6
    late_actions       corrective actions overdue now, plus those          min(n, 3) / 3
                       verified after their date in the window
    upheld_complaints  complaints closed as upheld in the window           min(n, 2) / 2
    since_inspection   days since the last completed inspection            min(days, full) / full; never: 1
    licence_state      suspended or revoked licences count 1, expired 1/2  min(n, 1)
    standing           1 on the fast track, else 0                         n (the weight is negative)

`full` is the instruction's `inspection_full_days`; the window is its `lookback_days` (730: 24 months).
The saturation numbers below are this project's choice (no INSO rule fixes them): three failed reports,
two critical findings (or three major), three late actions, two upheld complaints and one suspended
licence already say all the component can say, and more of the same should not drown the other
components. Arithmetic is exact (fractions), so the same rule written in SQL gives the same tenths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from hami.supervision.policy import DEFAULT_WEIGHTS, Policy

COMPONENTS = tuple(DEFAULT_WEIGHTS)  # the order pages and the API list them in
MAX_HAZARD = 4
# The raw value at which a component gives its full weight.
SATURATION = {
    "test_failures": 3,
    "open_findings": 6,
    "late_actions": 3,
    "upheld_complaints": 2,
    "licence_state": 1,
}
# How much each open finding counts towards `open_findings`.
FINDING_WEIGHTS = {"critical": 3, "major": 2, "minor": 1}
# How much each licence counts towards `licence_state`, in halves: a licence taken away weighs 1, one let
# lapse 1/2.
LICENCE_HALVES = {"suspended": 2, "revoked": 2, "expired": 1}
# Components the unit cannot lower by what it does (its products' nature): no hint for them.
NO_HINT = {"hazard"}


@dataclass
class UnitFacts:
    """The raw facts about one unit that its score is made of (gathered by selectors.unit_facts)."""

    hazard: int = 0  # 0: no product registered
    test_failures: int = 0
    findings: dict[str, int] = field(default_factory=dict)  # open findings by severity
    overdue_actions: int = 0  # accepted or reopened, past their date, today
    late_actions: int = 0  # verified after their date, in the window
    upheld_complaints: int = 0
    days_since_inspection: int | None = None  # None: never inspected
    licences: dict[str, int] = field(default_factory=dict)  # suspended / revoked / expired counts
    fast_track: bool = False


@dataclass(frozen=True)
class Scored:
    score: float
    tier: str
    components: list[dict]  # {"key", "raw", "points", "weight"} (+ "detail" where the raw value is a sum)


def _round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, half away from zero (denominator > 0)."""
    whole = (2 * abs(numerator) + denominator) // (2 * denominator)
    return whole if numerator >= 0 else -whole


def round_tenth(value: Fraction) -> Fraction:
    """Round to one decimal, half away from zero (as SQL's round(numeric, 1) does)."""
    value = Fraction(value)
    return Fraction(_round_div(10 * value.numerator, value.denominator), 10)


@lru_cache(maxsize=256)
def _ratio(number: float | int) -> tuple[int, int]:
    """A weight as the decimal the instruction wrote (0.1 is 1/10, not the binary float next to it)."""
    exact = Fraction(Decimal(str(number)))
    return exact.numerator, exact.denominator


def _exact(number: float | int) -> Fraction:
    return Fraction(*_ratio(number))


def _number(numerator: int, denominator: int = 1) -> float | int:
    return numerator // denominator if numerator % denominator == 0 else numerator / denominator


def shares(facts: UnitFacts, policy: Policy) -> dict[str, tuple[float | int | None, int, int, dict | None]]:
    """Each component's (raw value, share numerator, share denominator, detail) for the unit. Integers
    throughout: a run scores 120,000 units, and Fraction objects would cost several times more."""
    cap = SATURATION
    full_days = int(policy["inspection_full_days"])
    hazard = max(0, min(int(facts.hazard or 0), MAX_HAZARD))
    findings = {severity: int(facts.findings.get(severity, 0)) for severity in FINDING_WEIGHTS}
    weighted = sum(FINDING_WEIGHTS[severity] * count for severity, count in findings.items())
    late = {"overdue": int(facts.overdue_actions), "late": int(facts.late_actions)}
    late_count = late["overdue"] + late["late"]
    licences = {state: int(facts.licences.get(state, 0)) for state in LICENCE_HALVES}
    halves = sum(LICENCE_HALVES[state] * count for state, count in licences.items())
    days = facts.days_since_inspection
    if days is None:
        since = (1, 1)
    else:
        days = max(0, int(days))
        since = (min(days, full_days), full_days)
    tests, complaints = int(facts.test_failures), int(facts.upheld_complaints)
    standing = int(bool(facts.fast_track))
    return {
        "hazard": (hazard, hazard, MAX_HAZARD, None),
        "test_failures": (tests, min(tests, cap["test_failures"]), cap["test_failures"], None),
        "open_findings": (weighted, min(weighted, cap["open_findings"]), cap["open_findings"], findings),
        "late_actions": (late_count, min(late_count, cap["late_actions"]), cap["late_actions"], late),
        "upheld_complaints": (
            complaints,
            min(complaints, cap["upheld_complaints"]),
            cap["upheld_complaints"],
            None,
        ),
        "since_inspection": (days, *since, None),
        "licence_state": (
            _number(halves, 2),
            min(halves, 2 * cap["licence_state"]),
            2 * cap["licence_state"],
            licences,
        ),
        "standing": (standing, standing, 1, None),
    }


def score(facts: UnitFacts, policy: Policy) -> Scored:
    """The unit's score (one decimal, at least 0), tier and components under `policy`."""
    weights = policy["weights"]
    components, total = [], 0  # in tenths of a point
    for key, (raw, share, out_of, detail) in shares(facts, policy).items():
        p, q = _ratio(weights.get(key, 0))
        tenths = _round_div(10 * p * share, q * out_of)
        total += tenths
        component = {"key": key, "raw": raw, "points": tenths / 10, "weight": _number(p, q)}
        if detail is not None:
            component["detail"] = detail
        components.append(component)
    value = max(total, 0) / 10
    return Scored(score=value, tier=policy.tier(value), components=components)


def hints(components: list[dict]) -> list[dict]:
    """What would lower the score, most first: [{"key", "gain", "count"}] where `gain` is how many points
    the score would lose (never more than the score itself) and `count` the raw value behind it. The
    standing hint is the points a good standing would take off (a negative weight the unit lacks)."""
    score_now = max(Fraction(0), sum((_exact(c["points"]) for c in components), Fraction(0)))
    result = []
    for component in components:
        key, points, weight = component["key"], _exact(component["points"]), _exact(component["weight"])
        if key in NO_HINT:
            continue
        if key == "standing":
            gain = -weight if weight < 0 and not component["raw"] else Fraction(0)
        else:
            gain = points if points > 0 else Fraction(0)
        gain = min(gain, score_now)
        if gain > 0:
            count = component["raw"]
            if key == "open_findings":
                count = sum((component.get("detail") or {}).values())
            result.append({"key": key, "gain": float(round_tenth(gain)), "count": count})
    result.sort(key=lambda hint: (-hint["gain"], COMPONENTS.index(hint["key"])))
    return result
