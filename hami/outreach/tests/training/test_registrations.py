"""Capacity, the waitlist and its promotion, and every refusal of a registration: each refused call
answers with its own code and changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.outreach.models import Registration, RegistrationStatus
from hami.outreach.services.training import (
    registration_cancel,
    registration_create,
    session_cancel,
    session_update,
    waitlist_promote,
)
from hami.outreach.tests.training.conftest import person, register, snapshot, starts_in, took_place

pytestmark = pytest.mark.django_db

R, W, C = RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED


def _statuses(session) -> list[str]:
    return list(session.registrations.order_by("created_at", "pk").values_list("status", flat=True))


def test_places_fill_up_then_people_join_the_waitlist_in_order(session, unit_rep, qazvin_unit):
    first, second = register(unit_rep, session, qazvin_unit), register(unit_rep, session, qazvin_unit)
    third, fourth = register(unit_rep, session, qazvin_unit), register(unit_rep, session, qazvin_unit)
    assert [first.status, second.status, third.status, fourth.status] == [R, R, W, W]
    assert session.registrations.filter(status__in=[R]).count() == session.capacity == 2


def test_a_cancelled_place_goes_to_the_first_person_waiting_and_the_unit_is_told(
    session, unit_rep, qazvin_unit, qazvin_officer, django_capture_on_commit_callbacks
):
    first = register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    waiting_first = register(unit_rep, session, qazvin_unit, name="نفر اول صف")
    waiting_second = register(unit_rep, session, qazvin_unit)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(actor=qazvin_officer, registration=first)
    waiting_first.refresh_from_db()
    waiting_second.refresh_from_db()
    assert waiting_first.status == R and waiting_first.promoted_at is not None
    assert waiting_second.status == W
    assert _statuses(session) == [C, R, R, W]
    notice = Notification.objects.get(
        user=unit_rep, subject__contains=session.course.title_fa, body__contains="نفر اول صف"
    )
    assert notice.link.endswith(f"/training/sessions/{session.public_id}/")
    promoted = AuditEvent.objects.get(event_type=EventType.REGISTRATION_PROMOTED)
    assert promoted.object_id == str(waiting_first.pk)


def test_cancelling_a_waitlist_place_promotes_nobody(session, unit_rep, qazvin_unit):
    register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    waiting = register(unit_rep, session, qazvin_unit)
    last = register(unit_rep, session, qazvin_unit)
    registration_cancel(actor=unit_rep, registration=waiting)
    last.refresh_from_db()
    assert last.status == W and last.promoted_at is None
    assert _statuses(session) == [R, R, C, W]


def test_raising_the_capacity_promotes_as_many_as_the_new_places(
    session, unit_rep, qazvin_unit, qazvin_officer
):
    for _ in range(5):
        register(unit_rep, session, qazvin_unit)
    assert _statuses(session) == [R, R, W, W, W]
    session_update(actor=qazvin_officer, session=session, capacity=4)
    assert _statuses(session) == [R, R, R, R, W]
    assert session.registrations.filter(promoted_at__isnull=False).count() == 2


def test_capacity_cannot_go_below_the_places_held(session, unit_rep, qazvin_unit, qazvin_officer, in_english):
    register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        session_update(actor=qazvin_officer, session=session, capacity=1)
    assert caught.value.code == "invalid" and caught.value.field == "capacity"
    assert "2 people already hold a place" in caught.value.message
    assert snapshot() == before


def test_the_same_person_twice_is_refused_and_changes_nothing(session, unit_rep, qazvin_unit, in_english):
    name, code = person()
    registration_create(actor=unit_rep, session=session, unit=qazvin_unit, full_name=name, national_code=code)
    before = snapshot()
    typed = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))  # the same code in Persian digits
    with pytest.raises(HamiError) as caught:
        registration_create(
            actor=unit_rep, session=session, unit=qazvin_unit, full_name=name, national_code=typed
        )
    assert caught.value.code == "already_registered" and caught.value.field == "national_code"
    assert snapshot() == before


def test_a_waiting_person_cannot_register_again_either(session, unit_rep, qazvin_unit):
    register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    waiting = register(unit_rep, session, qazvin_unit)
    with pytest.raises(HamiError) as caught:
        register(unit_rep, session, qazvin_unit, name=waiting.full_name, code=waiting.national_code)
    assert caught.value.code == "already_registered"


def test_a_cancelled_person_may_register_again(session, unit_rep, qazvin_unit):
    first = register(unit_rep, session, qazvin_unit)
    registration_cancel(actor=unit_rep, registration=first)
    again = register(unit_rep, session, qazvin_unit, name=first.full_name, code=first.national_code)
    assert again.status == R and Registration.objects.filter(national_code=first.national_code).count() == 2


def test_over_capacity_without_the_waitlist_is_refused_as_full_and_changes_nothing(
    session, unit_rep, qazvin_unit, in_english
):
    register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        register(unit_rep, session, qazvin_unit, waitlist=False)
    assert caught.value.code == "full" and "All 2 places" in caught.value.message
    assert snapshot() == before


def test_registering_for_a_cancelled_session_is_refused(session, unit_rep, qazvin_unit, qazvin_officer):
    session_cancel(actor=qazvin_officer, session=session, reason="مدرس بیمار است")
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        register(unit_rep, session, qazvin_unit)
    assert caught.value.code == "wrong_state"
    assert snapshot() == before


def test_registering_for_a_session_that_started_is_refused(session, unit_rep, qazvin_unit):
    took_place(session)
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        register(unit_rep, session, qazvin_unit)
    assert caught.value.code == "wrong_state"
    assert snapshot() == before


def test_a_unit_registers_only_its_own_staff(
    session, tehran_rep, qazvin_unit, tehran_unit, outsider, lab_user
):
    before = snapshot()
    for actor in (tehran_rep, outsider, lab_user):
        with pytest.raises(Forbidden):
            register(actor, session, qazvin_unit)
    assert snapshot() == before
    assert register(tehran_rep, session, tehran_unit).status == R  # its own unit, in Qazvin's session


def test_the_office_registers_its_provinces_units_and_the_unit_is_told(
    session, qazvin_officer, tehran_officer, qazvin_unit, unit_rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(qazvin_officer, session, qazvin_unit, name="علی کاظمی")
    assert registration.status == R and registration.registered_by == qazvin_officer
    assert Notification.objects.filter(user=unit_rep, body__contains="علی کاظمی").exists()
    with pytest.raises(Forbidden):
        register(tehran_officer, session, qazvin_unit)


BAD = [
    ("", "0012345679", "full_name"),
    ("x" * 201, "0012345679", "full_name"),
    ("مریم", "0012345678", "national_code"),  # fails its check digit
    ("مریم", "12", "national_code"),
    ("مریم", "1111111111", "national_code"),  # passes the sum, never issued
    ("مریم", "abc" * 50, "national_code"),
]


@pytest.mark.parametrize(("name", "code", "field"), BAD)
def test_bad_names_and_national_codes_are_refused_with_their_field(
    session, unit_rep, qazvin_unit, name, code, field
):
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        registration_create(
            actor=unit_rep, session=session, unit=qazvin_unit, full_name=name, national_code=code
        )
    assert caught.value.code == "invalid" and caught.value.field == field
    assert snapshot() == before


def test_the_unit_cancels_up_to_the_notice_period_then_only_the_office(
    session, unit_rep, qazvin_unit, qazvin_officer, in_english
):
    mine = register(unit_rep, session, qazvin_unit)
    starts_in(session, hours=10)  # inside the 24-hour notice period
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        registration_cancel(actor=unit_rep, registration=mine)
    assert caught.value.code == "too_late" and "24 hours" in caught.value.message
    assert snapshot() == before
    registration_cancel(actor=qazvin_officer, registration=mine, reason="درخواست تلفنی واحد")
    mine.refresh_from_db()
    assert mine.status == C


def test_a_waiting_person_may_leave_inside_the_notice_period(session, unit_rep, qazvin_unit):
    register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    waiting = register(unit_rep, session, qazvin_unit)
    starts_in(session, hours=2)
    registration_cancel(actor=unit_rep, registration=waiting)
    assert Registration.objects.get(pk=waiting.pk).status == C


def test_another_unit_cannot_cancel_and_cancelling_twice_is_refused(
    session, unit_rep, tehran_rep, qazvin_unit
):
    mine = register(unit_rep, session, qazvin_unit)
    with pytest.raises(Forbidden):
        registration_cancel(actor=tehran_rep, registration=mine)
    registration_cancel(actor=unit_rep, registration=mine)
    with pytest.raises(HamiError) as caught:
        registration_cancel(actor=unit_rep, registration=mine)
    assert caught.value.code == "wrong_state"


def test_a_place_freed_after_the_start_promotes_nobody(session, unit_rep, qazvin_unit, qazvin_officer):
    first = register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    waiting = register(unit_rep, session, qazvin_unit)
    took_place(session)
    registration_cancel(actor=qazvin_officer, registration=first)
    assert Registration.objects.get(pk=waiting.pk).status == W
    assert waitlist_promote(actor=None, session=session) == []


def test_cancelling_a_session_cancels_everyone_and_tells_each_unit(
    session,
    unit_rep,
    tehran_rep,
    qazvin_unit,
    tehran_unit,
    qazvin_officer,
    django_capture_on_commit_callbacks,
):
    register(unit_rep, session, qazvin_unit)
    register(tehran_rep, session, tehran_unit)
    register(unit_rep, session, qazvin_unit)  # waiting
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(actor=qazvin_officer, session=session, reason="تعطیلی رسمی")
    assert _statuses(session) == [C, C, C]
    assert Notification.objects.filter(user=unit_rep, body__contains="تعطیلی رسمی").count() == 1
    assert Notification.objects.filter(user=tehran_rep, body__contains="تعطیلی رسمی").count() == 1
    with pytest.raises(HamiError):
        session_cancel(actor=qazvin_officer, session=session, reason="دوباره")


def test_cancelling_a_session_needs_a_reason_and_its_office(
    session, qazvin_officer, tehran_officer, unit_rep
):
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        session_cancel(actor=qazvin_officer, session=session, reason="  ")
    assert caught.value.field == "reason"
    for actor in (tehran_officer, unit_rep):
        with pytest.raises(Forbidden):
            session_cancel(actor=actor, session=session, reason="دلیل")
    assert snapshot() == before


def test_changing_the_time_tells_everyone_registered_or_waiting(
    session, unit_rep, qazvin_unit, qazvin_officer, django_capture_on_commit_callbacks
):
    register(unit_rep, session, qazvin_unit, name="زهرا موسوی")
    later = session.starts_at + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        session_update(
            actor=qazvin_officer, session=session, starts_at=later, ends_at=later + dt.timedelta(hours=4)
        )
    session.refresh_from_db()
    assert session.starts_at == later
    assert Notification.objects.filter(user=unit_rep, body__contains="زهرا موسوی").exists()


def test_a_session_that_started_is_not_changed(session, qazvin_officer):
    took_place(session)
    with pytest.raises(HamiError) as caught:
        session_update(actor=qazvin_officer, session=session, capacity=30)
    assert caught.value.code == "wrong_state"


def test_the_audit_trail_records_each_step(session, unit_rep, qazvin_unit, qazvin_officer):
    from hami.core.audit import verify_chain

    first = register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    registration_cancel(actor=unit_rep, registration=first)
    types = list(AuditEvent.objects.order_by("seq").values_list("event_type", flat=True))
    assert types[-5:] == [
        EventType.REGISTRATION_CREATED,
        EventType.REGISTRATION_CREATED,
        EventType.REGISTRATION_CREATED,
        EventType.REGISTRATION_CANCELLED,
        EventType.REGISTRATION_PROMOTED,
    ]
    assert list(verify_chain()) == []
    assert timezone.now() < session.starts_at
