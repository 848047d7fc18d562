"""Booking a slot, and what happens to a booking: every refusal changes nothing; the priority window;
cancel and reschedule under the notice rule; the reschedule limit; the advisor's notes; the rating;
reminders."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.errors import HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.outreach.models import Booking, BookingStatus, Referral, ReferralStatus, Slot, SlotStatus
from hami.outreach.services.bookings import (
    booking_cancel,
    booking_create,
    booking_rate,
    booking_record_session,
    booking_reschedule,
    bookings_remind,
    slot_refusal,
)
from hami.outreach.services.clinics import slot_cancel
from hami.outreach.services.referrals import referral_create
from hami.outreach.tests.clinics.conftest import at, publish, snapshot

pytestmark = pytest.mark.django_db


def refused(code: str, call, **kwargs) -> HamiError:
    """The call raises HamiError(code) and leaves bookings, slots, referrals, audit and notices alone."""
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        call(**kwargs)
    assert str(caught.value.code) == code, caught.value.message
    assert caught.value.message
    assert snapshot() == before
    return caught.value


def refer(unit, topic, ref="TR-1") -> Referral:
    return referral_create(
        unit=unit, source="test_report", source_ref=ref, reason="سرب بیش از حد", topic=topic
    )


# --- booking --------------------------------------------------------------------------------------------


def test_a_unit_rep_books_an_open_slot_and_the_advisor_is_told(
    slot, unit_rep, qazvin_unit, advisor_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit, question="  برچسب   محصول ")
    slot.refresh_from_db()
    assert (slot.status, booking.status, booking.question) == ("booked", "booked", "برچسب محصول")
    assert booking.booked_by == unit_rep and booking.referral is None
    assert (
        AuditEvent.objects.filter(event_type=EventType.BOOKING_CREATED, object_id=str(booking.pk)).count()
        == 1
    )
    [notice] = Notification.objects.filter(user=advisor_user, subject__contains=slot.topic.name_fa)
    assert str(booking.public_id) in notice.link


def test_booking_a_taken_slot_is_refused_and_changes_nothing(
    booking, slot, second_rep, second_unit, in_english
):
    error = refused("slot_taken", booking_create, actor=second_rep, slot=slot, unit=second_unit)
    assert error.message == "Somebody else booked this slot first; choose another one."
    assert Booking.objects.get().unit_id == booking.unit_id


def test_booking_a_slot_that_started_is_refused(slot, unit_rep, qazvin_unit):
    refused(
        "slot_past",
        booking_create,
        actor=unit_rep,
        slot=slot,
        unit=qazvin_unit,
        now=slot.starts_at + dt.timedelta(minutes=1),
    )


def test_booking_a_past_slot_is_refused(slot, unit_rep, qazvin_unit):
    refused(
        "slot_past",
        booking_create,
        actor=unit_rep,
        slot=slot,
        unit=qazvin_unit,
        now=slot.ends_at + dt.timedelta(days=2),
    )


def test_booking_a_cancelled_slot_is_refused(slot, advisor_user, unit_rep, qazvin_unit):
    slot_cancel(actor=advisor_user, slot=slot, reason="بیماری")
    refused("slot_cancelled", booking_create, actor=unit_rep, slot=slot, unit=qazvin_unit)


def test_booking_for_a_unit_that_is_not_yours_is_forbidden(
    slot, unit_rep, second_unit, tehran_officer, tehran_rep, qazvin_unit
):
    for actor, unit in ((unit_rep, second_unit), (tehran_officer, qazvin_unit), (tehran_rep, qazvin_unit)):
        error = refused("forbidden", booking_create, actor=actor, slot=slot, unit=unit)
        assert error.status == 403


def test_the_office_books_for_a_unit_of_its_province(slot, qazvin_officer, second_unit):
    booking = booking_create(actor=qazvin_officer, slot=slot, unit=second_unit)
    assert booking.booked_by == qazvin_officer and booking.unit == second_unit


def test_a_question_longer_than_allowed_is_refused(slot, unit_rep, qazvin_unit):
    error = refused(
        "invalid", booking_create, actor=unit_rep, slot=slot, unit=qazvin_unit, question="س" * 2001
    )
    assert error.field == "question"


# --- priority -------------------------------------------------------------------------------------------


@pytest.fixture
def priority_slot(settings, advisor, advisor_user, qc):
    settings.HAMI_CLINIC_PRIORITY_HOURS = 48
    return publish(advisor_user, advisor, qc, days=5)


def test_a_slot_is_reserved_for_priority_units_for_the_configured_hours(priority_slot, settings):
    published = AuditEvent.objects.get(event_type=EventType.SLOT_PUBLISHED, object_id=str(priority_slot.pk))
    window = priority_slot.priority_until - published.occurred_at
    assert dt.timedelta(hours=47, minutes=59) < window <= dt.timedelta(hours=48)


def test_the_priority_window_never_outlasts_the_slots_start(settings, advisor, advisor_user, qc):
    settings.HAMI_CLINIC_PRIORITY_HOURS = 48
    slot = publish(advisor_user, advisor, qc, days=1, hour=23)
    assert slot.priority_until <= slot.starts_at
    an_hour_before = at(0, 23) - dt.timedelta(hours=1)
    soon = publish(advisor_user, advisor, qc, days=0, hour=23, minutes=30, now=an_hour_before)
    assert soon.priority_until == soon.starts_at


def test_a_referred_unit_books_first_and_another_unit_is_told_until_when(
    priority_slot, qc, unit_rep, qazvin_unit, second_rep, second_unit, in_english
):
    referral = refer(qazvin_unit, qc)
    error = refused("priority_only", booking_create, actor=second_rep, slot=priority_slot, unit=second_unit)
    assert "Until" in error.message and "fast track" in error.message
    booking = booking_create(actor=unit_rep, slot=priority_slot, unit=qazvin_unit)
    referral.refresh_from_db()
    assert booking.referral == referral and referral.status == ReferralStatus.BOOKED


def test_a_fast_track_unit_has_priority_on_every_topic(priority_slot, second_rep, second_unit):
    second_unit.fast_track = True
    second_unit.save(update_fields=["fast_track"])
    assert booking_create(actor=second_rep, slot=priority_slot, unit=second_unit).status == "booked"


def test_a_referral_on_another_topic_gives_no_priority(priority_slot, labelling, second_rep, second_unit):
    refer(second_unit, labelling)
    refused("priority_only", booking_create, actor=second_rep, slot=priority_slot, unit=second_unit)


def test_after_the_window_any_unit_books(
    priority_slot, qc, qazvin_unit, second_rep, second_unit, advisor, advisor_user
):
    refer(qazvin_unit, qc)
    later = priority_slot.priority_until + dt.timedelta(minutes=1)
    assert slot_refusal(slot=priority_slot, unit=second_unit, now=later) is None
    booking = booking_create(actor=second_rep, slot=priority_slot, unit=second_unit, now=later)
    assert booking.referral is None
    # The referred unit also books freely after the window (another slot on the same topic).
    other = publish(advisor_user, advisor, qc, days=6)
    later = other.priority_until + dt.timedelta(minutes=1)
    assert slot_refusal(slot=other, unit=qazvin_unit, now=later) is None


def test_a_referral_given_must_be_the_units_open_one_on_the_slots_topic(
    slot, qc, labelling, unit_rep, qazvin_unit, second_unit
):
    others = refer(second_unit, qc, ref="TR-9")
    wrong_topic = refer(qazvin_unit, labelling, ref="TR-8")
    for referral in (others, wrong_topic):
        error = refused(
            "invalid", booking_create, actor=unit_rep, slot=slot, unit=qazvin_unit, referral=referral
        )
        assert error.field == "referral"


# --- cancel ---------------------------------------------------------------------------------------------


def test_the_unit_cancels_before_the_notice_period_and_the_slot_and_referral_open_again(
    slot, qc, unit_rep, qazvin_unit, advisor_user, django_capture_on_commit_callbacks
):
    referral = refer(qazvin_unit, qc)
    booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=unit_rep, booking=booking, now=slot.starts_at - dt.timedelta(hours=25))
    booking.refresh_from_db(), slot.refresh_from_db(), referral.refresh_from_db()
    assert (booking.status, slot.status, referral.status) == ("cancelled", "open", "open")
    # Only the cancellation ran its notices here (the booking's were not captured).
    assert Notification.objects.filter(user=advisor_user, link__contains=str(booking.public_id)).count() == 1
    assert not Notification.objects.filter(user=unit_rep).exists()  # the one who cancelled is not told
    # The slot may be booked again.
    assert booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit).status == "booked"


def test_the_unit_cannot_cancel_inside_the_notice_period(booking, slot, unit_rep, in_english):
    error = refused(
        "too_late",
        booking_cancel,
        actor=unit_rep,
        booking=booking,
        now=slot.starts_at - dt.timedelta(hours=23),
    )
    assert "24 hours" in error.message


def test_the_advisor_and_the_office_cancel_any_time_with_a_reason(
    booking, slot, advisor_user, qazvin_officer
):
    late = slot.starts_at - dt.timedelta(hours=1)
    error = refused("invalid", booking_cancel, actor=advisor_user, booking=booking, reason=" ", now=late)
    assert error.field == "reason"
    booking_cancel(actor=qazvin_officer, booking=booking, reason="اداره تعطیل است", now=late)
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert Slot.objects.get(pk=slot.pk).status == "open"


def test_a_cancelled_booking_cannot_be_cancelled_again(booking, unit_rep):
    booking_cancel(actor=unit_rep, booking=booking)
    refused("wrong_state", booking_cancel, actor=unit_rep, booking=booking)


def test_another_unit_or_province_cannot_cancel(booking, second_rep, tehran_officer, outsider):
    for actor in (second_rep, tehran_officer, outsider):
        refused("forbidden", booking_cancel, actor=actor, booking=booking, reason="x")


def test_cancelling_after_the_start_leaves_no_bookable_slot(booking, slot, advisor_user):
    booking_cancel(
        actor=advisor_user, booking=booking, reason="نیامدند", now=slot.starts_at + dt.timedelta(minutes=5)
    )
    slot.refresh_from_db()
    assert slot.status == SlotStatus.CANCELLED


# --- reschedule -----------------------------------------------------------------------------------------


def test_rescheduling_moves_the_booking_and_its_referral_to_the_new_slot(
    slot, qc, unit_rep, qazvin_unit, advisor, advisor_user
):
    referral = refer(qazvin_unit, qc)
    booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit, question="سؤال")
    later = publish(advisor_user, advisor, qc, days=4)
    moved = booking_reschedule(actor=unit_rep, booking=booking, new_slot=later)
    booking.refresh_from_db(), slot.refresh_from_db(), later.refresh_from_db(), referral.refresh_from_db()
    assert booking.status == BookingStatus.RESCHEDULED and booking.rescheduled_to == moved
    assert (moved.slot, moved.status, moved.question, moved.referral) == (later, "booked", "سؤال", referral)
    assert (slot.status, later.status, referral.status) == ("open", "booked", "booked")
    assert AuditEvent.objects.filter(event_type=EventType.BOOKING_RESCHEDULED).count() == 1


def test_a_booking_is_moved_at_most_twice(slot, qc, unit_rep, qazvin_unit, advisor, advisor_user, in_english):
    booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit)
    second = publish(advisor_user, advisor, qc, days=4)
    third = publish(advisor_user, advisor, qc, days=5)
    fourth = publish(advisor_user, advisor, qc, days=6)
    booking = booking_reschedule(actor=unit_rep, booking=booking, new_slot=second)
    booking = booking_reschedule(actor=unit_rep, booking=booking, new_slot=third)
    error = refused("reschedule_limit", booking_reschedule, actor=unit_rep, booking=booking, new_slot=fourth)
    assert "2 times" in error.message and "Cancel it and book a new slot" in error.message
    # The advisor is held to the same limit.
    refused("reschedule_limit", booking_reschedule, actor=slot.advisor.user, booking=booking, new_slot=fourth)


def test_rescheduling_inside_the_notice_period_is_too_late_for_the_unit(
    booking, slot, qc, unit_rep, advisor, advisor_user
):
    later = publish(advisor_user, advisor, qc, days=4)
    refused(
        "too_late",
        booking_reschedule,
        actor=unit_rep,
        booking=booking,
        new_slot=later,
        now=slot.starts_at - dt.timedelta(hours=2),
    )


def test_rescheduling_to_a_slot_the_unit_could_not_book_is_refused(
    booking, slot, qc, labelling, unit_rep, advisor, advisor_user, second_rep, second_unit
):
    taken = publish(advisor_user, advisor, qc, days=4)
    booking_create(actor=second_rep, slot=taken, unit=second_unit)
    refused("slot_taken", booking_reschedule, actor=unit_rep, booking=booking, new_slot=taken)
    other_topic = publish(advisor_user, advisor, labelling, days=5)
    error = refused("invalid", booking_reschedule, actor=unit_rep, booking=booking, new_slot=other_topic)
    assert error.field == "slot"
    refused("invalid", booking_reschedule, actor=unit_rep, booking=booking, new_slot=slot)
    withdrawn = publish(advisor_user, advisor, qc, days=6)
    slot_cancel(actor=advisor_user, slot=withdrawn, reason="سفر")
    refused("slot_cancelled", booking_reschedule, actor=unit_rep, booking=booking, new_slot=withdrawn)


def test_a_referred_booking_keeps_its_priority_when_moved(
    settings, qc, unit_rep, qazvin_unit, advisor, advisor_user, slot
):
    refer(qazvin_unit, qc)
    booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit)
    settings.HAMI_CLINIC_PRIORITY_HOURS = 48
    reserved = publish(advisor_user, advisor, qc, days=5)
    moved = booking_reschedule(actor=unit_rep, booking=booking, new_slot=reserved)
    assert moved.slot == reserved


# --- the advisor's notes and the rating -----------------------------------------------------------------


def test_notes_only_after_the_start_and_only_by_the_advisor(
    booking, slot, advisor_user, other_advisor_user, qazvin_officer, unit_rep
):
    refused("wrong_state", booking_record_session, actor=advisor_user, booking=booking, notes="خوب بود")
    after = slot.starts_at + dt.timedelta(minutes=30)
    for actor in (other_advisor_user, qazvin_officer, unit_rep):
        refused("forbidden", booking_record_session, actor=actor, booking=booking, notes="x", now=after)
    error = refused(
        "invalid", booking_record_session, actor=advisor_user, booking=booking, notes="  ", now=after
    )
    assert error.field == "notes"


def test_a_held_session_completes_the_referral_and_asks_the_unit_to_rate(
    slot, qc, unit_rep, qazvin_unit, advisor_user, django_capture_on_commit_callbacks
):
    referral = refer(qazvin_unit, qc)
    booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit)
    with django_capture_on_commit_callbacks(execute=True):
        booking_record_session(
            actor=advisor_user, booking=booking, notes="روش نمونه‌برداری\nو ثبت نتایج", now=slot.starts_at
        )
    booking.refresh_from_db(), slot.refresh_from_db(), referral.refresh_from_db()
    assert (booking.status, slot.status, referral.status) == ("held", "held", "completed")
    assert booking.advisor_notes == "روش نمونه‌برداری\nو ثبت نتایج"
    assert Notification.objects.filter(user=unit_rep, link__contains=str(booking.public_id)).exists()
    refused(
        "wrong_state",
        booking_record_session,
        actor=advisor_user,
        booking=booking,
        notes="دوباره",
        now=slot.ends_at,
    )


def test_a_no_show_opens_the_referral_again(slot, qc, unit_rep, qazvin_unit, advisor_user):
    referral = refer(qazvin_unit, qc)
    booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit)
    booking_record_session(actor=advisor_user, booking=booking, notes="", held=False, now=slot.ends_at)
    booking.refresh_from_db(), referral.refresh_from_db()
    assert (booking.status, referral.status) == ("no_show", "open")
    refused("wrong_state", booking_rate, actor=unit_rep, booking=booking, rating=5)


def test_the_unit_rates_a_held_session_once_from_1_to_5(
    booking, slot, unit_rep, advisor_user, second_rep, qazvin_officer
):
    refused("wrong_state", booking_rate, actor=unit_rep, booking=booking, rating=4)
    booking_record_session(actor=advisor_user, booking=booking, notes="مشاوره انجام شد", now=slot.starts_at)
    for bad in (0, 6, True, "5"):
        error = refused("invalid", booking_rate, actor=unit_rep, booking=booking, rating=bad)
        assert error.field == "rating"
    for actor in (second_rep, qazvin_officer, advisor_user):
        refused("forbidden", booking_rate, actor=actor, booking=booking, rating=5)
    booking_rate(actor=unit_rep, booking=booking, rating=4, comment="مفید بود")
    booking.refresh_from_db()
    assert (booking.rating, booking.rating_comment) == (4, "مفید بود")
    refused("wrong_state", booking_rate, actor=unit_rep, booking=booking, rating=5)


# --- reminders ------------------------------------------------------------------------------------------


def test_reminders_go_once_to_the_unit_and_the_advisor_within_the_reminder_hours(
    booking,
    slot,
    unit_rep,
    advisor_user,
    advisor,
    qc,
    second_rep,
    second_unit,
    django_capture_on_commit_callbacks,
):
    far = publish(advisor_user, advisor, qc, days=9)
    booking_create(actor=second_rep, slot=far, unit=second_unit)
    early = slot.starts_at - dt.timedelta(hours=30)
    assert bookings_remind(now=early) == 0
    now = slot.starts_at - dt.timedelta(hours=20)
    about = Notification.objects.filter(link__contains=str(booking.public_id))
    with django_capture_on_commit_callbacks(execute=True):
        assert bookings_remind(now=now) == 1
    assert sorted(about.values_list("user__username", flat=True)) == sorted(
        [unit_rep.username, advisor_user.username]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert bookings_remind(now=now + dt.timedelta(hours=1)) == 0
    assert about.count() == 2
    assert not Notification.objects.filter(user=second_rep).exists()  # its session is 9 days away
    booking.refresh_from_db()
    assert booking.reminded_at == now


def test_a_cancelled_booking_gets_no_reminder(booking, slot, unit_rep):
    booking_cancel(actor=unit_rep, booking=booking)
    assert bookings_remind(now=slot.starts_at - dt.timedelta(hours=2)) == 0
    assert timezone.now() < slot.starts_at
