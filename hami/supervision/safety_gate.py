"""The EU Safety Gate method: a product's risk level from an injury scenario's severity and probability.

SOURCE. Commission Delegated Regulation (EU) 2024/3173 of 27 August 2024, Annex II "Criteria for assessment
of the level of risk" (point 3: the harm scenario, its steps, the severity of the harm in four levels, the
probability, and the level of risk from their combination). It replaced the risk-assessment guidelines of
Commission Implementing Decision (EU) 2019/417 (Appendix 6), which replaced Decision 2010/15/EU.

- https://eur-lex.europa.eu/eli/reg_del/2024/3173/oj/eng
- https://lexaris.io/book/version/documentflat/head/6812208 (the same text, consolidated)
- http://www.legislation.gov.uk/eudn/2010/15/annex/part/IV/division/6/adopted (2010/15, worked examples)
- https://www.legislation.gov.uk/eudn/2019/417/annex/division/2/division/6 (2019/417, worked examples)

What was checked against the stored copies of those pages (see docs/supervision.md):
- 2024/3173 Annex II, point 3: the sequence "harm scenario → steps leading to harm → severity (harm level
  1–4) → probability → level of risk"; harm level 4 reads "Life-threatening: harm or consequence that is or
  could be fatal, including brain death; consequences that affect reproduction or offspring; severe loss of
  limbs and/or function, leading to more than approximately 10 % of disability."
- 2010/15, example 6.1 (folding chair): steps 1 × 1/50 × 1/10 × 1 = 1/500, written in the band "> 1/1 000",
  severity 1 → "Low risk". So the overall probability is the product of the steps, a band is named by its
  lower bound with a strict ">", and the cell (severity 1, "> 1/1 000") is L.
- NOT checked cell by cell: the stored copies available here stop before the table itself, so the other 31
  cells below are the table as published in 2010/15 and 2019/417 and carried into 2024/3173 (as the
  project's lead transcribed it). Re-read them against the Official Journal before relying on them.

Band edges follow the wording of the bands: "> 50 %", "> 1/10", …, "> 1/1 000 000", "< 1/1 000 000". A band
holds the probabilities strictly above its bound, so a probability exactly on a bound belongs to the band
below it (P = 1/2 is in "> 1/10"; P = 1/1 000 is in "> 1/10 000"). The source's last band says "<" and so
leaves P = 1/1 000 000 itself unnamed: it is not "> 1/1 000 000", so it goes to the last band.

Pure: arithmetic on exact fractions (`fractions.Fraction`), so that 0.1 × 0.1 is exactly 1/100 and the
edges are decided exactly. Django only for the translated messages and labels.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext_lazy as _


class RiskLevel(StrEnum):
    """The four levels of the method, from lowest to highest."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    SERIOUS = "serious"

    @property
    def label(self) -> str:
        return str(RISK_LABELS[self])


RISK_LABELS = {
    RiskLevel.LOW: _("Low risk"),
    RiskLevel.MEDIUM: _("Medium risk"),
    RiskLevel.HIGH: _("High risk"),
    RiskLevel.SERIOUS: _("Serious risk"),
}

SEVERITIES = (1, 2, 3, 4)

# Short descriptions of the harm levels for the assessment form. Level 4 follows 2024/3173 Annex II 3.3
# (checked); levels 1–3 summarise the same table (and 2019/417's), not checked word for word here.
SEVERITY_DESCRIPTIONS = {
    1: _(
        "Minor: after basic treatment (first aid, usually not by a doctor) the harm does not substantially "
        "impair functioning or cause excessive pain; usually completely reversible."
    ),
    2: _(
        "Moderate: may need a visit to an emergency department but generally no hospital stay; functioning "
        "is affected for a limited time, up to about six months; recovery is more or less complete."
    ),
    3: _(
        "Severe: normally needs a hospital stay and affects functioning for more than six months or for "
        "good, possibly with some permanent disability (up to about 10 %)."
    ),
    4: _(
        "Life-threatening: harm that is or could be fatal, including brain death; consequences that affect "
        "reproduction or offspring; severe loss of limbs or function, leading to more than about 10 per "
        "cent disability."
    ),
}

L, M, H, S = RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.SERIOUS


@dataclass(frozen=True)
class Band:
    """A probability band: every P with P > `above` (the last band: every P ≤ 1/1 000 000)."""

    index: int  # 0 is the most probable
    label: str  # as the source writes it
    above: Fraction  # the exclusive lower bound
    levels: tuple[RiskLevel, RiskLevel, RiskLevel, RiskLevel]  # the risk for severity 1, 2, 3, 4

    def level(self, severity: int) -> RiskLevel:
        return self.levels[severity - 1]


# The table (rows: bands of the overall probability, most probable first; columns: severity 1 to 4).
_ROWS = (
    ("> 50 %", Fraction(1, 2), (H, S, S, S)),
    ("> 1/10", Fraction(1, 10), (M, S, S, S)),
    ("> 1/100", Fraction(1, 100), (M, S, S, S)),
    ("> 1/1 000", Fraction(1, 1_000), (L, H, S, S)),
    ("> 1/10 000", Fraction(1, 10_000), (L, M, H, S)),
    ("> 1/100 000", Fraction(1, 100_000), (L, L, M, H)),
    ("> 1/1 000 000", Fraction(1, 1_000_000), (L, L, L, M)),
    ("< 1/1 000 000", Fraction(0), (L, L, L, L)),
)
BANDS: tuple[Band, ...] = tuple(
    Band(index=i, label=label, above=above, levels=levels) for i, (label, above, levels) in enumerate(_ROWS)
)


class RiskInputError(ValueError):
    """A severity or probability the method cannot take. `message` is translated when shown."""

    def __init__(self, code: str, message, field: str):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field


_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫٪⁄", "01234567890123456789.%/")
# Only plain forms, so a pasted "1e-999999999" cannot make us build a huge integer.
_DECIMAL = re.compile(r"\d{1,20}(\.\d{1,30})?|\.\d{1,30}")
_FRACTION = re.compile(r"(\d{1,20})\s*/\s*(\d{1,30})")
_PERCENT = re.compile(r"(\d{1,3}(\.\d{1,30})?)\s*%")


def _unreadable(field: str) -> RiskInputError:
    return RiskInputError(
        "probability_unreadable",
        _("Write the probability as a decimal (0.01), a fraction (1/100) or a percentage (1 %)."),
        field,
    )


def _check_probability(value: Fraction, field: str) -> Fraction:
    if not 0 < value <= 1:
        raise RiskInputError(
            "probability_out_of_range",
            _("A probability must be greater than 0 and at most 1 (100 %)."),
            field,
        )
    return value


def to_fraction(value, *, field: str = "probability") -> Fraction:
    """An exact probability in (0, 1] from a Fraction, an int, a float, a Decimal or text ("0.01", "1/100",
    "1 %", Persian digits allowed). A float is read as its shortest decimal, so 0.1 is exactly 1/10.
    Raises RiskInputError (unreadable or out of range)."""
    if isinstance(value, bool):
        raise _unreadable(field)
    if isinstance(value, Fraction):
        result = value
    elif isinstance(value, int):
        result = Fraction(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _unreadable(field)
        result = Fraction(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite() or abs(value.as_tuple().exponent) > 60:  # no giant integers
            raise _unreadable(field)
        try:
            result = Fraction(value)
        except (ValueError, InvalidOperation) as exc:  # pragma: no cover - finite Decimals convert
            raise _unreadable(field) from exc
    elif isinstance(value, str):
        text = value.translate(_DIGITS).strip()
        if len(text) > 64:
            raise _unreadable(field)
        if _DECIMAL.fullmatch(text):
            result = Fraction(text)
        elif match := _FRACTION.fullmatch(text):
            numerator, denominator = int(match[1]), int(match[2])
            if denominator == 0:
                raise _unreadable(field)
            result = Fraction(numerator, denominator)
        elif match := _PERCENT.fullmatch(text):
            result = Fraction(match[1]) / 100
        else:
            raise _unreadable(field)
    else:
        raise _unreadable(field)
    return _check_probability(result, field)


def check_severity(severity, *, field: str = "severity") -> int:
    """The harm level as an int 1..4 (an int, or text of one digit, Persian digits allowed). Raises
    RiskInputError otherwise."""
    if isinstance(severity, str):
        text = severity.translate(_DIGITS).strip()
        severity = int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None
    if isinstance(severity, bool) or not isinstance(severity, int) or severity not in SEVERITIES:
        raise RiskInputError(
            "severity_out_of_range", _("The severity must be a whole number from 1 to 4."), field
        )
    return severity


def overall_probability(step_probabilities: Iterable) -> Fraction:
    """The product of the steps' probabilities (each in (0, 1]), exact. Raises RiskInputError when a step is
    out of range or unreadable, or when there is no step."""
    result = Fraction(1)
    count = 0
    for i, step in enumerate(step_probabilities):
        result *= to_fraction(step, field=f"steps.{i}.probability")
        count += 1
    if not count:
        raise RiskInputError("no_steps", _("Describe at least one step of the injury scenario."), "steps")
    return result


def band(probability) -> Band:
    """The band holding this probability: the first whose bound it exceeds (see the module's docstring)."""
    p = to_fraction(probability)
    for candidate in BANDS:
        if p > candidate.above:
            return candidate
    return BANDS[-1]  # unreachable: p > 0 is checked, and the last bound is 0


def risk_level(severity, probability) -> RiskLevel:
    """The method's risk level for a harm level 1..4 and an overall probability in (0, 1]. Raises
    RiskInputError (a ValueError) with the reason otherwise."""
    return band(probability).level(check_severity(severity))


def fraction_label(p: Fraction) -> str:
    """A probability for people: "1/500" when its numerator is 1, else "≈ 1/N" (N rounded)."""
    if p.numerator == 1:
        return f"1/{p.denominator:,}".replace(",", " ")
    return f"≈ 1/{round(1 / p):,}".replace(",", " ")
