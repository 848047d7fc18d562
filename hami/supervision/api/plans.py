"""The API of inspection plans (issue 6, point 3), with the same services and access as the pages:

- GET  /inspection-plans                     the plans visible to you (the office: its province's; an
                                             inspector: the province's published ones), newest first
- POST /inspection-plans                     generate a draft for a Jalali month or season (the office)
- GET  /inspection-plans/{id}                one plan: what the planner said, its inspectors and visits
- POST /inspection-plans/{id}/publish        publish a draft (the period's published plan is withdrawn)
- POST /inspection-plans/{id}/withdraw       withdraw a draft or published plan, with the reason
- POST /inspection-plans/{id}/visits/{visit}/move    move a draft's visit (inspector and/or day)
- POST /inspection-plans/{id}/visits/{visit}/remove  take a visit off a draft
- GET  /inspection-calendar?month=YYYY-MM    the province's live visits of a Jalali month

Ids are UUIDs, people usernames, dates ISO 8601; refusals {code, message, field}; a plan outside the
caller's scope is a 404; a unit representative is refused (403): units never see plans.
"""

import datetime as dt
from uuid import UUID

import jdatetime
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from hami.core.api import Error
from hami.core.errors import Forbidden, HamiError
from hami.core.models import Province, User
from hami.core.month import month_bounds
from hami.core.pagination import Pagination
from hami.core.persian import to_ascii_digits
from hami.supervision.access import (
    calendar_visits_for_user,
    may_plan,
    may_see_plans,
    plan_for_user,
    plans_for_user,
)
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import Inspection, InspectionPlan, InspectionState, PeriodKind, PlanState
from hami.supervision.services import plans as services

router = Router(tags=["supervision-plans"])
REFUSALS = {400: Error, 403: Error, 404: Error}
LIVE_STATES = [InspectionState.PLANNED, InspectionState.IN_PROGRESS, InspectionState.DONE]


# ---------------------------------------------------------------- schemas


class PlanReasonOut(Schema):
    code: str
    text: str  # in the request's language
    values: dict = Field(default_factory=dict, description="the numbers behind the text (days, dates, tier)")


class PlanVisitOut(Schema):
    id: UUID = Field(alias="public_id")
    unit: UUID
    unit_name: str
    county: str  # the county's code
    inspector: str  # username
    day: dt.date = Field(alias="scheduled_on")
    unannounced: bool
    state: InspectionState
    tier: str
    reasons: list[PlanReasonOut]

    @staticmethod
    def resolve_unit(obj: Inspection):
        return obj.unit.public_id

    @staticmethod
    def resolve_unit_name(obj: Inspection):
        return obj.unit.name

    @staticmethod
    def resolve_county(obj: Inspection):
        return obj.county.code

    @staticmethod
    def resolve_inspector(obj: Inspection):
        return obj.inspector.username

    @staticmethod
    def resolve_tier(obj: Inspection):
        return services.visit_tier(obj)

    @staticmethod
    def resolve_reasons(obj: Inspection):
        return [
            {"code": r.get("code", ""), "text": services.reason_text(r), "values": r.get("values") or {}}
            for r in obj.reasons or []
        ]


class PlanOut(Schema):
    id: UUID = Field(alias="public_id")
    province: str  # the province's code
    period_kind: PeriodKind
    year: int  # Jalali
    period: int  # month 1–12 or season 1–4
    label: str
    starts_on: dt.date
    ends_on: dt.date  # inclusive
    state: PlanState
    visit_count: int  # planned, in progress or done
    policy_version: int
    created_by: str
    created_at: dt.datetime
    published_by: str | None
    published_at: dt.datetime | None
    withdraw_reason: str

    @staticmethod
    def resolve_province(obj: InspectionPlan):
        return obj.province.code

    @staticmethod
    def resolve_label(obj: InspectionPlan):
        return services.period_label(obj.period_kind, obj.year, obj.period)

    @staticmethod
    def resolve_visit_count(obj: InspectionPlan):
        count = getattr(obj, "visit_count", None)
        return count if count is not None else obj.visits.filter(state__in=LIVE_STATES).count()

    @staticmethod
    def resolve_created_by(obj: InspectionPlan):
        return obj.created_by.username

    @staticmethod
    def resolve_published_by(obj: InspectionPlan):
        return obj.published_by.username if obj.published_by_id else None


class PlanInspectorOut(Schema):
    inspector: str
    days: list[dt.date]
    visits_per_day: int

    @staticmethod
    def resolve_inspector(obj):
        return obj.inspector.username


class PlanUnplacedOut(Schema):
    unit: UUID | None
    unit_name: str
    county: str  # the county's name
    tier: str
    number: int  # which visit of the period could not be placed (1: none was)
    due_on: dt.date
    reason: str  # capacity, rotation or period_end
    text: str
    overdue_days: int

    @staticmethod
    def resolve_unit(obj):
        return obj.get("public_id")

    @staticmethod
    def resolve_unit_name(obj):
        return obj.get("name_fa", "")

    @staticmethod
    def resolve_county(obj):
        return obj.get("county_name", "")

    @staticmethod
    def resolve_text(obj):
        return services.unplaced_text(obj.get("reason", ""))


class PlanDetailOut(PlanOut):
    summary: dict = Field(description="the planner's counts: visits, capacity, county changes, overdue…")
    policy: dict = Field(description="the instruction's numbers the plan was made with")
    inspectors: list[PlanInspectorOut]
    unplaced: list[PlanUnplacedOut]
    visits: list[PlanVisitOut]

    @staticmethod
    def resolve_summary(obj: InspectionPlan):
        return (obj.report or {}).get("summary", {})

    @staticmethod
    def resolve_policy(obj: InspectionPlan):
        return (obj.report or {}).get("policy", {})

    @staticmethod
    def resolve_inspectors(obj: InspectionPlan):
        return list(obj.inspectors.select_related("inspector").order_by("inspector__username"))

    @staticmethod
    def resolve_unplaced(obj: InspectionPlan):
        return (obj.report or {}).get("unplaced", [])

    @staticmethod
    def resolve_visits(obj: InspectionPlan):
        return list(
            obj.visits.select_related("unit", "county", "inspector").order_by(
                "scheduled_on", "inspector_id", "pk"
            )
        )


class PlanAvailabilityIn(Schema):
    inspector: str = Field(max_length=150)  # username
    days: list[dt.date] = Field(max_length=200)


class PlanIn(Schema):
    province: str | None = Field(None, max_length=40)  # a province's code; only a national admin names one
    period_kind: PeriodKind
    year: int = Field(ge=services.MIN_YEAR, le=services.MAX_YEAR)
    period: int = Field(ge=1, le=12)
    # Each inspector kept and their available days; omitted: every active inspector, every working day.
    availability: list[PlanAvailabilityIn] | None = Field(None, max_length=500)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)  # the same seed draws the same unannounced visits


class PlanWithdrawIn(Schema):
    reason: str = Field(max_length=services.MAX_REASON)


class PlanVisitMoveIn(Schema):
    inspector: str = Field(max_length=150)
    day: dt.date


class PlanVisitRemoveIn(Schema):
    reason: str = Field("", max_length=services.MAX_REASON)


class PlanFilters(Schema):
    state: PlanState | None = None
    year: int | None = Field(None, ge=1, le=9999)


class PlanCalendarVisitOut(PlanVisitOut):
    kind: str
    plan: UUID | None

    @staticmethod
    def resolve_plan(obj: Inspection):
        return obj.plan.public_id if obj.plan_id else None


class PlanCalendarOut(Schema):
    month: str  # YYYY-MM, Jalali
    first: dt.date
    last: dt.date
    visits: list[PlanCalendarVisitOut]


# ---------------------------------------------------------------- helpers


def _reader(user: User) -> None:
    if not may_see_plans(user):
        raise Forbidden(
            Code.FORBIDDEN, _("Only the office and the province's inspectors see inspection plans.")
        )


def _plans(user: User):
    return plans_for_user(user).annotate(visit_count=Count("visits", filter=Q(visits__state__in=LIVE_STATES)))


def _plan(user: User, plan_id: str) -> InspectionPlan:
    _reader(user)
    return plan_for_user(user, plan_id)


def _office_plan(user: User, plan_id: str) -> InspectionPlan:
    plan = _plan(user, plan_id)
    if not may_plan(user, plan.province_id):
        raise Forbidden(
            Code.FORBIDDEN, _("Only the province's office staff, or a national admin, change plans.")
        )
    return plan


def _visit(plan: InspectionPlan, visit_id: str) -> Inspection:
    try:
        visit = plan.visits.select_related("plan", "unit").filter(public_id=visit_id).first()
    except (ValidationError, ValueError, TypeError):  # not a UUID: no such visit
        visit = None
    if visit is None:
        raise Http404(_("No such visit in this plan."))
    return visit


def _detail(user: User, plan: InspectionPlan) -> InspectionPlan:
    return _plans(user).get(pk=plan.pk)


# ---------------------------------------------------------------- endpoints


@router.get("/inspection-plans", response={200: list[PlanOut], 403: Error}, summary="Inspection plans")
@paginate(Pagination, page_size=50)
def list_plans(request, filters: Query[PlanFilters]):
    _reader(request.auth)
    plans = _plans(request.auth)
    if filters.state:
        plans = plans.filter(state=filters.state)
    if filters.year:
        plans = plans.filter(year=filters.year)
    return plans.order_by("-starts_on", "-created_at", "-pk")


@router.post(
    "/inspection-plans", response={201: PlanDetailOut, **REFUSALS}, summary="Generate a draft inspection plan"
)
def create_plan(request, payload: PlanIn):
    """The office of the province (a national admin names `province`). Refused with no_inspectors or
    no_capacity when nobody can make a visit in the period; nothing is written then."""
    user = request.auth
    if payload.province:
        province = Province.objects.filter(code=payload.province).first()
        if province is None:
            raise HamiError(Code.INVALID, _("No province has this code."), field="province")
    else:
        province = user.province
    if province is None:
        if not may_plan(user):
            raise Forbidden(
                Code.FORBIDDEN, _("Only the province's office staff, or a national admin, make plans.")
            )
        raise HamiError(Code.INVALID, _("Name the province."), field="province")
    availability = None
    if payload.availability is not None:
        names = [entry.inspector for entry in payload.availability]
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        availability = {}
        for index, entry in enumerate(payload.availability):
            if entry.inspector not in users:
                raise HamiError(
                    Code.NOT_AN_INSPECTOR,
                    _("No user has the username {name}.").format(name=entry.inspector),
                    field=f"availability.{index}.inspector",
                )
            availability[users[entry.inspector]] = entry.days
    plan = services.plan_generate(
        actor=user,
        province=province,
        period_kind=payload.period_kind,
        year=payload.year,
        period=payload.period,
        availability=availability,
        seed=payload.seed,
    )
    return Status(201, _detail(user, plan))


@router.get(
    "/inspection-plans/{plan_id}",
    response={200: PlanDetailOut, 403: Error, 404: Error},
    summary="One inspection plan with its visits",
)
def get_plan(request, plan_id: str):
    return _detail(request.auth, _plan(request.auth, plan_id))


@router.post(
    "/inspection-plans/{plan_id}/publish", response={200: PlanOut, **REFUSALS}, summary="Publish a draft plan"
)
def publish_plan(request, plan_id: str):
    plan = services.plan_publish(actor=request.auth, plan=_office_plan(request.auth, plan_id))
    return _detail(request.auth, plan)


@router.post(
    "/inspection-plans/{plan_id}/withdraw", response={200: PlanOut, **REFUSALS}, summary="Withdraw a plan"
)
def withdraw_plan(request, plan_id: str, payload: PlanWithdrawIn):
    plan = services.plan_withdraw(
        actor=request.auth, plan=_office_plan(request.auth, plan_id), reason=payload.reason
    )
    return _detail(request.auth, plan)


@router.post(
    "/inspection-plans/{plan_id}/visits/{visit_id}/move",
    response={200: PlanVisitOut, **REFUSALS},
    summary="Move a draft plan's visit",
)
def move_visit(request, plan_id: str, visit_id: str, payload: PlanVisitMoveIn):
    plan = _office_plan(request.auth, plan_id)
    visit = _visit(plan, visit_id)
    inspector = User.objects.filter(username=payload.inspector).first()
    if inspector is None:
        raise HamiError(
            Code.NOT_AVAILABLE,
            _("No user has the username {name}.").format(name=payload.inspector),
            field="inspector",
        )
    visit = services.plan_visit_move(actor=request.auth, visit=visit, inspector=inspector, day=payload.day)
    return Inspection.objects.select_related("unit", "county", "inspector").get(pk=visit.pk)


@router.post(
    "/inspection-plans/{plan_id}/visits/{visit_id}/remove",
    response={200: PlanVisitOut, **REFUSALS},
    summary="Take a visit off a draft plan",
)
def remove_visit(request, plan_id: str, visit_id: str, payload: PlanVisitRemoveIn):
    plan = _office_plan(request.auth, plan_id)
    visit = services.plan_visit_remove(
        actor=request.auth, visit=_visit(plan, visit_id), reason=payload.reason
    )
    return Inspection.objects.select_related("unit", "county", "inspector").get(pk=visit.pk)


@router.get(
    "/inspection-calendar",
    response={200: PlanCalendarOut, 400: Error, 403: Error},
    summary="The province's visits of a Jalali month",
)
def calendar(request, month: str = "", province: str = ""):
    """`month` is YYYY-MM in the Jalali calendar (default: the current month). Visits of published plans
    and ad-hoc visits, not cancelled. A national admin may name the `province` (a code)."""
    user = request.auth
    _reader(user)
    text = to_ascii_digits(month.strip())
    if text:
        try:
            year_text, month_text = text.split("-")
            year, number = int(year_text), int(month_text)
            first, last = month_bounds(year, number, jalali=True)
        except (ValueError, OverflowError) as exc:
            raise HamiError(
                Code.INVALID,
                _("Write the month as YYYY-MM in the Jalali calendar, e.g. 1405-02."),
                field="month",
            ) from exc
    else:
        today = jdatetime.date.fromgregorian(date=timezone.localdate())
        year, number = today.year, today.month
        first, last = month_bounds(year, number, jalali=True)
    visits = (
        calendar_visits_for_user(user)
        .exclude(state=InspectionState.CANCELLED)
        .filter(scheduled_on__range=(first, last))
    )
    if province and user.is_national:
        visits = visits.filter(province__code=province)
    return {
        "month": f"{year:04d}-{number:02d}",
        "first": first,
        "last": last,
        "visits": list(visits.order_by("scheduled_on", "inspector__username", "pk")),
    }
