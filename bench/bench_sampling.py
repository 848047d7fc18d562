"""Benchmark: ISO 2859-1 sampling plan look-ups per second, against a dict of precomputed answers.

    HAMI_DEBUG=1 .venv/bin/python bench/bench_sampling.py [--queries 200000] [--repeat 5] [--http 3000]

It draws N random queries (lot size log-uniform from 1 to 10,000,000, one of the 7 inspection
levels, one of the 26 AQLs written as the API receives them, one of the 3 severities; fixed seed),
then per repetition times:

1. `hami.labs.sampling.plan(lot_size, level, aql, severity)` for every query: parse and check the
   four inputs, Table 1, the master table already resolved at import, the 100 % inspection test,
   and the result object;
2. the baseline: a dict from the same queries to their precomputed answers, one `dict[query]`
   per query — the floor any look-up costs in Python.

It prints both rates (best repetition) and their ratio; then, unless --http 0, the rate of
`GET /api/v1/sampling-plan` through Django's test Client in-process (every middleware, django-ninja,
JSON), measured in the same run. No database: Django is pointed at an in-memory SQLite that the
endpoint never opens. Not a test: the suite collects only test_*.py files under hami/.
"""

import argparse
import math
import os
import random
import sys
import time
from pathlib import Path

from machine import machine  # bench/machine.py: the scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--queries", type=int, default=200_000, help="queries per repetition (default 200000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="repetitions; the best is reported (default 5)")
    parser.add_argument("--http", type=int, default=3000, help="requests through the test Client (0: skip)")
    return parser.parse_args()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"  # never var/hami.sqlite3 nor a DATABASE_URL's server
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log (there are no queries; DEBUG adds work per request all the same)


def make_queries(count: int, seed: int = 2859) -> list[tuple[str, str, str, str]]:
    from hami.labs.sampling import AQL_LABELS, LEVELS, Severity

    rng = random.Random(seed)
    severities = [severity.value for severity in Severity]
    queries = []
    for _ in range(count):
        lot_size = int(math.exp(rng.uniform(0, math.log(10_000_000))))
        queries.append((str(lot_size), rng.choice(LEVELS), rng.choice(AQL_LABELS), rng.choice(severities)))
    return queries


def time_plan(queries) -> float:
    from hami.labs.sampling import plan

    started = time.perf_counter()
    for lot_size, level, aql, severity in queries:
        plan(lot_size, level, aql, severity)
    return time.perf_counter() - started


def time_dict(queries, answers) -> float:
    started = time.perf_counter()
    for query in queries:
        answers[query]
    return time.perf_counter() - started


def time_http(queries) -> float:
    from django.test import Client

    client = Client()
    started = time.perf_counter()
    for lot_size, level, aql, severity in queries:
        response = client.get(
            "/api/v1/sampling-plan", {"lot_size": lot_size, "level": level, "aql": aql, "severity": severity}
        )
        if response.status_code != 200:
            raise SystemExit(
                f"{response.status_code} for {lot_size, level, aql, severity}: {response.content!r}"
            )
    return time.perf_counter() - started


def main() -> None:
    args = parse_args()
    setup_django()
    import django

    from hami.labs.sampling import EDITION, plan

    queries = make_queries(args.queries)
    answers = {query: plan(*query) for query in queries}  # also checks that every query is valid
    print(f"machine:  {machine()}, Django {django.get_version()}")
    print(f"tables:   {EDITION}; {args.queries:,} random queries, {len(answers):,} distinct")
    plan_times, dict_times = [], []
    for repetition in range(1, args.repeat + 1):
        plan_times.append(time_plan(queries))
        dict_times.append(time_dict(queries, answers))
        print(f"  run {repetition}: plan() {plan_times[-1]:.3f} s, dict {dict_times[-1]:.3f} s")
    best_plan, best_dict = min(plan_times), min(dict_times)
    best = f"best of {args.repeat}"
    print(f"plan():               {args.queries / best_plan:14,.0f} look-ups/s  ({best_plan:.3f} s, {best})")
    print(f"dict of answers:      {args.queries / best_dict:14,.0f} look-ups/s  ({best_dict:.3f} s, {best})")
    print(f"ratio plan/dict:      {best_plan / best_dict:14.1f}x the time of a dict look-up")
    if args.http:
        sample = queries[: args.http]
        time_http(sample[:50])  # warm up: URL resolver, django-ninja's schemas
        seconds = min(time_http(sample) for _ in range(2))
        print(
            f"GET /api/v1/sampling-plan (test Client, in-process): {args.http / seconds:10,.0f} requests/s "
            f"({seconds / args.http * 1e6:.0f} µs each, {args.http:,} requests, best of 2); "
            f"{seconds / args.http / (best_plan / args.queries):.0f}x the time of plan()"
        )


if __name__ == "__main__":
    main()
