"""Benchmark: assign 10,000 tests to 1,500 labs exactly, and check the optimum against an independent solve.

    HAMI_DEBUG=1 .venv/bin/python bench/bench_assignment.py [--items 10000] [--labs 1500] [--seed 1]
    HAMI_DEBUG=1 .venv/bin/python bench/bench_assignment.py --order-cost 2000000   # the MILP variant

It generates a seeded national batch (see `generate`): 800 requirements, products of 2–8 tests,
units and labs clustered around 40 random centres inside Iran's bounding box (latitude 25–40,
longitude 44–63), each lab accredited for a few dozen requirements with capacities, prices in rials
and turnarounds, some conflicts of interest and rotation histories. Then:

1. **Hami**: `hami.labs.assignment.assign_labs` — build the model (numpy, scipy.sparse), solve it
   with HiGHS (`scipy.optimize.milp`), write the placements and explanations;
2. **independent**: the same instance as a network written from an edge list in plain Python
   (source → item → offer (lab, requirement) → sink, eligibility and costs recomputed with `math`),
   its maximum flow by `scipy.sparse.csgraph.maximum_flow`, then its least-cost flow of that value
   by `scipy.optimize.linprog(method="highs-ipm")`, an interior-point method;
3. checks that Hami's answer keeps every rule (offers, capacities, conflicts, rotation) and that both
   totals are equal, and exits 1 if not.

It prints the times, the model's size, both totals and their difference, and the ratio of Hami's
time to the independent solve's. With `--order-cost` (rials per order), Hami solves the MILP with
fixed costs per (sample, lab) too; the independent check applies to the pure transportation problem
only, so that run is reported beside it, not checked. See bench/README.md and docs/assignment.md.
Not a test: the suite collects only test_*.py files under hami/.
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from machine import machine  # bench/machine.py: the scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOX = ((25.0, 40.0), (44.0, 63.0))  # Iran's bounding box, as the brief gives it: latitude, longitude
ROTATION_LIMIT = 3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="tests to place (default 10000)")
    parser.add_argument("--labs", type=int, default=1_500, help="labs (default 1500)")
    parser.add_argument("--requirements", type=int, default=800, help="requirements (default 800)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--tight", type=float, default=1.4, help="capacity ÷ demand per requirement (1.4)")
    parser.add_argument(
        "--order-cost", type=float, default=0.0, help="also solve with this fixed cost per order"
    )
    return parser.parse_args()


def generate(items: int, labs: int, requirements: int, seed: int, tight: float):
    """A seeded batch: (items, labs, offers, conflicts, history) as hami.labs.assignment values."""
    from hami.labs.assignment import Item, Lab, Offer

    rng = np.random.default_rng(seed)
    (lat0, lat1), (lon0, lon1) = BOX
    centres = np.column_stack([rng.uniform(lat0 + 1, lat1 - 1, 40), rng.uniform(lon0 + 1, lon1 - 1, 40)])

    def around(count: int) -> np.ndarray:
        """Points clustered around the centres (σ 0.6°), the bigger centres drawn more often."""
        weights = np.linspace(3, 1, len(centres))
        chosen = centres[rng.choice(len(centres), count, p=weights / weights.sum())]
        points = chosen + rng.normal(0, 0.6, (count, 2))
        return np.column_stack([points[:, 0].clip(lat0, lat1), points[:, 1].clip(lon0, lon1)]).round(5)

    # Requirements: a few are asked for often (heavy metals, microbiology), most rarely.
    popularity = rng.lognormal(0, 1.0, requirements)
    popularity /= popularity.sum()
    base_price = (rng.lognormal(math.log(6e6), 0.6, requirements) // 1000 * 1000).astype(int)
    products = max(items // 25, 50)
    product_tests = [
        sorted(rng.choice(requirements, rng.integers(2, 9), replace=False, p=popularity).tolist())
        for _ in range(products)
    ]
    units = max(items // 3, 100)
    unit_sites = around(units)
    unit_located = rng.random(units) > 0.03  # 3% of units without coordinates: the fallback distance

    # Samples: one per (unit, product), each testing the product's requirements.
    batch = []
    seen = set()
    sample = 0
    while len(batch) < items:
        unit, product = int(rng.integers(units)), int(rng.integers(products))
        if (unit, product) in seen:
            continue
        seen.add((unit, product))
        location = tuple(unit_sites[unit]) if unit_located[unit] else None
        for requirement in product_tests[product][: items - len(batch)]:
            batch.append(
                Item(
                    key=len(batch),
                    sample=sample,
                    requirement=f"R{requirement}",
                    unit=f"U{unit}",
                    product=f"P{product}",
                    location=location,
                )
            )
        sample += 1

    lab_sites = around(labs)
    lab_list = [
        Lab(id=f"L{lab}", location=tuple(lab_sites[lab]) if rng.random() > 0.02 else None)
        for lab in range(labs)
    ]
    demand = np.bincount([int(item.requirement[1:]) for item in batch], minlength=requirements)
    scope = [
        rng.choice(requirements, rng.integers(15, 46), replace=False, p=popularity).tolist()
        for _ in range(labs)
    ]
    offered_by = [[] for _ in range(requirements)]
    for lab, tests in enumerate(scope):
        for requirement in tests:
            offered_by[requirement].append(lab)
    offers = []
    for requirement, lab_ids in enumerate(offered_by):
        if not lab_ids:
            continue
        # 10% of the offers are booked up (capacity 0); the others share ⌈tight × demand⌉ places at random.
        open_ = rng.random(len(lab_ids)) >= 0.1
        open_[0] = True
        places = np.zeros(len(lab_ids), int)
        shares = rng.dirichlet(np.ones(int(open_.sum())))
        places[open_] = rng.multinomial(math.ceil(tight * demand[requirement]), shares)
        for lab, capacity in zip(lab_ids, places.tolist(), strict=True):
            offers.append(
                Offer(
                    lab=f"L{lab}",
                    requirement=f"R{requirement}",
                    capacity=capacity,
                    price=int(base_price[requirement] * rng.uniform(0.7, 1.5)) // 1000 * 1000,
                    turnaround_days=int(rng.integers(3, 22)),
                )
            )
    # Conflicts: 5% of units are related to one to three labs.
    conflicts = {
        (f"L{lab}", f"U{unit}")
        for unit in rng.choice(units, units // 20, replace=False).tolist()
        for lab in rng.choice(labs, rng.integers(1, 4), replace=False).tolist()
    }
    # Rotation: 60% of the sampled (unit, product) have a history; its latest lab repeats 1–5 times.
    history = {}
    for unit, product in sorted(seen):
        if rng.random() < 0.6:
            candidates = offered_by[product_tests[product][0]] or [0]
            earlier = [f"L{lab}" for lab in rng.choice(labs, rng.integers(0, 4)).tolist()]
            latest = f"L{candidates[int(rng.integers(len(candidates)))]}"
            history[(f"U{unit}", f"P{product}")] = earlier + [latest] * int(rng.integers(1, 6))
    return batch, lab_list, offers, conflicts, history


def independent_optimum(
    batch, labs, offers, conflicts, history, weights
) -> tuple[float, float, float, int, str]:
    """The least cost of the most items placed, by another route: (cost, build s, solve s, placed, size).

    Written from the rules, not from Hami's code: eligibility and costs in plain Python (`math`), a
    network from an edge list, its maximum flow (scipy.sparse.csgraph), then a least-cost flow of that
    value by an interior-point method. Valid for the pure transportation problem (no order costs, at
    most one sample per (unit, product), so rotation within the batch never binds).
    """
    from scipy import sparse
    from scipy.optimize import linprog
    from scipy.sparse.csgraph import maximum_flow

    started = time.perf_counter()
    where = {lab.id: lab.location for lab in labs}
    by_requirement: dict = {}
    for number, offer in enumerate(offers):
        by_requirement.setdefault(offer.requirement, []).append(number)
    excluded = set(conflicts)
    for (unit, _product), labs_seen in history.items():
        last = labs_seen[-1]
        if len(labs_seen) >= ROTATION_LIMIT and all(lab == last for lab in labs_seen[-ROTATION_LIMIT:]):
            excluded.add((last, unit, _product))

    def km(a, b) -> float:
        if a is None or b is None:
            return weights.fallback_km
        p1, p2 = math.radians(a[0]), math.radians(b[0])
        h = (
            math.sin((p2 - p1) / 2) ** 2
            + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
        )
        return 2 * 6371.0087714 * math.asin(math.sqrt(h))  # WGS 84 mean radius R1 (TR8350.2 Table 3.3)

    n, k = len(batch), len(offers)
    source, sink = 0, 1 + n + k
    tails, heads, capacity, cost = [], [], [], []
    for i, item in enumerate(batch):
        tails.append(source), heads.append(1 + i), capacity.append(1), cost.append(0)
        for number in by_requirement.get(item.requirement, ()):
            offer = offers[number]
            if (offer.lab, item.unit) in excluded or (offer.lab, item.unit, item.product) in excluded:
                continue
            total = (
                weights.price * offer.price
                + weights.distance * km(item.location, where[offer.lab])
                + weights.turnaround * offer.turnaround_days
            )
            tails.append(1 + i), heads.append(1 + n + number), capacity.append(1), cost.append(round(total))
    for number, offer in enumerate(offers):
        tails.append(1 + n + number), heads.append(sink), capacity.append(offer.capacity), cost.append(0)
    tails, heads = np.array(tails), np.array(heads)
    capacity, cost = np.array(capacity), np.array(cost, dtype=np.float64)
    nodes, edges = sink + 1, len(tails)
    built = time.perf_counter()

    graph = sparse.csr_array((capacity.astype(np.int32), (tails, heads)), shape=(nodes, nodes))
    flow_value = maximum_flow(graph, source, sink, method="dinic").flow_value
    incidence = sparse.csr_array(
        (
            np.r_[np.ones(edges), -np.ones(edges)],
            (np.r_[tails, heads], np.r_[np.arange(edges), np.arange(edges)]),
        ),
        shape=(nodes, edges),
    )
    supply = np.zeros(nodes)
    supply[source], supply[sink] = flow_value, -flow_value
    result = linprog(
        cost,
        A_eq=incidence,
        b_eq=supply,
        bounds=np.column_stack([np.zeros(edges), capacity]),
        method="highs-ipm",
    )
    solved = time.perf_counter()
    if result.status != 0:
        raise SystemExit(f"independent LP failed: {result.message}")
    size = f"{edges:,} edges, {nodes:,} nodes"
    return float(result.fun), built - started, solved - built, int(flow_value), size


def check_rules(batch, labs, offers, conflicts, history, answer) -> list[str]:
    """Every rule, checked on Hami's answer from the raw input (not from the solver's arrays)."""
    problems = []
    offered = {(offer.lab, offer.requirement): offer.capacity for offer in offers}
    load: dict = {}
    for placement in answer.placements:
        item, lab = placement.item, placement.lab
        if lab is None:
            continue
        if (lab, item.requirement) not in offered:
            problems.append(f"{item.key}: {lab} has no offer for {item.requirement}")
        if (lab, item.unit) in conflicts:
            problems.append(f"{item.key}: {lab} is in conflict with {item.unit}")
        past = history.get((item.unit, item.product), [])
        if len(past) >= ROTATION_LIMIT and all(entry == lab for entry in past[-ROTATION_LIMIT:]):
            problems.append(f"{item.key}: {lab} did the last {ROTATION_LIMIT} tests of {item.product}")
        load[(lab, item.requirement)] = load.get((lab, item.requirement), 0) + 1
    for key, count in load.items():
        if count > offered.get(key, 0):
            problems.append(f"{key}: {count} tests for {offered.get(key, 0)} places")
    return problems


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()  # for gettext in the explanations; no database is used
    import scipy

    from hami.labs.assignment import Weights, assign_labs

    print(f"machine:  {machine()}")
    print(f"numpy {np.__version__}, scipy {scipy.__version__} (HiGHS)")
    started = time.perf_counter()
    batch, labs, offers, conflicts, history = generate(
        args.items, args.labs, args.requirements, args.seed, args.tight
    )
    print(
        f"instance: {len(batch):,} items in {len({item.sample for item in batch}):,} samples, "
        f"{len(labs):,} labs, "
        f"{len(offers):,} offers of {args.requirements} requirements, {len(conflicts):,} conflicts, "
        f"{len(history):,} histories (seed {args.seed}, generated in {time.perf_counter() - started:.1f} s)"
    )
    weights = Weights()
    print(
        f"weights:  price ×{weights.price:g}, distance {weights.distance:,.0f} rials/km, "
        f"turnaround {weights.turnaround:,.0f} rials/day, fallback {weights.fallback_km:g} km; "
        f"rotation limit {ROTATION_LIMIT}"
    )

    started = time.perf_counter()
    answer = assign_labs(
        batch, labs, offers, conflicts=conflicts, history=history, rotation_limit=ROTATION_LIMIT
    )
    hami_seconds = time.perf_counter() - started
    stats = answer.stats
    texts = sum(len(placement.explain()) for placement in answer.placements)
    explained = time.perf_counter() - started - hami_seconds
    print(
        f"Hami:        {hami_seconds:6.2f} s  (build {stats.build_seconds:.2f}, "
        f"HiGHS {stats.solve_seconds:.2f} "
        f"in {stats.solves} run(s), placements and explanations {stats.report_seconds:.2f}; "
        f"{texts:,} explanation sentences rendered in {explained:.2f} s more)"
    )
    print(
        f"  model:     {stats.candidates:,} candidate pairs, {stats.pair_variables:,} variables "
        f"({stats.order_variables:,} binary order variables), {stats.constraints:,} constraints, "
        f"{stats.nonzeros:,} non-zeros, {'MILP' if stats.integer else 'LP (transportation, integral)'}"
    )
    print(
        f"  answer:    {answer.status}, {len(batch) - len(answer.unplaced):,} placed, "
        f"{len(answer.unplaced):,} unplaced ({len(answer.without_eligible_lab):,} with no eligible lab), "
        f"{len(answer.orders):,} orders, total cost {answer.total_cost:,} rials"
    )
    problems = check_rules(batch, labs, offers, conflicts, history, answer)
    print(f"  rules:     {'all kept' if not problems else f'{len(problems)} broken'}")
    for problem in problems[:10]:
        print(f"    {problem}")

    cost, build, solve, placed, size = independent_optimum(batch, labs, offers, conflicts, history, weights)
    difference = answer.total_cost - cost
    print(
        f"independent: {build + solve:6.2f} s  (edge list {build:.2f}, "
        f"max flow + interior-point LP {solve:.2f}); {size}; "
        f"{placed:,} placed, total cost {cost:,.2f} rials"
    )
    print(f"difference:  {difference:+.4f} rials ({difference / cost if cost else 0.0:+.2e} relative)")
    print(f"ratio:       Hami {hami_seconds / solve:.2f}x the time of the independent solve "
          f"({stats.solve_seconds / solve:.2f}x for HiGHS alone)")  # fmt: skip

    if args.order_cost:
        started = time.perf_counter()
        fixed = assign_labs(
            batch,
            labs,
            offers,
            conflicts=conflicts,
            history=history,
            rotation_limit=ROTATION_LIMIT,
            weights=Weights(order=args.order_cost),
        )
        seconds = time.perf_counter() - started
        print(
            f"with a fixed cost of {args.order_cost:,.0f} rials per order (MILP): {seconds:.2f} s "
            f"(HiGHS {fixed.stats.solve_seconds:.2f} in {fixed.stats.solves} run(s), "
            f"{fixed.stats.branch_and_bound} of them needing branch and bound), "
            f"{fixed.stats.order_variables:,} binaries, "
            f"{len(fixed.orders):,} orders (was {len(answer.orders):,}), items {fixed.items_cost:,} + "
            f"orders {fixed.orders_cost:,} = {fixed.total_cost:,} rials; {fixed.status}"
        )

    # Rounding: each side sums whole rials per item, so the totals agree to float precision.
    tolerance = 0.5 + 1e-9 * abs(cost)
    if problems or placed != len(batch) - len(answer.unplaced) or abs(difference) > tolerance:
        print(f"FAILED: the optimum differs from the independent solve (tolerance {tolerance:.2f} rials)")
        raise SystemExit(1)
    print("OK: Hami's optimum equals the independent solve's")


if __name__ == "__main__":
    main()
