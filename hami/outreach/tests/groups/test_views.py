"""The working-group pages for each persona: anonymous, outsider, a unit rep whose unit is a member and
one whose unit is not, the chair and a plain member, the Qazvin office and the Tehran office."""

import datetime as dt

import jdatetime
import pytest
from django.urls import reverse
from django.utils import timezone

from hami.core.jalali import format_datetime
from hami.core.models import Notification
from hami.core.persian import to_persian_digits
from hami.outreach.models import ActionState, MeetingStatus, Member, Proposal, WorkingGroup
from hami.outreach.services import groups as services
from hami.outreach.tests.groups.conftest import make_unit, started

pytestmark = pytest.mark.django_db

INSIDERS = ["qazvin_officer", "admin_user", "chair_rep", "unit_rep", "expert", "group_lab_user"]
OUTSIDERS = ["outsider", "other_rep", "tehran_officer", "qazvin_inspector"]


@pytest.fixture
def full_group(qazvin_officer, group, staffed, meeting, unit_rep):
    """The group with an overdue action, a proposal and a planned meeting."""
    action = services.action_add(
        actor=qazvin_officer,
        group=group,
        title="تهیه فهرست آزمون‌ها",
        owner=staffed["member"],
        due_on=timezone.localdate(),
    )
    action.due_on = timezone.localdate() - dt.timedelta(days=2)
    action.save()
    proposal = services.proposal_submit(
        actor=unit_rep, group=group, kind="test_capability", title="آزمون آفلاتوکسین", description="شرح"
    )
    return {"action": action, "proposal": proposal, "meeting": meeting}


def login(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


# ---------------------------------------------------------------- the list


def test_anonymous_is_sent_to_log_in_from_every_page(client, full_group, group):
    for url in (
        reverse("outreach:group_list"),
        reverse("outreach:group_new"),
        reverse("outreach:group_detail", args=[group.public_id]),
        reverse("outreach:meeting_detail", args=[full_group["meeting"].public_id]),
        reverse("outreach:proposal_detail", args=[full_group["proposal"].public_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    response = client.post(reverse("outreach:group_act", args=[group.public_id, "close"]), {"reason": "x"})
    assert response.status_code == 302 and WorkingGroup.objects.get(pk=group.pk).status == "active"


def test_my_groups_come_first(client, unit_rep, plain_member, tehran_group, qazvin_officer, qazvin):
    services.group_save(actor=qazvin_officer, name_fa="الف کارگروه نخست", isic="22", province=qazvin)
    client.force_login(unit_rep)
    names = [g.name_fa for g in client.get(reverse("outreach:group_list")).context["page"]]
    assert names[0] == "کارگروه صنایع غذایی قزوین" and len(names) == 3
    mine = client.get(reverse("outreach:group_list"), {"mine": "on"}).context["page"]
    assert [g.name_fa for g in mine] == ["کارگروه صنایع غذایی قزوین"]


@pytest.mark.parametrize("persona", ["outsider", "other_rep", "tehran_officer", "group_lab_user"])
def test_every_signed_in_user_sees_every_group_in_the_list(client, request, persona, group, tehran_group):
    login(client, request, persona)
    response = client.get(reverse("outreach:group_list"))
    assert response.status_code == 200
    assert {g.pk for g in response.context["page"]} == {group.pk, tehran_group.pk}


def test_the_list_filters_by_sector_and_province(
    client, outsider, group, tehran_group, qazvin_officer, qazvin
):
    services.group_save(actor=qazvin_officer, name_fa="لبنیات", isic="1050", province=qazvin)
    client.force_login(outsider)

    def names(**query):
        return sorted(g.name_fa for g in client.get(reverse("outreach:group_list"), query).context["page"])

    assert names(isic="1050") == sorted(["کارگروه صنایع غذایی قزوین", "لبنیات"])  # the class and its division
    assert names(isic="10") == sorted(["کارگروه صنایع غذایی قزوین", "لبنیات"])
    assert names(isic="۲۳۹۴") == ["کارگروه سیمان تهران"]
    assert names(province="tehran") == ["کارگروه سیمان تهران"]
    assert client.get(reverse("outreach:group_list"), {"province": "atlantis"}).status_code == 200


def test_the_office_sees_the_overdue_actions_of_its_groups_and_a_unit_does_not(
    client, qazvin_officer, tehran_officer, unit_rep, full_group
):
    client.force_login(qazvin_officer)
    response = client.get(reverse("outreach:group_list"))
    assert [a.pk for a in response.context["overdue"]] == [full_group["action"].pk]
    assert "تهیه فهرست آزمون‌ها" in response.content.decode()
    client.force_login(tehran_officer)
    assert client.get(reverse("outreach:group_list")).context["overdue"] == []
    client.force_login(unit_rep)
    response = client.get(reverse("outreach:group_list"))
    assert response.context["overdue"] == [] and 'id="overdue-table"' not in response.content.decode()


def test_the_list_is_paginated_with_bounded_queries(
    client, qazvin_officer, qazvin, unit_rep, qazvin_unit, django_assert_max_num_queries
):
    for n in range(40):
        group = services.group_save(
            actor=qazvin_officer, name_fa=f"کارگروه {n:02d}", isic="10", province=qazvin
        )
        services.member_add(actor=qazvin_officer, group=group, kind="unit", unit=qazvin_unit)
    client.force_login(unit_rep)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("outreach:group_list"))
    assert len(response.context["page"]) == 30 and response.context["page"][0].member_count == 1


# ---------------------------------------------------------------- a group's page


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_only_the_name_sector_purpose_and_size(client, request, persona, group, full_group):
    login(client, request, persona)
    response = client.get(reverse("outreach:group_detail", args=[group.public_id]))
    page = response.content.decode()
    assert response.status_code == 200 and not response.context["insider"]
    assert group.name_fa in page and group.purpose in page and 'id="member-count"' in page
    assert response.context["member_count"] == 4
    for secret in ("تهیه فهرست آزمون‌ها", "آزمون آفلاتوکسین", "لبنیات پگاه قزوین", 'id="upcoming-meetings"'):
        assert secret not in page


@pytest.mark.parametrize("persona", INSIDERS)
def test_insiders_see_members_meetings_actions_with_overdue_marked_and_proposals(
    client, request, persona, group, full_group
):
    login(client, request, persona)
    response = client.get(reverse("outreach:group_detail", args=[group.public_id]))
    page = response.content.decode()
    assert response.status_code == 200 and response.context["insider"]
    for shown in (
        "تهیه فهرست آزمون‌ها",
        "آزمون آفلاتوکسین",
        "لبنیات پگاه قزوین",
        str(full_group["meeting"].public_id),
    ):
        assert shown in page
    assert response.context["overdue_count"] == 1 and 'id="overdue-count"' in page


def test_the_chair_gets_the_member_form_and_a_plain_member_does_not(
    client, chair_rep, unit_rep, group, staffed
):
    client.force_login(chair_rep)
    page = client.get(reverse("outreach:group_detail", args=[group.public_id])).content.decode()
    assert 'id="member-form"' in page and 'id="meeting-form"' in page and 'id="suggestions"' not in page
    client.force_login(unit_rep)
    response = client.get(reverse("outreach:group_detail", args=[group.public_id]))
    page = response.content.decode()
    assert 'id="member-form"' not in page and 'id="meeting-form"' not in page and 'id="proposal-form"' in page


def test_the_office_gets_suggestions_of_the_sectors_units_and_the_groups_forms(
    client, qazvin_officer, group, plain_member, bakery_unit, tehran_unit, qazvin_county
):
    cement = make_unit(qazvin_county, "1038028422", "سیمان قزوین", "2394")
    client.force_login(qazvin_officer)
    response = client.get(reverse("outreach:group_detail", args=[group.public_id]))
    assert [u.pk for u in response.context["suggested_units"]] == [bakery_unit.pk]
    page = response.content.decode()
    assert str(bakery_unit.public_id) in page and str(cement.public_id) not in page
    assert 'id="group-edit-form"' in page and 'id="group-close-form"' in page


def test_the_page_is_built_in_bounded_queries(
    client, qazvin_officer, full_group, group, django_assert_max_num_queries
):
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("outreach:group_detail", args=[group.public_id])).status_code == 200


def test_an_unknown_group_is_a_404(client, outsider):
    client.force_login(outsider)
    assert (
        client.get(
            reverse("outreach:group_detail", args=["0" * 8 + "-0000-0000-0000-" + "0" * 12])
        ).status_code
        == 404
    )
    assert client.get("/outreach/groups/not-a-uuid/").status_code == 404


# ---------------------------------------------------------------- a new group


@pytest.mark.parametrize("persona", ["unit_rep", "outsider", "qazvin_inspector", "lab_user"])
def test_only_office_staff_open_the_new_group_page(client, request, persona, qazvin):
    login(client, request, persona)
    assert client.get(reverse("outreach:group_new")).status_code == 403
    post = client.post(reverse("outreach:group_new"), {"name_fa": "x", "isic": "10", "province": qazvin.pk})
    assert post.status_code == 403 and not WorkingGroup.objects.exists()


def test_the_office_sets_up_a_group_of_its_province(client, qazvin_officer, qazvin):
    client.force_login(qazvin_officer)
    assert client.get(reverse("outreach:group_new")).status_code == 200
    response = client.post(
        reverse("outreach:group_new"),
        {"name_fa": "کارگروه نساجی", "isic": "۱۳", "province": qazvin.pk, "purpose": "نساجی استان"},
    )
    group = WorkingGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "outreach:group_detail", args=[group.public_id]
    )
    assert (group.isic, group.province) == ("13", qazvin)


def test_an_office_cannot_choose_another_province_or_a_national_group(client, tehran_officer, qazvin):
    client.force_login(tehran_officer)
    for province in (qazvin.pk, ""):
        response = client.post(
            reverse("outreach:group_new"), {"name_fa": "x", "isic": "10", "province": province}
        )
        assert response.status_code == 200 and response.context["form"].errors
    assert not WorkingGroup.objects.exists()


def test_a_bad_sector_comes_back_on_the_form(client, qazvin_officer, qazvin):
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("outreach:group_new"), {"name_fa": "x", "isic": "04", "province": qazvin.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["isic"]
    assert not WorkingGroup.objects.exists()


def test_national_staff_set_up_a_national_group(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("outreach:group_new"), {"name_fa": "کارگروه ملی سیمان", "isic": "2394"})
    assert response.status_code == 302 and WorkingGroup.objects.get().province is None


# ---------------------------------------------------------------- writes on a group's page


def act(client, group, action, data):
    return client.post(reverse("outreach:group_act", args=[group.public_id, action]), data)


def test_the_chair_adds_a_suggested_unit_and_a_plain_member_is_refused(
    client, chair_rep, unit_rep, group, staffed, bakery_unit
):
    data = {"kind": "unit", "unit": str(bakery_unit.public_id), "role": "member"}
    client.force_login(unit_rep)
    assert act(client, group, "member-add", data).status_code == 403
    assert not group.members.filter(unit=bakery_unit).exists()
    client.force_login(chair_rep)
    response = act(client, group, "member-add", data)
    assert response.status_code == 302 and group.members.filter(unit=bakery_unit, is_active=True).exists()


def test_adding_a_unit_by_national_id_twice_says_so(client, qazvin_officer, group, plain_member, qazvin_unit):
    client.force_login(qazvin_officer)
    response = act(client, group, "member-add", {"kind": "unit", "unit": "۱۰۳۸۰۲۸۴۷۹۰", "role": "member"})
    assert response.status_code == 302
    message = [str(m) for m in response.wsgi_request._messages]
    assert any(qazvin_unit.name_fa in m for m in message) and group.members.count() == 1


def test_an_expert_is_added_by_username_and_an_unknown_one_is_refused(client, qazvin_officer, group, expert):
    client.force_login(qazvin_officer)
    act(client, group, "member-add", {"kind": "expert", "username": "nobody", "role": "member"})
    assert not group.members.exists()
    act(
        client, group, "member-add", {"kind": "expert", "username": "expert", "unit": "", "role": "secretary"}
    )
    assert group.members.get().role == "secretary"


@pytest.mark.parametrize("persona", ["other_rep", "tehran_officer", "outsider"])
def test_outsiders_posting_to_a_group_are_refused_and_change_nothing(
    client, request, persona, group, staffed, unchanged
):
    login(client, request, persona)
    with unchanged():
        for action, data in (
            ("close", {"reason": "x"}),
            ("member-remove", {"member": staffed["member"].pk}),
            ("member-role", {"member": staffed["member"].pk, "role": "secretary"}),
            ("proposal", {"kind": "other", "title": "x", "description": "y"}),
            (
                "meeting",
                {"day": "1499/01/01", "time": "10:00", "mode": "in_person", "venue": "x", "agenda": "y"},
            ),
        ):
            assert act(client, group, action, data).status_code == 403, action


def test_an_unknown_action_or_member_is_a_404(
    client, qazvin_officer, group, tehran_group, tehran_officer, tehran_unit
):
    stranger = services.member_add(actor=tehran_officer, group=tehran_group, kind="unit", unit=tehran_unit)
    client.force_login(qazvin_officer)
    assert act(client, group, "explode", {}).status_code == 404
    assert act(client, group, "member-remove", {"member": stranger.pk}).status_code == 404
    assert Member.objects.get(pk=stranger.pk).is_active
    assert client.get(reverse("outreach:group_act", args=[group.public_id, "close"])).status_code == 405


def test_a_meeting_is_scheduled_from_a_jalali_date_and_the_members_told(
    client, chair_rep, unit_rep, group, staffed, django_capture_on_commit_callbacks
):
    day = jdatetime.date.fromgregorian(date=timezone.localdate() + dt.timedelta(days=10))
    client.force_login(chair_rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(
            client,
            group,
            "meeting",
            {
                "day": to_persian_digits(day.strftime("%Y/%m/%d")),
                "time": "۱۰:۳۰",
                "mode": "in_person",
                "venue": "سالن",
                "agenda": "بررسی آزمون‌ها",
            },
        )
    meeting = group.meetings.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "outreach:meeting_detail", args=[meeting.public_id]
    )
    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour, local.minute) == (day.togregorian(), 10, 30)
    assert Notification.objects.filter(user=unit_rep).exists()


def test_a_meeting_in_the_past_comes_back_with_the_reason(client, qazvin_officer, group, staffed):
    client.force_login(qazvin_officer)
    response = act(
        client,
        group,
        "meeting",
        {"day": "1400/01/01", "time": "10:00", "mode": "in_person", "venue": "x", "agenda": "y"},
    )
    assert response.status_code == 302 and not group.meetings.exists()
    assert [str(m) for m in response.wsgi_request._messages]


def test_the_owner_marks_its_action_done_on_the_page(client, unit_rep, group, full_group):
    client.force_login(unit_rep)
    page = client.get(reverse("outreach:group_detail", args=[group.public_id])).content.decode()
    assert f'name="action" value="{full_group["action"].pk}"' in page
    act(client, group, "action-update", {"action": full_group["action"].pk, "state": "done"})
    full_group["action"].refresh_from_db()
    assert full_group["action"].state == ActionState.DONE


def test_a_member_who_does_not_own_an_action_cannot_update_it(client, group_lab_user, group, full_group):
    client.force_login(group_lab_user)
    page = client.get(reverse("outreach:group_detail", args=[group.public_id])).content.decode()
    assert f'name="action" value="{full_group["action"].pk}"' not in page
    assert (
        act(client, group, "action-update", {"action": full_group["action"].pk, "state": "done"}).status_code
        == 403
    )


def test_the_secretary_adds_an_action_on_the_page(client, expert, group, staffed):
    client.force_login(expert)
    due = jdatetime.date.fromgregorian(date=timezone.localdate() + dt.timedelta(days=5)).strftime("%Y/%m/%d")
    act(
        client,
        group,
        "action-add",
        {"title": "گزارش", "owner": staffed["lab"].pk, "due_on": due, "meeting": ""},
    )
    assert group.actions.get().owner == staffed["lab"]


def test_a_member_submits_a_proposal_and_lands_on_it(client, unit_rep, group, staffed):
    client.force_login(unit_rep)
    response = act(
        client, group, "proposal", {"kind": "training_need", "title": "دوره HACCP", "description": "نیاز"}
    )
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("outreach:proposal_detail", args=[proposal.public_id])


# ---------------------------------------------------------------- a meeting's page


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_do_not_reach_a_meeting(client, request, persona, full_group):
    login(client, request, persona)
    url = reverse("outreach:meeting_detail", args=[full_group["meeting"].public_id])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("outreach:meeting_act", args=[full_group["meeting"].public_id, "cancel"]), {"reason": "x"}
        ).status_code
        == 404
    )


def test_a_member_sees_the_agenda_and_the_jalali_time_but_no_minutes_form(client, unit_rep, full_group):
    client.force_login(unit_rep)
    meeting = full_group["meeting"]
    response = client.get(reverse("outreach:meeting_detail", args=[meeting.public_id]))
    page = response.content.decode()
    assert to_persian_digits(meeting.agenda) in page  # stored with ASCII digits, shown with Persian ones
    assert format_datetime(meeting.starts_at, language="fa") in page
    assert 'id="minutes-form"' not in page and 'id="meeting-cancel-form"' not in page


def test_the_chair_records_the_minutes_after_the_start(client, chair_rep, unit_rep, full_group, staffed):
    meeting = started(full_group["meeting"])
    client.force_login(unit_rep)
    url = reverse("outreach:meeting_act", args=[meeting.public_id, "record"])
    data = {"minutes": "صورت‌جلسه", "attendees": [staffed["chair"].pk, staffed["member"].pk]}
    assert client.post(url, data).status_code == 403
    client.force_login(chair_rep)
    page = client.get(reverse("outreach:meeting_detail", args=[meeting.public_id])).content.decode()
    assert 'id="minutes-form"' in page
    client.post(url, data)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.attendees.count() == 2
    page = client.get(reverse("outreach:meeting_detail", args=[meeting.public_id])).content.decode()
    assert "صورت‌جلسه" in page and 'id="attendees"' in page


def test_a_cancelled_meeting_shows_why(client, qazvin_officer, unit_rep, full_group):
    meeting = full_group["meeting"]
    client.force_login(qazvin_officer)
    client.post(reverse("outreach:meeting_act", args=[meeting.public_id, "cancel"]), {"reason": "تعطیلی"})
    client.force_login(unit_rep)
    response = client.get(reverse("outreach:meeting_detail", args=[meeting.public_id]))
    assert response.context["cancel_reason"] == "تعطیلی" and 'id="cancel-reason"' in response.content.decode()


# ---------------------------------------------------------------- a proposal's page


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_do_not_reach_a_proposal(client, request, persona, full_group):
    login(client, request, persona)
    proposal = full_group["proposal"]
    assert client.get(reverse("outreach:proposal_detail", args=[proposal.public_id])).status_code == 404
    post = client.post(
        reverse("outreach:proposal_move", args=[proposal.public_id]), {"state": "under_review"}
    )
    assert post.status_code == 404 and Proposal.objects.get(pk=proposal.pk).state == "submitted"


def test_a_member_sees_the_history_and_the_table_but_no_move_form(client, unit_rep, chair_rep, full_group):
    proposal = full_group["proposal"]
    client.force_login(unit_rep)
    response = client.get(reverse("outreach:proposal_detail", args=[proposal.public_id]))
    page = response.content.decode()
    assert (
        'id="proposal-steps"' in page
        and 'id="proposal-moves"' in page
        and 'id="proposal-move-form"' not in page
    )
    client.force_login(chair_rep)
    post = client.post(
        reverse("outreach:proposal_move", args=[proposal.public_id]), {"state": "under_review"}
    )
    assert post.status_code == 403 and Proposal.objects.get(pk=proposal.pk).state == "submitted"


def test_the_office_moves_the_proposal_and_a_rejection_without_reason_is_refused(
    client, qazvin_officer, full_group
):
    proposal = full_group["proposal"]
    url = reverse("outreach:proposal_move", args=[proposal.public_id])
    client.force_login(qazvin_officer)
    page = client.get(reverse("outreach:proposal_detail", args=[proposal.public_id])).content.decode()
    assert 'id="proposal-move-form"' in page and 'value="under_review"' in page
    client.post(url, {"state": "under_review"})
    client.post(url, {"state": "rejected", "note": ""})
    assert Proposal.objects.get(pk=proposal.pk).state == "under_review"
    client.post(url, {"state": "rejected", "note": "تکراری"})
    proposal.refresh_from_db()
    assert (proposal.state, proposal.outcome) == ("rejected", "تکراری")
    page = client.get(reverse("outreach:proposal_detail", args=[proposal.public_id])).content.decode()
    assert 'id="proposal-move-form"' not in page and "تکراری" in page


# ---------------------------------------------------------------- the meetings calendar


def _calendar(client, **query):
    response = client.get(reverse("outreach:group_calendar"), query)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("persona", INSIDERS)
def test_the_calendar_shows_the_meetings_of_ones_groups_on_their_jalali_day(
    client, request, persona, full_group
):
    login(client, request, persona)
    meeting = full_group["meeting"]
    day = jdatetime.date.fromgregorian(date=timezone.localdate(meeting.starts_at))
    response = _calendar(client, month=f"{day.year}-{day.month:02d}")
    assert [m.pk for m in response.context["meetings"]] == [meeting.pk]
    cell = next(d for week in response.context["month"].weeks for d in week if d.events)
    assert (cell.number, cell.events[0].url) == (
        day.day,
        reverse("outreach:meeting_detail", args=[meeting.public_id]),
    )


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_the_calendar_shows_no_meeting_of_another_group(client, request, persona, full_group):
    login(client, request, persona)
    day = jdatetime.date.fromgregorian(date=timezone.localdate(full_group["meeting"].starts_at))
    assert _calendar(client, month=f"{day.year}-{day.month:02d}").context["meetings"] == []


def test_the_calendar_of_an_office_includes_national_groups(
    client, admin_user, qazvin_inspector, tehran_officer
):
    group = services.group_save(actor=admin_user, name_fa="کارگروه ملی", isic="23", province=None)
    meeting = services.meeting_schedule(
        actor=admin_user,
        group=group,
        starts_at=timezone.now() + dt.timedelta(hours=2),
        mode="online",
        link="https://meet.example.ir/n",
        agenda="ملی",
    )
    day = jdatetime.date.fromgregorian(date=timezone.localdate(meeting.starts_at))
    for user in (qazvin_inspector, tehran_officer):
        client.force_login(user)
        assert [m.pk for m in _calendar(client, month=f"{day.year}-{day.month:02d}").context["meetings"]] == [
            meeting.pk
        ]


def test_the_calendar_reads_any_month_and_falls_back_on_this_one(
    client, unit_rep, full_group, django_assert_max_num_queries
):
    client.force_login(unit_rep)
    this = jdatetime.date.fromgregorian(date=timezone.localdate())
    for text in ("1405-13", "garbage", "0-0", "99999-01"):
        month = _calendar(client, month=text).context["month"]
        assert (month.year, month.month) == (this.year, this.month)
    with django_assert_max_num_queries(6):
        _calendar(client, month="1390-01")
    assert client.get(reverse("outreach:group_calendar")).status_code == 200
    client.logout()
    assert client.get(reverse("outreach:group_calendar")).status_code == 302


def test_ids_too_large_for_a_row_come_back_as_a_message(client, qazvin_officer, group, full_group, unchanged):
    client.force_login(qazvin_officer)
    huge = str(10**30)
    record = reverse("outreach:meeting_act", args=[started(full_group["meeting"]).public_id, "record"])
    with unchanged():
        for action, data in (
            ("member-remove", {"member": huge}),
            ("member-role", {"member": huge, "role": "member"}),
            ("action-update", {"action": huge, "state": "done"}),
            ("action-add", {"title": "x", "owner": huge, "due_on": "1499/01/01"}),
        ):
            assert act(client, group, action, data).status_code == 302, action
        assert client.post(record, {"minutes": "x", "attendees": [huge]}).status_code == 302
