"""The training pages for every persona: who gets a page, who a 403, who a 404 (something outside the
scope), what each page shows, the POST actions, and junk input that must answer with a message or a
4xx, never a 500."""

import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hami.outreach.models import Course, CourseSession, Registration, SessionStatus
from hami.outreach.services.training import attendance_record, session_complete
from hami.outreach.tests.training.conftest import register, schedule, snapshot, took_place

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous", "qazvin_officer", "tehran_officer", "qazvin_inspector", "admin_user", "unit_rep",
    "tehran_rep", "lab_user", "outsider",
]  # fmt: skip


@pytest.fixture
def world(session, qc_course, qazvin_officer, unit_rep, qazvin_unit, standard_course):
    """An open Qazvin session with one place taken by the unit; a completed one with a certificate."""
    registration = register(unit_rep, session, qazvin_unit, name="نرگس امینی")
    done = schedule(qazvin_officer, standard_course, capacity=5)
    attendee = register(unit_rep, done, qazvin_unit, name="کاوه بهرامی")
    took_place(done)
    attendance_record(actor=qazvin_officer, session=done, attended=[attendee.public_id])
    [certificate] = session_complete(actor=qazvin_officer, session=done)
    return {
        "session": session,
        "registration": registration,
        "done": done,
        "certificate": certificate,
        "course": qc_course,
        "standard_course": standard_course,
    }


def _login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


PAGES = {
    # name: (url builder, {persona: status}, default status for a signed-in persona)
    "course_list": (lambda w: reverse("outreach:course_list"), {}, 200),
    "course_detail": (lambda w: reverse("outreach:course_detail", args=[w["course"].public_id]), {}, 200),
    "session_calendar": (lambda w: reverse("outreach:session_calendar"), {}, 200),
    "session_detail": (lambda w: reverse("outreach:session_detail", args=[w["session"].public_id]), {}, 200),
    "session_new": (
        lambda w: reverse("outreach:session_new"),
        {"qazvin_officer": 200, "tehran_officer": 200, "admin_user": 200},
        403,
    ),
    "certificate_list": (lambda w: reverse("outreach:certificate_list"), {}, 200),
    "certificate_pdf": (
        lambda w: reverse("outreach:certificate_pdf", args=[w["certificate"].code]),
        {"qazvin_officer": 200, "qazvin_inspector": 200, "admin_user": 200, "unit_rep": 200},
        404,
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_for_every_persona(client, request, world, page, persona):
    url_for, expected, default = PAGES[page]
    _login(client, request, persona)
    response = client.get(url_for(world))
    if persona == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == expected.get(persona, default), (page, persona)


def test_certificates_are_listed_within_each_scope(client, world, request):
    code = world["certificate"].code
    seen = {}
    for persona in ("qazvin_officer", "qazvin_inspector", "admin_user", "unit_rep", "tehran_officer",
                    "tehran_rep", "lab_user", "outsider"):  # fmt: skip
        client.force_login(request.getfixturevalue(persona))
        seen[persona] = f'id="certificate-{code}"' in client.get(reverse("outreach:certificate_list")).text
    assert seen == {
        "qazvin_officer": True, "qazvin_inspector": True, "admin_user": True, "unit_rep": True,
        "tehran_officer": False, "tehran_rep": False, "lab_user": False, "outsider": False,
    }  # fmt: skip


def test_a_session_page_shows_the_unit_its_own_people_and_the_office_everyone(
    client, world, unit_rep, tehran_rep, tehran_unit, qazvin_officer, tehran_officer
):
    register(tehran_rep, world["session"], tehran_unit, name="بابک تهرانی")
    url = reverse("outreach:session_detail", args=[world["session"].public_id])
    client.force_login(unit_rep)
    text = client.get(url).text
    assert "نرگس امینی" in text and "بابک تهرانی" not in text and 'id="register-form"' in text
    assert 'id="attendance-form"' not in text and 'id="cancel-form"' not in text
    client.force_login(tehran_rep)
    text = client.get(url).text
    assert "نرگس امینی" not in text and "بابک تهرانی" in text
    client.force_login(qazvin_officer)
    text = client.get(url).text
    assert "نرگس امینی" in text and "بابک تهرانی" in text and 'id="cancel-form"' in text
    client.force_login(tehran_officer)  # another province's office reads, does not run it
    text = client.get(url).text
    assert "نرگس امینی" not in text and 'id="cancel-form"' not in text


def test_an_inactive_provincial_course_is_seen_only_by_those_who_run_it(
    client, world, qazvin_officer, tehran_officer, unit_rep
):
    course = world["standard_course"]
    Course.objects.filter(pk=course.pk).update(is_active=False)
    url = reverse("outreach:course_detail", args=[course.public_id])
    client.force_login(qazvin_officer)
    assert client.get(url).status_code == 200
    for user in (tehran_officer, unit_rep):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_unknown_ids_are_404(client, qazvin_officer, db):
    client.force_login(qazvin_officer)
    unknown = "00000000-0000-0000-0000-000000000000"
    urls = [
        f"/outreach/training/courses/{unknown}/",
        f"/outreach/training/sessions/{unknown}/",
        "/outreach/training/sessions/not-a-uuid/",
        "/outreach/training/certificates/123456789012/pdf/",
        "/outreach/training/certificates/" + "9" * 300 + "/pdf/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


# --- the unit's actions --------------------------------------------------------------------------------


def test_a_unit_registers_and_is_told_clearly_when_it_joins_the_waitlist(
    client, world, unit_rep, qazvin_unit
):
    session = world["session"]
    act = reverse("outreach:session_act", args=[session.public_id, "register"])
    client.force_login(unit_rep)
    client.cookies["django_language"] = "en"
    data = {"unit": qazvin_unit.pk, "full_name": "پرستو نیک‌نام", "national_code": "۰۰۱۲۳۴۵۶۷۹"}
    response = client.post(act, data)
    assert response.status_code == 302 and _messages(response) == [
        "پرستو نیک‌نام has a place in this session."
    ]
    assert Registration.objects.get(national_code="0012345679").status == "registered"
    response = client.post(act, {**data, "full_name": "سامان فرهی", "national_code": "0023456787"})
    waitlisted = Registration.objects.get(national_code="0023456787")
    assert waitlisted.status == "waitlisted"
    message = _messages(response)[-1]
    assert "The session is full: سامان فرهی is on the waitlist, number 1." in message
    page = client.get(reverse("outreach:session_detail", args=[session.public_id])).text
    assert 'id="full-notice"' in page
    again = client.post(act, data)  # the same person twice
    assert Registration.objects.filter(national_code="0012345679").count() == 1 and _messages(again)


def test_a_unit_cannot_register_for_another_unit_through_the_form(client, world, tehran_rep, qazvin_unit):
    before = snapshot()
    client.force_login(tehran_rep)
    act = reverse("outreach:session_act", args=[world["session"].public_id, "register"])
    response = client.post(act, {"unit": qazvin_unit.pk, "full_name": "نفوذی", "national_code": "0012345679"})
    assert response.status_code == 302 and _messages(response)
    assert snapshot() == before


def test_a_unit_cancels_its_own_registration_and_not_anothers(client, world, unit_rep, tehran_rep):
    registration = world["registration"]
    url = reverse("outreach:registration_cancel", args=[registration.public_id])
    client.force_login(tehran_rep)
    assert client.post(url).status_code == 404
    client.force_login(unit_rep)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).status == "cancelled"


# --- the office's actions ----------------------------------------------------------------------------


def test_the_office_schedules_a_session_from_a_jalali_date(client, qazvin_officer, standard_course):
    import jdatetime

    day = jdatetime.date.fromgregorian(date=timezone.localdate() + dt.timedelta(days=10))
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("outreach:session_new"),
        {"course": standard_course.pk, "mode": "in_person", "venue": "سالن همایش", "capacity": "۲۵",
         "day": day.strftime("%Y/%m/%d"), "start": "۰۹:۰۰", "end": "13:30", "trainer": ""},
    )  # fmt: skip
    session = CourseSession.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{session.public_id}/")
    local = timezone.localtime(session.starts_at)
    assert (local.hour, local.minute, session.capacity) == (9, 0, 25)
    assert timezone.localtime(session.ends_at).hour == 13


def test_the_session_form_answers_bad_input_with_errors(client, qazvin_officer, standard_course):
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("outreach:session_new"),
        {"course": standard_course.pk, "mode": "in_person", "venue": "", "capacity": "0", "day": "1405/13/40",
         "start": "25:00", "end": "x"},
    )  # fmt: skip
    assert response.status_code == 200 and "is-invalid" in response.text
    past = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(
        reverse("outreach:session_new"),
        {"course": standard_course.pk, "mode": "in_person", "venue": "سالن", "capacity": "5",
         "day": past.isoformat(), "start": "09:00", "end": "10:00"},
    )  # fmt: skip
    assert response.status_code == 200 and "alert-danger" in response.text
    assert not CourseSession.objects.exists()


def test_another_provinces_office_cannot_run_the_session(client, world, tehran_officer):
    session = world["session"]
    took_place(session)
    before = snapshot()
    client.force_login(tehran_officer)
    for action, data in (("attendance", {"attended": [str(world["registration"].public_id)]}),
                         ("complete", {}), ("cancel", {"reason": "x"}), ("update", {})):  # fmt: skip
        response = client.post(reverse("outreach:session_act", args=[session.public_id, action]), data)
        assert response.status_code == 302 and _messages(response), action
    assert snapshot() == before


def test_the_office_takes_attendance_and_completes_by_pages(client, world, qazvin_officer):
    session, registration = world["session"], world["registration"]
    took_place(session)
    client.force_login(qazvin_officer)
    page = client.get(reverse("outreach:session_detail", args=[session.public_id])).text
    assert 'id="attendance-form"' in page and 'id="complete-form"' in page
    act = lambda action, data=None: client.post(  # noqa: E731
        reverse("outreach:session_act", args=[session.public_id, action]), data or {}
    )
    act("complete")  # attendance first
    assert CourseSession.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED
    act("attendance", {"attended": [str(registration.public_id)]})
    act("complete")
    assert CourseSession.objects.get(pk=session.pk).status == SessionStatus.COMPLETED
    assert registration.certificate.full_name == "نرگس امینی"
    assert act("nonsense").status_code == 302


def test_the_office_cancels_a_session_with_a_reason(client, world, qazvin_officer):
    session = world["session"]
    client.force_login(qazvin_officer)
    url = reverse("outreach:session_act", args=[session.public_id, "cancel"])
    client.post(url, {"reason": ""})
    assert CourseSession.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED
    client.post(url, {"reason": "تعطیلی ناگهانی"})
    assert CourseSession.objects.get(pk=session.pk).status == SessionStatus.CANCELLED


def test_raising_the_capacity_by_page_promotes_the_waitlist(
    client, world, qazvin_officer, unit_rep, qazvin_unit
):
    session = world["session"]
    register(unit_rep, session, qazvin_unit)
    waiting = register(unit_rep, session, qazvin_unit)
    local = timezone.localtime(session.starts_at)
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("outreach:session_act", args=[session.public_id, "update"]),
        {"mode": "in_person", "venue": session.venue, "day": local.date().isoformat(),
         "start": local.strftime("%H:%M"), "end": timezone.localtime(session.ends_at).strftime("%H:%M"),
         "capacity": "3", "trainer": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert Registration.objects.get(pk=waiting.pk).status == "registered"
    assert len(_messages(response)) == 2


def test_the_office_adds_a_course_and_a_unit_cannot(client, qazvin_officer, unit_rep, qazvin):
    data = {"code": "haccp", "title_fa": "سامانه هسپ", "kind": "general", "hours": "16", "is_active": "on"}
    client.force_login(unit_rep)
    assert client.post(reverse("outreach:course_list"), data).status_code == 403
    client.force_login(qazvin_officer)
    response = client.post(reverse("outreach:course_list"), data)
    course = Course.objects.get(code="haccp")
    assert response.status_code == 302 and course.province == qazvin and course.hours == 16
    response = client.post(reverse("outreach:course_list"), data)  # the same code again
    assert response.status_code == 200 and ("is-invalid" in response.text or "alert-danger" in response.text)
    assert Course.objects.filter(code="haccp").count() == 1


def test_the_certificate_pdf_has_its_code_and_a_qr_to_the_public_page(client, world, unit_rep):
    certificate = world["certificate"]
    client.force_login(unit_rep)
    for lang in ("fa", "en"):
        response = client.get(reverse("outreach:certificate_pdf", args=[certificate.code]), {"lang": lang})
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        pdf = PdfReader(io.BytesIO(response.content))
        assert pdf.metadata["/Keywords"] == certificate.code
        page = pdf.pages[0]
        text = page.extract_text()
        persian = certificate.code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        assert certificate.code in text or persian in text or persian[::-1] in text
        assert f"/verify/certificate/{certificate.code}/" in text
        assert page.images, "the QR code image is on the page"
        fonts = page["/Resources"]["/Font"]
        assert all(
            "/FontFile2" in fonts[name].get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            for name in fonts
        )
    assert str(certificate.issued_on.year) in text  # the English one: Gregorian dates


def test_the_office_revokes_a_certificate_from_the_list(client, world, qazvin_officer, tehran_officer):
    certificate = world["certificate"]
    url = reverse("outreach:certificate_revoke", args=[certificate.code])
    client.force_login(tehran_officer)
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(qazvin_officer)
    client.post(url, {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    response = client.post(url, {"reason": "مدرک نادرست"})
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and response["Location"].endswith(f"?code={certificate.code}")


# --- query counts -------------------------------------------------------------------------------------


def test_list_pages_take_a_fixed_number_of_queries(
    client, world, qazvin_officer, unit_rep, qazvin_unit, standard_course, django_assert_max_num_queries
):
    for _ in range(6):
        extra = schedule(qazvin_officer, standard_course, capacity=3)
        for _ in range(4):
            register(unit_rep, extra, qazvin_unit)
    client.force_login(qazvin_officer)
    month = timezone.localdate() + dt.timedelta(days=7)
    import jdatetime

    jmonth = jdatetime.date.fromgregorian(date=month).strftime("%Y-%m")
    for url in (reverse("outreach:course_list"), reverse("outreach:session_calendar") + f"?month={jmonth}",
                reverse("outreach:certificate_list"),
                reverse("outreach:session_detail", args=[world["session"].public_id])):  # fmt: skip
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_the_calendar_shows_the_months_sessions_and_survives_junk(client, world, unit_rep):
    import jdatetime

    client.force_login(unit_rep)
    starts = timezone.localdate(world["session"].starts_at)
    jmonth = jdatetime.date.fromgregorian(date=starts).strftime("%Y-%m")
    response = client.get(reverse("outreach:session_calendar"), {"month": jmonth, "kind": "standard"})
    assert world["session"].course.title_fa in response.text
    assert f'data-date="{starts.isoformat()}"' in response.text
    response = client.get(reverse("outreach:session_calendar"), {"month": jmonth, "kind": "qc_competence"})
    assert f'href="/outreach/training/sessions/{world["session"].public_id}/"' not in response.text
    for junk in ("1405-13", "abc", "9999999-01", "-"):
        assert (
            client.get(
                reverse("outreach:session_calendar"), {"month": junk, "province": "x" * 99}
            ).status_code
            == 200
        )


JUNK = [
    ("register", {"unit": "999999", "full_name": "x", "national_code": "x" * 50}),
    ("register", {"unit_national_id": "abc", "full_name": "", "national_code": ""}),
    ("attendance", {"attended": ["x", "", "00000000-0000-0000-0000-000000000000"]}),
    ("update", {"capacity": "-5", "day": "1405/99/99", "start": "۹۹:۹۹", "end": "", "mode": "boat"}),
    ("cancel", {"reason": "x" * 5000}),
    ("complete", {"anything": "x"}),
]


@pytest.mark.parametrize(("action", "data"), JUNK)
@pytest.mark.parametrize("persona", ["qazvin_officer", "unit_rep"])
def test_junk_posts_answer_with_a_message_and_change_nothing(client, request, world, persona, action, data):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot()
    response = client.post(reverse("outreach:session_act", args=[world["session"].public_id, action]), data)
    assert response.status_code == 302 and _messages(response)
    assert snapshot() == before
    for junk_page in ({"kind": "x" * 300, "topic": "'; select", "page": "-1"}, {"code": "۱۲", "status": "?"}):
        assert client.get(reverse("outreach:course_list"), junk_page).status_code == 200
        assert client.get(reverse("outreach:certificate_list"), junk_page).status_code == 200
