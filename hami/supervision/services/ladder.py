"""Writes of the enforcement ladder (issue 6, point 6): the office's decisions, and the two periodic runs
that escalate overdue corrective actions and step clean units down. The rules are hami/supervision/ladder.py;
each decision carries out its rung in the same transaction:

| rung | side effect |
|---|---|
| 2 clinic | outreach referral (source "finding", source_ref the decision's id), linked in `referral` |
| 4 warning | negative points for the named findings, by severity (and for a repeat) |
| 5 tightened (and above) | registry tightened sampling on; stepping below 5 turns it off |
| 6 suspension | Marks Committee decision suspending the named licence |
| 7 revocation | committee decision revoking it, or a judiciary referral (the licence stays suspended) |
| 6 → 5 | committee decision reinstating the suspended licence |
"""

import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hami.core.audit import Change, audit, audit_many
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_date, in_persian
from hami.core.models import EventType, Role, User
from hami.core.persian import normalize_text, to_persian_digits
from hami.licensing.models import DecisionKind, Licence, LicenceState, SanctionReason
from hami.licensing.services.committee import licence_sanction
from hami.outreach.models import ReferralSource
from hami.outreach.services.notices import notify_on_commit_in_site_language
from hami.outreach.services.referrals import referral_create
from hami.registry.models import ProductionUnit
from hami.registry.services import unit_set_tightened_sampling
from hami.supervision import ladder
from hami.supervision.access import may_decide_ladder
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import (
    CorrectiveAction,
    Finding,
    FindingState,
    LadderDecision,
    NegativePoint,
    Step,
    Trigger,
)
from hami.supervision.policy import Policy
from hami.supervision.selectors import current_policy
from hami.supervision.selectors_ladder import (
    OVERDUE_STATES,
    clean_units,
    current_decision,
    unit_facts,
)
from hami.supervision.services.points import points_award

logger = logging.getLogger(__name__)
MAX_REASON = 4000


# ---------------------------------------------------------------- messages


def num(value) -> str:
    """A number in the active language's digits, for the messages below."""
    return to_persian_digits(str(value)) if in_persian() else str(value)


def refusal_message(exc: ladder.LadderRefused) -> str:
    """The refusal of ladder.py in the user's language."""
    params = exc.params
    code = exc.code
    if code == ladder.Refusal.UNKNOWN_STEP:
        return _("Choose a step of the ladder.")
    if code == ladder.Refusal.UNKNOWN_TRIGGER:
        return _("Choose why the unit moves on the ladder.")
    if code == ladder.Refusal.SAME_STEP:
        return _("The unit is already on this step.")
    if code == ladder.Refusal.REVOCATION_FINAL:
        return _("A revocation is final: the unit does not step down from it.")
    if code == ladder.Refusal.STEP_NOT_ALLOWED:
        return _(
            "This move is not allowed from “{current}” to “{step}” for this reason: a unit climbs one step "
            "at a time when the step below failed (a critical safety finding may go straight to "
            "suspension) and steps down one step after verified correction."
        ).format(current=Step(params["current"]).label, step=Step(params["step"]).label)
    if code == ladder.Refusal.LOWER_STEP_NOT_FAILED:
        return {
            "finding": _("The unit has no new finding to act on."),
            "deadline_missed": _("No corrective-action deadline of the unit was missed since its last step."),
            "repeated_finding": _("No finding of the unit was repeated since its last step."),
            "critical_safety": _("The unit has no new critical safety finding."),
            "points": _("The unit's active negative points have not reached the instruction's threshold."),
            "market_case": _("No market-surveillance case was opened against the unit since its last step."),
        }.get(params.get("trigger"), _("The step below has not failed."))
    if code == ladder.Refusal.FINDINGS_NOT_CORRECTED:
        return _(
            "The unit steps down only when every finding is verified corrected: {open} open, "
            "{live} corrective actions under way."
        ).format(open=num(params["open"]), live=num(params["live"]))
    if code == ladder.Refusal.POINTS_HOLD:
        return _(
            "The unit's {points} active negative points still reach the threshold of its step; it steps down "
            "when enough of them expire."
        ).format(points=num(params["points"]))
    if code == ladder.Refusal.NOT_CLEAN_YET:
        return _("The clean period has not passed yet: the unit may step down from {date}.").format(
            date=format_date(params["clean_on"])
        )
    return _("This move is not allowed.")


def way_back_text(way: ladder.WayBack) -> str:
    """The way back down, in a sentence for the unit."""
    if way.final:
        return _("A revocation is final; the unit applies for a new licence.")
    if way.target is None:
        return ""
    text = _(
        "To step down to “{target}”: have every finding verified corrected ({open} open, {live} corrective "
        "actions under way) and keep {days} days without a new finding; at the earliest from {date}."
    ).format(
        target=Step(way.target).label,
        open=num(way.open_findings),
        live=num(way.live_actions),
        days=num(way.clean_days),
        date=format_date(way.clean_on) if way.clean_on else format_date(timezone.localdate()),
    )
    if way.points_hold:
        text += " " + _("Its active negative points hold it on this step until enough of them expire.")
    if way.needs_office:
        text += " " + _("Stepping down from suspension reinstates the licence: the office decides it.")
    return text


# ---------------------------------------------------------------- decisions


def _clean_reason(reason: str) -> str:
    lines = [normalize_text(line) for line in str(reason or "").splitlines()]
    text = "\n".join(lines).strip()
    if not text:
        raise HamiError(Code.INVALID, _("Write the reason for this decision."), field="reason")
    if len(text) > MAX_REASON:
        raise HamiError(
            Code.INVALID, _("Write at most {limit} characters.").format(limit=MAX_REASON), field="reason"
        )
    return text


def _check_findings(unit: ProductionUnit, findings: Iterable[Finding]) -> list[Finding]:
    findings = list({finding.pk: finding for finding in findings}.values())
    for finding in findings:
        if finding.unit_id != unit.pk:
            raise HamiError(Code.INVALID, _("A finding named is another unit's."), field="findings")
        if finding.state == FindingState.WITHDRAWN:
            raise HamiError(
                Code.INVALID, _("A withdrawn finding cannot ground a decision."), field="findings"
            )
    return findings


def _check_licence(unit: ProductionUnit, licence: Licence | None) -> Licence | None:
    if licence is not None and licence.unit_id != unit.pk:
        raise HamiError(Code.INVALID, _("The licence is not this unit's."), field="licence")
    return licence


def _award_warning_points(
    *, actor, unit, decision, findings: list[Finding], today: dt.date, policy: Policy
) -> int:
    """The instruction's points for each named finding (by severity, and for a repeat), once a finding."""
    table = policy["points"]
    given = set(NegativePoint.objects.filter(finding__in=findings).values_list("finding_id", "reason"))
    total = 0
    for finding in findings:
        reasons = [finding.severity] + (["repeated_finding"] if finding.repeat_of_id else [])
        for reason in reasons:
            points = int(table.get(reason) or 0)
            if points and (finding.pk, reason) not in given:
                points_award(
                    actor=actor,
                    unit=unit,
                    points=points,
                    reason=reason,
                    finding=finding,
                    decision=decision,
                    today=today,
                    policy=policy,
                )
                total += points
    return total


def _notify_unit(unit: ProductionUnit, decision: LadderDecision, way: ladder.WayBack) -> None:
    link = reverse("supervision:ladder_unit", args=[unit.public_id])
    step, reason = Step(decision.step), decision.reason

    def message() -> tuple[str, str]:
        subject = _("Enforcement step of {unit}: {step}").format(unit=unit.name_fa, step=step.label)
        body = _("Reason: {reason}").format(reason=reason)
        way_text = way_back_text(way)
        return subject, f"{body}\n{way_text}".strip()

    reps = User.objects.filter(unit_memberships__unit=unit, is_active=True)
    notify_on_commit_in_site_language(reps, message=message, link=link)


def _decide(
    *,
    actor: User | None,
    unit: ProductionUnit,
    step: int,
    trigger: str,
    reason: str,
    findings: Iterable[Finding] = (),
    licence: Licence | None = None,
    sanction_reason: SanctionReason | None = None,
    members_present: Iterable[str] = (),
    market_withdrawal: bool = False,
    judiciary: bool = False,
    today: dt.date | None = None,
    policy: Policy | None = None,
) -> LadderDecision:
    today = today or timezone.localdate()
    policy = policy or current_policy()
    reason = _clean_reason(reason)
    # Two officers deciding at once: the second waits here, then finds the first's decision as the step.
    unit = ProductionUnit.objects.select_for_update().select_related("province", "county").get(pk=unit.pk)
    findings = _check_findings(unit, findings)
    licence = _check_licence(unit, licence)
    current = current_decision(unit.pk)
    facts = unit_facts(unit, today=today, decision=current, named_findings=findings)
    try:
        move = ladder.check(step, trigger, facts, policy)
    except ladder.LadderRefused as exc:
        field = "trigger" if exc.code == ladder.Refusal.UNKNOWN_TRIGGER else "step"
        raise HamiError(Code(str(exc.code)), refusal_message(exc), field=field) from exc
    if market_withdrawal and not (move.up and move.step >= ladder.Step.SUSPENSION):
        raise HamiError(
            Code.WITHDRAWAL_NOT_ALLOWED,
            _("A market withdrawal goes with a suspension or a revocation."),
            field="market_withdrawal",
        )
    if judiciary and not (move.up and move.step == ladder.Step.REVOCATION):
        raise HamiError(
            Code.JUDICIARY_NOT_ALLOWED,
            _("A referral to the judiciary is a decision of the top step."),
            field="judiciary",
        )
    members = [normalize_text(name) for name in members_present if name and normalize_text(name)]
    sanction: DecisionKind | None = None
    if move.up and move.step == ladder.Step.SUSPENSION:
        licence = licence or next((finding.licence for finding in findings if finding.licence_id), None)
        sanction = DecisionKind.SUSPEND
    elif move.up and move.step == ladder.Step.REVOCATION:
        licence = licence or (current.licence if current is not None else None)
        sanction = None if judiciary else DecisionKind.REVOKE
    elif move.previous == ladder.Step.SUSPENSION:
        licence = licence or (current.licence if current is not None else None)
        if licence is not None and licence.state == LicenceState.SUSPENDED:
            sanction = DecisionKind.REINSTATE
    elif move.previous == ladder.Step.REVOCATION:
        licence = licence or (current.licence if current is not None else None)
    if move.up and move.step >= ladder.Step.SUSPENSION and licence is None:
        raise HamiError(
            Code.LICENCE_REQUIRED,
            _("Name the unit's licence that the Marks Committee suspends or revokes."),
            field="licence",
        )
    decision = LadderDecision.objects.create(
        unit=unit,
        province_id=unit.province_id,
        step=int(move.step),
        previous_step=int(move.previous),
        trigger=str(move.trigger),
        reason=reason,
        licence=licence,
        coercive=move.coercive or bool(market_withdrawal) or bool(judiciary),
        market_withdrawal=bool(market_withdrawal),
        judiciary=bool(judiciary),
        decided_by=actor,
    )
    if findings:
        decision.findings.set(findings)
    if sanction is not None:
        decision.sanction = licence_sanction(
            actor=actor,
            licence=licence,
            kind=sanction,
            reason=reason,
            members_present=members,
            sanction_reason=sanction_reason,
        )
        decision.save(update_fields=["sanction", "updated_at"])
    awarded = 0
    if move.up and move.step == ladder.Step.CLINIC:
        standard = next((f.licence.standard for f in findings if f.licence_id), None)
        decision.referral = referral_create(
            actor=actor,
            unit=unit,
            source=ReferralSource.FINDING,
            source_ref=str(decision.public_id),
            reason=reason,
            standard=standard,
        )
        decision.save(update_fields=["referral", "updated_at"])
    if move.up and move.step == ladder.Step.WARNING:
        awarded = _award_warning_points(
            actor=actor, unit=unit, decision=decision, findings=findings, today=today, policy=policy
        )
    tightened = move.step >= ladder.Step.TIGHTENED
    if unit.tightened_sampling != tightened:
        unit_set_tightened_sampling(actor=actor, unit=unit, on=tightened, reason=reason)
    audit(
        actor=actor,
        event_type=EventType.LADDER_DECIDED,
        obj=decision,
        province=unit.province,
        reason=reason,
        details={
            "unit": unit.national_id,
            "from": int(move.previous),
            "to": int(move.step),
            "trigger": str(move.trigger),
            "coercive": decision.coercive,
            "market_withdrawal": decision.market_withdrawal,
            "judiciary": decision.judiciary,
            "licence": licence.number if licence is not None else None,
            "sanction": str(sanction) if sanction else None,
            "findings": [str(finding.public_id) for finding in findings],
            "points": awarded,
            "automatic": actor is None,
        },
    )
    after = dataclasses.replace(facts, step=int(move.step), last_decision_on=today, judiciary=bool(judiciary))
    _notify_unit(unit, decision, ladder.way_back(move.step, after, policy))
    return decision


@transaction.atomic
def ladder_decide(
    *,
    actor: User,
    unit: ProductionUnit,
    step: int,
    trigger: str,
    reason: str,
    findings: Iterable[Finding] = (),
    licence: Licence | None = None,
    sanction_reason: SanctionReason | None = None,
    members_present: Iterable[str] = (),
    market_withdrawal: bool = False,
    judiciary: bool = False,
    today: dt.date | None = None,
) -> LadderDecision:
    """Move the unit on the enforcement ladder by the office's decision, with its reason, carrying out the
    rung (clinic referral, negative points, tightened sampling, suspension, revocation, reinstatement) in
    the same transaction; the unit hears of it with the way back down. Suspension and revocation are Marks
    Committee decisions: they need the licence, a catalogue reason and the members present. Raises
    Forbidden (not office staff of the province or national admin), HamiError (the ladder's refusals:
    unknown_step, unknown_trigger, same_step, step_not_allowed, lower_step_not_failed,
    findings_not_corrected, not_clean_yet, revocation_final; withdrawal_not_allowed,
    judiciary_not_allowed, licence_required, invalid; and licensing's for the sanction)."""
    if not may_decide_ladder(actor, unit.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only office staff of the unit's province decide its step."))
    return _decide(
        actor=actor,
        unit=unit,
        step=step,
        trigger=trigger,
        reason=reason,
        findings=findings,
        licence=licence,
        sanction_reason=sanction_reason,
        members_present=members_present,
        market_withdrawal=market_withdrawal,
        judiciary=judiciary,
        today=today,
    )


# ---------------------------------------------------------------- periodic runs (manage.py supervision_run)


def _office_staff(province_id: int):
    return User.objects.filter(role=Role.OFFICE_STAFF, province_id=province_id, is_active=True)


@transaction.atomic
def actions_escalate_overdue(*, today: dt.date | None = None) -> int:
    """Escalate every corrective action accepted or reopened whose date has passed and that was not
    escalated yet (found in one query): mark it escalated, give the instruction's `deadline_missed` points,
    tell the unit and the office, and climb the unit one rung automatically (trigger deadline_missed, no
    deciding person) when that rung is not coercive; from intensified sampling up, the climb stays a
    proposal for the office. Returns how many actions were escalated; a rerun escalates none."""
    today = today or timezone.localdate()
    policy = current_policy()
    actions = list(
        CorrectiveAction.objects.select_for_update(of=("self",))
        .filter(state__in=OVERDUE_STATES, due_on__lt=today, escalated_at__isnull=True)
        .select_related("unit", "unit__province", "finding")
        .order_by("unit_id", "due_on", "pk")
    )
    if not actions:
        return 0
    now = timezone.now()
    by_unit: dict[int, list[CorrectiveAction]] = defaultdict(list)
    changes = []
    for action in actions:
        action.escalated_at = now
        action.save(update_fields=["escalated_at", "updated_at"])
        by_unit[action.unit_id].append(action)
        changes.append(
            Change(
                event_type=EventType.ACTION_MOVED,
                obj=action,
                province=action.unit.province,
                reason="deadline_missed",
                details={
                    "escalated": True,
                    "due_on": action.due_on,
                    "finding": str(action.finding.public_id),
                },
            )
        )
    audit_many(actor=None, changes=changes)
    points = int(policy["points"].get("deadline_missed") or 0)
    for unit_actions in by_unit.values():
        unit = unit_actions[0].unit
        if points:
            for action in unit_actions:
                points_award(
                    actor=None,
                    unit=unit,
                    points=points,
                    reason="deadline_missed",
                    finding=action.finding,
                    today=today,
                    policy=policy,
                )
        current = current_decision(unit.pk)
        step = current.step if current is not None else Step.NONE
        climbed = None
        if step + 1 <= ladder.AUTOMATIC_UP_TO:
            with translation.override(settings.LANGUAGE_CODE):
                reason = _(
                    "{count} corrective-action deadlines missed (the earliest was due on {date}); the "
                    "step below did not lead to correction."
                ).format(count=num(len(unit_actions)), date=format_date(unit_actions[0].due_on))
            try:
                with transaction.atomic():
                    climbed = _decide(
                        actor=None,
                        unit=unit,
                        step=step + 1,
                        trigger=Trigger.DEADLINE_MISSED,
                        reason=reason,
                        findings=[action.finding for action in unit_actions],
                        today=today,
                        policy=policy,
                    )
            except HamiError:  # the rules refused (should not happen): the office sees the proposal
                logger.exception("automatic climb of unit %s refused", unit.pk)
        _tell_overdue(unit, unit_actions, climbed)
    return len(actions)


def _tell_overdue(
    unit: ProductionUnit, actions: list[CorrectiveAction], climbed: LadderDecision | None
) -> None:
    link = reverse("supervision:ladder_unit", args=[unit.public_id])
    count, due_on = len(actions), actions[0].due_on

    def to_unit() -> tuple[str, str]:
        subject = _("Corrective-action deadline missed: {unit}").format(unit=unit.name_fa)
        body = _("{count} corrective actions were not done by their date (the earliest {date}).").format(
            count=num(count), date=format_date(due_on)
        )
        return subject, body

    def to_office() -> tuple[str, str]:
        subject, body = to_unit()
        if climbed is not None:
            body += " " + _("The unit climbed to “{step}” automatically.").format(
                step=Step(climbed.step).label
            )
        else:
            body += " " + _("The next step needs the office's decision: see the unit's ladder.")
        return subject, body

    reps = User.objects.filter(unit_memberships__unit=unit, is_active=True)
    notify_on_commit_in_site_language(reps, message=to_unit, link=link)
    notify_on_commit_in_site_language(_office_staff(unit.province_id), message=to_office, link=link)


@transaction.atomic
def ladder_steps_down(*, today: dt.date | None = None) -> int:
    """Step down one rung every unit whose findings are all verified corrected and whose clean period has
    passed, when its rung is below suspension (stepping down from suspension reinstates a licence: the
    office decides it). Returns how many units stepped down; a rerun the same day steps none."""
    today = today or timezone.localdate()
    policy = current_policy()
    steps = range(ladder.Step.ADVICE, ladder.Step.SUSPENSION)
    moved = 0
    for unit in clean_units(today=today, clean_days=int(policy["clean_days"]), steps=steps):
        with translation.override(settings.LANGUAGE_CODE):
            reason = _(
                "Every finding is verified corrected and {days} days passed without a new finding or a "
                "decision."
            ).format(days=num(int(policy["clean_days"])))
        try:
            with transaction.atomic():
                _decide(
                    actor=None,
                    unit=unit,
                    step=unit.ladder_step - 1,
                    trigger=Trigger.CORRECTED,
                    reason=reason,
                    today=today,
                    policy=policy,
                )
        except HamiError as exc:  # e.g. points_hold: the unit stays, the run goes on
            logger.info("unit %s does not step down: %s", unit.pk, exc.code)
            continue
        moved += 1
    return moved
