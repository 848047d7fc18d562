"""risk_assessment_create: who may assess, what it computes and writes, its audit event, and refusals
that leave nothing behind."""

import pytest

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType
from hami.registry.tests.factories import ProductFactory
from hami.supervision.models import RiskAssessment
from hami.supervision.tests.conftest import assess

pytestmark = pytest.mark.django_db


def test_inspector_assessment_computes_the_level_from_the_product_of_the_steps(qazvin_inspector, kettles):
    assessment = assess(qazvin_inspector, kettles)
    assessment.refresh_from_db()
    assert assessment.province == qazvin_inspector.province
    assert assessment.overall_probability == pytest.approx(0.001)
    assert str(assessment.exact_probability) == "1/1000"
    assert assessment.band.label == "> 1/10 000"  # exactly 1/1 000 is on the bound: the band below
    assert assessment.risk_level == "high"
    assert [s["fraction"] for s in assessment.steps] == ["1/10", "1/100", "1"]
    assert assessment.assessed_by == qazvin_inspector


def test_assessment_leaves_one_audit_event_with_the_level(qazvin_officer, kettles):
    before = AuditEvent.objects.count()
    assessment = assess(qazvin_officer, kettles, severity=4)
    event = AuditEvent.objects.get(event_type=EventType.RISK_ASSESSED)
    assert AuditEvent.objects.count() == before + 1
    assert event.actor == qazvin_officer and event.province == qazvin_officer.province
    assert event.object_id == str(assessment.pk)
    assert event.details["risk_level"] == "serious" and event.details["probability"] == "1/1000"


def test_national_admin_assesses_for_the_province_chosen(admin_user, kettles, tehran):
    assessment = assess(admin_user, kettles, province=tehran)
    assert assessment.province == tehran


def test_national_admin_without_province_or_unit_is_refused(admin_user, kettles):
    with pytest.raises(HamiError) as exc:
        assess(admin_user, kettles)
    assert exc.value.field == "province"
    assert not RiskAssessment.objects.exists()


def test_the_unit_sets_the_province_for_a_national_admin(admin_user, kettles, qazvin_unit):
    product = ProductFactory(unit=qazvin_unit, category=kettles)
    assessment = assess(admin_user, kettles, product=product)
    assert assessment.unit == qazvin_unit and assessment.province == qazvin_unit.province


@pytest.mark.parametrize("persona", ["unit_rep", "lab_user", "outsider"])
def test_other_roles_may_not_assess(request, persona, kettles):
    user = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        assess(user, kettles)
    assert not RiskAssessment.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.RISK_ASSESSED).exists()


def test_an_officer_may_not_assess_another_provinces_unit(tehran_officer, kettles, qazvin_unit):
    with pytest.raises(HamiError) as exc:
        assess(tehran_officer, kettles, unit=qazvin_unit)
    assert exc.value.code == "wrong_province"
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"severity": 5}, "severity_out_of_range", "severity"),
        ({"severity": 0}, "severity_out_of_range", "severity"),
        ({"steps": [{"text": "a", "probability": "2"}]}, "probability_out_of_range", "steps.0.probability"),
        ({"steps": [{"text": "a", "probability": "0"}]}, "probability_out_of_range", "steps.0.probability"),
        ({"steps": [{"text": "a", "probability": "often"}]}, "probability_unreadable", "steps.0.probability"),
        ({"steps": []}, "no_steps", "steps"),
        ({"steps": [{"text": " ", "probability": "1/2"}]}, "invalid", "steps.0.text"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_is_written(
    qazvin_inspector, kettles, kwargs, code, field
):
    with pytest.raises(HamiError) as exc:
        assess(qazvin_inspector, kettles, **kwargs)
    assert exc.value.code == code and exc.value.field == field and exc.value.message
    assert not RiskAssessment.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.RISK_ASSESSED).exists()
