"""Decision rules (ILAC-G8:09/2019 §4.2): the exact end points of every zone for every limit kind under
simple and guarded acceptance, pass/fail outcomes, refusals, properties, and the overall verdict."""

from decimal import Decimal as D

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hami.core.errors import HamiError
from hami.labs.decision import (
    LIMIT_KINDS,
    SEVERITIES,
    AcceptanceInterval,
    Assessment,
    Conformity,
    DecisionError,
    DecisionErrorCode,
    DecisionRule,
    Verdict,
    acceptance_interval,
    overall,
    tolerance_interval,
    verdict,
)
from hami.standards.models import LimitKind, Severity

SIMPLE, GUARDED = DecisionRule.SIMPLE, DecisionRule.GUARDED
PASS, CPASS, CFAIL, FAIL = Verdict.PASS, Verdict.CONDITIONAL_PASS, Verdict.CONDITIONAL_FAIL, Verdict.FAIL


def test_limit_kinds_and_severities_are_the_models():
    assert set(LIMIT_KINDS) == set(LimitKind.values)
    assert set(SEVERITIES) == set(Severity.values)


def test_choices_values():
    assert DecisionRule.values == ["simple", "guarded"]
    assert Verdict.values == ["pass", "conditional_pass", "conditional_fail", "fail"]
    assert [v.rank for v in Verdict] == [0, 1, 2, 3]
    assert [v.binary for v in Verdict] == [PASS, FAIL, FAIL, FAIL]  # ILAC-G8 §4.2.2


# --- Exact end points ------------------------------------------------------------
# max: value ≤ 10. Guarded with U = 1: pass ≤ 9, conditional pass (9, 10], conditional fail (10, 11],
# fail > 11.
MAX_CASES = [
    (SIMPLE, "10", None, PASS),  # on the limit: ≤ is met
    (SIMPLE, "10", "5", PASS),  # simple acceptance ignores U (w = 0)
    (SIMPLE, "9.9999", "0", PASS),
    (SIMPLE, "10.0001", "0", FAIL),
    (SIMPLE, "10.0001", "100", FAIL),
    (GUARDED, "8.9999", "1", PASS),
    (GUARDED, "9", "1", PASS),  # value + U exactly on the limit: the interval is inside T
    (GUARDED, "9.0001", "1", CPASS),
    (GUARDED, "10", "1", CPASS),  # value on the limit
    (GUARDED, "10.0001", "1", CFAIL),
    (GUARDED, "11", "1", CFAIL),  # value - U exactly on the limit: could still conform
    (GUARDED, "11.0001", "1", FAIL),
    (GUARDED, "10", "0", PASS),  # U = 0: guarded is simple
    (GUARDED, "10.0001", "0", FAIL),
    (GUARDED, "-1000", "1", PASS),  # no lower limit
]


@pytest.mark.parametrize(("rule", "value", "u", "expected"), MAX_CASES)
def test_max_end_points(rule, value, u, expected):
    assert verdict("max", None, D(10), rule, D(value), None if u is None else D(u)) is expected


# min: value ≥ 5; mirror image of max.
MIN_CASES = [
    (SIMPLE, "5", None, PASS),
    (SIMPLE, "4.9999", "0", FAIL),
    (SIMPLE, "5.0001", "3", PASS),
    (GUARDED, "6.0001", "1", PASS),
    (GUARDED, "6", "1", PASS),  # value - U exactly on the limit
    (GUARDED, "5.9999", "1", CPASS),
    (GUARDED, "5", "1", CPASS),  # on the limit
    (GUARDED, "4.9999", "1", CFAIL),
    (GUARDED, "4", "1", CFAIL),  # value + U exactly on the limit
    (GUARDED, "3.9999", "1", FAIL),
    (GUARDED, "5", "0", PASS),
    (GUARDED, "4.9999", "0", FAIL),
    (GUARDED, "1000000", "1", PASS),
]


@pytest.mark.parametrize(("rule", "value", "u", "expected"), MIN_CASES)
def test_min_end_points(rule, value, u, expected):
    assert verdict("min", D(5), None, rule, D(value), None if u is None else D(u)) is expected


# range: 2 ≤ value ≤ 8, U = 1 unless stated.
RANGE_CASES = [
    (SIMPLE, "2", "1", PASS),
    (SIMPLE, "8", "1", PASS),
    (SIMPLE, "1.9999", "1", FAIL),
    (SIMPLE, "8.0001", "1", FAIL),
    (GUARDED, "3", "1", PASS),  # value - U on the lower limit
    (GUARDED, "7", "1", PASS),  # value + U on the upper limit
    (GUARDED, "5", "1", PASS),
    (GUARDED, "2.9999", "1", CPASS),  # crosses the lower limit
    (GUARDED, "7.0001", "1", CPASS),  # crosses the upper limit
    (GUARDED, "2", "1", CPASS),
    (GUARDED, "8", "1", CPASS),
    (GUARDED, "1.9999", "1", CFAIL),
    (GUARDED, "1", "1", CFAIL),
    (GUARDED, "0.9999", "1", FAIL),
    (GUARDED, "8.0001", "1", CFAIL),
    (GUARDED, "9", "1", CFAIL),
    (GUARDED, "9.0001", "1", FAIL),
    (GUARDED, "2", "0", PASS),
    (GUARDED, "8.0001", "0", FAIL),
    (GUARDED, "5", "3", PASS),  # U exactly half the width: only the midpoint passes
    (GUARDED, "5.0001", "3", CPASS),
    (GUARDED, "4.9999", "3", CPASS),
    (GUARDED, "5", "3.0001", CPASS),  # U above half the width: nothing passes, the midpoint neither
    (GUARDED, "2", "10", CPASS),  # an interval wider than the tolerance crosses both limits
    (GUARDED, "8", "10", CPASS),
    (GUARDED, "-8", "10", CFAIL),
    (GUARDED, "-8.0001", "10", FAIL),
    (GUARDED, "18", "10", CFAIL),
    (GUARDED, "18.0001", "10", FAIL),
]


@pytest.mark.parametrize(("rule", "value", "u", "expected"), RANGE_CASES)
def test_range_end_points(rule, value, u, expected):
    assert verdict("range", D(2), D(8), rule, D(value), D(u)) is expected


# equals: value = 230, the degenerate interval [230, 230].
EQUALS_CASES = [
    (SIMPLE, None, "230", "1", PASS),
    (SIMPLE, "230", "230", "1", PASS),  # high given and equal to low, as Hami's data has it
    (SIMPLE, None, "230.0001", "0", FAIL),
    (SIMPLE, None, "229.9999", "0", FAIL),
    (GUARDED, None, "230", "0", PASS),  # a marked value read with no uncertainty
    (GUARDED, None, "230", "0.5", CPASS),  # with U > 0 an equality is never shown beyond doubt
    (GUARDED, None, "230.5", "0.5", CFAIL),
    (GUARDED, None, "229.5", "0.5", CFAIL),
    (GUARDED, None, "230.5001", "0.5", FAIL),
    (GUARDED, None, "229.4999", "0.5", FAIL),
    (GUARDED, None, "230.0001", "0", FAIL),
]


@pytest.mark.parametrize(("rule", "high", "value", "u", "expected"), EQUALS_CASES)
def test_equals_end_points(rule, high, value, u, expected):
    assert verdict("equals", D(230), None if high is None else D(high), rule, D(value), D(u)) is expected


def test_int_limits_and_values_are_accepted():
    assert verdict("max", None, 10, "guarded", 9, 1) is PASS
    assert verdict(LimitKind.MAX, None, 10, DecisionRule.SIMPLE, 11) is FAIL  # TextChoices members too


# --- pass_fail ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [SIMPLE, GUARDED])
@pytest.mark.parametrize(
    ("outcome", "expected"), [("pass", PASS), ("fail", FAIL), (PASS, PASS), (FAIL, FAIL)]
)
def test_pass_fail_takes_the_labs_outcome(rule, outcome, expected):
    assert verdict("pass_fail", None, None, rule, outcome=outcome) is expected


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({}, "outcome", DecisionErrorCode.MISSING_OUTCOME),
        ({"outcome": "conditional_pass"}, "outcome", DecisionErrorCode.INVALID_OUTCOME),
        ({"outcome": "yes"}, "outcome", DecisionErrorCode.INVALID_OUTCOME),
        ({"outcome": "pass", "value": D(1)}, "value", DecisionErrorCode.UNEXPECTED_VALUE),
        ({"outcome": "pass", "uncertainty": D(0)}, "uncertainty", DecisionErrorCode.UNEXPECTED_VALUE),
        ({"outcome": "pass", "low": D(1)}, "limit_kind", DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND),
    ],
)
def test_pass_fail_refusals(kwargs, field, code):
    low = kwargs.pop("low", None)
    with pytest.raises(DecisionError) as error:
        verdict("pass_fail", low, None, "guarded", **kwargs)
    assert (error.value.field, error.value.code) == (field, code)


# --- Refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field", "code"),
    [
        (("between", D(1), D(2), "simple", D(1), D(0)), "limit_kind", DecisionErrorCode.UNKNOWN_LIMIT_KIND),
        (("min", None, D(2), "simple", D(1), D(0)), "limit_kind", DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND),
        (("min", D(1), D(2), "simple", D(1), D(0)), "limit_kind", DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND),
        (("max", D(1), None, "simple", D(1), D(0)), "limit_kind", DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND),
        (
            ("range", D(2), D(2), "simple", D(1), D(0)),
            "limit_kind",
            DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND,
        ),
        (
            ("range", D(3), D(2), "simple", D(1), D(0)),
            "limit_kind",
            DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND,
        ),
        (
            ("range", D(1), None, "simple", D(1), D(0)),
            "limit_kind",
            DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND,
        ),
        (
            ("equals", D(1), D(2), "simple", D(1), D(0)),
            "limit_kind",
            DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND,
        ),
        (
            ("equals", None, D(2), "simple", D(1), D(0)),
            "limit_kind",
            DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND,
        ),
        (("max", None, D(2), "strict", D(1), D(0)), "rule", DecisionErrorCode.UNKNOWN_RULE),
        (("max", None, D(2), "simple", None, D(0)), "value", DecisionErrorCode.MISSING_VALUE),
        (("max", None, D(2), "guarded", D(1), None), "uncertainty", DecisionErrorCode.MISSING_UNCERTAINTY),
        (
            ("max", None, D(2), "guarded", D(1), D("-0.1")),
            "uncertainty",
            DecisionErrorCode.NEGATIVE_UNCERTAINTY,
        ),
        (
            ("max", None, D(2), "simple", D(1), D("-0.1")),
            "uncertainty",
            DecisionErrorCode.NEGATIVE_UNCERTAINTY,
        ),
        (("max", None, D(2), "simple", D("NaN"), D(0)), "value", DecisionErrorCode.NOT_A_NUMBER),
        (("max", None, D(2), "simple", D("Infinity"), D(0)), "value", DecisionErrorCode.NOT_A_NUMBER),
        (("max", None, D("NaN"), "simple", D(1), D(0)), "high", DecisionErrorCode.NOT_A_NUMBER),
        (("max", None, D(2), "guarded", D(1), D("Infinity")), "uncertainty", DecisionErrorCode.NOT_A_NUMBER),
        (
            ("max", None, D(2), "guarded", D("1E+500"), D("1E-500")),
            "value",
            DecisionErrorCode.TOO_MANY_DIGITS,
        ),
    ],
)
def test_refusals_name_their_field(args, field, code):
    with pytest.raises(DecisionError) as error:
        verdict(*args)
    assert (error.value.field, error.value.code) == (field, code)
    assert error.value.message
    assert isinstance(error.value, ValueError) and isinstance(error.value, HamiError)


def test_an_outcome_for_a_measured_requirement_is_refused():
    with pytest.raises(DecisionError) as error:
        verdict("max", None, D(2), "simple", D(1), D(0), outcome="pass")
    assert (error.value.field, error.value.code) == ("outcome", DecisionErrorCode.UNEXPECTED_OUTCOME)


def test_simple_acceptance_needs_no_uncertainty():
    assert verdict("max", None, D(2), "simple", D(2)) is PASS


@pytest.mark.parametrize("number", [1.5, True, "1.5"])
def test_floats_and_other_types_are_refused(number):
    with pytest.raises(TypeError):
        verdict("max", None, D(2), "simple", number, D(0))  # type: ignore[arg-type]


# --- Acceptance interval -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("max", None, D(10), "simple", None), AcceptanceInterval(None, D(10))),
        (("max", None, D(10), "guarded", D(1)), AcceptanceInterval(None, D(9))),
        (("min", D(5), None, "guarded", D("0.5")), AcceptanceInterval(D("5.5"), None)),
        (("range", D(2), D(8), "guarded", D(1)), AcceptanceInterval(D(3), D(7))),
        (("range", D(2), D(8), "guarded", D(3)), AcceptanceInterval(D(5), D(5))),
        (("range", D(2), D(8), "guarded", D("3.0001")), None),  # U > half the width: nothing can pass
        (("equals", D(230), None, "guarded", D(0)), AcceptanceInterval(D(230), D(230))),
        (("equals", D(230), None, "guarded", D("0.1")), None),
        (("equals", D(230), None, "simple", D("0.1")), AcceptanceInterval(D(230), D(230))),
    ],
)
def test_acceptance_interval(args, expected):
    assert acceptance_interval(*args) == expected


def test_acceptance_interval_refusals():
    with pytest.raises(DecisionError) as error:
        acceptance_interval("pass_fail", None, None, "guarded", D(1))
    assert error.value.code == DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND
    with pytest.raises(DecisionError) as error:
        acceptance_interval("max", None, D(1), "guarded")
    assert error.value.code == DecisionErrorCode.MISSING_UNCERTAINTY


def test_tolerance_interval():
    assert tolerance_interval("min", D(1), None) == (D(1), None)
    assert tolerance_interval("max", None, D(1)) == (None, D(1))
    assert tolerance_interval("range", D(1), D(2)) == (D(1), D(2))
    assert tolerance_interval("equals", D(1), None) == (D(1), D(1))


# --- Properties ------------------------------------------------------------

_NUMBER = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
_U = st.decimals(min_value=0, max_value=10**4, places=4, allow_nan=False, allow_infinity=False)


@st.composite
def _requirements(draw):
    kind = draw(st.sampled_from(["min", "max", "range", "equals"]))
    a, b = draw(_NUMBER), draw(_NUMBER)
    if kind == "min":
        return kind, a, None
    if kind == "max":
        return kind, None, a
    if kind == "equals":
        return kind, a, draw(st.sampled_from([None, a]))
    assume(a != b)
    return kind, min(a, b), max(a, b)


@settings(deadline=None)
@given(requirement=_requirements(), value=_NUMBER, u=_U)
def test_guarded_acceptance_never_passes_what_simple_acceptance_fails(requirement, value, u):
    simple = verdict(*requirement, "simple", value, u)
    guarded = verdict(*requirement, "guarded", value, u)
    # The measured value decides which side: guarded only splits each side in two (ILAC-G8 Figure 5).
    assert (simple is PASS) == (guarded in (PASS, CPASS))
    assert (simple is FAIL) == (guarded in (CFAIL, FAIL))


def _certainty(result: Verdict) -> int:
    """2 for pass and fail, 1 for the conditional verdicts."""
    return 2 if result in (PASS, FAIL) else 1


@settings(deadline=None)
@given(requirement=_requirements(), value=_NUMBER, u1=_U, u2=_U)
def test_widening_the_uncertainty_never_improves_a_verdict(requirement, value, u1, u2):
    small, large = min(u1, u2), max(u1, u2)
    narrow = verdict(*requirement, "guarded", value, small)
    wide = verdict(*requirement, "guarded", value, large)
    # Read as ILAC-G8 §4.2.2 (binary with a guard band), a wider U never turns a fail into a pass.
    assert narrow.binary.rank <= wide.binary.rank
    # In the four-verdict statement a wider U never makes a verdict more certain: a pass may become a
    # conditional pass, a fail a conditional fail (ILAC-G8 Figure 5: TL + w moves out), never the reverse.
    assert _certainty(wide) <= _certainty(narrow)
    assert (narrow in (PASS, CPASS)) == (wide in (PASS, CPASS))


@settings(deadline=None)
@given(
    rows=st.lists(st.tuples(_requirements(), _NUMBER, st.sampled_from(SEVERITIES)), min_size=1, max_size=5),
    u1=_U,
    u2=_U,
)
def test_widening_the_uncertainty_never_improves_the_overall_verdict(rows, u1, u2):
    small, large = min(u1, u2), max(u1, u2)

    def conformity(u):
        return overall(
            [(i, sev, verdict(*req, "guarded", value, u)) for i, (req, value, sev) in enumerate(rows)]
        )

    assert conformity(small).conformity.rank <= conformity(large).conformity.rank


@settings(deadline=None)
@given(requirement=_requirements(), value=_NUMBER)
def test_guarded_with_zero_uncertainty_is_simple(requirement, value):
    assert verdict(*requirement, "guarded", value, D(0)) is verdict(*requirement, "simple", value, D(0))


@settings(deadline=None)
@given(limit=_NUMBER, value=_NUMBER, u=_U, rule=st.sampled_from(["simple", "guarded"]))
def test_min_is_the_mirror_image_of_max(limit, value, u, rule):
    assert verdict("max", None, limit, rule, value, u) is verdict("min", -limit, None, rule, -value, u)


@settings(deadline=None)
@given(requirement=_requirements(), value=_NUMBER, u=_U, rule=st.sampled_from(["simple", "guarded"]))
def test_pass_exactly_inside_the_acceptance_interval(requirement, value, u, rule):
    interval = acceptance_interval(*requirement, rule, u)
    inside = interval is not None and (
        (interval.lower is None or value >= interval.lower)
        and (interval.upper is None or value <= interval.upper)
    )
    assert inside == (verdict(*requirement, rule, value, u) is PASS)


# --- Overall verdict ---------------------------------------------------------------------------------------

EFFECTS = [
    ("critical", PASS, Conformity.CONFORMS),
    ("critical", CPASS, Conformity.NOT_DEMONSTRATED),
    ("critical", CFAIL, Conformity.DOES_NOT_CONFORM),
    ("critical", FAIL, Conformity.DOES_NOT_CONFORM),
    ("major", PASS, Conformity.CONFORMS),
    ("major", CPASS, Conformity.CONFORMS),
    ("major", CFAIL, Conformity.DOES_NOT_CONFORM),
    ("major", FAIL, Conformity.DOES_NOT_CONFORM),
    ("minor", PASS, Conformity.CONFORMS),
    ("minor", CPASS, Conformity.CONFORMS),
    ("minor", CFAIL, Conformity.MINOR_NONCONFORMITIES),
    ("minor", FAIL, Conformity.MINOR_NONCONFORMITIES),
]


@pytest.mark.parametrize(("severity", "result", "conformity"), EFFECTS)
def test_effect_of_one_requirement(severity, result, conformity):
    outcome = overall([("5.1", severity, result), ("5.2", "major", PASS)])
    assert outcome.conformity is conformity
    assert outcome.verdict is result
    assert outcome.conforms is (conformity is Conformity.CONFORMS)
    assert outcome.blocking == (() if outcome.conforms else ("5.1",))


def test_all_pass_conforms_and_every_requirement_decided_it():
    outcome = overall([("a", "critical", "pass"), ("b", "major", "pass"), ("c", "minor", "pass")])
    assert outcome.conformity is Conformity.CONFORMS and outcome.conforms
    assert outcome.verdict is PASS
    assert outcome.deciding == ("a", "b", "c")
    assert outcome.blocking == ()


def test_an_accepted_conditional_pass_is_what_decided_a_conforming_product():
    outcome = overall([("a", "critical", PASS), ("b", "major", CPASS), ("c", "minor", CPASS)])
    assert outcome.conforms
    assert outcome.verdict is CPASS
    assert outcome.deciding == ("b", "c")


def test_a_conditional_fail_on_a_critical_requirement_does_not_conform():
    outcome = overall([("lead", "critical", CFAIL), ("fat", "major", PASS), ("label", "minor", FAIL)])
    assert outcome.conformity is Conformity.DOES_NOT_CONFORM
    assert outcome.verdict is FAIL  # the worst verdict, whatever its severity
    assert outcome.deciding == ("lead",)
    assert outcome.blocking == ("lead", "label")


def test_safety_doubt_outranks_a_minor_nonconformity():
    outcome = overall([("label", "minor", FAIL), ("lead", "critical", CPASS)])
    assert outcome.conformity is Conformity.NOT_DEMONSTRATED
    assert outcome.deciding == ("lead",)
    assert outcome.blocking == ("label", "lead")


def test_minor_failures_alone_are_minor_nonconformities():
    outcome = overall(
        [Assessment(1, "minor", FAIL), Assessment(2, "major", CPASS), Assessment(3, "minor", CFAIL)]
    )
    assert outcome.conformity is Conformity.MINOR_NONCONFORMITIES
    assert not outcome.conforms
    assert outcome.deciding == (1, 3)


def test_major_failures_decide_over_minor_ones():
    outcome = overall([("m", "minor", FAIL), ("x", "major", CFAIL), ("y", "major", FAIL)])
    assert outcome.conformity is Conformity.DOES_NOT_CONFORM
    assert outcome.deciding == ("x", "y")
    assert outcome.blocking == ("m", "x", "y")


def test_severity_and_verdict_may_be_the_models_choices():
    outcome = overall([("a", Severity.CRITICAL, Verdict.PASS)])
    assert outcome.conforms


@pytest.mark.parametrize(
    ("rows", "code", "field"),
    [
        ([], DecisionErrorCode.NO_RESULTS, None),
        ([("a", "grave", PASS)], DecisionErrorCode.INVALID_SEVERITY, "severity"),
        ([("a", "major", "ok")], DecisionErrorCode.INVALID_VERDICT, "verdict"),
    ],
)
def test_overall_refusals(rows, code, field):
    with pytest.raises(DecisionError) as error:
        overall(rows)
    assert (error.value.code, error.value.field) == (code, field)


_ROW = st.tuples(st.sampled_from(SEVERITIES), st.sampled_from(list(Verdict)))


@settings(deadline=None)
@given(rows=st.lists(_ROW, min_size=1, max_size=8), extra=_ROW)
def test_another_result_never_improves_the_overall_verdict(rows, extra):
    before = overall([(i, s, v) for i, (s, v) in enumerate(rows)])
    after = overall([(i, s, v) for i, (s, v) in enumerate([*rows, extra])])
    assert after.conformity.rank >= before.conformity.rank
    assert after.verdict.rank >= before.verdict.rank
    assert set(before.blocking) <= set(after.blocking)


@settings(deadline=None)
@given(rows=st.lists(_ROW, min_size=1, max_size=8))
def test_a_critical_requirement_short_of_pass_never_conforms(rows):
    outcome = overall([(i, s, v) for i, (s, v) in enumerate(rows)])
    critical_doubt = any(s == "critical" and v is not PASS for s, v in rows)
    any_failure = any(v in (CFAIL, FAIL) for _s, v in rows)
    assert outcome.conforms is not (critical_doubt or any_failure)
    assert set(outcome.deciding) <= set(range(len(rows)))
    assert outcome.deciding
