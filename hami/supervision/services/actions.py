"""Corrective actions (issue 6, point 5): for each open finding of a finished visit the unit proposes
what it will do and by when, within the instruction's days for the finding's severity; the office accepts
(perhaps with a later date) or asks again; the unit carries it out and submits its evidence; the office
verifies (the finding is corrected) or reopens with a new date. Each step tells the other side. The
ladder's periodic run escalates the overdue ones (`actions_overdue`).

    PROPOSED ──accept──▶ ACCEPTED ──submit──▶ SUBMITTED ──verify──▶ VERIFIED (finding corrected)
       │                    ▲                    │
       └─return──▶ RETURNED └──── REOPENED ◀─reopen (note, new date); REOPENED ──submit──▶ SUBMITTED
    (final; the unit proposes anew)

One live action (proposed, accepted, submitted, reopened) a finding: a database constraint, and the
finding's row locked first (then the action's) by every step, so two people acting at once queue.
"""

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_date
from hami.core.models import EventType, User
from hami.supervision.access import is_office, is_unit_rep_of
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import (
    LIVE_ACTION_STATES,
    ActionState,
    CorrectiveAction,
    Finding,
    FindingSeverity,
    FindingState,
    InspectionState,
)
from hami.supervision.policy import Policy
from hami.supervision.selectors import current_policy
from hami.supervision.services.inspections import (
    finding_link,
    notify_after_commit,
    office_staff,
    store_evidence,
    unit_reps,
)
from hami.supervision.services.text import clean_text

# Which state each step starts from, and where it leads (docs/supervision.md draws the same table).
TRANSITIONS = {
    "accept": ([ActionState.PROPOSED], ActionState.ACCEPTED),
    "return": ([ActionState.PROPOSED], ActionState.RETURNED),
    "submit": ([ActionState.ACCEPTED, ActionState.REOPENED], ActionState.SUBMITTED),
    "verify": ([ActionState.SUBMITTED], ActionState.VERIFIED),
    "reopen": ([ActionState.SUBMITTED], ActionState.REOPENED),
}


def action_deadline(finding: Finding, policy: Policy | None = None) -> dt.date:
    """The latest date a unit may propose on its own: the finding's day plus the instruction's days for
    its severity; today when that day has passed (the proposal is late, the office judges it)."""
    policy = policy or current_policy()
    days = int(policy["action_days"][finding.severity])
    latest = timezone.localdate(finding.created_at) + dt.timedelta(days=days)
    return max(latest, timezone.localdate())


def actions_overdue(*, today: dt.date | None = None) -> QuerySet[CorrectiveAction]:
    """Accepted or reopened actions of open findings whose date has passed (escalated or not)."""
    today = today or timezone.localdate()
    return CorrectiveAction.objects.filter(
        state__in=[ActionState.ACCEPTED, ActionState.REOPENED],
        due_on__lt=today,
        finding__state=FindingState.OPEN,
    )


def _due(value, field: str = "due_on") -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise HamiError(Code.INVALID, _("Give the date the action will be done by."), field=field)
    if value < timezone.localdate():
        raise HamiError(Code.DUE_IN_PAST, _("The date is today or a later day."), field=field)
    return value


def _lock(action: CorrectiveAction) -> CorrectiveAction:
    """Lock the finding's row, then the action's: the order every step of this module keeps."""
    Finding.objects.select_for_update(of=("self",)).filter(pk=action.finding_id).first()
    return (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("finding", "unit", "province")
        .get(pk=action.pk)
    )


def _require_state(action: CorrectiveAction, step: str) -> None:
    sources, _target = TRANSITIONS[step]
    if action.state not in sources:
        raise HamiError(
            Code.WRONG_STATE,
            _("This corrective action is {state}; that step is not open now.").format(
                state=action.get_state_display()
            ),
        )


def _office_only(actor: User, action: CorrectiveAction) -> None:
    if not is_office(actor, action.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the province decides on corrective actions."))


def _unit_only(actor: User, unit_id: int) -> None:
    if not is_unit_rep_of(actor, unit_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the unit's representatives act on its corrective actions."))


def _audit(actor: User, action: CorrectiveAction, step: str, *, reason: str = "", **details) -> None:
    audit(
        actor=actor,
        event_type=EventType.ACTION_MOVED,
        obj=action,
        province=action.province,
        reason=reason,
        details={
            "public_id": str(action.public_id),
            "finding": str(action.finding.public_id),
            "step": step,
            "to": action.state,
            "due_on": action.due_on,
            **details,
        },
    )


def _tell_unit(action: CorrectiveAction, actor: User, subject: str, body: str) -> None:
    notify_after_commit(
        unit_reps(action.unit_id),
        lambda: (_(subject), _(body).format(**_words(action))),
        link=_link(action),
        skip=actor,
    )


def _tell_office(action: CorrectiveAction, actor: User, subject: str, body: str) -> None:
    notify_after_commit(
        office_staff(action.province_id),
        lambda: (_(subject), _(body).format(**_words(action))),
        link=_link(action),
        skip=actor,
    )


def _words(action: CorrectiveAction) -> dict:
    """The placeholders the notices use, in the language active when they are sent."""
    return {
        "unit": action.unit.name,
        "date": format_date(action.due_on),
        "finding": action.finding.text[:120],
        "note": action.office_note,
    }


def _link(action: CorrectiveAction) -> str:
    return f"{finding_link(action.finding)}#action-{action.public_id}"


# The notices' texts: marked for translation here, translated when sent (see _tell_*).
PROPOSED_SUBJECT = gettext_noop("{unit} proposed a corrective action")
PROPOSED_BODY = gettext_noop("For the finding “{finding}”, {unit} proposes an action to be done by {date}.")
ACCEPTED_SUBJECT = gettext_noop("Your corrective action is accepted")
ACCEPTED_BODY = gettext_noop(
    "The office accepted your action for the finding “{finding}”. Carry it out by {date}, then send the "
    "evidence of what was done."
)
RETURNED_SUBJECT = gettext_noop("The office asks for another corrective action")
RETURNED_BODY = gettext_noop(
    "For the finding “{finding}” the office asks again: {note}. Propose a new action."
)
SUBMITTED_SUBJECT = gettext_noop("{unit} sent the evidence of a corrective action")
SUBMITTED_BODY = gettext_noop("{unit} says the action for the finding “{finding}” is done; verify it.")
VERIFIED_SUBJECT = gettext_noop("Your corrective action is verified")
VERIFIED_BODY = gettext_noop("The office verified your action: the finding “{finding}” is corrected.")
REOPENED_SUBJECT = gettext_noop("Your corrective action is reopened")
REOPENED_BODY = gettext_noop(
    "The evidence for the finding “{finding}” did not satisfy the office: {note}. Send more by {date}."
)


@transaction.atomic
def action_propose(*, actor: User, finding: Finding, text: str, due_on: dt.date) -> CorrectiveAction:
    """The unit proposes an action and its date for an open finding of a finished visit; the date falls
    within the instruction's days for the severity (the office may later accept a later one). Raises
    Forbidden, HamiError(WRONG_STATE, FINDING_CLOSED, LIVE_ACTION, INVALID, DUE_IN_PAST, DUE_TOO_LATE)."""
    _unit_only(actor, finding.unit_id)
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("inspection", "unit", "province")
        .get(pk=finding.pk)
    )
    if finding.inspection.state != InspectionState.DONE:
        raise HamiError(Code.WRONG_STATE, _("The visit is not finished yet."))
    if finding.state != FindingState.OPEN:
        raise HamiError(
            Code.FINDING_CLOSED,
            _("This finding is {state}; it needs no action.").format(state=finding.get_state_display()),
        )
    if CorrectiveAction.objects.filter(finding=finding, state__in=LIVE_ACTION_STATES).exists():
        raise HamiError(Code.LIVE_ACTION, _("This finding already has a corrective action under way."))
    text = clean_text(text, "text", _("Say what the unit will do."))
    due_on = _due(due_on)
    policy = current_policy()
    latest = action_deadline(finding, policy)
    if due_on > latest:
        raise HamiError(
            Code.DUE_TOO_LATE,
            _(
                "For a {severity} finding the instruction gives {days} days: choose {date} or earlier. "
                "If the unit needs longer, say why in the action; the office may accept a later date."
            ).format(
                severity=FindingSeverity(finding.severity).label,
                days=policy["action_days"][finding.severity],
                date=format_date(latest),
            ),
            field="due_on",
        )
    action = CorrectiveAction.objects.create(
        finding=finding,
        unit_id=finding.unit_id,
        province_id=finding.province_id,
        text=text,
        due_on=due_on,
        proposed_by=actor,
    )
    _audit(actor, action, "propose")
    _tell_office(action, actor, PROPOSED_SUBJECT, PROPOSED_BODY)
    return action


@transaction.atomic
def action_accept(
    *, actor: User, action: CorrectiveAction, due_on: dt.date | None = None, note: str = ""
) -> CorrectiveAction:
    """The office accepts a proposal, perhaps with another date (a later one too). Raises Forbidden,
    HamiError(WRONG_STATE, INVALID, DUE_IN_PAST)."""
    _office_only(actor, action)
    action = _lock(action)
    _require_state(action, "accept")
    if due_on is not None:
        action.due_on = _due(due_on)
    note = clean_text(note, "note", "", required=False)
    action.state, action.decided_by, action.office_note = ActionState.ACCEPTED, actor, note
    action.save(update_fields=["state", "decided_by", "office_note", "due_on", "updated_at"])
    _audit(actor, action, "accept", reason=note)
    _tell_unit(action, actor, ACCEPTED_SUBJECT, ACCEPTED_BODY)
    return action


@transaction.atomic
def action_return(*, actor: User, action: CorrectiveAction, note: str) -> CorrectiveAction:
    """The office asks again, saying why; the unit proposes a new action. Raises Forbidden,
    HamiError(WRONG_STATE, INVALID)."""
    _office_only(actor, action)
    action = _lock(action)
    _require_state(action, "return")
    note = clean_text(note, "note", _("Say what the office expects instead."))
    action.state, action.decided_by, action.office_note = ActionState.RETURNED, actor, note
    action.save(update_fields=["state", "decided_by", "office_note", "updated_at"])
    _audit(actor, action, "return", reason=note)
    _tell_unit(action, actor, RETURNED_SUBJECT, RETURNED_BODY)
    return action


@transaction.atomic
def action_submit(*, actor: User, action: CorrectiveAction, evidence_note: str, files=()) -> CorrectiveAction:
    """The unit says what was done and sends its files (photos or PDFs); all or nothing. Raises
    Forbidden, HamiError(WRONG_STATE, INVALID, BAD_EVIDENCE)."""
    _unit_only(actor, action.unit_id)
    action = _lock(action)
    _require_state(action, "submit")
    evidence_note = clean_text(evidence_note, "evidence_note", _("Say what was done."))
    stored = [store_evidence(actor=actor, file=file, action=action) for file in files or ()]
    action.state, action.evidence_note, action.submitted_at = (
        ActionState.SUBMITTED,
        evidence_note,
        timezone.now(),
    )
    action.save(update_fields=["state", "evidence_note", "submitted_at", "updated_at"])
    _audit(actor, action, "submit", evidence=[{"name": e.name, "sha256": e.sha256} for e in stored])
    _tell_office(action, actor, SUBMITTED_SUBJECT, SUBMITTED_BODY)
    return action


@transaction.atomic
def action_verify(*, actor: User, action: CorrectiveAction, note: str = "") -> CorrectiveAction:
    """The office verifies the evidence: the action is verified and its finding corrected. Raises
    Forbidden, HamiError(WRONG_STATE, INVALID)."""
    _office_only(actor, action)
    action = _lock(action)
    _require_state(action, "verify")
    note = clean_text(note, "note", "", required=False)
    now = timezone.now()
    action.state, action.verified_at, action.decided_by = ActionState.VERIFIED, now, actor
    if note:
        action.office_note = note
    action.save(update_fields=["state", "verified_at", "decided_by", "office_note", "updated_at"])
    finding = action.finding
    finding.state, finding.closed_at = FindingState.CORRECTED, now
    finding.save(update_fields=["state", "closed_at", "updated_at"])
    _audit(actor, action, "verify", reason=note)
    _tell_unit(action, actor, VERIFIED_SUBJECT, VERIFIED_BODY)
    return action


@transaction.atomic
def action_reopen(*, actor: User, action: CorrectiveAction, note: str, due_on: dt.date) -> CorrectiveAction:
    """The evidence did not satisfy the office: it says why and gives a new date. Raises Forbidden,
    HamiError(WRONG_STATE, INVALID, DUE_IN_PAST)."""
    _office_only(actor, action)
    action = _lock(action)
    _require_state(action, "reopen")
    note = clean_text(note, "note", _("Say what is still missing."))
    action.due_on = _due(due_on)
    action.state, action.decided_by, action.office_note = ActionState.REOPENED, actor, note
    # A new date is a new deadline: missing it escalates again (the overdue run skips escalated actions).
    action.escalated_at = None
    action.save(update_fields=["state", "decided_by", "office_note", "due_on", "escalated_at", "updated_at"])
    _audit(actor, action, "reopen", reason=note)
    _tell_unit(action, actor, REOPENED_SUBJECT, REOPENED_BODY)
    return action
