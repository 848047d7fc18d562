"""Advisor profiles (who may be which kind of advisor, who manages them) and slots (publishing rules,
weekly series, cancelling with its booking)."""

import datetime as dt

import pytest

from conftest import make_user
from hami.core.errors import HamiError
from hami.core.models import AuditEvent, EventType, Notification, Role
from hami.labs.models import Lab, LabMembership
from hami.outreach.models import Advisor, Booking, Referral, Slot, SlotStatus
from hami.outreach.services.bookings import booking_create
from hami.outreach.services.clinics import (
    advisor_deactivate,
    advisor_save,
    slot_cancel,
    slot_publish,
    slots_publish_series,
)
from hami.outreach.services.referrals import referral_create
from hami.outreach.tests.clinics.conftest import at, publish, snapshot

pytestmark = pytest.mark.django_db


def refused(code, call, **kwargs) -> HamiError:
    before = snapshot(), Advisor.objects.count()
    with pytest.raises(HamiError) as caught:
        call(**kwargs)
    assert str(caught.value.code) == code, caught.value.message
    assert (snapshot(), Advisor.objects.count()) == before
    return caught.value


# --- advisors -------------------------------------------------------------------------------------------


def test_the_office_makes_an_office_expert_of_its_own_staff(qazvin_officer, qazvin, qc):
    expert = make_user("qazvin-expert", Role.OFFICE_STAFF, qazvin)
    advisor = advisor_save(
        actor=qazvin_officer,
        user=expert,
        kind="office_expert",
        display_name=" مهندس  سعیدی ",
        province=qazvin,
        topics=[qc],
    )
    assert (advisor.display_name, advisor.is_active, list(advisor.topics.all())) == (
        "مهندس سعیدی",
        True,
        [qc],
    )
    assert (
        AuditEvent.objects.filter(event_type=EventType.ADVISOR_SAVED, object_id=str(advisor.pk)).count() == 1
    )


def test_an_office_expert_must_be_office_staff_of_that_province(
    qazvin_officer, qazvin, tehran, qc, advisor_user
):
    tehran_staff = make_user("tehran-expert", Role.OFFICE_STAFF, tehran)
    for user in (tehran_staff, advisor_user):
        error = refused(
            "invalid",
            advisor_save,
            actor=qazvin_officer,
            user=user,
            kind="office_expert",
            display_name="x",
            province=qazvin,
            topics=[qc],
        )
        assert error.field == "user"


def test_a_private_consultant_has_the_advisor_role(qazvin_officer, qazvin, qc, unit_rep, advisor_user):
    error = refused(
        "invalid",
        advisor_save,
        actor=qazvin_officer,
        user=unit_rep,
        kind="consultant",
        display_name="x",
        province=qazvin,
        topics=[qc],
    )
    assert error.field == "user"


def test_a_lab_expert_is_staff_of_the_lab_given(qazvin_officer, qazvin, qc, lab_user):
    lab = LabMembership.objects.get(user=lab_user).lab
    other_lab = Lab.objects.create(name_fa="آزمایشگاه دیگر", province=qazvin, county=lab.county)
    common = {
        "actor": qazvin_officer,
        "user": lab_user,
        "kind": "lab_expert",
        "display_name": "x",
        "province": qazvin,
    }
    assert refused("invalid", advisor_save, topics=[qc], **common).field == "lab"
    assert refused("invalid", advisor_save, topics=[qc], lab=other_lab, **common).field == "user"
    advisor = advisor_save(topics=[qc], lab=lab, **common)
    assert advisor.lab == lab


def test_an_advisor_needs_a_name_and_a_topic(qazvin_officer, qazvin, advisor_user, qc):
    common = {"actor": qazvin_officer, "user": advisor_user, "kind": "consultant", "province": qazvin}
    assert refused("invalid", advisor_save, display_name=" ", topics=[qc], **common).field == "display_name"
    assert refused("invalid", advisor_save, display_name="x", topics=[], **common).field == "topics"


def test_only_the_office_of_the_province_manages_its_advisors(
    tehran_officer, qazvin_inspector, unit_rep, advisor_user, qazvin, qc, advisor
):
    for actor in (tehran_officer, qazvin_inspector, unit_rep, advisor_user):
        error = refused(
            "forbidden",
            advisor_save,
            actor=actor,
            user=advisor_user,
            kind="consultant",
            display_name="x",
            province=qazvin,
            topics=[qc],
        )
        assert error.status == 403
    refused("forbidden", advisor_deactivate, actor=tehran_officer, advisor=advisor, reason="x")


def test_saving_an_existing_advisor_edits_it(advisor, qazvin_officer, advisor_user, qazvin, labelling):
    again = advisor_save(
        actor=qazvin_officer,
        user=advisor_user,
        kind="consultant",
        display_name="دکتر احمدی",
        province=qazvin,
        topics=[labelling],
    )
    assert again.pk == advisor.pk and list(again.topics.all()) == [labelling]
    assert Advisor.objects.count() == 1


def test_deactivating_an_advisor_cancels_its_future_slots_and_tells_the_units(
    advisor, advisor_user, qc, slot, unit_rep, qazvin_unit, qazvin_officer, django_capture_on_commit_callbacks
):
    booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit)
    free = publish(advisor_user, advisor, qc, days=4)
    refused("invalid", advisor_deactivate, actor=qazvin_officer, advisor=advisor, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        advisor_deactivate(actor=qazvin_officer, advisor=advisor, reason="پایان همکاری")
    advisor.refresh_from_db()
    assert not advisor.is_active
    assert set(Slot.objects.values_list("pk", "status")) == {(slot.pk, "cancelled"), (free.pk, "cancelled")}
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert Notification.objects.filter(user=unit_rep, link__contains=str(booking.public_id)).exists()
    refused("wrong_state", publish, actor=advisor_user, advisor=advisor, topic=qc, days=6)
    # Saving the profile again brings it back.
    advisor_save(
        actor=qazvin_officer,
        user=advisor_user,
        kind="consultant",
        display_name="x",
        province=advisor.province,
        topics=[qc],
    )
    assert Advisor.objects.get(pk=advisor.pk).is_active


# --- slots ----------------------------------------------------------------------------------------------


def test_the_advisor_and_its_office_publish_but_nobody_else(
    advisor, advisor_user, qazvin_officer, qc, other_advisor_user, tehran_officer, unit_rep
):
    assert publish(advisor_user, advisor, qc, days=3).province == advisor.province
    assert publish(qazvin_officer, advisor, qc, days=4).status == SlotStatus.OPEN
    for actor in (other_advisor_user, tehran_officer, unit_rep):
        refused("forbidden", publish, actor=actor, advisor=advisor, topic=qc, days=5)


def test_a_slot_must_be_in_the_future_and_end_after_it_starts(advisor, advisor_user, qc):
    start = at(3)
    common = {"actor": advisor_user, "advisor": advisor, "topic": qc, "mode": "in_person", "venue": "اتاق ۲"}
    assert (
        refused("invalid", slot_publish, starts_at=at(-1), ends_at=at(-1, 10), **common).field == "starts_at"
    )
    assert refused("invalid", slot_publish, starts_at=start, ends_at=start, **common).field == "ends_at"
    too_long = start + dt.timedelta(hours=9)
    assert refused("invalid", slot_publish, starts_at=start, ends_at=too_long, **common).field == "ends_at"
    naive = start.replace(tzinfo=None)
    assert refused("invalid", slot_publish, starts_at=naive, ends_at=naive + dt.timedelta(hours=1), **common)


def test_a_slot_is_on_one_of_the_advisors_topics(advisor, advisor_user, export):
    assert refused("invalid", publish, actor=advisor_user, advisor=advisor, topic=export).field == "topic"


def test_in_person_needs_a_venue_and_online_a_link(advisor, advisor_user, qc):
    assert (
        refused("invalid", publish, actor=advisor_user, advisor=advisor, topic=qc, venue=" ").field == "venue"
    )
    for link in ("", "meet", "javascript:alert(1)", "ftp://x.ir/a"):
        error = refused(
            "invalid", publish, actor=advisor_user, advisor=advisor, topic=qc, mode="online", link=link
        )
        assert error.field == "link"
    online = publish(
        advisor_user, advisor, qc, mode="online", link="https://meet.example.ir/a", venue="ignored"
    )
    assert (online.link, online.venue) == ("https://meet.example.ir/a", "")


def test_an_advisors_slots_never_overlap(
    advisor, advisor_user, qc, labelling, other_advisor, other_advisor_user
):
    first = publish(advisor_user, advisor, qc, days=3, hour=9, minutes=60)
    error = refused(
        "slot_overlap",
        publish,
        actor=advisor_user,
        advisor=advisor,
        topic=labelling,
        days=3,
        hour=9,
        minutes=30,
    )
    assert error.field == "starts_at"
    # Back to back is fine, and another advisor may hold the same hour.
    publish(advisor_user, advisor, qc, days=3, hour=10)
    publish(other_advisor_user, other_advisor, qc, days=3, hour=9)
    # A cancelled slot frees its time.
    slot_cancel(actor=advisor_user, slot=first, reason="جابه‌جایی")
    publish(advisor_user, advisor, qc, days=3, hour=9, minutes=30)


def test_a_weekly_series_publishes_every_week_at_the_same_local_hour(advisor, advisor_user, qc):
    start = at(2, 9)
    slots = slots_publish_series(
        actor=advisor_user,
        advisor=advisor,
        topic=qc,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        weeks=4,
        mode="online",
        link="https://meet.example.ir/weekly",
    )
    from django.utils import timezone

    assert [timezone.localtime(s.starts_at).hour for s in slots] == [9, 9, 9, 9]
    assert [(s.starts_at - start).days for s in slots] == [0, 7, 14, 21]
    assert AuditEvent.objects.filter(event_type=EventType.SLOT_PUBLISHED).count() == 4


def test_a_series_with_one_clash_publishes_nothing(advisor, advisor_user, qc):
    clash = publish(advisor_user, advisor, qc, days=16, hour=9)
    start = at(2, 9)
    before = Slot.objects.count()
    with pytest.raises(HamiError) as caught:
        slots_publish_series(
            actor=advisor_user,
            advisor=advisor,
            topic=qc,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            weeks=3,
            mode="in_person",
            venue="اتاق ۳",
        )
    assert caught.value.code == "slot_overlap" and Slot.objects.count() == before == 1
    assert Slot.objects.get() == clash
    with pytest.raises(HamiError) as caught:
        slots_publish_series(
            actor=advisor_user,
            advisor=advisor,
            topic=qc,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            weeks=27,
            mode="in_person",
            venue="اتاق ۳",
        )
    assert caught.value.field == "weeks"


def test_units_referred_on_the_topic_hear_of_a_new_slot(
    advisor,
    advisor_user,
    qc,
    qazvin_unit,
    unit_rep,
    second_unit,
    second_rep,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.HAMI_CLINIC_PRIORITY_HOURS = 48
    referral_create(unit=qazvin_unit, source="finding", source_ref="F-1", reason="ثبت نشدن آزمون‌ها", topic=qc)
    with django_capture_on_commit_callbacks(execute=True):
        slot = publish(advisor_user, advisor, qc)
    assert Notification.objects.filter(user=unit_rep, link__contains=str(slot.public_id)).count() == 1
    assert not Notification.objects.filter(user=second_rep).exists()


def test_cancelling_a_booked_slot_cancels_the_booking_reopens_the_referral_and_tells_the_unit(
    slot, qc, advisor_user, unit_rep, qazvin_unit, django_capture_on_commit_callbacks
):
    referral = referral_create(unit=qazvin_unit, source="finding", source_ref="F-2", reason="x", topic=qc)
    booking = booking_create(actor=unit_rep, slot=slot, unit=qazvin_unit)
    assert refused("invalid", slot_cancel, actor=advisor_user, slot=slot, reason="").field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        slot_cancel(actor=advisor_user, slot=slot, reason="بیماری مشاور")
    slot.refresh_from_db(), booking.refresh_from_db(), referral.refresh_from_db()
    assert (slot.status, slot.cancel_reason, booking.status, referral.status) == (
        "cancelled",
        "بیماری مشاور",
        "cancelled",
        "open",
    )
    [notice] = Notification.objects.filter(user=unit_rep)
    assert "بیماری مشاور" in notice.body
    refused("wrong_state", slot_cancel, actor=advisor_user, slot=slot, reason="دوباره")


def test_a_slot_that_started_cannot_be_cancelled(
    slot, advisor_user, unit_rep, tehran_officer, qazvin_officer
):
    refused("slot_past", slot_cancel, actor=advisor_user, slot=slot, reason="x", now=slot.starts_at)
    for actor in (unit_rep, tehran_officer):
        refused("forbidden", slot_cancel, actor=actor, slot=slot, reason="x")
    slot_cancel(actor=qazvin_officer, slot=slot, reason="تعطیلی اداره")
    assert Referral.objects.count() == 0
