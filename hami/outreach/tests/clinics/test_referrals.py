"""Referrals: the topic a referral goes to, idempotence, closing, and the flow from a failed test report
to a completed clinic session."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.errors import HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.labs.services.results import report_issue, result_correct
from hami.labs.tests.steps import BAD_LEAD, GOOD, place, report_all
from hami.outreach import selectors
from hami.outreach.models import Referral, ReferralStatus, Topic
from hami.outreach.services.bookings import booking_create, booking_record_session
from hami.outreach.services.referrals import referral_close, referral_create, referrals_from_failed_tests
from hami.outreach.tests.clinics.conftest import publish
from hami.standards.tests.factories import CategoryFactory, StandardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dairy(milk_standard) -> Topic:
    topic = Topic.objects.create(code="dairy", name_fa="لبنیات", name_en="Dairy")
    topic.standards.add(milk_standard)
    return topic


# --- the topic ------------------------------------------------------------------------------------------


def test_the_topic_is_the_standards_else_the_categorys_else_quality_control(milk_standard, product, qc):
    category = product.category
    other_standard = StandardFactory(number=2000, year=2021, title_fa="ماست")
    by_category = Topic.objects.create(code="b-category", name_fa="دسته")
    by_category.categories.add(category)
    assert selectors.topic_for(milk_standard, category) == by_category
    by_standard = Topic.objects.create(code="z-standard", name_fa="استاندارد")
    by_standard.standards.add(milk_standard)
    assert selectors.topic_for(milk_standard, category) == by_standard
    assert selectors.topic_for(other_standard, category) == by_category
    assert selectors.topic_for(other_standard, CategoryFactory(code="other")) == qc
    assert selectors.topic_for(None, None) == qc
    # Several topics on one standard: the first by code, every time.
    first = Topic.objects.create(code="a-first", name_fa="نخست")
    first.standards.add(milk_standard)
    assert selectors.topic_for(milk_standard) == first
    assert selectors.topic_maps([milk_standard.pk, other_standard.pk], [category.pk]) == (
        {milk_standard.pk: first.pk},
        {category.pk: by_category.pk},
    )


def test_the_fallback_topic_is_put_back_if_it_was_deleted(db):
    Topic.objects.filter(code="quality-control").delete()
    assert selectors.topic_for().code == "quality-control"


# --- create and close -----------------------------------------------------------------------------------


def test_a_referral_is_created_once_per_source_and_the_unit_is_told(
    qazvin_unit, unit_rep, qazvin_inspector, labelling, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_create(
            actor=qazvin_inspector,
            unit=qazvin_unit,
            source="finding",
            source_ref="F-17",
            reason="برچسب ناقص",
            topic=labelling,
        )
    again = referral_create(
        actor=qazvin_inspector, unit=qazvin_unit, source="finding", source_ref="F-17", reason="دوباره"
    )
    assert again == referral and Referral.objects.count() == 1
    assert (referral.topic, referral.status, referral.created_by) == (labelling, "open", qazvin_inspector)
    assert AuditEvent.objects.filter(event_type=EventType.REFERRAL_CREATED).count() == 1
    [notice] = Notification.objects.filter(user=unit_rep)
    assert str(referral.public_id) in notice.link and "برچسب ناقص" in notice.body


def test_only_the_units_province_refers_it(qazvin_unit, tehran_officer, unit_rep, outsider, lab_user):
    for actor in (tehran_officer, unit_rep, outsider, lab_user):
        with pytest.raises(HamiError) as caught:
            referral_create(actor=actor, unit=qazvin_unit, source="office", source_ref="O-1", reason="x")
        assert caught.value.code == "forbidden"
    assert not Referral.objects.exists()


def test_a_referral_needs_a_known_source_a_reference_and_a_reason(qazvin_unit, qazvin_officer):
    for source, ref, reason, field in (("nope", "1", "x", "source"), ("office", " ", "x", "source_ref"),
                                       ("office", "1", "  ", "reason")):  # fmt: skip
        with pytest.raises(HamiError) as caught:
            referral_create(
                actor=qazvin_officer, unit=qazvin_unit, source=source, source_ref=ref, reason=reason
            )
        assert caught.value.field == field
    assert not Referral.objects.exists()


def test_the_office_closes_an_open_referral_with_a_reason(
    qazvin_unit, qazvin_officer, tehran_officer, unit_rep
):
    referral = referral_create(unit=qazvin_unit, source="office", source_ref="O-2", reason="x")
    for actor in (tehran_officer, unit_rep):
        with pytest.raises(HamiError) as caught:
            referral_close(actor=actor, referral=referral, reason="y")
        assert caught.value.code == "forbidden"
    with pytest.raises(HamiError) as caught:
        referral_close(actor=qazvin_officer, referral=referral, reason=" ")
    assert caught.value.field == "reason"
    referral_close(actor=qazvin_officer, referral=referral, reason="در بازدید حل شد")
    referral.refresh_from_db()
    assert (referral.status, referral.closed_reason) == ("closed", "در بازدید حل شد")
    referral_close(actor=qazvin_officer, referral=referral, reason="دوباره")
    assert AuditEvent.objects.filter(event_type=EventType.REFERRAL_CLOSED).count() == 1


def test_a_referral_with_a_booked_session_cannot_be_closed(qazvin_unit, qazvin_officer, unit_rep, slot, qc):
    referral = referral_create(unit=qazvin_unit, source="office", source_ref="O-3", reason="x", topic=qc)
    booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit)
    with pytest.raises(HamiError) as caught:
        referral_close(actor=qazvin_officer, referral=referral, reason="y")
    assert caught.value.code == "wrong_state"
    assert Referral.objects.get().status == ReferralStatus.BOOKED


# --- from failed tests ----------------------------------------------------------------------------------


def _failed_report(qazvin_officer, cheap_lab_user, results=BAD_LEAD):
    [order] = place(qazvin_officer)
    return report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order, results))


def test_the_referral_flow_from_a_failed_test_to_a_completed_session(
    settings,
    sample,
    cheap_lab,
    cheap_lab_user,
    qazvin_officer,
    qazvin_unit,
    unit_rep,
    second_unit,
    second_rep,
    dairy,
    advisor,
    advisor_user,
    qazvin,
    django_capture_on_commit_callbacks,
):
    since = timezone.now() - dt.timedelta(days=1)
    report = _failed_report(qazvin_officer, cheap_lab_user)
    assert report.conformity == "does_not_conform"
    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_from_failed_tests(since=since) == 1
    referral = Referral.objects.get()
    assert (referral.unit, referral.topic, referral.source, referral.source_ref) == (
        qazvin_unit,
        dairy,
        "test_report",
        report.number,
    )
    assert report.number in referral.reason
    assert Notification.objects.filter(user=unit_rep, link__contains=str(referral.public_id)).count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.REFERRAL_CREATED, actor=None).count() == 1
    # A rerun refers nobody again.
    assert referrals_from_failed_tests(since=since) == 0 and Referral.objects.count() == 1

    # The advisor advises on dairy; a slot is published with its priority window.
    advisor.topics.add(dairy)
    settings.HAMI_CLINIC_PRIORITY_HOURS = 48
    slot = publish(advisor_user, advisor, dairy, days=4)
    with pytest.raises(HamiError) as caught:
        booking_create(actor=second_rep, slot=slot, unit=second_unit)
    assert caught.value.code == "priority_only"
    booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit, question="سرب شیر")
    referral.refresh_from_db()
    assert booking.referral == referral and referral.status == ReferralStatus.BOOKED

    booking_record_session(
        actor=advisor_user,
        booking=booking,
        notes="منبع سرب: ظروف نگهداری",
        now=slot.starts_at + dt.timedelta(minutes=40),
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert referrals_from_failed_tests(since=since) == 0 and Referral.objects.count() == 1


def test_only_the_latest_failing_version_refers_once_per_order(
    sample, cheap_lab, cheap_lab_user, qazvin_officer, qazvin_unit, requirements, qc
):
    since = timezone.now() - dt.timedelta(days=1)
    report = _failed_report(qazvin_officer, cheap_lab_user)
    item = report.order.items.get(requirement__clause="5.2")
    # A correction that still fails: the amended report is the latest; one referral for the order.
    amended = result_correct(
        actor=cheap_lab_user, item=item, value="0.04", unit="mg/kg", uncertainty="0.002", reason="خطای تایپی"
    )
    assert amended.amends == report
    assert referrals_from_failed_tests(since=since) == 1
    assert Referral.objects.get().source_ref == amended.number
    # The topic falls back to quality-control: no topic names the milk standard or its category.
    assert Referral.objects.get().topic == qc


def test_an_earlier_referral_for_the_order_counts_and_a_corrected_pass_refers_nobody(
    sample, cheap_lab, cheap_lab_user, qazvin_officer, qazvin_unit
):
    since = timezone.now() - dt.timedelta(days=1)
    report = _failed_report(qazvin_officer, cheap_lab_user)
    assert referrals_from_failed_tests(since=since) == 1
    item = report.order.items.get(requirement__clause="5.2")
    result_correct(
        actor=cheap_lab_user, item=item, value="0.045", unit="mg/kg", uncertainty="0.002", reason="تکرار"
    )
    assert referrals_from_failed_tests(since=since) == 0 and Referral.objects.count() == 1


def test_a_conforming_report_or_an_old_one_refers_nobody(sample, cheap_lab, cheap_lab_user, qazvin_officer):
    report = _failed_report(qazvin_officer, cheap_lab_user, results=GOOD)
    assert report.conformity == "conforms"
    assert referrals_from_failed_tests(since=timezone.now() - dt.timedelta(days=1)) == 0
    assert referrals_from_failed_tests(since=timezone.now() + dt.timedelta(minutes=1)) == 0


def test_referrals_from_failed_tests_take_a_fixed_number_of_queries(
    sample, cheap_lab, cheap_lab_user, qazvin_officer, django_assert_max_num_queries
):
    _failed_report(qazvin_officer, cheap_lab_user)
    with django_assert_max_num_queries(14):
        assert referrals_from_failed_tests(since=timezone.now() - dt.timedelta(days=1)) == 1
