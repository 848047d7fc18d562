"""The participation component: counts per unit in few queries, and explainable, capped points."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_user
from hami.outreach.models import (
    ActionItem,
    ActionState,
    Advisor,
    AdvisorKind,
    Booking,
    BookingStatus,
    Certificate,
    Course,
    CourseKind,
    CourseSession,
    Member,
    MemberKind,
    Referral,
    ReferralSource,
    Registration,
    RegistrationStatus,
    Slot,
    Topic,
    WorkingGroup,
)
from hami.outreach.participation import MAX_SCORE, POINTS, counts_for_units, score

TODAY = dt.date(2026, 11, 28)


def test_score_caps_each_line_and_the_total():
    total, lines = score(
        {
            "courses_attended": 100,
            "clinic_sessions_held": 100,
            "group_meetings_attended": 100,
            "group_actions_done": 100,
            "qc_certificate_valid": 1,
            "referrals_completed": 9,
        }
    )
    by_key = {line.key: line for line in lines}
    assert by_key["courses_attended"].points == POINTS["courses_attended"][1]
    assert total == MAX_SCORE


def test_score_never_goes_below_zero_and_negative_lines_are_capped():
    total, lines = score({"clinic_no_shows": 50, "referrals_ignored": 50})
    by_key = {line.key: line for line in lines}
    assert by_key["clinic_no_shows"].points == POINTS["clinic_no_shows"][1]
    assert total == 0


def test_score_adds_the_lines():
    total, _lines = score({"courses_attended": 2, "courses_missed": 1, "qc_certificate_valid": 1})
    assert total == 2 * 10 - 5 + 15


@pytest.fixture
def activity(qazvin_unit, tehran_unit, qazvin_officer, unit_rep):
    """Qazvin's unit: one course attended, one missed, a valid QC certificate, a clinic session held, an
    ignored referral, an overdue action. Tehran's unit: nothing."""
    now = timezone.make_aware(dt.datetime(2026, 11, 20, 9))
    topic = Topic.objects.get(code="quality-control")
    qc = Course.objects.create(code="qc", title_fa="صلاحیت", kind=CourseKind.QC_COMPETENCE, topic=topic)
    session = CourseSession.objects.create(
        course=qc,
        province=qazvin_unit.province,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=6),
        capacity=5,
    )
    common = {"session": session, "unit": qazvin_unit, "registered_by": qazvin_officer}
    attended = Registration.objects.create(
        full_name="الف", national_code="0012345679", status=RegistrationStatus.ATTENDED, **common
    )
    Registration.objects.create(
        full_name="ب", national_code="0012345670", status=RegistrationStatus.ABSENT, **common
    )
    Certificate.objects.create(
        code="123456789012",
        registration=attended,
        course=qc,
        unit=qazvin_unit,
        full_name="الف",
        national_code="0012345679",
        issued_on=TODAY - dt.timedelta(days=8),
        expires_on=TODAY + dt.timedelta(days=900),
    )
    advisor = Advisor.objects.create(
        user=make_user("adv", "advisor"),
        kind=AdvisorKind.PRIVATE_CONSULTANT,
        display_name="م",
        province=qazvin_unit.province,
    )
    slot = Slot.objects.create(
        advisor=advisor,
        topic=topic,
        province=qazvin_unit.province,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
    )
    Booking.objects.create(slot=slot, unit=qazvin_unit, booked_by=unit_rep, status=BookingStatus.HELD)
    referral = Referral.objects.create(
        unit=qazvin_unit, topic=topic, source=ReferralSource.OFFICE, source_ref="x", reason="r"
    )
    Referral.objects.filter(pk=referral.pk).update(created_at=now - dt.timedelta(days=60))
    group = WorkingGroup.objects.create(name_fa="کارگروه", isic="10", province=qazvin_unit.province)
    member = Member.objects.create(group=group, kind=MemberKind.UNIT, unit=qazvin_unit, display_name="و")
    ActionItem.objects.create(group=group, title="کار", owner=member, due_on=TODAY - dt.timedelta(days=1))
    ActionItem.objects.create(
        group=group, title="کار ۲", owner=member, due_on=TODAY, state=ActionState.DONE, done_on=TODAY
    )
    return qazvin_unit, tehran_unit


def test_counts_per_unit_in_a_fixed_number_of_queries(activity, django_assert_max_num_queries):
    qazvin_unit, tehran_unit = activity
    with django_assert_max_num_queries(10):
        result = counts_for_units(
            [qazvin_unit.pk, tehran_unit.pk], since=TODAY - dt.timedelta(days=365), today=TODAY
        )
    assert result[qazvin_unit.pk].counts == {
        "courses_attended": 1,
        "courses_missed": 1,
        "qc_certificate_valid": 1,
        "clinic_sessions_held": 1,
        "clinic_no_shows": 0,
        "referrals_completed": 0,
        "referrals_ignored": 1,
        "group_meetings_attended": 0,
        "group_actions_done": 1,
        "group_actions_overdue": 1,
    }
    assert result[qazvin_unit.pk].score == 10 - 5 + 15 + 8 - 8 + 5 - 3
    assert result[tehran_unit.pk].score == 0 and set(result[tehran_unit.pk].counts.values()) == {0}


def test_a_window_that_ended_before_the_activity_counts_none_of_it(activity):
    qazvin_unit, _ = activity
    result = counts_for_units(
        [qazvin_unit.pk], since=TODAY - dt.timedelta(days=400), today=TODAY - dt.timedelta(days=30)
    )
    counts = result[qazvin_unit.pk].counts
    assert counts["courses_attended"] == 0 and counts["clinic_sessions_held"] == 0
    # an expiring certificate counts by its expiry, not by the window
    assert counts["qc_certificate_valid"] == 1
