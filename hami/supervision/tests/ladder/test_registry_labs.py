"""The ladder's hooks outside supervision: registry.unit_set_tightened_sampling, and labs.sample_take sampling
a unit under tightened inspection while the ladder orders it."""

from decimal import Decimal

import pytest

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType
from hami.labs import sampling
from hami.labs.services.samples import sample_take
from hami.registry.models import Product
from hami.registry.services import unit_set_tightened_sampling

pytestmark = pytest.mark.django_db


def test_tightened_sampling_is_set_and_lifted_with_an_audited_reason(qazvin_officer, qazvin_unit):
    unit = unit_set_tightened_sampling(
        actor=qazvin_officer, unit=qazvin_unit, on=True, reason=" سه مهلت گذشت "
    )
    assert unit.tightened_sampling and unit.tightened_sampling_reason == "سه مهلت گذشت"
    event = AuditEvent.objects.filter(event_type=EventType.UNIT_UPDATED, object_id=str(unit.pk)).last()
    assert event.details == {"tightened_sampling": True} and event.reason == "سه مهلت گذشت"
    count = AuditEvent.objects.count()
    unit_set_tightened_sampling(actor=qazvin_officer, unit=qazvin_unit, on=True, reason="again")
    assert AuditEvent.objects.count() == count  # nothing changed, nothing recorded
    unit = unit_set_tightened_sampling(actor=None, unit=qazvin_unit, on=False, reason="clean period")
    assert not unit.tightened_sampling and unit.tightened_sampling_reason == ""


def test_only_the_office_of_the_province_sets_it(tehran_officer, qazvin_inspector, qazvin_unit):
    for actor in (tehran_officer, qazvin_inspector):
        with pytest.raises(Forbidden):
            unit_set_tightened_sampling(actor=actor, unit=qazvin_unit, on=True, reason="x")
    with pytest.raises(HamiError) as refused:
        unit_set_tightened_sampling(actor=None, unit=qazvin_unit, on=True, reason="  ")
    assert refused.value.field == "reason"
    qazvin_unit.refresh_from_db()
    assert not qazvin_unit.tightened_sampling


def take(actor, product, standard):
    return sample_take(
        actor=actor, product=product, standard=standard, origin="factory", lot_size=1200, seal_number="SL-9",
        aql="2.5",
    )  # fmt: skip


def test_a_unit_under_tightened_sampling_is_sampled_tightened(
    qazvin_inspector, qazvin_officer, product, milk_standard
):
    normal = take(qazvin_inspector, product, milk_standard)
    assert normal.severity == "normal"  # no lot history: normal inspection (ISO 2859-1 §9.1)
    unit_set_tightened_sampling(
        actor=qazvin_officer, unit=product.unit, on=True, reason="پله نمونه‌برداری تشدیدی"
    )
    product = Product.objects.get(pk=product.pk)
    sample = take(qazvin_inspector, product, milk_standard)
    plan = sampling.plan(1200, "II", Decimal("2.5"), sampling.Severity.TIGHTENED)
    assert sample.severity == "tightened"
    assert (sample.sample_size, sample.accept, sample.reject) == (plan.sample_size, plan.accept, plan.reject)
    event = AuditEvent.objects.filter(event_type=EventType.SAMPLE_TAKEN).last()
    assert "پله نمونه‌برداری تشدیدی" in event.details["switching"]
    assert event.details["plan"][4] == "tightened"
