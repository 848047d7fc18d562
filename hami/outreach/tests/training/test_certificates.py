"""Attendance, completion and certificates; the QC manager's competence certificate from a course to the
registry to licensing; renewal and revocation; the periodic reminders and expiry notices."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from hami.core.calendar import add_months
from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.licensing.models import ApplicationState
from hami.licensing.services.applications import application_create, application_submit
from hami.licensing.tracking import is_valid_verhoeff
from hami.outreach.models import Certificate, CertificateStatus, CourseSession, Registration, SessionStatus
from hami.outreach.services.certificates import (
    certificate_issue,
    certificate_revoke,
    certificates_expiry_notify,
    clean_certificate_code,
    new_certificate_code,
)
from hami.outreach.services.training import (
    attendance_record,
    course_save,
    session_complete,
    session_reminders_send,
)
from hami.outreach.tests.training.conftest import register, schedule, snapshot, starts_in, took_place
from hami.registry.services import qc_manager_appoint

pytestmark = pytest.mark.django_db

A, ABSENT = "attended", "absent"


def _complete(officer, session, attended):
    took_place(session)
    attendance_record(actor=officer, session=session, attended=[r.public_id for r in attended])
    return session_complete(actor=officer, session=session)


# --- codes -------------------------------------------------------------------------------------------


def test_certificate_codes_are_twelve_digits_with_a_verhoeff_check_digit():
    codes = {new_certificate_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 12 and c[0] != "0" and is_valid_verhoeff(c) for c in codes)
    code = next(iter(codes))
    swapped = code[:3] + code[4] + code[3] + code[5:]
    assert code[3] == code[4] or clean_certificate_code(swapped) is None  # a swap of neighbours is caught
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert clean_certificate_code(f"{persian[:6]}-{persian[6:]}") == code
    assert clean_certificate_code("1" * 200) is None and clean_certificate_code("abc") is None


def test_months_are_added_to_the_last_day_of_a_shorter_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 36) == dt.date(2029, 11, 30)
    assert add_months(dt.date(2026, 3, 15), -12) == dt.date(2025, 3, 15)


# --- attendance and completion ---------------------------------------------------------------------


def test_attendance_then_completion_issues_a_certificate_to_each_attendee(
    session, unit_rep, qazvin_unit, qazvin_officer, django_capture_on_commit_callbacks
):
    came, missed = register(unit_rep, session, qazvin_unit), register(unit_rep, session, qazvin_unit)
    waiting = register(unit_rep, session, qazvin_unit)
    with django_capture_on_commit_callbacks(execute=True):
        certificates = _complete(qazvin_officer, session, [came])
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {came.pk: A, missed.pk: ABSENT, waiting.pk: "cancelled"}
    assert CourseSession.objects.get(pk=session.pk).status == SessionStatus.COMPLETED
    [certificate] = certificates
    assert certificate.registration == came and certificate.full_name == came.full_name
    assert certificate.issued_on == timezone.localdate()
    assert certificate.expires_on == add_months(timezone.localdate(), 24)  # the course's own months
    assert Notification.objects.filter(user=unit_rep, body__contains=certificate.code).exists()
    assert AuditEvent.objects.filter(event_type=EventType.CERTIFICATE_ISSUED).count() == 1


def test_attendance_is_taken_once_the_session_started_and_only_by_its_office(
    session, unit_rep, qazvin_unit, qazvin_officer, tehran_officer
):
    registration = register(unit_rep, session, qazvin_unit)
    with pytest.raises(HamiError) as caught:
        attendance_record(actor=qazvin_officer, session=session, attended=[registration.public_id])
    assert caught.value.code == "wrong_state"
    took_place(session)
    for actor in (tehran_officer, unit_rep):
        with pytest.raises(Forbidden):
            attendance_record(actor=actor, session=session, attended=[registration.public_id])
    assert Registration.objects.get(pk=registration.pk).status == "registered"


def test_attendance_naming_someone_without_a_place_changes_nothing(
    session, unit_rep, qazvin_unit, qazvin_officer
):
    register(unit_rep, session, qazvin_unit)
    register(unit_rep, session, qazvin_unit)
    waiting = register(unit_rep, session, qazvin_unit)
    took_place(session)
    before = snapshot()
    for junk in ([waiting.public_id], ["not-a-registration"], [999999]):
        with pytest.raises(HamiError) as caught:
            attendance_record(actor=qazvin_officer, session=session, attended=junk)
        assert caught.value.code == "invalid" and caught.value.field == "attended"
    assert snapshot() == before


def test_attendance_accepts_ids_or_public_ids_and_may_be_corrected(
    session, unit_rep, qazvin_unit, qazvin_officer
):
    first, second = register(unit_rep, session, qazvin_unit), register(unit_rep, session, qazvin_unit)
    took_place(session)
    attendance_record(actor=qazvin_officer, session=session, attended={first.pk})
    assert dict(Registration.objects.values_list("pk", "status")) == {first.pk: A, second.pk: ABSENT}
    attendance_record(actor=qazvin_officer, session=session, attended={str(second.public_id)})
    assert dict(Registration.objects.values_list("pk", "status")) == {first.pk: ABSENT, second.pk: A}


def test_completion_waits_for_the_end_and_for_everyones_attendance(
    session, unit_rep, qazvin_unit, qazvin_officer, in_english
):
    register(unit_rep, session, qazvin_unit)
    with pytest.raises(HamiError) as caught:
        session_complete(actor=qazvin_officer, session=session)
    assert caught.value.code == "wrong_state"
    took_place(session)
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        session_complete(actor=qazvin_officer, session=session)
    assert caught.value.code == "wrong_state" and "1 not recorded" in caught.value.message
    assert snapshot() == before


def test_a_completed_session_is_closed_to_everything(session, unit_rep, qazvin_unit, qazvin_officer):
    registration = register(unit_rep, session, qazvin_unit)
    _complete(qazvin_officer, session, [registration])
    with pytest.raises(HamiError):
        session_complete(actor=qazvin_officer, session=session)
    with pytest.raises(HamiError):
        attendance_record(actor=qazvin_officer, session=session, attended=[])
    with pytest.raises(HamiError) as caught:
        certificate_issue(actor=qazvin_officer, registration=registration)
    assert caught.value.code == "wrong_state" and Certificate.objects.count() == 1


# --- the QC manager's competence certificate ------------------------------------------------------


@pytest.fixture
def qc_manager_expired(qazvin_unit, qazvin_officer):
    return qc_manager_appoint(
        actor=qazvin_officer,
        unit=qazvin_unit,
        full_name="حسین رضایی",
        national_code="0023456787",
        certificate_number="QC-1398-77",
        certificate_expiry=timezone.localdate() - dt.timedelta(days=10),
    )


def test_a_qc_certificate_updates_the_qc_manager_and_lets_the_unit_apply(
    qc_session, qc_manager_expired, unit_rep, qazvin_unit, qazvin_officer
):
    """The whole chain: expired certificate → licensing refuses → course → registry updated → accepted."""
    from hami.licensing.tests.conftest import MEMBERS  # noqa: F401  (the licensing fixtures' module)
    from hami.registry.tests.factories import ProductFactory
    from hami.standards.tests.factories import CategoryFactory, StandardFactory

    standard = StandardFactory(number=93, year=2020, title_fa="شیر پاستوریزه")
    category = CategoryFactory(code="dairy-milk", name_fa="شیر")
    category.standards.add(standard)
    product = ProductFactory(unit=qazvin_unit, category=category, name="شیر پرچرب")
    application = application_create(actor=unit_rep, product=product, standard=standard)
    with pytest.raises(HamiError) as caught:
        application_submit(actor=unit_rep, application=application)
    assert caught.value.code == "qc_manager_uncertified"

    manager = qc_manager_expired
    registration = register(
        unit_rep, qc_session, qazvin_unit, name=manager.full_name, code=manager.national_code
    )
    [certificate] = _complete(qazvin_officer, qc_session, [registration])
    assert certificate.expires_on == add_months(timezone.localdate(), 36)  # HAMI_QC_CERTIFICATE_MONTHS
    manager.refresh_from_db()
    assert (
        manager.certificate_number == certificate.code
        and manager.certificate_expiry == certificate.expires_on
    )
    assert AuditEvent.objects.filter(
        event_type=EventType.UNIT_UPDATED, details__qc_manager=manager.full_name
    ).exists()

    application_submit(actor=unit_rep, application=application)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


def test_a_qc_certificate_of_someone_who_is_not_the_qc_manager_leaves_the_registry_alone(
    qc_session, qc_manager_expired, unit_rep, qazvin_unit, qazvin_officer
):
    number = qc_manager_expired.certificate_number
    registration = register(unit_rep, qc_session, qazvin_unit)  # another person of the staff
    _complete(qazvin_officer, qc_session, [registration])
    qc_manager_expired.refresh_from_db()
    assert qc_manager_expired.certificate_number == number


def test_a_qc_certificate_from_another_provinces_course_counts(
    qc_course, tehran_officer, qc_manager_expired, unit_rep, qazvin_unit
):
    session = schedule(tehran_officer, qc_course, capacity=5, online=True)
    manager = qc_manager_expired
    registration = register(
        unit_rep, session, qazvin_unit, name=manager.full_name, code=manager.national_code
    )
    [certificate] = _complete(tehran_officer, session, [registration])
    manager.refresh_from_db()
    assert manager.certificate_expiry == certificate.expires_on > timezone.localdate()


def _qc_certificate(officer, course, rep, unit, name, code) -> Certificate:
    session = schedule(officer, course, capacity=5)
    registration = register(rep, session, unit, name=name, code=code)
    [certificate] = _complete(officer, session, [registration])
    return certificate


def test_renewal_replaces_the_old_certificate_and_forms_a_chain(
    qc_course, renewal_course, qc_manager_expired, unit_rep, qazvin_unit, qazvin_officer
):
    manager = qc_manager_expired
    first = _qc_certificate(
        qazvin_officer, qc_course, unit_rep, qazvin_unit, manager.full_name, manager.national_code
    )
    second = _qc_certificate(
        qazvin_officer, renewal_course, unit_rep, qazvin_unit, manager.full_name, manager.national_code
    )
    third = _qc_certificate(
        qazvin_officer, renewal_course, unit_rep, qazvin_unit, manager.full_name, manager.national_code
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, third.status) == ("renewed", "renewed", "valid")
    assert third.renews == second and second.renews == first and first.renews is None
    assert first.renewed_by == second
    manager.refresh_from_db()
    assert manager.certificate_number == third.code


def test_renewal_needs_a_certificate_valid_or_expired_less_than_a_year(
    qc_course, renewal_course, unit_rep, qazvin_unit, qazvin_officer, in_english
):
    session = schedule(qazvin_officer, renewal_course, capacity=5)
    before = snapshot()
    with pytest.raises(HamiError) as caught:
        register(unit_rep, session, qazvin_unit, name="بدون گواهی")
    assert caught.value.code == "not_eligible" and "holds none" in caught.value.message
    assert snapshot() == before

    old = _qc_certificate(qazvin_officer, qc_course, unit_rep, qazvin_unit, "مینا صادقی", "0034567895")
    today = timezone.localdate()
    Certificate.objects.filter(pk=old.pk).update(
        expires_on=today - dt.timedelta(days=300)
    )  # expired 300 days ago
    assert (
        register(unit_rep, session, qazvin_unit, name="مینا صادقی", code="0034567895").status == "registered"
    )
    other = _qc_certificate(qazvin_officer, qc_course, unit_rep, qazvin_unit, "امید نوری", "0045678901")
    Certificate.objects.filter(pk=other.pk).update(expires_on=today - dt.timedelta(days=400))
    with pytest.raises(HamiError) as caught:
        register(unit_rep, session, qazvin_unit, name="امید نوری", code="0045678901")
    assert caught.value.code == "not_eligible"


def test_a_revoked_certificate_no_longer_renews_and_ends_the_qc_managers_certification(
    qc_course, renewal_course, qc_manager_expired, unit_rep, qazvin_unit, qazvin_officer, tehran_officer
):
    manager = qc_manager_expired
    certificate = _qc_certificate(
        qazvin_officer, qc_course, unit_rep, qazvin_unit, manager.full_name, manager.national_code
    )
    for actor in (tehran_officer, unit_rep):
        with pytest.raises(Forbidden):
            certificate_revoke(actor=actor, certificate=certificate, reason="سند جعلی")
    with pytest.raises(HamiError):
        certificate_revoke(actor=qazvin_officer, certificate=certificate, reason="")
    certificate_revoke(actor=qazvin_officer, certificate=certificate, reason="حضور با هویت دیگری")
    certificate.refresh_from_db()
    assert (
        certificate.status == CertificateStatus.REVOKED and certificate.revoke_reason == "حضور با هویت دیگری"
    )
    manager.refresh_from_db()
    assert manager.certificate_expiry < timezone.localdate()
    with pytest.raises(HamiError) as caught:
        register(unit_rep, schedule(qazvin_officer, renewal_course), qazvin_unit, code=manager.national_code)
    assert caught.value.code == "not_eligible"
    with pytest.raises(HamiError) as caught:
        certificate_revoke(actor=qazvin_officer, certificate=certificate, reason="دوباره")
    assert caught.value.code == "wrong_state"


# --- the catalogue ---------------------------------------------------------------------------------


def test_who_keeps_which_catalogue(admin_user, qazvin_officer, tehran_officer, unit_rep, qazvin, tehran):
    national = course_save(actor=admin_user, code="general-1", title_fa="آشنایی با طرح", kind="general")
    assert national.province is None and national.certificate_months is None
    with pytest.raises(Forbidden):
        course_save(actor=qazvin_officer, code="general-2", title_fa="دوره", kind="general")  # national
    with pytest.raises(Forbidden):
        course_save(actor=qazvin_officer, code="general-3", title_fa="دوره", kind="general", province=tehran)
    with pytest.raises(Forbidden):
        course_save(actor=unit_rep, code="general-4", title_fa="دوره", kind="general", province=qazvin)
    with pytest.raises(Forbidden):
        course_save(actor=tehran_officer, course=national, code="general-1", title_fa="تغییر", kind="general")
    own = course_save(
        actor=qazvin_officer, code="qc-qazvin", title_fa="دوره استانی", kind="qc_competence", province=qazvin
    )
    assert own.certificate_months == 36


def test_a_taken_code_and_a_bad_kind_are_refused(qc_course, admin_user, in_english):
    with pytest.raises(HamiError) as caught:
        course_save(actor=admin_user, code="qc-competence", title_fa="تکراری", kind="general")
    assert caught.value.field == "code"
    with pytest.raises(HamiError) as caught:
        course_save(actor=admin_user, code="new-one", title_fa="دوره", kind="nonsense")
    assert caught.value.field == "kind"


def test_the_kind_of_a_course_with_sessions_does_not_change(qc_course, qc_session, admin_user):
    with pytest.raises(HamiError) as caught:
        course_save(actor=admin_user, course=qc_course, code=qc_course.code, title_fa="دوره", kind="general")
    assert caught.value.code == "wrong_state"


def test_sessions_are_scheduled_in_the_future_with_a_venue_or_link(
    standard_course, qazvin_officer, tehran_officer
):
    from hami.outreach.services.training import session_schedule

    soon = timezone.now() + dt.timedelta(days=3)
    base = {"course": standard_course, "province": qazvin_officer.province, "capacity": 10}
    cases = [
        ({"starts_at": soon, "ends_at": soon - dt.timedelta(hours=1), "venue": "سالن"}, "ends_at"),
        (
            {"starts_at": timezone.now() - dt.timedelta(hours=1), "ends_at": soon, "venue": "سالن"},
            "starts_at",
        ),
        ({"starts_at": soon, "ends_at": soon + dt.timedelta(hours=2)}, "venue"),
        ({"starts_at": soon, "ends_at": soon + dt.timedelta(hours=2), "mode": "online"}, "link"),
        ({"starts_at": soon, "ends_at": soon + dt.timedelta(days=200), "venue": "سالن"}, "ends_at"),
    ]
    for extra, field in cases:
        with pytest.raises(HamiError) as caught:
            session_schedule(actor=qazvin_officer, **{**base, **extra})
        assert caught.value.field == field, extra
    with pytest.raises(Forbidden):
        session_schedule(
            actor=tehran_officer, starts_at=soon, ends_at=soon + dt.timedelta(hours=2), venue="سالن", **base
        )
    assert not CourseSession.objects.exists()


# --- the periodic run ------------------------------------------------------------------------------


def test_reminders_go_once_to_the_units_of_people_registered(
    session,
    unit_rep,
    tehran_rep,
    qazvin_unit,
    tehran_unit,
    qazvin_officer,
    django_capture_on_commit_callbacks,
):
    register(unit_rep, session, qazvin_unit, name="رضا قاسمی")
    starts_in(session, hours=20)
    later = schedule(qazvin_officer, session.course)
    register(tehran_rep, later, tehran_unit)  # a week ahead: not yet
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert session_reminders_send(now=now) == 1
        assert session_reminders_send(now=now) == 0  # idempotent
    assert Notification.objects.filter(user=unit_rep, body__contains="رضا قاسمی").count() == 1
    assert not Notification.objects.filter(user=tehran_rep).exists()
    session.refresh_from_db()
    assert session.reminded_at == now


def test_qc_expiry_is_announced_60_and_30_days_before_once_each(
    qc_course, unit_rep, qazvin_unit, qazvin_officer, standard_course
):
    qc = _qc_certificate(qazvin_officer, qc_course, unit_rep, qazvin_unit, "لیلا کریمی", "0056789017")
    other = schedule(qazvin_officer, standard_course)
    [plain] = _complete(qazvin_officer, other, [register(unit_rep, other, qazvin_unit)])
    today = timezone.localdate()
    Certificate.objects.filter(pk__in=[qc.pk, plain.pk]).update(expires_on=today + dt.timedelta(days=60))
    assert certificates_expiry_notify(today=today) == 1  # the QC one only
    assert certificates_expiry_notify(today=today) == 0  # the hourly run does not repeat it
    assert certificates_expiry_notify(today=today + dt.timedelta(days=1)) == 0
    assert certificates_expiry_notify(today=today + dt.timedelta(days=30)) == 1
    notices = Notification.objects.filter(user=unit_rep, body__contains=qc.code)
    assert notices.count() == 2 and all(qc.code in n.link for n in notices)


def test_the_outreach_run_command_sends_course_reminders(session, unit_rep, qazvin_unit, capsys):
    register(unit_rep, session, qazvin_unit)
    moment = (session.starts_at - dt.timedelta(hours=5)).astimezone(timezone.get_current_timezone())
    call_command("outreach_run", "--now", moment.strftime("%Y-%m-%dT%H:%M"))
    assert "1 course reminders" in capsys.readouterr().out
    session.refresh_from_db()
    assert session.reminded_at is not None


def test_only_office_staff_record_a_qc_certificate_in_the_registry(
    qc_manager_expired, qazvin_unit, unit_rep, tehran_officer
):
    from hami.registry.services import qc_manager_certificate_record

    expiry = timezone.localdate() + dt.timedelta(days=30)
    arguments = {"unit": qazvin_unit, "certificate_number": "123", "certificate_expiry": expiry}
    with pytest.raises(Forbidden):
        qc_manager_certificate_record(
            actor=unit_rep, national_code=qc_manager_expired.national_code, **arguments
        )
    assert (
        qc_manager_certificate_record(actor=tehran_officer, national_code="0012345679", **arguments) is None
    )
    manager = qc_manager_certificate_record(
        actor=tehran_officer, national_code=qc_manager_expired.national_code, **arguments
    )
    assert manager.pk == qc_manager_expired.pk and manager.certificate_expiry == expiry
