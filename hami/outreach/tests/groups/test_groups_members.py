"""Working groups and their members: who sets up, changes and closes a group; who adds, re-roles and
removes members; every refusal leaves everything as it was."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_user
from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Notification, Role
from hami.labs.models import LabStatus
from hami.outreach import selectors
from hami.outreach.access import group_role, is_group_insider
from hami.outreach.models import ActionState, GroupStatus, MeetingStatus, Member, MemberRole, WorkingGroup
from hami.outreach.services import groups as services
from hami.outreach.tests.groups.conftest import make_approved_lab, make_unit, soon

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- groups


def test_office_sets_up_a_group_of_its_province_with_one_audit_event(qazvin_officer, qazvin):
    before = AuditEvent.objects.count()
    group = services.group_save(
        actor=qazvin_officer, name_fa="  كارگروه  غذا ", isic="۱۰۵۰", province=qazvin, purpose="هدف"
    )
    assert (group.name_fa, group.isic, group.province, group.status) == (
        "کارگروه غذا",
        "1050",
        qazvin,
        GroupStatus.ACTIVE,
    )
    events = AuditEvent.objects.filter(seq__gt=before)
    assert [(e.event_type, e.object_id) for e in events] == [(EventType.GROUP_SAVED, str(group.pk))]


@pytest.mark.parametrize("isic", ["10", "1050", "01", "2394", "99"])
def test_a_sector_is_an_isic_division_or_class(qazvin_officer, qazvin, isic):
    assert services.group_save(actor=qazvin_officer, name_fa="گروه", isic=isic, province=qazvin).isic == isic


@pytest.mark.parametrize("isic", ["", "1", "105", "10500", "ab", "04", "0400", "40", "1a50", "10-5"])
def test_a_sector_of_another_shape_or_outside_isic_is_refused(qazvin_officer, qazvin, isic, unchanged):
    with unchanged(), pytest.raises(HamiError) as refused:
        services.group_save(actor=qazvin_officer, name_fa="گروه", isic=isic, province=qazvin)
    assert refused.value.field == "isic" and refused.value.message


def test_a_group_needs_a_persian_name(qazvin_officer, qazvin, unchanged):
    with unchanged(), pytest.raises(HamiError) as refused:
        services.group_save(actor=qazvin_officer, name_fa="   ", isic="10", province=qazvin)
    assert refused.value.field == "name_fa"


def test_tehran_officer_cannot_set_up_or_change_a_qazvin_group(tehran_officer, qazvin, group, unchanged):
    with unchanged():
        with pytest.raises(Forbidden):
            services.group_save(actor=tehran_officer, name_fa="گروه", isic="10", province=qazvin)
        with pytest.raises(Forbidden):
            services.group_save(actor=tehran_officer, name_fa="x", isic="10", province=qazvin, group=group)


def test_an_office_cannot_move_its_group_to_another_province(qazvin_officer, tehran, group, unchanged):
    with unchanged(), pytest.raises(Forbidden):
        services.group_save(actor=qazvin_officer, name_fa="x", isic="10", province=tehran, group=group)


def test_a_national_group_is_set_up_by_national_staff_only(qazvin_officer, admin_user, unchanged):
    with unchanged(), pytest.raises(Forbidden):
        services.group_save(actor=qazvin_officer, name_fa="کارگروه ملی", isic="23", province=None)
    group = services.group_save(actor=admin_user, name_fa="کارگروه ملی", isic="23", province=None)
    assert group.province is None


@pytest.mark.parametrize("persona", ["unit_rep", "outsider", "qazvin_inspector", "lab_user"])
def test_other_roles_cannot_set_up_a_group(request, persona, qazvin, unchanged):
    user = request.getfixturevalue(persona)
    with unchanged(), pytest.raises(Forbidden):
        services.group_save(actor=user, name_fa="گروه", isic="10", province=qazvin)


def test_office_changes_its_group(qazvin_officer, qazvin, group):
    services.group_save(
        actor=qazvin_officer, group=group, name_fa="نام تازه", isic="1050", province=qazvin, purpose="تازه"
    )
    group.refresh_from_db()
    assert (group.name_fa, group.isic, group.purpose) == ("نام تازه", "1050", "تازه")


def test_closing_cancels_planned_meetings_drops_open_actions_and_tells_members(
    qazvin_officer, group, staffed, meeting, unit_rep, chair_rep, django_capture_on_commit_callbacks
):
    action = services.action_add(
        actor=qazvin_officer, group=group, title="گزارش", owner=staffed["member"], due_on=timezone.localdate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.group_close(actor=qazvin_officer, group=group, reason="کار کارگروه به پایان رسید")
    group.refresh_from_db()
    meeting.refresh_from_db()
    action.refresh_from_db()
    assert group.status == GroupStatus.CLOSED
    assert meeting.status == MeetingStatus.CANCELLED
    assert (action.state, action.note) == (ActionState.DROPPED, "کار کارگروه به پایان رسید")
    for user in (unit_rep, chair_rep):
        assert Notification.objects.filter(user=user, subject__contains=group.name_fa).exists()


def test_closing_needs_a_reason_and_the_office(qazvin_officer, group, staffed, chair_rep, unchanged):
    with unchanged():
        with pytest.raises(HamiError) as refused:
            services.group_close(actor=qazvin_officer, group=group, reason=" ")
        assert refused.value.field == "reason"
        with pytest.raises(Forbidden):
            services.group_close(actor=chair_rep, group=group, reason="پایان")


def test_a_closed_group_takes_nothing_new(qazvin_officer, group, staffed, other_rep, bakery_unit, unchanged):
    services.group_close(actor=qazvin_officer, group=group, reason="پایان")
    with unchanged():
        for call in (
            lambda: services.group_close(actor=qazvin_officer, group=group, reason="دوباره"),
            lambda: services.member_add(actor=qazvin_officer, group=group, kind="unit", unit=bakery_unit),
            lambda: services.meeting_schedule(
                actor=qazvin_officer,
                group=group,
                starts_at=soon(),
                mode="in_person",
                venue="اداره",
                agenda="x",
            ),
            lambda: services.action_add(
                actor=qazvin_officer,
                group=group,
                title="x",
                owner=staffed["member"],
                due_on=timezone.localdate(),
            ),
            lambda: services.proposal_submit(
                actor=qazvin_officer, group=group, kind="other", title="x", description="y"
            ),
            lambda: services.group_save(
                actor=qazvin_officer, group=group, name_fa="x", isic="10", province=group.province
            ),
        ):
            with pytest.raises(HamiError) as refused:
                call()
            assert refused.value.code == "wrong_state"


# ---------------------------------------------------------------- members


def test_office_adds_a_unit_a_lab_an_expert_and_an_office_member_named_after_them(
    qazvin_officer, group, qazvin_unit, group_lab, expert, qazvin
):
    colleague = make_user("colleague", Role.OFFICE_STAFF, qazvin)
    expert.first_name, expert.last_name = "سارا", "کریمی"
    expert.save()
    added = [
        services.member_add(actor=qazvin_officer, group=group, kind="unit", unit=qazvin_unit),
        services.member_add(actor=qazvin_officer, group=group, kind="lab", lab=group_lab),
        services.member_add(actor=qazvin_officer, group=group, kind="expert", user=expert, role="secretary"),
        services.member_add(actor=qazvin_officer, group=group, kind="office", user=colleague),
    ]
    assert [(m.kind, m.display_name, m.role) for m in added] == [
        ("unit", qazvin_unit.name_fa, "member"),
        ("lab", group_lab.name_fa, "member"),
        ("expert", "سارا کریمی", "secretary"),
        ("office", "colleague", "member"),
    ]
    assert AuditEvent.objects.filter(event_type=EventType.GROUP_MEMBER_CHANGED).count() == 4


def test_adding_a_member_twice_is_a_clear_error(qazvin_officer, group, plain_member, qazvin_unit, unchanged):
    with unchanged(), pytest.raises(HamiError) as refused:
        services.member_add(actor=qazvin_officer, group=group, kind="unit", unit=qazvin_unit)
    assert refused.value.code == "already_member" and qazvin_unit.name_fa in refused.value.message


def test_a_removed_member_comes_back_on_the_same_row(qazvin_officer, group, plain_member, qazvin_unit):
    services.member_remove(actor=qazvin_officer, member=plain_member, reason="ترک")
    back = services.member_add(
        actor=qazvin_officer, group=group, kind="unit", unit=qazvin_unit, role="secretary"
    )
    assert back.pk == plain_member.pk and back.is_active and back.role == "secretary"
    assert group.members.count() == 1


def test_the_member_added_is_told(
    qazvin_officer, group, qazvin_unit, unit_rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_add(actor=qazvin_officer, group=group, kind="unit", unit=qazvin_unit)
    notice = Notification.objects.get(user=unit_rep)
    assert group.name_fa in notice.subject and str(group.public_id) in notice.link


def test_the_chair_adds_members_and_a_plain_member_cannot(
    group, staffed, chair_rep, unit_rep, bakery_unit, unchanged
):
    with unchanged(), pytest.raises(Forbidden):
        services.member_add(actor=unit_rep, group=group, kind="unit", unit=bakery_unit)
    member = services.member_add(actor=chair_rep, group=group, kind="unit", unit=bakery_unit)
    assert member.is_active and member.role == MemberRole.MEMBER


@pytest.mark.parametrize("persona", ["tehran_officer", "other_rep", "outsider", "qazvin_inspector"])
def test_outsiders_and_other_offices_cannot_add_members(request, persona, group, bakery_unit, unchanged):
    user = request.getfixturevalue(persona)
    with unchanged(), pytest.raises(Forbidden):
        services.member_add(actor=user, group=group, kind="unit", unit=bakery_unit)


def test_only_the_office_names_a_chair_and_a_group_has_one(
    qazvin_officer, group, staffed, chair_rep, bakery_unit, unchanged
):
    with unchanged():
        with pytest.raises(Forbidden):
            services.member_add(actor=chair_rep, group=group, kind="unit", unit=bakery_unit, role="chair")
        with pytest.raises(HamiError) as refused:
            services.member_add(
                actor=qazvin_officer, group=group, kind="unit", unit=bakery_unit, role="chair"
            )
        assert refused.value.field == "role" and staffed["chair"].display_name in refused.value.message
        with pytest.raises(HamiError):
            services.member_set_role(actor=qazvin_officer, member=staffed["member"], role="chair")


@pytest.mark.parametrize(
    ("kind", "refs", "field"),
    [
        ("unit", {}, "unit"),
        ("lab", {}, "lab"),
        ("expert", {}, "user"),
        ("unit", {"unit": "U", "lab": "L"}, "lab"),
        ("lab", {"lab": "L", "user": "P"}, "user"),
        ("chair", {"unit": "U"}, "kind"),
    ],
)
def test_a_member_refers_to_exactly_what_its_kind_calls_for(
    qazvin_officer, group, qazvin_unit, group_lab, expert, kind, refs, field, unchanged
):
    objects = {"U": qazvin_unit, "L": group_lab, "P": expert}
    with unchanged(), pytest.raises(HamiError) as refused:
        services.member_add(
            actor=qazvin_officer, group=group, kind=kind, **{k: objects[v] for k, v in refs.items()}
        )
    assert refused.value.field == field


def test_a_provincial_group_takes_units_of_its_province_only(qazvin_officer, group, tehran_unit, unchanged):
    with unchanged(), pytest.raises(HamiError) as refused:
        services.member_add(actor=qazvin_officer, group=group, kind="unit", unit=tehran_unit)
    assert refused.value.field == "unit"


def test_an_office_member_is_office_staff_of_the_groups_province(
    qazvin_officer, group, tehran_officer, expert, unchanged
):
    with unchanged():
        for user in (tehran_officer, expert):
            with pytest.raises(HamiError) as refused:
                services.member_add(actor=qazvin_officer, group=group, kind="office", user=user)
            assert refused.value.field == "user"


def test_a_lab_not_approved_cannot_join(qazvin_officer, group, qazvin_county, unchanged):
    lab = make_approved_lab(qazvin_county, "آزمایشگاه در حال بررسی")
    lab.status = LabStatus.ASSESSMENT
    lab.save()
    with unchanged(), pytest.raises(HamiError) as refused:
        services.member_add(actor=qazvin_officer, group=group, kind="lab", lab=lab)
    assert refused.value.field == "lab"


def test_the_chair_makes_a_member_secretary_but_only_the_office_unseats_the_chair(
    qazvin_officer, group, staffed, chair_rep, unchanged
):
    member = services.member_set_role(actor=chair_rep, member=staffed["member"], role="secretary")
    assert member.role == "secretary"
    with unchanged(), pytest.raises(Forbidden):
        services.member_set_role(actor=chair_rep, member=staffed["chair"], role="member")
    services.member_set_role(actor=qazvin_officer, member=staffed["chair"], role="member")
    services.member_set_role(actor=qazvin_officer, member=staffed["member"], role="chair")
    assert group_role(chair_rep, group) == "member"


def test_setting_the_same_role_changes_nothing(qazvin_officer, staffed, unchanged):
    with unchanged():
        services.member_set_role(actor=qazvin_officer, member=staffed["member"], role="member")


def test_removing_a_member_keeps_its_row_and_ends_its_insight(
    qazvin_officer, group, staffed, unit_rep, unchanged
):
    assert is_group_insider(unit_rep, group)
    services.member_remove(actor=qazvin_officer, member=staffed["member"], reason="درخواست خود واحد")
    member = Member.objects.get(pk=staffed["member"].pk)
    assert not member.is_active
    assert not is_group_insider(unit_rep, WorkingGroup.objects.get(pk=group.pk))
    with unchanged(), pytest.raises(HamiError) as refused:
        services.member_remove(actor=qazvin_officer, member=member)
    assert refused.value.code == "wrong_state"


def test_the_chair_removes_members_but_not_the_chair_and_a_member_removes_nobody(
    group, staffed, chair_rep, unit_rep, unchanged
):
    with unchanged():
        with pytest.raises(Forbidden):
            services.member_remove(actor=chair_rep, member=staffed["chair"])
        with pytest.raises(Forbidden):
            services.member_remove(actor=unit_rep, member=staffed["lab"])
    services.member_remove(actor=chair_rep, member=staffed["lab"])
    assert not Member.objects.get(pk=staffed["lab"].pk).is_active


# ---------------------------------------------------------------- suggestions


def test_suggested_units_are_the_provinces_units_of_the_sector_not_yet_members(
    group, plain_member, dairy_unit, bakery_unit, qazvin_county, tehran_county
):
    make_unit(qazvin_county, "1038028422", "سیمان قزوین", "2394")  # another sector
    make_unit(tehran_county, "1038028433", "لبنیات تهران", "1050")  # another province
    assert list(selectors.suggested_units(group)) == sorted(
        [dairy_unit, bakery_unit], key=lambda u: u.name_fa
    )


def test_suggested_labs_test_the_sectors_products_in_the_province(
    group, qazvin_county, tehran_county, qazvin_officer
):
    from hami.labs.models import ScopeLine
    from hami.standards.tests.factories import CategoryFactory, RequirementFactory

    food = RequirementFactory()
    CategoryFactory(isic="1050").standards.add(food.standard)
    cement = RequirementFactory()
    CategoryFactory(isic="2394").standards.add(cement.standard)

    def lab(county, name, requirement, *, active=True):
        made = make_approved_lab(county, name)
        ScopeLine.objects.create(
            lab=made,
            requirement=requirement,
            method="m",
            weekly_capacity=5,
            price=1,
            turnaround_days=3,
            active=active,
        )
        return made

    wanted = lab(qazvin_county, "آزمایشگاه غذا", food)
    lab(qazvin_county, "آزمایشگاه سیمان", cement)
    lab(qazvin_county, "آزمایشگاه غیرفعال", food, active=False)
    lab(tehran_county, "آزمایشگاه غذای تهران", food)
    joined = lab(qazvin_county, "آزمایشگاه عضو", food)
    services.member_add(actor=qazvin_officer, group=group, kind="lab", lab=joined)
    ScopeLine.objects.create(
        lab=wanted,
        requirement=RequirementFactory(standard=food.standard),
        method="m",
        weekly_capacity=5,
        price=1,
        turnaround_days=3,
    )
    assert list(selectors.suggested_labs(group)) == [wanted]


def test_a_national_group_suggests_units_of_every_province(admin_user, qazvin_unit, tehran_unit):
    group = services.group_save(actor=admin_user, name_fa="کارگروه ملی", isic="23", province=None)
    assert list(selectors.suggested_units(group)) == [tehran_unit]


def test_overdue_actions_are_past_due_and_neither_done_nor_dropped(qazvin_officer, group, staffed):
    today = timezone.localdate()

    def action(title, days, state=ActionState.OPEN):
        made = services.action_add(
            actor=qazvin_officer, group=group, title=title, owner=staffed["member"], due_on=today
        )
        made.due_on, made.state = today + dt.timedelta(days=days), state
        made.save()
        return made

    late = action("دیرکرد", -3)
    later = action("دیرکرد در جریان", -1, ActionState.IN_PROGRESS)
    action("امروز", 0)
    action("انجام شده", -5, ActionState.DONE)
    action("کنار گذاشته", -5, ActionState.DROPPED)
    assert list(selectors.overdue_actions(group.actions.all())) == [late, later]
