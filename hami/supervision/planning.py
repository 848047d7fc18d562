"""The routine inspection planner: which units to visit in a period, on which day and by whom. Pure (no
Django import); hami/supervision/services/plans.py feeds it the database and writes what it returns.

Input: the province's units (county, risk tier, last completed inspection and its inspector), the
inspectors with their available days and visits a day, the period (first and last day, inclusive), the
instruction's visit interval per tier and unannounced share, and a seed. The rules it keeps:

- **Frequency.** A unit falls due at its last inspection + its tier's interval; a unit never inspected
  is due at the period's start. It is in the plan when it falls due on or before the period's last day.
  After a visit on day x its next visit falls due at x + interval: a tier whose interval is shorter than
  the period gets several visits, each at least the interval after the one before. No visit is placed
  before it is due. A next visit that falls due after the period's last available day belongs to the
  next period's plan.
- **Overdue first.** Every visit has a key: (due date, highest tier first, unit, visit number): the most
  overdue units (the earliest due date) come first, then the highest tier. Visits are placed day by day
  in key order, and a final pass guarantees the ranking: a visit left out is never more urgent than a
  placed visit whose day it could have taken (one rotation does not bar it from), and never has room it
  could take.
- **Rotation.** The same inspector never visits a unit twice in a row: not the unit's last inspector,
  and never the inspector of its previous visit in the plan.
- **Capacity.** No inspector has more visits on a day than their visits a day, nor any on a day they
  are not available.
- **Travel.** An inspector's day goes to one county: the county of the most urgent visit waiting,
  filled with that county's next visits. A day takes a second county only when the visits still to
  place would not fit in the capacity left otherwise, or when the final pass moves an urgent visit into
  it. The summary counts the county changes.
- **Unannounced.** A serious-tier unit's visits are always unannounced; others are drawn with the seed
  until the plan's unannounced visits reach the instruction's share.

The same input and seed give the same plan. Every visit carries its reasons (codes with their numbers,
JSON-ready); every unit left short says which visit and why: `capacity` (no inspector-day left for it),
`rotation` (the only room left is with the inspector who visited it last) or `period_end` (it falls due
after the period's last available day).
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

TIERS = ("low", "medium", "high", "serious")
TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}

CAPACITY = "capacity"
ROTATION = "rotation"
PERIOD_END = "period_end"
UNPLACED_REASONS = (CAPACITY, ROTATION, PERIOD_END)


class PlanningInputError(ValueError):
    """The caller passed inconsistent input (a programming error: the service checks what users type)."""


# --- input ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Unit:
    id: int  # ties between equally urgent units go to the smaller id
    county: int
    tier: str  # one of TIERS
    last_inspected: dt.date | None = None  # the last completed inspection; None: never inspected
    last_inspector: Hashable | None = None  # who did it; never this unit's next inspector
    reasons: tuple[dict, ...] = ()  # reasons the caller already knows (e.g. {"code": "not_scored"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Inspector:
    id: int
    days: tuple[dt.date, ...]  # available days, inside the period
    visits_per_day: int


# --- output -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    unit: int
    inspector: int
    day: dt.date
    county: int
    tier: str
    number: int  # 1 for the unit's first visit of the period, 2 for the next …
    due_on: dt.date  # when this visit fell due (before the period for an overdue unit)
    unannounced: bool
    reasons: tuple[dict, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Unplaced:
    """A unit that did not get a visit it needs (and so none after it either)."""

    unit: int
    county: int
    tier: str
    number: int  # which visit of the period: 1 = the unit got none
    due_on: dt.date  # when that visit fell due
    reason: str  # CAPACITY, ROTATION or PERIOD_END
    excluded_inspector: int | None  # the inspector rotation bars from that visit
    overdue_days: int  # how overdue the unit was at the period's start (0: not overdue)


@dataclass(frozen=True, slots=True)
class Plan:
    visits: tuple[Visit, ...]  # by day, inspector, county, urgency
    unplaced: tuple[Unplaced, ...]  # most urgent first
    summary: dict = field(default_factory=dict)  # JSON-ready; see `plan`


def due_on(unit: Unit, first: dt.date, intervals: Mapping[str, int]) -> dt.date:
    """When the unit falls due: its last inspection + its tier's interval; the period's start if it was
    never inspected."""
    if unit.last_inspected is None:
        return first
    return unit.last_inspected + dt.timedelta(days=intervals[unit.tier])


def visit_key(due: dt.date, tier: str, unit: int, number: int) -> tuple:
    """The urgency of a visit (smaller is more urgent): most overdue, then highest tier."""
    return (due.toordinal(), -TIER_RANK[tier], unit, number)


def county_changes(visits: Iterable) -> int:
    """How many times an inspector moves to another county within a day: for each inspector-day, the
    counties visited less one (a day's visits go county by county). Takes anything with .inspector,
    .day and .county."""
    days: dict[tuple, set] = defaultdict(set)
    for visit in visits:
        days[(visit.inspector, visit.day)].add(visit.county)
    return sum(len(counties) - 1 for counties in days.values())


# --- the planner ------------------------------------------------------------------------------------


class _Job:
    """One visit to place: the unit's `k`-th (0-based) of the period."""

    __slots__ = ("excl", "k", "key", "release", "u")

    def __init__(self, u: int, k: int, release: int, excl: int | None, rank: int):
        self.u = u  # index of the unit (in id order)
        self.k = k
        self.release = release  # the day (ordinal) it falls due; it may not be placed before
        self.excl = excl  # the inspector (index) rotation bars, or None
        self.key = (release, -rank, u, k)


def _check(units, inspectors, first, last, intervals, unannounced_share) -> None:
    if last < first:
        raise PlanningInputError("the period ends before it starts")
    for tier in TIERS:
        value = intervals.get(tier)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise PlanningInputError(f"the visit interval of tier {tier} must be a whole number ≥ 1")
    if not 0 <= unannounced_share <= 1:
        raise PlanningInputError("the unannounced share must be between 0 and 1")
    if len({unit.id for unit in units}) != len(units):
        raise PlanningInputError("a unit appears twice")
    if len({inspector.id for inspector in inspectors}) != len(inspectors):
        raise PlanningInputError("an inspector appears twice")
    for unit in units:
        if unit.tier not in TIER_RANK:
            raise PlanningInputError(f"unit {unit.id}: unknown tier {unit.tier!r}")
    for inspector in inspectors:
        if inspector.visits_per_day < 0:
            raise PlanningInputError(f"inspector {inspector.id}: visits a day must be ≥ 0")
        for day in inspector.days:
            if not first <= day <= last:
                raise PlanningInputError(f"inspector {inspector.id}: {day} is outside the period")


def plan(
    units: Sequence[Unit],
    inspectors: Sequence[Inspector],
    *,
    first: dt.date,
    last: dt.date,
    intervals: Mapping[str, int],
    unannounced_share: float,
    seed: int = 0,
) -> Plan:
    """The plan of the period. Raises PlanningInputError for inconsistent input.

    `summary` holds: units, due_units, visits_placed, units_placed, units_unplaced, capacity,
    inspector_days_available, inspector_days_used, county_changes, counties, overdue_units,
    overdue_placed, never_inspected_units, unannounced, unplaced_by_reason, by_tier, by_inspector, swaps,
    seed.
    """
    _check(units, inspectors, first, last, intervals, unannounced_share)
    return _Planner(units, inspectors, first, last, intervals).run(unannounced_share, seed)


class _Planner:
    def __init__(self, units, inspectors, first, last, intervals):
        self.units = sorted(units, key=lambda unit: unit.id)
        self.inspectors = sorted(inspectors, key=lambda inspector: inspector.id)
        self.first, self.last, self.intervals = first, last, intervals
        self.first_ord = first.toordinal()
        index = {inspector.id: i for i, inspector in enumerate(self.inspectors)}
        self.caps = [inspector.visits_per_day for inspector in self.inspectors]

        # Supply: the inspector-days.
        day_inspectors: dict[int, list[int]] = defaultdict(list)
        for i, inspector in enumerate(self.inspectors):
            if self.caps[i] > 0:
                for day in sorted(set(inspector.days)):
                    day_inspectors[day.toordinal()].append(i)
        self.day_inspectors = day_inspectors
        self.days = sorted(day_inspectors)
        self.horizon = self.days[-1] if self.days else self.first_ord - 1  # the last available day
        self.capacity = sum(self.caps[i] for d in self.days for i in day_inspectors[d])

        # Demand: each unit due in the period, its first visit released at its due date.
        self.rank = [TIER_RANK[unit.tier] for unit in self.units]
        self.county = [unit.county for unit in self.units]
        self.interval = [intervals[unit.tier] for unit in self.units]
        self.due = [due_on(unit, first, intervals) for unit in self.units]
        self.pending: list[tuple[tuple, _Job]] = []  # released later than the day being planned
        self.released: dict[int, _Job] = {}  # each unit's visit waiting to be placed (at most one)
        self.expected = [0] * len(self.units)  # visits the unit still expects in the period (estimate)
        self.period_end: list[_Job] = []  # first visits due after the last available day
        for u, unit in enumerate(self.units):
            release = self.due[u].toordinal()
            if release > last.toordinal():
                continue  # not due in this period
            excl = index.get(unit.last_inspector) if unit.last_inspector is not None else None
            job = _Job(u, 0, release, excl, self.rank[u])
            if max(release, self.first_ord) > self.horizon:
                self.period_end.append(job)
                continue
            self.released[u] = job
            self.pending.append((job.key, job))
            self.expected[u] = self._visits_from(max(release, self.first_ord), u)
        heapq.heapify(self.pending)
        self.demand = sum(self.expected)  # estimate of the visits still to place, for the "short" test

        # The schedule.
        self.placed: dict[tuple[int, int], tuple[int, int, _Job]] = {}  # (u, k) → (inspector, day, job)
        self.slot_jobs: dict[tuple[int, int], list[_Job]] = defaultdict(list)  # (inspector, day) → visits
        self.load = [0] * len(self.inspectors)
        self.pools: dict[int, list[tuple[tuple, _Job]]] = {}  # county → released jobs, by key
        self.swaps = 0

    def _visits_from(self, day: int, u: int) -> int:
        """Visits from `day` on, one per interval, up to the last available day."""
        return 0 if day > self.horizon else (self.horizon - day) // self.interval[u] + 1

    # --- placing and taking off

    def place(self, job: _Job, i: int, d: int, queue: list) -> None:
        """Put the job on inspector i's day d; release the unit's next visit into `queue`."""
        self.placed[(job.u, job.k)] = (i, d, job)
        self.slot_jobs[(i, d)].append(job)
        self.load[i] += 1
        del self.released[job.u]
        release = d + self.interval[job.u]
        after = self._visits_from(release, job.u)
        self.demand += after - self.expected[job.u]
        self.expected[job.u] = after
        if after:
            successor = _Job(job.u, job.k + 1, release, i, self.rank[job.u])
            self.released[job.u] = successor
            heapq.heappush(queue, (successor.key, successor))

    # --- main pass: day by day, each inspector's day to the county of the most urgent visit waiting

    def _best_in(self, pool: list, i: int) -> int | None:
        for position, (_key, job) in enumerate(pool):
            if job.excl != i:
                return position
        return None

    def _most_urgent_county(self, i: int) -> int | None:
        best_key, best_county = None, None
        for name, pool in self.pools.items():
            position = self._best_in(pool, i)
            if position is not None and (best_key is None or pool[position][0] < best_key):
                best_key, best_county = pool[position][0], name
        return best_county

    def _take(self, name: int, i: int, d: int, room: int) -> int:
        """Place up to `room` of the county's most urgent visits inspector i may take on day d."""
        pool = self.pools[name]
        taken = position = 0
        while taken < room and position < len(pool):
            job = pool[position][1]
            if job.excl == i:
                position += 1
                continue
            pool.pop(position)
            self.place(job, i, d, self.pending)
            taken += 1
        if not pool:
            del self.pools[name]
        return taken

    def main_pass(self) -> None:
        capacity_left = self.capacity
        for d in self.days:
            while self.pending and self.pending[0][1].release <= d:
                key, job = heapq.heappop(self.pending)
                bisect.insort(self.pools.setdefault(self.county[job.u], []), (key, job))
            for i in sorted(self.day_inspectors[d], key=lambda i: (self.load[i], i)):
                capacity_left -= self.caps[i]
                name = self._most_urgent_county(i)
                if name is None:
                    continue
                room = self.caps[i] - self._take(name, i, d, self.caps[i])
                # A second county only when what is left would not fit in what is left of the period.
                while room and self.demand > capacity_left:
                    name = self._most_urgent_county(i)
                    if name is None:
                        break
                    room -= self._take(name, i, d, room)

    # --- final pass: what is left goes into free room, or in place of a less urgent visit

    def final_pass(self) -> list[_Job]:
        caps, slot_jobs, county = self.caps, self.slot_jobs, self.county
        self.free = free = sorted(
            (d, i) for d in self.days for i in self.day_inspectors[d] if len(slot_jobs[(i, d)]) < caps[i]
        )
        self.ranked = ranked = sorted(job.key for _i, _d, job in self.placed.values())
        by_key = {job.key: (i, d) for i, d, job in self.placed.values()}
        queue = [entry for pool in self.pools.values() for entry in pool] + self.pending
        heapq.heapify(queue)
        self.pools, self.pending = {}, []
        left_out: list[_Job] = []

        def put(job: _Job, i: int, d: int) -> None:
            self.place(job, i, d, queue)
            bisect.insort(ranked, job.key)
            by_key[job.key] = (i, d)
            if len(slot_jobs[(i, d)]) >= caps[i]:
                free.pop(bisect.bisect_left(free, (d, i)))

        def take_off(u: int, k: int) -> _Job:
            """Take the unit's k-th visit and every later one off the plan; return the k-th."""
            self.released.pop(u, None)  # the visit its last placed one released waits no more
            first_job = self.placed[(u, k)][2]
            while (u, k) in self.placed:
                i, d, job = self.placed.pop((u, k))
                slot_jobs[(i, d)].remove(job)
                self.load[i] -= 1
                ranked.pop(bisect.bisect_left(ranked, job.key))
                del by_key[job.key]
                if len(slot_jobs[(i, d)]) == caps[i] - 1:
                    bisect.insort(free, (d, i))
                k += 1
            self.released[u] = first_job
            return first_job

        def free_slot(job: _Job) -> tuple[int, int] | None:
            """Room for the job: a day already in its county, else an empty day, else any; the earliest."""
            start = max(job.release, self.first_ord)
            empty = mixed = None
            for d, i in free[bisect.bisect_left(free, (start, -1)) :]:
                if i == job.excl:
                    continue
                there = {county[other.u] for other in slot_jobs[(i, d)]}
                if there == {county[job.u]}:
                    return i, d
                if not there:
                    empty = empty or (i, d)
                else:
                    mixed = mixed or (i, d)
            return empty or mixed

        def victim(job: _Job) -> tuple | None:
            """The least urgent placed visit, less urgent than the job, whose inspector may take it."""
            for key in reversed(ranked):
                if key <= job.key:
                    return None
                if by_key[key][0] != job.excl:
                    return key
            return None

        while queue:
            _key, job = heapq.heappop(queue)
            if self.released.get(job.u) is not job:
                continue  # the visit before it was taken off the plan: it does not fall due then
            slot = free_slot(job)
            if slot is not None:
                put(job, *slot)
                continue
            other = victim(job)
            if other is None:
                left_out.append(job)
                continue
            # `other` is less urgent, so it fell due no earlier: its day is one `job` may take.
            i, d = by_key[other]
            displaced = take_off(other[2], other[3])
            put(job, i, d)
            heapq.heappush(queue, (displaced.key, displaced))
            self.swaps += 1
        return [job for job in left_out if self.released.get(job.u) is job]

    def why(self, job: _Job) -> str:
        """Why a released visit stayed out. Nothing it may take is left (the final pass's invariant), so
        room from its due day on, or a less urgent visit placed, can only be the barred inspector's."""
        start = max(job.release, self.first_ord)
        if (self.free and self.free[-1][0] >= start) or (self.ranked and self.ranked[-1] > job.key):
            return ROTATION
        return CAPACITY

    # --- the answer

    def run(self, unannounced_share: float, seed: int) -> Plan:
        self.main_pass()
        left_out = self.final_pass()
        units, inspectors = self.units, self.inspectors
        first = self.first

        # Unannounced: every serious-tier visit; others drawn until the share is reached.
        order = sorted(self.placed.values(), key=lambda entry: (entry[1], entry[0], entry[2].key))
        serious = sum(1 for _i, _d, job in order if units[job.u].tier == "serious")
        others = [job.key for _i, _d, job in order if units[job.u].tier != "serious"]
        wanted = max(0, round(unannounced_share * len(order)) - serious)
        drawn = set(random.Random(seed).sample(others, min(wanted, len(others))))

        visits = []
        for i, d, job in order:
            unit = units[job.u]
            visits.append(
                Visit(
                    unit=unit.id,
                    inspector=inspectors[i].id,
                    day=dt.date.fromordinal(d),
                    county=unit.county,
                    tier=unit.tier,
                    number=job.k + 1,
                    due_on=dt.date.fromordinal(job.release),
                    unannounced=unit.tier == "serious" or job.key in drawn,
                    reasons=self._reasons(
                        job, d, unit.tier != "serious" and job.key in drawn, unannounced_share
                    ),
                )
            )
        visits.sort(key=lambda v: (v.day, v.inspector, v.county, v.due_on, -TIER_RANK[v.tier], v.unit))

        unplaced = []
        for job, reason in [(job, self.why(job)) for job in left_out] + [
            (j, PERIOD_END) for j in self.period_end
        ]:
            unit = units[job.u]
            unplaced.append(
                Unplaced(
                    unit=unit.id,
                    county=unit.county,
                    tier=unit.tier,
                    number=job.k + 1,
                    due_on=dt.date.fromordinal(job.release),
                    reason=reason,
                    excluded_inspector=inspectors[job.excl].id if job.excl is not None else None,
                    overdue_days=max(0, (first - self.due[job.u]).days),
                )
            )
        unplaced.sort(key=lambda p: visit_key(p.due_on, p.tier, p.unit, p.number))
        return Plan(
            visits=tuple(visits), unplaced=tuple(unplaced), summary=self._summary(visits, unplaced, seed)
        )

    def _reasons(self, job: _Job, d: int, drawn: bool, share: float) -> tuple[dict, ...]:
        unit = self.units[job.u]
        day = dt.date.fromordinal(d)
        release = dt.date.fromordinal(job.release)
        interval = self.interval[job.u]
        reasons: list[dict] = [{"code": "tier", "tier": unit.tier, "interval_days": interval}]
        if job.k == 0 and unit.last_inspected is None:
            reasons.append({"code": "never_inspected"})
        elif job.k == 0:
            reasons.append(
                {
                    "code": "last_inspected",
                    "on": unit.last_inspected.isoformat(),
                    "days_before": (day - unit.last_inspected).days,
                }
            )
            if release < self.first:
                reasons.append(
                    {"code": "overdue", "days": (self.first - release).days, "due_on": release.isoformat()}
                )
            else:
                reasons.append({"code": "due", "due_on": release.isoformat()})
        else:
            previous = dt.date.fromordinal(self.placed[(job.u, job.k - 1)][1])
            reasons.append(
                {
                    "code": "repeat",
                    "number": job.k + 1,
                    "previous_on": previous.isoformat(),
                    "interval_days": interval,
                }
            )
        reasons.extend(dict(reason) for reason in unit.reasons)
        if unit.tier == "serious":
            reasons.append({"code": "unannounced_serious"})
        elif drawn:
            reasons.append({"code": "unannounced_drawn", "share": share})
        return tuple(reasons)

    def _summary(self, visits: list[Visit], unplaced: list[Unplaced], seed: int) -> dict:
        units, first = self.units, self.first
        due_units = {unit.id: unit for u, unit in enumerate(units) if self.due[u] <= self.last}
        overdue = {uid for uid, unit in due_units.items() if due_on(unit, first, self.intervals) < first}
        visited = {v.unit for v in visits}
        by_tier = {tier: {"units": 0, "visits": 0, "unplaced": 0} for tier in TIERS}
        for unit in due_units.values():
            by_tier[unit.tier]["units"] += 1
        for visit in visits:
            by_tier[visit.tier]["visits"] += 1
        for entry in unplaced:
            by_tier[entry.tier]["unplaced"] += 1
        per_inspector = {
            str(inspector.id): {
                "visits": 0,
                "days": 0,
                "available_days": len(set(inspector.days)),
                "capacity": len(set(inspector.days)) * inspector.visits_per_day,
            }
            for inspector in self.inspectors
        }
        worked = Counter((visit.inspector, visit.day) for visit in visits)
        for visit in visits:
            per_inspector[str(visit.inspector)]["visits"] += 1
        for inspector_id, _day in worked:
            per_inspector[str(inspector_id)]["days"] += 1
        reasons = Counter(entry.reason for entry in unplaced)
        return {
            "units": len(units),
            "due_units": len(due_units),
            "visits_placed": len(visits),
            "units_placed": len(visited),
            "units_unplaced": len(unplaced),
            "capacity": self.capacity,
            "inspector_days_available": sum(len(self.day_inspectors[d]) for d in self.days),
            "inspector_days_used": len(worked),
            "county_changes": county_changes(visits),
            "counties": len({v.county for v in visits}),
            "overdue_units": len(overdue),
            "overdue_placed": len(overdue & visited),
            "never_inspected_units": sum(1 for unit in due_units.values() if unit.last_inspected is None),
            "unannounced": sum(1 for v in visits if v.unannounced),
            "unplaced_by_reason": {reason: reasons.get(reason, 0) for reason in UNPLACED_REASONS},
            "by_tier": by_tier,
            "by_inspector": per_inspector,
            "swaps": self.swaps,
            "seed": seed,
        }
