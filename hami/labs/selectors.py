"""Reads of the labs app that are more than one queryset: remaining capacity, the national
test-capacity map and a unit's lot history for the ISO 2859-1 switching rules."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from hami.core.models import Province
from hami.labs import sampling
from hami.labs.models import LabStatus, OrderState, Sample, ScopeLine, TestItem
from hami.standards.models import Requirement, Standard

WEEKS_PER_YEAR = 52
LIVE_ORDER = ~Q(order__state__in=[OrderState.REJECTED, OrderState.CANCELLED])


def week_start(day: dt.date) -> dt.date:
    """The Saturday that starts the Iranian week of `day` (Python's weekday: Saturday is 5)."""
    return day - dt.timedelta(days=(day.weekday() - 5) % 7)


def usable_scope(day: dt.date | None = None):
    """Scope lines a lab may receive orders for on `day`: active, of an approved lab whose ISO/IEC 17025
    accreditation has not lapsed (the scope lapses with the accreditation)."""
    day = day or timezone.localdate()
    return ScopeLine.objects.filter(
        active=True, lab__status=LabStatus.APPROVED, lab__accreditation_expiry__gte=day
    )


def used_this_week(day: dt.date | None = None) -> dict[tuple[int, int], int]:
    """(lab id, requirement id) → tests already ordered in the week of `day` (rejected and cancelled
    orders give their capacity back)."""
    day = day or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(week_start(day), dt.time.min))
    rows = (
        TestItem.objects.filter(LIVE_ORDER, order__created_at__gte=start)
        .values("order__lab_id", "requirement_id")
        .annotate(n=Count("id"))
    )
    return {(row["order__lab_id"], row["requirement_id"]): row["n"] for row in rows}


@dataclass(frozen=True)
class CapacityRow:
    requirement: Requirement
    labs_in_province: int
    labs_in_country: int
    yearly_capacity: int  # tests per year the country's usable scope lines can take
    demand: int  # tests ordered in the last 12 months

    @property
    def gap(self) -> bool:
        """No lab in the country can do this test."""
        return self.labs_in_country == 0

    @property
    def load(self) -> float | None:
        """Demand as a share of capacity (None when there is no capacity)."""
        return self.demand / self.yearly_capacity if self.yearly_capacity else None


def capacity_map(
    province: Province | None,
    *,
    standard: Standard | None = None,
    category=None,
    gaps_only: bool = False,
    day: dt.date | None = None,
) -> list[CapacityRow]:
    """For every requirement of the standards mandatory on `day`: how many approved, accredited labs
    can test it in the province and in the country, the yearly capacity against the last 12 months'
    demand. A constant number of queries, whatever the number of labs and requirements."""
    day = day or timezone.localdate()
    requirements = Requirement.objects.filter(standard__in=Standard.objects.mandatory_on(day)).select_related(
        "standard"
    )
    if standard is not None:
        requirements = requirements.filter(standard=standard)
    if category is not None:
        requirements = requirements.filter(standard__categories=category)
    requirements = requirements.distinct().order_by("standard__number", "clause")
    scope = usable_scope(day)
    country = {
        row["requirement_id"]: row
        for row in scope.values("requirement_id").annotate(
            labs=Count("lab_id", distinct=True), weekly=Sum("weekly_capacity")
        )
    }
    local = {}
    if province is not None:
        local = {
            row["requirement_id"]: row["labs"]
            for row in scope.filter(lab__province=province)
            .values("requirement_id")
            .annotate(labs=Count("lab_id", distinct=True))
        }
    since = timezone.now() - dt.timedelta(days=365)
    demand = {
        row["requirement_id"]: row["n"]
        for row in TestItem.objects.filter(LIVE_ORDER, created_at__gte=since)
        .values("requirement_id")
        .annotate(n=Count("id"))
    }
    rows = []
    for requirement in requirements:
        national = country.get(requirement.pk, {})
        row = CapacityRow(
            requirement=requirement,
            labs_in_province=local.get(requirement.pk, 0),
            labs_in_country=national.get("labs", 0),
            yearly_capacity=(national.get("weekly") or 0) * WEEKS_PER_YEAR,
            demand=demand.get(requirement.pk, 0),
        )
        if not gaps_only or row.gap:
            rows.append(row)
    return rows


def lot_history(*, unit_id: int, product_id: int) -> list[Sample]:
    """The decided lots of one unit's product, oldest first: what the switching rules read."""
    return list(
        Sample.objects.filter(unit_id=unit_id, product_id=product_id, lot_accepted__isnull=False).order_by(
            "taken_at", "pk"
        )
    )


def lot_history_state(*, unit_id: int, product_id: int, authority_approves_reduced: bool = False):
    """The ISO 2859-1 severity (and discontinuation) for the next lot of a unit's product, from the
    lots decided so far (hami/labs/sampling.py, switching rules of clause 9). A lot decided without a
    count of nonconforming items counts as none found when accepted (every item tested conformed)."""
    lots = []
    for sample in lot_history(unit_id=unit_id, product_id=product_id):
        nonconforming = sample.nonconforming_items
        if nonconforming is None and sample.lot_accepted:
            nonconforming = 0
        lots.append(
            sampling.Lot(
                severity=sample.severity,
                accepted=bool(sample.lot_accepted),
                accept_number=sample.accept,
                nonconforming=nonconforming,
                accepted_one_step_tighter=(nonconforming == 0) if sample.lot_accepted else False,
            )
        )
    return sampling.switching_state(lots, reduced_approved=authority_approves_reduced)
