"""The pure planner: exact small plans, and the rules (capacity, rotation, frequency, overdue first,
unannounced share, determinism) checked from the raw input on random provinces (hypothesis)."""

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hami.supervision import planning
from hami.supervision.planning import Inspector, PlanningInputError, Unit, plan, visit_key

FIRST = dt.date(2026, 3, 21)  # 1 Farvardin 1405
INTERVALS = {"serious": 30, "high": 91, "medium": 182, "low": 365}


def days(count: int, start: dt.date = FIRST) -> tuple[dt.date, ...]:
    return tuple(start + dt.timedelta(days=n) for n in range(count))


def run(units, inspectors, *, length=1, intervals=INTERVALS, share=0.0, seed=0):
    return plan(
        units,
        inspectors,
        first=FIRST,
        last=FIRST + dt.timedelta(days=length - 1),
        intervals=intervals,
        unannounced_share=share,
        seed=seed,
    )


def codes(visit) -> list[str]:
    return [reason["code"] for reason in visit.reasons]


# ---------------------------------------------------------------- exact examples


def test_a_unit_never_inspected_is_visited_on_the_first_day_with_its_reasons():
    result = run(
        [Unit(id=1, county=10, tier="low")], [Inspector(id=7, days=days(3), visits_per_day=3)], length=3
    )
    (visit,) = result.visits
    assert (visit.unit, visit.inspector, visit.day, visit.number, visit.due_on) == (1, 7, FIRST, 1, FIRST)
    assert codes(visit) == ["tier", "never_inspected"]
    assert visit.reasons[0] == {"code": "tier", "tier": "low", "interval_days": 365}
    assert result.unplaced == ()
    assert result.summary["never_inspected_units"] == 1


def test_a_unit_not_due_in_the_period_is_not_planned():
    recent = Unit(id=1, county=10, tier="low", last_inspected=FIRST - dt.timedelta(days=100))
    result = run([recent], [Inspector(id=7, days=days(30), visits_per_day=3)], length=30)
    assert result.visits == () and result.unplaced == ()
    assert result.summary["due_units"] == 0


def test_a_unit_due_mid_period_is_not_visited_before_it_falls_due():
    due_day_ten = Unit(id=1, county=10, tier="low", last_inspected=FIRST - dt.timedelta(days=355))
    result = run([due_day_ten], [Inspector(id=7, days=days(30), visits_per_day=3)], length=30)
    (visit,) = result.visits
    assert visit.day == FIRST + dt.timedelta(days=10) == visit.due_on
    assert {"code": "due", "due_on": visit.due_on.isoformat()} in visit.reasons


def test_overdue_reason_counts_the_days_at_the_period_start():
    overdue = Unit(
        id=1, county=10, tier="high", last_inspected=FIRST - dt.timedelta(days=100), last_inspector=3
    )
    (visit,) = run([overdue], [Inspector(id=7, days=days(1), visits_per_day=1)]).visits
    assert {
        "code": "overdue",
        "days": 9,
        "due_on": (FIRST - dt.timedelta(days=9)).isoformat(),
    } in visit.reasons
    assert {
        "code": "last_inspected",
        "on": (FIRST - dt.timedelta(days=100)).isoformat(),
        "days_before": 100,
    } in (visit.reasons)


def test_the_last_inspector_never_visits_the_unit_again_next():
    unit = Unit(id=1, county=10, tier="low", last_inspected=FIRST - dt.timedelta(days=400), last_inspector=7)
    alone = run([unit], [Inspector(id=7, days=days(5), visits_per_day=3)], length=5)
    assert alone.visits == ()
    (entry,) = alone.unplaced
    assert (entry.reason, entry.excluded_inspector, entry.overdue_days) == (planning.ROTATION, 7, 35)
    two = [Inspector(id=7, days=days(5), visits_per_day=3), Inspector(id=8, days=days(5), visits_per_day=1)]
    (visit,) = run([unit], two, length=5).visits
    assert visit.inspector == 8


def test_a_serious_unit_is_visited_monthly_by_alternating_inspectors_over_a_season():
    unit = Unit(id=1, county=10, tier="serious")
    inspectors = [
        Inspector(id=7, days=days(93), visits_per_day=1),
        Inspector(id=8, days=days(93), visits_per_day=1),
    ]
    result = run([unit], inspectors, length=93)
    assert [(v.day - FIRST).days for v in result.visits] == [0, 30, 60, 90]
    assert [v.number for v in result.visits] == [1, 2, 3, 4]
    sequence = [v.inspector for v in result.visits]
    assert all(a != b for a, b in itertools.pairwise(sequence))
    assert all(v.unannounced for v in result.visits)  # serious: always unannounced
    assert codes(result.visits[1])[:2] == ["tier", "repeat"]


def test_a_repeat_visit_slipping_past_the_period_is_left_to_the_next_plan():
    unit = Unit(id=1, county=10, tier="serious")
    # 7 works day 0 and 8 from day 5: visits on days 0 and 30. With 8 alone, the first visit is on day 5
    # and the next falls due on day 35, after the month's 31 days.
    from_day_five = days(26, FIRST + dt.timedelta(days=5))
    inspectors = [
        Inspector(id=7, days=days(1), visits_per_day=1),
        Inspector(id=8, days=from_day_five, visits_per_day=1),
    ]
    result = run([unit], inspectors, length=31)
    assert [(v.day - FIRST).days for v in result.visits] == [0, 30]
    result = run([unit], [Inspector(id=8, days=from_day_five, visits_per_day=1)], length=31)
    assert [(v.day - FIRST).days for v in result.visits] == [5]
    assert result.unplaced == ()  # the next visit falls due on day 35: next month's plan


def test_the_most_overdue_unit_wins_the_last_place_then_the_highest_tier():
    low_overdue = Unit(id=1, county=10, tier="low", last_inspected=FIRST - dt.timedelta(days=400))
    serious_due_now = Unit(id=2, county=10, tier="serious", last_inspected=FIRST - dt.timedelta(days=30))
    result = run([serious_due_now, low_overdue], [Inspector(id=7, days=days(1), visits_per_day=1)])
    assert [v.unit for v in result.visits] == [1]
    assert [(p.unit, p.reason) for p in result.unplaced] == [(2, planning.CAPACITY)]
    # Due on the same day, the higher tier goes first.
    medium = Unit(id=3, county=10, tier="medium")
    high = Unit(id=4, county=10, tier="high")
    result = run([medium, high], [Inspector(id=7, days=days(1), visits_per_day=1)])
    assert [v.unit for v in result.visits] == [4]


def test_each_inspector_day_goes_to_one_county_when_capacity_allows():
    units = [Unit(id=i, county=10 + i % 2, tier="low") for i in range(6)]
    inspectors = [
        Inspector(id=7, days=days(1), visits_per_day=3),
        Inspector(id=8, days=days(1), visits_per_day=3),
    ]
    result = run(units, inspectors)
    by_day = defaultdict(set)
    for visit in result.visits:
        by_day[visit.inspector].add(visit.county)
    assert sorted(len(counties) for counties in by_day.values()) == [1, 1]
    assert result.summary["county_changes"] == 0


def test_a_day_takes_a_second_county_only_when_the_rest_would_not_fit():
    units = [
        Unit(id=1, county=10, tier="low"),
        Unit(id=2, county=10, tier="low"),
        Unit(id=3, county=11, tier="low"),
    ]
    one_day = run(units, [Inspector(id=7, days=days(1), visits_per_day=3)])
    assert len(one_day.visits) == 3 and one_day.summary["county_changes"] == 1
    two_days = run(units, [Inspector(id=7, days=days(2), visits_per_day=3)], length=2)
    assert len(two_days.visits) == 3 and two_days.summary["county_changes"] == 0
    assert {v.day for v in two_days.visits if v.county == 11} == {FIRST + dt.timedelta(days=1)}


def test_no_inspector_has_more_visits_on_a_day_than_their_visits_a_day():
    units = [Unit(id=i, county=10, tier="low") for i in range(10)]
    result = run(units, [Inspector(id=7, days=days(2), visits_per_day=3)], length=2)
    assert Counter(v.day for v in result.visits) == {FIRST: 3, FIRST + dt.timedelta(days=1): 3}
    assert result.summary["units_unplaced"] == 4
    assert {p.reason for p in result.unplaced} == {planning.CAPACITY}


def test_a_unit_due_after_the_last_available_day_is_reported_for_the_next_period():
    due_late = Unit(id=1, county=10, tier="low", last_inspected=FIRST - dt.timedelta(days=360))
    result = run([due_late], [Inspector(id=7, days=days(3), visits_per_day=3)], length=10)
    assert result.visits == ()
    assert [(p.reason, p.due_on) for p in result.unplaced] == [
        (planning.PERIOD_END, FIRST + dt.timedelta(days=5))
    ]


def test_the_unannounced_share_is_drawn_with_the_seed():
    units = [Unit(id=i, county=10, tier="low") for i in range(10)]
    inspectors = [Inspector(id=7, days=days(5), visits_per_day=2)]
    first = run(units, inspectors, length=5, share=0.3, seed=1)
    assert sum(v.unannounced for v in first.visits) == 3
    assert first == run(units, inspectors, length=5, share=0.3, seed=1)
    plans = [run(units, inspectors, length=5, share=0.3, seed=seed) for seed in range(8)]
    drawn = {frozenset(v.unit for v in other.visits if v.unannounced) for other in plans}
    assert len(drawn) > 1  # another seed, another draw
    marked = [v for v in first.visits if v.unannounced]
    assert all({"code": "unannounced_drawn", "share": 0.3} in v.reasons for v in marked)


def test_serious_visits_count_towards_the_share():
    units = [Unit(id=1, county=10, tier="serious"), *[Unit(id=i, county=10, tier="low") for i in range(2, 5)]]
    result = run(units, [Inspector(id=7, days=days(2), visits_per_day=2)], length=2, share=0.25)
    assert [v.unit for v in result.visits if v.unannounced] == [1]


def test_not_scored_reason_is_carried_to_the_visit():
    unit = Unit(id=1, county=10, tier="medium", reasons=({"code": "not_scored"},))
    (visit,) = run([unit], [Inspector(id=7, days=days(1), visits_per_day=1)]).visits
    assert "not_scored" in codes(visit)


def test_no_inspector_or_no_day_leaves_every_unit_unplaced_for_capacity():
    units = [Unit(id=1, county=10, tier="low"), Unit(id=2, county=11, tier="high")]
    for inspectors in (
        [],
        [Inspector(id=7, days=(), visits_per_day=3)],
        [Inspector(id=7, days=days(1), visits_per_day=0)],
    ):
        result = run(units, inspectors)
        assert result.visits == ()
        assert result.summary["capacity"] == 0
        assert {p.reason for p in result.unplaced} == {planning.PERIOD_END}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"last": FIRST - dt.timedelta(days=1)}, "ends before"),
        ({"intervals": {**INTERVALS, "low": 0}}, "interval"),
        ({"unannounced_share": 1.5}, "share"),
        (
            {"units": [Unit(id=1, county=1, tier="low"), Unit(id=1, county=1, tier="low")]},
            "unit appears twice",
        ),
        ({"units": [Unit(id=1, county=1, tier="extreme")]}, "unknown tier"),
        (
            {"inspectors": [Inspector(id=1, days=(FIRST - dt.timedelta(days=1),), visits_per_day=1)]},
            "outside",
        ),
    ],
)
def test_inconsistent_input_is_refused(kwargs, message):
    arguments = {"units": [], "inspectors": [], "first": FIRST, "last": FIRST, "intervals": INTERVALS,
                 "unannounced_share": 0.2, **kwargs}  # fmt: skip
    with pytest.raises(PlanningInputError, match=message):
        plan(arguments.pop("units"), arguments.pop("inspectors"), **arguments)


# ---------------------------------------------------------------- the rules on random provinces


def check_rules(units, inspectors, first, last, intervals, share, result) -> None:
    """Every rule, checked from the raw input (independently of the planner's own bookkeeping)."""
    unit_by_id = {unit.id: unit for unit in units}
    available = {inspector.id: set(inspector.days) for inspector in inspectors}
    cap = {inspector.id: inspector.visits_per_day for inspector in inspectors}
    working = sorted({d for inspector in inspectors if inspector.visits_per_day for d in inspector.days})
    horizon = working[-1] if working else first - dt.timedelta(days=1)

    # Capacity: no visit on a day the inspector is not available, never more than visits a day.
    load = Counter((v.inspector, v.day) for v in result.visits)
    for (inspector, day), count in load.items():
        assert day in available[inspector], "a visit on a day the inspector is not available"
        assert count <= cap[inspector], "an inspector over their visits a day"

    per_unit = defaultdict(list)
    for visit in result.visits:
        per_unit[visit.unit].append(visit)
    unplaced = {entry.unit: entry for entry in result.unplaced}
    assert len(unplaced) == len(result.unplaced), "a unit reported twice"

    for unit in units:
        visits = sorted(per_unit.get(unit.id, []), key=lambda v: v.day)
        interval = intervals[unit.tier]
        due = planning.due_on(unit, first, intervals)
        # Frequency: not before it falls due, at least the interval apart, numbered in order.
        if due > last:
            assert not visits and unit.id not in unplaced, "a unit not due is in the plan"
            continue
        expected_due = due
        previous_inspector = unit.last_inspector
        for number, visit in enumerate(visits, start=1):
            assert visit.number == number
            assert visit.due_on == expected_due
            assert visit.day >= max(expected_due, first), "a visit before it falls due"
            assert visit.inspector != previous_inspector, "the same inspector twice in a row"
            assert visit.county == unit.county and visit.tier == unit.tier
            assert visit.reasons[0] == {"code": "tier", "tier": unit.tier, "interval_days": interval}
            expected_due = visit.day + dt.timedelta(days=interval)
            previous_inspector = visit.inspector
        # Completeness: the next visit falls due after the last available day, or the unit says why not.
        start = max(expected_due, first)
        if start > horizon:
            if not visits:
                assert unplaced[unit.id].reason == planning.PERIOD_END
            else:
                assert unit.id not in unplaced
            continue
        entry = unplaced.get(unit.id)
        assert entry is not None, f"unit {unit.id} silently short of a visit"
        assert (entry.number, entry.due_on) == (len(visits) + 1, expected_due)
        assert entry.excluded_inspector == previous_inspector or (
            previous_inspector not in available and entry.excluded_inspector is None
        )
        assert entry.reason in (planning.CAPACITY, planning.ROTATION)
        # Overdue first, and no room left: nothing it may take is free or held by a less urgent visit.
        key = visit_key(entry.due_on, entry.tier, entry.unit, entry.number)
        barred = entry.excluded_inspector
        room = [
            (inspector.id, day)
            for inspector in inspectors
            for day in inspector.days
            if day >= start and load[(inspector.id, day)] < inspector.visits_per_day
        ]
        assert all(inspector == barred for inspector, _day in room), "a visit left out with room for it"
        less_urgent = [v for v in result.visits if visit_key(v.due_on, v.tier, v.unit, v.number) > key]
        assert all(v.inspector == barred for v in less_urgent), "a less urgent visit placed before it"
        assert (entry.reason == planning.ROTATION) == bool(room or less_urgent)

    # Unannounced: every serious visit; the others drawn up to the share.
    serious = [v for v in result.visits if v.tier == "serious"]
    assert all(v.unannounced for v in serious)
    others = [v for v in result.visits if v.tier != "serious"]
    wanted = min(len(others), max(0, round(share * len(result.visits)) - len(serious)))
    assert sum(v.unannounced for v in others) == wanted

    summary = result.summary
    assert summary["visits_placed"] == len(result.visits)
    assert summary["county_changes"] == planning.county_changes(result.visits)
    assert sum(row["visits"] for row in summary["by_inspector"].values()) == len(result.visits)
    assert all(unit_by_id[v.unit] for v in result.visits)


@st.composite
def provinces(draw):
    """A small random province: counties, units of every tier with varied histories, inspectors with
    random days and visits a day, a period of 1–70 days, short intervals so units repeat."""
    length = draw(st.integers(1, 70))
    first = FIRST
    last = first + dt.timedelta(days=length - 1)
    inspector_ids = draw(st.lists(st.integers(1, 9), max_size=5, unique=True))
    inspectors = [
        Inspector(
            id=inspector_id,
            days=tuple(
                sorted(first + dt.timedelta(days=d) for d in draw(st.sets(st.integers(0, length - 1))))
            ),
            visits_per_day=draw(st.integers(0, 3)),
        )
        for inspector_id in inspector_ids
    ]
    counties = draw(st.integers(1, 4))
    units = []
    for unit_id in draw(st.lists(st.integers(1, 500), max_size=30, unique=True)):
        # The last inspection, in days from the period's start (before it, or already in it); None: never.
        inspected = draw(st.one_of(st.none(), st.integers(-200, length - 1)))
        units.append(
            Unit(
                id=unit_id,
                county=draw(st.integers(1, counties)),
                tier=draw(st.sampled_from(planning.TIERS)),
                last_inspected=None if inspected is None else first + dt.timedelta(days=inspected),
                last_inspector=None if inspected is None else draw(st.sampled_from([*inspector_ids, 99])),
            )
        )
    intervals = {tier: draw(st.integers(1, 60)) for tier in planning.TIERS}
    share = draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))
    seed = draw(st.integers(0, 1000))
    return units, inspectors, first, last, intervals, share, seed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(provinces())
def test_random_provinces_keep_every_rule(province):
    units, inspectors, first, last, intervals, share, seed = province
    result = plan(
        units, inspectors, first=first, last=last, intervals=intervals, unannounced_share=share, seed=seed
    )
    check_rules(units, inspectors, first, last, intervals, share, result)
    # Deterministic, whatever order the input comes in.
    shuffled = random.Random(seed).sample(units, len(units))
    again = plan(
        shuffled,
        inspectors[::-1],
        first=first,
        last=last,
        intervals=intervals,
        unannounced_share=share,
        seed=seed,
    )
    assert again == result


@pytest.mark.parametrize("seed", range(4))
def test_larger_provinces_keep_every_rule_when_capacity_is_short_or_ample(seed):
    """A few hundred units over six counties and six inspectors: seeds 0–1 short of capacity (swaps and
    mixed days happen), 2–3 with room to spare (a day mixes counties only when a visit falling due on the
    last days would otherwise be left out)."""
    rng = random.Random(seed)
    length = 62
    last = FIRST + dt.timedelta(days=length - 1)
    ample = seed >= 2
    inspectors = [
        Inspector(id=i, days=tuple(d for d in days(length) if d.weekday() != 4 and rng.random() < 0.8),
                  visits_per_day=3 if ample else 1)
        for i in range(1, 7)
    ]  # fmt: skip
    units = [
        Unit(
            id=n,
            county=rng.randint(1, 6),
            tier=rng.choices(planning.TIERS, weights=[50, 30, 15, 5])[0],
            last_inspected=None if rng.random() < 0.2 else FIRST - dt.timedelta(days=rng.randint(0, 500)),
            last_inspector=rng.randint(1, 6),
        )
        for n in range(1, 401)
    ]
    intervals = {"serious": 30, "high": 60, "medium": 120, "low": 240}
    result = plan(
        units, inspectors, first=FIRST, last=last, intervals=intervals, unannounced_share=0.2, seed=seed
    )
    check_rules(units, inspectors, FIRST, last, intervals, 0.2, result)
    if ample:
        assert result.summary["county_changes"] <= 0.02 * result.summary["inspector_days_used"]
        assert not [p for p in result.unplaced if p.reason != planning.PERIOD_END]
    else:
        assert result.summary["units_unplaced"] > 0
        assert result.summary["overdue_placed"] <= result.summary["overdue_units"]
