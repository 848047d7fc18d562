"""Writes of supervision: product risk assessments (Safety Gate method)."""

from django.db import transaction
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, Province, User
from hami.core.persian import normalize_text
from hami.registry.models import Product, ProductionUnit
from hami.standards.models import ProductCategory
from hami.supervision import safety_gate
from hami.supervision.access import may_assess
from hami.supervision.error_codes import SupervisionErrorCode
from hami.supervision.models import RiskAssessment


def _refuse(exc: safety_gate.RiskInputError) -> HamiError:
    return HamiError(SupervisionErrorCode(exc.code), str(exc.message), field=exc.field)


def _required(value: str, field: str, label: str) -> str:
    text = normalize_text(value or "").strip()
    if not text:
        raise HamiError(
            SupervisionErrorCode.INVALID, _("{label} is required.").format(label=label), field=field
        )
    return text


@transaction.atomic
def risk_assessment_create(
    *,
    actor: User,
    category: ProductCategory,
    hazard: str,
    injured_person: str,
    injury: str,
    severity: int,
    steps: list[dict],
    province: Province | None = None,
    unit: ProductionUnit | None = None,
    product: Product | None = None,
) -> RiskAssessment:
    """Record an injury scenario and the risk level the Safety Gate table gives for it. `steps` are
    {"text", "probability"} in order (probability: a number or text such as "1/100"). The province is the
    actor's, else the unit's or product's, else `province` (a national admin's choice).
    Raises Forbidden (not office staff, inspector or national admin of the province), HamiError
    (severity_out_of_range, probability_out_of_range, probability_unreadable, no_steps, wrong_province,
    invalid)."""
    forbidden = Forbidden(
        SupervisionErrorCode.FORBIDDEN,
        _("Only office staff and inspectors of the province, or a national admin, assess risks."),
    )
    if not may_assess(actor):
        raise forbidden
    if product is not None:
        if unit is not None and product.unit_id != unit.pk:
            raise HamiError(
                SupervisionErrorCode.INVALID, _("The product is not one of this unit's."), field="product"
            )
        unit = product.unit
    if actor.is_authenticated and not actor.is_national and actor.province_id:
        province = actor.province
    elif unit is not None:
        province = unit.province
    if province is None:
        raise HamiError(SupervisionErrorCode.INVALID, _("Choose the province."), field="province")
    if not may_assess(actor, province.pk):
        raise forbidden
    if unit is not None and unit.province_id != province.pk:
        raise HamiError(
            SupervisionErrorCode.WRONG_PROVINCE,
            _("This unit belongs to another province."),
            field="unit",
        )
    hazard = _required(hazard, "hazard", _("The hazard"))
    injured_person = _required(injured_person, "injured_person", _("The injured person"))
    injury = _required(injury, "injury", _("The injury"))
    clean_steps, fractions = [], []
    for i, step in enumerate(steps):
        text = _required(step.get("text", ""), f"steps.{i}.text", _("Each step's description"))
        try:
            fraction = safety_gate.to_fraction(step.get("probability"), field=f"steps.{i}.probability")
        except safety_gate.RiskInputError as exc:
            raise _refuse(exc) from exc
        clean_steps.append({"text": text, "probability": float(fraction), "fraction": str(fraction)})
        fractions.append(fraction)
    try:
        severity = safety_gate.check_severity(severity)
        overall = safety_gate.overall_probability(fractions)
        level = safety_gate.risk_level(severity, overall)
    except safety_gate.RiskInputError as exc:
        raise _refuse(exc) from exc
    assessment = RiskAssessment.objects.create(
        province=province,
        category=category,
        unit=unit,
        product=product,
        hazard=hazard,
        injured_person=injured_person,
        injury=injury,
        severity=severity,
        steps=clean_steps,
        # Below ~1e-308 a float is 0, which the column refuses; the level came from the exact value.
        overall_probability=float(overall) or 5e-324,
        risk_level=level.value,
        assessed_by=actor,
    )
    audit(
        actor=actor,
        event_type=EventType.RISK_ASSESSED,
        obj=assessment,
        province=province,
        details={
            "public_id": str(assessment.public_id),
            "category": category.code,
            "severity": severity,
            "probability": str(overall),
            "band": safety_gate.band(overall).label,
            "risk_level": level.value,
        },
    )
    return assessment
