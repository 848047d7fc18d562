"""The whole path of a sample through Hami's services: plan, assignment, order, results, report."""

from decimal import Decimal

import pytest

from hami.core.errors import HamiError
from hami.labs.models import Conflict, ConflictKind, OrderState, Sample, TestReport
from hami.labs.services.orders import assignment_confirm, assignment_propose, order_accept
from hami.labs.services.results import report_issue, result_correct, result_report

pytestmark = pytest.mark.django_db


def test_sample_size_comes_from_the_iso_2859_plan(sample):
    # Lot 1,200 at level II is code letter J: n = 80, and AQL 1.0 gives Ac 2, Re 3 (Table 2-A).
    assert (sample.code_letter, sample.sample_size, sample.accept, sample.reject) == ("J", 80, 2, 3)
    assert sample.custody.get().step == "taken" and len(sample.code) == 10


def test_a_sample_goes_to_the_cheapest_lab_and_its_report_decides_it(
    qazvin_officer, sample, cheap_lab, dear_lab, cheap_lab_user, requirements
):
    batch = assignment_propose(
        actor=qazvin_officer, province=qazvin_officer.province, samples=Sample.objects.all()
    )
    assert batch.feasible and len(batch.report["placements"]) == 3
    assert {p["lab"] for p in batch.report["placements"].values()} == {cheap_lab.pk}
    [order] = assignment_confirm(actor=qazvin_officer, batch=batch)
    assert order.lab == cheap_lab and order.items.count() == 3
    with pytest.raises(HamiError):
        assignment_confirm(actor=qazvin_officer, batch=batch)  # never twice

    order_accept(actor=cheap_lab_user, order=order)
    fat, lead, label = (order.items.get(requirement=r) for r in requirements)
    result_report(actor=cheap_lab_user, item=fat, value="3.4", unit="%", uncertainty="0.1")
    result_report(actor=cheap_lab_user, item=lead, value="25", unit="µg/kg", uncertainty="2")
    result_report(actor=cheap_lab_user, item=label, outcome="pass")
    lead.refresh_from_db()
    assert lead.value == Decimal("0.025") and lead.unit == "mg/kg" and lead.verdict == "fail"

    report = report_issue(actor=cheap_lab_user, order=order)
    assert report_issue(actor=cheap_lab_user, order=order) == report  # a second click: the same report
    assert TestReport.objects.count() == 1 and report.conformity == "does_not_conform"
    sample.refresh_from_db()
    assert sample.conformity == "does_not_conform" and sample.lot_accepted is False

    with pytest.raises(HamiError):
        result_report(actor=cheap_lab_user, item=lead, value="10", unit="µg/kg", uncertainty="2")
    amended = result_correct(
        actor=cheap_lab_user, item=lead, reason="خطای تایپی", value="10", unit="µg/kg", uncertainty="2"
    )
    assert amended.version == 2 and amended.amends == report and amended.conformity == "conforms"
    report.refresh_from_db()
    assert report.content["items"][1]["value"] == "0.025"  # the first report is untouched
    order.refresh_from_db()
    assert order.state == OrderState.REPORTED


def test_a_conflict_of_interest_sends_the_sample_to_the_dearer_lab(
    qazvin_officer, sample, cheap_lab, dear_lab
):
    Conflict.objects.create(lab=cheap_lab, unit=sample.unit, kind=ConflictKind.DECLARED)
    batch = assignment_propose(
        actor=qazvin_officer, province=qazvin_officer.province, samples=Sample.objects.all()
    )
    assert {p["lab"] for p in batch.report["placements"].values()} == {dear_lab.pk}
