"""Writes of inspections (issue 6, point 4): the office schedules ad-hoc visits (plans make the routine
ones), the assigned inspector starts a visit, answers its checklist item by item, records findings with
photos and files, checks the earlier findings a follow-up visit was sent for, and finishes it. The unit
hears of the findings when the visit is finished, never before: an unannounced visit stays secret.

A visit (docs/supervision.md draws it):

    PLANNED ──start (inspector, on or after the day)──▶ IN_PROGRESS ──finish──▶ DONE
       └──cancel (office)──▶ CANCELLED ◀──cancel (office, no finding yet)──┘

A finding: OPEN ──verified correction (actions.py, or a follow-up visit)──▶ CORRECTED
           OPEN ──withdraw (office; the inspector during the visit)──▶ WITHDRAWN
"""

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_date
from hami.core.models import EventType, Role, User
from hami.core.notify import notify
from hami.licensing.models import Licence
from hami.licensing.services.documents import sniff
from hami.registry.models import ProductionUnit, Site, UnitMembership
from hami.supervision.access import is_inspector, is_office, is_unit_rep_of, may_carry_out
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import (
    LIVE_ACTION_STATES,
    ActionState,
    AnswerResult,
    ChecklistAnswer,
    ChecklistItem,
    CorrectiveAction,
    Evidence,
    Finding,
    FindingSeverity,
    FindingState,
    Inspection,
    InspectionKind,
    InspectionState,
    PlanState,
)
from hami.supervision.policy import Policy
from hami.supervision.selectors import current_policy
from hami.supervision.services.checklists import checklist_for
from hami.supervision.services.text import clean_text

EVIDENCE_TYPES = {"image/jpeg", "image/png", "application/pdf"}
MAX_DAYS_AHEAD = 366  # an ad-hoc visit further ahead is a typo, not a plan


class CheckResult:
    """How a follow-up visit found a finding it was sent to check."""

    STILL_OPEN = "open"
    CORRECTED = "corrected"
    VALUES = (STILL_OPEN, CORRECTED)


# ---------------------------------------------------------------- shared pieces


def unit_reps(unit_id: int) -> list[User]:
    return [
        m.user
        for m in UnitMembership.objects.filter(unit_id=unit_id, user__is_active=True).select_related("user")
    ]


def office_staff(province_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.OFFICE_STAFF, province_id=province_id, is_active=True))


def notify_after_commit(
    users: Iterable[User], message: Callable[[], tuple[str, str]], *, link: str, skip: User | None = None
) -> None:
    """Once the transaction commits, notify each user (but `skip`) of `message()` = (subject, body), built
    then in the site's language: people read their notices later, whatever the actor's page language."""
    recipients = list({u.pk: u for u in users if skip is None or u.pk != skip.pk}.values())

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = message()
            for user in recipients:
                notify(user=user, subject=subject, body=body, link=link)

    if recipients:
        transaction.on_commit(send)


def unit_findings_link(unit: ProductionUnit) -> str:
    return reverse("supervision:unit_findings", args=[unit.public_id])


def inspection_link(inspection: Inspection) -> str:
    return reverse("supervision:inspection_detail", args=[inspection.public_id])


def finding_link(finding: Finding) -> str:
    return reverse("supervision:finding_detail", args=[finding.public_id])


def _lock(inspection: Inspection) -> Inspection:
    """The visit's row, locked for this transaction, with what the checks below read."""
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("unit", "plan", "checklist", "inspector", "province")
        .get(pk=inspection.pk)
    )


def _carrying_out(actor: User, inspection: Inspection) -> None:
    if not may_carry_out(actor, inspection):
        raise Forbidden(Code.FORBIDDEN, _("Only the inspector assigned to this visit carries it out."))
    if inspection.state != InspectionState.IN_PROGRESS:
        raise HamiError(
            Code.WRONG_STATE,
            _("This visit is {state}; only a visit in progress takes answers and findings.").format(
                state=inspection.get_state_display()
            ),
        )


def store_evidence(*, actor: User, file, finding: Finding | None = None, action=None) -> Evidence:
    """Check and store one file: a JPEG or PNG photo or a PDF (read from its bytes: a name or a browser's
    type can lie), of at most HAMI_DOCUMENT_MAX_BYTES. No audit event: the calling service writes it."""
    limit = settings.HAMI_DOCUMENT_MAX_BYTES
    size = getattr(file, "size", 0) or 0
    if size == 0:
        raise HamiError(Code.BAD_EVIDENCE, _("The file is empty."), field="file")
    if size > limit:
        raise HamiError(
            Code.BAD_EVIDENCE,
            _("The file is {size} MB; at most {limit} MB is accepted.").format(
                size=round(size / 2**20, 1), limit=limit // 2**20
            ),
            field="file",
        )
    file.seek(0)
    content_type = sniff(file.read(16))
    if content_type not in EVIDENCE_TYPES:
        raise HamiError(Code.BAD_EVIDENCE, _("Send a photo (JPEG or PNG) or a PDF file."), field="file")
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
        digest.update(chunk)
    file.seek(0)
    name = os.path.basename(getattr(file, "name", "") or "")[:200] or "evidence"
    return Evidence.objects.create(
        finding=finding,
        action=action,
        file=file,
        name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )


# ---------------------------------------------------------------- scheduling


def _clean_reasons(reasons, note: str) -> list[dict]:
    cleaned = []
    for i, reason in enumerate(reasons or []):
        if not isinstance(reason, Mapping):
            raise HamiError(Code.INVALID, _("Each reason is a code and a text."), field=f"reasons.{i}")
        code = str(reason.get("code", "") or "")[:40]
        text = clean_text(
            reason.get("text", ""), f"reasons.{i}.text", _("Each reason needs its text."), max_length=300
        )
        cleaned.append({"code": code, "text": text})
    if note:
        cleaned.append({"code": "office", "text": note})
    return cleaned


@transaction.atomic
def inspection_schedule(
    *,
    actor: User,
    unit: ProductionUnit,
    inspector: User,
    scheduled_on: dt.date,
    kind: str,
    note: str = "",
    reasons: list[dict] | None = None,
    unannounced: bool = False,
    checks: Iterable[Finding] = (),
    site: Site | None = None,
) -> Inspection:
    """An ad-hoc visit by the office (routine visits come from plans): a follow-up checks open findings
    of the same unit, a complaint or case visit may too. The inspector hears at once; the unit only of an
    announced visit. Raises Forbidden (not office of the unit's province), HamiError(INVALID,
    NOT_UNITS_FINDING)."""
    if not is_office(actor, unit.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the unit's province schedules its visits."))
    if kind not in InspectionKind.values:
        raise HamiError(Code.INVALID, _("Choose the kind of visit."), field="kind")
    if inspector is None or not is_inspector(inspector, unit.province_id):
        raise HamiError(
            Code.INVALID,
            _("Choose an active inspector of the province {province}.").format(province=unit.province.name),
            field="inspector",
        )
    today = timezone.localdate()
    if not isinstance(scheduled_on, dt.date) or isinstance(scheduled_on, dt.datetime):
        raise HamiError(Code.INVALID, _("Give the day of the visit."), field="scheduled_on")
    if scheduled_on < today:
        raise HamiError(
            Code.INVALID, _("A visit is scheduled for today or a later day."), field="scheduled_on"
        )
    if scheduled_on > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise HamiError(Code.INVALID, _("A visit is scheduled at most a year ahead."), field="scheduled_on")
    if site is not None and site.unit_id != unit.pk:
        raise HamiError(Code.INVALID, _("The site is not one of this unit's."), field="site")
    note = clean_text(note, "note", "", max_length=300, required=False)
    reasons = _clean_reasons(reasons, note)
    if not reasons:
        raise HamiError(Code.INVALID, _("Say why the unit is visited."), field="note")
    checked = list({f.pk: f for f in checks}.values())
    for finding in checked:
        if finding.unit_id != unit.pk or finding.state != FindingState.OPEN:
            raise HamiError(
                Code.NOT_UNITS_FINDING,
                _("A visit checks only open findings of the unit it visits."),
                field="checks",
            )
    if kind == InspectionKind.FOLLOW_UP and not checked:
        raise HamiError(
            Code.INVALID, _("A follow-up visit checks at least one open finding of the unit."), field="checks"
        )
    inspection = Inspection.objects.create(
        province=unit.province,
        unit=unit,
        site=site,
        county=site.county if site is not None else unit.county,
        inspector=inspector,
        scheduled_on=scheduled_on,
        unannounced=bool(unannounced),
        kind=kind,
        reasons=reasons,
        created_by=actor,
    )
    inspection.checks.set(checked)
    audit(
        actor=actor,
        event_type=EventType.INSPECTION_SAVED,
        obj=inspection,
        province=unit.province,
        details={
            "public_id": str(inspection.public_id),
            "unit": str(unit.public_id),
            "inspector": inspector.username,
            "scheduled_on": scheduled_on,
            "kind": kind,
            "unannounced": inspection.unannounced,
            "checks": [str(f.public_id) for f in checked],
        },
    )

    def to_inspector() -> tuple[str, str]:
        return (
            _("A visit on {date}").format(date=format_date(scheduled_on)),
            _("You are to visit {unit} on {date} ({kind}).").format(
                unit=unit.name, date=format_date(scheduled_on), kind=InspectionKind(kind).label
            ),
        )

    notify_after_commit([inspector], to_inspector, link=inspection_link(inspection), skip=actor)
    if not inspection.unannounced:

        def to_unit() -> tuple[str, str]:
            return (
                _("An inspection visit on {date}").format(date=format_date(scheduled_on)),
                _(
                    "The standards office will visit {unit} on {date}. Please have the QC manager and the "
                    "production and test records at hand."
                ).format(unit=unit.name, date=format_date(scheduled_on)),
            )

        notify_after_commit(unit_reps(unit.pk), to_unit, link=unit_findings_link(unit), skip=actor)
    return inspection


# ---------------------------------------------------------------- carrying out a visit


@transaction.atomic
def inspection_start(*, actor: User, inspection: Inspection) -> Inspection:
    """The assigned inspector starts the visit on or after its day; the unit's checklist is fixed then.
    Raises Forbidden, HamiError(WRONG_STATE, TOO_EARLY, NO_CHECKLIST)."""
    inspection = _lock(inspection)
    if not may_carry_out(actor, inspection):
        raise Forbidden(Code.FORBIDDEN, _("Only the inspector assigned to this visit carries it out."))
    if inspection.state != InspectionState.PLANNED:
        raise HamiError(
            Code.WRONG_STATE,
            _("This visit is {state}; only a planned visit starts.").format(
                state=inspection.get_state_display()
            ),
        )
    if inspection.plan_id and inspection.plan.state != PlanState.PUBLISHED:
        raise HamiError(Code.WRONG_STATE, _("This visit's plan is not published."))
    if timezone.localdate() < inspection.scheduled_on:
        raise HamiError(
            Code.TOO_EARLY,
            _("This visit is scheduled for {date}; start it on that day or later.").format(
                date=format_date(inspection.scheduled_on)
            ),
        )
    checklist = checklist_for(inspection.unit)
    if checklist is None:
        raise HamiError(
            Code.NO_CHECKLIST,
            _("No active checklist applies to this unit; ask the national admin to add one."),
        )
    inspection.state = InspectionState.IN_PROGRESS
    inspection.started_at = timezone.now()
    inspection.checklist = checklist
    inspection.save(update_fields=["state", "started_at", "checklist", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.INSPECTION_MOVED,
        obj=inspection,
        province=inspection.province,
        details={"public_id": str(inspection.public_id), "to": inspection.state, "checklist": checklist.code},
    )
    return inspection


@transaction.atomic
def checklist_answer(
    *, actor: User, inspection: Inspection, item: ChecklistItem, result: str, note: str = ""
) -> ChecklistAnswer:
    """Answer one item of the visit's checklist (again, to change the answer). A nonconforming answer
    needs a finding for the item before the visit finishes. Raises Forbidden, HamiError(WRONG_STATE,
    NOT_ON_CHECKLIST, INVALID, HAS_FINDINGS)."""
    inspection = _lock(inspection)
    _carrying_out(actor, inspection)
    if item is None or item.checklist_id != inspection.checklist_id:
        raise HamiError(Code.NOT_ON_CHECKLIST, _("This item is not on the visit's checklist."), field="item")
    if result not in AnswerResult.values:
        raise HamiError(Code.INVALID, _("Answer conforms, nonconforming or not applicable."), field="result")
    note = clean_text(note, "note", "", max_length=500, required=False)
    live = inspection.findings.filter(item=item).exclude(state=FindingState.WITHDRAWN)
    if result != AnswerResult.NONCONFORMING and live.exists():
        raise HamiError(
            Code.HAS_FINDINGS,
            _("This item has a finding on this visit; withdraw the finding before answering otherwise."),
            field="result",
        )
    answer, _created = ChecklistAnswer.objects.update_or_create(
        inspection=inspection,
        item=item,
        defaults={"result": result, "note": note, "answered_by": actor, "answered_at": timezone.now()},
    )
    audit(
        actor=actor,
        event_type=EventType.INSPECTION_SAVED,
        obj=inspection,
        province=inspection.province,
        details={"public_id": str(inspection.public_id), "item": item.code, "result": result},
    )
    return answer


def _repeat_of(inspection: Inspection, item: ChecklistItem | None, policy: Policy) -> Finding | None:
    """The newest finding on the same requirement (the item's code: a standard's checklist repeats the
    general one's codes for the same requirement) at this unit within the look-back window, withdrawn
    ones aside: a repeat climbs the enforcement ladder."""
    if item is None:
        return None
    since = timezone.now() - dt.timedelta(days=policy["lookback_days"])
    return (
        Finding.objects.filter(unit_id=inspection.unit_id, item__code=item.code, created_at__gte=since)
        .exclude(inspection=inspection)
        .exclude(state=FindingState.WITHDRAWN)
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def finding_record(
    *,
    actor: User,
    inspection: Inspection,
    severity: str,
    text: str,
    item: ChecklistItem | None = None,
    safety: bool = False,
    licence: Licence | None = None,
    files=(),
) -> Finding:
    """Record a nonconformity found on the visit (on a checklist item, whose answer becomes
    nonconforming, or outside the checklist), with its photos or PDFs if any: all or nothing. A finding on
    the same item at this unit within the instruction's look-back window makes this one a repeat
    (`repeat_of`). Raises Forbidden, HamiError(WRONG_STATE, NOT_ON_CHECKLIST, INVALID, BAD_EVIDENCE)."""
    inspection = _lock(inspection)
    _carrying_out(actor, inspection)
    if severity not in FindingSeverity.values:
        raise HamiError(Code.INVALID, _("Choose the severity: critical, major or minor."), field="severity")
    text = clean_text(text, "text", _("Describe what was found."))
    if item is not None and item.checklist_id != inspection.checklist_id:
        raise HamiError(Code.NOT_ON_CHECKLIST, _("This item is not on the visit's checklist."), field="item")
    if licence is not None and licence.unit_id != inspection.unit_id:
        raise HamiError(Code.INVALID, _("The licence is not one of this unit's."), field="licence")
    repeat_of = _repeat_of(inspection, item, current_policy())
    finding = Finding.objects.create(
        inspection=inspection,
        unit_id=inspection.unit_id,
        province_id=inspection.province_id,
        licence=licence,
        item=item,
        severity=severity,
        safety=bool(safety),
        text=text,
        repeat_of=repeat_of,
        created_by=actor,
    )
    stored = [store_evidence(actor=actor, file=file, finding=finding) for file in files or ()]
    if item is not None:
        ChecklistAnswer.objects.update_or_create(
            inspection=inspection,
            item=item,
            defaults={
                "result": AnswerResult.NONCONFORMING,
                "answered_by": actor,
                "answered_at": timezone.now(),
            },
        )
    audit(
        actor=actor,
        event_type=EventType.FINDING_SAVED,
        obj=finding,
        province=inspection.province,
        details={
            "public_id": str(finding.public_id),
            "inspection": str(inspection.public_id),
            "change": "recorded",
            "severity": severity,
            "safety": finding.safety,
            "item": item.code if item is not None else None,
            "repeat_of": str(repeat_of.public_id) if repeat_of is not None else None,
            "evidence": [{"name": e.name, "sha256": e.sha256} for e in stored],
        },
    )
    return finding


@transaction.atomic
def evidence_add(
    *, actor: User, finding: Finding | None = None, action: CorrectiveAction | None = None, file
) -> Evidence:
    """A photo or PDF for an open finding (its inspector or the office) or for a corrective action under
    way (the unit before it submits, or the office). Raises Forbidden, HamiError(INVALID, BAD_EVIDENCE,
    FINDING_CLOSED, WRONG_STATE)."""
    if (finding is None) == (action is None):
        raise HamiError(Code.INVALID, _("Evidence belongs to one finding or one corrective action."))
    if finding is not None:
        finding = Finding.objects.select_related("inspection", "province").get(pk=finding.pk)
        inspection = finding.inspection
        by_inspector = may_carry_out(actor, inspection) and inspection.state in (
            InspectionState.IN_PROGRESS,
            InspectionState.DONE,
        )
        if not (by_inspector or is_office(actor, finding.province_id)):
            raise Forbidden(
                Code.FORBIDDEN, _("Only the finding's inspector or the office adds its evidence.")
            )
        if finding.state != FindingState.OPEN:
            raise HamiError(Code.FINDING_CLOSED, _("This finding is closed; its evidence is final."))
        province, target = finding.province, {"finding": str(finding.public_id)}
    else:
        action = CorrectiveAction.objects.select_related("province").get(pk=action.pk)
        office = is_office(actor, action.province_id)
        if not (office or is_unit_rep_of(actor, action.unit_id)):
            raise Forbidden(
                Code.FORBIDDEN,
                _("Only the unit's representatives or the office add a corrective action's evidence."),
            )
        open_to = (
            LIVE_ACTION_STATES
            if office
            else [ActionState.PROPOSED, ActionState.ACCEPTED, ActionState.REOPENED]
        )
        if action.state not in open_to:
            raise HamiError(
                Code.WRONG_STATE,
                _("This corrective action is {state}; it takes no more evidence.").format(
                    state=action.get_state_display()
                ),
            )
        province, target = action.province, {"action": str(action.public_id)}
    evidence = store_evidence(actor=actor, file=file, finding=finding, action=action)
    audit(
        actor=actor,
        event_type=EventType.EVIDENCE_ADDED,
        obj=evidence,
        province=province,
        details={**target, "name": evidence.name, "type": evidence.content_type, "sha256": evidence.sha256},
    )
    return evidence


def _check_marks(inspection: Inspection, checked: Mapping) -> tuple[list[Finding], dict[str, str]]:
    """The open findings the visit checks (locked) and how each was found, by public id."""
    marks = {}
    for key, value in (checked or {}).items():
        public_id = str(key.public_id) if isinstance(key, Finding) else str(key)
        marks[public_id] = value
    checks = list(inspection.checks.select_for_update(of=("self",)).order_by("pk"))
    known = {str(f.public_id) for f in checks}
    for public_id in marks:
        if public_id not in known:
            raise HamiError(
                Code.INVALID,
                _("This visit was not sent to check that finding."),
                field=f"checked.{public_id}",
            )
    open_checks = [f for f in checks if f.state == FindingState.OPEN]
    for finding in open_checks:
        if marks.get(str(finding.public_id)) not in CheckResult.VALUES:
            raise HamiError(
                Code.CHECK_UNMARKED,
                _("Say of each finding the visit checks whether it is still open or corrected."),
                field=f"checked.{finding.public_id}",
            )
    return open_checks, {str(f.public_id): marks[str(f.public_id)] for f in open_checks}


@transaction.atomic
def inspection_finish(
    *, actor: User, inspection: Inspection, summary: str, checked: Mapping | None = None
) -> Inspection:
    """Finish the visit: every item answered, a finding for each nonconforming one, and each open finding
    the visit checks marked still open or corrected (corrected verifies its live action and closes the
    finding). The unit is told of the findings now. `checked` maps a Finding (or its public id) to
    "open" or "corrected". Raises Forbidden, HamiError(WRONG_STATE, INVALID, UNANSWERED, FINDING_MISSING,
    CHECK_UNMARKED)."""
    inspection = _lock(inspection)
    _carrying_out(actor, inspection)
    summary = clean_text(summary, "summary", _("Write a short summary of the visit."))
    answers = dict(inspection.answers.values_list("item_id", "result"))
    items = list(inspection.checklist.items.all()) if inspection.checklist_id else []
    unanswered = [item for item in items if item.pk not in answers]
    if unanswered:
        raise HamiError(
            Code.UNANSWERED,
            _("{count} items of the checklist are not answered yet, the first: {item}").format(
                count=len(unanswered), item=unanswered[0].text_fa
            ),
            field=f"items.{unanswered[0].code}",
        )
    findings = list(inspection.findings.exclude(state=FindingState.WITHDRAWN))
    found_items = {f.item_id for f in findings}
    missing = [i for i in items if answers[i.pk] == AnswerResult.NONCONFORMING and i.pk not in found_items]
    if missing:
        raise HamiError(
            Code.FINDING_MISSING,
            _("Record the finding for each nonconforming item, the first: {item}").format(
                item=missing[0].text_fa
            ),
            field=f"items.{missing[0].code}",
        )
    open_checks, marks = _check_marks(inspection, checked)
    now = timezone.now()
    for finding in open_checks:
        if marks[str(finding.public_id)] != CheckResult.CORRECTED:
            continue
        live = CorrectiveAction.objects.select_for_update().filter(
            finding=finding, state__in=LIVE_ACTION_STATES
        )
        for action in live:
            action.state, action.verified_at, action.decided_by = ActionState.VERIFIED, now, actor
            action.save(update_fields=["state", "verified_at", "decided_by", "updated_at"])
        finding.state, finding.closed_at = FindingState.CORRECTED, now
        finding.save(update_fields=["state", "closed_at", "updated_at"])
    inspection.state, inspection.finished_at, inspection.summary = InspectionState.DONE, now, summary
    inspection.save(update_fields=["state", "finished_at", "summary", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.INSPECTION_MOVED,
        obj=inspection,
        province=inspection.province,
        details={
            "public_id": str(inspection.public_id),
            "to": inspection.state,
            "findings": [str(f.public_id) for f in findings],
            "checked": marks,
        },
    )
    unit = inspection.unit
    count, corrected = len(findings), sum(1 for mark in marks.values() if mark == CheckResult.CORRECTED)

    def to_unit() -> tuple[str, str]:
        day = format_date(inspection.scheduled_on)
        if count:
            body = _(
                "The visit of {date} found {count} nonconformities. For each, propose a corrective action "
                "and a date on the findings page."
            ).format(date=day, count=count)
        else:
            body = _("The visit of {date} found no nonconformity.").format(date=day)
        if corrected:
            body = " ".join(
                [body, _("{count} earlier findings were found corrected.").format(count=corrected)]
            )
        return _("The inspection of {unit} is finished").format(unit=unit.name), body

    notify_after_commit(unit_reps(unit.pk), to_unit, link=unit_findings_link(unit), skip=actor)
    return inspection


@transaction.atomic
def inspection_cancel(*, actor: User, inspection: Inspection, reason: str) -> Inspection:
    """The office cancels a planned visit, or one in progress with no finding yet, with its reason.
    Raises Forbidden, HamiError(WRONG_STATE, INVALID)."""
    inspection = _lock(inspection)
    if not is_office(actor, inspection.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the province cancels its visits."))
    if inspection.state not in (InspectionState.PLANNED, InspectionState.IN_PROGRESS):
        raise HamiError(
            Code.WRONG_STATE,
            _("This visit is {state}; it cannot be cancelled.").format(state=inspection.get_state_display()),
        )
    if inspection.findings.exclude(state=FindingState.WITHDRAWN).exists():
        raise HamiError(Code.WRONG_STATE, _("This visit has findings; withdraw them before cancelling it."))
    reason = clean_text(reason, "reason", _("Say why the visit is cancelled."), max_length=300)
    was_visible = inspection.state == InspectionState.IN_PROGRESS or (
        not inspection.unannounced
        and (inspection.plan_id is None or inspection.plan.state == PlanState.PUBLISHED)
    )
    inspection.state, inspection.cancel_reason = InspectionState.CANCELLED, reason
    inspection.save(update_fields=["state", "cancel_reason", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.INSPECTION_MOVED,
        obj=inspection,
        province=inspection.province,
        reason=reason,
        details={"public_id": str(inspection.public_id), "to": inspection.state},
    )
    unit, day = inspection.unit, inspection.scheduled_on

    def message() -> tuple[str, str]:
        return (
            _("The visit of {date} is cancelled").format(date=format_date(day)),
            _("The visit to {unit} on {date} is cancelled: {reason}").format(
                unit=unit.name, date=format_date(day), reason=reason
            ),
        )

    notify_after_commit([inspection.inspector], message, link=inspection_link(inspection), skip=actor)
    if was_visible:
        notify_after_commit(unit_reps(unit.pk), message, link=unit_findings_link(unit), skip=actor)
    return inspection


@transaction.atomic
def finding_withdraw(*, actor: User, finding: Finding, reason: str) -> Finding:
    """Withdraw a finding recorded in error: the office, or its inspector while the visit is in progress.
    A corrective action under way ends (returned, with the reason). Raises Forbidden,
    HamiError(FINDING_CLOSED, INVALID)."""
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("inspection", "unit")
        .get(pk=finding.pk)
    )
    inspection = finding.inspection
    by_inspector = may_carry_out(actor, inspection) and inspection.state == InspectionState.IN_PROGRESS
    if not (by_inspector or is_office(actor, finding.province_id)):
        raise Forbidden(
            Code.FORBIDDEN, _("Only the office, or the inspector during the visit, withdraws a finding.")
        )
    if finding.state != FindingState.OPEN:
        raise HamiError(
            Code.FINDING_CLOSED,
            _("This finding is {state}; only an open finding is withdrawn.").format(
                state=finding.get_state_display()
            ),
        )
    reason = clean_text(reason, "reason", _("Say why the finding is withdrawn."), max_length=300)
    now = timezone.now()
    # No "cancelled" action state in the model: a returned action is final, which is what this needs.
    for action in CorrectiveAction.objects.select_for_update().filter(
        finding=finding, state__in=LIVE_ACTION_STATES
    ):
        action.state, action.decided_by = ActionState.RETURNED, actor
        action.office_note = _("The finding was withdrawn: {reason}").format(reason=reason)
        action.save(update_fields=["state", "decided_by", "office_note", "updated_at"])
    finding.state, finding.withdraw_reason, finding.closed_at = FindingState.WITHDRAWN, reason, now
    finding.save(update_fields=["state", "withdraw_reason", "closed_at", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.FINDING_SAVED,
        obj=finding,
        province=inspection.province,
        reason=reason,
        details={"public_id": str(finding.public_id), "change": "withdrawn"},
    )
    if inspection.state == InspectionState.DONE:  # the unit was told of it
        unit = finding.unit

        def to_unit() -> tuple[str, str]:
            return (
                _("A finding at {unit} is withdrawn").format(unit=unit.name),
                _("The finding “{text}” is withdrawn: {reason}").format(
                    text=finding.text[:120], reason=reason
                ),
            )

        notify_after_commit(unit_reps(unit.pk), to_unit, link=finding_link(finding), skip=actor)
    return finding
