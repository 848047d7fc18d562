"""Decision rules: a lab's result (value ± expanded uncertainty U, k = 2) against a requirement's limits
gives a verdict; the verdicts of a sample give an overall verdict. No Django model import.

Vocabulary and rules of ILAC-G8:09/2019 "Guidelines on Decision Rules and Statements of Conformity":

- `simple` — §4.2.1, binary statement for simple acceptance (guard band w = 0, acceptance limit AL = the
  tolerance limit TL): pass or fail.
- `guarded` — §4.2.3, non-binary statement with a guard band w = U (Figure 5 is drawn for w = U):
  pass (beyond the acceptance limit AL = TL - w, inside the tolerance), conditional pass (inside the
  guard band, [TL - w, TL]), conditional fail (outside, within [TL, TL + w]), fail (beyond TL + w).
  ILAC-G8 §4.2.2 (the binary statement with a guard band) is this rule with the two conditional
  verdicts read as fail; `Verdict.binary` gives that reading.

ILAC-G8 writes the conditional zones as closed intervals that share their end points and leaves the
end points to the decision rule. Hami takes the convention of the requirement itself: a limit is met
*on* the limit (min: value ≥ low; max: value ≤ high), and every derived limit is inclusive the same way
(a closed tolerance interval T = [low, high], open at an absent side):

    pass              [value - U, value + U] ⊆ T            (touching a limit from inside is a pass)
    conditional pass  value ∈ T, but the interval is not inside T
    conditional fail  value ∉ T, and the distance from value to T ≤ U   (U exactly to the limit: conditional)
    fail              the distance from value to T > U

so that with U = 0 the guarded rule gives exactly the simple rule's pass/fail. `equals` is the
degenerate interval [low, low]: under guarded acceptance with U > 0 a value can at best be a conditional
pass, since no measurement can show an exact equality beyond doubt (labs report U = 0 for a marked
value checked by reading it). A two-sided tolerance narrower than 2U (a `range` with high - low < 2U)
has no acceptance zone: a value inside it is a conditional pass at best; `acceptance_interval` returns
None so a page can say so before any result arrives.

A guard band is applied in favour of the consumer here (guarded *acceptance*, JCGM 106:2012 §8): the
producer carries the measurement risk, as a licence applicant carries the burden of showing conformity.

Arithmetic is Decimal throughout, exact (a context that traps Inexact): value ± U is never rounded.
See docs/decision-rules.md for the zones drawn, the overall rule and the sources.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact
from enum import StrEnum
from typing import NamedTuple

# TextChoices (not a bare StrEnum) so that the lead can store a DecisionRule on Standard and a Verdict on a
# result with `choices=...` and translated labels; it needs no settings and no app registry.
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hami.core.errors import HamiError

# The values of hami.standards.models.LimitKind and Severity (tests keep them in step; importing the
# models here would tie a pure module to the app registry).
MIN, MAX, RANGE, EQUALS, PASS_FAIL = "min", "max", "range", "equals", "pass_fail"
LIMIT_KINDS = (MIN, MAX, RANGE, EQUALS, PASS_FAIL)
CRITICAL, MAJOR, MINOR = "critical", "major", "minor"
SEVERITIES = (CRITICAL, MAJOR, MINOR)


class DecisionRule(TextChoices):
    SIMPLE = "simple", gettext_lazy("Simple acceptance (w = 0)")  # ILAC-G8:09/2019 §4.2.1: pass / fail
    GUARDED = "guarded", gettext_lazy("Guarded acceptance (w = U)")  # ILAC-G8:09/2019 §4.2.3: four verdicts


class Verdict(TextChoices):
    """A statement of conformity for one requirement (ILAC-G8:09/2019 §4.2), from best to worst."""

    PASS = "pass", gettext_lazy("Pass")  # conforms, beyond the uncertainty
    CONDITIONAL_PASS = "conditional_pass", gettext_lazy("Conditional pass")  # conforms, within U of a limit
    CONDITIONAL_FAIL = "conditional_fail", gettext_lazy("Conditional fail")  # fails, within U of a limit
    FAIL = "fail", gettext_lazy("Fail")  # fails, beyond the uncertainty

    @property
    def rank(self) -> int:
        """0 (pass) to 3 (fail): the order in which verdicts get worse."""
        return _RANK[self]

    @property
    def binary(self) -> "Verdict":
        """The ILAC-G8 §4.2.2 reading (binary statement with a guard band): only a pass passes."""
        return Verdict.PASS if self is Verdict.PASS else Verdict.FAIL


_RANK = {Verdict.PASS: 0, Verdict.CONDITIONAL_PASS: 1, Verdict.CONDITIONAL_FAIL: 2, Verdict.FAIL: 3}


class Conformity(TextChoices):
    """What a sample's verdicts mean for the product, from best to worst (see `overall`)."""

    CONFORMS = "conforms", gettext_lazy("Conforms")
    MINOR_NONCONFORMITIES = "minor_nonconformities", gettext_lazy("Conforms except for minor requirements")
    NOT_DEMONSTRATED = "not_demonstrated", gettext_lazy("Conformity not demonstrated")
    DOES_NOT_CONFORM = "does_not_conform", gettext_lazy("Does not conform")

    @property
    def rank(self) -> int:
        return _CONFORMITY_RANK[self]


_CONFORMITY_RANK = {
    Conformity.CONFORMS: 0,
    Conformity.MINOR_NONCONFORMITIES: 1,
    Conformity.NOT_DEMONSTRATED: 2,
    Conformity.DOES_NOT_CONFORM: 3,
}


class DecisionErrorCode(StrEnum):
    UNKNOWN_LIMIT_KIND = "unknown_limit_kind"
    LIMITS_DO_NOT_MATCH_KIND = "limits_do_not_match_kind"  # the Requirement's check constraint, restated
    UNKNOWN_RULE = "unknown_rule"
    MISSING_VALUE = "missing_value"
    UNEXPECTED_VALUE = "unexpected_value"  # a value or uncertainty for a pass/fail requirement
    MISSING_UNCERTAINTY = "missing_uncertainty"  # guarded acceptance needs U
    NEGATIVE_UNCERTAINTY = "negative_uncertainty"
    NOT_A_NUMBER = "not_a_number"  # NaN or infinite
    TOO_MANY_DIGITS = "too_many_digits"  # value ± U would need more than 200 significant digits
    MISSING_OUTCOME = "missing_outcome"
    UNEXPECTED_OUTCOME = "unexpected_outcome"  # an outcome for a quantitative requirement
    INVALID_OUTCOME = "invalid_outcome"  # a qualitative outcome is pass or fail
    INVALID_SEVERITY = "invalid_severity"
    INVALID_VERDICT = "invalid_verdict"
    NO_RESULTS = "no_results"


class DecisionError(HamiError, ValueError):
    """A verdict cannot be given; `field` names the argument at fault."""

    def __init__(self, code: DecisionErrorCode, message: str, *, field: str | None = None):
        super().__init__(code, message, field=field)


# value ± U computed exactly: 200 significant digits hold any pair of DecimalField(14, 4) values many
# times over; beyond that Inexact is raised instead of a silent rounding.
_EXACT = Context(prec=200, traps=[Inexact])


def _number(raw: Decimal | int, field: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int):
        raise TypeError(f"{field}: expected a Decimal or an int, not {type(raw).__name__}")
    number = Decimal(raw)
    if not number.is_finite():
        raise DecisionError(
            DecisionErrorCode.NOT_A_NUMBER,
            _("{field} must be a finite number.").format(field=field),
            field=field,
        )
    return number


def _rule(rule: str) -> DecisionRule:
    try:
        return DecisionRule(rule)
    except ValueError:
        raise DecisionError(
            DecisionErrorCode.UNKNOWN_RULE,
            _("Unknown decision rule “{rule}”.").format(rule=rule),
            field="rule",
        ) from None


def _limits_error(kind: str) -> DecisionError:
    return DecisionError(
        DecisionErrorCode.LIMITS_DO_NOT_MATCH_KIND,
        _("The limits do not match the limit kind “{kind}”.").format(kind=kind),
        field="limit_kind",
    )


def tolerance_interval(
    limit_kind: str, low: Decimal | int | None, high: Decimal | int | None
) -> tuple[Decimal | None, Decimal | None]:
    """The closed tolerance interval [lower, upper] (None: unbounded side) of a quantitative requirement.

    min → [low, ∞), max → (-∞, high], range → [low, high] (low < high), equals → [low, low] (high absent
    or equal to low). Raises DecisionError: UNKNOWN_LIMIT_KIND, LIMITS_DO_NOT_MATCH_KIND (also for
    pass_fail, which has no interval), NOT_A_NUMBER.
    """
    kind = str(limit_kind)
    if kind not in LIMIT_KINDS:
        raise DecisionError(
            DecisionErrorCode.UNKNOWN_LIMIT_KIND,
            _("Unknown limit kind “{kind}”.").format(kind=kind),
            field="limit_kind",
        )
    lo = None if low is None else _number(low, "low")
    hi = None if high is None else _number(high, "high")
    if kind == MIN and lo is not None and hi is None:
        return lo, None
    if kind == MAX and lo is None and hi is not None:
        return None, hi
    if kind == RANGE and lo is not None and hi is not None and lo < hi:
        return lo, hi
    if kind == EQUALS and lo is not None and (hi is None or hi == lo):
        return lo, lo
    raise _limits_error(kind)


def _outcome(outcome: str | None) -> Verdict:
    if outcome is None:
        raise DecisionError(
            DecisionErrorCode.MISSING_OUTCOME,
            _("A pass/fail requirement needs the lab's outcome: pass or fail."),
            field="outcome",
        )
    if str(outcome) in (Verdict.PASS, Verdict.FAIL):
        return Verdict(str(outcome))
    raise DecisionError(
        DecisionErrorCode.INVALID_OUTCOME,
        _("The outcome of a pass/fail requirement is pass or fail, not “{outcome}”.").format(outcome=outcome),
        field="outcome",
    )


def verdict(
    limit_kind: str,
    low: Decimal | int | None,
    high: Decimal | int | None,
    rule: str,
    value: Decimal | int | None = None,
    uncertainty: Decimal | int | None = None,
    outcome: str | None = None,
) -> Verdict:
    """The verdict on one requirement (see the module docstring for the zones and their end points).

    Quantitative kinds take `value` (in the requirement's unit, see units.check_result) and the expanded
    uncertainty `uncertainty` (U, k = 2; required by guarded acceptance, ignored by simple acceptance);
    pass_fail takes the lab's `outcome` ("pass" or "fail") and no value or uncertainty.
    Raises DecisionError (see DecisionErrorCode) and TypeError for a float.
    """
    decision_rule = _rule(rule)
    if str(limit_kind) == PASS_FAIL:
        if low is not None or high is not None:
            raise _limits_error(PASS_FAIL)
        for name, given in (("value", value), ("uncertainty", uncertainty)):
            if given is not None:
                raise DecisionError(
                    DecisionErrorCode.UNEXPECTED_VALUE,
                    _("A pass/fail requirement takes an outcome, not a measured value or uncertainty."),
                    field=name,
                )
        return _outcome(outcome)

    lower, upper = tolerance_interval(limit_kind, low, high)
    if outcome is not None:
        raise DecisionError(
            DecisionErrorCode.UNEXPECTED_OUTCOME,
            _("A measured requirement takes a value, not a pass/fail outcome."),
            field="outcome",
        )
    if value is None:
        raise DecisionError(
            DecisionErrorCode.MISSING_VALUE, _("A measured value is required."), field="value"
        )
    measured = _number(value, "value")
    if uncertainty is None:
        if decision_rule is DecisionRule.GUARDED:
            raise DecisionError(
                DecisionErrorCode.MISSING_UNCERTAINTY,
                _("Guarded acceptance needs the expanded uncertainty of the result."),
                field="uncertainty",
            )
        u = Decimal(0)
    else:
        u = _number(uncertainty, "uncertainty")
        if u < 0:
            raise DecisionError(
                DecisionErrorCode.NEGATIVE_UNCERTAINTY,
                _("An expanded uncertainty cannot be negative."),
                field="uncertainty",
            )
    guard_band = u if decision_rule is DecisionRule.GUARDED else Decimal(0)  # ILAC-G8 §4.2.1: w = 0
    return _zone(lower, upper, measured, guard_band)


def _zone(lower: Decimal | None, upper: Decimal | None, value: Decimal, w: Decimal) -> Verdict:
    try:
        if lower is not None and value < lower:  # below the tolerance: how far?
            return Verdict.CONDITIONAL_FAIL if _EXACT.add(value, w) >= lower else Verdict.FAIL
        if upper is not None and value > upper:  # above it
            return Verdict.CONDITIONAL_FAIL if _EXACT.subtract(value, w) <= upper else Verdict.FAIL
        inside_low = lower is None or _EXACT.subtract(value, w) >= lower
        inside_high = upper is None or _EXACT.add(value, w) <= upper
    except Inexact:
        raise DecisionError(
            DecisionErrorCode.TOO_MANY_DIGITS,
            _("The value and its uncertainty have too many digits to be compared exactly."),
            field="value",
        ) from None
    return Verdict.PASS if inside_low and inside_high else Verdict.CONDITIONAL_PASS


class AcceptanceInterval(NamedTuple):
    """The values that pass: [lower, upper] (None: unbounded side), i.e. the tolerance shrunk by w."""

    lower: Decimal | None
    upper: Decimal | None


def acceptance_interval(
    limit_kind: str,
    low: Decimal | int | None,
    high: Decimal | int | None,
    rule: str,
    uncertainty: Decimal | int | None = None,
) -> AcceptanceInterval | None:
    """The acceptance interval (ILAC-G8 §3: between the acceptance limits AL = TL ∓ w), or None when no
    value can pass: a range narrower than 2U, or equals with U > 0, under guarded acceptance.
    Raises DecisionError as `verdict` does (pass_fail has no interval: LIMITS_DO_NOT_MATCH_KIND)."""
    decision_rule = _rule(rule)
    lower, upper = tolerance_interval(limit_kind, low, high)
    w = Decimal(0)
    if decision_rule is DecisionRule.GUARDED:
        if uncertainty is None:
            raise DecisionError(
                DecisionErrorCode.MISSING_UNCERTAINTY,
                _("Guarded acceptance needs the expanded uncertainty of the result."),
                field="uncertainty",
            )
        w = _number(uncertainty, "uncertainty")
        if w < 0:
            raise DecisionError(
                DecisionErrorCode.NEGATIVE_UNCERTAINTY,
                _("An expanded uncertainty cannot be negative."),
                field="uncertainty",
            )
    try:
        al_low = None if lower is None else _EXACT.add(lower, w)
        al_high = None if upper is None else _EXACT.subtract(upper, w)
    except Inexact:
        raise DecisionError(
            DecisionErrorCode.TOO_MANY_DIGITS,
            _("The limits and the uncertainty have too many digits to be compared exactly."),
            field="uncertainty",
        ) from None
    if al_low is not None and al_high is not None and al_low > al_high:
        return None
    return AcceptanceInterval(al_low, al_high)


# --- Overall verdict ----------------------------------------------------------------------------------
# What one requirement's verdict does to the product, by the requirement's severity
# (hami.standards.models.Severity: critical = safety or health, major = fitness for use,
# minor = marking, presentation). See docs/decision-rules.md, "Overall verdict".
_EFFECT: dict[tuple[str, Verdict], Conformity] = {
    (CRITICAL, Verdict.PASS): Conformity.CONFORMS,
    # Safety is not taken on a measurement that cannot tell: within U of the limit is not shown to conform.
    (CRITICAL, Verdict.CONDITIONAL_PASS): Conformity.NOT_DEMONSTRATED,
    (CRITICAL, Verdict.CONDITIONAL_FAIL): Conformity.DOES_NOT_CONFORM,
    (CRITICAL, Verdict.FAIL): Conformity.DOES_NOT_CONFORM,
    (MAJOR, Verdict.PASS): Conformity.CONFORMS,
    (MAJOR, Verdict.CONDITIONAL_PASS): Conformity.CONFORMS,  # the measured value meets the limit
    (MAJOR, Verdict.CONDITIONAL_FAIL): Conformity.DOES_NOT_CONFORM,  # the measured value does not
    (MAJOR, Verdict.FAIL): Conformity.DOES_NOT_CONFORM,
    (MINOR, Verdict.PASS): Conformity.CONFORMS,
    (MINOR, Verdict.CONDITIONAL_PASS): Conformity.CONFORMS,
    # A marking or presentation fault is corrected without retesting the product: it must be put right,
    # but it does not say the product is unsafe or unfit.
    (MINOR, Verdict.CONDITIONAL_FAIL): Conformity.MINOR_NONCONFORMITIES,
    (MINOR, Verdict.FAIL): Conformity.MINOR_NONCONFORMITIES,
}


class Assessment(NamedTuple):
    """One requirement's verdict as `overall` takes it; `key` is whatever identifies the requirement to
    the caller (its id, its clause)."""

    key: Hashable
    severity: str
    verdict: Verdict


@dataclass(frozen=True)
class OverallVerdict:
    conformity: Conformity
    verdict: Verdict  # the worst verdict of any requirement, whatever its severity
    deciding: tuple[Hashable, ...]  # the requirements that set `conformity` (see `overall`)
    blocking: tuple[Hashable, ...]  # every requirement that keeps the product from CONFORMS

    @property
    def conforms(self) -> bool:
        return self.conformity is Conformity.CONFORMS


def overall(assessments: Iterable[tuple[Hashable, str, str]]) -> OverallVerdict:
    """The overall verdict of a sample from its requirements' (key, severity, verdict).

    conformity is the worst effect of any requirement (table `_EFFECT`):
      does_not_conform   a critical or major requirement failed or conditionally failed;
      not_demonstrated   a critical requirement is only a conditional pass (and none of the above);
      minor_nonconformities  only minor requirements failed or conditionally failed;
      conforms           everything else: all pass, conditional passes only on major or minor requirements.
    `deciding` lists, in input order, the requirements with that worst effect; when the product conforms,
    those with the worst verdict (every requirement when all passed). `blocking` lists every requirement
    whose effect is not CONFORMS. Raises DecisionError: NO_RESULTS, INVALID_SEVERITY, INVALID_VERDICT.
    """
    rows: list[tuple[Hashable, Verdict, Conformity]] = []
    for key, severity, given in assessments:
        if str(severity) not in SEVERITIES:
            raise DecisionError(
                DecisionErrorCode.INVALID_SEVERITY,
                _("Unknown severity “{severity}”.").format(severity=severity),
                field="severity",
            )
        try:
            result = Verdict(str(given))
        except ValueError:
            raise DecisionError(
                DecisionErrorCode.INVALID_VERDICT,
                _("Unknown verdict “{verdict}”.").format(verdict=given),
                field="verdict",
            ) from None
        rows.append((key, result, _EFFECT[str(severity), result]))
    if not rows:
        raise DecisionError(
            DecisionErrorCode.NO_RESULTS, _("An overall verdict needs at least one result."), field=None
        )
    worst_verdict = max((row[1] for row in rows), key=lambda v: v.rank)
    conformity = max((row[2] for row in rows), key=lambda c: c.rank)
    if conformity is Conformity.CONFORMS:
        deciding = tuple(key for key, result, _effect in rows if result is worst_verdict)
    else:
        deciding = tuple(key for key, _result, effect in rows if effect is conformity)
    blocking = tuple(key for key, _result, effect in rows if effect is not Conformity.CONFORMS)
    return OverallVerdict(conformity, worst_verdict, deciding, blocking)
