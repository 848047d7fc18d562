"""The Safety Gate table, every cell and every band edge, and the refusals of the pure module."""

from decimal import Decimal
from fractions import Fraction

import pytest

from hami.supervision import safety_gate
from hami.supervision.safety_gate import RiskInputError, RiskLevel, band, overall_probability, risk_level

# The table written out again, independently of the module: band bound → risk for severity 1..4.
EXPECTED = {
    Fraction(1, 2): "HSSS",
    Fraction(1, 10): "MSSS",
    Fraction(1, 100): "MSSS",
    Fraction(1, 1_000): "LHSS",
    Fraction(1, 10_000): "LMHS",
    Fraction(1, 100_000): "LLMH",
    Fraction(1, 1_000_000): "LLLM",
    Fraction(0): "LLLL",
}
LETTERS = {"L": RiskLevel.LOW, "M": RiskLevel.MEDIUM, "H": RiskLevel.HIGH, "S": RiskLevel.SERIOUS}
BOUNDS = list(EXPECTED)
# A probability inside each band: twice its bound (and 0.9 for the top band, 1e-9 for the last).
INSIDE = [Fraction(9, 10)] + [2 * bound for bound in BOUNDS[1:-1]] + [Fraction(1, 10**9)]
CELLS = [
    (bound, INSIDE[i], severity, LETTERS[EXPECTED[bound][severity - 1]])
    for i, bound in enumerate(BOUNDS)
    for severity in (1, 2, 3, 4)
]


@pytest.mark.parametrize(("bound", "probability", "severity", "expected"), CELLS)
def test_every_cell_of_the_table(bound, probability, severity, expected):
    assert risk_level(severity, probability) is expected
    assert band(probability).above == bound


def test_the_table_has_eight_bands_and_four_severities():
    assert len(safety_gate.BANDS) == 8
    assert all(len(row.levels) == 4 for row in safety_gate.BANDS)
    assert [row.label for row in safety_gate.BANDS] == [
        "> 50 %", "> 1/10", "> 1/100", "> 1/1 000", "> 1/10 000", "> 1/100 000", "> 1/1 000 000",
        "< 1/1 000 000",
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(7))
def test_a_probability_exactly_on_a_bound_falls_in_the_band_below(index):
    bound = safety_gate.BANDS[index].above
    assert band(bound).index == index + 1


@pytest.mark.parametrize("index", range(7))
def test_just_above_a_bound_is_in_its_band_and_just_below_in_the_next(index):
    bound = safety_gate.BANDS[index].above
    tiny = bound / 10**9
    assert band(bound + tiny).index == index
    assert band(bound - tiny).index == index + 1


@pytest.mark.parametrize(
    ("probability", "label"),
    [(0.5, "> 1/10"), (0.1, "> 1/100"), (0.01, "> 1/1 000"), (0.001, "> 1/10 000"), (1e-4, "> 1/100 000"),
     (1e-5, "> 1/1 000 000"), (1e-6, "< 1/1 000 000"), (1.0, "> 50 %"), (0.5000001, "> 50 %")],
)  # fmt: skip
def test_float_edges_are_read_as_the_decimal_written(probability, label):
    """0.1 as a float is a hair above 1/10; the method means the written 0.1, so it is on the bound."""
    assert band(probability).label == label


def test_exactly_one_in_a_million_goes_to_the_last_band_the_source_leaves_unnamed():
    assert band(Fraction(1, 1_000_000)).label == "< 1/1 000 000"
    assert risk_level(4, Fraction(1, 1_000_000)) is RiskLevel.LOW
    assert risk_level(4, Fraction(1, 999_999)) is RiskLevel.MEDIUM


def test_the_folding_chair_example_of_2010_15_is_low_risk():
    """2010/15 Annex, part IV, 6.1: 1 × 1/50 × 1/10 × 1 = 1/500, band "> 1/1 000", severity 1: low."""
    p = overall_probability([1, "1/50", "1/10", 1])
    assert p == Fraction(1, 500)
    assert band(p).label == "> 1/1 000"
    assert risk_level(1, p) is RiskLevel.LOW


def test_overall_probability_is_the_exact_product_of_the_steps():
    assert overall_probability(["0.1", 0.1, Fraction(1, 10)]) == Fraction(1, 1000)
    assert overall_probability(["50 %", "1/4"]) == Fraction(1, 8)
    assert overall_probability([Decimal("0.2")]) == Fraction(1, 5)
    assert overall_probability(["۱/۱۰۰"]) == Fraction(1, 100)  # Persian digits


def test_overall_probability_refuses_no_steps():
    with pytest.raises(RiskInputError) as exc:
        overall_probability([])
    assert exc.value.code == "no_steps"


def test_overall_probability_names_the_step_that_is_out_of_range():
    with pytest.raises(RiskInputError) as exc:
        overall_probability(["1/10", "2"])
    assert exc.value.code == "probability_out_of_range" and exc.value.field == "steps.1.probability"


@pytest.mark.parametrize("severity", [0, 5, -1, 3.0, "3.5", "", None, True, "x", "10"])
def test_a_severity_outside_1_to_4_is_refused_with_a_reason(severity):
    with pytest.raises(ValueError) as exc:
        risk_level(severity, 0.5)
    assert exc.value.code == "severity_out_of_range" and exc.value.field == "severity" and str(exc.value)


@pytest.mark.parametrize("probability", [0, 0.0, -0.1, 1.0000001, 2, "0", "3/2", "101 %", Fraction(-1, 2)])
def test_a_probability_outside_0_to_1_is_refused(probability):
    with pytest.raises(ValueError) as exc:
        risk_level(3, probability)
    assert exc.value.code == "probability_out_of_range"


@pytest.mark.parametrize(
    "probability",
    ["", "abc", "1/0", "nan", "inf", float("nan"), float("inf"), "1e-3", "1e-999999999", None, True,
     Decimal("NaN"), Decimal("1e-999999"), "1" * 65, "1/2/3", [0.5]],
)  # fmt: skip
def test_an_unreadable_probability_is_refused(probability):
    with pytest.raises(ValueError) as exc:
        risk_level(3, probability)
    assert exc.value.code == "probability_unreadable"


def test_a_probability_of_one_is_allowed():
    assert risk_level(1, 1) is RiskLevel.HIGH


def test_fraction_label_writes_one_in_n():
    assert safety_gate.fraction_label(Fraction(1, 1000)) == "1/1 000"
    assert safety_gate.fraction_label(Fraction(3, 1000)) == "≈ 1/333"
