"""Fixtures of training: a national QC competence course and its renewal course, a Qazvin course on a
standard, sessions a week ahead, a representative of a Tehran unit (a unit that is not Qazvin's), and
helpers to register people, move a session into the past ("it took place") and take a snapshot of
everything a refused call must leave untouched."""

import datetime as dt
from itertools import count

import pytest
from django.utils import timezone

from conftest import make_user
from hami.core.identifiers import make_national_code
from hami.core.models import AuditEvent, Notification, Role
from hami.outreach.models import Certificate, CourseKind, CourseSession, Registration
from hami.outreach.services.training import course_save, registration_create, session_schedule
from hami.registry.services import unit_membership_add

_people = count(1)


@pytest.fixture(autouse=True)
def _hours(settings):
    settings.HAMI_OUTREACH_NOTICE_HOURS = 24
    settings.HAMI_OUTREACH_REMINDER_HOURS = 24
    settings.HAMI_QC_CERTIFICATE_MONTHS = 36


def person(name: str = "") -> tuple[str, str]:
    """A full name and a national code that passes its check digit, different on every call."""
    n = next(_people)
    return (name or f"کارمند شماره {n}", make_national_code(f"{3_000_000 + n:09d}"))


@pytest.fixture
def qc_course(admin_user):
    return course_save(
        actor=admin_user,
        code="qc-competence",
        title_fa="صلاحیت مسئول کنترل کیفیت",
        title_en="QC manager competence",
        kind=CourseKind.QC_COMPETENCE,
        hours=40,
    )


@pytest.fixture
def renewal_course(admin_user):
    return course_save(
        actor=admin_user,
        code="qc-renewal",
        title_fa="تمدید صلاحیت مسئول کنترل کیفیت",
        title_en="QC manager competence renewal",
        kind=CourseKind.QC_RENEWAL,
        hours=16,
    )


@pytest.fixture
def standard_course(qazvin_officer, qazvin):
    return course_save(
        actor=qazvin_officer,
        code="inso-93-milk",
        title_fa="الزامات استاندارد شیر پاستوریزه",
        kind=CourseKind.STANDARD,
        hours=8,
        certificate_months=24,
        province=qazvin,
    )


def schedule(officer, course, *, capacity=2, days=7, hours=4, online=False):
    # At 09:00 office time: a session started at "now + days" after 20:00 would end after midnight, which
    # the session form (one day, a start and an end time) cannot express.
    day = timezone.localdate() + dt.timedelta(days=days)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    return session_schedule(
        actor=officer,
        course=course,
        province=officer.province,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        capacity=capacity,
        mode="online" if online else "in_person",
        venue="" if online else "سالن آموزش اداره کل استاندارد قزوین",
        link="https://meet.example.ir/qc" if online else "",
        trainer="مهندس سارا رحیمی",
    )


@pytest.fixture
def session(qazvin_officer, standard_course):
    """Two places, a week ahead."""
    return schedule(qazvin_officer, standard_course)


@pytest.fixture
def qc_session(qazvin_officer, qc_course):
    return schedule(qazvin_officer, qc_course, capacity=10)


def register(actor, session, unit, name: str = "", code: str = "", **kwargs) -> Registration:
    full_name, national_code = person(name)
    return registration_create(
        actor=actor,
        session=session,
        unit=unit,
        full_name=full_name,
        national_code=code or national_code,
        **kwargs,
    )


def took_place(session, *, days_ago: int = 1) -> CourseSession:
    """Move a session into the past, as if the week had gone by (the test's clock does not move)."""
    starts = timezone.now() - dt.timedelta(days=days_ago, hours=4)
    CourseSession.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=3)
    )
    session.refresh_from_db()
    return session


def starts_in(session, **delta) -> CourseSession:
    starts = timezone.now() + dt.timedelta(**delta)
    CourseSession.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=3)
    )
    session.refresh_from_db()
    return session


@pytest.fixture
def tehran_rep(tehran_unit, tehran_officer):
    """A representative of a Tehran unit: `unit_rep of another unit` for Qazvin's unit."""
    user = make_user("tehran-rep", Role.UNIT_REP)
    unit_membership_add(actor=tehran_officer, unit=tehran_unit, user=user)
    return user


def snapshot() -> dict:
    """What a refused call must not change."""
    return {
        "registrations": list(Registration.objects.order_by("pk").values_list("pk", "status", "promoted_at")),
        "sessions": list(
            CourseSession.objects.order_by("pk").values_list("pk", "status", "capacity", "starts_at")
        ),
        "certificates": list(Certificate.objects.order_by("pk").values_list("pk", "status")),
        "events": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }
