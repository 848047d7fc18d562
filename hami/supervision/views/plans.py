"""Pages of inspection plans (point 3): the plans of the province, a new plan (period, the inspectors'
available days), a plan (what the planner said, the visits by day and inspector, the units it could not
place; publish, withdraw, move or remove a draft's visit) and the office calendar (every live visit of
the province in a Jalali month). The office does everything; the province's inspectors read published
plans and the calendar; units never see a plan (their announced visits are on the inspection pages)."""

import datetime as dt
from collections import Counter, defaultdict
from types import SimpleNamespace

import jdatetime
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.errors import Forbidden, HamiError
from hami.core.forms import errors_to_messages
from hami.core.jalali import in_persian
from hami.core.models import Role, User
from hami.core.month import JALALI_MONTHS_FA, month_bounds, month_grid, parse_month
from hami.core.persian import to_ascii_digits, to_persian_digits
from hami.supervision import planning
from hami.supervision.access import (
    calendar_visits_for_user,
    may_plan,
    may_see_plans,
    plan_for_user,
    plans_for_user,
)
from hami.supervision.forms_plans import (
    AvailabilityForm,
    PlanFilterForm,
    PlanPeriodForm,
    PlanWithdrawForm,
    VisitMoveForm,
    VisitRemoveForm,
    next_month,
)
from hami.supervision.models import InspectionState, PeriodKind, PlanState, Tier
from hami.supervision.services import plans as services

MAX_UNPLACED_SHOWN = 300  # the page lists the most urgent; the API gives them all
LIVE_STATES = [InspectionState.PLANNED, InspectionState.IN_PROGRESS, InspectionState.DONE]


def _require_reader(user) -> None:
    if not may_see_plans(user):
        raise PermissionDenied


def _require_planner(user, province_id: int | None = None) -> None:
    if not may_plan(user, province_id):
        raise PermissionDenied


def _row_id(text: str | None) -> int | None:
    """A row id from the query string (any digits), or None for junk or a number no row can have."""
    digits = to_ascii_digits(text or "").strip()
    return int(digits) if digits.isdigit() and int(digits) < 2**63 else None


def _tier_label(tier: str) -> str:
    return str(Tier(tier).label) if tier in Tier.values else tier


# ---------------------------------------------------------------- list and new


@login_required
def plan_list(request):
    user = request.user
    _require_reader(user)
    form = PlanFilterForm(request.GET or None)
    plans = plans_for_user(user).annotate(
        visit_count=Count("visits", filter=Q(visits__state__in=LIVE_STATES))
    )
    if form.is_valid() and form.cleaned_data["state"]:
        plans = plans.filter(state=form.cleaned_data["state"])
    page = Paginator(plans.order_by("-starts_on", "-created_at", "-pk"), 30).get_page(request.GET.get("page"))
    for plan in page:
        plan.label = services.period_label(plan.period_kind, plan.year, plan.period)
    context = {"form": form, "page": page, "office": may_plan(user), "national": user.is_national}
    return render(request, "supervision/plans/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    """The period comes in the query string (changing it redraws the days); the POST generates."""
    user = request.user
    _require_planner(user)
    year, month = next_month(timezone.localdate())
    period_form = PlanPeriodForm(
        request.GET if "period_kind" in request.GET else None,
        user=user,
        initial={
            "period_kind": PeriodKind.MONTH,
            "year": year,
            "month": month,
            "season": (month - 1) // 3 + 1,
        },
    )
    if period_form.is_bound:
        data = period_form.cleaned_data if period_form.is_valid() else None
    else:
        data = {"period_kind": PeriodKind.MONTH, "year": year, "period": month, "province": None}
    province = (data.get("province") or user.province) if data else None
    context = {"period_form": period_form}
    if province is not None:  # a national admin first chooses the province
        if not may_plan(user, province.pk):
            raise PermissionDenied
        try:
            first, last = services.period_bounds(data["period_kind"], data["year"], data["period"])
        except HamiError as exc:
            period_form.add_error(None, exc.message)
        else:
            days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
            working = set(services.working_days(province, first, last))
            inspectors = services.province_inspectors(province)
            form = AvailabilityForm(
                request.POST if request.method == "POST" else None,
                inspectors=inspectors,
                days=days,
                working=working,
            )
            if request.method == "POST" and form.is_valid():
                try:
                    plan = services.plan_generate(
                        actor=user,
                        province=province,
                        period_kind=data["period_kind"],
                        year=data["year"],
                        period=data["period"],
                        availability=form.availability(),
                    )
                except Forbidden as exc:
                    raise PermissionDenied(exc.message) from exc
                except HamiError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, _("The draft plan is ready: review it, then publish it."))
                    return redirect("supervision:plan_detail", public_id=plan.public_id)
            context.update(
                {
                    "form": form,
                    "rows": form.rows(),
                    "province": province,
                    "first": first,
                    "last": last,
                    "label": services.period_label(data["period_kind"], data["year"], data["period"]),
                    "working_count": len(working),
                    "query": request.GET.urlencode(),
                }
            )
    return render(request, "supervision/plans/new.html", context)


# ---------------------------------------------------------------- one plan


def _months_of(plan) -> list[dict]:
    """The Jalali months of the plan's period, for the month tabs of a season."""
    start = jdatetime.date.fromgregorian(date=plan.starts_on)
    months = [(start.year, start.month)]
    if plan.period_kind == PeriodKind.SEASON:
        months += [(start.year, start.month + 1), (start.year, start.month + 2)]
    names = JALALI_MONTHS_FA if in_persian() else services.MONTHS_EN
    return [{"key": f"{y:04d}-{m:02d}", "title": names[m - 1], "bounds": month_bounds(y, m, jalali=True)}
            for y, m in months]  # fmt: skip


@login_required
def plan_detail(request, public_id):
    user = request.user
    _require_reader(user)
    plan = plan_for_user(user, public_id)
    office = may_plan(user, plan.province_id)
    seats = list(
        plan.inspectors.select_related("inspector").order_by("inspector__last_name", "inspector__username")
    )
    live = list(
        plan.visits.filter(state__in=LIVE_STATES)
        .values_list("inspector_id", "scheduled_on", "county_id")
        .order_by()
    )
    per_inspector = Counter(inspector for inspector, _day, _county in live)
    days_worked = Counter(inspector for inspector, _day in {(i, d) for i, d, _c in live})
    for seat in seats:
        seat.visit_count = per_inspector.get(seat.inspector_id, 0)
        seat.day_count = days_worked.get(seat.inspector_id, 0)
        seat.capacity = len(seat.days) * seat.visits_per_day
    changes = planning.county_changes(SimpleNamespace(inspector=i, day=d, county=c) for i, d, c in live)

    months = _months_of(plan)
    chosen = next((m for m in months if m["key"] == request.GET.get("month")), months[0])
    inspector_id = _row_id(request.GET.get("inspector"))
    visits = plan.visits.filter(scheduled_on__range=chosen["bounds"]).select_related(
        "unit", "county", "inspector"
    )
    if inspector_id is not None:
        visits = visits.filter(inspector_id=inspector_id)
    days: dict[dt.date, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for visit in visits.order_by("scheduled_on", "inspector__username", "county__name_fa", "pk"):
        visit.tier = services.visit_tier(visit)
        visit.tier_label = _tier_label(visit.tier)
        visit.reason_texts = [services.reason_text(reason) for reason in visit.reasons or []]
        days[visit.scheduled_on][visit.inspector_id].append(visit)
    report = plan.report or {}
    unplaced = report.get("unplaced", [])
    persian = in_persian()
    for entry in unplaced[:MAX_UNPLACED_SHOWN]:
        entry["tier_label"] = _tier_label(entry.get("tier", ""))
        entry["reason_text"] = services.unplaced_text(entry.get("reason", ""))
        entry["due"] = dt.date.fromisoformat(entry["due_on"]) if entry.get("due_on") else None
        entry["name"] = entry.get("name_fa") if persian else (entry.get("name_en") or entry.get("name_fa"))
    context = {
        "plan": plan,
        "label": services.period_label(plan.period_kind, plan.year, plan.period),
        "office": office,
        "draft": plan.state == PlanState.DRAFT,
        "may_publish": office and PlanState.PUBLISHED in services.PLAN_MOVES[plan.state],
        "may_withdraw": office and PlanState.WITHDRAWN in services.PLAN_MOVES[plan.state],
        "withdraw_form": PlanWithdrawForm(),
        "summary": report.get("summary", {}),
        "policy": report.get("policy", {}),
        "seats": seats,
        "visit_count": len(live),
        "county_changes": changes,
        "removed": plan.visits.filter(state=InspectionState.CANCELLED).count() if office else 0,
        "months": months if len(months) > 1 else [],
        "month": chosen,
        "inspector_id": inspector_id,
        "days": [
            (day, [(by[0].inspector, by) for by in inspectors.values()]) for day, inspectors in days.items()
        ],
        "unplaced": unplaced[:MAX_UNPLACED_SHOWN],
        "unplaced_more": max(0, len(unplaced) - MAX_UNPLACED_SHOWN),
        "unplaced_count": len(unplaced),
    }
    return render(request, "supervision/plans/detail.html", context)


def _office_plan(request, public_id):
    _require_reader(request.user)
    plan = plan_for_user(request.user, public_id)
    _require_planner(request.user, plan.province_id)
    return plan


@login_required
@require_POST
def plan_publish(request, public_id):
    plan = _office_plan(request, public_id)
    try:
        services.plan_publish(actor=request.user, plan=plan)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The plan is published: the inspectors and the units were told."))
    return redirect("supervision:plan_detail", public_id=plan.public_id)


@login_required
@require_POST
def plan_withdraw(request, public_id):
    plan = _office_plan(request, public_id)
    form = PlanWithdrawForm(request.POST)
    if not form.is_valid():
        errors_to_messages(request, form)
        return redirect("supervision:plan_detail", public_id=plan.public_id)
    try:
        services.plan_withdraw(actor=request.user, plan=plan, reason=form.cleaned_data["reason"])
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The plan is withdrawn; its planned visits are cancelled."))
    return redirect("supervision:plan_detail", public_id=plan.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def plan_visit(request, public_id, visit_id):
    """A draft's visit: its reasons, and moving it (another inspector or day) or taking it off the plan."""
    plan = _office_plan(request, public_id)
    visit = plan.visits.select_related("unit", "county", "inspector").filter(public_id=visit_id).first()
    if visit is None:
        raise Http404(_("No such visit in this plan."))
    inspectors = User.objects.filter(pk__in=plan.inspectors.values("inspector_id")).order_by(
        "last_name", "username"
    )
    editable = plan.state == PlanState.DRAFT and visit.state == InspectionState.PLANNED
    move_form = VisitMoveForm(
        request.POST if request.POST.get("action") == "move" else None,
        inspectors=inspectors,
        initial={"inspector": visit.inspector_id, "day": visit.scheduled_on},
    )
    remove_form = VisitRemoveForm(request.POST if request.POST.get("action") == "remove" else None)
    if request.method == "POST":
        form = move_form if request.POST.get("action") == "move" else remove_form
        if form.is_valid():
            try:
                if form is move_form:
                    services.plan_visit_move(actor=request.user, visit=visit, **form.cleaned_data)
                    messages.success(request, _("The visit is moved."))
                else:
                    services.plan_visit_remove(
                        actor=request.user, visit=visit, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The visit is taken off the draft plan."))
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from exc
            except HamiError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                return redirect(f"{reverse('supervision:plan_detail', args=[plan.public_id])}?"
                                f"{urlencode({'month': _month_key(visit.scheduled_on)})}")  # fmt: skip
    seat = plan.inspectors.filter(inspector_id=visit.inspector_id).first()
    context = {
        "plan": plan,
        "label": services.period_label(plan.period_kind, plan.year, plan.period),
        "visit": visit,
        "tier": services.visit_tier(visit),
        "tier_label": _tier_label(services.visit_tier(visit)),
        "reason_texts": [services.reason_text(reason) for reason in visit.reasons or []],
        "editable": editable,
        "move_form": move_form,
        "remove_form": remove_form,
        "available": [dt.date.fromisoformat(day) for day in seat.days] if seat else [],
    }
    return render(request, "supervision/plans/visit.html", context)


def _month_key(day: dt.date) -> str:
    j = jdatetime.date.fromgregorian(date=day)
    return f"{j.year:04d}-{j.month:02d}"


# ---------------------------------------------------------------- the office calendar


@login_required
def plan_calendar(request):
    """Every live visit of the province in a Jalali month (published plans and ad-hoc visits), counted by
    day and county; a day's visits listed below the grid."""
    user = request.user
    _require_reader(user)
    today = timezone.localdate()
    jalali = in_persian()
    year, month = parse_month(request.GET.get("month"), today, jalali=jalali)
    first, last = month_bounds(year, month, jalali=jalali)
    visits = calendar_visits_for_user(user).exclude(state=InspectionState.CANCELLED)
    if user.is_national and request.GET.get("province"):
        visits = visits.filter(province__code=request.GET["province"])
    inspector_id = _row_id(request.GET.get("inspector"))
    if request.GET.get("mine"):
        visits = visits.filter(inspector=user)
    elif inspector_id is not None:
        visits = visits.filter(inspector_id=inspector_id)
    counts = (
        visits.filter(scheduled_on__range=(first, last))
        .values("scheduled_on", "county__name_fa", "county__name_en")
        .annotate(n=Count("pk"))
        .order_by("scheduled_on", "county__name_fa")
    )
    keep = {
        key: value for key, value in request.GET.items() if key in ("inspector", "mine", "province") and value
    }
    month_key = f"{year:04d}-{month:02d}"
    by_day = defaultdict(list)
    number = to_persian_digits if jalali else str
    for row in counts:
        county = row["county__name_fa"] if jalali else (row["county__name_en"] or row["county__name_fa"])
        day = row["scheduled_on"]
        by_day[day].append(
            SimpleNamespace(
                # The count first: a phone's narrow cell cuts the end of the text off.
                title=number(_("{count} in {county}").format(count=row["n"], county=county)),
                url="?" + urlencode({**keep, "month": month_key, "day": day.isoformat()}),
                css="primary",
            )
        )
    chosen = None
    try:
        chosen = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        chosen = None
    day_visits = []
    if chosen is not None and first <= chosen <= last:
        day_visits = list(
            visits.filter(scheduled_on=chosen).order_by("inspector__username", "county__name_fa", "pk")
        )
    context = {
        "month": month_grid(year, month, by_day, today=today, jalali=jalali),
        "month_url": reverse("supervision:plan_calendar"),
        "month_query": "&" + urlencode(keep) if keep else "",
        "chosen": chosen if day_visits or chosen else None,
        "day_visits": day_visits,
        "office": may_plan(user),
        "inspectors": services.province_inspectors(user.province)
        if user.province_id and may_plan(user)
        else [],
        "inspector_id": inspector_id,
        "mine": bool(request.GET.get("mine")),
        "is_inspector": user.role == Role.INSPECTOR,
    }
    return render(request, "supervision/plans/calendar.html", context)


urlpatterns = [
    path("plans/", plan_list, name="plan_list"),
    path("plans/new/", plan_new, name="plan_new"),
    path("plans/<uuid:public_id>/", plan_detail, name="plan_detail"),
    path("plans/<uuid:public_id>/publish/", plan_publish, name="plan_publish"),
    path("plans/<uuid:public_id>/withdraw/", plan_withdraw, name="plan_withdraw"),
    path("plans/<uuid:public_id>/visits/<uuid:visit_id>/", plan_visit, name="plan_visit"),
    path("calendar/", plan_calendar, name="plan_calendar"),
]
