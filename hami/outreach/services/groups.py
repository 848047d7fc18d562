"""Special working groups (کارگروه ویژه) by sector: the group, its members, meetings with agenda and
minutes, action items with an owner and a due date, and proposals followed to their outcome.

Who does what (hami/outreach/access.py):
- the office of the group's province (national staff for a national group) does everything;
- the chair adds and removes members and changes their roles (only the office names or unseats a chair);
- the chair or a secretary schedules meetings, records minutes, cancels meetings and hands out actions;
- an action's owner (any user standing for the owning member: the person, a unit's representative,
  a lab's staff) moves it to in progress or done; dropping it is the office's or the chair's call;
- any active member (or the office) submits a proposal; only the office moves it.

A closed group takes nothing new; closing it cancels its planned meetings and drops its open actions
(they would otherwise stay overdue for ever and count against the units in participation.py).
Proposals of a closed group are still followed to their outcome.

Every function here is one transaction, writes one audit event and schedules its notices on commit.
The reads (suggestions, overdue actions, who to notify) are in hami/outreach/selectors.py.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_date, format_datetime
from hami.core.models import EventType, Province, Role, User
from hami.core.persian import normalize_text
from hami.core.validators import validate_isic
from hami.labs.models import Lab, LabStatus
from hami.outreach.access import can_manage, group_role, may_manage_members, may_run_meetings
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import (
    ActionItem,
    ActionState,
    GroupStatus,
    Meeting,
    MeetingStatus,
    Member,
    MemberKind,
    MemberRole,
    Proposal,
    ProposalKind,
    ProposalState,
    ProposalStep,
    WorkingGroup,
)
from hami.outreach.selectors import ACTION_LIVE, is_action_owner, member_users
from hami.outreach.services.notices import notify_on_commit_in_site_language
from hami.outreach.services.text import clean_choice, clean_place, clean_text
from hami.registry.models import ProductionUnit, UnitStatus
from hami.standards.models import Standard

# ISIC Rev.4 divisions (two digits), sections A to U; a group's sector is one of them or a class in one.
ISIC_DIVISIONS = frozenset(
    [f"{d:02d}" for d in (1, 2, 3, 5, 6, 7, 8, 9)]
    + [str(d) for d in range(10, 34)]
    + ["35", "36", "37", "38", "39", "41", "42", "43", "45", "46", "47", "49", "50", "51", "52", "53"]
    + ["55", "56", "58", "59", "60", "61", "62", "63", "64", "65", "66", "68", "69", "70", "71", "72"]
    + ["73", "74", "75", "77", "78", "79", "80", "81", "82", "84", "85", "86", "87", "88", "90", "91"]
    + ["92", "93", "94", "95", "96", "97", "98", "99"]
)

# An action item's moves. DONE and DROPPED are final.
ACTION_MOVES: dict[str, frozenset[str]] = {
    ActionState.OPEN: frozenset({ActionState.IN_PROGRESS, ActionState.DONE, ActionState.DROPPED}),
    ActionState.IN_PROGRESS: frozenset({ActionState.OPEN, ActionState.DONE, ActionState.DROPPED}),
    ActionState.DONE: frozenset(),
    ActionState.DROPPED: frozenset(),
}

# A proposal's moves (docs/outreach.md draws them); the office makes every one of them.
#   submitted → under review → accepted → implemented (with the outcome)
#                            ↘ rejected (with the reason)
PROPOSAL_MOVES: dict[str, frozenset[str]] = {
    ProposalState.SUBMITTED: frozenset({ProposalState.UNDER_REVIEW}),
    ProposalState.UNDER_REVIEW: frozenset({ProposalState.ACCEPTED, ProposalState.REJECTED}),
    ProposalState.ACCEPTED: frozenset({ProposalState.IMPLEMENTED}),
    ProposalState.REJECTED: frozenset(),
    ProposalState.IMPLEMENTED: frozenset(),
}
# Moves that need the note: the reason of a rejection, the outcome of an implementation.
PROPOSAL_NEEDS_NOTE = {ProposalState.REJECTED, ProposalState.IMPLEMENTED}

MAX_TEXT = 20_000  # agenda, minutes, purpose, description: a long page, not a file
MAX_ID = 2**63 - 1  # the largest primary key (BigAutoField); a larger number is no row, not an overflow


# ---------------------------------------------------------------- checks


def clean_isic(value) -> str:
    """A sector: an ISIC Rev.4 division (2 digits) or class (4 digits). Raises HamiError(INVALID)."""
    text = normalize_text(str(value or "")).replace(" ", "")  # normalize_text turns any digits to ASCII
    if len(text) == 4:
        try:
            validate_isic(text)
        except ValidationError as exc:
            raise HamiError(Code.INVALID, exc.messages[0], field="isic") from exc
    elif not (len(text) == 2 and text.isascii() and text.isdigit()):
        raise HamiError(
            Code.INVALID,
            _("Give the sector as an ISIC division (2 digits, e.g. 10) or class (4 digits, e.g. 1050)."),
            field="isic",
        )
    if text[:2] not in ISIC_DIVISIONS:
        raise HamiError(
            Code.INVALID,
            _("{code} is not in an ISIC Rev.4 division.").format(code=text),
            field="isic",
        )
    return text


def _require_active(group: WorkingGroup) -> None:
    if group.status != GroupStatus.ACTIVE:
        raise HamiError(
            Code.WRONG_STATE, _("The working group {name} is closed.").format(name=group.name), field=None
        )


def _require_office(actor: User, group: WorkingGroup) -> None:
    if not can_manage(actor, group.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the group's standards office may do this."))


def _require_member_managers(actor: User, group: WorkingGroup) -> None:
    if not may_manage_members(actor, group):
        raise Forbidden(Code.FORBIDDEN, _("Only the group's office or its chair may change its members."))


def _require_meeting_runners(actor: User, group: WorkingGroup) -> None:
    if not may_run_meetings(actor, group):
        raise Forbidden(Code.FORBIDDEN, _("Only the group's office, its chair or a secretary may do this."))


def _lock_group(group: WorkingGroup) -> WorkingGroup:
    return WorkingGroup.objects.select_for_update(of=("self",)).select_related("province").get(pk=group.pk)


# ---------------------------------------------------------------- groups


@transaction.atomic
def group_save(
    *,
    actor: User,
    name_fa: str,
    isic: str,
    province: Province | None,
    purpose: str = "",
    name_en: str = "",
    group: WorkingGroup | None = None,
) -> WorkingGroup:
    """Create a group (`group` None) or change one. The office of `province` does it; a national group
    (`province` None) is the national staff's. Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    province_id = province.pk if province else None
    if not can_manage(actor, province_id) or (group is not None and not can_manage(actor, group.province_id)):
        raise Forbidden(
            Code.FORBIDDEN,
            _("Only the province's standards office runs its working groups; national staff, national ones."),
        )
    name_fa = clean_text(name_fa, limit=255, field="name_fa", required=_("Give the group's Persian name."))
    name_en = clean_text(name_en, limit=255, field="name_en")
    isic = clean_isic(isic)
    purpose = clean_text(purpose, limit=MAX_TEXT, field="purpose", multiline=True)
    if group is None:
        group = WorkingGroup.objects.create(
            name_fa=name_fa, name_en=name_en, isic=isic, province=province, purpose=purpose
        )
        before = None
    else:
        group = _lock_group(group)
        _require_active(group)
        before = {"name_fa": group.name_fa, "name_en": group.name_en, "isic": group.isic,
                  "province": group.province_id, "purpose": group.purpose}  # fmt: skip
        group.name_fa, group.name_en, group.isic = name_fa, name_en, isic
        group.province, group.purpose = province, purpose
        group.save(update_fields=["name_fa", "name_en", "isic", "province", "purpose", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.GROUP_SAVED,
        obj=group,
        province=group.province,
        details={"created": before is None, "before": before, "isic": isic, "province": province_id},
    )
    return group


@transaction.atomic
def group_close(*, actor: User, group: WorkingGroup, reason: str) -> WorkingGroup:
    """Close an active group with a reason: its planned meetings are cancelled and its open actions
    dropped, and the members are told. Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    _require_office(actor, group)
    group = _lock_group(group)
    _require_active(group)
    reason = clean_text(reason, limit=300, field="reason", required=_("Write why the group is closed."))
    recipients = member_users(group)
    now = timezone.now()
    planned = list(
        group.meetings.select_for_update().filter(status=MeetingStatus.PLANNED, starts_at__gte=now)
    )
    for meeting in planned:
        meeting.status = MeetingStatus.CANCELLED
        meeting.save(update_fields=["status", "updated_at"])
    live = list(group.actions.select_for_update().filter(state__in=ACTION_LIVE))
    for action in live:
        action.state, action.note = ActionState.DROPPED, reason[:500]
        action.save(update_fields=["state", "note", "updated_at"])
    group.status = GroupStatus.CLOSED
    group.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.GROUP_SAVED,
        obj=group,
        province=group.province,
        reason=reason,
        details={
            "status": GroupStatus.CLOSED,
            "meetings_cancelled": [str(m.public_id) for m in planned],
            "actions_dropped": [a.pk for a in live],
        },
    )
    name = group.name_fa
    notify_on_commit_in_site_language(
        recipients,
        skip=actor,
        message=lambda: (
            _("Working group {name} is closed").format(name=name),
            _("The working group {name} was closed: {reason}").format(name=name, reason=reason),
        ),
        link=reverse("outreach:group_detail", args=[group.public_id]),
    )
    return group


# ---------------------------------------------------------------- members


def _display_name(kind: str, unit, lab, user) -> str:
    if kind == MemberKind.UNIT:
        return unit.name_fa
    if kind == MemberKind.LAB:
        return lab.name_fa
    return normalize_text(user.get_full_name()) or user.get_username()


def _check_reference(group: WorkingGroup, kind: str, unit, lab, user) -> None:
    """The one reference the kind calls for, and nothing else; refused in the user's words."""
    wanted = {MemberKind.UNIT: "unit", MemberKind.LAB: "lab"}.get(kind, "user")
    given = {"unit": unit, "lab": lab, "user": user}
    if given[wanted] is None:
        messages = {
            "unit": _("Choose the production unit."),
            "lab": _("Choose the lab."),
            "user": _("Give the person's username."),
        }
        raise HamiError(Code.INVALID, messages[wanted], field=wanted)
    extra = [name for name, value in given.items() if value is not None and name != wanted]
    if extra:
        raise HamiError(
            Code.INVALID,
            _("A member of this kind refers to one thing only; leave {field} empty.").format(field=extra[0]),
            field=extra[0],
        )
    if kind == MemberKind.UNIT:
        if unit.status == UnitStatus.CLOSED:
            raise HamiError(
                Code.INVALID, _("The unit {name} is closed.").format(name=unit.name), field="unit"
            )
        if group.province_id and unit.province_id != group.province_id:
            raise HamiError(
                Code.INVALID,
                _("A provincial group takes the units of its own province."),
                field="unit",
            )
    elif kind == MemberKind.LAB:
        if lab.status not in (LabStatus.APPROVED, LabStatus.SUSPENDED):
            raise HamiError(Code.INVALID, _("Only an approved lab may join a working group."), field="lab")
    else:
        if not user.is_active:
            raise HamiError(Code.INVALID, _("This user's account is not active."), field="user")
        if kind == MemberKind.OFFICE and not (
            user.role == Role.OFFICE_STAFF
            and (group.province_id is None or user.province_id == group.province_id)
        ):
            raise HamiError(
                Code.INVALID,
                _("An office member is a staff member of the group's standards office."),
                field="user",
            )


def _one_chair(group: WorkingGroup, role: str, member: Member | None = None) -> None:
    if role != MemberRole.CHAIR:
        return
    chair = group.members.filter(is_active=True, role=MemberRole.CHAIR)
    if member is not None:
        chair = chair.exclude(pk=member.pk)
    chair = chair.first()
    if chair is not None:
        raise HamiError(
            Code.INVALID,
            _("{name} already chairs the group; make them a plain member first.").format(
                name=chair.display_name
            ),
            field="role",
        )


@transaction.atomic
def member_add(
    *,
    actor: User,
    group: WorkingGroup,
    kind: str,
    unit: ProductionUnit | None = None,
    lab: Lab | None = None,
    user: User | None = None,
    role: str = MemberRole.MEMBER,
) -> Member:
    """Add a unit, a lab, an expert or an office member (a former member comes back). Raises Forbidden,
    HamiError(INVALID, ALREADY_MEMBER, WRONG_STATE)."""
    _require_member_managers(actor, group)
    group = _lock_group(group)
    _require_active(group)
    kind = clean_choice(kind, MemberKind, field="kind", message=_("Choose the kind of member."))
    role = clean_choice(role, MemberRole, field="role", message=_("Choose the member's role."))
    if role == MemberRole.CHAIR:
        _require_office(actor, group)
    _check_reference(group, kind, unit, lab, user)
    field = {MemberKind.UNIT: "unit", MemberKind.LAB: "lab"}.get(kind, "user")
    reference = {"unit": unit, "lab": lab, "user": user}[field]
    existing = group.members.select_for_update().filter(**{field: reference}).first()
    if existing is not None and existing.is_active:
        raise HamiError(
            Code.ALREADY_MEMBER,
            _("{name} is already a member of this group.").format(name=existing.display_name),
            field=field,
        )
    _one_chair(group, role)
    name = _display_name(kind, unit, lab, user)
    if existing is not None:  # a former member comes back: the same row, so its history stays one
        member = existing
        member.kind, member.role, member.display_name, member.is_active = kind, role, name, True
        member.save(update_fields=["kind", "role", "display_name", "is_active", "updated_at"])
    else:
        member = Member.objects.create(
            group=group, kind=kind, role=role, unit=unit, lab=lab, user=user, display_name=name
        )
    audit(
        actor=actor,
        event_type=EventType.GROUP_MEMBER_CHANGED,
        obj=group,
        province=group.province,
        details={"added": member.pk, "kind": kind, "role": role, "name": name, "again": existing is not None},
    )
    group_name = group.name_fa
    notify_on_commit_in_site_language(
        member_users(group, [member]),
        skip=actor,
        message=lambda: (
            _("You are a member of working group {name}").format(name=group_name),
            _("{member} joined the working group {name} as {role}.").format(
                member=name, name=group_name, role=MemberRole(role).label
            ),
        ),
        link=reverse("outreach:group_detail", args=[group.public_id]),
    )
    return member


def _lock_member(member: Member) -> Member:
    return Member.objects.select_for_update(of=("self",)).select_related("group__province").get(pk=member.pk)


@transaction.atomic
def member_set_role(*, actor: User, member: Member, role: str) -> Member:
    """Make a member chair, secretary or plain member; naming or unseating the chair is the office's.
    Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    member = _lock_member(member)
    group = member.group
    _require_member_managers(actor, group)
    _require_active(group)
    role = clean_choice(role, MemberRole, field="role", message=_("Choose the member's role."))
    if not member.is_active:
        raise HamiError(Code.WRONG_STATE, _("{name} is no longer a member.").format(name=member.display_name))
    if role == member.role:
        return member
    if MemberRole.CHAIR in (role, member.role):
        _require_office(actor, group)
    _one_chair(group, role, member)
    before = member.role
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.GROUP_MEMBER_CHANGED,
        obj=group,
        province=group.province,
        details={"member": member.pk, "name": member.display_name, "role": role, "before": before},
    )
    return member


@transaction.atomic
def member_remove(*, actor: User, member: Member, reason: str = "") -> Member:
    """Take a member out of the group. The row stays (inactive) with its attendance and actions, so the
    history is kept. Only the office removes the chair. Raises Forbidden, HamiError(WRONG_STATE)."""
    member = _lock_member(member)
    group = member.group
    _require_member_managers(actor, group)
    _require_active(group)
    if not member.is_active:
        raise HamiError(Code.WRONG_STATE, _("{name} is no longer a member.").format(name=member.display_name))
    if member.role == MemberRole.CHAIR:
        _require_office(actor, group)
    reason = clean_text(reason, limit=300, field="reason")
    member.is_active = False
    member.save(update_fields=["is_active", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.GROUP_MEMBER_CHANGED,
        obj=group,
        province=group.province,
        reason=reason,
        details={"removed": member.pk, "name": member.display_name, "kind": member.kind},
    )
    return member


# ---------------------------------------------------------------- meetings


def _meeting_message(kind: str, group_name: str, starts_at: dt.datetime, extra: str = ""):
    """The notice of a meeting, written at send time in the site's language."""

    def message() -> tuple[str, str]:
        when = format_datetime(starts_at)
        if kind == "scheduled":
            return (
                _("Meeting of {name} on {when}").format(name=group_name, when=when),
                _("A meeting of the working group {name} is set for {when}. Agenda: {agenda}").format(
                    name=group_name, when=when, agenda=extra
                ),
            )
        if kind == "cancelled":
            return (
                _("Meeting of {name} on {when} cancelled").format(name=group_name, when=when),
                _("The meeting of {when} is cancelled: {reason}").format(when=when, reason=extra),
            )
        return (
            _("Minutes of the {name} meeting of {when}").format(name=group_name, when=when),
            _("The minutes of the meeting of {when} are recorded.").format(when=when),
        )

    return message


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    group: WorkingGroup,
    starts_at: dt.datetime,
    mode: str,
    agenda: str,
    venue: str = "",
    link: str = "",
) -> Meeting:
    """Set a meeting in the future, in person (venue) or online (link), with its agenda; the members
    are told. Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    _require_meeting_runners(actor, group)
    group = _lock_group(group)
    _require_active(group)
    if not isinstance(starts_at, dt.datetime):
        raise HamiError(Code.INVALID, _("Give the meeting's date and time."), field="starts_at")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if starts_at <= timezone.now():
        raise HamiError(Code.INVALID, _("A meeting is scheduled in the future."), field="starts_at")
    venue, link = clean_place(mode, venue, link)
    agenda = clean_text(
        agenda, limit=MAX_TEXT, field="agenda", required=_("Write the meeting's agenda."), multiline=True
    )
    meeting = Meeting.objects.create(
        group=group, starts_at=starts_at, mode=mode, venue=venue, link=link, agenda=agenda
    )
    audit(
        actor=actor,
        event_type=EventType.MEETING_SAVED,
        obj=meeting,
        province=group.province,
        details={"scheduled": starts_at.isoformat(), "group": str(group.public_id), "mode": mode},
    )
    notify_on_commit_in_site_language(
        member_users(group),
        skip=actor,
        message=_meeting_message("scheduled", group.name_fa, starts_at, agenda[:300]),
        link=reverse("outreach:meeting_detail", args=[meeting.public_id]),
    )
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",)).select_related("group__province").get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_record(*, actor: User, meeting: Meeting, minutes: str, attendees: Iterable[int]) -> Meeting:
    """Record the minutes and who attended (ids of the group's active members) once the meeting has
    started; it is then held, and the members are told. Raises Forbidden, HamiError(INVALID,
    NOT_MEMBER, WRONG_STATE)."""
    meeting = _lock_meeting(meeting)
    group = meeting.group
    _require_meeting_runners(actor, group)
    # A closed group may still record the minutes of its last meeting (group_close keeps it planned).
    if meeting.status != MeetingStatus.PLANNED:
        raise HamiError(
            Code.WRONG_STATE,
            _("A meeting that is “{status}” takes no minutes.").format(status=meeting.get_status_display()),
        )
    if meeting.starts_at > timezone.now():
        raise HamiError(
            Code.WRONG_STATE, _("Minutes are recorded after the meeting has started."), field="minutes"
        )
    minutes = clean_text(
        minutes, limit=MAX_TEXT, field="minutes", required=_("Write the minutes."), multiline=True
    )
    try:
        ids = {int(pk) for pk in attendees}
    except (TypeError, ValueError) as exc:
        raise HamiError(Code.INVALID, _("Choose the attendees from the members."), field="attendees") from exc
    if not ids:
        raise HamiError(Code.INVALID, _("Tick who attended."), field="attendees")
    if not all(1 <= pk <= MAX_ID for pk in ids):
        raise HamiError(
            Code.NOT_MEMBER,
            _("Only active members of the group are recorded as attendees."),
            field="attendees",
        )
    present = list(group.members.filter(pk__in=ids, is_active=True))
    if len(present) != len(ids):
        raise HamiError(
            Code.NOT_MEMBER,
            _("Only active members of the group are recorded as attendees."),
            field="attendees",
        )
    meeting.minutes, meeting.status = minutes, MeetingStatus.HELD
    meeting.save(update_fields=["minutes", "status", "updated_at"])
    meeting.attendees.set(present)
    audit(
        actor=actor,
        event_type=EventType.MEETING_SAVED,
        obj=meeting,
        province=group.province,
        details={"held": True, "attendees": sorted(ids)},
    )
    notify_on_commit_in_site_language(
        member_users(group),
        skip=actor,
        message=_meeting_message("minutes", group.name_fa, meeting.starts_at),
        link=reverse("outreach:meeting_detail", args=[meeting.public_id]),
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting with a reason; the members are told.

    Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    meeting = _lock_meeting(meeting)
    group = meeting.group
    _require_meeting_runners(actor, group)
    if meeting.status != MeetingStatus.PLANNED:
        raise HamiError(
            Code.WRONG_STATE,
            _("A meeting that is “{status}” cannot be cancelled.").format(
                status=meeting.get_status_display()
            ),
        )
    reason = clean_text(reason, limit=300, field="reason", required=_("Write why the meeting is cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.MEETING_SAVED,
        obj=meeting,
        province=group.province,
        reason=reason,
        details={"cancelled": True},
    )
    notify_on_commit_in_site_language(
        member_users(group),
        skip=actor,
        message=_meeting_message("cancelled", group.name_fa, meeting.starts_at, reason),
        link=reverse("outreach:meeting_detail", args=[meeting.public_id]),
    )
    return meeting


# ---------------------------------------------------------------- action items


@transaction.atomic
def action_add(
    *,
    actor: User,
    group: WorkingGroup,
    title: str,
    owner: Member,
    due_on: dt.date,
    meeting: Meeting | None = None,
) -> ActionItem:
    """Give an active member an action with a due date (optionally out of a meeting); the owner is told.
    Raises Forbidden, HamiError(INVALID, NOT_MEMBER, WRONG_STATE)."""
    _require_meeting_runners(actor, group)
    group = _lock_group(group)
    _require_active(group)
    title = clean_text(title, limit=300, field="title", required=_("Write the action."))
    if owner.group_id != group.pk or not Member.objects.filter(pk=owner.pk, is_active=True).exists():
        raise HamiError(Code.NOT_MEMBER, _("The owner is an active member of the group."), field="owner")
    if not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime):
        raise HamiError(Code.INVALID, _("Give the due date."), field="due_on")
    if due_on < timezone.localdate():
        raise HamiError(Code.INVALID, _("The due date cannot be in the past."), field="due_on")
    if meeting is not None and (meeting.group_id != group.pk or meeting.status == MeetingStatus.CANCELLED):
        raise HamiError(
            Code.INVALID, _("Choose a meeting of this group that was not cancelled."), field="meeting"
        )
    action = ActionItem.objects.create(group=group, title=title, owner=owner, due_on=due_on, meeting=meeting)
    audit(
        actor=actor,
        event_type=EventType.ACTION_ITEM_SAVED,
        obj=action,
        province=group.province,
        details={
            "group": str(group.public_id),
            "owner": owner.pk,
            "due_on": due_on.isoformat(),
            "title": title,
        },
    )
    group_name = group.name_fa
    notify_on_commit_in_site_language(
        member_users(group, [owner]),
        skip=actor,
        message=lambda: (
            _("A new action for you in {name}").format(name=group_name),
            _("{title}, due on {date}.").format(title=title, date=format_date(due_on)),
        ),
        link=reverse("outreach:group_detail", args=[group.public_id]),
    )
    return action


@transaction.atomic
def action_update(*, actor: User, action: ActionItem, state: str, note: str = "") -> ActionItem:
    """Move an action along ACTION_MOVES. The owner moves it to in progress or done (done sets the day
    it was done); dropping it needs the office or the chair, and a note. Raises Forbidden,
    HamiError(INVALID, WRONG_STATE)."""
    action = (
        ActionItem.objects.select_for_update(of=("self",)).select_related("group__province").get(pk=action.pk)
    )
    group = action.group
    runner = may_run_meetings(actor, group)
    if not (runner or is_action_owner(actor, action)):
        raise Forbidden(
            Code.FORBIDDEN, _("Only the action's owner, the group's chair or its office may update it.")
        )
    _require_active(group)
    state = clean_choice(state, ActionState, field="state", message=_("Choose the action's state."))
    if state not in ACTION_MOVES[action.state]:
        raise HamiError(
            Code.WRONG_STATE,
            _("An action that is “{state}” cannot become “{target}”.").format(
                state=action.get_state_display(), target=ActionState(state).label
            ),
            field="state",
        )
    note = clean_text(note, limit=500, field="note")
    if state == ActionState.DROPPED:
        if not runner:
            raise Forbidden(Code.FORBIDDEN, _("Only the group's chair or its office may drop an action."))
        if not note:
            raise HamiError(Code.INVALID, _("Write why the action is dropped."), field="note")
    before = action.state
    action.state = state
    action.done_on = timezone.localdate() if state == ActionState.DONE else None
    if note:
        action.note = note
    action.save(update_fields=["state", "done_on", "note", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.ACTION_ITEM_SAVED,
        obj=action,
        province=group.province,
        reason=note,
        details={"from": before, "to": state},
    )
    return action


# ---------------------------------------------------------------- proposals


@transaction.atomic
def proposal_submit(
    *,
    actor: User,
    group: WorkingGroup,
    kind: str,
    title: str,
    description: str,
    standard: Standard | None = None,
) -> Proposal:
    """A member's (or the office's) proposal, e.g. a test that no lab in the country can do yet; it
    starts submitted. Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    if not (can_manage(actor, group.province_id) or group_role(actor, group)):
        raise Forbidden(Code.FORBIDDEN, _("Only the group's members and its office make proposals."))
    group = _lock_group(group)
    _require_active(group)
    kind = clean_choice(kind, ProposalKind, field="kind", message=_("Choose the kind of proposal."))
    title = clean_text(title, limit=300, field="title", required=_("Give the proposal a title."))
    description = clean_text(
        description, limit=MAX_TEXT, field="description", required=_("Describe the proposal."), multiline=True
    )
    proposal = Proposal.objects.create(
        group=group, kind=kind, title=title, description=description, standard=standard, submitted_by=actor
    )
    ProposalStep.objects.create(proposal=proposal, state=ProposalState.SUBMITTED, actor=actor)
    audit(
        actor=actor,
        event_type=EventType.PROPOSAL_MOVED,
        obj=proposal,
        province=group.province,
        details={"to": ProposalState.SUBMITTED, "group": str(group.public_id), "kind": kind},
    )
    return proposal


@transaction.atomic
def proposal_move(*, actor: User, proposal: Proposal, state: str, note: str = "") -> Proposal:
    """Move a proposal along PROPOSAL_MOVES (the office's call); a rejection needs the reason and an
    implementation the outcome, both kept as the proposal's outcome. Each move is a ProposalStep and
    the proposer is told. Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("group__province", "submitted_by")
        .get(pk=proposal.pk)
    )
    group = proposal.group
    _require_office(actor, group)
    if state not in ProposalState.values or state not in PROPOSAL_MOVES[proposal.state]:
        target = ProposalState(state).label if state in ProposalState.values else str(state)[:40]
        raise HamiError(
            Code.WRONG_STATE,
            _("A proposal that is “{state}” cannot become “{target}”.").format(
                state=proposal.get_state_display(), target=target
            ),
            field="state",
        )
    note = clean_text(note, limit=MAX_TEXT, field="note", multiline=True)
    if state in PROPOSAL_NEEDS_NOTE and not note:
        message = (
            _("Write why the proposal is rejected.")
            if state == ProposalState.REJECTED
            else _("Write the outcome: what was done.")
        )
        raise HamiError(Code.INVALID, message, field="note")
    before = proposal.state
    proposal.state = state
    fields = ["state", "updated_at"]
    if state in PROPOSAL_NEEDS_NOTE:
        proposal.outcome = note
        fields.append("outcome")
    proposal.save(update_fields=fields)
    ProposalStep.objects.create(proposal=proposal, state=state, actor=actor, note=note)
    audit(
        actor=actor,
        event_type=EventType.PROPOSAL_MOVED,
        obj=proposal,
        province=group.province,
        reason=note,
        details={"from": before, "to": state},
    )
    title, label = proposal.title, state
    notify_on_commit_in_site_language(
        User.objects.filter(pk=proposal.submitted_by_id, is_active=True),
        skip=actor,
        message=lambda: (
            _("Your proposal “{title}” is now {state}").format(title=title, state=ProposalState(label).label),
            note
            or _("The proposal “{title}” moved to {state}.").format(
                title=title, state=ProposalState(label).label
            ),
        ),
        link=reverse("outreach:proposal_detail", args=[proposal.public_id]),
    )
    return proposal
