"""Fixtures of the clinics: a private consultant advising Qazvin on quality control and labelling, a
second unit of Qazvin with its own representative, slots a few days ahead, and helpers to publish,
book and take a snapshot of everything a refused call must leave untouched.

The priority window is off by default (HAMI_CLINIC_PRIORITY_HOURS = 0) so that a slot is bookable by
anyone; the tests of priority turn it on."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_user
from hami.core.models import AuditEvent, Notification, Role
from hami.labs.tests.conftest import (  # noqa: F401  (fixtures)
    cheap_lab,
    cheap_lab_user,
    milk_standard,
    product,
    requirements,
    sample,
)
from hami.outreach.models import Booking, Referral, Slot, Topic
from hami.outreach.services.bookings import booking_create
from hami.outreach.services.clinics import advisor_save, slot_publish
from hami.registry.services import unit_create, unit_membership_add


@pytest.fixture(autouse=True)
def _no_priority_window(settings):
    settings.HAMI_CLINIC_PRIORITY_HOURS = 0
    settings.HAMI_OUTREACH_NOTICE_HOURS = 24
    settings.HAMI_OUTREACH_REMINDER_HOURS = 24


@pytest.fixture
def qc(db) -> Topic:
    return Topic.objects.get(code="quality-control")


@pytest.fixture
def labelling(db) -> Topic:
    return Topic.objects.get(code="labelling")


@pytest.fixture
def export(db) -> Topic:
    return Topic.objects.get(code="export")


@pytest.fixture
def advisor_user(db):
    return make_user("consultant", Role.ADVISOR)


@pytest.fixture
def advisor(qazvin_officer, advisor_user, qazvin, qc, labelling):
    return advisor_save(
        actor=qazvin_officer,
        user=advisor_user,
        kind="consultant",
        display_name="دکتر مریم احمدی",
        province=qazvin,
        topics=[qc, labelling],
    )


@pytest.fixture
def other_advisor_user(db):
    return make_user("consultant-2", Role.ADVISOR)


@pytest.fixture
def other_advisor(qazvin_officer, other_advisor_user, qazvin, qc):
    return advisor_save(
        actor=qazvin_officer,
        user=other_advisor_user,
        kind="consultant",
        display_name="مهندس رضا کریمی",
        province=qazvin,
        topics=[qc],
    )


@pytest.fixture
def second_unit(qazvin_officer, takestan):
    from hami.core.identifiers import make_legal_id

    return unit_create(
        actor=qazvin_officer,
        national_id=make_legal_id("1038028400"),
        name_fa="کارخانه رب تاکستان",
        name_en="Takestan Paste Factory",
        county=takestan,
        isic="1030",
    )


@pytest.fixture
def second_rep(second_unit, qazvin_officer):
    user = make_user("second-rep", Role.UNIT_REP)
    unit_membership_add(actor=qazvin_officer, unit=second_unit, user=user)
    return user


@pytest.fixture
def tehran_rep(tehran_unit, tehran_officer):
    user = make_user("tehran-rep", Role.UNIT_REP)
    unit_membership_add(actor=tehran_officer, unit=tehran_unit, user=user)
    return user


def at(days: float, hour: int = 9, minute: int = 0) -> dt.datetime:
    """`days` from today at hour:minute, Tehran time."""
    day = timezone.localdate() + dt.timedelta(days=int(days))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def publish(actor, advisor, topic, *, days=3, hour=9, minutes=60, mode="in_person", **extra) -> Slot:
    starts_at = at(days, hour)
    return slot_publish(
        actor=actor,
        advisor=advisor,
        topic=topic,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        mode=mode,
        venue=extra.pop("venue", "اداره کل استاندارد قزوین، اتاق ۲۰۴" if mode == "in_person" else ""),
        link=extra.pop("link", "https://meet.example.ir/clinic" if mode == "online" else ""),
        **extra,
    )


@pytest.fixture
def slot(advisor, advisor_user, qc) -> Slot:
    return publish(advisor_user, advisor, qc, days=3)


@pytest.fixture
def booking(slot, unit_rep, qazvin_unit) -> Booking:
    return booking_create(
        actor=unit_rep, slot=slot, unit=qazvin_unit, question="چطور آزمون روزانه را ثبت کنیم؟"
    )


def snapshot() -> dict:
    """What a refused call must not change: every booking, slot and referral's state, the audit trail and
    the notices."""
    return {
        "bookings": sorted(Booking.objects.values_list("pk", "status", "slot_id", "referral_id", "rating")),
        "slots": sorted(Slot.objects.values_list("pk", "status", "cancel_reason")),
        "referrals": sorted(Referral.objects.values_list("pk", "status")),
        "audit": AuditEvent.objects.count(),
        "notices": Notification.objects.count(),
    }
