"""Working-group pages: the list of groups (mine first), a group's page (what an outsider sees is its
name, sector, purpose and size; members, meetings, actions and proposals are for insiders), a new
group, a meeting (agenda, minutes, attendees) and a proposal (its history and the office's moves).
Writes are POSTs to one endpoint per object that call one service each and come back to the page."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.calendar import local_days
from hami.core.errors import Forbidden, HamiError
from hami.core.forms import errors_to_messages
from hami.core.jalali import format_time, in_persian
from hami.core.models import Role
from hami.core.month import month_bounds, month_grid, parse_month
from hami.labs.models import Lab, LabStatus
from hami.outreach import selectors
from hami.outreach.access import (
    can_manage,
    group_for_user,
    groups_for_user,
    is_group_insider,
    meeting_for_user,
    meetings_for_user,
    member_filter,
    proposal_for_user,
)
from hami.outreach.forms_groups import (
    ActionForm,
    ActionUpdateForm,
    GroupFilterForm,
    GroupForm,
    MeetingForm,
    MemberAddForm,
    MemberRemoveForm,
    MemberRoleForm,
    MinutesForm,
    ProposalForm,
    ProposalMoveForm,
    ReasonForm,
)
from hami.outreach.models import (
    ActionItem,
    ActionState,
    GroupStatus,
    MeetingStatus,
    Member,
    MemberRole,
    ProposalState,
)
from hami.outreach.services import groups as services

ROLE_ORDER = Case(
    When(role=MemberRole.CHAIR, then=Value(0)),
    When(role=MemberRole.SECRETARY, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _my_members(user, group) -> dict[int, str]:
    """The group's active members that stand for the user, id → role (one query)."""
    return dict(group.members.filter(member_filter(user), is_active=True).values_list("pk", "role"))


def _roles(user, group) -> dict:
    mine = _my_members(user, group)
    roles = set(mine.values())
    office = can_manage(user, group.province_id)
    return {
        "mine": mine,
        "office": office,
        "member": bool(mine),
        "may_members": office or MemberRole.CHAIR in roles,
        "may_meetings": office or bool(roles & {MemberRole.CHAIR, MemberRole.SECRETARY}),
    }


def _filter_by_isic(groups, isic: str):
    """A sector matches its groups, those of its classes (10 → 1050) and its division's (1050 → 10)."""
    if not isic:
        return groups
    condition = Q(isic__startswith=isic)
    if len(isic) == 4:
        condition |= Q(isic=isic[:2])
    return groups.filter(condition)


@login_required
def group_list(request):
    user = request.user
    form = GroupFilterForm(request.GET or None)
    mine = Exists(Member.objects.filter(group=OuterRef("pk"), is_active=True).filter(member_filter(user)))
    groups = groups_for_user(user).annotate(
        mine=mine, member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
    )
    if form.is_valid():
        data = form.cleaned_data
        groups = _filter_by_isic(groups, data["isic"])
        if data["province"]:
            groups = groups.filter(province=data["province"])
        if data["mine"]:
            groups = groups.filter(mine=True)
    groups = groups.order_by("-mine", "status", "name_fa", "pk")  # my groups first, then active, by name
    page = Paginator(groups, 30).get_page(request.GET.get("page"))
    managed = selectors.managed_groups(user)
    overdue = (
        list(selectors.overdue_actions(ActionItem.objects.filter(group__in=managed))[:50])
        if user.is_national or user.role == Role.OFFICE_STAFF
        else []
    )
    context = {
        "form": form,
        "page": page,
        "overdue": overdue,
        "office": user.is_national or user.role == Role.OFFICE_STAFF,
        "today": timezone.localdate(),
    }
    return render(request, "outreach/groups/group_list.html", context)


@login_required
def group_calendar(request):
    """The month's meetings of the user's groups (an office: its province's), on a Jalali month grid."""
    user = request.user
    today = timezone.localdate()
    jalali = in_persian()
    year, month = parse_month(request.GET.get("month"), today, jalali=jalali)
    start, end = local_days(*month_bounds(year, month, jalali=jalali))
    meetings = list(
        meetings_for_user(user).filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "pk")
    )
    by_day = defaultdict(list)
    css = {
        MeetingStatus.PLANNED: "primary",
        MeetingStatus.HELD: "success",
        MeetingStatus.CANCELLED: "secondary",
    }
    for meeting in meetings:
        meeting.title = meeting.group.name
        meeting.url = reverse("outreach:meeting_detail", args=[meeting.public_id])
        meeting.time = format_time(meeting.starts_at)
        meeting.css = css[meeting.status]
        by_day[timezone.localdate(meeting.starts_at)].append(meeting)
    context = {
        "month": month_grid(year, month, by_day, today=today, jalali=jalali),
        "month_url": reverse("outreach:group_calendar"),
        "month_query": "",
        "meetings": meetings,
    }
    return render(request, "outreach/groups/group_calendar.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_new(request):
    user = request.user
    if not (user.is_national or user.role == Role.OFFICE_STAFF):
        raise PermissionDenied
    form = GroupForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_save(actor=user, **form.cleaned_data)
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The working group is set up; add its members."))
            return redirect("outreach:group_detail", public_id=group.public_id)
    return render(request, "outreach/groups/group_new.html", {"form": form})


@login_required
def group_detail(request, public_id):
    user = request.user
    group = group_for_user(user, public_id)
    insider = is_group_insider(user, group)
    roles = _roles(user, group)
    member_count = group.members.filter(is_active=True).count()
    context = {"group": group, "insider": insider, "member_count": member_count, **roles}
    if insider:
        now, today = timezone.now(), timezone.localdate()
        members = list(
            group.members.select_related("unit", "lab", "user")
            .annotate(rank=ROLE_ORDER)
            .order_by("-is_active", "rank", "display_name", "pk")
        )
        meetings = list(group.meetings.all().order_by("starts_at"))
        actions = list(
            group.actions.select_related("owner", "meeting").order_by(
                Case(When(state__in=selectors.ACTION_LIVE, then=Value(0)), default=Value(1)), "due_on", "pk"
            )
        )
        for action in actions:
            action.overdue = action.due_on < today and action.state in selectors.ACTION_LIVE
            action.may_update = action.state in selectors.ACTION_LIVE and (
                roles["may_meetings"] or action.owner_id in roles["mine"]
            )
            action.next_states = [
                (s, ActionState(s).label)
                for s in ActionState.values
                if s in services.ACTION_MOVES[action.state]
                and (s != ActionState.DROPPED or roles["may_meetings"])
            ]
        context.update(
            {
                "members": [m for m in members if m.is_active],
                "former_members": [m for m in members if not m.is_active],
                "upcoming": [m for m in meetings if m.status == MeetingStatus.PLANNED and m.starts_at >= now],
                "awaiting_minutes": [
                    m for m in meetings if m.status == MeetingStatus.PLANNED and m.starts_at < now
                ],
                "past": [m for m in reversed(meetings) if m.status != MeetingStatus.PLANNED][:20],
                "actions": actions,
                "overdue_count": sum(1 for a in actions if a.overdue),
                "proposals": list(group.proposals.select_related("submitted_by").order_by("-created_at")),
                "may_propose": group.status == GroupStatus.ACTIVE and (roles["office"] or roles["member"]),
                "active": group.status == GroupStatus.ACTIVE,
                "roles_choices": MemberRole.choices,
            }
        )
        if group.status == GroupStatus.ACTIVE:
            if roles["may_members"]:
                context["member_form"] = MemberAddForm()
                context["labs"] = _lab_choices(group)
            if roles["may_meetings"]:
                context["meeting_form"] = MeetingForm()
                context["action_form"] = ActionForm(group=group)
            if context["may_propose"]:
                context["proposal_form"] = ProposalForm()
            if roles["office"]:
                context["edit_form"] = GroupForm(
                    user=user,
                    initial={"name_fa": group.name_fa, "name_en": group.name_en, "isic": group.isic,
                             "province": group.province_id, "purpose": group.purpose},
                )  # fmt: skip
                context["close_form"] = ReasonForm()
                context["suggested_units"] = list(selectors.suggested_units(group))
                context["suggested_labs"] = list(selectors.suggested_labs(group))
    return render(request, "outreach/groups/group_detail.html", context)


def _lab_choices(group):
    """Approved labs a group may take, for the member form's list (a provincial group: its province's)."""
    labs = Lab.objects.filter(status=LabStatus.APPROVED).order_by("name_fa", "pk")
    if group.province_id:
        labs = labs.filter(province_id=group.province_id)
    return labs.values("public_id", "name_fa")[:500]


def _member_of(group, pk) -> Member:
    member = group.members.filter(pk=pk).first()
    if member is None:
        raise Http404(_("No such member of this group."))
    return member


@login_required
@require_POST
def group_act(request, public_id, action):
    """One POST endpoint for a group's writes; each action calls one service."""
    user = request.user
    group = group_for_user(user, public_id)
    back = redirect("outreach:group_detail", public_id=group.public_id)
    handlers = {
        "save": (lambda: GroupForm(request.POST, user=user), _save),
        "close": (lambda: ReasonForm(request.POST), _close),
        "member-add": (lambda: MemberAddForm(request.POST), _member_add),
        "member-role": (lambda: MemberRoleForm(request.POST), _member_role),
        "member-remove": (lambda: MemberRemoveForm(request.POST), _member_remove),
        "meeting": (lambda: MeetingForm(request.POST), _meeting),
        "action-add": (lambda: ActionForm(request.POST, group=group), _action_add),
        "action-update": (lambda: ActionUpdateForm(request.POST), _action_update),
        "proposal": (lambda: ProposalForm(request.POST), _proposal),
    }
    if action not in handlers:
        raise Http404(_("No such action."))
    make_form, handle = handlers[action]
    form = make_form()
    if not form.is_valid():
        errors_to_messages(request, form)
        return back
    try:
        target = handle(user, group, form)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except HamiError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, _("Done."))
    return target or back


def _save(user, group, form):
    services.group_save(actor=user, group=group, **form.cleaned_data)


def _close(user, group, form):
    services.group_close(actor=user, group=group, reason=form.cleaned_data["reason"])


def _member_add(user, group, form):
    services.member_add(actor=user, group=group, **form.member_fields())


def _member_role(user, group, form):
    member = _member_of(group, form.cleaned_data["member"])
    services.member_set_role(actor=user, member=member, role=form.cleaned_data["role"])


def _member_remove(user, group, form):
    member = _member_of(group, form.cleaned_data["member"])
    services.member_remove(actor=user, member=member, reason=form.cleaned_data["reason"])


def _meeting(user, group, form):
    meeting = services.meeting_schedule(actor=user, group=group, **form.meeting_fields())
    return redirect("outreach:meeting_detail", public_id=meeting.public_id)


def _action_add(user, group, form):
    services.action_add(actor=user, group=group, **form.action_fields())


def _action_update(user, group, form):
    action = group.actions.filter(pk=form.cleaned_data["action"]).first()
    if action is None:
        raise Http404(_("No such action item in this group."))
    services.action_update(
        actor=user, action=action, state=form.cleaned_data["state"], note=form.cleaned_data["note"]
    )


def _proposal(user, group, form):
    proposal = services.proposal_submit(actor=user, group=group, **form.cleaned_data)
    return redirect("outreach:proposal_detail", public_id=proposal.public_id)


@login_required
def meeting_detail(request, public_id):
    user = request.user
    meeting = meeting_for_user(user, public_id)  # 404 for anyone outside the group
    group = meeting.group
    roles = _roles(user, group)
    started = meeting.starts_at <= timezone.now()
    runner = roles["may_meetings"]
    context = {
        "meeting": meeting,
        "group": group,
        "attendees": list(meeting.attendees.order_by("display_name")),
        "actions": list(meeting.actions.select_related("owner").order_by("due_on", "pk")),
        "may_record": runner and meeting.status == MeetingStatus.PLANNED and started,
        "may_cancel": runner and meeting.status == MeetingStatus.PLANNED,
        "started": started,
        "cancel_reason": meeting.cancel_reason,
        "today": timezone.localdate(),
    }
    if context["may_record"]:
        members = (
            group.members.filter(is_active=True).annotate(rank=ROLE_ORDER).order_by("rank", "display_name")
        )
        context["minutes_form"] = MinutesForm(members=members)
    if context["may_cancel"]:
        context["cancel_form"] = ReasonForm()
    return render(request, "outreach/groups/meeting_detail.html", context)


@login_required
@require_POST
def meeting_act(request, public_id, action):
    user = request.user
    meeting = meeting_for_user(user, public_id)
    back = redirect("outreach:meeting_detail", public_id=meeting.public_id)
    if action == "record":
        form = MinutesForm(request.POST, members=meeting.group.members.filter(is_active=True))
    elif action == "cancel":
        form = ReasonForm(request.POST)
    else:
        raise Http404(_("No such action."))
    if not form.is_valid():
        errors_to_messages(request, form)
        return back
    try:
        if action == "record":
            services.meeting_record(
                actor=user,
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                attendees=form.cleaned_data["attendees"],
            )
        else:
            services.meeting_cancel(actor=user, meeting=meeting, reason=form.cleaned_data["reason"])
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return back


@login_required
def proposal_detail(request, public_id):
    user = request.user
    proposal = proposal_for_user(user, public_id)  # 404 for anyone outside the group
    office = can_manage(user, proposal.group.province_id)
    next_states = [
        (s, ProposalState(s).label)
        for s in ProposalState.values
        if s in services.PROPOSAL_MOVES[proposal.state]
    ]
    context = {
        "proposal": proposal,
        "group": proposal.group,
        "steps": list(proposal.steps.select_related("actor")),
        "office": office,
        "next_states": next_states,
        "needs_note": [s for s, _label in next_states if s in services.PROPOSAL_NEEDS_NOTE],
        "table": [
            (ProposalState(s).label, [ProposalState(t).label for t in ProposalState.values if t in targets])
            for s, targets in services.PROPOSAL_MOVES.items()
        ],
        "move_form": ProposalMoveForm() if office and next_states else None,
    }
    return render(request, "outreach/groups/proposal_detail.html", context)


@login_required
@require_POST
def proposal_move(request, public_id):
    user = request.user
    proposal = proposal_for_user(user, public_id)
    form = ProposalMoveForm(request.POST)
    if not form.is_valid():
        errors_to_messages(request, form)
    else:
        try:
            services.proposal_move(actor=user, proposal=proposal, **form.cleaned_data)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except HamiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Done."))
    return redirect("outreach:proposal_detail", public_id=proposal.public_id)


urlpatterns = [
    path("groups/", group_list, name="group_list"),
    path("groups/new/", group_new, name="group_new"),
    path("groups/calendar/", group_calendar, name="group_calendar"),
    path("groups/<uuid:public_id>/", group_detail, name="group_detail"),
    path("groups/<uuid:public_id>/<slug:action>/", group_act, name="group_act"),
    path("groups/meetings/<uuid:public_id>/", meeting_detail, name="meeting_detail"),
    path("groups/meetings/<uuid:public_id>/<slug:action>/", meeting_act, name="meeting_act"),
    path("groups/proposals/<uuid:public_id>/", proposal_detail, name="proposal_detail"),
    path("groups/proposals/<uuid:public_id>/move/", proposal_move, name="proposal_move"),
]
