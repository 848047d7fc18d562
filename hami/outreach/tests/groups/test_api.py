"""The working-groups API, /api/v1/outreach/…: the same rules and access as the pages; every refusal is
{code, message, field} with a 4xx status and changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.tokens import api_token_create
from hami.outreach.models import ActionState, MeetingStatus, Proposal, WorkingGroup
from hami.outreach.services import groups as services
from hami.outreach.tests.groups.conftest import started
from hami.standards.tests.factories import StandardFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/outreach"
INSIDERS = ["qazvin_officer", "admin_user", "chair_rep", "unit_rep", "expert", "group_lab_user"]
OUTSIDERS = ["outsider", "other_rep", "tehran_officer", "qazvin_inspector"]


def bearer(user) -> dict:
    _token, key = api_token_create(actor=None, user=user, name="script")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def as_(request):
    """as_("unit_rep") → the persona's bearer header (one token per persona: making one is audited)."""
    headers: dict = {}

    def header(persona: str) -> dict:
        if persona not in headers:
            headers[persona] = bearer(request.getfixturevalue(persona))
        return headers[persona]

    return header


def post(client, url, auth, body=None):
    return client.post(url, body or {}, content_type="application/json", **auth)


def refusal(response, status: int, code: str, field=...):
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code and body["message"], body
    if field is not ...:
        assert body["field"] == field, body
    return body


@pytest.fixture
def full_group(qazvin_officer, group, staffed, meeting, unit_rep):
    action = services.action_add(
        actor=qazvin_officer,
        group=group,
        title="تهیه فهرست",
        owner=staffed["member"],
        due_on=timezone.localdate(),
    )
    action.due_on = timezone.localdate() - dt.timedelta(days=1)
    action.save()
    proposal = services.proposal_submit(
        actor=unit_rep, group=group, kind="test_capability", title="آزمون آفلاتوکسین", description="شرح"
    )
    return {"action": action, "proposal": proposal, "meeting": meeting}


# ---------------------------------------------------------------- anonymous


def test_anonymous_gets_401_everywhere(client, full_group, group):
    gid, mid, pid = group.public_id, full_group["meeting"].public_id, full_group["proposal"].public_id
    for url in (
        "/groups",
        f"/groups/{gid}",
        f"/groups/{gid}/meetings",
        f"/groups/{gid}/actions",
        f"/groups/{gid}/proposals",
        f"/meetings/{mid}",
        f"/proposals/{pid}",
    ):
        assert client.get(API + url).status_code == 401, url
    for url in (f"/groups/{gid}/members", f"/groups/{gid}/meetings", f"/proposals/{pid}/move"):
        assert client.post(API + url, {}, content_type="application/json").status_code == 401, url


# ---------------------------------------------------------------- groups


def test_the_list_puts_my_groups_first_with_their_sizes(client, as_, group, staffed, tehran_group):
    body = client.get(f"{API}/groups", **as_("unit_rep")).json()
    assert [(g["name_fa"], g["is_member"], g["member_count"]) for g in body["items"]] == [
        (group.name_fa, True, 4),
        (tehran_group.name_fa, False, 0),
    ]
    assert body["items"][0]["province"] == "qazvin" and body["items"][0]["id"] == str(group.public_id)


def test_the_list_filters_by_sector_province_and_mine(client, as_, group, staffed, tehran_group):
    auth = as_("unit_rep")

    def names(**query):
        return [g["name_fa"] for g in client.get(f"{API}/groups", query, **auth).json()["items"]]

    assert names(isic="1050") == [group.name_fa]
    assert names(isic="2394") == [tehran_group.name_fa]
    assert names(province="tehran") == [tehran_group.name_fa]
    assert names(mine="true") == [group.name_fa]
    assert client.get(f"{API}/groups", {"isic": "12345"}, **auth).status_code == 422


def test_the_list_query_count_is_bounded(client, as_, qazvin_officer, qazvin, django_assert_max_num_queries):
    auth = as_("unit_rep")
    for n in range(30):
        services.group_save(actor=qazvin_officer, name_fa=f"گروه {n}", isic="10", province=qazvin)
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/groups", **auth)
    assert response.json()["count"] == 30


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_an_outsider_gets_the_group_without_its_members(client, as_, persona, group, staffed):
    body = client.get(f"{API}/groups/{group.public_id}", **as_(persona)).json()
    assert (body["insider"], body["members"], body["member_count"], body["purpose"]) == (
        False,
        None,
        4,
        group.purpose,
    )


@pytest.mark.parametrize("persona", INSIDERS)
def test_an_insider_gets_the_members(client, as_, persona, group, staffed, dairy_unit):
    body = client.get(f"{API}/groups/{group.public_id}", **as_(persona)).json()
    assert body["insider"] is True
    chair = next(m for m in body["members"] if m["role"] == "chair")
    assert (chair["kind"], chair["unit"], chair["display_name"]) == (
        "unit",
        str(dairy_unit.public_id),
        dairy_unit.name_fa,
    )


def test_an_unknown_or_malformed_group_is_a_404(client, as_):
    auth = as_("outsider")
    refusal(client.get(f"{API}/groups/00000000-0000-0000-0000-000000000000", **auth), 404, "not_found")
    refusal(client.get(f"{API}/groups/nope", **auth), 404, "not_found")


def test_the_office_creates_a_group_and_others_are_refused(client, as_, qazvin):
    body = post(
        client,
        f"{API}/groups",
        as_("qazvin_officer"),
        {"name_fa": "کارگروه نساجی", "isic": "13", "province": "qazvin"},
    ).json()
    assert body["isic"] == "13" and body["insider"] is True and body["members"] == []
    for persona in ("tehran_officer", "unit_rep"):
        refusal(
            post(client, f"{API}/groups", as_(persona), {"name_fa": "x", "isic": "13", "province": "qazvin"}),
            403,
            "forbidden",
        )
    refusal(
        post(
            client,
            f"{API}/groups",
            as_("qazvin_officer"),
            {"name_fa": "x", "isic": "04", "province": "qazvin"},
        ),
        400,
        "invalid",
        "isic",
    )
    refusal(
        post(
            client, f"{API}/groups", as_("qazvin_officer"), {"name_fa": "x", "isic": "10", "province": "mars"}
        ),
        400,
        "invalid",
        "province",
    )
    assert WorkingGroup.objects.count() == 1


# ---------------------------------------------------------------- members


def test_the_chair_adds_members_of_every_kind_and_twice_is_a_clear_error(
    client, as_, group, staffed, bakery_unit, qazvin_county
):
    from hami.outreach.tests.groups.conftest import make_approved_lab

    auth = as_("chair_rep")
    url = f"{API}/groups/{group.public_id}/members"
    response = post(client, url, auth, {"kind": "unit", "unit": str(bakery_unit.public_id)})
    assert response.status_code == 201 and response.json()["display_name"] == bakery_unit.name_fa
    lab = make_approved_lab(qazvin_county, "آزمایشگاه دوم")
    assert (
        post(client, url, auth, {"kind": "lab", "lab": str(lab.public_id), "role": "secretary"}).status_code
        == 201
    )
    refusal(
        post(client, url, auth, {"kind": "unit", "unit": str(bakery_unit.public_id)}),
        400,
        "already_member",
        "unit",
    )
    refusal(post(client, url, auth, {"kind": "expert", "user": "ghost"}), 400, "invalid", "user")
    refusal(post(client, url, auth, {"kind": "unit"}), 400, "invalid", "unit")
    refusal(
        post(client, url, auth, {"kind": "unit", "unit": str(bakery_unit.public_id), "role": "chair"}),
        403,
        "forbidden",
    )
    assert post(client, url, auth, {"kind": "alien"}).status_code == 422
    assert group.members.filter(is_active=True).count() == 6


@pytest.mark.parametrize("persona", ["unit_rep", "other_rep", "tehran_officer", "outsider"])
def test_plain_members_and_outsiders_cannot_add_members(
    client, as_, persona, group, staffed, bakery_unit, unchanged
):
    auth = as_(persona)
    with unchanged():
        response = post(
            client,
            f"{API}/groups/{group.public_id}/members",
            auth,
            {"kind": "unit", "unit": str(bakery_unit.public_id)},
        )
    refusal(response, 403, "forbidden")


def test_the_office_changes_roles_and_removes_members(client, as_, group, staffed):
    auth = as_("qazvin_officer")
    base = f"{API}/groups/{group.public_id}/members/{staffed['member'].pk}"
    assert post(client, f"{base}/role", auth, {"role": "secretary"}).json()["role"] == "secretary"
    body = post(client, f"{base}/remove", auth, {"reason": "ترک"}).json()
    assert body["is_active"] is False
    refusal(post(client, f"{base}/remove", auth, {}), 400, "wrong_state")
    refusal(post(client, f"{API}/groups/{group.public_id}/members/999999/remove", auth, {}), 404, "not_found")


def test_outsiders_cannot_touch_members_and_members_of_another_group_are_not_found(
    client, as_, group, staffed, tehran_group, unchanged
):
    outsider_auth, officer_auth = as_("other_rep"), as_("tehran_officer")
    with unchanged():
        url = f"{API}/groups/{group.public_id}/members/{staffed['member'].pk}/remove"
        refusal(post(client, url, outsider_auth, {}), 403, "forbidden")
        url = f"{API}/groups/{tehran_group.public_id}/members/{staffed['member'].pk}/remove"
        refusal(post(client, url, officer_auth, {}), 404, "not_found")


# ---------------------------------------------------------------- meetings


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_no_meetings_actions_or_proposals(client, as_, persona, group, full_group):
    auth = as_(persona)
    for url in ("meetings", "actions", "proposals"):
        refusal(client.get(f"{API}/groups/{group.public_id}/{url}", **auth), 403, "forbidden")
    refusal(client.get(f"{API}/meetings/{full_group['meeting'].public_id}", **auth), 404, "not_found")
    refusal(client.get(f"{API}/proposals/{full_group['proposal'].public_id}", **auth), 404, "not_found")


@pytest.mark.parametrize("persona", INSIDERS)
def test_insiders_list_meetings_actions_and_proposals(client, as_, persona, group, full_group):
    auth = as_(persona)
    meetings = client.get(f"{API}/groups/{group.public_id}/meetings", **auth).json()
    assert [m["id"] for m in meetings] == [str(full_group["meeting"].public_id)]
    actions = client.get(f"{API}/groups/{group.public_id}/actions", **auth).json()
    assert [(a["id"], a["overdue"]) for a in actions] == [(full_group["action"].pk, True)]
    proposals = client.get(f"{API}/groups/{group.public_id}/proposals", **auth).json()
    assert [p["id"] for p in proposals] == [str(full_group["proposal"].public_id)]
    meeting = client.get(f"{API}/meetings/{full_group['meeting'].public_id}", **auth).json()
    assert (meeting["agenda"], meeting["status"]) == (full_group["meeting"].agenda, "planned")
    proposal = client.get(f"{API}/proposals/{full_group['proposal'].public_id}", **auth).json()
    assert [s["state"] for s in proposal["steps"]] == ["submitted"]


def test_the_secretary_schedules_in_iso_8601_and_a_past_time_is_refused(
    client, as_, group, staffed, unchanged
):
    auth, member = as_("expert"), as_("unit_rep")
    url = f"{API}/groups/{group.public_id}/meetings"
    starts = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    body = post(
        client,
        url,
        auth,
        {
            "starts_at": starts.isoformat(),
            "mode": "online",
            "link": "https://meet.example.ir/x",
            "agenda": "دستور",
        },
    ).json()
    assert dt.datetime.fromisoformat(body["starts_at"]) == starts and body["status"] == "planned"
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    with unchanged():
        refusal(
            post(client, url, auth, {"starts_at": past, "mode": "in_person", "venue": "x", "agenda": "y"}),
            400,
            "invalid",
            "starts_at",
        )
        refusal(
            post(
                client,
                url,
                member,
                {"starts_at": starts.isoformat(), "mode": "in_person", "venue": "x", "agenda": "y"},
            ),
            403,
            "forbidden",
        )


def test_minutes_are_recorded_with_member_attendees(client, as_, group, full_group, staffed, unchanged):
    meeting = started(full_group["meeting"])
    url = f"{API}/meetings/{meeting.public_id}/record"
    auth, member = as_("chair_rep"), as_("unit_rep")
    with unchanged():
        refusal(
            post(client, url, auth, {"minutes": "x", "attendees": [999999]}), 400, "not_member", "attendees"
        )
        refusal(
            post(client, url, member, {"minutes": "x", "attendees": [staffed["chair"].pk]}), 403, "forbidden"
        )
    body = post(client, url, auth, {"minutes": "صورت‌جلسه", "attendees": [staffed["chair"].pk]}).json()
    assert (body["status"], body["attendees"]) == ("held", [staffed["chair"].pk])
    refusal(post(client, url, auth, {"minutes": "x", "attendees": [staffed["chair"].pk]}), 400, "wrong_state")


def test_a_meeting_is_cancelled_with_a_reason(client, as_, full_group):
    url = f"{API}/meetings/{full_group['meeting'].public_id}/cancel"
    auth = as_("qazvin_officer")
    refusal(post(client, url, auth, {"reason": ""}), 400, "invalid", "reason")
    assert post(client, url, auth, {"reason": "تعطیلی"}).json()["status"] == MeetingStatus.CANCELLED


# ---------------------------------------------------------------- action items


def test_actions_are_added_updated_and_listed_overdue(client, as_, group, full_group, staffed):
    url = f"{API}/groups/{group.public_id}/actions"
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    body = post(
        client,
        url,
        as_("chair_rep"),
        {
            "title": "گزارش",
            "owner": staffed["lab"].pk,
            "due_on": due,
            "meeting": str(full_group["meeting"].public_id),
        },
    ).json()
    assert (body["owner"], body["due_on"], body["overdue"]) == (staffed["lab"].pk, due, False)
    overdue = client.get(url, {"overdue": "true"}, **as_("unit_rep")).json()
    assert [a["id"] for a in overdue] == [full_group["action"].pk]
    done = post(client, f"{url}/{body['id']}", as_("group_lab_user"), {"state": "done"}).json()
    assert (done["state"], done["done_on"]) == (ActionState.DONE, timezone.localdate().isoformat())


def test_action_refusals(client, as_, group, full_group, staffed, tehran_group, unchanged):
    url = f"{API}/groups/{group.public_id}/actions"
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    chair, owner, other, admin = as_("chair_rep"), as_("unit_rep"), as_("group_lab_user"), as_("admin_user")
    action_url = f"{url}/{full_group['action'].pk}"
    with unchanged():
        refusal(
            post(client, url, chair, {"title": "x", "owner": 999999, "due_on": due}),
            400,
            "not_member",
            "owner",
        )
        refusal(
            post(client, url, owner, {"title": "x", "owner": staffed["member"].pk, "due_on": due}),
            403,
            "forbidden",
        )
        refusal(post(client, action_url, other, {"state": "done"}), 403, "forbidden")
        refusal(post(client, action_url, owner, {"state": "dropped", "note": "x"}), 403, "forbidden")
        refusal(post(client, action_url, chair, {"state": "dropped"}), 400, "invalid", "note")
        refusal(post(client, f"{url}/999999", chair, {"state": "done"}), 404, "not_found")
        refusal(
            post(
                client,
                f"{API}/groups/{tehran_group.public_id}/actions/{full_group['action'].pk}",
                admin,
                {"state": "done"},
            ),
            404,
            "not_found",
        )


# ---------------------------------------------------------------- proposals


def test_a_member_submits_and_the_office_moves_the_proposal_to_its_outcome(
    client, as_, group, staffed, unit_rep, unchanged
):
    standard = StandardFactory()
    body = post(
        client,
        f"{API}/groups/{group.public_id}/proposals",
        as_("unit_rep"),
        {"kind": "test_capability", "title": "آزمون جدید", "description": "شرح", "standard": standard.pk},
    ).json()
    assert (body["state"], body["standard"], body["next_states"]) == (
        "submitted",
        standard.pk,
        ["under_review"],
    )
    url = f"{API}/proposals/{body['id']}/move"
    office, chair = as_("qazvin_officer"), as_("chair_rep")
    with unchanged():
        refusal(post(client, url, chair, {"state": "under_review"}), 403, "forbidden")
        refusal(post(client, url, office, {"state": "accepted"}), 400, "wrong_state", "state")
    post(client, url, office, {"state": "under_review"})
    post(client, url, office, {"state": "accepted"})
    refusal(post(client, url, office, {"state": "implemented"}), 400, "invalid", "note")
    done = post(client, url, office, {"state": "implemented", "note": "آزمایشگاه دامنه را گسترش داد"}).json()
    assert done["state"] == "implemented" and done["outcome"] == "آزمایشگاه دامنه را گسترش داد"
    assert [s["state"] for s in done["steps"]] == ["submitted", "under_review", "accepted", "implemented"]
    assert done["next_states"] == []
    assert post(client, url, office, {"state": "sideways"}).status_code == 422


@pytest.mark.parametrize("persona", ["other_rep", "tehran_officer", "outsider"])
def test_outsiders_cannot_submit_proposals(client, as_, persona, group, staffed, unchanged):
    auth = as_(persona)
    with unchanged():
        response = post(
            client,
            f"{API}/groups/{group.public_id}/proposals",
            auth,
            {"kind": "other", "title": "x", "description": "y"},
        )
    refusal(response, 403, "forbidden")
    assert not Proposal.objects.exists()


def test_an_unknown_standard_is_refused(client, as_, group, staffed):
    response = post(
        client,
        f"{API}/groups/{group.public_id}/proposals",
        as_("unit_rep"),
        {"kind": "other", "title": "x", "description": "y", "standard": 999999},
    )
    refusal(response, 400, "invalid", "standard")
    assert not Proposal.objects.exists()


def test_messages_follow_the_readers_language(client, as_, group, staffed):
    auth = as_("unit_rep")
    response = client.post(
        f"{API}/groups/{group.public_id}/meetings",
        {"starts_at": timezone.now().isoformat(), "mode": "in_person", "venue": "x", "agenda": "y"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **auth,
    )
    assert response.json()["message"] == "Only the group's office, its chair or a secretary may do this."


def test_ids_too_large_for_a_row_are_422_not_500(client, as_, group, full_group):
    auth, huge = as_("qazvin_officer"), 10**30
    base = f"{API}/groups/{group.public_id}"
    for url, body in (
        (f"{base}/members/{huge}/remove", {}),
        (f"{base}/members/{huge}/role", {"role": "member"}),
        (f"{base}/actions/{huge}", {"state": "done"}),
        (f"{base}/actions", {"title": "x", "owner": huge, "due_on": "2030-01-01"}),
        (f"{base}/proposals", {"kind": "other", "title": "x", "description": "y", "standard": huge}),
        (f"{API}/meetings/{full_group['meeting'].public_id}/record", {"minutes": "x", "attendees": [huge]}),
    ):
        assert post(client, url, auth, body).status_code == 422, url
