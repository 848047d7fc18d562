"""The API of checklists, inspections, findings and corrective actions (issue 6, points 4 and 5), under
/api/v1/supervision/. The same services and access helpers as the pages: ids are UUIDs (checklists and
their items: codes), dates ISO 8601, refusals {code, message, field}; an object outside the caller's scope
is a 404."""

import datetime as dt
from uuid import UUID

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from hami.core.api import Error
from hami.core.errors import HamiError
from hami.core.models import Role, User
from hami.core.pagination import Pagination
from hami.licensing.models import Licence
from hami.registry.access import units_for_user
from hami.supervision.access import (
    action_for_user,
    actions_for_user,
    checklist_for_user,
    checklists_for_user,
    finding_for_user,
    findings_for_user,
    inspection_for_user,
    inspections_for_user,
    may_assess,
)
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import (
    ActionState,
    AnswerResult,
    ChecklistItem,
    CorrectiveAction,
    Evidence,
    Finding,
    FindingSeverity,
    FindingState,
    InspectionKind,
    InspectionState,
)
from hami.supervision.selectors import current_policy
from hami.supervision.services import actions as action_services
from hami.supervision.services import checklists as checklist_services
from hami.supervision.services import inspections as services

router = Router(tags=["supervision-inspections"])
REFUSALS = {400: Error, 403: Error, 404: Error}
BASE = "/supervision"


def _uuid_list(values: list[UUID], field: str, scope):
    """The objects of these public ids within the caller's scope, or a 400 naming the field."""
    found = {obj.public_id: obj for obj in scope.filter(public_id__in=values)}
    for value in values:
        if value not in found:
            raise HamiError(
                Code.INVALID, _("No such identifier is visible to you: {id}").format(id=value), field=field
            )
    return [found[value] for value in dict.fromkeys(values)]


def _instruction(context):
    """The instruction in force, read once per request (a list of findings would read it per row)."""
    request = context["request"]
    if not hasattr(request, "_hami_instruction"):
        request._hami_instruction = current_policy()
    return request._hami_instruction


# ---------------------------------------------------------------- schemas


class ChecklistItemOut(Schema):
    code: str
    text_fa: str
    text_en: str
    guidance: str
    severity: FindingSeverity
    order: int


class ChecklistOut(Schema):
    code: str
    name_fa: str
    name_en: str
    scheme: str
    standard: str | None
    active: bool

    @staticmethod
    def resolve_standard(obj):
        return f"{obj.standard.number}:{obj.standard.year}" if obj.standard_id else None


class ChecklistDetailOut(ChecklistOut):
    items: list[ChecklistItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class InspectionReasonOut(Schema):
    code: str = ""
    text: str


class InspectionOut(Schema):
    id: UUID = Field(alias="public_id")
    unit: UUID
    unit_name: str
    province: str
    county: str
    inspector: str
    scheduled_on: dt.date
    unannounced: bool
    kind: InspectionKind
    state: InspectionState
    reasons: list[InspectionReasonOut]
    plan: UUID | None
    checklist: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    summary: str
    cancel_reason: str
    checks: list[UUID]

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_province(obj):
        return obj.province.code

    @staticmethod
    def resolve_county(obj):
        return obj.county.code

    @staticmethod
    def resolve_inspector(obj):
        return obj.inspector.username

    @staticmethod
    def resolve_plan(obj):
        return obj.plan.public_id if obj.plan_id else None

    @staticmethod
    def resolve_checklist(obj):
        return obj.checklist.code if obj.checklist_id else None

    @staticmethod
    def resolve_checks(obj):
        return [finding.public_id for finding in obj.checks.all()]


class InspectionAnswerOut(Schema):
    item: str
    result: AnswerResult
    note: str
    answered_at: dt.datetime

    @staticmethod
    def resolve_item(obj):
        return obj.item.code


class FindingEvidenceOut(Schema):
    id: int = Field(alias="pk")
    name: str
    content_type: str
    size: int
    sha256: str
    created_at: dt.datetime
    url: str

    @staticmethod
    def resolve_url(obj):
        finding = obj.finding if obj.finding_id else obj.action.finding
        return reverse("supervision:finding_evidence_file", args=[finding.public_id, obj.pk])


class CorrectiveActionOut(Schema):
    id: UUID = Field(alias="public_id")
    finding: UUID
    unit: UUID
    text: str
    due_on: dt.date
    state: ActionState
    office_note: str
    evidence_note: str
    submitted_at: dt.datetime | None
    verified_at: dt.datetime | None
    escalated_at: dt.datetime | None
    overdue: bool
    created_at: dt.datetime
    evidence: list[FindingEvidenceOut]

    @staticmethod
    def resolve_finding(obj):
        return obj.finding.public_id

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id

    @staticmethod
    def resolve_overdue(obj):
        from django.utils import timezone

        return obj.state in (ActionState.ACCEPTED, ActionState.REOPENED) and obj.due_on < timezone.localdate()

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())


class FindingOut(Schema):
    id: UUID = Field(alias="public_id")
    inspection: UUID
    unit: UUID
    severity: FindingSeverity
    safety: bool
    text: str
    item: str | None
    licence: str | None
    repeat_of: UUID | None
    state: FindingState
    closed_at: dt.datetime | None
    withdraw_reason: str
    created_at: dt.datetime
    action_due_by: dt.date | None = Field(None, description="The latest date the unit may propose by itself")

    @staticmethod
    def resolve_inspection(obj):
        return obj.inspection.public_id

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id

    @staticmethod
    def resolve_item(obj):
        return obj.item.code if obj.item_id else None

    @staticmethod
    def resolve_licence(obj):
        return obj.licence.number if obj.licence_id else None

    @staticmethod
    def resolve_repeat_of(obj):
        return obj.repeat_of.public_id if obj.repeat_of_id else None

    @staticmethod
    def resolve_action_due_by(obj, context):
        if obj.state != FindingState.OPEN:
            return None
        return action_services.action_deadline(obj, _instruction(context))


class FindingDetailOut(FindingOut):
    evidence: list[FindingEvidenceOut]
    actions: list[CorrectiveActionOut]

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())

    @staticmethod
    def resolve_actions(obj):
        return list(obj.actions.all())


def _shows_work(context, inspection) -> bool:
    """A visit's checklist, answers and findings are for the province's staff, and for the unit once
    the visit is finished."""
    user = context["request"].auth
    return may_assess(user, inspection.province_id) or inspection.state == InspectionState.DONE


class InspectionDetailOut(InspectionOut):
    items: list[ChecklistItemOut]
    answers: list[InspectionAnswerOut]
    findings: list[FindingOut]

    @staticmethod
    def resolve_items(obj, context):
        if not obj.checklist_id or not _shows_work(context, obj):
            return []
        return list(obj.checklist.items.all())

    @staticmethod
    def resolve_answers(obj, context):
        return list(obj.answers.select_related("item")) if _shows_work(context, obj) else []

    @staticmethod
    def resolve_findings(obj, context):
        if not _shows_work(context, obj):
            return []
        return list(obj.findings.select_related("inspection", "unit", "item", "licence", "repeat_of"))


# ---------------------------------------------------------------- checklists


@router.get(f"{BASE}/checklists", response={200: list[ChecklistOut], 403: Error}, summary="Checklists")
def list_checklists(request):
    return list(checklists_for_user(request.auth).order_by("code"))


@router.get(
    f"{BASE}/checklists/{{code}}", response={200: ChecklistDetailOut, 404: Error}, summary="A checklist"
)
def get_checklist(request, code: str):
    return checklist_for_user(request.auth, code)


class ChecklistIn(Schema):
    code: str = Field("", max_length=60)
    name_fa: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    scheme: str = Field("", max_length=2)
    standard: str | None = Field(
        None, max_length=40, description='"number:year", or the number (newest revision)'
    )
    active: bool = True


@router.post(
    f"{BASE}/checklists",
    response={201: ChecklistDetailOut, **REFUSALS},
    summary="Create a checklist (national admin)",
)
def create_checklist(request, payload: ChecklistIn):
    checklist = checklist_services.checklist_save(
        actor=request.auth,
        code=payload.code,
        name_fa=payload.name_fa,
        name_en=payload.name_en,
        scheme=payload.scheme,
        standard=checklist_services.standard_from_text(payload.standard or ""),
        active=payload.active,
    )
    return Status(201, checklist)


@router.put(
    f"{BASE}/checklists/{{code}}", response={200: ChecklistDetailOut, **REFUSALS}, summary="Edit a checklist"
)
def edit_checklist(request, code: str, payload: ChecklistIn):
    checklist = checklist_for_user(request.auth, code)
    return checklist_services.checklist_save(
        actor=request.auth,
        checklist=checklist,
        code=checklist.code,
        name_fa=payload.name_fa,
        name_en=payload.name_en,
        scheme=payload.scheme,
        standard=checklist_services.standard_from_text(payload.standard or ""),
        active=payload.active,
    )


class ChecklistItemIn(Schema):
    code: str = Field(max_length=60)
    text_fa: str = Field(max_length=300)
    text_en: str = Field("", max_length=300)
    guidance: str = Field("", max_length=4000)
    severity: FindingSeverity = FindingSeverity.MAJOR
    order: int | None = Field(None, ge=0, le=32767)


@router.post(
    f"{BASE}/checklists/{{code}}/items",
    response={200: ChecklistItemOut, **REFUSALS},
    summary="Add an item to a checklist, or edit the item of that code (national admin)",
)
def save_checklist_item(request, code: str, payload: ChecklistItemIn):
    checklist = checklist_for_user(request.auth, code)
    item = checklist.items.filter(code=payload.code).first()
    return checklist_services.checklist_item_save(
        actor=request.auth,
        checklist=checklist,
        item=item,
        code=payload.code,
        text_fa=payload.text_fa,
        text_en=payload.text_en,
        guidance=payload.guidance,
        severity=payload.severity,
        order=payload.order,
    )


# ---------------------------------------------------------------- inspections


class InspectionFilters(Schema):
    state: InspectionState | None = None
    kind: InspectionKind | None = None
    inspector: str | None = Field(None, max_length=150, description="username")
    unit: UUID | None = None
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


@router.get(
    f"{BASE}/inspections", response=list[InspectionOut], summary="Inspections (visits), newest day first"
)
@paginate(Pagination, page_size=50)
def list_inspections(request, filters: Query[InspectionFilters]):
    visits = inspections_for_user(request.auth).prefetch_related(
        Prefetch("checks", queryset=Finding.objects.only("pk", "public_id"))
    )
    if filters.state:
        visits = visits.filter(state=filters.state)
    if filters.kind:
        visits = visits.filter(kind=filters.kind)
    if filters.inspector:
        visits = visits.filter(inspector__username=filters.inspector)
    if filters.unit:
        visits = visits.filter(unit__public_id=filters.unit)
    if filters.date_from:
        visits = visits.filter(scheduled_on__gte=filters.date_from)
    if filters.date_to:
        visits = visits.filter(scheduled_on__lte=filters.date_to)
    return visits.order_by("-scheduled_on", "-pk")


@router.get(
    f"{BASE}/inspections/{{inspection_id}}",
    response={200: InspectionDetailOut, 404: Error},
    summary="An inspection with its checklist, answers and findings",
)
def get_inspection(request, inspection_id: str):
    return inspection_for_user(request.auth, inspection_id)


class InspectionScheduleIn(Schema):
    unit: UUID
    inspector: str = Field(max_length=150, description="The inspector's username")
    scheduled_on: dt.date
    kind: InspectionKind
    note: str = Field("", max_length=300)
    unannounced: bool = False
    checks: list[UUID] = Field(default_factory=list, max_length=200)


@router.post(
    f"{BASE}/inspections",
    response={201: InspectionDetailOut, **REFUSALS},
    summary="Schedule an ad-hoc visit (office); a follow-up lists the open findings it checks",
)
def schedule_inspection(request, payload: InspectionScheduleIn):
    actor = request.auth
    unit = units_for_user(actor).filter(public_id=payload.unit).first()
    if unit is None:
        raise HamiError(
            Code.INVALID, _("No production unit with this identifier is visible to you."), field="unit"
        )
    inspector = User.objects.filter(username=payload.inspector, role=Role.INSPECTOR).first()
    if inspector is None:
        raise HamiError(Code.INVALID, _("No inspector has this username."), field="inspector")
    checks = _uuid_list(payload.checks, "checks", findings_for_user(actor))
    inspection = services.inspection_schedule(
        actor=actor,
        unit=unit,
        inspector=inspector,
        scheduled_on=payload.scheduled_on,
        kind=payload.kind,
        note=payload.note,
        unannounced=payload.unannounced,
        checks=checks,
    )
    return Status(201, inspection_for_user(actor, inspection.public_id))


@router.post(
    f"{BASE}/inspections/{{inspection_id}}/start",
    response={200: InspectionDetailOut, **REFUSALS},
    summary="Start a visit (its inspector, on or after its day)",
)
def start_inspection(request, inspection_id: str):
    inspection = inspection_for_user(request.auth, inspection_id)
    services.inspection_start(actor=request.auth, inspection=inspection)
    return inspection_for_user(request.auth, inspection_id)


class InspectionAnswerIn(Schema):
    item: str = Field(max_length=60, description="The item's code")
    result: AnswerResult
    note: str = Field("", max_length=500)


@router.post(
    f"{BASE}/inspections/{{inspection_id}}/answers",
    response={200: InspectionAnswerOut, **REFUSALS},
    summary="Answer one checklist item (again, to change it)",
)
def answer_item(request, inspection_id: str, payload: InspectionAnswerIn):
    inspection = inspection_for_user(request.auth, inspection_id)
    item = _item(inspection, payload.item)
    if item is None:
        raise HamiError(Code.NOT_ON_CHECKLIST, _("This item is not on the visit's checklist."), field="item")
    return services.checklist_answer(
        actor=request.auth, inspection=inspection, item=item, result=payload.result, note=payload.note
    )


def _item(inspection, code: str | None) -> ChecklistItem | None:
    if not code or not inspection.checklist_id:
        return None
    return inspection.checklist.items.filter(code=code).first()


class InspectionFinishIn(Schema):
    summary: str = Field(max_length=4000)
    checked: dict[UUID, str] = Field(
        default_factory=dict, description='Each open finding the visit checks: "open" or "corrected"'
    )


@router.post(
    f"{BASE}/inspections/{{inspection_id}}/finish",
    response={200: InspectionDetailOut, **REFUSALS},
    summary="Finish a visit; the unit is told of its findings",
)
def finish_inspection(request, inspection_id: str, payload: InspectionFinishIn):
    inspection = inspection_for_user(request.auth, inspection_id)
    services.inspection_finish(
        actor=request.auth,
        inspection=inspection,
        summary=payload.summary,
        checked={str(key): value for key, value in payload.checked.items()},
    )
    return inspection_for_user(request.auth, inspection_id)


class InspectionReasonIn(Schema):
    reason: str = Field(max_length=300)


@router.post(
    f"{BASE}/inspections/{{inspection_id}}/cancel",
    response={200: InspectionDetailOut, **REFUSALS},
    summary="Cancel a visit (office), with its reason",
)
def cancel_inspection(request, inspection_id: str, payload: InspectionReasonIn):
    inspection = inspection_for_user(request.auth, inspection_id)
    services.inspection_cancel(actor=request.auth, inspection=inspection, reason=payload.reason)
    return inspection_for_user(request.auth, inspection_id)


# ---------------------------------------------------------------- findings


class FindingFilters(Schema):
    state: FindingState | None = None
    severity: FindingSeverity | None = None
    unit: UUID | None = None
    inspection: UUID | None = None


@router.get(f"{BASE}/findings", response=list[FindingOut], summary="Findings, newest first")
@paginate(Pagination, page_size=50)
def list_findings(request, filters: Query[FindingFilters]):
    findings = findings_for_user(request.auth)
    if filters.state:
        findings = findings.filter(state=filters.state)
    if filters.severity:
        findings = findings.filter(severity=filters.severity)
    if filters.unit:
        findings = findings.filter(unit__public_id=filters.unit)
    if filters.inspection:
        findings = findings.filter(inspection__public_id=filters.inspection)
    return findings.order_by("-created_at", "-pk")


def _finding_detail(user, public_id):
    finding = finding_for_user(user, public_id)
    evidence = Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk"))
    actions = Prefetch(
        "actions",
        queryset=CorrectiveAction.objects.select_related("finding", "unit")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("action__finding")))
        .order_by("-created_at", "-pk"),
    )
    related = ("inspection", "unit", "item", "licence", "repeat_of")
    return Finding.objects.select_related(*related).prefetch_related(evidence, actions).get(pk=finding.pk)


@router.get(
    f"{BASE}/findings/{{finding_id}}",
    response={200: FindingDetailOut, 404: Error},
    summary="A finding with its evidence and corrective actions",
)
def get_finding(request, finding_id: str):
    return _finding_detail(request.auth, finding_id)


class FindingRecordIn(Schema):
    severity: FindingSeverity
    text: str = Field(max_length=4000)
    item: str | None = Field(None, max_length=60, description="The checklist item's code")
    safety: bool = False
    licence: str | None = Field(
        None, max_length=32, description="The licence number, if the finding is about one"
    )


@router.post(
    f"{BASE}/inspections/{{inspection_id}}/findings",
    response={201: FindingDetailOut, **REFUSALS},
    summary="Record a finding on a visit in progress (its inspector)",
)
def record_finding(request, inspection_id: str, payload: FindingRecordIn):
    inspection = inspection_for_user(request.auth, inspection_id)
    item = None
    if payload.item:
        item = _item(inspection, payload.item)
        if item is None:
            raise HamiError(
                Code.NOT_ON_CHECKLIST, _("This item is not on the visit's checklist."), field="item"
            )
    licence = None
    if payload.licence:
        licence = Licence.objects.filter(number=payload.licence, unit_id=inspection.unit_id).first()
        if licence is None:
            raise HamiError(Code.INVALID, _("The licence is not one of this unit's."), field="licence")
    finding = services.finding_record(
        actor=request.auth,
        inspection=inspection,
        severity=payload.severity,
        text=payload.text,
        item=item,
        safety=payload.safety,
        licence=licence,
    )
    return Status(201, _finding_detail(request.auth, finding.public_id))


@router.post(
    f"{BASE}/findings/{{finding_id}}/evidence",
    response={201: FindingEvidenceOut, **REFUSALS},
    summary="Add a photo (JPEG, PNG) or a PDF to an open finding (multipart `file`)",
)
def add_finding_evidence(request, finding_id: str, file: File[UploadedFile]):
    finding = finding_for_user(request.auth, finding_id)
    evidence = services.evidence_add(actor=request.auth, finding=finding, file=file)
    return Status(201, evidence)


@router.post(
    f"{BASE}/findings/{{finding_id}}/withdraw",
    response={200: FindingDetailOut, **REFUSALS},
    summary="Withdraw a finding recorded in error (office; its inspector during the visit)",
)
def withdraw_finding(request, finding_id: str, payload: InspectionReasonIn):
    finding = finding_for_user(request.auth, finding_id)
    services.finding_withdraw(actor=request.auth, finding=finding, reason=payload.reason)
    return _finding_detail(request.auth, finding_id)


# ---------------------------------------------------------------- corrective actions


class CorrectiveActionFilters(Schema):
    state: ActionState | None = None
    unit: UUID | None = None
    overdue: bool = False


@router.get(f"{BASE}/actions", response=list[CorrectiveActionOut], summary="Corrective actions, newest first")
@paginate(Pagination, page_size=50)
def list_actions(request, filters: Query[CorrectiveActionFilters]):
    actions = actions_for_user(request.auth).prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("action__finding"))
    )
    if filters.state:
        actions = actions.filter(state=filters.state)
    if filters.unit:
        actions = actions.filter(unit__public_id=filters.unit)
    if filters.overdue:
        actions = actions.filter(pk__in=action_services.actions_overdue().values("pk"))
    return actions.order_by("-created_at", "-pk")


def _action(user, public_id):
    action = action_for_user(user, public_id)
    return (
        CorrectiveAction.objects.select_related("finding", "unit")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("action__finding")))
        .get(pk=action.pk)
    )


@router.get(
    f"{BASE}/actions/{{action_id}}",
    response={200: CorrectiveActionOut, 404: Error},
    summary="A corrective action",
)
def get_action(request, action_id: str):
    return _action(request.auth, action_id)


class ActionProposeIn(Schema):
    text: str = Field(max_length=4000)
    due_on: dt.date


@router.post(
    f"{BASE}/findings/{{finding_id}}/actions",
    response={201: CorrectiveActionOut, **REFUSALS},
    summary="Propose a corrective action and its date for an open finding (the unit)",
)
def propose_action(request, finding_id: str, payload: ActionProposeIn):
    finding = finding_for_user(request.auth, finding_id)
    action = action_services.action_propose(
        actor=request.auth, finding=finding, text=payload.text, due_on=payload.due_on
    )
    return Status(201, _action(request.auth, action.public_id))


class ActionAcceptIn(Schema):
    due_on: dt.date | None = None
    note: str = Field("", max_length=4000)


class ActionNoteIn(Schema):
    note: str = Field(max_length=4000)


class ActionOptionalNoteIn(Schema):
    note: str = Field("", max_length=4000)


class ActionReopenIn(Schema):
    note: str = Field(max_length=4000)
    due_on: dt.date


@router.post(
    f"{BASE}/actions/{{action_id}}/accept",
    response={200: CorrectiveActionOut, **REFUSALS},
    summary="Accept a proposed action, perhaps with another date (office)",
)
def accept_action(request, action_id: str, payload: ActionAcceptIn):
    action = action_for_user(request.auth, action_id)
    action_services.action_accept(actor=request.auth, action=action, due_on=payload.due_on, note=payload.note)
    return _action(request.auth, action_id)


@router.post(
    f"{BASE}/actions/{{action_id}}/return",
    response={200: CorrectiveActionOut, **REFUSALS},
    summary="Ask the unit for another action, saying why (office)",
)
def return_action(request, action_id: str, payload: ActionNoteIn):
    action = action_for_user(request.auth, action_id)
    action_services.action_return(actor=request.auth, action=action, note=payload.note)
    return _action(request.auth, action_id)


@router.post(
    f"{BASE}/actions/{{action_id}}/evidence",
    response={201: FindingEvidenceOut, **REFUSALS},
    summary="Add a photo or PDF to an action under way (the unit before submitting, or the office)",
)
def add_action_evidence(request, action_id: str, file: File[UploadedFile]):
    action = action_for_user(request.auth, action_id)
    evidence = services.evidence_add(actor=request.auth, action=action, file=file)
    return Status(201, Evidence.objects.select_related("action__finding").get(pk=evidence.pk))


@router.post(
    f"{BASE}/actions/{{action_id}}/submit",
    response={200: CorrectiveActionOut, **REFUSALS},
    summary="Say what was done (the unit); files go before, through /evidence, or here as multipart `files`",
)
def submit_action(request, action_id: str, evidence_note: Form[str], files: File[list[UploadedFile]] = None):
    action = action_for_user(request.auth, action_id)
    action_services.action_submit(
        actor=request.auth, action=action, evidence_note=evidence_note, files=list(files or [])
    )
    return _action(request.auth, action_id)


@router.post(
    f"{BASE}/actions/{{action_id}}/verify",
    response={200: CorrectiveActionOut, **REFUSALS},
    summary="Verify the evidence: the finding is corrected (office)",
)
def verify_action(request, action_id: str, payload: ActionOptionalNoteIn):
    action = action_for_user(request.auth, action_id)
    action_services.action_verify(actor=request.auth, action=action, note=payload.note)
    return _action(request.auth, action_id)


@router.post(
    f"{BASE}/actions/{{action_id}}/reopen",
    response={200: CorrectiveActionOut, **REFUSALS},
    summary="Reopen an action whose evidence did not satisfy, with a note and a new date (office)",
)
def reopen_action(request, action_id: str, payload: ActionReopenIn):
    action = action_for_user(request.auth, action_id)
    action_services.action_reopen(actor=request.auth, action=action, note=payload.note, due_on=payload.due_on)
    return _action(request.auth, action_id)
