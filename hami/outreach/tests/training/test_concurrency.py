"""Many units taking the last place of a session at the same moment, on PostgreSQL with real parallel
transactions: exactly one gets the place, every other goes on the waitlist, and the session never holds
more people than its capacity. And one person registered by several requests at once: one registration.

Why these tests can fail: each thread runs on its own connection and all start together at a barrier.
Without the session's row lock (select_for_update in registration_create) every thread would count the
places before the first commits and each would see one free place: the session would end with several
people over its capacity. The second test is kept by the partial unique index
`registration_person_once_per_session` as well as the lock. The first was checked by running it on a
copy of the code without the lock: it failed (several people registered for the one free place)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from conftest import make_user
from hami.core.identifiers import make_national_code
from hami.core.models import County, Province, Role
from hami.labs.tests.steps import at_once
from hami.outreach.models import CourseKind, Registration, RegistrationStatus
from hami.outreach.services.training import course_save, registration_create, session_schedule
from hami.outreach.tests.people import units_with_reps

THREADS = 8


def _world(capacity: int):
    """A transactional test starts from an emptied database: load what the migrations would have."""
    from hami.core.divisions import load_divisions

    load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    county = qazvin.counties.get(code="qazvin")
    officer = make_user("officer", Role.OFFICE_STAFF, qazvin)
    course = course_save(
        actor=officer, code="haccp", title_fa="هسپ", kind=CourseKind.GENERAL, province=qazvin, hours=8
    )
    starts = timezone.now() + dt.timedelta(days=5)
    session = session_schedule(
        actor=officer,
        course=course,
        province=qazvin,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=4),
        capacity=capacity,
        venue="سالن آموزش",
    )
    reps = units_with_reps(officer=officer, county=county, count=THREADS)
    return session, reps


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_many_units_taking_the_last_place_at_once_leave_exactly_one_registered():
    session, reps = _world(capacity=3)
    first, second = reps[0], reps[1]
    for rep, unit in (first, second):  # two places taken; one left
        registration_create(
            actor=rep,
            session=session,
            unit=unit,
            full_name="پیشین",
            national_code=make_national_code(f"{unit.pk:09d}"),
        )

    def take(rep, unit, n):
        return lambda: (
            registration_create(
                actor=rep,
                session=session,
                unit=unit,
                full_name=f"شرکت‌کننده {n}",
                national_code=make_national_code(f"{500_000 + n:09d}"),
            ).status
        )

    outcomes = at_once(*(take(rep, unit, n) for n, (rep, unit) in enumerate(reps)))
    assert sorted(outcomes) == ["registered"] + ["waitlisted"] * (THREADS - 1)
    holding = Registration.objects.filter(session=session, status=RegistrationStatus.REGISTERED).count()
    assert holding == session.capacity == 3
    waiting = Registration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED)
    assert waiting.count() == THREADS - 1
    assert connection.vendor == "postgresql"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_one_person_registered_by_several_requests_at_once_is_registered_once():
    session, reps = _world(capacity=50)
    rep, unit = reps[0]
    code = make_national_code("123456780")

    def again():
        return registration_create(
            actor=rep, session=session, unit=unit, full_name="تکراری", national_code=code
        ).status

    outcomes = at_once(*(again for _ in range(THREADS)))
    assert sorted(map(str, outcomes)) == ["already_registered"] * (THREADS - 1) + ["registered"]
    assert Registration.objects.filter(session=session, national_code=code).count() == 1
    assert connection.vendor == "postgresql"
