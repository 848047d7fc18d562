"""The clinic pages for every persona: who gets the page, who a 403 and who a 404; the POST actions;
junk input answered with a message, never a 500; query counts on the lists."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from hami.outreach.models import Advisor, Booking, BookingStatus, Referral, Slot, SlotStatus
from hami.outreach.services.bookings import booking_create, booking_record_session
from hami.outreach.services.referrals import referral_create
from hami.outreach.tests.clinics.conftest import publish

pytestmark = pytest.mark.django_db

EVERYONE = [
    "qazvin_officer",
    "tehran_officer",
    "qazvin_inspector",
    "admin_user",
    "unit_rep",
    "second_rep",
    "tehran_rep",
    "outsider",
    "advisor_user",
    "lab_user",
]


@pytest.fixture
def world(slot, booking, qc, qazvin_unit, advisor, second_rep, tehran_rep, lab_user):
    referral = referral_create(
        unit=qazvin_unit, source="finding", source_ref="F-1", reason="ثبت آزمون", topic=qc
    )
    return {"slot": slot, "booking": booking, "referral": referral, "advisor": advisor}


def _login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _url(name, world):
    objects = {
        "slot_detail": "slot",
        "booking_detail": "booking",
        "referral_detail": "referral",
        "advisor_detail": "advisor",
    }
    if name in objects:
        return reverse(f"outreach:{name}", args=[world[objects[name]].public_id])
    return reverse(f"outreach:{name}")


OPEN_TO_ALL = [
    "clinic_calendar",
    "slot_list",
    "slot_detail",
    "booking_list",
    "referral_list",
    "advisor_list",
    "advisor_detail",
]


@pytest.mark.parametrize("name", [*OPEN_TO_ALL, "slot_new", "booking_detail", "referral_detail"])
def test_anonymous_is_sent_to_log_in(client, world, name):
    response = client.get(_url(name, world))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("name", OPEN_TO_ALL)
def test_every_signed_in_persona_sees_the_calendar_the_slots_the_lists_and_the_advisors(
    client, request, world, persona, name
):
    _login(client, request, persona)
    assert client.get(_url(name, world)).status_code == 200


@pytest.mark.parametrize(
    "persona, status",
    [
        ("unit_rep", 200),
        ("advisor_user", 200),
        ("qazvin_officer", 200),
        ("qazvin_inspector", 200),
        ("admin_user", 200),
        ("second_rep", 404),
        ("tehran_rep", 404),
        ("tehran_officer", 404),
        ("outsider", 404),
        ("lab_user", 404),
    ],
)
def test_a_booking_is_seen_by_its_unit_its_advisor_and_its_province(client, request, world, persona, status):
    _login(client, request, persona)
    assert client.get(_url("booking_detail", world)).status_code == status


@pytest.mark.parametrize(
    "persona, status",
    [
        ("unit_rep", 200),
        ("qazvin_officer", 200),
        ("qazvin_inspector", 200),
        ("admin_user", 200),
        ("second_rep", 404),
        ("tehran_rep", 404),
        ("tehran_officer", 404),
        ("outsider", 404),
        ("advisor_user", 404),
        ("lab_user", 404),
    ],
)
def test_a_referral_is_seen_by_its_unit_and_its_province(client, request, world, persona, status):
    _login(client, request, persona)
    assert client.get(_url("referral_detail", world)).status_code == status


@pytest.mark.parametrize(
    "persona, status",
    [
        ("advisor_user", 200),
        ("qazvin_officer", 200),
        ("admin_user", 200),
        ("tehran_officer", 403),
        ("unit_rep", 403),
        ("qazvin_inspector", 403),
        ("outsider", 403),
        ("lab_user", 403),
    ],
)
def test_only_an_advisor_or_the_office_opens_the_publishing_form(client, request, world, persona, status):
    _login(client, request, persona)
    assert client.get(reverse("outreach:slot_new")).status_code == status


def test_unknown_or_junk_identifiers_are_404(client, world, unit_rep):
    client.force_login(unit_rep)
    for name in ("slot_detail", "booking_detail", "referral_detail", "advisor_detail"):
        assert (
            client.get(
                reverse(f"outreach:{name}", args=["0" * 8 + "-0000-0000-0000-" + "0" * 12])
            ).status_code
            == 404
        )
    assert client.get("/outreach/clinics/slots/not-a-uuid/").status_code == 404


def test_lists_are_scoped(client, world, unit_rep, second_rep, advisor_user, tehran_officer):
    booking = world["booking"]
    for user, sees in ((unit_rep, True), (advisor_user, True), (second_rep, False), (tehran_officer, False)):
        client.force_login(user)
        assert (
            str(booking.public_id) in client.get(reverse("outreach:booking_list")).content.decode()
        ) == sees
        referral = str(world["referral"].public_id)
        if user != advisor_user:
            assert (referral in client.get(reverse("outreach:referral_list")).content.decode()) == sees


# --- the calendar ---------------------------------------------------------------------------------------


def test_the_calendar_shows_open_slots_green_booked_grey_and_the_units_own_booking_blue(
    client, world, advisor, advisor_user, qc, unit_rep, second_rep, second_unit
):
    slot = world["slot"]
    open_slot = publish(advisor_user, advisor, qc, days=4)
    taken = publish(advisor_user, advisor, qc, days=5)
    booking_create(actor=second_rep, slot=taken, unit=second_unit)
    month = timezone.localtime(slot.starts_at)
    client.force_login(unit_rep)
    # The month of each slot may differ near a month's end: ask for each slot's month.
    for target, css, href in (
        (slot, "text-bg-primary", reverse("outreach:booking_detail", args=[world["booking"].public_id])),
        (open_slot, "text-bg-success", reverse("outreach:slot_detail", args=[open_slot.public_id])),
        (taken, "text-bg-secondary", reverse("outreach:slot_detail", args=[taken.public_id])),
    ):
        import jdatetime

        local = timezone.localtime(target.starts_at).date()
        j = jdatetime.date.fromgregorian(date=local)
        html = client.get(
            reverse("outreach:clinic_calendar"), {"month": f"{j.year}-{j.month:02d}"}
        ).content.decode()
        cell = html.split(f'data-date="{local.isoformat()}"')[1].split("</td>")[0]
        assert css in cell and href in cell, cell
    assert month  # the calendar renders in any month


def test_the_calendar_filters_by_topic_and_answers_junk_filters_with_the_page(
    client, world, unit_rep, labelling
):
    client.force_login(unit_rep)
    slot = world["slot"]
    local = timezone.localtime(slot.starts_at).date()
    import jdatetime

    j = jdatetime.date.fromgregorian(date=local)
    month = f"{j.year}-{j.month:02d}"
    url = reverse("outreach:clinic_calendar")
    assert (
        str(slot.public_id) not in client.get(url, {"month": month, "topic": labelling.code}).content.decode()
    )
    response = client.get(url, {"month": "9999-99", "topic": "<x>", "advisor": "junk", "province": "nowhere"})
    assert response.status_code == 200


def test_the_calendar_and_lists_take_a_bounded_number_of_queries(
    client, world, advisor, advisor_user, qc, unit_rep, qazvin_officer, django_assert_max_num_queries
):
    for day in range(4, 16):
        publish(advisor_user, advisor, qc, days=day)
    client.force_login(unit_rep)
    for name in ("clinic_calendar", "slot_list", "booking_list", "referral_list", "advisor_list"):
        with django_assert_max_num_queries(16):
            assert client.get(reverse(f"outreach:{name}")).status_code == 200
    client.force_login(qazvin_officer)
    for name in ("clinic_calendar", "slot_list", "booking_list", "referral_list", "advisor_list"):
        with django_assert_max_num_queries(16):
            assert client.get(reverse(f"outreach:{name}")).status_code == 200


# --- booking on the page --------------------------------------------------------------------------------


def test_a_unit_rep_books_on_the_slot_page_and_lands_on_its_booking(
    client, advisor, advisor_user, qc, unit_rep, qazvin_unit
):
    slot = publish(advisor_user, advisor, qc, days=5)
    client.force_login(unit_rep)
    page = client.get(reverse("outreach:slot_detail", args=[slot.public_id])).content.decode()
    assert 'id="book-form"' in page
    response = client.post(
        reverse("outreach:slot_detail", args=[slot.public_id]),
        {"unit": str(qazvin_unit.public_id), "question": "سؤال درباره برچسب"},
    )
    booking = Booking.objects.get(slot=slot)
    assert response.status_code == 302 and response["Location"] == reverse(
        "outreach:booking_detail", args=[booking.public_id]
    )
    assert booking.question == "سؤال درباره برچسب"


def test_the_slot_page_says_why_a_unit_cannot_book(client, world, second_rep):
    client.force_login(second_rep)
    html = client.get(_url("slot_detail", world)).content.decode()
    assert "کاربر دیگری زودتر این نوبت را رزرو کرد" in html and 'id="book-form"' not in html


def test_the_slot_page_shows_the_units_own_booking_not_a_refusal(client, world, unit_rep):
    client.force_login(unit_rep)
    html = client.get(_url("slot_detail", world)).content.decode()
    assert 'id="slot-booking"' in html and str(world["booking"].public_id) in html
    assert "کاربر دیگری زودتر این نوبت را رزرو کرد" not in html


def test_the_slot_page_explains_the_priority_window(client, settings, advisor, advisor_user, qc, second_rep):
    settings.HAMI_CLINIC_PRIORITY_HOURS = 48
    slot = publish(advisor_user, advisor, qc, days=5)
    client.force_login(second_rep)
    html = client.get(reverse("outreach:slot_detail", args=[slot.public_id])).content.decode()
    assert 'id="priority-note"' in html and "یا واحدهای مسیر سریع نگه داشته شده است" in html


def test_booking_a_taken_slot_on_the_page_says_so_and_changes_nothing(client, world, second_rep, second_unit):
    client.force_login(second_rep)
    response = client.post(_url("slot_detail", world), {"unit": str(second_unit.public_id)})
    assert response.status_code == 302
    assert _messages(response) == ["کاربر دیگری زودتر این نوبت را رزرو کرد؛ نوبت دیگری انتخاب کنید."]
    assert Booking.objects.count() == 1


def test_nobody_books_for_a_unit_that_is_not_theirs_on_the_page(
    client, world, advisor, advisor_user, qc, second_rep, qazvin_unit, outsider, tehran_officer
):
    slot = publish(advisor_user, advisor, qc, days=6)
    url = reverse("outreach:slot_detail", args=[slot.public_id])
    client.force_login(outsider)
    assert client.post(url, {"unit": str(qazvin_unit.public_id)}).status_code == 403
    for user in (second_rep, tehran_officer):
        client.force_login(user)
        response = client.post(url, {"unit": str(qazvin_unit.public_id)})
        assert response.status_code == 302 and _messages(response)
    client.force_login(tehran_officer)
    assert client.post(url, {"unit": qazvin_unit.national_id}).status_code == 302
    assert not Booking.objects.filter(slot=slot).exists()


def test_the_office_books_for_a_unit_by_its_national_id(
    client, advisor, advisor_user, qc, qazvin_officer, second_unit
):
    slot = publish(advisor_user, advisor, qc, days=6)
    client.force_login(qazvin_officer)
    client.post(reverse("outreach:slot_detail", args=[slot.public_id]), {"unit": second_unit.national_id})
    assert Booking.objects.get(slot=slot).unit == second_unit


# --- the booking's moves --------------------------------------------------------------------------------


def test_the_unit_cancels_on_the_booking_page(client, world, unit_rep):
    client.force_login(unit_rep)
    response = client.post(
        reverse("outreach:booking_act", args=[world["booking"].public_id, "cancel"]), {"reason": ""}
    )
    assert response.status_code == 302
    assert Booking.objects.get().status == BookingStatus.CANCELLED


def test_another_unit_cannot_act_on_a_booking(client, world, second_rep, tehran_officer):
    for user in (second_rep, tehran_officer):
        client.force_login(user)
        url = reverse("outreach:booking_act", args=[world["booking"].public_id, "cancel"])
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert Booking.objects.get().status == BookingStatus.BOOKED


def test_the_page_moves_a_booking_to_another_slot_of_the_advisor(
    client, world, advisor, advisor_user, qc, unit_rep
):
    later = publish(advisor_user, advisor, qc, days=7)
    client.force_login(unit_rep)
    page = client.get(_url("booking_detail", world)).content.decode()
    assert str(later.public_id) in page
    response = client.post(
        reverse("outreach:booking_act", args=[world["booking"].public_id, "reschedule"]),
        {"slot": str(later.public_id)},
    )
    moved = Booking.objects.get(slot=later)
    assert response["Location"] == reverse("outreach:booking_detail", args=[moved.public_id])


def test_the_advisor_records_the_session_and_the_unit_rates_it_on_the_page(
    client, world, advisor_user, unit_rep
):
    booking, slot = world["booking"], world["slot"]
    Slot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=timezone.now()
    )
    client.force_login(unit_rep)
    assert 'id="notes-form"' not in client.get(_url("booking_detail", world)).content.decode()
    forbidden = client.post(
        reverse("outreach:booking_act", args=[booking.public_id, "notes"]), {"outcome": "held", "notes": "x"}
    )
    assert forbidden.status_code == 403
    client.force_login(advisor_user)
    assert 'id="notes-form"' in client.get(_url("booking_detail", world)).content.decode()
    client.post(
        reverse("outreach:booking_act", args=[booking.public_id, "notes"]),
        {"outcome": "held", "notes": "راهنمایی شد"},
    )
    booking.refresh_from_db()
    assert booking.status == "held"
    client.force_login(unit_rep)
    assert 'id="rate-form"' in client.get(_url("booking_detail", world)).content.decode()
    client.post(
        reverse("outreach:booking_act", args=[booking.public_id, "rate"]), {"rating": "5", "comment": "عالی"}
    )
    booking.refresh_from_db()
    assert booking.rating == 5
    response = client.post(reverse("outreach:booking_act", args=[booking.public_id, "rate"]), {"rating": "9"})
    assert response.status_code == 302 and _messages(response)


def test_an_unknown_booking_action_is_404(client, world, unit_rep):
    client.force_login(unit_rep)
    assert (
        client.post(reverse("outreach:booking_act", args=[world["booking"].public_id, "explode"])).status_code
        == 404
    )


# --- slots, referrals and advisors on the pages ---------------------------------------------------------


def test_the_advisor_publishes_a_weekly_series_on_the_page(client, advisor, advisor_user, qc):
    client.force_login(advisor_user)
    day = timezone.localdate() + dt.timedelta(days=3)
    import jdatetime

    jalali = jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")
    data = {
        "advisor": str(advisor.public_id),
        "topic": qc.code,
        "day": jalali,
        "start": "۰۹:۰۰",
        "end": "10:00",
        "mode": "online",
        "link": "https://meet.example.ir/x",
        "weeks": "3",
    }
    response = client.post(reverse("outreach:slot_new"), data)
    assert response.status_code == 302
    assert Slot.objects.count() == 3
    assert {timezone.localtime(s.starts_at).hour for s in Slot.objects.all()} == {9}


def test_a_refused_slot_is_shown_on_the_form(client, advisor, advisor_user, qc):
    client.force_login(advisor_user)
    data = {
        "advisor": str(advisor.public_id),
        "topic": qc.code,
        "day": "1390/01/01",
        "start": "09:00",
        "end": "10:00",
        "mode": "in_person",
        "venue": "اتاق ۱",
    }
    response = client.post(reverse("outreach:slot_new"), data)
    assert response.status_code == 200 and "زمان شروع نوبت باید در آینده باشد." in response.content.decode()
    assert not Slot.objects.exists()


def test_the_office_refers_a_unit_and_closes_the_referral_on_the_pages(
    client, qazvin_officer, second_unit, labelling, unit_rep
):
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("outreach:referral_list"),
        {"unit": second_unit.national_id, "topic": labelling.code, "reason": "برچسب"},
    )
    referral = Referral.objects.get()
    assert response["Location"] == reverse("outreach:referral_detail", args=[referral.public_id])
    assert (referral.unit, referral.topic, referral.source) == (second_unit, labelling, "office")
    client.force_login(unit_rep)
    assert (
        client.post(reverse("outreach:referral_list"), {"unit": second_unit.national_id}).status_code == 403
    )
    assert (
        client.post(
            reverse("outreach:referral_detail", args=[referral.public_id]), {"reason": "x"}
        ).status_code
        == 404
    )
    client.force_login(qazvin_officer)
    client.post(reverse("outreach:referral_detail", args=[referral.public_id]), {"reason": "رفع شد"})
    assert Referral.objects.get().status == "closed"


def test_a_referral_page_lists_slots_on_its_topic_to_book(client, world, advisor, advisor_user, qc, unit_rep):
    later = publish(advisor_user, advisor, qc, days=8)
    client.force_login(unit_rep)
    html = client.get(_url("referral_detail", world)).content.decode()
    assert f"{later.public_id}/?referral={world['referral'].public_id}" in html


def test_the_office_adds_edits_and_deactivates_an_advisor_on_the_pages(
    client, qazvin_officer, qc, labelling, tehran_officer, unit_rep
):
    from conftest import make_user
    from hami.core.models import Role

    make_user("new-consultant", Role.ADVISOR)
    client.force_login(qazvin_officer)
    data = {
        "username": "new-consultant",
        "kind": "consultant",
        "display_name": "مشاور تازه",
        "topics": [qc.code],
    }
    response = client.post(reverse("outreach:advisor_list"), data)
    advisor = Advisor.objects.get(user__username="new-consultant")
    assert response["Location"] == reverse("outreach:advisor_detail", args=[advisor.public_id])
    url = reverse("outreach:advisor_detail", args=[advisor.public_id])
    client.post(url, {**data, "topics": [qc.code, labelling.code], "username": "someone-else"})
    assert set(advisor.topics.values_list("code", flat=True)) == {qc.code, labelling.code}
    for user in (tehran_officer, unit_rep):
        client.force_login(user)
        assert client.post(url, {"action": "deactivate", "reason": "x"}).status_code == 403
        assert client.post(reverse("outreach:advisor_list"), data).status_code == 403
    client.force_login(qazvin_officer)
    client.post(url, {"action": "deactivate", "reason": "پایان قرارداد"})
    assert not Advisor.objects.get(pk=advisor.pk).is_active


def test_a_wrong_advisor_form_says_which_field(client, qazvin_officer, qc, unit_rep):
    client.force_login(qazvin_officer)
    data = {"username": "unit-rep", "kind": "consultant", "display_name": "x", "topics": [qc.code]}
    response = client.post(reverse("outreach:advisor_list"), data)
    assert response.status_code == 200 and "حساب کاربری مشاور خصوصی باید نقش" in response.content.decode()
    response = client.post(reverse("outreach:advisor_list"), {**data, "username": "nobody"})
    assert "کاربری با این نام کاربری وجود ندارد." in response.content.decode()
    assert not Advisor.objects.exists()


def test_a_slot_cancelled_on_its_page_by_the_advisor_not_by_a_unit(client, world, advisor_user, unit_rep):
    url = reverse("outreach:slot_act", args=[world["slot"].public_id, "cancel"])
    client.force_login(unit_rep)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(advisor_user)
    client.post(url, {"reason": "سفر کاری"})
    assert Slot.objects.get(pk=world["slot"].pk).status == SlotStatus.CANCELLED
    assert Booking.objects.get().status == BookingStatus.CANCELLED


def test_a_held_booking_shows_the_notes(client, world, advisor_user, unit_rep):
    booking = world["booking"]
    booking_record_session(
        actor=advisor_user, booking=booking, notes="یادداشت جلسه", now=world["slot"].starts_at
    )
    client.force_login(unit_rep)
    assert "یادداشت جلسه" in client.get(_url("booking_detail", world)).content.decode()
