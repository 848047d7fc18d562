"""Reads of the enforcement ladder: the instruction in force, a unit's facts for ladder.py, current steps and
active points of many units, and the plan's measure — the share of coercive measures by Jalali month and
province (issue 6, point 9)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import jdatetime
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hami.core.calendar import local_days
from hami.core.jalali import JALALI_MONTHS_FA, in_persian
from hami.core.models import Province
from hami.core.month import month_bounds
from hami.core.persian import to_ascii_digits
from hami.licensing.models import Decision, DecisionKind
from hami.registry.models import ProductionUnit
from hami.supervision import ladder
from hami.supervision.models import (
    LIVE_ACTION_STATES,
    ActionState,
    CaseOutcome,
    CaseState,
    CorrectiveAction,
    Finding,
    FindingSeverity,
    FindingState,
    InspectionState,
    LadderDecision,
    MarketCase,
    NegativePoint,
)
from hami.supervision.policy import Policy
from hami.supervision.selectors import current_policy

OVERDUE_STATES = [ActionState.ACCEPTED, ActionState.REOPENED]


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def current_decision(unit_id: int) -> LadderDecision | None:
    """The unit's newest decision, which gives its step (None: step 0)."""
    return LadderDecision.objects.filter(unit_id=unit_id).order_by("-created_at", "-pk").first()


def active_points(unit_ids: Iterable[int], *, today: dt.date) -> dict[int, int]:
    """The sum of each unit's negative points that have not expired (expires_on > today), in one query."""
    rows = (
        NegativePoint.objects.filter(unit_id__in=list(unit_ids), expires_on__gt=today)
        .values("unit_id")
        .annotate(total=Sum("points"))
    )
    return {row["unit_id"]: row["total"] for row in rows}


def unit_facts(
    unit: ProductionUnit,
    *,
    today: dt.date,
    decision: LadderDecision | None = None,
    named_findings: Iterable[Finding] = (),
) -> ladder.Facts:
    """What ladder.py needs about the unit today, in five queries. `decision` is the unit's newest (read
    when not given); findings the office names in a decision count as new whatever their date."""
    if decision is None:
        decision = current_decision(unit.pk)
    since = decision.created_at if decision is not None else None
    named_ids = [finding.pk for finding in named_findings]
    # A visit still under way has not told the unit its findings yet: they count once it is finished.
    findings = Finding.objects.filter(unit=unit, inspection__state=InspectionState.DONE).exclude(
        state=FindingState.WITHDRAWN
    )
    summary = findings.aggregate(last=Max("created_at"), open=Count("pk", filter=Q(state=FindingState.OPEN)))
    new = findings if since is None else findings.filter(Q(created_at__gt=since) | Q(pk__in=named_ids))
    new_rows = list(new.values("severity", "safety", "repeat_of_id"))
    actions = CorrectiveAction.objects.filter(unit=unit)
    missed = Q(state__in=OVERDUE_STATES, due_on__lt=today, escalated_at__isnull=True)
    missed |= Q(escalated_at__isnull=False) if since is None else Q(escalated_at__gt=since)
    action_counts = actions.aggregate(
        live=Count("pk", filter=Q(state__in=LIVE_ACTION_STATES)), missed=Count("pk", filter=missed)
    )
    cases = MarketCase.objects.filter(unit=unit).exclude(outcome=CaseOutcome.UNFOUNDED)
    if since is not None:
        cases = cases.filter(created_at__gt=since)
    serious = {FindingSeverity.MAJOR, FindingSeverity.CRITICAL}
    return ladder.Facts(
        today=today,
        step=decision.step if decision is not None else ladder.Step.NONE,
        last_decision_on=_local_date(since),
        judiciary=bool(decision is not None and decision.judiciary),
        last_finding_on=_local_date(summary["last"]),
        open_findings=summary["open"],
        live_actions=action_counts["live"],
        new_findings=len(new_rows),
        new_serious_findings=sum(1 for row in new_rows if row["severity"] in serious),
        missed_deadlines=action_counts["missed"],
        repeated_findings=sum(1 for row in new_rows if row["repeat_of_id"]),
        critical_safety=sum(
            1 for row in new_rows if row["severity"] == FindingSeverity.CRITICAL and row["safety"]
        ),
        market_cases=cases.count(),
        active_points=active_points([unit.pk], today=today).get(unit.pk, 0),
    )


def newest_decisions() -> Subquery:
    return LadderDecision.objects.filter(unit=OuterRef("pk")).order_by("-created_at", "-pk")


def units_with_steps(units, *, today: dt.date):
    """`units` annotated with `ladder_step` (0 without a decision), `ladder_decided_at` and
    `ladder_points` (the active total): three subqueries in the one query of the list."""
    newest = newest_decisions()
    points = (
        NegativePoint.objects.filter(unit=OuterRef("pk"), expires_on__gt=today)
        .values("unit")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return units.annotate(
        ladder_step=Coalesce(Subquery(newest.values("step")[:1]), Value(0), output_field=IntegerField()),
        ladder_decided_at=Subquery(newest.values("created_at")[:1]),
        ladder_points=Coalesce(Subquery(points[:1]), Value(0), output_field=IntegerField()),
    )


def clean_units(*, today: dt.date, clean_days: int, steps: Iterable[int]):
    """Units on one of `steps` whose findings are all corrected (none open, no live action) and that had no
    finding and no decision for `clean_days` days: those that may step down today, in one query."""
    cutoff, _end = local_days(today - dt.timedelta(days=clean_days - 1), today)
    newest = newest_decisions()
    open_findings = Finding.objects.filter(unit=OuterRef("pk"), state=FindingState.OPEN)
    recent_findings = Finding.objects.filter(unit=OuterRef("pk"), created_at__gte=cutoff).exclude(
        state=FindingState.WITHDRAWN
    )
    live = CorrectiveAction.objects.filter(unit=OuterRef("pk"), state__in=LIVE_ACTION_STATES)
    return (
        ProductionUnit.objects.annotate(
            ladder_step=Subquery(newest.values("step")[:1]),
            ladder_decided_at=Subquery(newest.values("created_at")[:1]),
        )
        .filter(ladder_step__in=list(steps), ladder_decided_at__lt=cutoff)
        .exclude(Exists(open_findings))
        .exclude(Exists(recent_findings))
        .exclude(Exists(live))
        .select_related("province")
        .order_by("pk")
    )


# ---------------------------------------------------------------- the coercive share (point 9)

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")
MAX_MONTHS = 60  # five years in one table; longer ranges are refused (the CASE grows with the months)


class MonthError(ValueError):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def parse_month(text: str, field: str) -> tuple[int, int]:
    """'1404-07' → (1404, 7): a Jalali month. MonthError(field) for anything else."""
    match = MONTH_PATTERN.match(to_ascii_digits(str(text or "")).strip())
    if not match:
        raise MonthError(field)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1300 <= year <= 1500 or not 1 <= month <= 12:
        raise MonthError(field)
    return year, month


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    year, month = first
    months = []
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def default_range(today: dt.date) -> tuple[tuple[int, int], tuple[int, int]]:
    """The twelve Jalali months up to and including the current one."""
    current = jdatetime.date.fromgregorian(date=today)
    last = (current.year, current.month)
    index = current.year * 12 + current.month - 1 - 11
    return (index // 12, index % 12 + 1), last


@dataclass
class Cell:
    """Measures of one month and province (or a total): how many, how many coercive."""

    measures: int = 0
    coercive: int = 0

    @property
    def advisory(self) -> int:
        return self.measures - self.coercive

    @property
    def share(self) -> float | None:
        """Coercive measures over all measures (None when there was none)."""
        return self.coercive / self.measures if self.measures else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)

    def add(self, measures: int, coercive: int) -> None:
        self.measures += measures
        self.coercive += coercive

    def as_dict(self) -> dict:
        return {
            "measures": self.measures,
            "coercive": self.coercive,
            "advisory": self.advisory,
            "share": None if self.share is None else round(self.share, 4),
        }


@dataclass
class MonthRow:
    key: str  # "1404-07"
    year: int
    month: int
    first: dt.date
    last: dt.date
    total: Cell = field(default_factory=Cell)
    provinces: dict[int, Cell] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if in_persian():
            return f"{JALALI_MONTHS_FA[self.month - 1]} {self.year}"
        return self.key


@dataclass
class CoerciveShare:
    months: list[MonthRow]
    provinces: list[Province]  # the columns (those asked for, or every province with a measure)
    by_province: dict[int, Cell]  # totals of the range per province
    total: Cell

    @property
    def first(self) -> str:
        return self.months[0].key

    @property
    def last(self) -> str:
        return self.months[-1].key

    @property
    def first_label(self) -> str:
        return self.months[0].label

    @property
    def last_label(self) -> str:
        return self.months[-1].label


def coercive_share(
    *, first: tuple[int, int], last: tuple[int, int], provinces: list[Province] | None = None
) -> CoerciveShare:
    """Measures by Jalali month and province between `first` and `last` (inclusive), for `provinces` (every
    province when None). A measure is a ladder decision that climbs (not a step down) — coercive when
    it is a suspension, a revocation, a market withdrawal or a referral to the judiciary, else advisory —
    or a market case closed as withdrawn/seized or referred (both coercive; corrected and unfounded cases
    are not measures), or a Marks Committee suspension or revocation made outside the ladder (coercive).
    Three grouped queries whatever the range, plus one for the province names when
    every province is asked for. ValueError when `last` is before `first` or the range is too long."""
    months = months_between(first, last)
    if not months:
        raise ValueError("empty range")
    if len(months) > MAX_MONTHS:
        raise ValueError("range too long")
    rows = []
    whens = []
    for year, month in months:
        first_day, last_day = month_bounds(year, month, jalali=True)
        start, end = local_days(first_day, last_day)
        rows.append(MonthRow(month_key(year, month), year, month, first_day, last_day))
        whens.append((start, end, month_key(year, month)))
    range_start, _ignored = local_days(rows[0].first, rows[0].first)
    _ignored, range_end = local_days(rows[-1].last, rows[-1].last)

    def month_of(column: str) -> Case:
        return Case(
            *[
                When(**{f"{column}__gte": start, f"{column}__lt": end}, then=Value(key))
                for start, end, key in whens
            ],
            output_field=CharField(),
        )

    decisions = LadderDecision.objects.filter(
        created_at__gte=range_start, created_at__lt=range_end, step__gt=F("previous_step")
    )
    cases = MarketCase.objects.filter(
        state=CaseState.CLOSED,
        outcome__in=[CaseOutcome.WITHDRAWN, CaseOutcome.REFERRED],
        closed_at__gte=range_start,
        closed_at__lt=range_end,
    )
    # The Marks Committee's suspensions and revocations made outside the ladder (from the licence's page):
    # coercive measures too. Those a ladder step made are counted once, as the step.
    sanctions = Decision.objects.filter(
        kind__in=[DecisionKind.SUSPEND, DecisionKind.REVOKE],
        ladder_decisions__isnull=True,
        created_at__gte=range_start,
        created_at__lt=range_end,
    )
    if provinces is not None:
        ids = [province.pk for province in provinces]
        decisions = decisions.filter(province_id__in=ids)
        cases = cases.filter(province_id__in=ids)
        sanctions = sanctions.filter(licence__province_id__in=ids)
    grouped = [
        decisions.annotate(month=month_of("created_at"))
        .values("province_id", "month")
        .annotate(measures=Count("pk"), coercive=Count("pk", filter=Q(coercive=True)))
        .order_by(),
        cases.annotate(month=month_of("closed_at"))
        .values("province_id", "month")
        .annotate(measures=Count("pk"), coercive=Count("pk"))
        .order_by(),
        sanctions.annotate(month=month_of("created_at"), province_id=F("licence__province_id"))
        .values("province_id", "month")
        .annotate(measures=Count("pk"), coercive=Count("pk"))
        .order_by(),
    ]
    by_key = {row.key: row for row in rows}
    by_province: dict[int, Cell] = {}
    total = Cell()
    for queryset in grouped:
        for item in queryset:
            row = by_key.get(item["month"])
            if row is None:  # cannot happen: the range filter and the CASE cover the same months
                continue
            province_id = item["province_id"]
            row.total.add(item["measures"], item["coercive"])
            row.provinces.setdefault(province_id, Cell()).add(item["measures"], item["coercive"])
            by_province.setdefault(province_id, Cell()).add(item["measures"], item["coercive"])
            total.add(item["measures"], item["coercive"])
    if provinces is None:
        provinces = list(Province.objects.filter(pk__in=list(by_province)).order_by("code"))
    return CoerciveShare(months=rows, provinces=provinces, by_province=by_province, total=total)


# ---------------------------------------------------------------- a unit's ladder (its page and the API)


@dataclass
class UnitLadder:
    unit: ProductionUnit
    step: ladder.Step
    decision: LadderDecision | None
    facts: ladder.Facts
    way_back: ladder.WayBack
    proposal: ladder.Proposal | None  # only for the office (None otherwise)
    decisions: list[LadderDecision]
    points: list[NegativePoint]  # active, soonest to expire first
    points_total: int
    policy: Policy


def unit_ladder(unit: ProductionUnit, *, today: dt.date, office: bool = False) -> UnitLadder:
    """Everything a unit's ladder page shows, in a fixed number of queries."""
    policy = current_policy()
    decisions = list(
        LadderDecision.objects.filter(unit=unit)
        .select_related("licence", "referral", "decided_by")
        .prefetch_related("findings")
        .order_by("-created_at", "-pk")
    )
    decision = decisions[0] if decisions else None
    facts = unit_facts(unit, today=today, decision=decision)
    points = list(
        NegativePoint.objects.filter(unit=unit, expires_on__gt=today)
        .select_related("finding")
        .order_by("expires_on", "pk")
    )
    step = ladder.Step(facts.step)
    return UnitLadder(
        unit=unit,
        step=step,
        decision=decision,
        facts=facts,
        way_back=ladder.way_back(step, facts, policy),
        proposal=ladder.proposal(facts, policy) if office else None,
        decisions=decisions,
        points=points,
        points_total=sum(point.points for point in points),
        policy=policy,
    )
