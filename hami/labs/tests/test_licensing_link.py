"""Licensing takes its test outcome from the labs (point 10): an application with samples cannot have its
tests recorded by hand, and goes to the committee by itself once every sample is decided — passed only
if every sample conforms."""

import pytest
from django.urls import reverse

from hami.core.errors import HamiError
from hami.labs.models import Sample
from hami.labs.services.results import report_issue, result_correct
from hami.labs.tests.steps import BAD_LEAD, place, report_all, take
from hami.licensing.models import Application, ApplicationState, StepVisit
from hami.licensing.models import TestOutcome as Outcome  # not a test class
from hami.licensing.services.applications import (
    application_accept,
    application_audit_done,
    application_create,
    application_record_tests,
    application_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(unit_rep, qazvin_officer, product, milk_standard):
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    application_submit(actor=unit_rep, application=application)
    return application_accept(actor=qazvin_officer, application=application)  # at the factory audit


def _state(application) -> Application:
    return Application.objects.get(pk=application.pk)


def _decide(officer, lab_user, results=None) -> None:
    """Place every waiting test with the lab and issue its reports."""
    for order in place(officer):
        report_issue(
            actor=lab_user, order=report_all(lab_user, order, **({"results": results} if results else {}))
        )


def test_an_application_with_samples_takes_its_outcome_from_the_labs(
    application, qazvin_inspector, qazvin_officer, product, milk_standard, cheap_lab, cheap_lab_user
):
    first = take(qazvin_inspector, product, milk_standard, application=application, seal="A")
    second = take(qazvin_inspector, product, milk_standard, application=application, seal="B")
    application_audit_done(actor=qazvin_inspector, application=application, note="نمونه‌ها برداشته شد")
    with pytest.raises(HamiError) as caught:
        application_record_tests(actor=qazvin_officer, application=application, passed=True)
    assert caught.value.code == "tests_from_labs"
    assert _state(application).state == ApplicationState.TESTING

    [order_a, order_b] = sorted(place(qazvin_officer), key=lambda o: o.sample.seal_number)
    report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order_a))
    assert _state(application).state == ApplicationState.TESTING  # one sample still under test
    report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order_b))
    decided = _state(application)
    assert decided.state == ApplicationState.READY and decided.test_outcome == Outcome.PASSED
    assert first.code in decided.test_note and second.code in decided.test_note
    visit = StepVisit.objects.get(application=application, state=ApplicationState.READY)
    assert visit.actor is None and first.code in visit.reason


def test_one_sample_that_does_not_conform_fails_the_application(
    application, qazvin_inspector, qazvin_officer, product, milk_standard, cheap_lab, cheap_lab_user
):
    take(qazvin_inspector, product, milk_standard, application=application, seal="A")
    take(qazvin_inspector, product, milk_standard, application=application, seal="B")
    application_audit_done(actor=qazvin_inspector, application=application)
    orders = sorted(place(qazvin_officer), key=lambda o: o.sample.seal_number)
    report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, orders[0]))
    report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, orders[1], BAD_LEAD))
    decided = _state(application)
    assert decided.state == ApplicationState.READY and decided.test_outcome == Outcome.FAILED


def test_minor_nonconformities_do_not_pass_the_application(
    application, qazvin_inspector, qazvin_officer, product, milk_standard, cheap_lab, cheap_lab_user
):
    from hami.labs.tests.steps import GOOD

    take(qazvin_inspector, product, milk_standard, application=application)
    application_audit_done(actor=qazvin_inspector, application=application)
    _decide(qazvin_officer, cheap_lab_user, {**GOOD, "6.1": "fail"})
    assert _state(application).test_outcome == Outcome.FAILED


def test_reports_back_before_the_audit_is_recorded_still_decide_the_application(
    application, qazvin_inspector, qazvin_officer, product, milk_standard, cheap_lab, cheap_lab_user
):
    take(qazvin_inspector, product, milk_standard, application=application)
    _decide(qazvin_officer, cheap_lab_user)  # the lab was quicker than the paperwork
    assert _state(application).state == ApplicationState.AUDIT
    application_audit_done(actor=qazvin_inspector, application=application)
    decided = _state(application)
    assert decided.state == ApplicationState.READY and decided.test_outcome == Outcome.PASSED


def test_a_sample_without_a_lab_for_every_test_keeps_the_application_waiting(
    application,
    qazvin_inspector,
    qazvin_officer,
    product,
    milk_standard,
    cheap_lab,
    cheap_lab_user,
    qazvin_county,
):
    from decimal import Decimal

    from hami.labs.tests.conftest import make_lab
    from hami.labs.tests.steps import staff_of
    from hami.standards.tests.factories import RequirementFactory

    toxin = RequirementFactory(standard=milk_standard, clause="7.1", limit_kind="max", low=None,
                               high=Decimal("5"), unit="µg/kg")  # fmt: skip
    take(qazvin_inspector, product, milk_standard, application=application)
    application_audit_done(actor=qazvin_inspector, application=application)
    _decide(qazvin_officer, cheap_lab_user)  # 7.1 found no lab
    assert _state(application).state == ApplicationState.TESTING
    toxin_lab = make_lab(qazvin_county, "سم‌شناسی", requirements=[toxin])
    _decide(qazvin_officer, staff_of(toxin_lab, "toxin"), {"7.1": ("1", "µg/kg", "0.2")})
    assert _state(application).test_outcome == Outcome.PASSED


def test_an_application_without_samples_still_records_its_tests_by_hand(
    application, qazvin_inspector, qazvin_officer
):
    application_audit_done(actor=qazvin_inspector, application=application)
    application_record_tests(actor=qazvin_officer, application=application, passed=False, note="آزمون بیرون")
    decided = _state(application)
    assert decided.state == ApplicationState.READY and decided.test_outcome == Outcome.FAILED


def test_an_amended_report_after_the_committee_step_leaves_the_application_alone(
    application,
    qazvin_inspector,
    qazvin_officer,
    product,
    milk_standard,
    cheap_lab,
    cheap_lab_user,
    requirements,
):
    take(qazvin_inspector, product, milk_standard, application=application)
    application_audit_done(actor=qazvin_inspector, application=application)
    [order] = place(qazvin_officer)
    report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order))
    visits = StepVisit.objects.filter(application=application).count()
    lead = order.items.get(requirement=requirements[1])
    result_correct(actor=cheap_lab_user, item=lead, reason="بازبینی", value="0.015", unit="mg/kg",
                   uncertainty="0.001")  # fmt: skip
    assert StepVisit.objects.filter(application=application).count() == visits
    assert _state(application).state == ApplicationState.READY


def test_a_sample_for_an_application_is_recorded_from_its_page(
    client, application, qazvin_inspector, product, milk_standard, unit_rep
):
    client.force_login(qazvin_inspector)
    url = reverse("labs:sample_new") + f"?application={application.public_id}"
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["product"] == product.pk
    assert application.number in page.text or application.number in page.text.translate(
        str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    )
    response = client.post(url, {"product": product.pk, "standard": milk_standard.pk, "origin": "factory",
                                 "lot_size": "500", "inspection_level": "II", "seal_number": "SL-A",
                                 "application": str(application.public_id)})  # fmt: skip
    sample = Sample.objects.get()
    assert response.status_code == 302 and sample.application == application
    client.force_login(unit_rep)
    detail = client.get(reverse("licensing:application_detail", args=[application.public_id]))
    assert detail.status_code == 200 and str(sample.public_id) in detail.text


def test_another_provinces_application_cannot_get_a_sample(client, application, tehran_officer):
    client.force_login(tehran_officer)
    url = reverse("labs:sample_new") + f"?application={application.public_id}"
    assert client.get(url).status_code == 404
    assert not Sample.objects.exists()
