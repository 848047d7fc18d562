"""Optimal, explainable assignment of a batch of tests to cooperating labs. No model, no database.

An *item* is one requirement (test) of one sample. The solver picks a lab for every item so that
the batch costs the least, under the office's hard rules:

- a lab takes only tests of its accredited scope (an `Offer` for that requirement);
- no lab takes more tests of a requirement than its remaining capacity for it;
- no lab tests a unit it is related to (ownership, declared conflict of interest);
- rotation: no lab tests the same product of the same unit more than `rotation_limit` times in a row.

The cost of an item at a lab is price + distance + turnaround, weighted in rials (`Weights`), plus an
optional fixed cost per order (one sample sent to one lab). It is solved exactly with HiGHS (through
`scipy.optimize.linprog` when it is a transportation problem, `milp` when it is not); when the batch
cannot be placed whole, the solver places as many items as possible, then at the least cost, and
says which items and requirements lacked a lab. Every choice comes with its explanation.
docs/assignment.md describes the model; bench/bench_assignment.py checks it at national scale
against an independent formulation.

Callers pass plain values (`Item`, `Lab`, `Offer`) and get plain values back (`Assignment`); only the
explanation texts touch Django (gettext).
"""

from __future__ import annotations

import math
import operator
import time
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from django.utils.translation import gettext as _
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

# Mean radius R1 = (2a + b) / 3 of the WGS 84 ellipsoid: 6,371,008.7714 m (NIMA TR8350.2, 3rd edition,
# 2000, Table 3.3 "WGS 84 ellipsoid derived geometric constants"; a and 1/f from Table 3.1). The
# great-circle (haversine) distance on this sphere is within 0.5% of the ellipsoidal distance.
EARTH_RADIUS_KM = 6371.0087714

Location = tuple[float, float]  # (latitude, longitude) in decimal degrees


class AssignmentInputError(ValueError):
    """The caller passed inconsistent input (a programming error, not a user's mistake)."""


class AssignmentSolverError(RuntimeError):
    """HiGHS did not return an optimal solution (it should always; this is a bug or a numerical failure)."""


# --- input ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One test to place: one requirement of one sample."""

    key: Hashable  # the caller's id of this item, unique in the batch
    sample: Hashable  # the caller's id of the sample; its items share unit and product
    requirement: Hashable
    unit: Hashable  # the production unit whose product is tested
    product: Hashable  # with the unit, what rotation counts
    location: Location | None = None  # of the unit's site


@dataclass(frozen=True, slots=True, kw_only=True)
class Lab:
    id: Hashable
    location: Location | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Offer:
    """One line of a lab's valid accredited scope, with what is left of it in this period."""

    lab: Hashable
    requirement: Hashable
    capacity: int  # tests the lab can still take for this requirement in this period, ≥ 0
    price: int  # rials per test, ≥ 0
    turnaround_days: float  # ≥ 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Weights:
    """What one unit of each cost component is worth, in rials.

    The defaults are starting values, not a regulation: each office sets its own (docs/assignment.md).
    """

    price: float = 1.0  # rials per rial of price
    distance: float = 20_000.0  # rials per km between the lab and the unit's site (sample transport)
    turnaround: float = 1_000_000.0  # rials per day of turnaround
    order: float = 0.0  # fixed rials per order (one sample to one lab); > 0 discourages splitting a sample
    fallback_km: float = 500.0  # distance used when the lab's or the unit's location is unknown


DEFAULT_WEIGHTS = Weights()


# --- output -----------------------------------------------------------------------------------------


class Status(StrEnum):
    OPTIMAL = "optimal"  # every item placed, at the least total cost
    PARTIAL = "partial"  # the batch cannot be placed whole: as many items as possible, then least cost


class Reason(StrEnum):
    """Why a lab was not chosen for an item."""

    MORE_EXPENSIVE = "more_expensive"  # it costs more for this item
    SAME_COST = "same_cost"  # a tie: either choice is optimal
    NO_OFFER = "no_offer"  # takes other tests of the sample, but has no accreditation for this one
    CONFLICT = "conflict"  # conflict of interest with the unit
    ROTATION = "rotation"  # tested this product of this unit the last N times in a row
    ROTATION_BATCH = "rotation_batch"  # takes as many samples of this product as rotation allows
    CAPACITY = "capacity"  # its capacity for this test is used by other items of the batch
    ORDER_COST = "order_cost"  # cheaper for the item, but a separate order's fixed cost is more
    BATCH_OPTIMUM = "batch_optimum"  # none of the above; optimality alone (never seen in the tests)


class Unplaced(StrEnum):
    """Why an item has no lab."""

    NO_OFFER = "no_offer"  # no lab in the list is accredited for this test
    EXCLUDED = "excluded"  # every accredited lab is excluded for this unit (conflict, rotation)
    NO_ROOM = "no_room"  # the eligible labs are full (or at their rotation limit) in this batch


@dataclass(frozen=True, slots=True)
class Cost:
    """The cost of one item at one lab, by component; `total` (whole rials) is what the solver minimises."""

    price: int  # the lab's price, rials
    distance_km: float
    distance_fallback: bool  # True: a location was unknown, distance_km is Weights.fallback_km
    turnaround_days: float
    price_part: float  # Weights.price × price
    distance_part: float  # Weights.distance × distance_km
    turnaround_part: float  # Weights.turnaround × turnaround_days
    total: int  # round(price_part + distance_part + turnaround_part)


@dataclass(frozen=True, slots=True)
class Alternative:
    """A lab that could have been considered for an item, and why it was not chosen."""

    lab: Hashable
    reason: Reason
    cost: Cost | None = None  # None when the lab has no offer for the test
    difference: int | None = None  # its total − the chosen lab's total (negative: cheaper)
    capacity: int | None = None  # CAPACITY: the offer's capacity
    run: int | None = None  # ROTATION(_BATCH): previous consecutive tests of this product by the lab
    taken: int | None = None  # ROTATION_BATCH: samples of this product of this unit it takes in the batch
    limit: int | None = None  # ROTATION(_BATCH): the rotation limit
    order_cost: int | None = None  # ORDER_COST: the fixed cost of one order

    def describe(self, lab_names: Mapping[Hashable, str] | None = None) -> str:
        """One sentence, in the active language."""
        lab = _lab_name(self.lab, lab_names)
        cost = _rials(self.cost.total) if self.cost else ""
        saving = _rials(-self.difference) if self.difference is not None and self.difference < 0 else ""
        match self.reason:
            case Reason.MORE_EXPENSIVE:
                return _("{lab}: {difference} rials more expensive (cost {cost} rials).").format(
                    lab=lab, difference=_rials(self.difference), cost=cost
                )
            case Reason.SAME_COST:
                return _("{lab}: the same cost ({cost} rials); either choice is optimal.").format(
                    lab=lab, cost=cost
                )
            case Reason.NO_OFFER:
                return _(
                    "{lab}, which takes other tests of this sample: not accredited for this test."
                ).format(lab=lab)
            case Reason.CONFLICT:
                return _("{lab} (cost {cost} rials): excluded, conflict of interest with this unit.").format(
                    lab=lab, cost=cost
                )
            case Reason.ROTATION:
                return _(
                    "{lab} (cost {cost} rials): excluded by rotation, it tested this product of this unit "
                    "the last {run} times in a row (at most {limit} allowed)."
                ).format(lab=lab, cost=cost, run=self.run, limit=self.limit)
            case Reason.ROTATION_BATCH if saving:
                return _(
                    "{lab}: {saving} rials cheaper, but it already takes {taken} samples of this product "
                    "of this unit in this batch, the most rotation allows after its {run} consecutive "
                    "previous tests (at most {limit} in a row)."
                ).format(lab=lab, saving=saving, taken=self.taken, run=self.run, limit=self.limit)
            case Reason.ROTATION_BATCH:
                return _(
                    "{lab} (cost {cost} rials): it already takes {taken} samples of this product of this "
                    "unit in this batch, the most rotation allows after its {run} consecutive previous "
                    "tests (at most {limit} in a row)."
                ).format(lab=lab, cost=cost, taken=self.taken, run=self.run, limit=self.limit)
            case Reason.CAPACITY if self.capacity == 0:
                return _("{lab} (cost {cost} rials): no capacity left for this test in this period.").format(
                    lab=lab, cost=cost
                )
            case Reason.CAPACITY if saving:
                return _(
                    "{lab}: {saving} rials cheaper, but its capacity for this test ({capacity}) is used by "
                    "other items of this batch, and freeing a place would cost them at least as much."
                ).format(lab=lab, saving=saving, capacity=self.capacity)
            case Reason.CAPACITY:
                return _(
                    "{lab} (cost {cost} rials): its capacity for this test ({capacity}) is used by other "
                    "items of this batch."
                ).format(lab=lab, cost=cost, capacity=self.capacity)
            case Reason.ORDER_COST:
                return _(
                    "{lab}: {saving} rials cheaper, but it would add a separate order for this sample, "
                    "with a fixed cost of {order_cost} rials."
                ).format(lab=lab, saving=saving, order_cost=_rials(self.order_cost))
            case _:
                return _(
                    "{lab}: {saving} rials cheaper for this item alone, but the batch costs less as a whole."
                ).format(lab=lab, saving=saving or "0")


@dataclass(frozen=True, slots=True)
class Placement:
    """The answer for one item: its lab (or None), its cost, and the labs it did not go to and why."""

    item: Item
    lab: Hashable | None
    cost: Cost | None
    alternatives: tuple[Alternative, ...]  # cheapest first; for an unplaced item, every accredited lab
    unplaced: Unplaced | None = None
    order_cost: int = 0  # fixed cost of the order (sample, lab) this item belongs to
    order_size: int = 0  # items in that order

    def explain(self, lab_names: Mapping[Hashable, str] | None = None) -> list[str]:
        """Sentences in the active language: the choice and its cost, then each alternative."""
        return [self.describe_choice(lab_names)] + [alt.describe(lab_names) for alt in self.alternatives]

    def describe_choice(self, lab_names: Mapping[Hashable, str] | None = None) -> str:
        if self.lab is None:
            match self.unplaced:
                case Unplaced.NO_OFFER:
                    return _("Not placed: no lab in the list is accredited for this test.")
                case Unplaced.EXCLUDED:
                    return _(
                        "Not placed: every lab accredited for this test is excluded for this unit "
                        "(conflict of interest or rotation)."
                    )
                case _:
                    return _(
                        "Not placed: the labs that may take this test have too few places left for this "
                        "batch, and leaving this item out rather than another costs the least."
                    )
        cost = self.cost
        values = {
            "lab": _lab_name(self.lab, lab_names),
            "total": _rials(cost.total),
            "price": _rials(round(cost.price_part)),
            "distance": _rials(round(cost.distance_part)),
            "km": f"{cost.distance_km:,.1f}",
            "turnaround": _rials(round(cost.turnaround_part)),
            "days": f"{cost.turnaround_days:g}",
        }
        if cost.distance_fallback:
            text = _(
                "Sent to {lab} for {total} rials: price {price}, distance {distance} ({km} km, a fallback "
                "because the location of the lab or of the unit is unknown), turnaround {turnaround} "
                "({days} days)."
            ).format(**values)
        else:
            text = _(
                "Sent to {lab} for {total} rials: price {price}, distance {distance} ({km} km), "
                "turnaround {turnaround} ({days} days)."
            ).format(**values)
        if self.order_cost:
            text += " " + _(
                "The order of this sample to this lab ({count} tests) also carries a fixed cost of "
                "{order_cost} rials."
            ).format(count=self.order_size, order_cost=_rials(self.order_cost))
        return text


@dataclass(frozen=True, slots=True)
class Order:
    """The items of one sample that go to one lab: what the lab receives."""

    sample: Hashable
    unit: Hashable
    product: Hashable
    lab: Hashable
    items: tuple[Hashable, ...]  # item keys, in input order
    items_cost: int  # sum of the items' totals
    fixed_cost: int  # Weights.order, in whole rials


@dataclass(frozen=True, slots=True)
class Shortage:
    """A requirement some of whose items could not be placed."""

    requirement: Hashable
    demand: int  # items of the batch for this requirement
    eligible_capacity: int  # capacity of the offers that at least one of those items may use
    placed: int
    unplaced: tuple[Hashable, ...]  # keys of the items left without a lab
    without_eligible_lab: tuple[Hashable, ...]  # the subset no lab may take at all (no offer, excluded)

    def describe(self) -> str:
        return _(
            "Requirement {requirement}: {demand} tests for {capacity} places in the labs that may take "
            "them; {unplaced} not placed, {without} of them with no eligible lab at all."
        ).format(
            requirement=self.requirement,
            demand=self.demand,
            capacity=self.eligible_capacity,
            unplaced=len(self.unplaced),
            without=len(self.without_eligible_lab),
        )


@dataclass(frozen=True, slots=True)
class SolveStats:
    candidates: int  # (item, offer) pairs for the items' requirements
    pair_variables: int  # eligible (item, lab) pairs: one variable each
    order_variables: int  # (sample, lab) binaries: fixed costs and in-batch rotation
    constraints: int
    nonzeros: int
    integer: bool  # a MILP (orders' y or rotation rows); False: a transportation problem, an LP
    solves: int  # solves: 1 if the batch fits, else up to 3 (try, most placed, least cost)
    branch_and_bound: int  # solves whose LP relaxation was fractional, finished by HiGHS's MILP solver
    solver_objective: float  # HiGHS's objective of the last solve
    build_seconds: float
    solve_seconds: float
    report_seconds: float


@dataclass(frozen=True, slots=True)
class Assignment:
    status: Status
    placements: tuple[Placement, ...]  # one per item, in input order
    orders: tuple[Order, ...]
    total_cost: int  # items_cost + orders_cost, whole rials
    items_cost: int
    orders_cost: int
    unplaced: tuple[Hashable, ...]  # keys of items without a lab, in input order
    without_eligible_lab: tuple[Hashable, ...]  # the subset no lab may take at all
    shortages: tuple[Shortage, ...]  # requirements with unplaced items, in order of first item
    stats: SolveStats = field(compare=False)
    _by_key: dict = field(compare=False, repr=False, default_factory=dict)

    @property
    def feasible(self) -> bool:
        return self.status == Status.OPTIMAL

    def placement(self, key: Hashable) -> Placement:
        """The placement of the item with this key. Raises KeyError."""
        return self.placements[self._by_key[key]]

    def lab_of(self, key: Hashable) -> Hashable | None:
        return self.placement(key).lab


# --- the solver -------------------------------------------------------------------------------------

_ELIGIBLE, _CONFLICT, _ROTATION = 0, 1, 2


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between points in decimal degrees (arrays broadcast)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def assign_labs(
    items: Sequence[Item],
    labs: Sequence[Lab],
    offers: Sequence[Offer],
    *,
    conflicts: Collection[tuple[Hashable, Hashable]] = frozenset(),
    history: Mapping[tuple[Hashable, Hashable], Sequence[Hashable]] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    rotation_limit: int | None = 3,
    alternatives: int = 3,
) -> Assignment:
    """Place every item with a lab at the least total cost, exactly; explain every choice.

    `conflicts` holds (lab id, unit) pairs never to assign; `history` maps (unit, product) to the lab
    ids of that product's most recent tests, oldest first; `rotation_limit=None` turns rotation off.
    `alternatives` is how many of the cheapest other labs each placed item's explanation lists.
    Raises AssignmentInputError on inconsistent input, AssignmentSolverError if HiGHS fails.
    """
    if isinstance(alternatives, bool) or not isinstance(alternatives, int) or alternatives < 0:
        raise AssignmentInputError("alternatives must be an integer ≥ 0")
    started = time.perf_counter()
    batch = _Batch(items, labs, offers, conflicts, history or {}, weights, rotation_limit)
    model = _Model(batch)
    built = time.perf_counter()
    chosen, solves, objective = model.solve()
    solved = time.perf_counter()
    return _report(batch, model, chosen, alternatives, solves, objective, started, built, solved)


class _Batch:
    """The input as numpy arrays, every (item, offer) candidate pair with its cost and eligibility."""

    def __init__(self, items, labs, offers, conflicts, history, weights, rotation_limit):
        _check_weights(weights)
        if rotation_limit is not None and (
            isinstance(rotation_limit, bool) or not isinstance(rotation_limit, int) or rotation_limit < 1
        ):
            raise AssignmentInputError("rotation_limit must be an integer ≥ 1, or None")
        self.items, self.labs, self.offers = tuple(items), tuple(labs), tuple(offers)
        self.weights, self.rotation_limit = weights, rotation_limit
        self.order_cost = round(weights.order)
        self._index_labs()
        self._index_items()
        self._index_offers()
        self._index_history(history)
        self._candidates(conflicts)

    def _index_labs(self):
        self.lab_index: dict[Hashable, int] = {}
        for index, lab in enumerate(self.labs):
            if lab.id in self.lab_index:
                raise AssignmentInputError(f"lab {lab.id!r} is listed twice")
            self.lab_index[lab.id] = index
        self.lab_lat, self.lab_lon, self.lab_located = _locations([lab.location for lab in self.labs], "lab")

    def _index_items(self):
        n = len(self.items)
        self.requirement_index: dict[Hashable, int] = {}
        self.unit_index: dict[Hashable, int] = {}
        self.group_index: dict[tuple[Hashable, Hashable], int] = {}  # (unit, product)
        self.sample_index: dict[Hashable, int] = {}
        self.key_index: dict[Hashable, int] = {}
        self.item_requirement = np.empty(n, np.int64)
        self.item_unit = np.empty(n, np.int64)
        self.item_group = np.empty(n, np.int64)
        self.item_sample = np.empty(n, np.int64)
        sample_group: list[int] = []
        for i, item in enumerate(self.items):
            if item.key in self.key_index:
                raise AssignmentInputError(f"item key {item.key!r} is used twice")
            self.key_index[item.key] = i
            self.item_requirement[i] = self.requirement_index.setdefault(
                item.requirement, len(self.requirement_index)
            )
            self.item_unit[i] = self.unit_index.setdefault(item.unit, len(self.unit_index))
            group = self.group_index.setdefault((item.unit, item.product), len(self.group_index))
            self.item_group[i] = group
            sample = self.sample_index.setdefault(item.sample, len(self.sample_index))
            if sample == len(sample_group):
                sample_group.append(group)
            elif sample_group[sample] != group:
                raise AssignmentInputError(f"the items of sample {item.sample!r} differ in unit or product")
            self.item_sample[i] = sample
        self.sample_group = np.array(sample_group, np.int64)
        self.item_lat, self.item_lon, self.item_located = _locations(
            [it.location for it in self.items], "item"
        )

    def _index_offers(self):
        count = len(self.offers)
        self.offer_lab = np.empty(count, np.int64)
        self.offer_requirement = np.empty(count, np.int64)
        self.offer_capacity = np.empty(count, np.int64)
        self.offer_price = np.empty(count, np.float64)
        self.offer_days = np.empty(count, np.float64)
        self.offer_index: dict[tuple[int, Hashable], int] = {}
        for k, offer in enumerate(self.offers):
            lab = self.lab_index.get(offer.lab)
            if lab is None:
                raise AssignmentInputError(f"an offer names lab {offer.lab!r}, which is not in the labs")
            if (lab, offer.requirement) in self.offer_index:
                raise AssignmentInputError(f"lab {offer.lab!r} offers {offer.requirement!r} twice")
            self.offer_index[(lab, offer.requirement)] = k
            self.offer_lab[k] = lab
            self.offer_requirement[k] = self.requirement_index.setdefault(
                offer.requirement, len(self.requirement_index)
            )
            self.offer_capacity[k] = _non_negative_int(offer.capacity, "capacity", offer)
            self.offer_price[k] = _non_negative_int(offer.price, "price", offer)
            days = offer.turnaround_days
            if isinstance(days, bool) or not isinstance(days, int | float) or not 0 <= days < math.inf:
                raise AssignmentInputError(f"turnaround_days must be a finite number ≥ 0: {offer!r}")
            self.offer_days[k] = days

    def _index_history(self, history):
        """Per (unit, product): the lab of the latest tests and how many times in a row it did them."""
        groups = len(self.group_index)
        self.tail_lab = np.full(groups, -1, np.int64)
        self.tail_run = np.zeros(groups, np.int64)
        if self.rotation_limit is None:
            return
        for group_key, group in self.group_index.items():
            sequence = history.get(group_key)
            if not sequence:
                continue
            sequence = list(sequence)
            last, run = sequence[-1], 1
            while run < len(sequence) and sequence[-1 - run] == last:
                run += 1
            lab = self.lab_index.get(last)
            if lab is not None:
                self.tail_lab[group], self.tail_run[group] = lab, run

    def _candidates(self, conflicts):
        """Every (item, offer of the item's requirement) pair, vectorised: cost and eligibility."""
        n = len(self.items)
        by_requirement = np.argsort(self.offer_requirement, kind="stable")
        sorted_requirements = self.offer_requirement[by_requirement]
        start = np.searchsorted(sorted_requirements, self.item_requirement, "left")
        counts = np.searchsorted(sorted_requirements, self.item_requirement, "right") - start
        total = int(counts.sum())
        self.cand_item = np.repeat(np.arange(n, dtype=np.int64), counts)
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        self.cand_offer = by_requirement[np.repeat(start, counts) + within]
        self.cand_lab = self.offer_lab[self.cand_offer]
        self.item_cand_start = np.cumsum(counts) - counts  # candidates of item i: [start, start + count)
        self.item_cand_count = counts

        items, labs = self.cand_item, self.cand_lab
        located = self.item_located[items] & self.lab_located[labs]
        km = np.full(total, float(self.weights.fallback_km))
        km[located] = haversine_km(
            self.item_lat[items[located]],
            self.item_lon[items[located]],
            self.lab_lat[labs[located]],
            self.lab_lon[labs[located]],
        )
        self.cand_km, self.cand_located = km, located
        self.cand_price_part = self.weights.price * self.offer_price[self.cand_offer]
        self.cand_distance_part = self.weights.distance * km
        self.cand_turnaround_part = self.weights.turnaround * self.offer_days[self.cand_offer]
        # Whole rials, rounded half to even: the objective is then integral and a tie is a true tie.
        total_cost = self.cand_price_part + self.cand_distance_part + self.cand_turnaround_part
        self.cand_total = np.rint(total_cost).astype(np.int64)

        self.cand_status = np.zeros(total, np.int8)
        units = len(self.unit_index)
        codes = []
        for pair in conflicts:
            lab, unit = self.lab_index.get(pair[0]), self.unit_index.get(pair[1])
            if lab is not None and unit is not None:
                codes.append(lab * units + unit)
        if codes:
            conflict = np.isin(labs * units + self.item_unit[items], np.array(codes, np.int64))
            self.cand_status[conflict] = _CONFLICT
        if self.rotation_limit is not None:
            group = self.item_group[items]
            rotated = (self.tail_lab[group] == labs) & (self.tail_run[group] >= self.rotation_limit)
            self.cand_status[rotated & (self.cand_status == _ELIGIBLE)] = _ROTATION

    def rotation_allowance(self, group: np.ndarray, lab: np.ndarray) -> np.ndarray:
        """Samples of (unit, product) `group` lab `lab` may take in this batch: N − its current run."""
        return self.rotation_limit - np.where(self.tail_lab[group] == lab, self.tail_run[group], 0)

    def run(self, group: int, lab: int) -> int:
        """How many of the latest tests of (unit, product) `group` lab `lab` did in a row (0: not last)."""
        return int(self.tail_run[group]) if self.tail_lab[group] == lab else 0


class _Model:
    """The integer program: x (item, lab) ∈ {0, 1}; y (sample, lab) ∈ {0, 1} where needed."""

    def __init__(self, batch: _Batch):
        self.batch = b = batch
        n, offers = len(b.items), len(b.offers)
        self.eligible = np.flatnonzero(b.cand_status == _ELIGIBLE)
        self.pairs = pairs = len(self.eligible)
        e_item, e_offer = b.cand_item[self.eligible], b.cand_offer[self.eligible]
        e_lab = b.cand_lab[self.eligible]
        self.placeable = np.bincount(e_item, minlength=n) > 0
        item_row = np.full(n, -1, np.int64)
        item_row[self.placeable] = np.arange(int(self.placeable.sum()))
        self.item_rows = int(self.placeable.sum())

        # Capacity rows only where the offer's candidates outnumber its capacity; others never bind.
        self.offer_demand = np.bincount(e_offer, minlength=offers)
        binding = np.flatnonzero(self.offer_demand > b.offer_capacity)
        capacity_row = np.full(offers, -1, np.int64)
        capacity_row[binding] = np.arange(len(binding))

        # Orders, "sample s sends something to lab l": needed for every (s, l) when an order has a fixed
        # cost, and where rotation within the batch can bind: a (unit, product) with more samples in
        # the batch than a lab may still take (N − its run). Where a single item of s may go to l, that
        # item's x is the order itself (its cost carries the fixed cost); elsewhere a binary y(s, l),
        # with x(i, l) ≤ y(s, l) for each of those items.
        e_sample = b.item_sample[e_item]
        labs = max(len(b.labs), 1)
        if b.order_cost > 0:
            y_pairs = np.arange(pairs)
        elif b.rotation_limit is not None:
            per_group = np.bincount(b.sample_group, minlength=len(b.group_index))  # samples in the batch
            run = np.where(b.tail_run < b.rotation_limit, b.tail_run, 0)  # run ≥ N: excluded outright
            crowded = per_group > b.rotation_limit - run
            y_pairs = np.flatnonzero(crowded[b.item_group[e_item]])
        else:
            y_pairs = np.empty(0, np.int64)
        sample_lab = e_sample[y_pairs] * labs + e_lab[y_pairs]
        unique_sl, first, of_pair, size = np.unique(
            sample_lab, return_index=True, return_inverse=True, return_counts=True
        )
        single = size == 1
        sl_group, sl_lab = b.sample_group[e_sample[y_pairs[first]]], e_lab[y_pairs[first]]
        rotating = np.zeros(len(unique_sl), bool)
        allowance = np.empty(0, np.int64)
        if b.rotation_limit is not None and len(unique_sl):
            keys, of_order, samples = np.unique(
                sl_group * labs + sl_lab, return_inverse=True, return_counts=True
            )
            one = np.zeros(len(keys), np.int64)  # one (sample, lab) of each key: any has its group and lab
            one[of_order] = np.arange(len(of_order))
            key_allowance = b.rotation_allowance(sl_group[one], sl_lab[one])
            binds = samples > key_allowance
            rotating = binds[of_order]
            allowance = key_allowance[binds]
            rotation_row = np.full(len(keys), -1, np.int64)
            rotation_row[binds] = np.arange(int(binds.sum()))
        with_y = (np.ones(len(unique_sl), bool) if b.order_cost > 0 else rotating) & ~single
        self.orders = int(with_y.sum())
        order_column = np.full(len(unique_sl), -1, np.int64)  # the variable that stands for each order
        order_column[single] = y_pairs[first[single]]
        order_column[with_y] = pairs + np.arange(self.orders)

        rows, cols = [item_row[e_item]], [np.arange(pairs)]
        values = [np.ones(pairs)]
        lower, upper = [np.ones(self.item_rows)], [np.ones(self.item_rows)]
        base = self.item_rows
        has_capacity_row = capacity_row[e_offer] >= 0
        rows.append(base + capacity_row[e_offer[has_capacity_row]])
        cols.append(np.flatnonzero(has_capacity_row))
        values.append(np.ones(int(has_capacity_row.sum())))
        lower.append(np.full(len(binding), -np.inf))
        upper.append(b.offer_capacity[binding].astype(np.float64))
        base += len(binding)
        linked = with_y[of_pair]  # x(i, l) − y(s(i), l) ≤ 0
        link_rows = base + np.arange(int(linked.sum()))
        rows += [link_rows, link_rows]
        cols += [y_pairs[linked], order_column[of_pair[linked]]]
        values += [np.ones(len(link_rows)), -np.ones(len(link_rows))]
        lower.append(np.full(len(link_rows), -np.inf))
        upper.append(np.zeros(len(link_rows)))
        base += len(link_rows)
        if len(allowance):  # Σ over the samples of one (unit, product) of their orders to l ≤ N − run
            in_row = np.flatnonzero(rotating)
            rows.append(base + rotation_row[of_order[in_row]])
            cols.append(order_column[in_row])
            values.append(np.ones(len(in_row)))
            lower.append(np.full(len(allowance), -np.inf))
            upper.append(allowance.astype(np.float64))
            base += len(allowance)
        self.rows = base
        self.matrix = sparse.csr_array(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
            shape=(self.rows, pairs + self.orders),
        )
        self.lower, self.upper = np.concatenate(lower), np.concatenate(upper)
        pair_cost = b.cand_total[self.eligible].astype(np.float64)
        pair_cost[y_pairs[first[single]]] += b.order_cost  # an order of a single item
        self.cost = np.concatenate([pair_cost, np.full(self.orders, float(b.order_cost))])
        # A rotation row spans items of several samples and breaks total unimodularity; so do the y.
        self.integer = self.orders > 0 or len(allowance) > 0
        self.capacity_rows, self.rotation_rows = len(binding), len(allowance)
        self.milp_runs = 0  # runs that needed branch and bound

        # Cheap proof that the batch cannot fit: a requirement with more placeable items than places.
        requirements = len(b.requirement_index)
        offer_used = self.offer_demand > 0
        places = np.bincount(
            b.offer_requirement[offer_used], weights=b.offer_capacity[offer_used], minlength=requirements
        )
        demand = np.bincount(b.item_requirement[self.placeable], minlength=requirements)
        self.surely_short = bool(np.any(demand > places))

    def solve(self) -> tuple[np.ndarray, int, float]:
        """The chosen eligible pairs (a boolean mask), the number of HiGHS runs and the last objective.

        Lexicographic: first the most items placed (u = 1 marks an unplaced item), then the least cost
        among those. Equivalent to an infinite penalty per unplaced item, without big-M numerics.
        """
        if self.pairs == 0:
            return np.zeros(0, bool), 0, 0.0
        runs = 0
        if not self.surely_short:  # try the whole batch at once
            runs += 1
            result = self._run(self.cost, self.matrix, self.lower, self.upper)
            if result is not None:
                return result[0], runs, result[1]
        runs += 2
        fewest = self._fewest_unplaced()
        if fewest == 0:
            result = self._run(self.cost, self.matrix, self.lower, self.upper)
        else:
            matrix = self._with_slack(self.matrix)
            slack_columns = matrix.shape[1] - self.item_rows + np.arange(self.item_rows)
            total_row = sparse.csr_array(
                (np.ones(self.item_rows), (np.zeros(self.item_rows, np.int64), slack_columns)),
                shape=(1, matrix.shape[1]),
            )
            result = self._run(
                np.concatenate([self.cost, np.zeros(self.item_rows)]),
                sparse.vstack([matrix, total_row], format="csr"),
                np.append(self.lower, -np.inf),
                np.append(self.upper, fewest),
            )
        if result is None:
            raise AssignmentSolverError("HiGHS failed on the least-cost placement of the most items")
        return result[0], runs, result[1]

    def _fewest_unplaced(self) -> int:
        """How many items must stay unplaced. Orders' y change only the cost, so unless rotation rows
        couple samples this is an LP on x alone (a maximum flow), even when the final model is a MILP."""
        if self.rotation_rows:
            matrix, lower, upper = self.matrix, self.lower, self.upper
        else:
            rows = self.item_rows + self.capacity_rows
            matrix, lower, upper = self.matrix[:rows, : self.pairs], self.lower[:rows], self.upper[:rows]
        cost = np.concatenate([np.zeros(matrix.shape[1]), np.ones(self.item_rows)])
        result = self._run(cost, self._with_slack(matrix), lower, upper)
        if result is None:
            raise AssignmentSolverError("HiGHS found no placement, not even the empty one")
        return round(result[1])

    def _with_slack(self, matrix):
        """The matrix with one slack column per item row: Σ_l x(i, l) + u(i) = 1."""
        diagonal = np.arange(self.item_rows)
        slack = sparse.csr_array(
            (np.ones(self.item_rows), (diagonal, diagonal)), shape=(matrix.shape[0], self.item_rows)
        )
        return sparse.hstack([matrix, slack], format="csr")

    def _run(self, cost, matrix, lower, upper) -> tuple[np.ndarray, float] | None:
        """Solve exactly; None when infeasible.

        First the LP relaxation (`linprog`; `milp` would build a Python object per variable). Without
        y and rotation rows the model is a transportation problem, whose simplex vertex is integral.
        Otherwise, when the relaxation's x is integral anyway (with y(s, l) = max of its x, which costs
        no more and keeps every row), it is optimal for the MILP too, since the relaxation's optimum is
        a lower bound. Only a fractional x sends the model to branch and bound (`milp`).
        """
        equalities = self.item_rows  # rows: the item equalities first, then ≤ rows (lower bound −inf)
        result = linprog(
            cost,
            A_ub=matrix[equalities:],
            b_ub=upper[equalities:],
            A_eq=matrix[:equalities],
            b_eq=upper[:equalities],
            bounds=(0, 1),
            method="highs",
        )
        for attempt in ("lp", "milp"):
            if attempt == "milp":
                self.milp_runs += 1
                result = milp(
                    cost,
                    integrality=np.ones(len(cost)),
                    bounds=Bounds(0, 1),
                    constraints=LinearConstraint(matrix, lower, upper),
                    options={"mip_rel_gap": 0.0, "presolve": True},
                )
            if result.status == 2 or (result.status == 4 and result.x is None):  # infeasible
                return None
            if result.status != 0 or result.x is None:
                raise AssignmentSolverError(f"HiGHS: {result.message}")
            x = result.x[: self.pairs]
            if np.all(np.abs(x - np.rint(x)) <= 1e-6):
                return x > 0.5, float(result.fun)
        raise AssignmentSolverError("HiGHS returned a fractional solution to the integer program")


def _report(batch, model, chosen, alternatives, solves, objective, started, built, solved) -> Assignment:
    b, n = batch, len(batch.items)
    chosen_cand = np.full(n, -1, np.int64)
    chosen_pairs = model.eligible[chosen] if model.pairs else np.empty(0, np.int64)
    chosen_items = b.cand_item[chosen_pairs]
    if len(np.unique(chosen_items)) != len(chosen_items):
        raise AssignmentSolverError("an item was placed twice")
    chosen_cand[chosen_items] = chosen_pairs
    placed = chosen_cand >= 0
    chosen_lab = np.full(n, -1, np.int64)
    chosen_lab[placed] = b.cand_lab[chosen_cand[placed]]
    used = np.bincount(b.cand_offer[chosen_pairs], minlength=len(b.offers))
    if np.any(used > b.offer_capacity):
        raise AssignmentSolverError("a capacity was exceeded")

    # Orders: (sample, lab) → items, in input order.
    order_items: dict[tuple[int, int], list[int]] = {}
    for i in np.flatnonzero(placed).tolist():
        order_items.setdefault((int(b.item_sample[i]), int(chosen_lab[i])), []).append(i)
    taken: dict[tuple[int, int], int] = {}  # (group, lab) → samples this batch sends there
    for sample, lab in order_items:
        key = (int(b.sample_group[sample]), lab)
        taken[key] = taken.get(key, 0) + 1
    if b.rotation_limit is not None:
        for (group, lab), count in taken.items():
            if count > b.rotation_limit - b.run(group, lab):
                raise AssignmentSolverError("the rotation limit was exceeded")
    sample_labs: dict[int, list[int]] = {}
    for sample, lab in order_items:
        sample_labs.setdefault(sample, []).append(lab)

    ranked = _ranked_alternatives(b, chosen_cand, chosen_lab, placed, alternatives)
    placements = []
    for i, item in enumerate(b.items):
        sample = int(b.item_sample[i])
        alts = [_alternative(b, p, chosen_cand[i], used, taken, order_items) for p in ranked.get(i, ())]
        if placed[i]:
            # The sample's other labs explain why it is split: no accreditation, or the reason above.
            listed = {int(b.cand_lab[p]) for p in ranked.get(i, ())}
            for lab in sample_labs[sample]:
                if lab == chosen_lab[i] or lab in listed:
                    continue
                if (lab, item.requirement) not in b.offer_index:
                    alts.append(Alternative(lab=b.labs[lab].id, reason=Reason.NO_OFFER))
                else:
                    start = int(b.item_cand_start[i])
                    labs_of_item = b.cand_lab[start : start + int(b.item_cand_count[i])]
                    pair = start + int(np.flatnonzero(labs_of_item == lab)[0])
                    alts.append(_alternative(b, pair, chosen_cand[i], used, taken, order_items))
            size = len(order_items[(sample, int(chosen_lab[i]))])
            placements.append(
                Placement(
                    item=item,
                    lab=b.labs[chosen_lab[i]].id,
                    cost=_cost(b, chosen_cand[i]),
                    alternatives=tuple(alts),
                    order_cost=b.order_cost,
                    order_size=size,
                )
            )
        else:
            if b.item_cand_count[i] == 0:
                why = Unplaced.NO_OFFER
            elif not model.placeable[i]:
                why = Unplaced.EXCLUDED
            else:
                why = Unplaced.NO_ROOM
            placements.append(
                Placement(item=item, lab=None, cost=None, alternatives=tuple(alts), unplaced=why)
            )

    orders = tuple(
        Order(
            sample=b.items[indexes[0]].sample,
            unit=b.items[indexes[0]].unit,
            product=b.items[indexes[0]].product,
            lab=b.labs[lab].id,
            items=tuple(b.items[i].key for i in indexes),
            items_cost=int(b.cand_total[chosen_cand[indexes]].sum()),
            fixed_cost=b.order_cost,
        )
        for (_sample, lab), indexes in order_items.items()
    )
    items_cost = int(b.cand_total[chosen_pairs].sum())
    orders_cost = b.order_cost * len(orders)
    unplaced_items = np.flatnonzero(~placed)
    shortages = _shortages(b, model, placed)
    finished = time.perf_counter()
    return Assignment(
        status=Status.OPTIMAL if placed.all() else Status.PARTIAL,
        placements=tuple(placements),
        orders=orders,
        total_cost=items_cost + orders_cost,
        items_cost=items_cost,
        orders_cost=orders_cost,
        unplaced=tuple(b.items[i].key for i in unplaced_items),
        without_eligible_lab=tuple(b.items[i].key for i in unplaced_items if not model.placeable[i]),
        shortages=shortages,
        stats=SolveStats(
            candidates=len(b.cand_item),
            pair_variables=model.pairs,
            order_variables=model.orders,
            constraints=model.rows,
            nonzeros=model.matrix.nnz,
            integer=model.integer,
            solves=solves,
            branch_and_bound=model.milp_runs,
            solver_objective=objective,
            build_seconds=built - started,
            solve_seconds=solved - built,
            report_seconds=finished - solved,
        ),
        _by_key=dict(b.key_index),
    )


def _ranked_alternatives(b, chosen_cand, chosen_lab, placed, count) -> dict[int, list[int]]:
    """Per item, the candidates to list: the `count` cheapest other labs; every one if unplaced."""
    order = np.lexsort((b.cand_lab, b.cand_total, b.cand_item))
    order = order[b.cand_lab[order] != chosen_lab[b.cand_item[order]]]
    items = b.cand_item[order]
    rank = np.arange(len(order)) - np.searchsorted(items, items, "left")
    keep = (rank < count) | ~placed[items]
    ranked: dict[int, list[int]] = {}
    for item, pair in zip(items[keep].tolist(), order[keep].tolist(), strict=True):
        ranked.setdefault(item, []).append(pair)
    return ranked


def _alternative(b, pair, chosen, used, taken, order_items) -> Alternative:
    """Why candidate `pair` (an item at one lab) was not the choice; `chosen` is the chosen pair or −1."""
    lab, item, offer = int(b.cand_lab[pair]), int(b.cand_item[pair]), int(b.cand_offer[pair])
    group, sample = int(b.item_group[item]), int(b.item_sample[item])
    cost = _cost(b, pair)
    difference = int(b.cand_total[pair] - b.cand_total[chosen]) if chosen >= 0 else None
    lab_id = b.labs[lab].id
    status = b.cand_status[pair]
    run = b.run(group, lab)
    if status == _CONFLICT:
        return Alternative(lab=lab_id, reason=Reason.CONFLICT, cost=cost, difference=difference)
    if status == _ROTATION:
        return Alternative(
            lab=lab_id,
            reason=Reason.ROTATION,
            cost=cost,
            difference=difference,
            run=run,
            limit=b.rotation_limit,
        )
    if difference is not None and difference > 0:
        return Alternative(lab=lab_id, reason=Reason.MORE_EXPENSIVE, cost=cost, difference=difference)
    if difference == 0:
        return Alternative(lab=lab_id, reason=Reason.SAME_COST, cost=cost, difference=0)
    # Cheaper, or the item is unplaced: some constraint of the batch holds it back.
    capacity = int(b.offer_capacity[offer])
    if used[offer] >= capacity:
        return Alternative(
            lab=lab_id, reason=Reason.CAPACITY, cost=cost, difference=difference, capacity=capacity
        )
    sample_uses_lab = (sample, lab) in order_items
    if b.rotation_limit is not None and not sample_uses_lab:
        allowance = b.rotation_limit - run
        if taken.get((group, lab), 0) >= allowance:
            return Alternative(
                lab=lab_id,
                reason=Reason.ROTATION_BATCH,
                cost=cost,
                difference=difference,
                run=run,
                taken=taken.get((group, lab), 0),
                limit=b.rotation_limit,
            )
    if chosen >= 0 and b.order_cost > 0 and not sample_uses_lab:
        return Alternative(
            lab=lab_id, reason=Reason.ORDER_COST, cost=cost, difference=difference, order_cost=b.order_cost
        )
    return Alternative(lab=lab_id, reason=Reason.BATCH_OPTIMUM, cost=cost, difference=difference)


def _cost(b, pair) -> Cost:
    offer = b.offers[b.cand_offer[pair]]
    return Cost(
        price=offer.price,
        distance_km=float(b.cand_km[pair]),
        distance_fallback=not bool(b.cand_located[pair]),
        turnaround_days=offer.turnaround_days,
        price_part=float(b.cand_price_part[pair]),
        distance_part=float(b.cand_distance_part[pair]),
        turnaround_part=float(b.cand_turnaround_part[pair]),
        total=int(b.cand_total[pair]),
    )


def _shortages(b, model, placed) -> tuple[Shortage, ...]:
    if placed.all():
        return ()
    requirements = len(b.requirement_index)
    demand = np.bincount(b.item_requirement, minlength=requirements)
    usable = model.offer_demand > 0  # offers at least one item of the batch may use
    capacity = np.bincount(
        b.offer_requirement[usable], weights=b.offer_capacity[usable], minlength=requirements
    ).astype(np.int64)
    placed_count = np.bincount(b.item_requirement[placed], minlength=requirements)
    names = list(b.requirement_index)
    unplaced: dict[int, list[int]] = {}
    for i in np.flatnonzero(~placed).tolist():
        unplaced.setdefault(int(b.item_requirement[i]), []).append(i)
    return tuple(
        Shortage(
            requirement=names[r],
            demand=int(demand[r]),
            eligible_capacity=int(capacity[r]),
            placed=int(placed_count[r]),
            unplaced=tuple(b.items[i].key for i in indexes),
            without_eligible_lab=tuple(b.items[i].key for i in indexes if not model.placeable[i]),
        )
        for r, indexes in unplaced.items()
    )


def _locations(locations, what) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    count = len(locations)
    lat, lon, located = np.zeros(count), np.zeros(count), np.zeros(count, bool)
    for index, location in enumerate(locations):
        if location is None:
            continue
        try:
            latitude, longitude = (float(v) for v in location)
        except (TypeError, ValueError):
            raise AssignmentInputError(
                f"{what} location must be (latitude, longitude): {location!r}"
            ) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise AssignmentInputError(f"{what} location out of range: {location!r}")
        lat[index], lon[index], located[index] = latitude, longitude, True
    return lat, lon, located


def _non_negative_int(value, name, offer) -> int:
    try:
        number = operator.index(value)
    except TypeError:
        raise AssignmentInputError(f"{name} must be an integer: {offer!r}") from None
    if isinstance(value, bool) or number < 0:
        raise AssignmentInputError(f"{name} must be an integer ≥ 0: {offer!r}")
    return number


def _check_weights(weights: Weights) -> None:
    for name in ("price", "distance", "turnaround", "order", "fallback_km"):
        value = getattr(weights, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
            raise AssignmentInputError(f"Weights.{name} must be a finite number ≥ 0")


def _lab_name(lab, lab_names) -> str:
    return str(lab_names.get(lab, lab)) if lab_names else str(lab)


def _rials(amount) -> str:
    return f"{amount:,}"
