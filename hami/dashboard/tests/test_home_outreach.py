import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from hami.core.models import Role
from hami.outreach.models import (
    Advisor,
    AdvisorKind,
    Booking,
    Course,
    CourseSession,
    Referral,
    ReferralSource,
    Registration,
    RegistrationStatus,
    Slot,
    SlotStatus,
    Topic,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def advisor(qazvin):
    user = make_user("consultant", Role.ADVISOR)
    advisor = Advisor.objects.create(
        user=user, kind=AdvisorKind.PRIVATE_CONSULTANT, display_name="فرهاد صالحی", province=qazvin
    )
    advisor.topics.add(Topic.objects.get(code="quality-control"))
    return advisor


def _slot(advisor, hours_from_now, status=SlotStatus.OPEN):
    start = timezone.now() + dt.timedelta(hours=hours_from_now)
    return Slot.objects.create(
        advisor=advisor,
        topic=Topic.objects.get(code="quality-control"),
        province=advisor.province,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        status=status,
    )


def test_unit_home_shows_its_open_referral_coming_booking_and_course(
    client, unit_rep, qazvin_unit, tehran_unit, advisor, qazvin_officer
):
    topic = Topic.objects.get(code="labelling")
    Referral.objects.create(
        unit=qazvin_unit, topic=topic, source=ReferralSource.OFFICE, source_ref="1", reason="r"
    )
    Referral.objects.create(
        unit=tehran_unit, topic=topic, source=ReferralSource.OFFICE, source_ref="2", reason="r"
    )
    slot = _slot(advisor, 48, SlotStatus.BOOKED)
    Booking.objects.create(slot=slot, unit=qazvin_unit, booked_by=unit_rep)
    course = Course.objects.create(code="c", title_fa="دوره برچسب‌گذاری")
    start = timezone.now() + dt.timedelta(days=3)
    session = CourseSession.objects.create(
        course=course,
        province=qazvin_unit.province,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        capacity=1,
    )
    Registration.objects.create(
        session=session,
        unit=qazvin_unit,
        full_name="نرگس",
        national_code="0012345679",
        registered_by=unit_rep,
        status=RegistrationStatus.WAITLISTED,
    )
    client.force_login(unit_rep)
    response = client.get("/")
    assert [r.unit for r in response.context["referrals"]] == [qazvin_unit]
    assert [b.slot for b in response.context["bookings"]] == [slot]
    assert "دوره برچسب‌گذاری" in response.text
    assert [r.status for r in response.context["registrations"]] == [RegistrationStatus.WAITLISTED]


def test_advisor_home_lists_its_coming_slots_and_sessions_waiting_for_notes(
    client, advisor, qazvin_unit, unit_rep
):
    coming = _slot(advisor, 24)
    past = _slot(advisor, -3, SlotStatus.BOOKED)
    Booking.objects.create(slot=past, unit=qazvin_unit, booked_by=unit_rep)
    other = Advisor.objects.create(
        user=make_user("other-consultant", Role.ADVISOR),
        kind=AdvisorKind.PRIVATE_CONSULTANT,
        display_name="دیگری",
        province=advisor.province,
    )
    _slot(other, 24)
    client.force_login(advisor.user)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["coming"] == [coming]
    assert [b.slot for b in response.context["to_record"]] == [past]


def test_consultant_without_a_profile_is_told_so(client):
    client.force_login(make_user("new-consultant", Role.ADVISOR))
    response = client.get("/")
    assert response.status_code == 200 and 'id="no-advisor"' in response.text


def test_a_consultants_menu_leaves_out_what_it_cannot_see(client, advisor):
    client.force_login(advisor.user)
    html = client.get("/").content.decode()
    assert reverse("outreach:clinic_calendar") in html
    for hidden in ("registry:unit_list", "licensing:application_list", "labs:sample_list"):
        assert reverse(hidden) not in html
