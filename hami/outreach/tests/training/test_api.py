"""The training API for every persona, and the same services behind it: register (and the waitlist),
cancel, my registrations, attendance, completion, certificates and their PDF, filters, refusals as
{code, message, field}."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.outreach.models import CourseSession, SessionStatus
from hami.outreach.tests.training.conftest import register, schedule, snapshot, took_place

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def world(session, qc_course, unit_rep, qazvin_unit):
    return {"session": session, "registration": register(unit_rep, session, qazvin_unit, name="نسرین یزدانی")}


def _login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def _json(client, method, url, body=None):
    if method == "get":
        return client.get(url)
    return client.post(url, body or {}, content_type="application/json")


ALL = ["anonymous", "qazvin_officer", "tehran_officer", "qazvin_inspector", "admin_user", "unit_rep",
       "tehran_rep", "lab_user", "outsider"]  # fmt: skip


@pytest.mark.parametrize("persona", ALL)
def test_reading_endpoints_need_a_login_and_are_scoped(client, request, world, persona):
    _login(client, request, persona)
    session = world["session"]
    expected = 401 if persona == "anonymous" else 200
    urls = ["/outreach/courses", "/outreach/sessions", f"/outreach/sessions/{session.public_id}",
            "/outreach/registrations", "/outreach/certificates"]  # fmt: skip
    for url in (API + path for path in urls):
        assert client.get(url).status_code == expected, url
    if persona == "anonymous":
        return
    mine = [r["full_name"] for r in client.get(f"{API}/outreach/registrations").json()["items"]]
    sees = persona in ("qazvin_officer", "qazvin_inspector", "admin_user", "unit_rep")
    assert mine == (["نسرین یزدانی"] if sees else [])
    shown = client.get(f"{API}/outreach/sessions/{session.public_id}").json()["registrations"]
    office_or_unit = persona in ("qazvin_officer", "admin_user", "unit_rep", "qazvin_inspector")
    assert [r["full_name"] for r in shown] == (["نسرین یزدانی"] if office_or_unit else [])


def test_session_list_filters_by_province_dates_and_kind(
    client, world, qc_session, tehran_officer, qc_course, unit_rep
):
    tehran_session = schedule(tehran_officer, qc_course, days=20, online=True)
    client.force_login(unit_rep)
    ids = lambda query: {s["id"] for s in client.get(f"{API}/outreach/sessions", query).json()["items"]}  # noqa: E731
    everything = {str(world["session"].public_id), str(qc_session.public_id), str(tehran_session.public_id)}
    assert ids({}) == everything
    assert ids({"province": "tehran"}) == {str(tehran_session.public_id)}
    assert ids({"kind": "standard"}) == {str(world["session"].public_id)}
    day = timezone.localdate(tehran_session.starts_at)
    assert ids({"from": day.isoformat()}) == {str(tehran_session.public_id)}
    assert ids({"to": (day - dt.timedelta(days=1)).isoformat()}) == everything - {
        str(tehran_session.public_id)
    }
    assert client.get(f"{API}/outreach/sessions", {"from": "1405-13-01"}).status_code == 422
    body = client.get(f"{API}/outreach/sessions/{world['session'].public_id}").json()
    assert body["places_left"] == 1 and body["waitlisted"] == 0 and body["course"]["kind"] == "standard"


def test_register_through_the_api_then_the_waitlist_then_full(client, world, unit_rep, qazvin_unit):
    client.force_login(unit_rep)
    url = f"{API}/outreach/sessions/{world['session'].public_id}/registrations"
    body = {"unit": str(qazvin_unit.public_id), "full_name": "آرش پاکزاد", "national_code": "0023456787"}
    response = _json(client, "post", url, body)
    assert response.status_code == 201 and response.json()["status"] == "registered"
    response = _json(client, "post", url, {**body, "national_code": "0034567895"})
    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted" and response.json()["waitlist_position"] == 1
    before = snapshot()
    response = _json(client, "post", url, {**body, "national_code": "0045678901", "waitlist": False})
    assert response.status_code == 400 and response.json()["code"] == "full"
    response = _json(client, "post", url, {**body, "national_code": "0034567895"})
    assert response.status_code == 400 and response.json() == {
        "code": "already_registered",
        "message": response.json()["message"],
        "field": "national_code",
    }
    response = _json(client, "post", url, {**body, "national_code": "0034567890"})
    assert response.status_code == 400 and response.json()["field"] == "national_code"
    assert snapshot() == before


def test_registering_for_another_unit_or_a_cancelled_session_is_refused(
    client, world, tehran_rep, qazvin_unit, qazvin_officer
):
    client.force_login(tehran_rep)
    url = f"{API}/outreach/sessions/{world['session'].public_id}/registrations"
    body = {"unit": str(qazvin_unit.public_id), "full_name": "نفوذی", "national_code": "0023456787"}
    before = snapshot()
    assert _json(client, "post", url, body).status_code == 403
    unknown = {**body, "unit": "00000000-0000-0000-0000-000000000000"}
    assert _json(client, "post", url, unknown).status_code == 404
    assert _json(client, "post", url, {"unit": "x"}).status_code == 422
    assert snapshot() == before
    client.force_login(qazvin_officer)
    _json(client, "post", f"{API}/outreach/sessions/{world['session'].public_id}/registrations", body)
    from hami.outreach.services.training import session_cancel

    session_cancel(actor=qazvin_officer, session=world["session"], reason="لغو")
    response = _json(client, "post", url, {**body, "national_code": "0034567895"})
    assert response.status_code == 400 and response.json()["code"] == "wrong_state"


def test_cancel_a_registration_through_the_api(client, world, unit_rep, tehran_rep):
    registration = world["registration"]
    url = f"{API}/outreach/registrations/{registration.public_id}/cancel"
    client.force_login(tehran_rep)
    assert _json(client, "post", url).status_code == 404
    client.force_login(unit_rep)
    response = _json(client, "post", url, {"reason": "مرخصی"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = _json(client, "post", url)
    assert again.status_code == 400 and again.json()["code"] == "wrong_state"


def test_attendance_and_completion_by_the_office_only(
    client, world, qazvin_officer, tehran_officer, unit_rep
):
    session, registration = world["session"], world["registration"]
    base = f"{API}/outreach/sessions/{session.public_id}"
    client.force_login(qazvin_officer)
    early = _json(client, "post", f"{base}/attendance", {"attended": [str(registration.public_id)]})
    assert early.status_code == 400 and early.json()["code"] == "wrong_state"
    took_place(session)
    for user in (tehran_officer, unit_rep):
        client.force_login(user)
        assert _json(client, "post", f"{base}/attendance", {"attended": []}).status_code == 403
        assert _json(client, "post", f"{base}/complete").status_code == 403
    client.force_login(qazvin_officer)
    assert _json(client, "post", f"{base}/complete").json()["code"] == "wrong_state"
    junk = _json(client, "post", f"{base}/attendance", {"attended": ["00000000-0000-0000-0000-000000000000"]})
    assert junk.status_code == 400 and junk.json()["field"] == "attended"
    done = _json(client, "post", f"{base}/attendance", {"attended": [str(registration.public_id)]})
    assert [r["status"] for r in done.json()] == ["attended"]
    certificates = _json(client, "post", f"{base}/complete").json()
    assert [c["full_name"] for c in certificates] == ["نسرین یزدانی"] and certificates[0][
        "standing"
    ] == "valid"
    assert CourseSession.objects.get(pk=session.pk).status == SessionStatus.COMPLETED
    code = certificates[0]["code"]
    client.force_login(unit_rep)
    listed = client.get(f"{API}/outreach/certificates", {"code": code}).json()["items"]
    assert [c["code"] for c in listed] == [code]
    pdf = client.get(f"{API}/outreach/certificates/{code}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    client.force_login(tehran_officer)
    assert client.get(f"{API}/outreach/certificates/{code}/pdf").status_code == 404
    assert client.get(f"{API}/outreach/certificates", {"code": code}).json()["items"] == []


def test_course_list_filters(client, world, qc_course, renewal_course, unit_rep):
    client.force_login(unit_rep)

    def codes(query):
        return sorted(c["code"] for c in client.get(f"{API}/outreach/courses", query).json()["items"])

    assert codes({}) == ["inso-93-milk", "qc-competence", "qc-renewal"]
    assert codes({"kind": "qc_renewal"}) == ["qc-renewal"]
    assert client.get(f"{API}/outreach/courses", {"kind": "nonsense"}).status_code == 422


def test_registration_lists_take_a_fixed_number_of_queries(client, world, unit_rep, qazvin_unit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(unit_rep)
    urls = [f"{API}/outreach/registrations", f"{API}/outreach/sessions/{world['session'].public_id}"]

    def queries() -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    register(unit_rep, world["session"], qazvin_unit)
    register(unit_rep, world["session"], qazvin_unit)  # one waiting
    few = queries()
    for _ in range(12):
        register(unit_rep, world["session"], qazvin_unit)
    assert queries() == few and max(few) <= 10
    positions = [r["waitlist_position"] for r in client.get(urls[0]).json()["items"]]
    assert sorted(p for p in positions if p) == list(range(1, 14))


WRITERS = ["anonymous", "outsider", "tehran_rep", "tehran_officer", "lab_user"]


@pytest.mark.parametrize("persona", WRITERS)
def test_every_write_endpoint_refuses_the_wrong_persona_and_changes_nothing(
    client, request, world, qazvin_unit, persona
):
    session, registration = world["session"], world["registration"]
    took_place(session)
    _login(client, request, persona)
    before = snapshot()
    calls = {
        "register": (
            f"{API}/outreach/sessions/{session.public_id}/registrations",
            {"unit": str(qazvin_unit.public_id), "full_name": "نفوذی", "national_code": "0023456787"},
        ),
        "cancel": (f"{API}/outreach/registrations/{registration.public_id}/cancel", {}),
        "attendance": (
            f"{API}/outreach/sessions/{session.public_id}/attendance",
            {"attended": [str(registration.public_id)]},
        ),
        "complete": (f"{API}/outreach/sessions/{session.public_id}/complete", {}),
    }
    for name, (url, body) in calls.items():
        status = _json(client, "post", url, body).status_code
        if persona == "anonymous":
            assert status == 401, name
        elif name == "cancel":
            assert status == 404, name  # another unit's registration is not even visible
        else:
            assert status in (400, 403), (name, status)  # a started session refuses registration first
    assert snapshot() == before
