"""Training: the course catalogue, sessions, registrations and their waitlist, attendance, and the
reminders before a session (docs/outreach.md draws the states). The certificates a completed session
issues, the QC manager's competence certificate among them, are in services/certificates.py.

A registration:

    REGISTERED ──cancel──▶ CANCELLED        the unit up to HAMI_OUTREACH_NOTICE_HOURS before; office any time
    WAITLISTED ──cancel──▶ CANCELLED        (a waiting person may leave until the session ends)
    WAITLISTED ──a place frees──▶ REGISTERED  first come, first served (`promoted_at`; the unit is told)
    REGISTERED ──attendance──▶ ATTENDED | ABSENT   (the office, once the session has started)

A session (its certificates are in services/certificates.py):

    SCHEDULED ──cancel (reason)──▶ CANCELLED          everyone registered or waiting is told
    SCHEDULED ──complete──▶ COMPLETED                 after it ends, with everyone's attendance;
                                                      issues a certificate to each attendee

Places are counted under a lock on the session row (select_for_update), so two units can never take
the last place at once: the second waits, then counts the first and goes on the waitlist. The partial
unique index `registration_person_once_per_session` keeps the same person out of a session twice even
if a code path forgot the lock; its IntegrityError is answered as ALREADY_REGISTERED too.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.identifiers import clean_digits
from hami.core.jalali import format_datetime
from hami.core.models import EventType, Province, User
from hami.core.persian import normalize_text
from hami.core.validators import validate_national_code

# A pure module (no Django import): the licence tracking code's Verhoeff check digit.
from hami.outreach.access import can_manage, is_unit_rep, may_register_for
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import (
    HOLDS_PLACE,
    Certificate,
    Course,
    CourseKind,
    CourseSession,
    Mode,
    Registration,
    RegistrationStatus,
    SessionStatus,
    Topic,
)
from hami.outreach.services.certificates import QC_KINDS, certificate_issue, qc_certificate_to_renew
from hami.outreach.services.notices import notify_units_on_commit
from hami.outreach.services.text import clean_choice
from hami.registry.models import ProductionUnit
from hami.standards.models import Standard

# The longest session: beyond this a typo in a date rather than a course.
MAX_SESSION_DAYS = 90


# ---------------------------------------------------------------- shared steps


def _invalid(message: str, field: str | None = None) -> HamiError:
    return HamiError(Code.INVALID, message, field=field)


def _validate(instance, exclude=None) -> None:
    """full_clean, re-raised as a HamiError naming the first bad field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise _invalid(messages[0], None if field == "__all__" else field) from exc


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _lock_session(session: CourseSession) -> CourseSession:
    return CourseSession.objects.select_for_update().select_related("course", "province").get(pk=session.pk)


def _held(session: CourseSession) -> int:
    return session.registrations.filter(status__in=HOLDS_PLACE).count()


def _session_link(session: CourseSession) -> str:
    return reverse("outreach:session_detail", args=[session.public_id])


def _names_by_unit(registrations: Iterable[Registration]) -> dict[int, str]:
    names = defaultdict(list)
    for registration in registrations:
        names[registration.unit_id].append(registration.full_name)
    return {unit_id: "، ".join(people) for unit_id, people in names.items()}


def _require_office(actor: User, session: CourseSession) -> None:
    if not can_manage(actor, session.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office that runs this session may do this."))


def _require_scheduled(session: CourseSession) -> None:
    if session.status != SessionStatus.SCHEDULED:
        raise HamiError(
            Code.WRONG_STATE,
            _("This session is {status}; it cannot be changed any more.").format(
                status=SessionStatus(session.status).label
            ),
        )


# ---------------------------------------------------------------- courses


@transaction.atomic
def course_save(
    *,
    actor: User,
    course: Course | None = None,
    code: str,
    title_fa: str,
    title_en: str = "",
    kind: str = CourseKind.GENERAL,
    topic: Topic | None = None,
    standard: Standard | None = None,
    description: str = "",
    hours: int = 8,
    certificate_months: int | None = None,
    province: Province | None = None,
    is_active: bool = True,
) -> Course:
    """Add a course to the catalogue (`course` None) or change one. National staff keep the national
    catalogue (no province) and any province's; an office its own province's. A QC course without a
    validity gets HAMI_QC_CERTIFICATE_MONTHS. Raises Forbidden, HamiError(INVALID / WRONG_STATE)."""
    province_id = province.pk if province else None
    if not can_manage(actor, province_id) or (
        course is not None and not can_manage(actor, course.province_id)
    ):
        raise Forbidden(
            Code.FORBIDDEN,
            _("National staff keep the national catalogue; an office keeps its own province's courses."),
        )
    clean_choice(kind, CourseKind, field="kind", message=_("Choose the kind of course."))
    created = course is None
    if course is None:
        course = Course()
    else:
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.kind != kind and course.sessions.exists():
            raise HamiError(
                Code.WRONG_STATE,
                _("The kind of a course that has sessions cannot change: its certificates depend on it."),
                field="kind",
            )
    if kind in QC_KINDS and certificate_months is None:
        certificate_months = settings.HAMI_QC_CERTIFICATE_MONTHS
    course.code = str(code or "").strip().lower()
    course.title_fa = normalize_text(title_fa or "")
    course.title_en = normalize_text(title_en or "")
    course.kind = kind
    course.topic = topic
    course.standard = standard
    course.description = (description or "").strip()
    course.hours = hours
    course.certificate_months = certificate_months
    course.province = province
    course.is_active = bool(is_active)
    if not course.title_fa:
        raise _invalid(_("Give the course's title in Persian."), "title_fa")
    _validate(course)
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError as exc:  # another office took the code a moment ago
        raise _invalid(
            _("Another course already has the code {code}.").format(code=course.code), "code"
        ) from exc
    audit(
        actor=actor,
        event_type=EventType.COURSE_SAVED,
        obj=course,
        province=province,
        details={"code": course.code, "kind": kind, "created": created, "active": course.is_active},
    )
    return course


# ---------------------------------------------------------------- sessions


def _check_session(session: CourseSession, now: dt.datetime) -> None:
    clean_choice(session.mode, Mode, field="mode", message=_("Choose in person or online."))
    session.venue = normalize_text(session.venue or "")
    session.link = (session.link or "").strip()
    session.trainer = normalize_text(session.trainer or "")
    if session.mode == Mode.IN_PERSON and not session.venue:
        raise _invalid(_("Give the venue of an in-person session."), "venue")
    if session.mode == Mode.ONLINE and not session.link:
        raise _invalid(_("Give the link of an online session."), "link")
    if session.starts_at is None or session.ends_at is None:
        raise _invalid(_("Give when the session starts and ends."), "starts_at")
    if session.ends_at <= session.starts_at:
        raise _invalid(_("The session must end after it starts."), "ends_at")
    if session.ends_at - session.starts_at > dt.timedelta(days=MAX_SESSION_DAYS):
        raise _invalid(
            _("A session lasts at most {days} days; check the dates.").format(days=MAX_SESSION_DAYS),
            "ends_at",
        )
    if session.starts_at <= now:
        raise _invalid(_("A session is scheduled to start in the future."), "starts_at")
    if isinstance(session.capacity, bool) or not isinstance(session.capacity, int):
        raise _invalid(_("The capacity is a whole number."), "capacity")
    _validate(session, exclude=["course", "province"])


@transaction.atomic
def session_schedule(
    *,
    actor: User,
    course: Course,
    province: Province,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    mode: str = Mode.IN_PERSON,
    venue: str = "",
    link: str = "",
    trainer: str = "",
) -> CourseSession:
    """Schedule a run of a course in the province (its office, or national staff). Raises Forbidden,
    HamiError(INVALID / WRONG_STATE)."""
    if not can_manage(actor, province.pk):
        raise Forbidden(Code.FORBIDDEN, _("Only the province's office schedules its course sessions."))
    if not course.is_active:
        raise HamiError(Code.WRONG_STATE, _("This course is no longer offered."), field="course")
    if course.province_id not in (None, province.pk):
        raise _invalid(_("This course belongs to another province's catalogue."), "course")
    session = CourseSession(
        course=course,
        province=province,
        mode=mode,
        venue=venue,
        link=link,
        starts_at=_aware(starts_at),
        ends_at=_aware(ends_at),
        capacity=capacity,
        trainer=trainer,
    )
    _check_session(session, timezone.now())
    session.save()
    audit(
        actor=actor,
        event_type=EventType.SESSION_SCHEDULED,
        obj=session,
        province=province,
        details={
            "course": course.code,
            "starts_at": session.starts_at.isoformat(),
            "capacity": session.capacity,
            "mode": session.mode,
        },
    )
    return session


@transaction.atomic
def session_update(
    *,
    actor: User,
    session: CourseSession,
    mode: str | None = None,
    venue: str | None = None,
    link: str | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    capacity: int | None = None,
    trainer: str | None = None,
) -> CourseSession:
    """Change the venue, link, time, trainer or capacity of a session that has not started (None: keep).
    The capacity cannot go below the places held; raising it promotes the waitlist. Everyone
    registered or waiting is told of a new time or place. Raises Forbidden, HamiError(INVALID /
    WRONG_STATE)."""
    session = _lock_session(session)
    _require_office(actor, session)
    _require_scheduled(session)
    now = timezone.now()
    if session.starts_at <= now:
        raise HamiError(Code.WRONG_STATE, _("The session has started; complete it or cancel it instead."))
    given = {
        "mode": mode,
        "venue": venue,
        "link": link,
        "starts_at": _aware(starts_at),
        "ends_at": _aware(ends_at),
        "capacity": capacity,
        "trainer": trainer,
    }
    before = {name: getattr(session, name) for name in given}
    for name, value in given.items():
        if value is not None:
            setattr(session, name, value)
    _check_session(session, now)
    changed = [name for name in given if getattr(session, name) != before[name]]
    if not changed:
        return session
    held = _held(session)
    if session.capacity < held:
        raise _invalid(
            _("{held} people already hold a place; the capacity cannot go below that.").format(held=held),
            "capacity",
        )
    session.save(update_fields=[*changed, "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.SESSION_UPDATED,
        obj=session,
        province=session.province,
        details={name: [str(before[name]), str(getattr(session, name))] for name in changed},
    )
    if {"mode", "venue", "link", "starts_at", "ends_at"} & set(changed):
        people = list(session.registrations.filter(status__in=[*HOLDS_PLACE, RegistrationStatus.WAITLISTED]))
        where = session.link if session.mode == Mode.ONLINE else session.venue
        subject = _("Course session changed: {course}").format(course=session.course.title)
        notify_units_on_commit(
            {
                unit_id: (
                    subject,
                    _("{course} now takes place from {start} to {end} at {where}. Registered from your unit: "
                      "{names}.").format(
                        course=session.course.title, start=format_datetime(session.starts_at),
                        end=format_datetime(session.ends_at), where=where, names=names,
                    ),
                )
                for unit_id, names in _names_by_unit(people).items()
            },
            link=_session_link(session),
        )  # fmt: skip
    if "capacity" in changed and session.capacity > before["capacity"]:
        waitlist_promote(actor=actor, session=session)
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: CourseSession, reason: str) -> CourseSession:
    """Cancel a session: every registration and waitlist place is cancelled and each unit told, with the
    reason. Raises Forbidden, HamiError(INVALID / WRONG_STATE)."""
    session = _lock_session(session)
    _require_office(actor, session)
    _require_scheduled(session)
    reason = normalize_text(reason or "")
    if not reason:
        raise _invalid(_("Write why the session is cancelled; the units will read it."), "reason")
    people = list(session.registrations.exclude(status=RegistrationStatus.CANCELLED))
    for registration in people:
        registration.status = RegistrationStatus.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason[:300]
    session.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.SESSION_CANCELLED,
        obj=session,
        province=session.province,
        reason=session.cancel_reason,
        details={"registrations_cancelled": len(people)},
    )
    subject = _("Course session cancelled: {course}").format(course=session.course.title)
    notify_units_on_commit(
        {
            unit_id: (
                subject,
                _("The session of {course} on {start} is cancelled: {reason}. Registrations from your unit "
                  "({names}) are cancelled with it.").format(
                    course=session.course.title, start=format_datetime(session.starts_at),
                    reason=session.cancel_reason, names=names,
                ),
            )
            for unit_id, names in _names_by_unit(people).items()
        },
        link=_session_link(session),
    )  # fmt: skip
    return session


@transaction.atomic
def session_complete(*, actor: User, session: CourseSession) -> list[Certificate]:
    """Close a session that has ended, once everyone's attendance is recorded: the people still waiting
    are released and each attendee gets a certificate. Raises Forbidden, HamiError(WRONG_STATE)."""
    session = _lock_session(session)
    _require_office(actor, session)
    _require_scheduled(session)
    if session.ends_at > timezone.now():
        raise HamiError(
            Code.WRONG_STATE,
            _("A session is completed after it ends ({end}).").format(end=format_datetime(session.ends_at)),
        )
    missing = session.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    if missing:
        raise HamiError(
            Code.WRONG_STATE,
            _("Record the attendance of every registered person first ({count} not recorded).").format(
                count=missing
            ),
            field="attended",
        )
    waiting = list(session.registrations.filter(status=RegistrationStatus.WAITLISTED))
    for registration in waiting:
        registration.status = RegistrationStatus.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
    attendees = list(
        session.registrations.filter(status=RegistrationStatus.ATTENDED).order_by("created_at", "pk")
    )
    session.status = SessionStatus.COMPLETED
    session.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.SESSION_COMPLETED,
        obj=session,
        province=session.province,
        details={
            "attended": len(attendees),
            "absent": session.registrations.filter(status=RegistrationStatus.ABSENT).count(),
            "waitlist_released": len(waiting),
        },
    )
    return [certificate_issue(actor=actor, registration=registration) for registration in attendees]


# ---------------------------------------------------------------- registrations


@transaction.atomic
def registration_create(
    *,
    actor: User,
    session: CourseSession,
    unit: ProductionUnit,
    full_name: str,
    national_code: str,
    waitlist: bool = True,
) -> Registration:
    """Register one person of a unit's staff (the unit's representative, or the office of the unit's
    province). A full session puts the person on the waitlist (`status` says so), or with
    `waitlist=False` refuses with FULL. Raises Forbidden, HamiError(INVALID / WRONG_STATE / FULL /
    ALREADY_REGISTERED / NOT_ELIGIBLE); a refusal changes nothing."""
    if not may_register_for(actor, unit):
        raise Forbidden(
            Code.FORBIDDEN,
            _("You may register only your own unit's staff (the office: its province's units)."),
        )
    full_name = normalize_text(full_name or "")
    if not full_name or len(full_name) > 200:
        raise _invalid(_("Give the person's full name (at most 200 letters)."), "full_name")
    national_code = clean_digits(national_code or "")[:20]
    try:
        validate_national_code(national_code)
    except ValidationError as exc:
        raise _invalid(exc.messages[0], "national_code") from exc
    session = _lock_session(session)
    now = timezone.now()
    _require_scheduled(session)
    if session.starts_at <= now:
        raise HamiError(Code.WRONG_STATE, _("This session has already started; registration is closed."))
    if session.course.kind == CourseKind.QC_RENEWAL and not qc_certificate_to_renew(
        national_code, timezone.localdate(now)
    ):
        raise HamiError(
            Code.NOT_ELIGIBLE,
            _("A renewal course is for holders of a QC manager competence certificate that is valid or "
              "expired less than a year ago; {name} holds none. Register for the competence course "
              "instead.").format(name=full_name),
            field="national_code",
        )  # fmt: skip
    existing = (
        session.registrations.filter(national_code=national_code)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if existing is not None:
        raise HamiError(
            Code.ALREADY_REGISTERED,
            _("The person with national code {code} is already {status} in this session.").format(
                code=national_code, status=RegistrationStatus(existing.status).label
            ),
            field="national_code",
        )
    held = _held(session)
    full = held >= session.capacity
    if full and not waitlist:
        raise HamiError(
            Code.FULL,
            _("All {capacity} places of this session are taken; join the waitlist instead.").format(
                capacity=session.capacity
            ),
        )
    registration = Registration(
        session=session,
        unit=unit,
        full_name=full_name,
        national_code=national_code,
        registered_by=actor,
        status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED,
    )
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:  # registration_person_once_per_session, past a missing lock
        raise HamiError(
            Code.ALREADY_REGISTERED,
            _("The person with national code {code} is already registered in this session.").format(
                code=national_code
            ),
            field="national_code",
        ) from exc
    audit(
        actor=actor,
        event_type=EventType.REGISTRATION_CREATED,
        obj=registration,
        province=session.province,
        details={"session": str(session.public_id), "unit": unit.pk, "status": registration.status},
    )
    if not is_unit_rep(actor, unit.pk):  # the office registered them: tell the unit
        notify_units_on_commit(
            {
                unit.pk: (
                    _("Registered for {course}").format(course=session.course.title),
                    _("{name} is {status} in {course}, starting {start}.").format(
                        name=full_name,
                        status=registration.get_status_display(),
                        course=session.course.title,
                        start=format_datetime(session.starts_at),
                    ),
                )
            },
            link=_session_link(session),
            skip=actor,
        )
    return registration


def cancel_deadline(session: CourseSession) -> dt.datetime:
    """Until when a unit may give up its place (HAMI_OUTREACH_NOTICE_HOURS before the start)."""
    return session.starts_at - dt.timedelta(hours=settings.HAMI_OUTREACH_NOTICE_HOURS)


def registration_cancel_refusal(
    registration: Registration, session: CourseSession, *, office: bool, now: dt.datetime
) -> HamiError | None:
    """Why the registration cannot be cancelled now (the error `registration_cancel` raises), or None.
    A waiting place goes any time while the session is scheduled; a held place up to
    HAMI_OUTREACH_NOTICE_HOURS before the start, or any time by the session's office."""
    try:
        _require_scheduled(session)
    except HamiError as refusal:
        return refusal
    if registration.status not in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED):
        return HamiError(
            Code.WRONG_STATE,
            _("This registration is {status}; there is nothing to cancel.").format(
                status=registration.get_status_display()
            ),
        )
    deadline = cancel_deadline(session)
    if registration.status == RegistrationStatus.REGISTERED and not office and now > deadline:
        return HamiError(
            Code.TOO_LATE,
            _("A place is cancelled up to {hours} hours before the start (until {deadline}); ask the office "
              "that runs the session.").format(
                hours=settings.HAMI_OUTREACH_NOTICE_HOURS, deadline=format_datetime(deadline)
            ),
        )  # fmt: skip
    return None


@transaction.atomic
def registration_cancel(*, actor: User, registration: Registration, reason: str = "") -> Registration:
    """Cancel a place or a waitlist place. The unit cancels a place up to HAMI_OUTREACH_NOTICE_HOURS
    before the start; the office of the session any time. A freed place goes to the first person
    waiting. Raises Forbidden, HamiError(WRONG_STATE / TOO_LATE)."""
    session = _lock_session(registration.session)  # the session first, then the row: the fixed order
    registration = Registration.objects.select_for_update().select_related("unit").get(pk=registration.pk)
    office = can_manage(actor, session.province_id)
    if not office and not may_register_for(actor, registration.unit):
        raise Forbidden(
            Code.FORBIDDEN, _("Only the unit or the office that runs the session may cancel this.")
        )
    refusal = registration_cancel_refusal(registration, session, office=office, now=timezone.now())
    if refusal is not None:
        raise refusal
    previous = registration.status
    held = previous == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    reason = normalize_text(reason or "")[:300]
    audit(
        actor=actor,
        event_type=EventType.REGISTRATION_CANCELLED,
        obj=registration,
        province=session.province,
        reason=reason,
        details={"session": str(session.public_id), "from": previous, "by_office": office},
    )
    notify_units_on_commit(
        {
            registration.unit_id: (
                _("Registration cancelled: {course}").format(course=session.course.title),
                _("The registration of {name} in {course} ({start}) is cancelled.").format(
                    name=registration.full_name,
                    course=session.course.title,
                    start=format_datetime(session.starts_at),
                )
                + (f" {reason}" if reason else ""),
            )
        },
        link=_session_link(session),
        skip=actor,
    )
    if held:
        waitlist_promote(actor=actor, session=session)
    return registration


@transaction.atomic
def waitlist_promote(*, actor: User | None, session: CourseSession) -> list[Registration]:
    """Give a session's free places to the people waiting, first come first served, and tell their
    units. Every service that frees a place calls it; with no free place or nobody waiting it does
    nothing. A session that has started promotes nobody: the place can no longer be used."""
    session = _lock_session(session)
    now = timezone.now()
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= now:
        return []
    free = session.capacity - _held(session)
    if free <= 0:
        return []
    promoted = list(
        session.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "pk")[:free]
    )
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        audit(
            actor=actor,
            event_type=EventType.REGISTRATION_PROMOTED,
            obj=registration,
            province=session.province,
            details={"session": str(session.public_id)},
        )
    notify_units_on_commit(
        {
            unit_id: (
                _("A place for you: {course}").format(course=session.course.title),
                _(
                    "A place freed in {course} ({start}) and now belongs to {names}, who waited for it."
                ).format(course=session.course.title, start=format_datetime(session.starts_at), names=names),
            )
            for unit_id, names in _names_by_unit(promoted).items()
        },
        link=_session_link(session),
    )
    return promoted


@transaction.atomic
def attendance_record(*, actor: User, session: CourseSession, attended: Iterable) -> list[Registration]:
    """Record who came, once the session has started: the registrations named in `attended` (ids or
    public ids) attended, every other one holding a place was absent. May be recorded again until the
    session is completed. Raises Forbidden, HamiError(INVALID / WRONG_STATE)."""
    session = _lock_session(session)
    _require_office(actor, session)
    _require_scheduled(session)
    if session.starts_at > timezone.now():
        raise HamiError(Code.WRONG_STATE, _("Attendance is taken once the session has started."))
    keys = {str(key).strip() for key in attended if str(key).strip()}
    places = list(session.registrations.filter(status__in=HOLDS_PLACE).order_by("created_at", "pk"))
    known = {str(r.pk) for r in places} | {str(r.public_id) for r in places}
    unknown = sorted(keys - known)
    if unknown:
        raise _invalid(
            _("These are not people holding a place in this session: {ids}.").format(
                ids=", ".join(unknown)[:300]
            ),
            "attended",
        )
    for registration in places:
        came = str(registration.pk) in keys or str(registration.public_id) in keys
        status = RegistrationStatus.ATTENDED if came else RegistrationStatus.ABSENT
        if registration.status != status:
            registration.status = status
            registration.save(update_fields=["status", "updated_at"])
    present = sum(r.status == RegistrationStatus.ATTENDED for r in places)
    audit(
        actor=actor,
        event_type=EventType.ATTENDANCE_RECORDED,
        obj=session,
        province=session.province,
        details={"attended": present, "absent": len(places) - present},
    )
    return places


# ---------------------------------------------------------------- the periodic run


def session_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind the units of people registered in sessions starting within HAMI_OUTREACH_REMINDER_HOURS,
    once per session (`reminded_at`): safe to run every hour. Returns the number of sessions reminded."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=settings.HAMI_OUTREACH_REMINDER_HOURS)
    due = CourseSession.objects.filter(
        status=SessionStatus.SCHEDULED, reminded_at__isnull=True, starts_at__gt=now, starts_at__lte=horizon
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            session = (
                CourseSession.objects.select_for_update().select_related("course", "province").get(pk=pk)
            )
            if session.reminded_at is not None or session.status != SessionStatus.SCHEDULED:
                continue  # another run got here first
            people = list(session.registrations.filter(status=RegistrationStatus.REGISTERED))
            session.reminded_at = now
            session.save(update_fields=["reminded_at", "updated_at"])
            audit(
                actor=None,
                event_type=EventType.OUTREACH_REMINDER_SENT,
                obj=session,
                province=session.province,
                details={"reminded": len(people)},
            )
            where = session.link if session.mode == Mode.ONLINE else session.venue
            subject = _("Reminder: {course} starts {start}").format(
                course=session.course.title, start=format_datetime(session.starts_at)
            )
            notify_units_on_commit(
                {
                    unit_id: (
                        subject,
                        _("{course} starts {start} at {where}. Registered from your unit: {names}.").format(
                            course=session.course.title,
                            start=format_datetime(session.starts_at),
                            where=where,
                            names=names,
                        ),
                    )
                    for unit_id, names in _names_by_unit(people).items()
                },
                link=_session_link(session),
            )
            sent += 1
    return sent
