"""The API of market surveillance cases and complaints (points 7 and 8), under /api/v1: market cases
(list, report a mark, move, close) and complaints (list, office filing, triage, investigate, close).
The same services and access helpers as the pages. A complaint is named by its licensing complaint's
public id (the case has none of its own); the complainant's contact is answered to the office only.
The public files complaints at POST /api/v1/verify/{tracking_code}/complaints (hami/licensing/api.py)."""

import datetime as dt
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from hami.core.api import Error
from hami.core.errors import HamiError
from hami.core.models import Role, User
from hami.core.pagination import Pagination
from hami.licensing.services.complaints import complaint_reference
from hami.supervision.access import (
    complaint_for_user,
    complaints_for_user,
    market_case_for_user,
    market_cases_for_user,
    may_see_contact,
)
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.forms_cases import (
    UNTRIAGED,
    complaints_in_office_order,
    filter_complaints,
    in_office_order,
    licence_by_key,
    unit_by_key,
)
from hami.supervision.models import (
    CaseKind,
    CaseState,
    ComplaintPriority,
    Inspection,
    TriageState,
)
from hami.supervision.services import cases as services

router = Router(tags=["supervision-cases"])
REFUSALS = {400: Error, 403: Error, 404: Error}


def _unit(key: str | None, field: str = "unit"):
    if not key:
        return None
    unit = unit_by_key(key)
    if unit is None:
        raise HamiError(Code.INVALID, _("No production unit has this identifier."), field=field)
    return unit


def _licence(key: str | None):
    if not key:
        return None
    licence = licence_by_key(key)
    if licence is None:
        raise HamiError(Code.INVALID, _("No licence has this number or tracking code."), field="licence")
    return licence


def _assignee(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise HamiError(Code.INVALID, _("No user has this username."), field="assigned_to")
    return user


# ---------------------------------------------------------------- market cases


class MarketCaseOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: CaseKind
    state: CaseState
    province: str
    unit: UUID | None
    unit_name: str | None
    producer_name: str
    licence: str | None
    sample: str | None
    report: str | None
    report_conformity: str | None
    tracking_code: str
    mark_status: str
    place: str
    product_description: str
    outcome: str
    outcome_note: str
    coercive: bool
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_province(obj):
        return obj.province.code

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id if obj.unit_id else None

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_licence(obj):
        return obj.licence.number if obj.licence_id else None

    @staticmethod
    def resolve_sample(obj):
        return obj.sample.code if obj.sample_id else None

    @staticmethod
    def resolve_report(obj):
        return obj.report.number if obj.report_id else None

    @staticmethod
    def resolve_report_conformity(obj):
        return obj.report.conformity if obj.report_id else None

    @staticmethod
    def resolve_coercive(obj):
        return obj.state == CaseState.CLOSED and obj.outcome in services.COERCIVE_OUTCOMES


class MarketCaseFilters(Schema):
    state: CaseState | None = None
    kind: CaseKind | None = None


class MarketCaseReportIn(Schema):
    tracking_code: str = Field(..., max_length=40)
    place: str = Field(..., max_length=300)
    product_description: str = Field(..., max_length=300)
    producer_name: str = Field("", max_length=255)
    unit: str | None = Field(None, max_length=64, description="the producer: public id or national ID")
    as_printed: bool = Field(False, description="report a malformed code as printed on the product")


class MarketCaseMoveIn(Schema):
    state: str = Field(..., max_length=20)


class MarketCaseCloseIn(Schema):
    outcome: str = Field(..., max_length=20)
    note: str = Field("", max_length=4000)


@router.get("/market-cases", response=list[MarketCaseOut], summary="Market surveillance cases visible to you")
@paginate(Pagination, page_size=50)
def list_market_cases(request, filters: Query[MarketCaseFilters]):
    cases = market_cases_for_user(request.auth)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    return in_office_order(cases)


@router.post(
    "/market-cases",
    response={201: MarketCaseOut, **REFUSALS},
    summary="Report a product on sale whose mark's tracking code is unknown, expired, revoked or suspended",
)
def report_mark(request, payload: MarketCaseReportIn):
    """A valid active licence's code is refused (400 mark_valid) and nothing is written; a malformed code
    is refused (400 tracking_code_malformed) unless `as_printed`."""
    case = services.market_case_report_mark(
        actor=request.auth,
        tracking_code=payload.tracking_code,
        place=payload.place,
        product_description=payload.product_description,
        producer_name=payload.producer_name,
        unit=_unit(payload.unit),
        as_printed=payload.as_printed,
    )
    return Status(201, market_case_for_user(request.auth, case.public_id))


@router.get("/market-cases/{case_id}", response={200: MarketCaseOut, 404: Error}, summary="One market case")
def get_market_case(request, case_id: str):
    return market_case_for_user(request.auth, case_id)


@router.post(
    "/market-cases/{case_id}/move",
    response={200: MarketCaseOut, **REFUSALS},
    summary="Move a market case (open → investigating)",
)
def move_market_case(request, case_id: str, payload: MarketCaseMoveIn):
    case = market_case_for_user(request.auth, case_id)
    services.market_case_move(actor=request.auth, case=case, state=payload.state)
    return market_case_for_user(request.auth, case_id)


@router.post(
    "/market-cases/{case_id}/close",
    response={200: MarketCaseOut, **REFUSALS},
    summary="Close a market case with its outcome (withdrawn and referred are coercive)",
)
def close_market_case(request, case_id: str, payload: MarketCaseCloseIn):
    case = market_case_for_user(request.auth, case_id)
    services.market_case_close(actor=request.auth, case=case, outcome=payload.outcome, note=payload.note)
    return market_case_for_user(request.auth, case_id)


# ---------------------------------------------------------------- complaints


def _for_unit(context) -> bool:
    """The answer goes to a unit representative (who sees its complaints without the office's side)."""
    return context["request"].auth.role == Role.UNIT_REP


def _case(obj):
    return getattr(obj, "case", None)  # None: not triaged yet


class ComplaintCaseOut(Schema):
    id: UUID = Field(alias="public_id")
    reference: str
    received_at: dt.datetime = Field(alias="created_at")
    tracking_code: str
    text: str
    contact: str | None = Field(None, description="the complainant's contact: the office's only")
    triaged: bool
    state: str = Field(..., description="untriaged, received, investigating or closed")
    channel: str | None
    province: str | None
    unit: UUID | None
    unit_name: str | None
    licence: str | None
    priority: str | None
    assigned_to: str | None
    inspection: UUID | None
    outcome: str
    outcome_note: str
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_reference(obj):
        return complaint_reference(obj)

    @staticmethod
    def resolve_contact(obj, context):
        case = _case(obj)
        province_id = case.province_id if case else obj.province_id
        return obj.contact if may_see_contact(context["request"].auth, province_id) else None

    @staticmethod
    def resolve_triaged(obj):
        return _case(obj) is not None

    @staticmethod
    def resolve_state(obj):
        case = _case(obj)
        return case.state if case else UNTRIAGED

    @staticmethod
    def resolve_channel(obj):
        case = _case(obj)
        return case.channel if case else None

    @staticmethod
    def resolve_province(obj):
        case = _case(obj)
        province = case.province if case else obj.province
        return province.code if province else None

    @staticmethod
    def resolve_unit(obj):
        case = _case(obj)
        return case.unit.public_id if case and case.unit_id else None

    @staticmethod
    def resolve_unit_name(obj):
        case = _case(obj)
        return case.unit.name if case and case.unit_id else None

    @staticmethod
    def resolve_licence(obj):
        case = _case(obj)
        if case:
            return case.licence.number if case.licence_id else None
        return obj.licence.number if obj.licence_id else None

    @staticmethod
    def resolve_priority(obj):
        case = _case(obj)
        return case.priority if case else None

    # Who investigates and which visit is linked are the office's: a visit may be unannounced.
    @staticmethod
    def resolve_assigned_to(obj, context):
        case = _case(obj)
        if _for_unit(context) or not (case and case.assigned_to_id):
            return None
        return case.assigned_to.username

    @staticmethod
    def resolve_inspection(obj, context):
        case = _case(obj)
        if _for_unit(context) or not (case and case.inspection_id):
            return None
        return case.inspection.public_id

    @staticmethod
    def resolve_outcome(obj):
        case = _case(obj)
        return case.outcome if case else ""

    @staticmethod
    def resolve_outcome_note(obj):
        case = _case(obj)
        return case.outcome_note if case else ""

    @staticmethod
    def resolve_closed_at(obj):
        case = _case(obj)
        return case.closed_at if case else None


class ComplaintCaseFilters(Schema):
    state: str | None = Field(None, description="untriaged, received, investigating or closed", max_length=20)
    priority: ComplaintPriority | None = None


class ComplaintCaseFileIn(Schema):
    text: str = Field(..., max_length=4000)
    contact: str = Field("", max_length=200)
    unit: str = Field(..., max_length=64, description="public id or national ID")
    licence: str | None = Field(None, max_length=64, description="public id, number or tracking code")
    priority: str = Field(ComplaintPriority.NORMAL, max_length=10)
    assigned_to: str | None = Field(None, max_length=150, description="username")


class ComplaintCaseTriageIn(Schema):
    priority: str = Field(..., max_length=10)
    unit: str | None = Field(None, max_length=64, description="public id or national ID")
    licence: str | None = Field(None, max_length=64, description="public id, number or tracking code")
    assigned_to: str | None = Field(None, max_length=150, description="username")


class ComplaintCaseInvestigateIn(Schema):
    inspection: UUID | None = None


class ComplaintCaseCloseIn(Schema):
    outcome: str = Field(..., max_length=20)
    note: str = Field("", max_length=4000)


@router.get(
    "/complaints",
    response={200: list[ComplaintCaseOut], 400: Error},
    summary="Complaints and their cases: not triaged first (the office; a unit sees its own, no contact)",
)
@paginate(Pagination, page_size=50)
def list_complaints(request, filters: Query[ComplaintCaseFilters]):
    if filters.state and filters.state != UNTRIAGED and filters.state not in TriageState.values:
        raise HamiError(Code.INVALID, _("Unknown state of a complaint."), field="state")
    complaints = filter_complaints(complaints_for_user(request.auth), filters.dict())
    return complaints_in_office_order(complaints)


@router.post(
    "/complaints",
    response={201: ComplaintCaseOut, **REFUSALS},
    summary="Record a complaint the office took by phone, letter or visit (office)",
)
def file_complaint_by_office(request, payload: ComplaintCaseFileIn):
    case = services.complaint_file_by_office(
        actor=request.auth,
        text=payload.text,
        contact=payload.contact,
        unit=_unit(payload.unit),
        licence=_licence(payload.licence),
        priority=payload.priority,
        assigned_to=_assignee(payload.assigned_to),
    )
    return Status(201, complaint_for_user(request.auth, case.complaint.public_id))


@router.get(
    "/complaints/{complaint_id}", response={200: ComplaintCaseOut, 404: Error}, summary="One complaint"
)
def get_complaint(request, complaint_id: str):
    return complaint_for_user(request.auth, complaint_id)


@router.post(
    "/complaints/{complaint_id}/triage",
    response={200: ComplaintCaseOut, **REFUSALS},
    summary="Triage a public complaint: its unit and licence, priority and who investigates (office)",
)
def triage_complaint(request, complaint_id: str, payload: ComplaintCaseTriageIn):
    complaint = complaint_for_user(request.auth, complaint_id)
    services.complaint_triage(
        actor=request.auth,
        complaint=complaint,
        priority=payload.priority,
        unit=_unit(payload.unit),
        licence=_licence(payload.licence),
        assigned_to=_assignee(payload.assigned_to),
    )
    return complaint_for_user(request.auth, complaint_id)


def _triaged(request, complaint_id: str):
    complaint = complaint_for_user(request.auth, complaint_id)
    case = _case(complaint)
    if case is None:
        raise HamiError(Code.WRONG_STATE, _("Triage the complaint first."))
    return case


@router.post(
    "/complaints/{complaint_id}/investigate",
    response={200: ComplaintCaseOut, **REFUSALS},
    summary="Start investigating a complaint, linking the visit that checks it (office)",
)
def investigate_complaint(request, complaint_id: str, payload: ComplaintCaseInvestigateIn):
    case = _triaged(request, complaint_id)
    inspection = None
    if payload.inspection:
        inspection = Inspection.objects.filter(
            public_id=payload.inspection, province_id=case.province_id
        ).first()
        if inspection is None:
            raise HamiError(
                Code.INVALID, _("No visit of this province has this identifier."), field="inspection"
            )
    services.complaint_investigate(actor=request.auth, case=case, inspection=inspection)
    return complaint_for_user(request.auth, complaint_id)


@router.post(
    "/complaints/{complaint_id}/close",
    response={200: ComplaintCaseOut, **REFUSALS},
    summary="Close a complaint: upheld (counts in the unit's risk score), not upheld, or not ours (office)",
)
def close_complaint(request, complaint_id: str, payload: ComplaintCaseCloseIn):
    case = _triaged(request, complaint_id)
    services.complaint_close(actor=request.auth, case=case, outcome=payload.outcome, note=payload.note)
    return complaint_for_user(request.auth, complaint_id)
