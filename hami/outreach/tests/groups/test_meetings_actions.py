"""Meetings (schedule, minutes with attendees, cancel; the members told each time) and action items
(owner, due date, state; the owner's and the chair's rights); refusals change nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.outreach.models import ActionState, MeetingStatus
from hami.outreach.services import groups as services
from hami.outreach.tests.groups.conftest import soon, started

pytestmark = pytest.mark.django_db


def schedule(actor, group, **changes):
    fields = {"starts_at": soon(), "mode": "in_person", "venue": "سالن جلسات", "agenda": "دستور جلسه"}
    return services.meeting_schedule(actor=actor, group=group, **(fields | changes))


# ---------------------------------------------------------------- meetings


@pytest.mark.parametrize("persona", ["qazvin_officer", "admin_user", "chair_rep", "expert"])
def test_the_office_the_chair_and_the_secretary_schedule_meetings(request, persona, group, staffed):
    meeting = schedule(request.getfixturevalue(persona), group)
    assert meeting.status == MeetingStatus.PLANNED and meeting.group == group


@pytest.mark.parametrize("persona", ["unit_rep", "group_lab_user", "other_rep", "tehran_officer", "outsider"])
def test_members_and_outsiders_cannot_schedule(request, persona, group, staffed, unchanged):
    user = request.getfixturevalue(persona)
    with unchanged(), pytest.raises(Forbidden):
        schedule(user, group)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": timezone.now() - dt.timedelta(minutes=1)}, "starts_at"),
        ({"venue": " "}, "venue"),
        ({"mode": "online", "venue": "", "link": ""}, "link"),
        ({"mode": "online", "link": "javascript:alert(1)"}, "link"),
        ({"mode": "online", "link": "https://" + "a" * 200 + ".ir"}, "link"),
        ({"mode": "by_pigeon"}, "mode"),
        ({"agenda": ""}, "agenda"),
    ],
)
def test_a_meeting_in_the_past_without_a_place_or_an_agenda_is_refused(
    qazvin_officer, group, staffed, changes, field, unchanged
):
    with unchanged(), pytest.raises(HamiError) as refused:
        schedule(qazvin_officer, group, **changes)
    assert refused.value.field == field and refused.value.message


def test_an_online_meeting_keeps_its_link_and_no_venue(qazvin_officer, group, staffed):
    meeting = schedule(qazvin_officer, group, mode="online", venue="سالن", link="https://meet.example.ir/g1")
    assert (meeting.venue, meeting.link) == ("", "https://meet.example.ir/g1")


def test_scheduling_tells_every_members_people_but_the_one_who_scheduled(
    group,
    staffed,
    chair_rep,
    unit_rep,
    expert,
    group_lab_user,
    other_rep,
    qazvin_officer,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(chair_rep, group)
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {unit_rep.username, expert.username, group_lab_user.username}
    assert Notification.objects.filter(link__contains=str(meeting.public_id)).count() == 3


def test_a_removed_members_people_are_not_told(
    qazvin_officer, group, staffed, unit_rep, django_capture_on_commit_callbacks
):
    services.member_remove(actor=qazvin_officer, member=staffed["member"])
    with django_capture_on_commit_callbacks(execute=True):
        schedule(qazvin_officer, group)
    assert not Notification.objects.filter(user=unit_rep).exists()


def test_minutes_are_recorded_after_the_start_with_the_attendees(
    expert, meeting, staffed, unit_rep, chair_rep, django_capture_on_commit_callbacks
):
    started(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_record(
            actor=expert,
            meeting=meeting,
            minutes="تصمیم: پیشنهاد آزمون جدید",
            attendees=[staffed["chair"].pk, staffed["member"].pk],
        )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.minutes == "تصمیم: پیشنهاد آزمون جدید"
    assert set(meeting.attendees.all()) == {staffed["chair"], staffed["member"]}
    assert Notification.objects.filter(user=unit_rep, link__contains=str(meeting.public_id)).exists()
    assert Notification.objects.filter(user=chair_rep).exists()


def test_minutes_before_the_meeting_starts_are_refused(qazvin_officer, meeting, staffed, unchanged):
    with unchanged(), pytest.raises(HamiError) as refused:
        services.meeting_record(
            actor=qazvin_officer, meeting=meeting, minutes="x", attendees=[staffed["chair"].pk]
        )
    assert refused.value.code == "wrong_state"


def test_attendees_must_be_active_members_of_the_group(
    qazvin_officer, meeting, staffed, tehran_group, tehran_officer, tehran_unit, unchanged
):
    started(meeting)
    stranger = services.member_add(actor=tehran_officer, group=tehran_group, kind="unit", unit=tehran_unit)
    services.member_remove(actor=qazvin_officer, member=staffed["lab"])
    for attendees in ([staffed["chair"].pk, stranger.pk], [staffed["lab"].pk], [999_999]):
        with unchanged(), pytest.raises(HamiError) as refused:
            services.meeting_record(actor=qazvin_officer, meeting=meeting, minutes="x", attendees=attendees)
        assert refused.value.code == "not_member" and refused.value.field == "attendees"
    with unchanged(), pytest.raises(HamiError) as refused:
        services.meeting_record(actor=qazvin_officer, meeting=meeting, minutes="x", attendees=[])
    assert refused.value.field == "attendees"
    with unchanged(), pytest.raises(HamiError) as refused:
        services.meeting_record(
            actor=qazvin_officer, meeting=meeting, minutes=" ", attendees=[staffed["chair"].pk]
        )
    assert refused.value.field == "minutes"


def test_a_plain_member_cannot_record_minutes(unit_rep, meeting, staffed, unchanged):
    started(meeting)
    with unchanged(), pytest.raises(Forbidden):
        services.meeting_record(
            actor=unit_rep, meeting=meeting, minutes="x", attendees=[staffed["member"].pk]
        )


def test_minutes_are_recorded_once(qazvin_officer, meeting, staffed, unchanged):
    started(meeting)
    services.meeting_record(
        actor=qazvin_officer, meeting=meeting, minutes="اول", attendees=[staffed["chair"].pk]
    )
    with unchanged(), pytest.raises(HamiError) as refused:
        services.meeting_record(
            actor=qazvin_officer, meeting=meeting, minutes="دوم", attendees=[staffed["chair"].pk]
        )
    assert refused.value.code == "wrong_state"


def test_cancelling_needs_a_reason_tells_the_members_and_keeps_the_reason(
    chair_rep, meeting, unit_rep, staffed, unchanged, django_capture_on_commit_callbacks
):
    with unchanged(), pytest.raises(HamiError) as refused:
        services.meeting_cancel(actor=chair_rep, meeting=meeting, reason="")
    assert refused.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=chair_rep, meeting=meeting, reason="تعطیلی رسمی")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancel_reason == "تعطیلی رسمی"
    notice = Notification.objects.get(user=unit_rep, link__contains=str(meeting.public_id))
    assert "تعطیلی رسمی" in notice.body


def test_a_cancelled_meeting_takes_no_minutes_and_is_not_cancelled_again(
    qazvin_officer, meeting, staffed, unchanged
):
    services.meeting_cancel(actor=qazvin_officer, meeting=meeting, reason="لغو")
    started(meeting)
    with unchanged():
        for call in (
            lambda: services.meeting_record(
                actor=qazvin_officer, meeting=meeting, minutes="x", attendees=[staffed["chair"].pk]
            ),
            lambda: services.meeting_cancel(actor=qazvin_officer, meeting=meeting, reason="دوباره"),
        ):
            with pytest.raises(HamiError) as refused:
                call()
            assert refused.value.code == "wrong_state"


def test_a_plain_member_cannot_cancel(unit_rep, meeting, unchanged):
    with unchanged(), pytest.raises(Forbidden):
        services.meeting_cancel(actor=unit_rep, meeting=meeting, reason="نمی‌آیم")


# ---------------------------------------------------------------- action items


def add(actor, group, owner, *, days=7, **changes):
    fields = {
        "title": "فهرست آزمون‌های ناممکن در استان",
        "owner": owner,
        "due_on": timezone.localdate() + dt.timedelta(days=days),
    }
    return services.action_add(actor=actor, group=group, **(fields | changes))


def test_the_secretary_gives_a_member_an_action_and_its_people_are_told(
    expert, group, staffed, unit_rep, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = add(expert, group, staffed["member"], meeting=meeting)
    assert (action.state, action.owner, action.meeting) == (ActionState.OPEN, staffed["member"], meeting)
    assert Notification.objects.filter(user=unit_rep, subject__contains=group.name_fa).count() == 1
    assert AuditEvent.objects.filter(
        event_type=EventType.ACTION_ITEM_SAVED, object_id=str(action.pk)
    ).exists()


def test_an_action_is_owned_by_an_active_member_of_the_group(
    qazvin_officer, group, staffed, tehran_group, tehran_officer, tehran_unit, unchanged
):
    stranger = services.member_add(actor=tehran_officer, group=tehran_group, kind="unit", unit=tehran_unit)
    services.member_remove(actor=qazvin_officer, member=staffed["lab"])
    for owner in (stranger, staffed["lab"]):
        with unchanged(), pytest.raises(HamiError) as refused:
            add(qazvin_officer, group, owner)
        assert refused.value.code == "not_member"


def test_an_action_due_in_the_past_or_from_another_groups_meeting_is_refused(
    qazvin_officer, group, staffed, tehran_group, tehran_officer, unchanged
):
    other = services.meeting_schedule(
        actor=tehran_officer,
        group=tehran_group,
        starts_at=soon(),
        mode="in_person",
        venue="تهران",
        agenda="x",
    )
    with unchanged():
        with pytest.raises(HamiError) as refused:
            add(qazvin_officer, group, staffed["member"], days=-1)
        assert refused.value.field == "due_on"
        with pytest.raises(HamiError) as refused:
            add(qazvin_officer, group, staffed["member"], meeting=other)
        assert refused.value.field == "meeting"
        with pytest.raises(HamiError) as refused:
            add(qazvin_officer, group, staffed["member"], title="")
        assert refused.value.field == "title"


@pytest.mark.parametrize("persona", ["unit_rep", "other_rep", "tehran_officer"])
def test_plain_members_and_outsiders_hand_out_no_actions(request, persona, group, staffed, unchanged):
    with unchanged(), pytest.raises(Forbidden):
        add(request.getfixturevalue(persona), group, staffed["member"])


def test_the_owners_representative_moves_it_to_in_progress_then_done(
    qazvin_officer, group, staffed, unit_rep
):
    action = add(qazvin_officer, group, staffed["member"])
    services.action_update(actor=unit_rep, action=action, state="in_progress", note="نمونه‌ها فرستاده شد")
    action = services.action_update(actor=unit_rep, action=action, state="done")
    assert (action.state, action.done_on, action.note) == (
        ActionState.DONE,
        timezone.localdate(),
        "نمونه‌ها فرستاده شد",
    )


def test_a_labs_staff_updates_the_labs_action(qazvin_officer, group, staffed, group_lab_user):
    action = add(qazvin_officer, group, staffed["lab"])
    assert services.action_update(actor=group_lab_user, action=action, state="done").state == "done"


def test_another_member_cannot_update_an_action_it_does_not_own(
    qazvin_officer, group, staffed, group_lab_user, other_rep, tehran_officer, unchanged
):
    action = add(qazvin_officer, group, staffed["member"])
    for user in (group_lab_user, other_rep, tehran_officer):
        with unchanged(), pytest.raises(Forbidden):
            services.action_update(actor=user, action=action, state="done")


def test_dropping_is_the_chairs_or_offices_call_and_needs_a_note(
    qazvin_officer, group, staffed, unit_rep, chair_rep, unchanged
):
    action = add(qazvin_officer, group, staffed["member"])
    with unchanged():
        with pytest.raises(Forbidden):
            services.action_update(actor=unit_rep, action=action, state="dropped", note="نمی‌خواهیم")
        with pytest.raises(HamiError) as refused:
            services.action_update(actor=chair_rep, action=action, state="dropped", note="")
        assert refused.value.field == "note"
    action = services.action_update(actor=chair_rep, action=action, state="dropped", note="دیگر لازم نیست")
    assert (action.state, action.note, action.done_on) == (ActionState.DROPPED, "دیگر لازم نیست", None)


@pytest.mark.parametrize("final", ["done", "dropped"])
def test_done_and_dropped_are_final(qazvin_officer, group, staffed, final, unchanged):
    action = add(qazvin_officer, group, staffed["member"])
    services.action_update(actor=qazvin_officer, action=action, state=final, note="پایان")
    for target in ("open", "in_progress", "done", "dropped"):
        with unchanged(), pytest.raises(HamiError) as refused:
            services.action_update(actor=qazvin_officer, action=action, state=target, note="باز")
        assert refused.value.code == "wrong_state"


def test_an_unknown_action_state_is_refused(qazvin_officer, group, staffed, unchanged):
    action = add(qazvin_officer, group, staffed["member"])
    with unchanged(), pytest.raises(HamiError) as refused:
        services.action_update(actor=qazvin_officer, action=action, state="finished")
    assert refused.value.field == "state"


def test_an_agenda_keeps_its_lines_and_its_digits_are_stored_ascii(qazvin_officer, group, staffed):
    meeting = schedule(qazvin_officer, group, agenda="۱. آزمون  آفلاتوکسین\r\n\r\n\r\n\r\n۲. دوره‌ها  ")
    assert meeting.agenda == "1. آزمون آفلاتوکسین\n\n2. دوره‌ها"
