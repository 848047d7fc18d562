"""The labs API: the public directory, the lab portal (its orders, results and reports, by token), and
the office's samples, assignment and capacity map. The same services as the pages."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict

from hami.core.api import Error
from hami.core.errors import Forbidden, HamiError
from hami.core.models import Role
from hami.core.pagination import Pagination
from hami.labs.access import (
    is_office_for,
    order_for_user,
    orders_for_user,
    sample_for_user,
    samples_for_user,
)
from hami.labs.assignment import Weights
from hami.labs.error_codes import LabsErrorCode
from hami.labs.models import AssignmentBatch, Lab, LabStatus, OrderState, Sample, TestItem
from hami.labs.selectors import capacity_map
from hami.labs.services import orders as order_services
from hami.labs.services import results as result_services
from hami.labs.services.samples import custody_record, sample_take
from hami.registry.models import Product
from hami.standards.models import Standard

router = Router(tags=["labs"])


class DirectoryLabOut(Schema):
    id: UUID = Field(alias="public_id")
    name_fa: str
    name_en: str
    kind: str
    status: str
    province: str
    county: str
    accreditation_number: str
    accreditation_body: str
    accreditation_expiry: dt.date | None

    @staticmethod
    def resolve_province(obj):
        return obj.province.code

    @staticmethod
    def resolve_county(obj):
        return obj.county.code


class DirectoryFilters(Schema):
    standard: int | None = None
    requirement: int | None = None
    category: str | None = Field(None, max_length=60)
    province: str | None = Field(None, max_length=40)
    county: str | None = Field(None, max_length=60)  # a county's code (with `province` where ambiguous)


@router.get("/labs/directory", response=list[DirectoryLabOut], auth=None, summary="The public lab directory")
@paginate(Pagination, page_size=50)
def directory(request, filters: Query[DirectoryFilters]):
    """Approved (and suspended, shown as such) labs; filter by what they are accredited to test and where."""
    labs = Lab.objects.filter(status__in=[LabStatus.APPROVED, LabStatus.SUSPENDED]).select_related(
        "province", "county"
    )
    if filters.requirement:
        labs = labs.filter(scope__requirement_id=filters.requirement, scope__active=True)
    if filters.standard:
        labs = labs.filter(scope__requirement__standard_id=filters.standard, scope__active=True)
    if filters.category:
        labs = labs.filter(
            scope__requirement__standard__categories__code=filters.category, scope__active=True
        )
    if filters.province:
        labs = labs.filter(province__code=filters.province)
    if filters.county:
        labs = labs.filter(county__code=filters.county)
    return labs.distinct().order_by("province__code", "name_fa", "pk")


class ItemOut(Schema):
    id: int
    clause: str
    requirement: str
    limit_kind: str
    low: Decimal | None
    high: Decimal | None
    requirement_unit: str
    price: int
    value: Decimal | None
    unit: str
    uncertainty: Decimal | None
    outcome: str
    method: str
    verdict: str
    reported_at: dt.datetime | None

    @staticmethod
    def resolve_clause(obj):
        return obj.requirement.clause

    @staticmethod
    def resolve_requirement(obj):
        return obj.requirement.title

    @staticmethod
    def resolve_limit_kind(obj):
        return obj.requirement.limit_kind

    @staticmethod
    def resolve_low(obj):
        return obj.requirement.low

    @staticmethod
    def resolve_high(obj):
        return obj.requirement.high

    @staticmethod
    def resolve_requirement_unit(obj):
        return obj.requirement.unit


class ReportOut(Schema):
    id: UUID = Field(alias="public_id")
    number: str
    version: int
    verdict: str
    conformity: str
    reason: str
    issued_at: dt.datetime


class OrderOut(Schema):
    id: UUID = Field(alias="public_id")
    number: str
    state: OrderState
    lab: UUID
    sample: str
    unit: str
    product: str
    standard: str
    due_on: dt.date | None
    reject_reason: str

    @staticmethod
    def resolve_lab(obj):
        return obj.lab.public_id

    @staticmethod
    def resolve_sample(obj):
        return obj.sample.code

    @staticmethod
    def resolve_unit(obj):
        return obj.sample.unit.name

    @staticmethod
    def resolve_product(obj):
        return obj.sample.product.name

    @staticmethod
    def resolve_standard(obj):
        return obj.sample.standard.code


class OrderDetailOut(OrderOut):
    items: list[ItemOut]
    reports: list[ReportOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.select_related("requirement").order_by("requirement__clause"))

    @staticmethod
    def resolve_reports(obj):
        return list(obj.reports.order_by("version"))


class OrderFilters(Schema):
    state: OrderState | None = None


@router.get("/labs/orders", response=list[OrderOut], summary="Test orders visible to you (a lab: its own)")
@paginate(Pagination, page_size=50)
def list_orders(request, filters: Query[OrderFilters]):
    orders = orders_for_user(request.auth).select_related("sample__standard")
    if filters.state:
        orders = orders.filter(state=filters.state)
    return orders.order_by("-created_at", "pk")


@router.get("/labs/orders/{order_id}", response=OrderDetailOut, summary="One test order with its results")
def get_order(request, order_id: str):
    return order_for_user(request.auth, order_id)


class RejectIn(Schema):
    reason: str = Field(max_length=300)


@router.post(
    "/labs/orders/{order_id}/accept", response={200: OrderDetailOut, 400: Error, 403: Error}, summary="Accept"
)
def accept_order(request, order_id: str):
    """Accepting twice changes nothing."""
    order_services.order_accept(actor=request.auth, order=order_for_user(request.auth, order_id))
    return get_order(request, order_id)


@router.post(
    "/labs/orders/{order_id}/reject",
    response={200: OrderDetailOut, 400: Error, 403: Error},
    summary="Reject with a reason",
)
def reject_order(request, order_id: str, payload: RejectIn):
    order = order_for_user(request.auth, order_id)
    order_services.order_reject(actor=request.auth, order=order, reason=payload.reason)
    return get_order(request, order_id)


class ResultIn(Schema):
    # A lab's system may send a measured value as a JSON number: read it as the text it was written as.
    model_config = ConfigDict(coerce_numbers_to_str=True)

    clause: str = Field(max_length=32)
    value: str | None = Field(None, max_length=40)
    unit: str = Field("", max_length=32)
    uncertainty: str | None = Field(None, max_length=40)
    method: str = Field("", max_length=200)
    outcome: str = Field("", max_length=4)
    reason: str = Field("", max_length=300)  # for a correction of an issued report


def _item(order, clause: str) -> TestItem:
    item = order.items.filter(requirement__clause=clause).select_related("requirement").first()
    if item is None:
        raise HamiError(
            LabsErrorCode.INVALID,
            _("Clause {clause} is not a test of this order.").format(clause=clause),
            field="clause",
        )
    return item


@router.post(
    "/labs/orders/{order_id}/results",
    response={200: OrderDetailOut, 400: Error, 403: Error},
    summary="Report one result (or correct one of an issued report, with a reason)",
)
def report_result(request, order_id: str, payload: ResultIn):
    """The same result twice changes nothing. After the report is issued, a result differs only through
    an amended report: send `reason`."""
    order = order_for_user(request.auth, order_id)
    item = _item(order, payload.clause)
    values = payload.dict(exclude={"clause", "reason"})
    if order.state == OrderState.REPORTED:
        result_services.result_correct(actor=request.auth, item=item, reason=payload.reason, **values)
    else:
        result_services.result_report(actor=request.auth, item=item, **values)
    return get_order(request, order_id)


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    rows: int
    created: int
    errors: list[ImportErrorOut]


class ImportRefusedOut(ImportOut):
    """A file with any bad row writes nothing: the refusal, like every other, with each row's error."""

    code: str
    message: str
    field: str | None = None


@router.post(
    "/labs/orders/{order_id}/results/file",
    response={200: ImportOut, 400: ImportRefusedOut, 403: Error},
    summary="Report results from a CSV or XLSX file: all or none",
)
def report_results_file(request, order_id: str, file: File[UploadedFile]):
    order = order_for_user(request.auth, order_id)
    result = result_services.results_import(
        actor=request.auth, order=order, file=file, filename=file.name or ""
    )
    body = {
        "rows": result.rows,
        "created": result.created,
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors],
    }
    if result.ok:
        return body
    first = result.errors[0]
    refused = {
        "code": LabsErrorCode.BAD_RESULT,
        "message": _("Nothing of the file was written: {error}").format(error=first.describe()),
        "field": "file",
    }
    return Status(400, {**refused, **body})


@router.post(
    "/labs/orders/{order_id}/report",
    response={200: ReportOut, 400: Error, 403: Error},
    summary="Issue the report (issuing twice returns the same report)",
)
def issue_report(request, order_id: str):
    return result_services.report_issue(actor=request.auth, order=order_for_user(request.auth, order_id))


# --- the office ---------------------------------------------------------------------------------------


class SampleOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    seal_number: str
    origin: str
    unit: str
    product: int
    standard: str
    taken_at: dt.datetime
    lot_size: int
    inspection_level: str
    aql: Decimal
    severity: str
    code_letter: str
    sample_size: int
    accept: int
    reject: int
    state: str
    verdict: str
    conformity: str
    lot_accepted: bool | None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.national_id

    @staticmethod
    def resolve_product(obj):
        return obj.product_id

    @staticmethod
    def resolve_standard(obj):
        return obj.standard.code


class SampleIn(Schema):
    product: int
    standard: int
    origin: str = Field(max_length=8)
    lot_size: int = Field(ge=1, le=10**9)
    seal_number: str = Field(max_length=40)
    place: str = Field("", max_length=300)
    lot_number: str = Field("", max_length=60)
    inspection_level: str = Field("II", max_length=4)
    aql: Decimal | None = Field(None, max_digits=7, decimal_places=3)
    taken_at: dt.datetime | None = None
    application: UUID | None = None  # a licence application the sample is for: its verdict decides it


@router.get("/labs/samples", response=list[SampleOut], summary="Samples visible to you")
@paginate(Pagination, page_size=50)
def list_samples(request):
    return samples_for_user(request.auth).order_by("-taken_at", "pk")


@router.post("/labs/samples", response={201: SampleOut, 400: Error, 403: Error}, summary="Record a sample")
def take_sample(request, payload: SampleIn):
    """The sample size comes from ISO 2859-1 for the lot, under the unit's switching state."""
    product = Product.objects.filter(pk=payload.product).select_related("unit").first()
    standard = Standard.objects.filter(pk=payload.standard).first()
    if product is None or standard is None:
        raise Http404(_("No such product or standard."))
    application = None
    if payload.application:
        from hami.licensing.access import application_for_user

        application = application_for_user(request.auth, payload.application)  # 404 outside the scope
    company = request.auth.company_memberships.select_related("company").first()
    data = payload.dict(exclude={"product", "standard", "application"})
    sample = sample_take(
        actor=request.auth,
        product=product,
        standard=standard,
        company=company.company if company else None,
        application=application,
        **data,
    )
    return Status(201, sample)


class CustodyIn(Schema):
    step: str = Field(max_length=10)
    lab: UUID | None = None
    seal_intact: bool | None = None
    note: str = Field("", max_length=300)


@router.post(
    "/labs/samples/{sample_id}/custody",
    response={200: SampleOut, 400: Error, 403: Error},
    summary="Record a hand-over of the sample",
)
def record_custody(request, sample_id: str, payload: CustodyIn):
    sample = sample_for_user(request.auth, sample_id)
    lab = Lab.objects.filter(public_id=payload.lab).first() if payload.lab else None
    custody_record(
        actor=request.auth,
        sample=sample,
        step=payload.step,
        lab=lab,
        seal_intact=payload.seal_intact,
        note=payload.note,
    )
    return sample_for_user(request.auth, sample_id)


class AssignmentIn(Schema):
    samples: list[UUID] = Field(default_factory=list, max_length=5000)  # empty: every waiting sample
    price_weight: float = Field(1.0, ge=0, le=1000)
    rials_per_km: float = Field(20_000, ge=0, le=1e9)
    rials_per_day: float = Field(1_000_000, ge=0, le=1e10)
    rials_per_order: float = Field(0, ge=0, le=1e10)
    rotation_limit: int = Field(3, ge=1, le=50)


class PlacementOut(Schema):
    sample: str
    requirement: int
    lab: UUID | None
    cost: int | None
    explanation: list[str]


class AssignmentOut(Schema):
    id: int
    feasible: bool
    total_cost: Decimal
    confirmed_at: dt.datetime | None
    placements: list[PlacementOut]
    shortages: list[dict]
    orders: list[str]


def _assignment_out(batch: AssignmentBatch) -> dict:
    placements = batch.report["placements"]
    lab_ids = {p["lab"] for p in placements.values() if p["lab"]} | {
        alt["lab"] for p in placements.values() for alt in p["alternatives"]
    }
    labs = {lab.pk: lab for lab in Lab.objects.filter(pk__in=lab_ids)}
    names = {pk: lab.name for pk, lab in labs.items()}
    codes = dict(
        Sample.objects.filter(pk__in={int(k.split(":")[0]) for k in placements}).values_list("pk", "code")
    )
    rows = []
    for key, data in placements.items():
        placement = order_services.placement_from_json(key, data)
        sample_id, requirement_id = (int(part) for part in key.split(":"))
        rows.append(
            {
                "sample": codes.get(sample_id, ""),
                "requirement": requirement_id,
                "lab": labs[placement.lab].public_id if placement.lab else None,
                "cost": placement.cost.total if placement.cost else None,
                "explanation": placement.explain(names),
            }
        )
    return {
        "id": batch.pk,
        "feasible": batch.feasible,
        "total_cost": batch.total_cost,
        "confirmed_at": batch.confirmed_at,
        "placements": rows,
        "shortages": batch.report.get("shortages", []),
        "orders": list(batch.orders.values_list("number", flat=True)),
    }


@router.post(
    "/labs/assignments",
    response={201: AssignmentOut, 400: Error, 403: Error},
    summary="Propose an optimal assignment of waiting tests to labs",
)
def propose_assignment(request, payload: AssignmentIn):
    """Solved exactly (HiGHS); every placement explained; nothing is sent until it is confirmed."""
    user = request.auth
    if user.province_id is None:
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("Only a provincial office assigns tests to labs."))
    samples = Sample.objects.filter(province_id=user.province_id)
    if payload.samples:
        samples = samples.filter(public_id__in=payload.samples)
    weights = Weights(
        price=payload.price_weight,
        distance=payload.rials_per_km,
        turnaround=payload.rials_per_day,
        order=payload.rials_per_order,
    )
    batch = order_services.assignment_propose(
        actor=user,
        province=user.province,
        samples=samples,
        weights=weights,
        rotation_limit=payload.rotation_limit,
    )
    return Status(201, _assignment_out(batch))


@router.post(
    "/labs/assignments/{batch_id}/confirm",
    response={200: AssignmentOut, 400: Error, 403: Error},
    summary="Send the proposed orders to the labs",
)
def confirm_assignment(request, batch_id: int):
    batch = AssignmentBatch.objects.filter(pk=batch_id).first()
    if batch is None or not is_office_for(request.auth, batch.province_id):  # as the page: another's is 404
        raise Http404(_("No assignment with this number is visible to you."))
    order_services.assignment_confirm(actor=request.auth, batch=batch)
    batch.refresh_from_db()
    return _assignment_out(batch)


class CapacityOut(Schema):
    standard: str
    clause: str
    requirement: str
    labs_in_province: int
    labs_in_country: int
    yearly_capacity: int
    demand_last_12_months: int
    no_lab_in_country: bool


class CapacityFilters(Schema):
    standard: int | None = None
    category: str | None = Field(None, max_length=60)
    gaps_only: bool = False


@router.get("/labs/capacity", response=list[CapacityOut], summary="The test-capacity map")
def capacity(request, filters: Query[CapacityFilters]):
    """For every requirement of the mandatory standards: labs that can test it in your province and in
    the country, yearly capacity against the last 12 months' demand."""
    user = request.auth
    from hami.standards.models import ProductCategory

    if user.role not in (Role.OFFICE_STAFF, Role.NATIONAL_ADMIN, Role.INSPECTOR):  # as the page
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("The test-capacity map is for the standards offices."))
    standard = Standard.objects.filter(pk=filters.standard).first() if filters.standard else None
    category = ProductCategory.objects.filter(code=filters.category).first() if filters.category else None
    # An unknown filter must not quietly widen the answer to every requirement.
    if filters.standard and standard is None:
        raise HamiError(LabsErrorCode.INVALID, _("No standard has this id."), field="standard")
    if filters.category and category is None:
        raise HamiError(LabsErrorCode.INVALID, _("No product category has this code."), field="category")
    rows = capacity_map(user.province, standard=standard, category=category, gaps_only=filters.gaps_only)
    return [
        {
            "standard": row.requirement.standard.code,
            "clause": row.requirement.clause,
            "requirement": row.requirement.title,
            "labs_in_province": row.labs_in_province,
            "labs_in_country": row.labs_in_country,
            "yearly_capacity": row.yearly_capacity,
            "demand_last_12_months": row.demand,
            "no_lab_in_country": row.gap,
        }
        for row in rows
    ]
