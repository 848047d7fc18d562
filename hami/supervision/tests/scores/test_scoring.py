"""scoring.py, pure: each component's share and saturation, exact rounding, the floor at 0, the tiers'
edges, and what would lower a score."""

from fractions import Fraction

import pytest

from hami.supervision import policy as policy_module
from hami.supervision.policy import Policy
from hami.supervision.scoring import COMPONENTS, UnitFacts, hints, round_tenth, score

DEFAULT = policy_module.default_policy()


def with_values(**values) -> Policy:
    return Policy(version=9, values=policy_module.validate(values))


def points(facts: UnitFacts, policy: Policy = DEFAULT) -> dict[str, float]:
    return {c["key"]: c["points"] for c in score(facts, policy).components}


def inspected(**fields) -> UnitFacts:
    """Facts of a unit inspected today (since_inspection gives 0), plus `fields`."""
    return UnitFacts(days_since_inspection=0, **fields)


def test_a_unit_with_nothing_against_it_but_never_inspected_scores_the_inspection_weight_only():
    result = score(UnitFacts(), DEFAULT)
    assert [c["key"] for c in result.components] == list(COMPONENTS)
    assert points(UnitFacts()) == {key: (10.0 if key == "since_inspection" else 0.0) for key in COMPONENTS}
    assert result.score == 10.0 and result.tier == "low"
    since = next(c for c in result.components if c["key"] == "since_inspection")
    assert since == {"key": "since_inspection", "raw": None, "points": 10.0, "weight": 10}


@pytest.mark.parametrize(
    ("level", "expected"), [(0, 0.0), (1, 6.3), (2, 12.5), (3, 18.8), (4, 25.0), (9, 25.0)]
)
def test_hazard_level_scales_to_the_weight_in_quarters_rounded_half_up(level, expected):
    assert points(inspected(hazard=level))["hazard"] == expected


@pytest.mark.parametrize(
    ("count", "expected"), [(0, 0.0), (1, 6.7), (2, 13.3), (3, 20.0), (4, 20.0), (40, 20.0)]
)
def test_failed_tests_saturate_at_three(count, expected):
    assert points(inspected(test_failures=count))["test_failures"] == expected


@pytest.mark.parametrize(
    ("findings", "raw", "expected"),
    [
        ({}, 0, 0.0),
        ({"minor": 1}, 1, 2.5),
        ({"major": 1}, 2, 5.0),
        ({"critical": 1}, 3, 7.5),
        ({"critical": 1, "major": 1, "minor": 1}, 6, 15.0),
        ({"critical": 5}, 15, 15.0),
    ],
)
def test_open_findings_weigh_by_severity_and_saturate_at_six(findings, raw, expected):
    component = next(
        c for c in score(inspected(findings=findings), DEFAULT).components if c["key"] == "open_findings"
    )
    assert component["raw"] == raw and component["points"] == expected
    assert component["detail"] == {"critical": 0, "major": 0, "minor": 0, **findings}


def test_late_actions_add_overdue_and_verified_late_and_saturate_at_three():
    component = next(
        c
        for c in score(inspected(overdue_actions=1, late_actions=1), DEFAULT).components
        if c["key"] == "late_actions"
    )
    assert component["raw"] == 2 and component["points"] == 6.7
    assert component["detail"] == {"overdue": 1, "late": 1}
    assert points(inspected(overdue_actions=5, late_actions=5))["late_actions"] == 10.0


@pytest.mark.parametrize(("count", "expected"), [(0, 0.0), (1, 5.0), (2, 10.0), (7, 10.0)])
def test_upheld_complaints_saturate_at_two(count, expected):
    assert points(inspected(upheld_complaints=count))["upheld_complaints"] == expected


@pytest.mark.parametrize(
    ("days", "expected"), [(0, 0.0), (73, 1.0), (365, 5.0), (729, 10.0), (730, 10.0), (5000, 10.0), (-3, 0.0)]
)
def test_time_since_inspection_grows_to_full_weight_at_the_instructions_days(days, expected):
    assert points(UnitFacts(days_since_inspection=days))["since_inspection"] == expected


def test_inspection_full_days_come_from_the_instruction():
    assert (
        points(UnitFacts(days_since_inspection=365), with_values(inspection_full_days=365))[
            "since_inspection"
        ]
        == 10.0
    )


@pytest.mark.parametrize(
    ("licences", "raw", "expected"),
    [
        ({}, 0, 0.0),
        ({"expired": 1}, 0.5, 5.0),
        ({"expired": 2}, 1, 10.0),
        ({"suspended": 1}, 1, 10.0),
        ({"revoked": 1, "expired": 3}, 2.5, 10.0),
    ],
)
def test_a_licence_taken_away_weighs_full_and_an_expired_one_half(licences, raw, expected):
    component = next(
        c for c in score(inspected(licences=licences), DEFAULT).components if c["key"] == "licence_state"
    )
    assert component["raw"] == raw and component["points"] == expected


def test_standing_lowers_the_score_and_the_score_never_falls_below_zero():
    result = score(inspected(hazard=1, fast_track=True), DEFAULT)
    assert points(inspected(hazard=1, fast_track=True))["standing"] == -10.0
    assert result.score == 0.0 and result.tier == "low"  # 6.3 - 10 is floored at 0
    assert score(inspected(hazard=4, fast_track=True), DEFAULT).score == 15.0


def test_points_add_up_to_the_score_exactly():
    facts = UnitFacts(
        hazard=3, test_failures=2, findings={"major": 1}, overdue_actions=1, days_since_inspection=100
    )
    result = score(facts, DEFAULT)
    total = sum(Fraction(str(c["points"])) for c in result.components)
    assert Fraction(str(result.score)) == total
    assert result.score == 18.8 + 13.3 + 5.0 + 3.3 + 1.4


@pytest.mark.parametrize(
    ("facts", "tier"),
    [
        (inspected(hazard=4, test_failures=3, findings={"critical": 2}), "serious"),  # 25 + 20 + 15 = 60
        (inspected(hazard=4, test_failures=3, findings={"critical": 1, "minor": 2}), "high"),  # 59.2
        (inspected(hazard=4, findings={"critical": 2}), "high"),  # 40
        (inspected(hazard=4, findings={"major": 2, "minor": 1}), "medium"),  # 25 + 12.5 = 37.5
        (inspected(hazard=3, upheld_complaints=1), "medium"),  # 18.8 + 5 = 23.8
        (inspected(hazard=3), "low"),  # 18.8
    ],
)
def test_tiers_follow_the_thresholds_inclusive(facts, tier):
    assert score(facts, DEFAULT).tier == tier


def test_weights_come_from_the_instruction_and_may_be_decimals():
    policy = with_values(weights={"hazard": 10.5, "standing": -2.5})
    result = score(inspected(hazard=1, fast_track=True), policy)
    assert points(inspected(hazard=1, fast_track=True), policy) | {} == {
        **{key: 0.0 for key in COMPONENTS},
        "hazard": 2.6,  # 10.5 / 4 = 2.625 → 2.6
        "standing": -2.5,
    }
    assert result.score == 0.1


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("6.25", "6.3"),
        ("6.24999", "6.2"),
        ("-6.25", "-6.3"),
        ("0.05", "0.1"),
        ("2.625", "2.6"),
        ("13.35", "13.4"),
    ],
)
def test_rounding_is_half_away_from_zero_like_sql(value, rounded):
    assert round_tenth(Fraction(value)) == Fraction(rounded)


def test_hints_name_what_would_lower_the_score_most_first_and_skip_hazard():
    facts = UnitFacts(hazard=4, test_failures=1, findings={"critical": 2}, days_since_inspection=365)
    result = hints(score(facts, DEFAULT).components)
    assert [h["key"] for h in result] == ["open_findings", "standing", "test_failures", "since_inspection"]
    assert result[0] == {"key": "open_findings", "gain": 15.0, "count": 2}
    assert result[1] == {"key": "standing", "gain": 10.0, "count": 0}  # the fast track it does not have
    assert result[2] == {"key": "test_failures", "gain": 6.7, "count": 1}


def test_hints_never_promise_more_than_the_score_and_none_for_a_unit_at_zero():
    assert hints(score(inspected(hazard=1, fast_track=True), DEFAULT).components) == []
    low = hints(score(inspected(hazard=1, upheld_complaints=1), DEFAULT).components)  # 6.3 + 5 = 11.3
    assert low == [
        {"key": "standing", "gain": 10.0, "count": 0},
        {"key": "upheld_complaints", "gain": 5.0, "count": 1},
    ]
    tiny = hints(score(UnitFacts(days_since_inspection=73), DEFAULT).components)  # 1.0
    assert tiny == [
        {"key": "since_inspection", "gain": 1.0, "count": 73},
        {"key": "standing", "gain": 1.0, "count": 0},
    ]
