"""Pages of findings and corrective actions (issue 6, point 5): the office's findings list, a finding's
page with its evidence and action history (and the form for whoever acts next), and a unit's page of its
findings and corrective actions with what to do next, and its announced visits. Thin: parse, reach objects
through access.py, call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hami.core.errors import Forbidden, HamiError
from hami.core.forms import errors_to_messages
from hami.core.jalali import format_date
from hami.registry.access import unit_for_user
from hami.supervision.access import (
    action_for_user,
    finding_for_user,
    findings_for_user,
    inspections_for_user,
    is_office,
    is_unit_rep_of,
    may_assess,
    may_carry_out,
)
from hami.supervision.forms_inspections import (
    AcceptForm,
    EvidenceForm,
    NoteForm,
    ProposeForm,
    ReasonForm,
    ReopenForm,
    SubmitForm,
    VerifyForm,
)
from hami.supervision.models import (
    LIVE_ACTION_STATES,
    ActionState,
    CorrectiveAction,
    Evidence,
    Finding,
    FindingSeverity,
    FindingState,
    InspectionState,
)
from hami.supervision.selectors import current_policy
from hami.supervision.services import actions as services
from hami.supervision.services.inspections import evidence_add, finding_withdraw

CLOSED_SHOWN = 30  # the unit's page lists its open findings and this many closed ones


def run(service, **kwargs):
    """Call one service: its result and None, or None and the refusal to show (Forbidden is a 403)."""
    try:
        return service(**kwargs), None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except HamiError as exc:
        return None, exc


def _back(finding: Finding, anchor: str = ""):
    url = reverse("supervision:finding_detail", args=[finding.public_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def next_step(finding: Finding, action: CorrectiveAction | None, *, for_unit: bool, policy=None) -> str:
    """What happens next with a finding, said to the unit or to the office (`policy`: the instruction,
    read once by the caller of a list)."""
    today = timezone.localdate()
    if finding.state == FindingState.CORRECTED:
        return _("Corrected: nothing more to do.")
    if finding.state == FindingState.WITHDRAWN:
        return _("Withdrawn: nothing more to do.")
    if action is None or action.state in (ActionState.RETURNED, ActionState.VERIFIED):
        if for_unit:
            deadline = format_date(services.action_deadline(finding, policy))
            if action is not None and action.state == ActionState.RETURNED:
                return _(
                    "The office asked again: {note} Propose a new action, to be done by {date} at the latest."
                ).format(note=action.office_note, date=deadline)
            return _("Propose a corrective action, to be done by {date} at the latest.").format(date=deadline)
        return _("Waiting for the unit to propose a corrective action.")
    due = format_date(action.due_on)
    if action.state == ActionState.PROPOSED:
        if for_unit:
            return _("Waiting for the office to accept your proposal.")
        return _("Accept the proposal, perhaps with another date, or ask again.")
    if action.state in (ActionState.ACCEPTED, ActionState.REOPENED):
        if action.due_on < today:
            if for_unit:
                return _("Overdue since {date}: send the evidence of what was done now.").format(date=due)
            return _("Overdue since {date}: the unit has not sent its evidence.").format(date=due)
        if for_unit:
            if action.state == ActionState.REOPENED:
                return _("The office reopened it: {note} Send more evidence by {date}.").format(
                    note=action.office_note, date=due
                )
            return _("Carry out the action by {date}, then send the evidence.").format(date=due)
        return _("Waiting for the unit's evidence, due {date}.").format(date=due)
    if for_unit:
        return _("Waiting for the office to verify your evidence.")
    return _("Verify the evidence, or reopen the action with a note and a new date.")


def _live(actions: list[CorrectiveAction]) -> CorrectiveAction | None:
    """The action under way, else the newest one (for a returned proposal's note)."""
    for action in actions:
        if action.state in LIVE_ACTION_STATES:
            return action
    return actions[0] if actions else None


# ---------------------------------------------------------------- the office's findings


@login_required
def finding_list(request):
    """The province's findings: open ones first by default; `waiting` keeps those where the office acts
    next (a proposal to accept, evidence to verify), `overdue` those past their date."""
    user = request.user
    if not may_assess(user):
        raise PermissionDenied
    findings = findings_for_user(user).select_related("unit", "inspection", "item")
    state = request.GET.get("state", "open")
    if state in FindingState.values:
        findings = findings.filter(state=state)
    severity = request.GET.get("severity", "")
    if severity in FindingSeverity.values:
        findings = findings.filter(severity=severity)
    show = request.GET.get("show", "")
    if show == "waiting":
        waiting = CorrectiveAction.objects.filter(
            finding=OuterRef("pk"), state__in=[ActionState.PROPOSED, ActionState.SUBMITTED]
        )
        findings = findings.filter(Exists(waiting))
    elif show == "overdue":
        findings = findings.filter(Exists(services.actions_overdue().filter(finding=OuterRef("pk"))))
    findings = findings.prefetch_related(
        Prefetch("actions", queryset=CorrectiveAction.objects.order_by("-created_at", "-pk"))
    ).order_by("-created_at", "-pk")
    page = Paginator(findings, 40).get_page(request.GET.get("page"))
    rows = [(f, _live(list(f.actions.all()))) for f in page]
    rows = [(f, a, next_step(f, a, for_unit=False)) for f, a in rows]
    context = {
        "page": page,
        "rows": rows,
        "state": state,
        "severity": severity,
        "show": show,
        "states": FindingState.choices,
        "severities": FindingSeverity.choices,
    }
    return render(request, "supervision/inspections/finding_list.html", context)


# ---------------------------------------------------------------- a finding


@login_required
def finding_detail(request, public_id):
    user = request.user
    finding = finding_for_user(user, public_id)
    actions = list(
        finding.actions.select_related("proposed_by", "decided_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk")))
        .order_by("-created_at", "-pk")
    )
    action = _live(actions)
    unit_side = is_unit_rep_of(user, finding.unit_id)
    office = is_office(user, finding.province_id)
    live = action if action is not None and action.state in LIVE_ACTION_STATES else None
    context = {
        "finding": finding,
        "inspection": finding.inspection,
        "evidence": list(finding.evidence.order_by("created_at", "pk")),
        "actions": actions,
        "live": live,
        "unit_side": unit_side,
        "office": office,
        "next_step": next_step(finding, action, for_unit=unit_side),
        "deadline": services.action_deadline(finding) if finding.state == FindingState.OPEN else None,
        "may_propose": unit_side and finding.state == FindingState.OPEN and live is None,
        "may_submit": unit_side
        and live is not None
        and live.state in (ActionState.ACCEPTED, ActionState.REOPENED),
        "may_decide": office
        and live is not None
        and live.state in (ActionState.PROPOSED, ActionState.SUBMITTED),
        "may_add_evidence": finding.state == FindingState.OPEN
        and (office or (may_carry_out(user, finding.inspection) and finding.inspection.state != "planned")),
        "may_withdraw": finding.state == FindingState.OPEN
        and (
            office or (may_carry_out(user, finding.inspection) and finding.inspection.state == "in_progress")
        ),
        "propose_form": ProposeForm(),
        "submit_form": SubmitForm(),
        "accept_form": AcceptForm(),
        "return_form": NoteForm(),
        "verify_form": VerifyForm(),
        "reopen_form": ReopenForm(),
        "evidence_form": EvidenceForm(),
        "withdraw_form": ReasonForm(),
        "overdue": live is not None
        and live.state in (ActionState.ACCEPTED, ActionState.REOPENED)
        and live.due_on < timezone.localdate(),
    }
    return render(request, "supervision/inspections/finding_detail.html", context)


@login_required
def evidence_file(request, public_id, pk):
    """A finding's photo or file, or one of its corrective actions': to whoever sees the finding."""
    finding = finding_for_user(request.user, public_id)
    evidence = Evidence.objects.filter(Q(finding=finding) | Q(action__finding=finding), pk=pk).first()
    if evidence is None:
        raise Http404(_("No such file."))
    disposition = evidence.content_type == "application/pdf"
    return FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=disposition,
        filename=evidence.name,
    )


@login_required
@require_POST
def finding_evidence_add(request, public_id):
    finding = finding_for_user(request.user, public_id)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        errors_to_messages(request, form)
    else:
        _evidence, error = run(
            evidence_add, actor=request.user, finding=finding, file=form.cleaned_data["file"]
        )
        if error is not None:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The file is added."))
    return _back(finding, "evidence")


@login_required
@require_POST
def finding_withdraw_view(request, public_id):
    finding = finding_for_user(request.user, public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        errors_to_messages(request, form)
        return _back(finding)
    _result, error = run(
        finding_withdraw, actor=request.user, finding=finding, reason=form.cleaned_data["reason"]
    )
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The finding is withdrawn."))
    return _back(finding)


# ---------------------------------------------------------------- corrective actions


@login_required
@require_POST
def action_propose(request, public_id):
    finding = finding_for_user(request.user, public_id)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        errors_to_messages(request, form)
        return _back(finding, "next")
    data = form.cleaned_data
    action, error = run(
        services.action_propose, actor=request.user, finding=finding, text=data["text"], due_on=data["due_on"]
    )
    if error is not None:
        messages.error(request, error.message)
        return _back(finding, "next")
    messages.success(request, _("Your corrective action is sent to the office."))
    return _back(finding, f"action-{action.public_id}")


STEPS = {
    # step: (form, service, the form's fields passed on, the message when done)
    "accept": (AcceptForm, services.action_accept, ("due_on", "note")),
    "return": (NoteForm, services.action_return, ("note",)),
    "submit": (SubmitForm, services.action_submit, ("evidence_note", "files")),
    "verify": (VerifyForm, services.action_verify, ("note",)),
    "reopen": (ReopenForm, services.action_reopen, ("note", "due_on")),
}


def _done_message(step: str) -> str:
    return {
        "accept": _("The corrective action is accepted; the unit is told."),
        "return": _("The unit is asked for another action."),
        "submit": _("Your evidence is sent to the office."),
        "verify": _("The corrective action is verified; the finding is corrected."),
        "reopen": _("The corrective action is reopened; the unit is told."),
    }[step]


@login_required
@require_POST
def action_step(request, public_id, step):
    if step not in STEPS:
        raise Http404(_("No such step."))
    action = action_for_user(request.user, public_id)
    form_class, service, fields = STEPS[step]
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        errors_to_messages(request, form)
        return _back(action.finding, f"action-{action.public_id}")
    kwargs = {name: form.cleaned_data[name] for name in fields}
    _result, error = run(service, actor=request.user, action=action, **kwargs)
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, _done_message(step))
    return _back(action.finding, f"action-{action.public_id}")


# ---------------------------------------------------------------- the unit's page


@login_required
def unit_findings(request, public_id):
    """A unit's findings and corrective actions with what to do next, and its upcoming visits (a unit
    never sees an unannounced visit before it happens, nor a visit of an unpublished plan)."""
    user = request.user
    unit = unit_for_user(user, public_id)
    findings = (
        findings_for_user(user)
        .filter(unit=unit)
        .select_related("inspection", "item")
        .prefetch_related(
            Prefetch("actions", queryset=CorrectiveAction.objects.order_by("-created_at", "-pk"))
        )
    )
    open_findings = list(findings.filter(state=FindingState.OPEN).order_by("created_at", "pk"))
    closed = list(findings.exclude(state=FindingState.OPEN).order_by("-closed_at", "-pk")[:CLOSED_SHOWN])
    for_unit = is_unit_rep_of(user, unit.pk)
    today = timezone.localdate()
    policy = current_policy()

    def rows(group):
        result = []
        for finding in group:
            action = _live(list(finding.actions.all()))
            overdue = (
                action is not None
                and action.state in (ActionState.ACCEPTED, ActionState.REOPENED)
                and action.due_on < today
            )
            result.append({"finding": finding, "action": action, "overdue": overdue,
                           "next": next_step(finding, action, for_unit=for_unit, policy=policy)})  # fmt: skip
        return result

    visits = inspections_for_user(user).filter(unit=unit)
    upcoming = visits.filter(state=InspectionState.PLANNED, scheduled_on__gte=today).order_by("scheduled_on")
    recent = visits.filter(state=InspectionState.DONE).order_by("-finished_at")[:10]
    context = {
        "unit": unit,
        "open_rows": rows(open_findings),
        "closed_rows": rows(closed),
        "upcoming": list(upcoming),
        "recent": list(recent),
        "for_unit": for_unit,
        "staff": may_assess(user, unit.province_id),
        "office": is_office(user, unit.province_id),
    }
    return render(request, "supervision/inspections/unit_findings.html", context)


urlpatterns = [
    path("findings/", finding_list, name="finding_list"),
    path("findings/<uuid:public_id>/", finding_detail, name="finding_detail"),
    path("findings/<uuid:public_id>/evidence/", finding_evidence_add, name="finding_evidence_add"),
    path("findings/<uuid:public_id>/evidence/<int:pk>/", evidence_file, name="finding_evidence_file"),
    path("findings/<uuid:public_id>/withdraw/", finding_withdraw_view, name="finding_withdraw"),
    path("findings/<uuid:public_id>/actions/", action_propose, name="action_propose"),
    path("actions/<uuid:public_id>/<slug:step>/", action_step, name="action_step"),
    path("units/<uuid:public_id>/findings/", unit_findings, name="unit_findings"),
]
