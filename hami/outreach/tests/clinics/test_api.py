"""The clinics API, /api/v1/outreach: reads scoped per persona, the same refusals as the services as
{code, message, field}, ISO 8601 times, UUID ids; a bearer token works as the session does."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.tokens import api_token_create
from hami.outreach.models import Advisor, Booking, Referral, Slot
from hami.outreach.services.referrals import referral_create
from hami.outreach.tests.clinics.conftest import at, publish

pytestmark = pytest.mark.django_db

API = "/api/v1/outreach"


def bearer(user) -> dict:
    _token, key = api_token_create(actor=None, user=user, name="script")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client, url, user, body=None):
    return client.post(url, body or {}, content_type="application/json", **bearer(user))


def get(client, url, user, **query):
    return client.get(url, query, **bearer(user))


def refusal(response, status: int, code: str, field=...) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code and body["message"], body
    if field is not ...:
        assert body["field"] == field, body
    return body


@pytest.fixture
def world(slot, booking, qc, qazvin_unit, advisor):
    referral = referral_create(
        unit=qazvin_unit, source="finding", source_ref="F-1", reason="ثبت آزمون", topic=qc
    )
    return {"slot": slot, "booking": booking, "referral": referral, "advisor": advisor}


def test_anonymous_gets_401(client, world):
    for path in ("/advisors", "/slots", "/bookings", "/referrals", f"/slots/{world['slot'].public_id}"):
        assert client.get(API + path).status_code == 401


# --- reads ----------------------------------------------------------------------------------------------


def test_advisors_and_slots_are_listed_for_every_signed_in_user(client, world, outsider, qc):
    body = get(client, f"{API}/advisors", outsider, topic=qc.code).json()
    assert [a["id"] for a in body["items"]] == [str(world["advisor"].public_id)]
    assert body["items"][0]["topics"] == ["labelling", "quality-control"]
    slots = get(client, f"{API}/slots", outsider).json()["items"]
    assert slots[0]["id"] == str(world["slot"].public_id) and slots[0]["status"] == "booked"
    assert dt.datetime.fromisoformat(slots[0]["starts_at"]) == world["slot"].starts_at


def test_slot_filters(client, world, advisor, advisor_user, qc, labelling, outsider):
    free = publish(advisor_user, advisor, labelling, days=5)
    ids = lambda **q: [s["id"] for s in get(client, f"{API}/slots", outsider, **q).json()["items"]]  # noqa: E731
    assert ids(open_only=True) == [str(free.public_id)]
    assert ids(topic="labelling") == [str(free.public_id)]
    assert ids(advisor=str(advisor.public_id)) == [str(world["slot"].public_id), str(free.public_id)]
    assert ids(**{"from": at(4).isoformat()}) == [str(free.public_id)]
    assert ids(**{"to": at(4).isoformat()}) == [str(world["slot"].public_id)]
    assert ids(province="tehran") == []
    assert get(client, f"{API}/slots", outsider, **{"from": "yesterday"}).status_code == 422


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("unit_rep", True),
        ("advisor_user", True),
        ("qazvin_officer", True),
        ("admin_user", True),
        ("second_rep", False),
        ("tehran_officer", False),
        ("outsider", False),
        ("lab_user", False),
    ],
)
def test_my_bookings_and_one_booking_are_scoped(client, request, world, persona, sees):
    user = request.getfixturevalue(persona)
    items = get(client, f"{API}/bookings", user).json()["items"]
    assert (str(world["booking"].public_id) in [b["id"] for b in items]) == sees
    one = get(client, f"{API}/bookings/{world['booking'].public_id}", user)
    assert one.status_code == (200 if sees else 404)


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("unit_rep", True),
        ("qazvin_officer", True),
        ("qazvin_inspector", True),
        ("second_rep", False),
        ("tehran_officer", False),
        ("advisor_user", False),
        ("outsider", False),
    ],
)
def test_referrals_are_scoped(client, request, world, persona, sees):
    user = request.getfixturevalue(persona)
    items = get(client, f"{API}/referrals", user).json()["items"]
    assert (str(world["referral"].public_id) in [r["id"] for r in items]) == sees
    assert get(client, f"{API}/referrals/{world['referral'].public_id}", user).status_code == (
        200 if sees else 404
    )


def test_lists_take_a_bounded_number_of_queries(
    client, world, advisor, advisor_user, qc, unit_rep, django_assert_max_num_queries
):
    for day in range(4, 14):
        publish(advisor_user, advisor, qc, days=day)
    auth = bearer(unit_rep)
    for path in ("/slots", "/advisors", "/bookings", "/referrals"):
        with django_assert_max_num_queries(8):
            assert client.get(API + path, **auth).status_code == 200


# --- publishing and booking -----------------------------------------------------------------------------


def test_the_advisor_publishes_a_slot_and_a_series(client, advisor, advisor_user, qc):
    start = at(3, 10)
    body = {
        "advisor": str(advisor.public_id),
        "topic": qc.code,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
        "mode": "online",
        "link": "https://meet.example.ir/a",
    }
    response = post(client, f"{API}/slots", advisor_user, body)
    assert response.status_code == 201 and len(response.json()) == 1
    response = post(
        client,
        f"{API}/slots",
        advisor_user,
        {**body, "starts_at": at(4, 10).isoformat(), "ends_at": at(4, 11).isoformat(), "weeks": 3},
    )
    assert response.status_code == 201 and len(response.json()) == 3
    assert Slot.objects.count() == 4


def test_publishing_refusals(client, advisor, advisor_user, qc, unit_rep, export):
    start = at(3, 10)
    body = {
        "advisor": str(advisor.public_id),
        "topic": qc.code,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
        "mode": "in_person",
        "venue": "اتاق ۱",
    }
    refusal(post(client, f"{API}/slots", unit_rep, body), 403, "forbidden")
    refusal(post(client, f"{API}/slots", advisor_user, {**body, "topic": "nope"}), 400, "invalid", "topic")
    refusal(
        post(client, f"{API}/slots", advisor_user, {**body, "topic": export.code}), 400, "invalid", "topic"
    )
    refusal(post(client, f"{API}/slots", advisor_user, {**body, "venue": ""}), 400, "invalid", "venue")
    naive = {**body, "starts_at": "2030-01-01T09:00:00", "ends_at": "2030-01-01T10:00:00"}
    refusal(post(client, f"{API}/slots", advisor_user, naive), 400, "invalid", "starts_at")
    assert post(client, f"{API}/slots", advisor_user, {**body, "mode": "telepathy"}).status_code == 422
    assert post(client, f"{API}/slots", advisor_user, body).status_code == 201
    refusal(post(client, f"{API}/slots", advisor_user, body), 400, "slot_overlap", "starts_at")
    assert Slot.objects.count() == 1


def test_a_unit_books_through_the_api_and_refusals_change_nothing(
    client, advisor, advisor_user, qc, unit_rep, qazvin_unit, second_rep, second_unit, tehran_rep
):
    slot = publish(advisor_user, advisor, qc, days=5)
    url = f"{API}/slots/{slot.public_id}/book"
    assert post(client, url, second_rep, {"unit": str(qazvin_unit.public_id)}).status_code == 404
    assert post(client, url, tehran_rep, {"unit": str(qazvin_unit.public_id)}).status_code == 404
    response = post(client, url, unit_rep, {"unit": str(qazvin_unit.public_id), "question": "برچسب"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["status"] == "booked"
        and body["slot"]["status"] == "booked"
        and body["unit"] == str(qazvin_unit.public_id)
    )
    refusal(post(client, url, second_rep, {"unit": str(second_unit.public_id)}), 400, "slot_taken")
    assert Booking.objects.count() == 1


def test_booking_past_cancelled_and_priority_slots_through_the_api(
    client, settings, advisor, advisor_user, qc, unit_rep, qazvin_unit, in_english
):
    past = publish(advisor_user, advisor, qc, days=5)
    Slot.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2), ends_at=timezone.now()
    )
    body = {"unit": str(qazvin_unit.public_id)}
    refusal(post(client, f"{API}/slots/{past.public_id}/book", unit_rep, body), 400, "slot_past")
    cancelled = publish(advisor_user, advisor, qc, days=6)
    post(client, f"{API}/slots/{cancelled.public_id}/cancel", advisor_user, {"reason": "سفر"})
    refusal(post(client, f"{API}/slots/{cancelled.public_id}/book", unit_rep, body), 400, "slot_cancelled")
    settings.HAMI_CLINIC_PRIORITY_HOURS = 48
    reserved = publish(advisor_user, advisor, qc, days=7)
    message = refusal(
        post(client, f"{API}/slots/{reserved.public_id}/book", unit_rep, body), 400, "priority_only"
    )
    # Persian by default, naming until when (in Jalali) the slot is kept
    assert message["message"].startswith("این نوبت تا ۱۴") and "مسیر سریع" in message["message"]
    assert not Booking.objects.exists()


def test_the_unit_cancels_and_reschedules_and_the_advisor_records_and_the_unit_rates(
    client, world, advisor, advisor_user, qc, unit_rep, second_rep
):
    booking = world["booking"]
    later = publish(advisor_user, advisor, qc, days=6)
    assert (
        post(
            client,
            f"{API}/bookings/{booking.public_id}/reschedule",
            second_rep,
            {"slot": str(later.public_id)},
        ).status_code
        == 404
    )
    response = post(
        client, f"{API}/bookings/{booking.public_id}/reschedule", unit_rep, {"slot": str(later.public_id)}
    )
    assert response.status_code == 200
    moved = response.json()
    assert moved["slot"]["id"] == str(later.public_id) and moved["id"] != str(booking.public_id)
    old = get(client, f"{API}/bookings/{booking.public_id}", unit_rep).json()
    assert old["status"] == "rescheduled" and old["rescheduled_to"] == moved["id"]
    # Notes only after the start, only by the advisor; then the rating, once.
    url = f"{API}/bookings/{moved['id']}"
    refusal(post(client, f"{url}/notes", advisor_user, {"notes": "x"}), 400, "wrong_state")
    Slot.objects.filter(pk=later.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    refusal(post(client, f"{url}/notes", unit_rep, {"notes": "x"}), 403, "forbidden")
    refusal(post(client, f"{url}/notes", advisor_user, {"notes": " "}), 400, "invalid", "notes")
    assert post(client, f"{url}/notes", advisor_user, {"notes": "مشاوره داده شد"}).json()["status"] == "held"
    refusal(post(client, f"{url}/rate", unit_rep, {"rating": 7}), 400, "invalid", "rating")
    refusal(post(client, f"{url}/rate", advisor_user, {"rating": 5}), 403, "forbidden")
    assert post(client, f"{url}/rate", unit_rep, {"rating": 5, "comment": "خوب"}).json()["rating"] == 5
    refusal(post(client, f"{url}/rate", unit_rep, {"rating": 4}), 400, "wrong_state")


def test_the_unit_cancels_too_late_through_the_api(client, world, unit_rep, advisor_user):
    slot, booking = world["slot"], world["booking"]
    Slot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=2), ends_at=timezone.now() + dt.timedelta(hours=3)
    )
    refusal(post(client, f"{API}/bookings/{booking.public_id}/cancel", unit_rep), 400, "too_late")
    refusal(
        post(client, f"{API}/bookings/{booking.public_id}/cancel", advisor_user), 400, "invalid", "reason"
    )
    assert (
        post(client, f"{API}/bookings/{booking.public_id}/cancel", advisor_user, {"reason": "سفر"}).json()[
            "status"
        ]
        == "cancelled"
    )


# --- referrals and advisors -----------------------------------------------------------------------------


def test_the_office_refers_and_closes_and_a_unit_cannot(
    client, qazvin_officer, qazvin_inspector, second_unit, unit_rep, tehran_officer, labelling
):
    body = {
        "unit": str(second_unit.public_id),
        "reason": "برچسب ناقص",
        "topic": labelling.code,
        "source_ref": "N-1",
    }
    assert post(client, f"{API}/referrals", unit_rep, body).status_code == 404
    assert post(client, f"{API}/referrals", tehran_officer, body).status_code == 404
    response = post(client, f"{API}/referrals", qazvin_inspector, body)
    assert response.status_code == 201 and response.json()["topic"] == "labelling"
    again = post(client, f"{API}/referrals", qazvin_officer, body)
    assert again.json()["id"] == response.json()["id"] and Referral.objects.count() == 1
    fallback = post(
        client, f"{API}/referrals", qazvin_officer, {"unit": str(second_unit.public_id), "reason": "x"}
    )
    assert fallback.json()["topic"] == "quality-control"
    url = f"{API}/referrals/{response.json()['id']}/close"
    refusal(post(client, url, qazvin_inspector, {"reason": "x"}), 403, "forbidden")
    refusal(post(client, url, qazvin_officer, {"reason": ""}), 400, "invalid", "reason")
    assert post(client, url, qazvin_officer, {"reason": "رفع شد"}).json()["status"] == "closed"


def test_the_office_saves_and_deactivates_an_advisor(client, qazvin_officer, tehran_officer, lab_user, qc):
    from hami.labs.models import LabMembership

    lab = LabMembership.objects.get(user=lab_user).lab
    body = {
        "username": "lab-user",
        "kind": "lab_expert",
        "display_name": "کارشناس آزمایشگاه",
        "topics": [qc.code],
        "lab": str(lab.public_id),
    }
    refusal(post(client, f"{API}/advisors", lab_user, body), 403, "forbidden")
    # The Tehran office cannot make a Qazvin lab's staff an advisor of Tehran.
    refusal(post(client, f"{API}/advisors", tehran_officer, body), 400, "invalid", "lab")
    refusal(post(client, f"{API}/advisors", tehran_officer, {**body, "province": "qazvin"}), 403, "forbidden")
    refusal(post(client, f"{API}/advisors", qazvin_officer, {**body, "lab": None}), 400, "invalid", "lab")
    refusal(
        post(client, f"{API}/advisors", qazvin_officer, {**body, "topics": ["nope"]}),
        400,
        "invalid",
        "topics",
    )
    refusal(
        post(client, f"{API}/advisors", qazvin_officer, {**body, "username": "ghost"}),
        400,
        "invalid",
        "username",
    )
    response = post(client, f"{API}/advisors", qazvin_officer, body)
    assert response.status_code == 200 and response.json()["lab"] == str(lab.public_id)
    advisor = Advisor.objects.get()
    refusal(
        post(client, f"{API}/advisors/{advisor.public_id}/deactivate", tehran_officer, {"reason": "x"}),
        403,
        "forbidden",
    )
    assert (
        post(
            client, f"{API}/advisors/{advisor.public_id}/deactivate", qazvin_officer, {"reason": "پایان"}
        ).json()["is_active"]
        is False
    )
    assert get(client, f"{API}/advisors", qazvin_officer).json()["items"] == []
    assert len(get(client, f"{API}/advisors", qazvin_officer, active=False).json()["items"]) == 1


def test_unknown_ids_are_404_with_a_message(client, world, unit_rep):
    for path in ("/slots/x", "/bookings/00000000-0000-0000-0000-000000000000", "/referrals/1", "/advisors/x"):
        body = get(client, API + path, unit_rep).json()
        assert body["code"] == "not_found" and body["message"]
