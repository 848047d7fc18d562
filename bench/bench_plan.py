"""Benchmark: a season's inspection plan for a province of 3,800 units, against a naive planner.

    HAMI_DEBUG=1 .venv/bin/python bench/bench_plan.py [--units 3800] [--inspectors 15] [--repeat 3] [--seed 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hami_bench \
        HAMI_DEBUG=1 .venv/bin/python bench/bench_plan.py

Without DATABASE_URL it uses a fresh SQLite file in a temporary directory; with one, it creates Django's
`test_<name>` next to the named database, migrates it and drops it at the end (the named database is never
written to). It builds Qazvin as the demo has it (its six counties, the bigger ones holding more units):
N active units with risk tiers (about 55 % low, 28 % medium, 13 % high, 4 % serious, 3 % not scored yet)
and last inspections spread by tier (serious units seen within two months, low ones within twenty; 15 %
never inspected), each by one of the inspectors, plus an older inspection for half of them; a score run;
and the inspectors, each away on about one working day in ten. Then, for spring (season 1) of 1405:

1. **planner**: `hami.supervision.planning.plan` on those units and days (pure, no database), best of N;
2. **naive**: the same visits by the simplest rule that keeps capacity, rotation and frequency: every
   visit in due-date order, each inspector-day filled in turn with the next visits it may take, whatever
   their county; best of N;
3. **plan_generate**: the service end to end, as the office's page calls it (read units, tiers and last
   inspections, plan, write the draft, its inspector rows and visits, the audit event), best of N; its
   visits are checked to equal the pure planner's on the same input.

It prints the times, the ratio of the planner's time to the naive one's, and the quality of both plans:
visits placed, overdue units visited (and how long they waited), county changes within an inspector's
day, inspector-days used, rule breaches (capacity, rotation, spacing; 0 for both). See bench/README.md.
Not a test: the suite collects only test_*.py files under hami/.
"""

import argparse
import bisect
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from machine import machine  # bench/machine.py: the scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR, SEASON = 1405, 1
TIERS = {"low": 0.55, "medium": 0.28, "high": 0.13, "serious": 0.04}
RECENT_DAYS = {"serious": 60, "high": 150, "medium": 300, "low": 600}  # last inspection within this many days
COUNTY_WEIGHTS = {"qazvin": 60, "takestan": 12, "buin-zahra": 12, "abyek": 8, "alborz": 6, "avaj": 2}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3_800, help="production units (default 3800)")
    parser.add_argument("--inspectors", type=int, default=15, help="inspectors (default 15)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; the best is reported (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    return parser.parse_args()


def setup_django(tmpdir: str) -> str:
    """Point Django at a throwaway database and migrate it; return the name to restore when dropping it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir}/bench.sqlite3"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False  # no query log: it would be timed too
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
        return ""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return old_name


def database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]} (file)"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


# ---------------------------------------------------------------- the province


def build_province(units: int, inspectors: int, seed: int):
    """Write the province to the database; return the planner's input built from the same rows."""
    from django.db import transaction
    from django.utils import timezone

    from hami.core.identifiers import make_legal_id
    from hami.core.models import County, Province, Role, User
    from hami.registry.models import ProductionUnit
    from hami.supervision import planning
    from hami.supervision.models import (
        Inspection,
        InspectionKind,
        InspectionState,
        ScoreRun,
        ScoreRunState,
        UnitScore,
    )
    from hami.supervision.services.plans import period_bounds, working_days

    rng = random.Random(seed)
    province = Province.objects.get(code="qazvin")
    counties = {c.code: c for c in County.objects.filter(province=province).order_by("code")}
    weights = {code: COUNTY_WEIGHTS.get(code, 5) for code in counties}
    first, last = period_bounds("season", YEAR, SEASON)
    with transaction.atomic():
        officer = User.objects.create_user(
            username="bench-officer", role=Role.OFFICE_STAFF, province=province
        )
        staff = [
            User(
                username=f"bench-inspector-{n:02d}",
                role=Role.INSPECTOR,
                province=province,
                last_name=f"{n:02d}",
            )
            for n in range(1, inspectors + 1)
        ]
        User.objects.bulk_create(staff)
        staff = list(User.objects.filter(role=Role.INSPECTOR, province=province).order_by("username"))
        county_codes = rng.choices(list(weights), weights=list(weights.values()), k=units)
        rows = [
            ProductionUnit(
                national_id=make_legal_id(f"2{n + 1_000_000:09d}"),
                name_fa=f"واحد نمونه {n}",
                name_en=f"Bench unit {n}",
                province=province,
                county=counties[county_codes[n]],
            )
            for n in range(units)
        ]
        ProductionUnit.objects.bulk_create(rows, batch_size=1000)
        unit_rows = list(ProductionUnit.objects.filter(province=province).order_by("pk"))
        run = ScoreRun.objects.create(
            state=ScoreRunState.DONE, as_of=timezone.now(), finished_at=timezone.now()
        )

        def done(unit, inspector, day):
            return Inspection(
                province=province,
                unit=unit,
                county=unit.county,
                inspector=inspector,
                scheduled_on=day,
                kind=InspectionKind.ROUTINE,
                state=InspectionState.DONE,
            )

        scores, history, plan_units = [], [], []
        for unit in unit_rows:
            tier = rng.choices(list(TIERS), weights=list(TIERS.values()))[0]
            scored = rng.random() >= 0.03
            if scored:
                scores.append(
                    UnitScore(run=run, unit=unit, province=province, score=rng.uniform(0, 100), tier=tier)
                )
            else:
                tier = "medium"  # as the service plans an unscored unit
            last_on = last_by = None
            if rng.random() >= 0.15:
                last_on = first - dt.timedelta(days=rng.randint(1, RECENT_DAYS[tier]))
                last_by = rng.choice(staff)
                history.append(done(unit, last_by, last_on))
                if rng.random() < 0.5:
                    history.append(
                        done(unit, rng.choice(staff), last_on - dt.timedelta(days=rng.randint(60, 400)))
                    )
            plan_units.append(
                planning.Unit(
                    id=unit.pk,
                    county=unit.county_id,
                    tier=tier,
                    last_inspected=last_on,
                    last_inspector=last_by.pk if last_by else None,
                    reasons=() if scored else ({"code": "not_scored"},),
                )
            )
        UnitScore.objects.bulk_create(scores, batch_size=2000)
        Inspection.objects.bulk_create(history, batch_size=2000)
    days = working_days(province, first, last)
    availability = {user: [day for day in days if rng.random() >= 0.1] for user in staff}
    plan_inspectors = [
        planning.Inspector(id=user.pk, days=tuple(own), visits_per_day=3)
        for user, own in availability.items()
    ]
    return officer, province, availability, plan_units, plan_inspectors, first, last


# ---------------------------------------------------------------- the naive baseline


def naive(units, inspectors, *, first, last, intervals):
    """Visits in due-date order, each inspector-day (day by day, inspector by inspector) filled with the next
    visits it may take: capacity, rotation and frequency kept, counties ignored. Returns (unit, inspector,
    day, county, due, number) tuples."""
    from hami.supervision.planning import TIER_RANK, due_on

    by_id = {unit.id: unit for unit in units}
    jobs = []  # sorted: (due ordinal, -tier rank, unit id, number, barred inspector)
    for unit in units:
        due = due_on(unit, first, intervals)
        if due <= last:
            jobs.append((due.toordinal(), -TIER_RANK[unit.tier], unit.id, 1, unit.last_inspector))
    jobs.sort()
    day_staff = defaultdict(list)
    for inspector in inspectors:
        for day in inspector.days:
            day_staff[day].append(inspector)
    horizon = max(day_staff) if day_staff else first
    visits = []
    for day in sorted(day_staff):
        today = day.toordinal()
        for inspector in sorted(day_staff[day], key=lambda i: i.id):
            room = inspector.visits_per_day
            position = 0
            while room and position < len(jobs):
                due, rank, unit_id, number, barred = jobs[position]
                if due > today:
                    break  # sorted by due date: nothing further is due yet
                if barred == inspector.id:
                    position += 1
                    continue
                jobs.pop(position)
                unit = by_id[unit_id]
                visits.append((unit_id, inspector.id, day, unit.county, dt.date.fromordinal(due), number))
                room -= 1
                following = day + dt.timedelta(days=intervals[unit.tier])
                if following <= horizon:
                    bisect.insort(jobs, (following.toordinal(), rank, unit_id, number + 1, inspector.id))
    return visits


# ---------------------------------------------------------------- quality


def quality(visits, units, inspectors, first, intervals) -> dict:
    """What a plan achieves and whether it breaks a rule; `visits` are (unit, inspector, day, county, due,
    number) tuples."""
    from hami.supervision.planning import due_on

    by_id = {unit.id: unit for unit in units}
    cap = {i.id: i.visits_per_day for i in inspectors}
    available = {i.id: set(i.days) for i in inspectors}
    load = Counter((inspector, day) for _u, inspector, day, *_ in visits)
    breaches = sum(1 for (i, d), n in load.items() if n > cap[i] or d not in available[i])
    day_counties = defaultdict(set)
    per_unit = defaultdict(list)
    for unit, inspector, day, county, _due, _number in visits:
        day_counties[(inspector, day)].add(county)
        per_unit[unit].append((day, inspector))
    for unit_id, own in per_unit.items():
        unit = by_id[unit_id]
        previous_day, previous_inspector = unit.last_inspected, unit.last_inspector
        for day, inspector in sorted(own):
            breaches += inspector == previous_inspector
            if previous_day is not None and (day - previous_day).days < intervals[unit.tier]:
                breaches += 1
            previous_day, previous_inspector = day, inspector
    overdue = {u.id: due_on(u, first, intervals) for u in units if due_on(u, first, intervals) < first}
    waits = [min(day for day, _i in per_unit[u]) - first for u in overdue if u in per_unit]
    serious = [u.id for u in units if u.tier == "serious" and due_on(u, first, intervals) < first]
    return {
        "visits": len(visits),
        "units visited": len(per_unit),
        "overdue visited": f"{len(waits):,} of {len(overdue):,}",
        "overdue wait (days)": f"mean {sum(w.days for w in waits) / max(len(waits), 1):.1f}",
        "serious overdue visited": f"{sum(1 for u in serious if u in per_unit)} of {len(serious)}",
        "county changes": sum(len(c) - 1 for c in day_counties.values()),
        "inspector-days used": len(day_counties),
        "rule breaches": breaches,
    }


def best(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


# ---------------------------------------------------------------- main


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="hami-bench-") as tmpdir:
        old_name = setup_django(tmpdir)
        try:
            run(args)
        finally:
            if old_name:
                from django.db import connection

                connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args: argparse.Namespace) -> None:
    import django

    from hami.supervision import planning
    from hami.supervision.models import InspectionPlan
    from hami.supervision.selectors import current_policy
    from hami.supervision.services.plans import plan_generate

    print(f"machine:  {machine()}")
    print(f"database: {database()}, Django {django.get_version()}")
    started = time.perf_counter()
    officer, province, availability, units, inspectors, first, last = build_province(
        args.units, args.inspectors, args.seed
    )
    policy = current_policy()
    intervals = {tier: int(days) for tier, days in policy["visit_interval_days"].items()}
    share = float(policy["unannounced_share"])
    capacity = sum(len(i.days) * i.visits_per_day for i in inspectors)
    print(
        f"province: {len(units):,} units, {len(inspectors)} inspectors, season {SEASON} of {YEAR}"
        f" ({first} to {last}), capacity {capacity:,} visits; built in {time.perf_counter() - started:.1f} s"
    )

    planner_time, result = best(
        lambda: planning.plan(
            units,
            inspectors,
            first=first,
            last=last,
            intervals=intervals,
            unannounced_share=share,
            seed=args.seed,
        ),
        args.repeat,
    )
    naive_time, naive_visits = best(
        lambda: naive(units, inspectors, first=first, last=last, intervals=intervals), args.repeat
    )
    planner_visits = [(v.unit, v.inspector, v.day, v.county, v.due_on, v.number) for v in result.visits]

    def generate():
        InspectionPlan.objects.all().delete()
        return plan_generate(
            actor=officer,
            province=province,
            period_kind="season",
            year=YEAR,
            period=SEASON,
            availability=availability,
            seed=args.seed,
        )

    service_time, plan = best(generate, args.repeat)
    written = sorted(plan.visits.values_list("unit_id", "inspector_id", "scheduled_on"))
    assert written == sorted((v.unit, v.inspector, v.day) for v in result.visits), (
        "service and planner differ"
    )

    mine = quality(planner_visits, units, inspectors, first, intervals)
    theirs = quality(naive_visits, units, inspectors, first, intervals)
    print(f"\n{'':26}{'planner':>18}{'naive':>18}")
    label = f"time (best of {args.repeat})"
    print(f"{label:26}{planner_time * 1000:>15.1f} ms{naive_time * 1000:>15.1f} ms")
    for key in mine:
        print(f"{key:26}{mine[key]!s:>18}{theirs[key]!s:>18}")
    summary = result.summary
    print(
        f"\nplanner: {summary['units_unplaced']:,} units short of a visit"
        f" ({', '.join(f'{k} {v:,}' for k, v in summary['unplaced_by_reason'].items())}),"
        f" {summary['swaps']:,} swaps in the final pass, {summary['unannounced']:,} visits unannounced"
    )
    print(f"ratio planner/naive:      {planner_time / naive_time:.2f}x the time")
    print(
        f"plan_generate end to end: {service_time:.2f} s (best of {args.repeat}), {len(written):,} visits"
        f" written; the planner is {planner_time / service_time:.0%} of it"
    )


if __name__ == "__main__":
    main()
