"""Units of measure: every symbol Hami's standards use is known, spellings meet, conversions are exact,
and a result that cannot be right is refused with the field at fault."""

from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hami.core.errors import HamiError
from hami.labs import decision
from hami.labs.units import (
    HAMI_SYMBOLS,
    UNITS,
    UNITS_TABLE,
    ResultError,
    ResultErrorCode,
    UnitError,
    check_result,
    convert,
    convertible,
    fits_model,
    normalize_unit,
    unit_for,
)

# The unit symbols present in Hami's data when the labs issue was written (the issue's own list).
SYMBOLS_IN_DATA = [
    "", "% positive fields", "% v/v", "%", "(m³/h)/W", "A", "GU", "Hz", "IU", "J", "K", "L/kg", "MPa", "MΩ",
    "MΩ·km", "N", "N/50 mm", "N/kN", "NTU", "N·m", "Pa/cm²", "Schade", "V", "W", "W/(m·K)", "W/s", "arcmin",
    "bar", "cfu/g", "cfu/mL", "class", "cm²/g", "cycles", "dB(A)", "g I2/100 g", "g", "g/100 g", "g/100 mL",
    "g/Ah", "g/L", "g/mL", "g/m²", "grade", "h", "kN/m²", "kPa", "kW", "kWh/24 h", "kWh/kg", "kg/(m²·h^0.5)",
    "kg/L", "kg/m²", "kg/m³", "lm/W", "log", "mA", "mPa·s", "mbar", "meq O2/kg", "meq/kg", "mg KOH/g",
    "mg/100 g", "mg/L", "mg/dm²", "mg/kWh", "mg/kg", "min", "mm", "mm/m", "mm/s", "mm²", "mm²/s", "ms", "nm",
    "operations", "pieces", "s", "vol", "x", "°", "°Brix", "°C", "°P", "°Z", "µg/L", "µg/kg", "µm", "Ω",
    "Ω/km",
]  # fmt: skip

DOCS = Path(__file__).resolve().parents[3] / "docs" / "decision-rules.md"


def _demo_units() -> set[str]:
    from hami.demo.vocab import STANDARDS

    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if "unit" in node and "kind" in node:
                found.add(node["unit"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)

    walk(STANDARDS)
    return found


# --- The table --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("symbol", SYMBOLS_IN_DATA)
def test_every_symbol_in_hamis_data_is_known_as_itself(symbol):
    assert normalize_unit(symbol) == symbol
    assert symbol in UNITS


def test_the_modules_list_of_hami_symbols_is_the_issues_list():
    assert sorted(HAMI_SYMBOLS) == sorted(SYMBOLS_IN_DATA)


def test_every_unit_of_the_demo_standards_is_known():
    demo = _demo_units()
    assert demo, "the demo vocabulary has requirements with units"
    assert {normalize_unit(symbol) for symbol in demo} == demo


def test_table_symbols_are_unique_and_canonical():
    symbols = [unit.symbol for unit in UNITS_TABLE]
    assert len(symbols) == len(set(symbols))
    for unit in UNITS_TABLE:
        assert normalize_unit(unit.symbol) == unit.symbol
        assert unit.factor > 0
        for alias in unit.aliases:
            assert normalize_unit(alias) == unit.symbol, alias


def test_every_unit_is_in_the_documentation():
    text = DOCS.read_text(encoding="utf-8")
    missing = [unit.symbol for unit in UNITS_TABLE if unit.symbol and f"`{unit.symbol}`" not in text]
    assert not missing


@pytest.mark.parametrize(
    ("symbol", "negative", "lower", "upper"),
    [
        ("mg/kg", False, D(0), D(1_000_000)),
        ("g/100 g", False, D(0), D(100)),
        ("% v/v", False, D(0), D(100)),
        ("% positive fields", False, D(0), D(100)),
        ("°Brix", False, D(0), D(100)),
        ("µg/kg", False, D(0), D(1_000_000_000)),
        ("°C", True, D("-273.15"), None),
        ("K", True, None, None),  # a temperature rise
        ("%", True, None, None),  # elongations above 100 %, deviations below 0 %
        ("", True, None, None),
        ("g I2/100 g", False, D(0), None),  # iodine values above 100 are ordinary
        ("mm", False, D(0), None),
        ("cfu/g", False, D(0), None),
        ("s", False, D(0), None),
        ("dB(A)", True, None, None),
        ("°Z", True, None, None),
    ],
)
def test_physical_bounds(symbol, negative, lower, upper):
    unit = UNITS[symbol]
    assert unit.negative is negative
    assert unit.lower == lower
    assert unit.upper == upper


# --- Spelling ------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "symbol"),
    [
        ("\u00b5g/kg", "µg/kg"),  # MICRO SIGN, as Hami's data writes it
        ("\u03bcg/kg", "µg/kg"),  # GREEK SMALL LETTER MU
        ("ug/kg", "µg/kg"),
        ("\u03bcm", "µm"),
        ("um", "µm"),
        ("μg/L", "µg/L"),
        ("ohm", "Ω"),
        ("Ohms", "Ω"),
        ("\u2126", "Ω"),  # OHM SIGN
        ("Mohm", "MΩ"),
        ("MOHM", "MΩ"),  # "ohm" in any case; the prefix keeps its own
        ("MOhm.km", "MΩ·km"),
        ("MΩ km", "MΩ·km"),
        ("ohm/km", "Ω/km"),
        ("deg C", "°C"),
        ("degC", "°C"),
        ("℃", "°C"),
        ("oC", "°C"),
        ("ºC", "°C"),  # masculine ordinal for a degree sign
        ("° C", "°C"),
        ("m2", "m²"),
        ("m^2", "m²"),
        ("mm2", "mm²"),
        ("mm2/s", "mm²/s"),
        ("kg/m3", "kg/m³"),
        ("g/m2", "g/m²"),
        ("mg/dm2", "mg/dm²"),
        ("cm2/g", "cm²/g"),
        ("kN/m2", "kN/m²"),
        ("Pa/cm2", "Pa/cm²"),
        ("(m3/h)/W", "(m³/h)/W"),
        ("kg/(m2·h0.5)", "kg/(m²·h^0.5)"),
        ("mg kg-1", "mg/kg"),
        ("mg·kg⁻¹", "mg/kg"),
        ("kg m-3", "kg/m³"),
        ("cfu g-1", "cfu/g"),
        ("CFU/g", "cfu/g"),
        ("cfu/ml", "cfu/mL"),
        ("N.m", "N·m"),
        ("N m", "N·m"),
        ("Nm", "N·m"),
        ("nm", "nm"),
        ("mPa.s", "mPa·s"),
        ("cP", "mPa·s"),
        ("cSt", "mm²/s"),
        ("W/mK", "W/(m·K)"),
        ("W/(m.K)", "W/(m·K)"),
        ("MPA", "MPa"),
        ("kpa", "kPa"),
        ("KW", "kW"),
        ("MBAR", "mbar"),
        ("ml", "mL"),
        ("l", "L"),
        ("dBA", "dB(A)"),
        ("dB (A)", "dB(A)"),
        ("% V/V", "% v/v"),
        ("%vol", "% v/v"),
        ("% w/w", "% m/m"),
        ("g I₂/100 g", "g I2/100 g"),
        ("gI2/100g", "g I2/100 g"),
        ("meqO2/kg", "meq O2/kg"),
        ("mg KOH/g", "mg KOH/g"),
        ("mgKOH/g", "mg KOH/g"),
        ("kWh/24h", "kWh/24 h"),
        ("N/50mm", "N/50 mm"),
        ("N/5 cm", "N/50 mm"),
        ("g/100g", "g/100 g"),
        ("ppm", "mg/kg"),
        ("ppb", "µg/kg"),
        ("×", "x"),
        ("Brix", "°Brix"),
        ("'", "arcmin"),
        ("deg", "°"),
        ("  mg/kg  ", "mg/kg"),
        ("\u200fmg/kg", "mg/kg"),  # a right-to-left mark from a Persian form
        ("٪", "%"),  # ARABIC PERCENT SIGN
        ("درصد", "%"),
        ("میلی‌گرم بر کیلوگرم", "mg/kg"),
        ("میلی گرم بر کیلوگرم", "mg/kg"),
        ("میلیگرم بر کیلوگرم", "mg/kg"),
        ("گرم در ۱۰۰ گرم", "g/100 g"),
        ("درجه سلسیوس", "°C"),
        ("ثانیه", "s"),
        ("-", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_spelling_variants(spelling, symbol):
    assert normalize_unit(spelling) == symbol


@pytest.mark.parametrize("spelling", ["NM", "Mω", "mω"])
def test_a_case_only_spelling_shared_by_two_units_is_ambiguous(spelling):
    with pytest.raises(UnitError) as error:
        normalize_unit(spelling)
    assert error.value.code == ResultErrorCode.AMBIGUOUS_UNIT
    assert error.value.field == "unit"
    assert "N·m" in str(error.value) or "MΩ" in str(error.value)


@pytest.mark.parametrize("spelling", ["M", "G", "k", "furlong", "mg/kgg", "°F", "psi", "mmHg", "µ"])
def test_unknown_units_are_refused(spelling):
    with pytest.raises(UnitError) as error:
        normalize_unit(spelling)
    assert error.value.code == ResultErrorCode.UNKNOWN_UNIT
    assert error.value.field == "unit"
    assert spelling in error.value.message
    assert isinstance(error.value, ValueError) and isinstance(error.value, HamiError)


def test_one_letter_symbols_keep_their_case():
    assert normalize_unit("K") == "K"
    assert normalize_unit("g") == "g"
    assert normalize_unit("m") == "m"
    assert normalize_unit("s") == "s"
    with pytest.raises(UnitError):
        normalize_unit("S")


# --- Conversions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("1", "bar", "kPa", "100"),
        ("1", "bar", "MPa", "0.1"),
        ("1", "bar", "mbar", "1000"),
        ("16.2", "mbar", "kPa", "1.62"),
        ("42.5", "MPa", "N/mm²", "42.5"),
        ("4", "kN/m²", "kPa", "4"),
        ("1", "mg/kg", "µg/kg", "1000"),
        ("350", "µg/kg", "mg/kg", "0.35"),
        ("1", "g/kg", "mg/kg", "1000"),
        ("2.5", "g/100 g", "% m/m", "2.5"),
        ("2.5", "g/100 g", "mg/kg", "25000"),
        ("20", "mg/100 g", "mg/kg", "200"),
        ("5", "ppm", "mg/kg", "5"),
        ("0.5", "% v/v", "mL/L", "5"),
        ("0.5", "mg/L", "µg/L", "500"),
        ("1.1", "g/mL", "kg/m³", "1100"),
        ("0.75", "kg/L", "g/mL", "0.75"),
        ("10", "mg/dm²", "g/m²", "1"),
        ("2", "h", "min", "120"),
        ("2", "h", "s", "7200"),
        ("90", "min", "h", "1.5"),
        ("300", "ms", "s", "0.3"),
        ("0.02", "mm", "µm", "20"),
        ("370", "nm", "µm", "0.37"),
        ("1.5", "mm²", "cm²", "0.015"),
        ("400", "N/50 mm", "N/mm", "8"),
        ("7000", "mPa·s", "Pa·s", "7"),
        ("3", "N·m", "cN·m", "300"),
        ("2.5", "kWh/24 h", "kWh/d", "2.5"),
        ("1", "kWh", "J", "3600000"),
        ("0.25", "kW", "W", "250"),
        ("0.75", "mA", "µA", "750"),
        ("0.011", "MΩ·km", "GΩ·m", "0.011"),
        ("7.41", "Ω/km", "mΩ/m", "7.41"),
        ("2800", "cm²/g", "m²/kg", "280"),
        ("2", "°", "arcmin", "120"),
        ("30", "arcmin", "°", "0.5"),
        ("275", "g_n", "m/s²", "2696.82875"),
        ("100", "cfu/mL", "cfu/100 mL", "10000"),
        ("45", "K", "K", "45"),
    ],
)
def test_exact_conversions(value, source, target, expected):
    assert convert(D(value), source, target) == D(expected)
    assert convert(D(expected), target, source) == D(value)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("K", "°C"),  # a rise and a temperature: 1:1 or +273.15, the symbol cannot say
        ("°C", "K"),
        ("mg/kg", "mg/L"),  # a fraction and a concentration
        ("ppm", "mg/L"),
        ("%", "g/100 g"),  # a percentage of an unstated basis
        ("%", "% v/v"),
        ("% m/m", "% v/v"),
        ("g", "m/s²"),  # the gram is not g_n
        ("°Brix", "g/100 g"),
        ("mm", "mm²"),
        ("cfu/g", "cfu/mL"),
        ("", "%"),
        ("cycles", "operations"),
    ],
)
def test_different_kinds_do_not_convert(source, target):
    assert not convertible(source, target)
    with pytest.raises(UnitError) as error:
        convert(D(1), source, target)
    assert error.value.code == ResultErrorCode.INCOMPATIBLE_UNITS
    assert error.value.field == "unit"


@pytest.mark.parametrize(
    ("value", "source", "target"),
    [
        ("100", "s", "min"),
        ("1", "arcmin", "°"),
        ("1", "min", "h"),
        ("10", "arcsec", "arcmin"),
        ("1", "m/s²", "g_n"),
    ],
)
def test_a_conversion_without_a_finite_decimal_is_refused_not_rounded(value, source, target):
    with pytest.raises(UnitError) as error:
        convert(D(value), source, target)
    assert error.value.code == ResultErrorCode.INEXACT_CONVERSION
    assert target in error.value.message


def test_convert_refuses_floats():
    with pytest.raises(TypeError):
        convert(1.5, "kPa", "MPa")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        convert(True, "kPa", "MPa")  # type: ignore[arg-type]


_FOUR_PLACES = st.decimals(
    min_value=-(10**10) + 1, max_value=10**10 - 1, places=4, allow_nan=False, allow_infinity=False
)
_PAIRS = [(a.symbol, b.symbol) for a in UNITS_TABLE for b in UNITS_TABLE if a.kind is b.kind and a is not b]


def _decimal_ratio(source: str, target: str) -> bool:
    ratio = UNITS[source].factor / UNITS[target].factor
    denominator = ratio.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


@settings(deadline=None)
@given(pair=st.sampled_from(_PAIRS), value=_FOUR_PLACES)
def test_conversions_round_trip_exactly(pair, value):
    source, target = pair
    try:
        there = convert(value, source, target)
    except UnitError as error:
        assert error.code == ResultErrorCode.INEXACT_CONVERSION
        assert not _decimal_ratio(source, target)
        return
    assert Fraction(there) == Fraction(value) * UNITS[source].factor / UNITS[target].factor
    assert convert(there, target, source) == value


@settings(deadline=None)
@given(
    pair=st.sampled_from([p for p in _PAIRS if _decimal_ratio(*p) and _decimal_ratio(p[1], p[0])]),
    kind=st.sampled_from(["min", "max", "range", "equals"]),
    rule=st.sampled_from(list(decision.DecisionRule)),
    numbers=st.lists(st.decimals(min_value=-(10**6), max_value=10**6, places=4), min_size=3, max_size=3),
    uncertainty=st.decimals(min_value=0, max_value=10**4, places=4),
)
def test_converting_units_never_changes_a_verdict(pair, kind, rule, numbers, uncertainty):
    source, target = pair
    a, b, value = numbers
    low, high = {"min": (a, None), "max": (None, a), "equals": (a, None)}.get(kind, (min(a, b), max(a, b)))
    if kind == "range" and low == high:
        high = low + 1

    def conv(number):
        return None if number is None else convert(number, source, target)

    before = decision.verdict(kind, low, high, rule, value, uncertainty)
    after = decision.verdict(kind, conv(low), conv(high), rule, conv(value), conv(uncertainty))
    assert before == after


# --- check_result ----------------------------------------------------------------------------------------


def test_a_result_is_converted_to_the_requirements_unit():
    assert check_result(D("1500"), D("10"), "µg/kg", "mg/kg") == (D("1.5"), D("0.01"))
    assert check_result(D("2.4"), D("0.1"), "mbar", "mbar") == (D("2.4"), D("0.1"))
    assert check_result("۱۲٫۵", "0.5", "ug/kg", "µg/kg") == (D("12.5"), D("0.5"))  # Persian digits, separator
    assert check_result(D(3), None, "g/100 g", "g/100 g") == (D(3), None)  # simple acceptance needs no U


@pytest.mark.parametrize(
    ("args", "kwargs", "field", "code"),
    [
        ((D(1), D(0), "furlong", "mm"), {}, "unit", ResultErrorCode.UNKNOWN_UNIT),
        ((D(1), D(0), "NM", "N·m"), {}, "unit", ResultErrorCode.AMBIGUOUS_UNIT),
        ((D(1), D(0), "mm", "furlong"), {}, "requirement_unit", ResultErrorCode.UNKNOWN_UNIT),
        ((D(1), D(0), "mg/L", "mg/kg"), {}, "unit", ResultErrorCode.INCOMPATIBLE_UNITS),
        ((D(1), D(0), "", "mg/kg"), {}, "unit", ResultErrorCode.INCOMPATIBLE_UNITS),
        ((D(40), D(1), "°C", "K"), {}, "unit", ResultErrorCode.INCOMPATIBLE_UNITS),
        ((D(100), D(1), "s", "min"), {}, "unit", ResultErrorCode.INEXACT_CONVERSION),
        ((None, D(1), "mg/kg", "mg/kg"), {}, "value", ResultErrorCode.MISSING_VALUE),
        ((D("NaN"), D(1), "mg/kg", "mg/kg"), {}, "value", ResultErrorCode.NOT_A_NUMBER),
        ((D("Infinity"), D(1), "mg/kg", "mg/kg"), {}, "value", ResultErrorCode.NOT_A_NUMBER),
        (("abc", D(1), "mg/kg", "mg/kg"), {}, "value", ResultErrorCode.NOT_A_NUMBER),
        (("1,5", D(1), "mg/kg", "mg/kg"), {}, "value", ResultErrorCode.NOT_A_NUMBER),
        ((D(1), D("sNaN"), "mg/kg", "mg/kg"), {}, "uncertainty", ResultErrorCode.NOT_A_NUMBER),
        ((D(1), "-Infinity", "mg/kg", "mg/kg"), {}, "uncertainty", ResultErrorCode.NOT_A_NUMBER),
        ((D("12345678901"), D(1), "mg/kg", "mg/kg"), {}, "value", ResultErrorCode.TOO_MANY_DIGITS),
        ((D("0.00001"), D(0), "mg/kg", "mg/kg"), {}, "value", ResultErrorCode.TOO_MANY_DIGITS),
        ((D("1E+10"), D(0), "mm", "mm"), {}, "value", ResultErrorCode.TOO_MANY_DIGITS),
        ((D(1), D("0.00001"), "mg/kg", "mg/kg"), {}, "uncertainty", ResultErrorCode.TOO_MANY_DIGITS),
        # stored in the requirement's unit: 0.05 µg/kg = 0.00005 mg/kg would be rounded by the database
        ((D("0.05"), D(0), "µg/kg", "mg/kg"), {}, "value", ResultErrorCode.TOO_MANY_DIGITS),
        ((D(1), D("0.05"), "µg/kg", "mg/kg"), {}, "uncertainty", ResultErrorCode.TOO_MANY_DIGITS),
        ((D("9999999"), D(0), "km", "mm"), {}, "value", ResultErrorCode.TOO_MANY_DIGITS),
        ((D("-0.1"), D(0), "mg/kg", "mg/kg"), {}, "value", ResultErrorCode.NEGATIVE_VALUE),
        ((D("-1"), D(0), "mm", "mm"), {}, "value", ResultErrorCode.NEGATIVE_VALUE),
        ((D("-1"), D(0), "s", "s"), {}, "value", ResultErrorCode.NEGATIVE_VALUE),
        ((D("-1"), D(0), "cfu/g", "cfu/g"), {}, "value", ResultErrorCode.NEGATIVE_VALUE),
        ((D("-1"), D(0), "pieces", "pieces"), {}, "value", ResultErrorCode.NEGATIVE_VALUE),
        ((D("-1"), D(0), "mm", "mm"), {"requirement_low": D(0)}, "value", ResultErrorCode.NEGATIVE_VALUE),
        ((D("-273.16"), D(0), "°C", "°C"), {}, "value", ResultErrorCode.BELOW_MINIMUM),
        ((D("100.0001"), D(0), "g/100 g", "g/100 g"), {}, "value", ResultErrorCode.ABOVE_MAXIMUM),
        ((D("101"), D(0), "% v/v", "% v/v"), {}, "value", ResultErrorCode.ABOVE_MAXIMUM),
        (
            (D("101"), D(0), "% positive fields", "% positive fields"),
            {},
            "value",
            ResultErrorCode.ABOVE_MAXIMUM,
        ),
        ((D("1000001"), D(0), "mg/kg", "mg/kg"), {}, "value", ResultErrorCode.ABOVE_MAXIMUM),
        ((D("100.5"), D(0), "°Brix", "°Brix"), {}, "value", ResultErrorCode.ABOVE_MAXIMUM),
        ((D(1), D("-0.1"), "mg/kg", "mg/kg"), {}, "uncertainty", ResultErrorCode.NEGATIVE_UNCERTAINTY),
        ((D(1), D("-0.1"), "°C", "°C"), {}, "uncertainty", ResultErrorCode.NEGATIVE_UNCERTAINTY),
        ((D(1), D("1.0001"), "mg/kg", "mg/kg"), {}, "uncertainty", ResultErrorCode.UNCERTAINTY_EXCEEDS_VALUE),
        ((D(0), D("0.01"), "cfu/g", "cfu/g"), {}, "uncertainty", ResultErrorCode.UNCERTAINTY_EXCEEDS_VALUE),
    ],
)
def test_each_refusal_names_its_field(args, kwargs, field, code):
    with pytest.raises(ResultError) as error:
        check_result(*args, **kwargs)
    assert error.value.field == field
    assert error.value.code == code
    assert error.value.message and str(error.value) == error.value.message
    assert isinstance(error.value, ValueError) and isinstance(error.value, HamiError)


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((D("-273.15"), D(0), "°C", "°C"), {}, D("-273.15")),  # the bound itself
        ((D("-18.5"), D("0.5"), "°C", "°C"), {}, D("-18.5")),
        ((D(100), D(0), "g/100 g", "g/100 g"), {}, D(100)),
        ((D(350), D(10), "%", "%"), {}, D(350)),  # elongation at break
        ((D(-7), D(1), "%", "%"), {}, D(-7)),  # deviation from a rated value
        ((D(141), D(2), "g I2/100 g", "g I2/100 g"), {}, D(141)),  # an iodine value above 100
        ((D(-5), D(1), "mm", "mm"), {"requirement_low": D(-10)}, D(-5)),  # tolerance on spacing, ±10 mm
        ((D(-3), D(5), "mm", "mm"), {"requirement_low": D(-10)}, D(-3)),  # U > |value| for a deviation
        ((D(42), D(3), "K", "K"), {}, D(42)),
        ((D(-2), D(1), "K", "K"), {}, D(-2)),  # a temperature difference may be negative
        ((D("0.5"), D(1), "°C", "°C"), {}, D("0.5")),  # no true zero: U > value means nothing
        ((D(1), D(1), "mg/kg", "mg/kg"), {}, D(1)),  # U equal to the value is allowed
        ((D(1), D(2), "mg/kg", "mg/kg"), {"uncertainty_may_exceed_value": True}, D(1)),
        ((D("9999999999.9999"), D(0), "mm", "mm"), {}, D("9999999999.9999")),
        ((D("1.50000000"), D("0.10000"), "mm", "mm"), {}, D("1.5")),  # trailing zeros are not digits
        ((D(0), D(0), "mg/kg", "mg/kg"), {}, D(0)),
    ],
)
def test_results_that_are_physically_possible_are_accepted(args, kwargs, expected):
    value, _u = check_result(*args, **kwargs)
    assert value == expected


def test_check_result_refuses_floats():
    with pytest.raises(TypeError):
        check_result(1.5, D(0), "mm", "mm")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("number", "fits"),
    [
        (D("9999999999.9999"), True),
        (D("10000000000"), False),
        (D("-9999999999.9999"), True),
        (D("0.0001"), True),
        (D("0.00001"), False),
        (D("0.000010"), False),
        (D("1.23450000"), True),
        (D("0E-20"), True),
        (D("1E+9"), True),
        (D("1E+10"), False),
        (D("NaN"), False),
    ],
)
def test_fits_model_is_max_digits_14_decimal_places_4(number, fits):
    assert fits_model(number) is fits


def test_unit_for_returns_the_table_entry():
    assert unit_for("ug/kg") is UNITS["µg/kg"]
