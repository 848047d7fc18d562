"""The working-groups API, /api/v1/outreach/groups…: groups, members, meetings, action items and
proposals. The same services and the same access as the pages: every signed-in user sees which groups
exist; members, meetings, actions and proposals are for the group's insiders (403 for others, who can
see the group anyway); a meeting or proposal outside one's groups is a 404.

Members and action items are numbered inside their group (their ids only mean something under the
group's UUID, which only insiders reach)."""

import datetime as dt
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from hami.core.api import Error
from hami.core.errors import Forbidden, HamiError
from hami.core.models import Province, User
from hami.core.pagination import Pagination
from hami.labs.models import Lab
from hami.outreach import selectors
from hami.outreach.access import (
    group_for_user,
    groups_for_user,
    is_group_insider,
    meeting_for_user,
    member_filter,
    proposal_for_user,
)
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import (
    ActionState,
    Meeting,
    MeetingStatus,
    Member,
    MemberKind,
    MemberRole,
    Mode,
    ProposalKind,
    ProposalState,
    WorkingGroup,
)
from hami.outreach.services import groups as services
from hami.registry.models import ProductionUnit
from hami.standards.models import Standard

router = Router(tags=["outreach-groups"])

# A row id in a path or a body: a larger number than a primary key can hold is refused (422), not looked up.
ID = Annotated[int, Field(ge=1, le=services.MAX_ID)]

REFUSALS = {400: Error, 403: Error, 404: Error}


# ---------------------------------------------------------------- schemas


class GroupOut(Schema):
    id: UUID = Field(alias="public_id")
    name_fa: str
    name_en: str
    isic: str
    province: str | None  # the province's code; None for a national group
    purpose: str
    status: str
    member_count: int
    is_member: bool  # the signed-in user stands for an active member

    @staticmethod
    def resolve_province(obj):
        return obj.province.code if obj.province_id else None


class GroupMemberOut(Schema):
    id: int
    kind: MemberKind
    role: MemberRole
    display_name: str
    is_active: bool
    unit: UUID | None
    lab: UUID | None
    user: str | None  # the username of an expert or office member

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id if obj.unit_id else None

    @staticmethod
    def resolve_lab(obj):
        return obj.lab.public_id if obj.lab_id else None

    @staticmethod
    def resolve_user(obj):
        return obj.user.username if obj.user_id else None


class GroupDetailOut(GroupOut):
    insider: bool  # sees members, meetings, action items and proposals
    members: list[GroupMemberOut] | None  # None for an outsider

    @staticmethod
    def resolve_members(obj):
        return obj.listed_members


class GroupIn(Schema):
    name_fa: str = Field(max_length=255)
    name_en: str = Field("", max_length=255)
    isic: str = Field(max_length=8)
    province: str | None = Field(None, max_length=40)  # a province's code; none: a national group
    purpose: str = Field("", max_length=20_000)


class GroupFilters(Schema):
    isic: str | None = Field(None, max_length=4)
    province: str | None = Field(None, max_length=40)
    mine: bool = False


class GroupMemberIn(Schema):
    kind: MemberKind
    unit: UUID | None = None
    lab: UUID | None = None
    user: str | None = Field(None, max_length=150)  # username, for an expert or an office member
    role: MemberRole = MemberRole.MEMBER


class MemberRoleIn(Schema):
    role: MemberRole


class GroupReasonIn(Schema):
    reason: str = Field("", max_length=300)


class GroupMeetingOut(Schema):
    id: UUID = Field(alias="public_id")
    group: UUID
    starts_at: dt.datetime
    mode: Mode
    venue: str
    link: str
    agenda: str
    status: MeetingStatus
    minutes: str
    attendees: list[int]  # member ids

    @staticmethod
    def resolve_group(obj):
        return obj.group.public_id

    @staticmethod
    def resolve_attendees(obj):
        return sorted(member.pk for member in obj.attendees.all())


class GroupMeetingIn(Schema):
    starts_at: dt.datetime
    mode: Mode
    venue: str = Field("", max_length=300)
    link: str = Field("", max_length=200)
    agenda: str = Field(max_length=20_000)


class MeetingMinutesIn(Schema):
    minutes: str = Field(max_length=20_000)
    attendees: list[ID] = Field(max_length=2000)


class GroupMeetingFilters(Schema):
    status: MeetingStatus | None = None


class ActionItemOut(Schema):
    id: int
    title: str
    owner: int
    owner_name: str
    due_on: dt.date
    state: ActionState
    note: str
    done_on: dt.date | None
    meeting: UUID | None
    overdue: bool

    @staticmethod
    def resolve_owner(obj):
        return obj.owner_id

    @staticmethod
    def resolve_owner_name(obj):
        return obj.owner.display_name

    @staticmethod
    def resolve_meeting(obj):
        return obj.meeting.public_id if obj.meeting_id else None

    @staticmethod
    def resolve_overdue(obj):
        return obj.state in selectors.ACTION_LIVE and obj.due_on < timezone.localdate()


class ActionItemIn(Schema):
    title: str = Field(max_length=300)
    owner: ID  # a member id of the group
    due_on: dt.date
    meeting: UUID | None = None


class ActionItemUpdateIn(Schema):
    state: ActionState
    note: str = Field("", max_length=500)


class ActionItemFilters(Schema):
    overdue: bool = False  # only actions past due, neither done nor dropped


class ProposalOut(Schema):
    id: UUID = Field(alias="public_id")
    group: UUID
    kind: ProposalKind
    title: str
    description: str
    standard: int | None
    state: ProposalState
    outcome: str
    submitted_by: str
    submitted_at: dt.datetime = Field(alias="created_at")

    @staticmethod
    def resolve_group(obj):
        return obj.group.public_id

    @staticmethod
    def resolve_standard(obj):
        return obj.standard_id

    @staticmethod
    def resolve_submitted_by(obj):
        return obj.submitted_by.username


class ProposalStepOut(Schema):
    state: ProposalState
    actor: str
    note: str
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.username


class ProposalDetailOut(ProposalOut):
    steps: list[ProposalStepOut]
    next_states: list[ProposalState]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.select_related("actor"))

    @staticmethod
    def resolve_next_states(obj):
        return [s for s in ProposalState.values if s in services.PROPOSAL_MOVES[obj.state]]


class ProposalIn(Schema):
    kind: ProposalKind
    title: str = Field(max_length=300)
    description: str = Field(max_length=20_000)
    standard: ID | None = None  # a standard's id


class ProposalMoveIn(Schema):
    state: ProposalState
    note: str = Field("", max_length=20_000)


# ---------------------------------------------------------------- helpers


def _annotated(user: User):
    mine = Exists(Member.objects.filter(group=OuterRef("pk"), is_active=True).filter(member_filter(user)))
    return groups_for_user(user).annotate(
        is_member=mine, member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
    )


def _group(user: User, group_id: str) -> WorkingGroup:
    """The group with its counts, or a 404."""
    try:
        return _annotated(user).select_related("province").get(public_id=group_id)
    except (WorkingGroup.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("No working group with this identifier is visible to you.")) from exc


def _insider_group(user: User, group_id: str) -> WorkingGroup:
    group = group_for_user(user, group_id)
    if not is_group_insider(user, group):
        raise Forbidden(Code.FORBIDDEN, _("Only the group's members and its standards office see this."))
    return group


def _member(group: WorkingGroup, member_id: int) -> Member:
    member = group.members.filter(pk=member_id).first()
    if member is None:
        raise Http404(_("No such member of this group."))
    return member


def _detail(user: User, group_id: str) -> WorkingGroup:
    """The group as GroupDetailOut reads it: `insider`, and `listed_members` for insiders only."""
    group = _group(user, group_id)
    group.insider = is_group_insider(user, group)
    group.listed_members = (
        list(group.members.select_related("unit", "lab", "user").order_by("-is_active", "role", "pk"))
        if group.insider
        else None
    )
    return group


# ---------------------------------------------------------------- groups


@router.get("/outreach/groups", response=list[GroupOut], summary="Working groups (mine first)")
@paginate(Pagination, page_size=50)
def list_groups(request, filters: Query[GroupFilters]):
    groups = _annotated(request.auth).select_related("province")
    if filters.isic:
        condition = Q(isic__startswith=filters.isic)
        if len(filters.isic) == 4:
            condition |= Q(isic=filters.isic[:2])
        groups = groups.filter(condition)
    if filters.province:
        groups = groups.filter(province__code=filters.province)
    if filters.mine:
        groups = groups.filter(is_member=True)
    return groups.order_by("-is_member", "status", "name_fa", "pk")


@router.post("/outreach/groups", response={201: GroupDetailOut, **REFUSALS}, summary="Set up a working group")
def create_group(request, payload: GroupIn):
    """The office of the province (national staff for a national group, `province` empty)."""
    province = None
    if payload.province:
        province = Province.objects.filter(code=payload.province).first()
        if province is None:
            raise HamiError(Code.INVALID, _("No province has this code."), field="province")
    group = services.group_save(actor=request.auth, **payload.dict(exclude={"province"}), province=province)
    return Status(201, _detail(request.auth, str(group.public_id)))


@router.get("/outreach/groups/{group_id}", response={200: GroupDetailOut, 404: Error}, summary="One group")
def get_group(request, group_id: str):
    """Outsiders get the name, sector, purpose and member count; insiders also the members."""
    return _detail(request.auth, group_id)


# ---------------------------------------------------------------- members


@router.post(
    "/outreach/groups/{group_id}/members",
    response={201: GroupMemberOut, **REFUSALS},
    summary="Add a member (the office or the chair)",
)
def add_member(request, group_id: str, payload: GroupMemberIn):
    """A unit or a lab by its id, a person by username; a former member comes back."""
    group = group_for_user(request.auth, group_id)
    refs: dict = {}
    if payload.unit is not None:
        refs["unit"] = ProductionUnit.objects.filter(public_id=payload.unit).first()
        if refs["unit"] is None:
            raise HamiError(Code.INVALID, _("No unit has this identifier."), field="unit")
    if payload.lab is not None:
        refs["lab"] = Lab.objects.filter(public_id=payload.lab).first()
        if refs["lab"] is None:
            raise HamiError(Code.INVALID, _("No such lab."), field="lab")
    if payload.user:
        refs["user"] = User.objects.filter(username=payload.user).first()
        if refs["user"] is None:
            raise HamiError(
                Code.INVALID, _("No user has the username {name}.").format(name=payload.user), field="user"
            )
    member = services.member_add(
        actor=request.auth, group=group, kind=payload.kind, role=payload.role, **refs
    )
    return Status(201, member)


@router.post(
    "/outreach/groups/{group_id}/members/{member_id}/role",
    response={200: GroupMemberOut, **REFUSALS},
    summary="Change a member's role",
)
def set_member_role(
    request, group_id: str, member_id: Annotated[int, Path(ge=1, le=services.MAX_ID)], payload: MemberRoleIn
):
    member = _member(_insider_group(request.auth, group_id), member_id)
    return services.member_set_role(actor=request.auth, member=member, role=payload.role)


@router.post(
    "/outreach/groups/{group_id}/members/{member_id}/remove",
    response={200: GroupMemberOut, **REFUSALS},
    summary="Remove a member (kept, inactive, with its history)",
)
def remove_member(
    request, group_id: str, member_id: Annotated[int, Path(ge=1, le=services.MAX_ID)], payload: GroupReasonIn
):
    member = _member(_insider_group(request.auth, group_id), member_id)
    return services.member_remove(actor=request.auth, member=member, reason=payload.reason)


# ---------------------------------------------------------------- meetings


@router.get(
    "/outreach/groups/{group_id}/meetings",
    response={200: list[GroupMeetingOut], 403: Error, 404: Error},
    summary="The group's meetings, latest first",
)
def list_meetings(request, group_id: str, filters: Query[GroupMeetingFilters]):
    group = _insider_group(request.auth, group_id)
    meetings = group.meetings.select_related("group").prefetch_related("attendees")
    if filters.status:
        meetings = meetings.filter(status=filters.status)
    return list(meetings.order_by("-starts_at", "pk")[:500])


@router.post(
    "/outreach/groups/{group_id}/meetings",
    response={201: GroupMeetingOut, **REFUSALS},
    summary="Schedule a meeting (the members are told)",
)
def schedule_meeting(request, group_id: str, payload: GroupMeetingIn):
    group = group_for_user(request.auth, group_id)
    meeting = services.meeting_schedule(actor=request.auth, group=group, **payload.dict())
    return Status(201, meeting)


@router.get(
    "/outreach/meetings/{meeting_id}", response={200: GroupMeetingOut, 404: Error}, summary="One meeting"
)
def get_meeting(request, meeting_id: str):
    return meeting_for_user(request.auth, meeting_id)


@router.post(
    "/outreach/meetings/{meeting_id}/record",
    response={200: GroupMeetingOut, **REFUSALS},
    summary="Record the minutes and attendees (after the start)",
)
def record_meeting(request, meeting_id: str, payload: MeetingMinutesIn):
    meeting = meeting_for_user(request.auth, meeting_id)
    return services.meeting_record(
        actor=request.auth, meeting=meeting, minutes=payload.minutes, attendees=payload.attendees
    )


@router.post(
    "/outreach/meetings/{meeting_id}/cancel",
    response={200: GroupMeetingOut, **REFUSALS},
    summary="Cancel a planned meeting with a reason",
)
def cancel_meeting(request, meeting_id: str, payload: GroupReasonIn):
    meeting = meeting_for_user(request.auth, meeting_id)
    return services.meeting_cancel(actor=request.auth, meeting=meeting, reason=payload.reason)


# ---------------------------------------------------------------- action items


@router.get(
    "/outreach/groups/{group_id}/actions",
    response={200: list[ActionItemOut], 403: Error, 404: Error},
    summary="The group's action items, by due date",
)
def list_actions(request, group_id: str, filters: Query[ActionItemFilters]):
    group = _insider_group(request.auth, group_id)
    actions = group.actions.select_related("owner", "meeting")
    if filters.overdue:
        actions = selectors.overdue_actions(actions)
    return list(actions.order_by("due_on", "pk")[:1000])


@router.post(
    "/outreach/groups/{group_id}/actions",
    response={201: ActionItemOut, **REFUSALS},
    summary="Give a member an action item",
)
def add_action(request, group_id: str, payload: ActionItemIn):
    group = group_for_user(request.auth, group_id)
    owner = group.members.filter(pk=payload.owner).first()
    if owner is None:
        raise HamiError(Code.NOT_MEMBER, _("The owner is an active member of the group."), field="owner")
    meeting = None
    if payload.meeting is not None:
        meeting = Meeting.objects.filter(public_id=payload.meeting, group=group).first()
        if meeting is None:
            raise HamiError(Code.INVALID, _("No meeting of this group has this identifier."), field="meeting")
    action = services.action_add(
        actor=request.auth,
        group=group,
        title=payload.title,
        owner=owner,
        due_on=payload.due_on,
        meeting=meeting,
    )
    return Status(201, action)


@router.post(
    "/outreach/groups/{group_id}/actions/{action_id}",
    response={200: ActionItemOut, **REFUSALS},
    summary="Move an action item (its owner, the chair or the office)",
)
def update_action(
    request,
    group_id: str,
    action_id: Annotated[int, Path(ge=1, le=services.MAX_ID)],
    payload: ActionItemUpdateIn,
):
    group = _insider_group(request.auth, group_id)
    action = group.actions.filter(pk=action_id).first()
    if action is None:
        raise Http404(_("No such action item in this group."))
    return services.action_update(actor=request.auth, action=action, state=payload.state, note=payload.note)


# ---------------------------------------------------------------- proposals


@router.get(
    "/outreach/groups/{group_id}/proposals",
    response={200: list[ProposalOut], 403: Error, 404: Error},
    summary="The group's proposals, latest first",
)
def list_proposals(request, group_id: str):
    group = _insider_group(request.auth, group_id)
    proposals = group.proposals.select_related("group", "submitted_by")
    return list(proposals.order_by("-created_at", "pk")[:500])


@router.post(
    "/outreach/groups/{group_id}/proposals",
    response={201: ProposalDetailOut, **REFUSALS},
    summary="Submit a proposal (a member or the office)",
)
def submit_proposal(request, group_id: str, payload: ProposalIn):
    group = group_for_user(request.auth, group_id)
    standard = None
    if payload.standard is not None:
        standard = Standard.objects.filter(pk=payload.standard).first()
        if standard is None:
            raise HamiError(Code.INVALID, _("No standard has this identifier."), field="standard")
    proposal = services.proposal_submit(
        actor=request.auth,
        group=group,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        standard=standard,
    )
    return Status(201, proposal)


@router.get(
    "/outreach/proposals/{proposal_id}",
    response={200: ProposalDetailOut, 404: Error},
    summary="One proposal with its history",
)
def get_proposal(request, proposal_id: str):
    return proposal_for_user(request.auth, proposal_id)


@router.post(
    "/outreach/proposals/{proposal_id}/move",
    response={200: ProposalDetailOut, **REFUSALS},
    summary="Move a proposal (the office): under review, accepted or rejected, implemented",
)
def move_proposal(request, proposal_id: str, payload: ProposalMoveIn):
    proposal = proposal_for_user(request.auth, proposal_id)
    return services.proposal_move(
        actor=request.auth, proposal=proposal, state=payload.state, note=payload.note
    )
