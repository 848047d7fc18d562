"""Writes of inspection plans (issue 6, point 3). The planner (hami/supervision/planning.py) makes a draft
for a province and a Jalali month or season; the office reviews it, moves or removes visits, publishes it
or withdraws it. A plan's visits are `Inspection` rows (routine, planned) with `plan` set; access.py hides
those of a draft or withdrawn plan from everyone but the office.

A plan's moves (docs/supervision.md draws them); the office makes every one:

    draft ──publish──▶ published ──withdraw──▶ withdrawn
      └──────────────withdraw─────────────────▲

Publishing withdraws the period's published plan, if any (the database keeps one published plan a
period), and cancels its visits still planned. Withdrawing cancels the plan's visits still planned.
Every function here is one transaction, writes one audit event and sends its notices after the commit.
"""

import datetime as dt
import functools
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping

import jdatetime
from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hami.core import workdays
from hami.core.audit import audit
from hami.core.calendar import holidays_for
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_date, in_persian
from hami.core.models import EventType, Province, Role, User
from hami.core.month import JALALI_MONTHS_FA
from hami.core.notify import notify
from hami.core.persian import normalize_text
from hami.registry.models import ProductionUnit, UnitMembership, UnitStatus
from hami.supervision import planning, selectors
from hami.supervision.access import may_plan
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import (
    Inspection,
    InspectionKind,
    InspectionPlan,
    InspectionState,
    PeriodKind,
    PlanInspector,
    PlanState,
    UnitScore,
)

# The plan's moves; every other move is refused with WRONG_STATE.
PLAN_MOVES: dict[str, frozenset[str]] = {
    PlanState.DRAFT: frozenset({PlanState.PUBLISHED, PlanState.WITHDRAWN}),
    PlanState.PUBLISHED: frozenset({PlanState.WITHDRAWN}),
    PlanState.WITHDRAWN: frozenset(),
}

MIN_YEAR, MAX_YEAR = 1390, 1499  # Jalali years a plan may be made for (2011–2121)
MONTHS_EN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)  # fmt: skip
SEASONS_FA = ("بهار", "تابستان", "پاییز", "زمستان")
SEASONS_EN = ("Spring", "Summer", "Autumn", "Winter")
MAX_REASON = 300
UNSCORED_TIER = "medium"  # a unit with no score yet is planned as medium risk, with that reason


# ---------------------------------------------------------------- periods, people, days


def period_bounds(period_kind: str, year, period) -> tuple[dt.date, dt.date]:
    """The first and last (Gregorian) day of a Jalali month (1–12) or season (1–4) of `year`.
    Raises HamiError(BAD_PERIOD)."""
    if period_kind not in PeriodKind.values:
        raise HamiError(Code.BAD_PERIOD, _("Choose a month or a season."), field="period_kind")
    try:
        year, period = int(year), int(period)
    except (TypeError, ValueError):
        year = period = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise HamiError(
            Code.BAD_PERIOD,
            _("The year must be a Jalali year from {low} to {high}.").format(low=MIN_YEAR, high=MAX_YEAR),
            field="year",
        )
    months = (period, period) if period_kind == PeriodKind.MONTH else (3 * period - 2, 3 * period)
    if period_kind == PeriodKind.MONTH and not 1 <= period <= 12:
        raise HamiError(Code.BAD_PERIOD, _("The month must be from 1 to 12."), field="period")
    if period_kind == PeriodKind.SEASON and not 1 <= period <= 4:
        raise HamiError(Code.BAD_PERIOD, _("The season must be from 1 to 4."), field="period")
    first = jdatetime.date(year, months[0], 1).togregorian()
    after_year, after_month = (year + 1, 1) if months[1] == 12 else (year, months[1] + 1)
    last = jdatetime.date(after_year, after_month, 1).togregorian() - dt.timedelta(days=1)
    return first, last


def period_label(period_kind: str, year: int, period: int) -> str:
    """ "Farvardin 1405" or "Spring 1405" (Persian names in Persian; the template converts the digits)."""
    if period_kind == PeriodKind.MONTH:
        name = (JALALI_MONTHS_FA if in_persian() else MONTHS_EN)[period - 1]
    else:
        name = (SEASONS_FA if in_persian() else SEASONS_EN)[period - 1]
    return f"{name} {year}"


def province_inspectors(province: Province):
    """The province's active inspectors, by name."""
    return User.objects.filter(role=Role.INSPECTOR, province=province, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def working_days(province: Province, first: dt.date, last: dt.date) -> list[dt.date]:
    """The period's working days in the province: no Friday, no holiday (nor Thursday where it is off)."""
    holidays = holidays_for(province, first, last)
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [
        day
        for day in days
        if workdays.is_working_day(
            day, holidays=holidays, thursday_works=settings.HAMI_THURSDAY_IS_WORKING_DAY
        )
    ]


# ---------------------------------------------------------------- reasons, in words


@functools.lru_cache(maxsize=2048)
def _date_in(iso: str, language: str) -> str:
    return format_date(dt.date.fromisoformat(iso), language=language)


def _date(iso: str) -> str:
    """A reason's date for people; cached, as a season's plan writes thousands of them."""
    return _date_in(iso, translation.get_language() or settings.LANGUAGE_CODE)


def reason_text(reason: Mapping) -> str:
    """A planner's reason ({"code", …numbers}) in the active language."""
    code = reason.get("code")
    values = reason.get("values", reason)
    from hami.supervision.models import Tier

    try:
        if code == "tier":
            tier = values["tier"]
            label = Tier(tier).label if tier in Tier.values else tier
            return _("Risk tier {tier}: a visit every {days} days").format(
                tier=label, days=values["interval_days"]
            )
        if code == "never_inspected":
            return _("Never inspected")
        if code == "last_inspected":
            return _("Last inspected on {date}, {days} days before this visit").format(
                date=_date(values["on"]), days=values["days_before"]
            )
        if code == "overdue":
            return _("Overdue by {days} days at the period's start (due on {date})").format(
                days=values["days"], date=_date(values["due_on"])
            )
        if code == "due":
            return _("Falls due on {date}").format(date=_date(values["due_on"]))
        if code == "repeat":
            return _("Visit {number} of the period, {days} days or more after the visit of {date}").format(
                number=values["number"], days=values["interval_days"], date=_date(values["previous_on"])
            )
        if code == "not_scored":
            return _("Not scored yet: planned as medium risk")
        if code == "unannounced_serious":
            return _("Unannounced: a serious-risk unit is always visited unannounced")
        if code == "unannounced_drawn":
            return _("Unannounced: drawn by lot for the instruction's share of {percent}%").format(
                percent=round(float(values["share"]) * 100)
            )
    except (KeyError, TypeError, ValueError):
        pass
    return str(reason.get("text") or code or "")


def unplaced_text(reason: str) -> str:
    """Why the planner could not place a unit's visit, in the active language."""
    texts = {
        planning.CAPACITY: _("No inspector-day was left for it in the period"),
        planning.ROTATION: _("Only the inspector who visited it last had room left"),
        planning.PERIOD_END: _("It falls due after the period's last available day"),
    }
    return texts.get(reason, reason)


def _stored_reasons(reasons: Iterable[dict]) -> list[dict]:
    """[{"code", "text", "values"}]: the text in the site language, for the pages that print it as it is."""
    stored = []
    for reason in reasons:
        values = {key: value for key, value in reason.items() if key != "code"}
        stored.append({"code": reason["code"], "text": reason_text(reason), "values": values})
    return stored


# ---------------------------------------------------------------- generate


def _refuse_capacity(code: Code, message: str) -> HamiError:
    return HamiError(code, message, field="availability")


def _availability(
    province: Province, first: dt.date, last: dt.date, availability: Mapping[User, Iterable[dt.date]] | None
) -> dict[User, list[dt.date]]:
    """Each kept inspector's available days, checked. Raises HamiError."""
    inspectors = {user.pk: user for user in province_inspectors(province)}
    if not inspectors:
        raise _refuse_capacity(
            Code.NO_INSPECTORS,
            _("The province has no active inspector: a plan needs at least one. Add inspectors first."),
        )
    if availability is None:
        days = working_days(province, first, last)
        kept = {user: list(days) for user in inspectors.values()}
    else:
        kept = {}
        for user, days in availability.items():
            if getattr(user, "pk", None) not in inspectors:
                raise HamiError(
                    Code.NOT_AN_INSPECTOR,
                    _("{name} is not an active inspector of this province.").format(name=user),
                    field="availability",
                )
            days = sorted(set(days))
            outside = [day for day in days if not first <= day <= last]
            if outside:
                raise HamiError(
                    Code.OUTSIDE_PERIOD,
                    _("{date} is outside the plan's period ({first} to {last}).").format(
                        date=format_date(outside[0]), first=format_date(first), last=format_date(last)
                    ),
                    field="availability",
                )
            kept[inspectors[user.pk]] = days
        if not kept:
            raise _refuse_capacity(
                Code.NO_INSPECTORS, _("No inspector was kept for the plan: keep at least one inspector.")
            )
    if not any(kept.values()):
        raise _refuse_capacity(
            Code.NO_CAPACITY,
            _("The inspectors kept have no available day in the period, so no visit can be planned."),
        )
    return {user: days for user, days in kept.items() if days}


def _units(province: Province, scores: dict[int, str]) -> tuple[list[planning.Unit], dict[int, dict]]:
    """The province's active units as the planner reads them (one query), and their names for the report."""
    done = Inspection.objects.filter(unit=OuterRef("pk"), state=InspectionState.DONE).order_by(
        "-scheduled_on", "-pk"
    )
    rows = (
        ProductionUnit.objects.filter(province=province, status=UnitStatus.ACTIVE)
        .annotate(
            last_on=Subquery(done.values("scheduled_on")[:1]),
            last_inspector=Subquery(done.values("inspector_id")[:1]),
        )
        .values_list("pk", "public_id", "name_fa", "name_en", "county_id", "last_on", "last_inspector")
        .order_by("pk")
    )
    units, names = [], {}
    for pk, public_id, name_fa, name_en, county_id, last_on, last_inspector in rows:
        tier = scores.get(pk)
        units.append(
            planning.Unit(
                id=pk,
                county=county_id,
                tier=tier or UNSCORED_TIER,
                last_inspected=last_on,
                last_inspector=last_inspector,
                reasons=() if tier else ({"code": "not_scored"},),
            )
        )
        names[pk] = {"public_id": str(public_id), "name_fa": name_fa, "name_en": name_en}
    return units, names


@transaction.atomic
def plan_generate(
    *,
    actor: User,
    province: Province,
    period_kind: str,
    year: int,
    period: int,
    availability: Mapping[User, Iterable[dt.date]] | None = None,
    seed: int | None = None,
) -> InspectionPlan:
    """A draft plan of the province's routine visits for a Jalali month or season. `availability` maps each
    inspector kept to their available days (default: every active inspector of the province, every working
    day of the period). Raises Forbidden (not the province's office or a national admin), HamiError
    (bad_period, no_inspectors, no_capacity, not_an_inspector, outside_period); writes nothing then."""
    if not may_plan(actor, province.pk):
        raise Forbidden(
            Code.FORBIDDEN, _("Only the province's office staff, or a national admin, make plans.")
        )
    first, last = period_bounds(period_kind, year, period)
    kept = _availability(province, first, last, availability)
    policy = selectors.current_policy()
    visits_per_day = int(policy["visits_per_day"])
    intervals = {tier: int(days) for tier, days in policy["visit_interval_days"].items()}
    share = float(policy["unannounced_share"])
    run = selectors.current_run()
    scores = (
        dict(UnitScore.objects.filter(run=run, province=province).values_list("unit_id", "tier"))
        if run
        else {}
    )
    units, names = _units(province, scores)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    inspectors = [
        planning.Inspector(id=user.pk, days=tuple(days), visits_per_day=visits_per_day)
        for user, days in kept.items()
    ]
    result = planning.plan(
        units, inspectors, first=first, last=last, intervals=intervals, unannounced_share=share, seed=seed
    )

    counties = dict(province.counties.values_list("pk", "name_fa"))
    with translation.override(settings.LANGUAGE_CODE):  # stored texts are in the site's language
        unplaced = [
            {
                "unit": entry.unit,
                **names[entry.unit],
                "county": entry.county,
                "county_name": counties.get(entry.county, ""),
                "tier": entry.tier,
                "number": entry.number,
                "due_on": entry.due_on.isoformat(),
                "reason": entry.reason,
                "text": unplaced_text(entry.reason),
                "excluded_inspector": entry.excluded_inspector,
                "overdue_days": entry.overdue_days,
            }
            for entry in result.unplaced
        ]
        stored = [_stored_reasons(visit.reasons) for visit in result.visits]
    plan = InspectionPlan.objects.create(
        province=province,
        period_kind=period_kind,
        year=int(year),
        period=int(period),
        starts_on=first,
        ends_on=last,
        policy_version=policy.version,
        score_run=run,
        report={
            "summary": result.summary,
            "unplaced": unplaced,
            "policy": {
                "visit_interval_days": intervals,
                "unannounced_share": share,
                "visits_per_day": visits_per_day,
            },
            "units_unscored": sum(1 for unit in units if unit.id not in scores),
        },
        created_by=actor,
    )
    PlanInspector.objects.bulk_create(
        PlanInspector(
            plan=plan, inspector=user, days=[day.isoformat() for day in days], visits_per_day=visits_per_day
        )
        for user, days in kept.items()
    )
    Inspection.objects.bulk_create(
        (
            Inspection(
                province=province,
                unit_id=visit.unit,
                county_id=visit.county,
                plan=plan,
                inspector_id=visit.inspector,
                scheduled_on=visit.day,
                unannounced=visit.unannounced,
                kind=InspectionKind.ROUTINE,
                reasons=reasons,
                state=InspectionState.PLANNED,
                created_by=actor,
            )
            for visit, reasons in zip(result.visits, stored, strict=True)
        ),
        batch_size=1000,
    )
    summary = result.summary
    audit(
        actor=actor,
        event_type=EventType.PLAN_GENERATED,
        obj=plan,
        province=province,
        details={
            "public_id": str(plan.public_id),
            "period": f"{period_kind} {year}/{period}",
            "starts_on": first,
            "ends_on": last,
            "inspectors": len(kept),
            "visits": summary["visits_placed"],
            "units_unplaced": summary["units_unplaced"],
            "county_changes": summary["county_changes"],
            "policy_version": policy.version,
            "score_run": run.pk if run else None,
            "seed": seed,
        },
    )
    return plan


# ---------------------------------------------------------------- publish, withdraw


def _lock(plan: InspectionPlan) -> InspectionPlan:
    return InspectionPlan.objects.select_for_update().select_related("province").get(pk=plan.pk)


def _require_office(actor: User, plan: InspectionPlan) -> None:
    if not may_plan(actor, plan.province_id):
        raise Forbidden(
            Code.FORBIDDEN, _("Only the province's office staff, or a national admin, change plans.")
        )


def _require_move(plan: InspectionPlan, target: str) -> None:
    if target not in PLAN_MOVES[plan.state]:
        if target == PlanState.PUBLISHED:
            message = _("This plan is {state}: only a draft is published.")
        else:
            message = _("This plan is {state}: it cannot be withdrawn again.")
        raise HamiError(Code.WRONG_STATE, message.format(state=plan.get_state_display().lower()))


def _cancel_planned(plan: InspectionPlan, reason: str) -> list[Inspection]:
    """Cancel the plan's visits still planned (those started or done stay as they are); return them.
    One bulk UPDATE: the plan's audit event records the cancellation and its count."""
    visits = list(plan.visits.filter(state=InspectionState.PLANNED).select_related("unit").order_by("pk"))
    now = timezone.now()
    for visit in visits:
        visit.state = InspectionState.CANCELLED
        visit.cancel_reason = reason[:MAX_REASON]
        visit.updated_at = now
    Inspection.objects.bulk_update(visits, ["state", "cancel_reason", "updated_at"], batch_size=1000)
    return visits


def _plan_link(plan: InspectionPlan) -> str:
    return reverse("supervision:plan_detail", args=[plan.public_id])


def _visit_link(visit: Inspection) -> str:
    return reverse("supervision:inspection_detail", args=[visit.public_id])


def _after_commit(send) -> None:
    def run() -> None:
        with translation.override(settings.LANGUAGE_CODE):  # people read their notices later
            send()

    transaction.on_commit(run)


def _unit_reps(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    reps: dict[int, list[User]] = defaultdict(list)
    memberships = UnitMembership.objects.filter(unit_id__in=list(unit_ids), user__is_active=True)
    for membership in memberships.select_related("user"):
        reps[membership.unit_id].append(membership.user)
    return reps


def _notify_published(plan: InspectionPlan, cancelled: list[Inspection]) -> None:
    """Each inspector hears of their visits; each unit of its announced visits, or of a cancelled one."""
    visits = list(plan.visits.filter(state=InspectionState.PLANNED).select_related("unit", "inspector"))
    per_inspector: dict[int, list[Inspection]] = defaultdict(list)
    announced: dict[int, list[Inspection]] = defaultdict(list)
    for visit in visits:
        per_inspector[visit.inspector_id].append(visit)
        if not visit.unannounced:
            announced[visit.unit_id].append(visit)
    gone = {
        visit.unit_id: visit
        for visit in cancelled
        if not visit.unannounced and visit.unit_id not in announced
    }
    reps = _unit_reps([*announced, *gone])
    label = (plan.period_kind, plan.year, plan.period)
    link = _plan_link(plan)

    def send() -> None:
        period = period_label(*label)
        for own in per_inspector.values():
            days = sorted({visit.scheduled_on for visit in own})
            notify(
                user=own[0].inspector,
                subject=_("Inspection plan of {period} published").format(period=period),
                body=_("You have {count} visits from {first} to {last}.").format(
                    count=len(own), first=format_date(days[0]), last=format_date(days[-1])
                ),
                link=link,
            )
        for unit_id, own in announced.items():
            dates = ", ".join(format_date(day) for day in sorted({visit.scheduled_on for visit in own}))
            for user in reps.get(unit_id, []):
                notify(
                    user=user,
                    subject=_("Inspection visit scheduled"),
                    body=_("A routine inspection visit to {unit} is scheduled on {dates}.").format(
                        unit=own[0].unit.name, dates=dates
                    ),
                    link=_visit_link(own[0]),
                )
        for unit_id, visit in gone.items():
            for user in reps.get(unit_id, []):
                notify(
                    user=user,
                    subject=_("Inspection visit cancelled"),
                    body=_("The inspection visit to {unit} planned on {date} is cancelled.").format(
                        unit=visit.unit.name, date=format_date(visit.scheduled_on)
                    ),
                    link="",
                )

    _after_commit(send)


def _notify_withdrawn(plan: InspectionPlan, cancelled: list[Inspection], reason: str) -> None:
    inspectors = {visit.inspector_id for visit in cancelled}
    users = list(User.objects.filter(pk__in=inspectors, is_active=True))
    announced = {visit.unit_id: visit for visit in cancelled if not visit.unannounced}
    reps = _unit_reps(announced)
    label = (plan.period_kind, plan.year, plan.period)

    def send() -> None:
        period = period_label(*label)
        for user in users:
            notify(
                user=user,
                subject=_("Inspection plan of {period} withdrawn").format(period=period),
                body=_("Its planned visits are cancelled. Reason: {reason}").format(reason=reason),
                link="",
            )
        for unit_id, visit in announced.items():
            for user in reps.get(unit_id, []):
                notify(
                    user=user,
                    subject=_("Inspection visit cancelled"),
                    body=_("The inspection visit to {unit} planned on {date} is cancelled.").format(
                        unit=visit.unit.name, date=format_date(visit.scheduled_on)
                    ),
                    link="",
                )

    _after_commit(send)


@transaction.atomic
def plan_publish(*, actor: User, plan: InspectionPlan) -> InspectionPlan:
    """Publish a draft: its visits go on the inspectors' days, and announced ones are told to the units.
    The period's published plan, if any, is withdrawn and its visits still planned cancelled.
    Raises Forbidden, HamiError(wrong_state)."""
    _require_office(actor, plan)
    # Lock this plan and the period's published one together, in id order (no deadlock between two
    # offices publishing two drafts of the same period at once).
    rows = list(
        InspectionPlan.objects.select_for_update()
        .filter(
            Q(pk=plan.pk)
            | Q(
                province_id=plan.province_id,
                period_kind=plan.period_kind,
                year=plan.year,
                period=plan.period,
                state=PlanState.PUBLISHED,
            )
        )
        .order_by("pk")
    )
    plan = next(row for row in rows if row.pk == plan.pk)
    _require_move(plan, PlanState.PUBLISHED)
    cancelled: list[Inspection] = []
    replaced = None
    for old in rows:
        if old.pk == plan.pk or old.state != PlanState.PUBLISHED:
            continue
        replaced = old
        with translation.override(settings.LANGUAGE_CODE):
            old.withdraw_reason = _("Replaced by the plan published on {date}.").format(
                date=format_date(timezone.localdate())
            )
        old.state = PlanState.WITHDRAWN
        old.save(update_fields=["state", "withdraw_reason", "updated_at"])
        cancelled = _cancel_planned(old, old.withdraw_reason)
    plan.state = PlanState.PUBLISHED
    plan.published_by = actor
    plan.published_at = timezone.now()
    plan.save(update_fields=["state", "published_by", "published_at", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.PLAN_PUBLISHED,
        obj=plan,
        province=plan.province,
        details={
            "public_id": str(plan.public_id),
            "visits": plan.visits.filter(state=InspectionState.PLANNED).count(),
            "replaced": str(replaced.public_id) if replaced else None,
            "cancelled": len(cancelled),
        },
    )
    _notify_published(plan, cancelled)
    return plan


@transaction.atomic
def plan_withdraw(*, actor: User, plan: InspectionPlan, reason: str) -> InspectionPlan:
    """Withdraw a draft or published plan, with the reason; its visits still planned are cancelled and,
    for a published plan, the inspectors and the units told. Raises Forbidden, HamiError(invalid,
    wrong_state)."""
    _require_office(actor, plan)
    reason = normalize_text(reason or "")
    if not reason:
        raise HamiError(Code.INVALID, _("Say why the plan is withdrawn."), field="reason")
    if len(reason) > MAX_REASON:
        raise HamiError(
            Code.INVALID,
            _("Keep the reason under {count} characters.").format(count=MAX_REASON),
            field="reason",
        )
    plan = _lock(plan)
    _require_move(plan, PlanState.WITHDRAWN)
    was_published = plan.state == PlanState.PUBLISHED
    plan.state = PlanState.WITHDRAWN
    plan.withdraw_reason = reason
    plan.save(update_fields=["state", "withdraw_reason", "updated_at"])
    cancelled = _cancel_planned(plan, reason)
    audit(
        actor=actor,
        event_type=EventType.PLAN_WITHDRAWN,
        obj=plan,
        province=plan.province,
        reason=reason,
        details={
            "public_id": str(plan.public_id),
            "was": "published" if was_published else "draft",
            "cancelled": len(cancelled),
        },
    )
    if was_published:
        _notify_withdrawn(plan, cancelled, reason)
    return plan


# ---------------------------------------------------------------- editing a draft


def visit_tier(visit: Inspection) -> str:
    """The tier the planner planned the visit for (its "tier" reason)."""
    for reason in visit.reasons or []:
        if reason.get("code") == "tier":
            return (reason.get("values") or reason).get("tier", UNSCORED_TIER)
    return UNSCORED_TIER


def _lock_visit(plan: InspectionPlan, visit: Inspection) -> tuple[InspectionPlan, Inspection]:
    """The plan, then the visit, locked (the plan's lock serializes every edit of the draft)."""
    if visit.plan_id is None:
        raise HamiError(Code.WRONG_STATE, _("This visit is not part of a plan."))
    plan = _lock(plan)
    visit = Inspection.objects.select_for_update().select_related("unit").get(pk=visit.pk)
    if visit.plan_id != plan.pk:
        raise HamiError(Code.INVALID, _("This visit is not part of this plan."))
    if plan.state != PlanState.DRAFT:
        message = _("Only a draft plan's visits are moved or removed; this plan is {state}.")
        raise HamiError(Code.WRONG_STATE, message.format(state=plan.get_state_display().lower()))
    if visit.state != InspectionState.PLANNED:
        raise HamiError(Code.WRONG_STATE, _("This visit was removed from the plan."))
    return plan, visit


def _check_sequence(
    plan: InspectionPlan, visit: Inspection, sequence: list[tuple[dt.date, int]], *, spacing: bool = True
) -> None:
    """The unit's visits in the plan (day, inspector), after its last completed inspection, keep rotation
    and (with `spacing`) the tier's interval. Raises HamiError(rotation, too_soon)."""
    intervals = (plan.report or {}).get("policy", {}).get("visit_interval_days") or {}
    interval = int(intervals.get(visit_tier(visit), 1))
    last = (
        Inspection.objects.filter(unit_id=visit.unit_id, state=InspectionState.DONE)
        .order_by("-scheduled_on", "-pk")
        .values_list("scheduled_on", "inspector_id")
        .first()
    )
    sequence = sorted(sequence)
    if spacing and last is not None and sequence and sequence[0][0] < last[0] + dt.timedelta(days=interval):
        raise HamiError(
            Code.TOO_SOON,
            _("{unit} falls due on {date} ({days} days after its last inspection): not before.").format(
                unit=visit.unit.name, date=format_date(last[0] + dt.timedelta(days=interval)), days=interval
            ),
            field="day",
        )
    previous = last[1] if last is not None else None
    for index, (day, inspector) in enumerate(sequence):
        if inspector == previous:
            raise HamiError(
                Code.ROTATION,
                _("The same inspector may not visit {unit} twice in a row.").format(unit=visit.unit.name),
                field="inspector",
            )
        if spacing and index and (day - sequence[index - 1][0]).days < interval:
            raise HamiError(
                Code.TOO_SOON,
                _("{unit}'s visits must be at least {days} days apart (its risk tier).").format(
                    unit=visit.unit.name, days=interval
                ),
                field="day",
            )
        previous = inspector


def _siblings(plan: InspectionPlan, visit: Inspection) -> list[tuple[dt.date, int]]:
    return list(
        plan.visits.filter(unit_id=visit.unit_id, state=InspectionState.PLANNED)
        .exclude(pk=visit.pk)
        .values_list("scheduled_on", "inspector_id")
    )


@transaction.atomic
def plan_visit_move(*, actor: User, visit: Inspection, inspector: User, day: dt.date) -> Inspection:
    """Move a draft plan's visit to another inspector and/or day, keeping the plan's rules: the inspector
    is one of the plan's and available that day with room left, no inspector twice in a row at the unit,
    the tier's interval between its visits. Raises Forbidden, HamiError(wrong_state, outside_period,
    not_available, over_capacity, rotation, too_soon)."""
    plan = visit.plan
    if plan is None:
        raise HamiError(Code.WRONG_STATE, _("This visit is not part of a plan."))
    _require_office(actor, plan)
    plan, visit = _lock_visit(plan, visit)
    if not plan.starts_on <= day <= plan.ends_on:
        raise HamiError(
            Code.OUTSIDE_PERIOD,
            _("{date} is outside the plan's period ({first} to {last}).").format(
                date=format_date(day), first=format_date(plan.starts_on), last=format_date(plan.ends_on)
            ),
            field="day",
        )
    seat = PlanInspector.objects.filter(plan=plan, inspector=inspector).first()
    if seat is None:
        raise HamiError(
            Code.NOT_AVAILABLE,
            _("{name} is not one of this plan's inspectors.").format(name=inspector),
            field="inspector",
        )
    if day.isoformat() not in seat.days:
        raise HamiError(
            Code.NOT_AVAILABLE,
            _("{name} is not available on {date} in this plan.").format(
                name=inspector, date=format_date(day)
            ),
            field="day",
        )
    taken = (
        plan.visits.filter(inspector=inspector, scheduled_on=day, state=InspectionState.PLANNED)
        .exclude(pk=visit.pk)
        .count()
    )
    if taken >= seat.visits_per_day:
        raise HamiError(
            Code.OVER_CAPACITY,
            _("{name} already has {count} visits on {date}, their most a day.").format(
                name=inspector, count=taken, date=format_date(day)
            ),
            field="day",
        )
    _check_sequence(plan, visit, [*_siblings(plan, visit), (day, inspector.pk)])
    before = {"inspector": visit.inspector_id, "day": visit.scheduled_on}
    visit.inspector = inspector
    visit.scheduled_on = day
    visit.save(update_fields=["inspector", "scheduled_on", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.INSPECTION_SAVED,
        obj=visit,
        province=plan.province,
        details={
            "public_id": str(visit.public_id),
            "plan": str(plan.public_id),
            "moved": {"from": before, "to": {"inspector": inspector.pk, "day": day}},
        },
    )
    return visit


@transaction.atomic
def plan_visit_remove(*, actor: User, visit: Inspection, reason: str = "") -> Inspection:
    """Take a visit off a draft plan (it is kept, cancelled, with the reason). Refused when the unit's visits
    left would have the same inspector twice in a row. Raises Forbidden, HamiError(wrong_state, rotation)."""
    plan = visit.plan
    if plan is None:
        raise HamiError(Code.WRONG_STATE, _("This visit is not part of a plan."))
    _require_office(actor, plan)
    plan, visit = _lock_visit(plan, visit)
    # Taking a visit off only widens the gaps; rotation may break (A, B, A → A, A).
    _check_sequence(plan, visit, _siblings(plan, visit), spacing=False)
    visit.state = InspectionState.CANCELLED
    visit.cancel_reason = normalize_text(reason or "")[:MAX_REASON] or _("Removed from the draft plan.")
    visit.save(update_fields=["state", "cancel_reason", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.INSPECTION_SAVED,
        obj=visit,
        province=plan.province,
        reason=visit.cancel_reason,
        details={"public_id": str(visit.public_id), "plan": str(plan.public_id), "removed": True},
    )
    return visit
