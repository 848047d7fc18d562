"""Benchmark: full rescoring of every production unit (`scores_recompute`) at national scale, against the
same scores computed by ONE hand-tuned SQL query over the same data, in the same run.

    HAMI_DEBUG=1 .venv/bin/python bench/bench_scoring.py                 # 120,000 units, 2,000,000 results
    HAMI_DEBUG=1 .venv/bin/python bench/bench_scoring.py --units 6000    # a quick small run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hami_bench_other HAMI_DEBUG=1 .venv/bin/python ...

PostgreSQL only. The database (hami_bench_scoring unless DATABASE_URL names another) is created if
missing, migrated, and filled by SQL (INSERT … SELECT FROM generate_series, no ORM) unless it already
holds the data of this --units, so later runs reuse it; it is never dropped. Refilling empties the
registry, standards, labs, licensing and supervision tables, so the script refuses to refill a database
without "bench" in its name. For N units (120,000 by default) it writes, scaled from the national figures
of DESIGN.md: 2 products each, 40 product categories of hazard levels 1–4, 200 standards of 10
requirements, 300 labs; N × 5/3 samples, each with one test order of 10 test items (2,000,000 results
for 120,000 units) and a test report (3 % amended by a second version); 2N inspections, N × 5/3
findings, corrective actions for 60 % of them, N/6 complaints and 1.25N licences — dated over the last
three years before a fixed `as of`, with states mixed so that every component of the score is in play.

Then, --repeat times (the best is reported): `scores_recompute(as_of=AS_OF)` exactly as the nightly
command runs it (its own RUNNING row, one transaction that gathers, computes in Python, bulk-writes and
prunes, the audit event), timed by stage; and the hand-tuned query (CTEs, one aggregate per fact table,
the points rounded in SQL) that returns every unit's score and tier. It checks that both give the same
score and tier for every unit (exit 1 otherwise) and prints the times, the ratio, the data sizes and the
machine. See bench/README.md. Not a test: the suite collects only test_*.py files under hami/.
"""

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

from machine import machine  # bench/machine.py: the scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hami_bench_scoring"
AS_OF = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)  # 12:30 in Tehran; every date is relative to it
DAY0 = "DATE '2026-06-01'"  # AS_OF's local day, in the fill's SQL
ITEMS_PER_ORDER = 10
# The tables the fill owns (emptied on refill), children first.
TABLES = [
    "supervision_unitscore", "supervision_scorerun", "supervision_correctiveaction", "supervision_finding",
    "supervision_complaintcase", "licensing_complaint", "supervision_inspection", "labs_testitem",
    "labs_testreport", "labs_testorder", "labs_sample", "labs_lab", "licensing_licence", "registry_product",
    "registry_productionunit", "standards_requirement", "standards_productcategory", "standards_standard",
]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=120_000, help="production units (default 120000)")
    parser.add_argument(
        "--repeat", type=int, default=2, help="timed runs of each side; best reported (default 2)"
    )
    args = parser.parse_args()
    if args.units < 10 or args.repeat < 1:
        parser.error("--units must be at least 10 and --repeat at least 1")
    return args


def sizes_for(units: int) -> dict[str, int]:
    samples = units * 5 // 3
    return {
        "units": units,
        "products": 2 * units,
        "samples": samples,
        "test_items": samples * ITEMS_PER_ORDER,
        "inspections": 2 * units,
        "findings": units * 5 // 3,
        "complaints": max(1, units // 6),
        "licences": units * 5 // 4,
    }


# --- the database -----------------------------------------------------------------------------


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"bench_scoring.py runs on PostgreSQL only; DATABASE_URL is {url!r}")
    return url


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            print(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # no query log
    call_command("migrate", verbosity=0)


def counts(url: str) -> dict[str, int]:
    import psycopg

    tables = {
        "units": "registry_productionunit",
        "products": "registry_product",
        "samples": "labs_sample",
        "test_items": "labs_testitem",
        "inspections": "supervision_inspection",
        "findings": "supervision_finding",
        "complaints": "supervision_complaintcase",
        "licences": "licensing_licence",
    }
    with psycopg.connect(url) as conn:
        return {
            key: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for key, table in tables.items()
        }


def ensure_data(url: str, units: int) -> None:
    from psycopg.conninfo import conninfo_to_dict

    want, have = sizes_for(units), counts(url)
    if all(have[key] == want[key] for key in want):
        print(f"database already holds the data of {units:,} units: reused")
        return
    name = conninfo_to_dict(url)["dbname"]
    if "bench" not in name:
        raise SystemExit(
            f"refusing to empty and refill {name!r} (it holds {have['units']:,} units, not {units:,}):"
            " give the benchmark a database of its own, with 'bench' in its name"
        )
    print(f"filling the database for {units:,} units (it held {have['units']:,}) ...", flush=True)
    started = time.perf_counter()
    fill(url, want)
    print(f"  filled in {time.perf_counter() - started:.1f} s")


def fill(url: str, n: dict[str, int]) -> None:
    """Every row by INSERT … SELECT FROM generate_series; hashint4 spreads choices like a seeded random."""
    import psycopg

    from hami.core.models import Role, User

    user, _ = User.objects.get_or_create(username="bench-scoring", defaults={"role": Role.NATIONAL_ADMIN})
    u, s, i, f, c, lic = (
        n[k] for k in ("units", "samples", "inspections", "findings", "complaints", "licences")
    )
    h = "(hashint4(g + {salt}) & 2147483647)"  # a pseudo-random non-negative int per row and salt
    statements = [
        f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE",
        "DROP TABLE IF EXISTS bench_county",
        "CREATE UNLOGGED TABLE bench_county AS"
        " SELECT row_number() OVER (ORDER BY id) AS n, id, province_id FROM core_county",
        # 40 categories: hazard 4 for a tenth, 3 for a fifth, 2 for two fifths, 1 for the rest
        "INSERT INTO standards_productcategory (id, created_at, updated_at, name_fa, name_en, code, hs_code,"
        " isic,"
        " hazard_level) SELECT g, now(), now(), 'گروه ' || g, 'Group ' || g, 'bench-' || g, '', '',"
        " CASE WHEN g % 10 = 0 THEN 4 WHEN g % 10 IN (1, 2) THEN 3 WHEN g % 10 IN (3, 4, 5, 6) THEN 2 ELSE 1"
        " END"
        " FROM generate_series(1, 40) g",
        "INSERT INTO standards_standard (id, created_at, updated_at, number, year, title_fa, title_en, ics,"
        " status, is_mandatory, scheme, search_text, aql, decision_rule)"
        " SELECT g, now(), now(), 30000 + g, 1400, 'استاندارد ' || g, 'Standard ' || g, '', 'current', false,"
        " '5', '', 2.5, 'simple' FROM generate_series(1, 200) g",
        "INSERT INTO standards_requirement (id, created_at, updated_at, clause, title_fa, title_en,"
        " test_method,"
        " limit_kind, unit, severity, standard_id)"
        " SELECT (st - 1) * 10 + k, now(), now(), '5.' || k, 'الزام ' || k, 'Requirement ' || k, '',"
        " 'pass_fail', '', 'major', st FROM generate_series(1, 200) st, generate_series(1, 10) k",
        "INSERT INTO labs_lab (id, created_at, updated_at, name_fa, name_en, public_id, kind, status,"
        " accreditation_number, accreditation_body, county_id, province_id, address, email, fixing_from,"
        " phone,"
        " status_since) SELECT g, now(), now(), 'آزمایشگاه ' || g, 'Lab ' || g, gen_random_uuid(),"
        " 'cooperating',"
        " 'approved', '', '', c.id, c.province_id, '', '', '', '', now()"
        " FROM generate_series(1, 300) g JOIN bench_county c ON c.n = g % (SELECT count(*) FROM"
        " bench_county) + 1",
        # units: 1 % closed, 2 % idle, the rest active; a tenth on the fast track
        "INSERT INTO registry_productionunit (id, created_at, updated_at, name_fa, name_en, public_id,"
        " national_id,"
        " address, isic, size_class, status, search_text, county_id, province_id, fast_track,"
        " fast_track_reason,"
        " tightened_sampling, tightened_sampling_reason)"
        " SELECT g, now(), now(), 'واحد نمونه ' || g, 'Bench unit ' || g, gen_random_uuid(), lpad(g::text,"
        " 11, '0'),"
        " '', '1010', 'small', CASE WHEN g % 100 = 0 THEN 'closed' WHEN g % 50 = 1 THEN 'idle' ELSE 'active'"
        " END,"
        f" '', c.id, c.province_id, g % 10 = 3, '', false, '' FROM generate_series(1, {u}) g"
        " JOIN bench_county c ON c.n = g % (SELECT count(*) FROM bench_county) + 1",
        "INSERT INTO registry_product (id, created_at, updated_at, name, brand, model, category_id, unit_id)"
        " SELECT 2 * (g - 1) + k + 1, now(), now(), 'Product ' || g || '-' || k, 'Brand', '',"
        f" {h.format(salt='k * 7919')} % 40 + 1, g FROM generate_series(1, {u}) g, generate_series(0, 1) k",
        # samples (one test order, 10 items and a report each), taken over the last 1,000 days
        "INSERT INTO labs_sample (id, created_at, updated_at, public_id, code, seal_number, origin, place,"
        " taken_at,"
        " lot_number, lot_size, inspection_level, aql, severity, code_letter, sample_size, accept, reject,"
        " state,"
        " verdict, conformity, product_id, province_id, standard_id, taken_by_id, unit_id)"
        " SELECT g, now(), now(), gen_random_uuid(), 'B' || g, 'S' || g,"
        " CASE WHEN g % 10 = 0 THEN 'market' ELSE 'factory' END, '',"
        " TIMESTAMPTZ '2026-06-01 09:00+00' - ((g % 1000) + 10) * INTERVAL '1 day', '', 500, 'II', 1.0,"
        " 'normal',"
        " 'H', 50, 1, 2, 'tested', '', '', 2 * (x.unit - 1) + g % 2 + 1, pu.province_id, g % 200 + 1,"
        f" {user.pk}, x.unit FROM generate_series(1, {s}) g"
        f" CROSS JOIN LATERAL (SELECT {h.format(salt=17)} % {u} + 1 AS unit) x"
        " JOIN registry_productionunit pu ON pu.id = x.unit",
        "INSERT INTO labs_testorder (id, created_at, updated_at, public_id, number, state, state_since,"
        " reject_reason, explanation, lab_id, province_id, sample_id)"
        " SELECT id, now(), now(), gen_random_uuid(), 'BO' || id, 'reported', now(), '', '{}', id % 300 + 1,"
        " province_id, id FROM labs_sample",
        # report conformity: 8 % does not conform, 2 % not demonstrated, 10 % minor, the rest conforms
        "CREATE TEMP TABLE bench_verdict AS SELECT id, CASE WHEN (id * 31) % 100 < 8 THEN 'does_not_conform'"
        " WHEN (id * 31) % 100 < 10 THEN 'not_demonstrated' WHEN (id * 31) % 100 < 20 THEN"
        " 'minor_nonconformities' ELSE 'conforms' END AS conformity, taken_at FROM labs_sample",
        "INSERT INTO labs_testitem (id, created_at, updated_at, price, value, unit, uncertainty, outcome,"
        " method,"
        " verdict, reported_at, requirement_id, order_id, reported_by_id)"
        f" SELECT (v.id - 1) * {ITEMS_PER_ORDER} + k, now(), now(), 1500000, NULL, '', NULL,"
        " CASE WHEN k = 1 AND v.conformity IN ('does_not_conform', 'not_demonstrated') THEN 'fail' ELSE"
        " 'pass' END,"
        " '', CASE WHEN k = 1 AND v.conformity IN ('does_not_conform', 'not_demonstrated') THEN 'fail'"
        " ELSE 'pass' END, v.taken_at + INTERVAL '6 days', (v.id % 200) * 10 + k, v.id, NULL"
        f" FROM bench_verdict v, generate_series(1, {ITEMS_PER_ORDER}) k",
        "INSERT INTO labs_testreport (id, public_id, number, version, reason, verdict, conformity, content,"
        " issued_at, issued_by_id, order_id, amends_id)"
        " SELECT id, gen_random_uuid(), 'BR' || id || '-1', 1, '',"
        " CASE WHEN conformity IN ('does_not_conform', 'not_demonstrated') THEN 'fail' ELSE 'pass' END,"
        f" conformity, '{{}}', taken_at + INTERVAL '7 days', {user.pk}, id, NULL FROM bench_verdict",
        # 3 % amended: the second version turns a failure into conformity and a conformity into a failure
        "INSERT INTO labs_testreport (id, public_id, number, version, reason, verdict, conformity, content,"
        " issued_at, issued_by_id, order_id, amends_id)"
        f" SELECT {s} + id / 33, gen_random_uuid(), 'BR' || id || '-2', 2, 'Corrected', 'pass',"
        " CASE WHEN conformity IN ('does_not_conform', 'not_demonstrated') THEN 'conforms'"
        " ELSE 'does_not_conform' END,"
        f" '{{}}', taken_at + INTERVAL '12 days', {user.pk}, id, id FROM bench_verdict WHERE id % 33 = 0",
        # inspections over the last 1,100 days (5 % planned ahead, 3 % cancelled): ~16 % of units get none
        "INSERT INTO supervision_inspection (id, created_at, updated_at, public_id, scheduled_on,"
        " unannounced, kind,"
        " reasons, state, started_at, finished_at, summary, cancel_reason, checklist_id, county_id,"
        " created_by_id,"
        " inspector_id, plan_id, province_id, site_id, unit_id)"
        f" SELECT g, now(), now(), gen_random_uuid(),"
        f" CASE WHEN g % 20 = 0 THEN {DAY0} + g % 30 ELSE {DAY0} - {h.format(salt=1)} % 1100 END, false,"
        " 'routine', '[]', CASE WHEN g % 20 = 0 THEN 'planned' WHEN g % 33 = 0 THEN 'cancelled' ELSE 'done'"
        " END,"
        f" NULL, NULL, '', '', NULL, pu.county_id, NULL, {user.pk}, NULL, pu.province_id, NULL, x.unit"
        f" FROM generate_series(1, {i}) g CROSS JOIN LATERAL (SELECT {h.format(salt=29)} % {u} + 1 AS unit) x"
        " JOIN registry_productionunit pu ON pu.id = x.unit",
        # findings: 10 % critical, 40 % major, 50 % minor; 25 % open, 70 % corrected, 5 % withdrawn
        "INSERT INTO supervision_finding (id, created_at, updated_at, public_id, severity, safety, text,"
        " state,"
        " closed_at, withdraw_reason, created_by_id, inspection_id, item_id, licence_id, province_id,"
        " repeat_of_id,"
        " unit_id) SELECT g, now(), now(), gen_random_uuid(),"
        " CASE WHEN g % 10 = 0 THEN 'critical' WHEN g % 10 < 5 THEN 'major' ELSE 'minor' END, false,"
        " 'Bench',"
        f" CASE WHEN {h.format(salt=3)} % 100 < 25 THEN 'open' WHEN {h.format(salt=3)} % 100 < 95 THEN"
        " 'corrected'"
        f" ELSE 'withdrawn' END, NULL, '', {user.pk}, ins.id, NULL, NULL, ins.province_id, NULL, ins.unit_id"
        f" FROM generate_series(1, {f}) g JOIN supervision_inspection ins ON ins.id = {h.format(salt=5)} %"
        f" {i} + 1",
        # actions for 60 % of the findings not withdrawn, due over the last 800 days (or in 20 days); an open
        # finding's is accepted, proposed or reopened; a corrected one's verified, a quarter of them late
        "INSERT INTO supervision_correctiveaction (id, created_at, updated_at, public_id, text, due_on,"
        " state,"
        " office_note, evidence_note, submitted_at, verified_at, escalated_at, decided_by_id, finding_id,"
        " proposed_by_id, province_id, unit_id)"
        " SELECT fi.id, now(), now(), gen_random_uuid(), 'Bench', d.due_on,"
        " CASE WHEN fi.state = 'corrected' THEN 'verified' WHEN fi.id % 3 = 0 THEN 'accepted'"
        " WHEN fi.id % 3 = 1 THEN 'proposed' ELSE 'reopened' END, '', '', NULL,"
        " CASE WHEN fi.state = 'corrected' THEN (d.due_on + (fi.id % 20 - 14)::int)::timestamp AT TIME ZONE"
        " 'UTC'"
        " + INTERVAL '10 hours' END, NULL, NULL, fi.id, " + str(user.pk) + ", fi.province_id, fi.unit_id"
        " FROM supervision_finding fi"
        " CROSS JOIN LATERAL (SELECT "
        + DAY0
        + " + 20 - (hashint4(fi.id::int + 11) & 2147483647) % 800 AS due_on) d"
        " WHERE fi.state <> 'withdrawn' AND fi.id % 5 IN (1, 2, 3)",
        # complaints: 70 % closed, half of those upheld, closed over the last 1,000 days
        "INSERT INTO licensing_complaint (id, created_at, updated_at, public_id, tracking_code, text,"
        " contact,"
        " state, licence_id, province_id) SELECT g, now(), now(), gen_random_uuid(), '', 'Bench', '',"
        " 'received',"
        f" NULL, pu.province_id FROM generate_series(1, {c}) g"
        f" JOIN registry_productionunit pu ON pu.id = {h.format(salt=41)} % {u} + 1",
        "INSERT INTO supervision_complaintcase (id, created_at, updated_at, channel, priority, state,"
        " outcome,"
        " outcome_note, closed_at, assigned_to_id, closed_by_id, complaint_id, inspection_id, licence_id,"
        " province_id, triaged_by_id, unit_id)"
        " SELECT g, now(), now(), 'public', 'normal', CASE WHEN g % 10 < 7 THEN 'closed' ELSE"
        " 'investigating' END,"
        " CASE WHEN g % 10 >= 7 THEN '' WHEN g % 2 = 0 THEN 'upheld' ELSE 'not_upheld' END, '',"
        " CASE WHEN g % 10 < 7 THEN TIMESTAMPTZ '2026-06-01 09:00+00' - "
        f" ({h.format(salt=43)} % 1000) * INTERVAL '1 day' END, NULL, NULL, g, NULL, NULL, pu.province_id,"
        " NULL,"
        f" pu.id FROM generate_series(1, {c}) g JOIN registry_productionunit pu ON pu.id ="
        f" {h.format(salt=41)} % {u} + 1",
        # licences: 4 % suspended, 2 % revoked, 9 % expired, the rest active
        "INSERT INTO licensing_licence (id, created_at, updated_at, public_id, number, tracking_code, state,"
        " expires_on, current_id, province_id, standard_id, unit_id)"
        " SELECT g, now(), TIMESTAMPTZ '2026-06-01 09:00+00' - "
        f" ({h.format(salt=47)} % 1000) * INTERVAL '1 day', gen_random_uuid(), 'BL' || g, 'T' ||"
        " lpad(g::text, 9, '0'),"
        " CASE WHEN g % 100 < 4 THEN 'suspended' WHEN g % 100 < 6 THEN 'revoked' WHEN g % 100 < 15 THEN"
        " 'expired'"
        f" ELSE 'active' END, {DAY0} + ({h.format(salt=53)} % 1500) - 600, NULL, pu.province_id, g % 200 +"
        " 1, pu.id"
        f" FROM generate_series(1, {lic}) g JOIN registry_productionunit pu ON pu.id = g % {u} + 1",
        "DROP TABLE bench_county",
    ]
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for statement in statements:
            started = time.perf_counter()
            cur.execute(statement)
            label = " ".join(statement.split()[:3])
            print(
                f"  {label:<48} {cur.rowcount:>10,} rows {time.perf_counter() - started:7.1f} s", flush=True
            )
        for table in TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM"
                f" {table}), 1))"
            )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# --- the two computations -----------------------------------------------------------------------

HAND_SQL = """
WITH units AS (
    SELECT id, fast_track FROM registry_productionunit WHERE status = 'active'
), hazard AS (
    SELECT p.unit_id, max(c.hazard_level) AS level
      FROM registry_product p JOIN standards_productcategory c ON c.id = p.category_id
     GROUP BY p.unit_id
), failures AS (
    SELECT s.unit_id, count(*) AS n
      FROM labs_testreport r
      JOIN labs_testorder o ON o.id = r.order_id
      JOIN labs_sample s ON s.id = o.sample_id
     WHERE r.conformity IN ('does_not_conform', 'not_demonstrated')
       AND r.issued_at > %(start)s AND r.issued_at <= %(as_of)s
       AND NOT EXISTS (SELECT 1 FROM labs_testreport a WHERE a.amends_id = r.id)
     GROUP BY s.unit_id
), findings AS (
    SELECT f.unit_id, sum(CASE f.severity WHEN 'critical' THEN 3 WHEN 'major' THEN 2 ELSE 1 END) AS w
      FROM supervision_finding f JOIN supervision_inspection i ON i.id = f.inspection_id
     WHERE f.state = 'open' AND i.state = 'done' GROUP BY f.unit_id
), actions AS (
    SELECT unit_id, count(*) AS n
      FROM supervision_correctiveaction
     WHERE (state IN ('accepted', 'reopened') AND due_on < %(today)s)
        OR (state = 'verified' AND verified_at > %(start)s AND verified_at <= %(as_of)s
            AND (verified_at AT TIME ZONE %(zone)s)::date > due_on)
     GROUP BY unit_id
), complaints AS (
    SELECT unit_id, count(*) AS n
      FROM supervision_complaintcase
     WHERE outcome = 'upheld' AND state = 'closed' AND unit_id IS NOT NULL
       AND closed_at > %(start)s AND closed_at <= %(as_of)s
     GROUP BY unit_id
), visits AS (
    SELECT unit_id, max(scheduled_on) AS last
      FROM supervision_inspection WHERE state = 'done' AND scheduled_on <= %(today)s GROUP BY unit_id
), licences AS (
    SELECT unit_id,
           count(*) FILTER (WHERE state = 'suspended')
           + count(*) FILTER (WHERE state = 'revoked' AND updated_at > %(start)s)
           + 0.5 * count(*) FILTER (WHERE state IN ('expired', 'active') AND expires_on >= %(start_day)s
                                      AND expires_on < %(today)s) AS w
      FROM licensing_licence WHERE state IN ('suspended', 'revoked', 'expired', 'active') GROUP BY unit_id
), points AS (
    SELECT u.id,
           round(%(w_hazard)s::numeric * least(coalesce(h.level, 0), 4) / 4, 1)
         + round(%(w_test_failures)s::numeric * least(coalesce(f.n, 0), 3) / 3, 1)
         + round(%(w_open_findings)s::numeric * least(coalesce(fi.w, 0), 6) / 6, 1)
         + round(%(w_late_actions)s::numeric * least(coalesce(a.n, 0), 3) / 3, 1)
         + round(%(w_upheld_complaints)s::numeric * least(coalesce(c.n, 0), 2) / 2, 1)
         + round(%(w_since_inspection)s::numeric * CASE WHEN v.last IS NULL THEN 1
                 ELSE least(greatest(%(today)s - v.last, 0), %(full_days)s)::numeric / %(full_days)s END, 1)
         + round(%(w_licence_state)s::numeric * least(coalesce(l.w, 0), 1), 1)
         + round(%(w_standing)s::numeric * (CASE WHEN u.fast_track THEN 1 ELSE 0 END), 1) AS total
      FROM units u
      LEFT JOIN hazard h ON h.unit_id = u.id
      LEFT JOIN failures f ON f.unit_id = u.id
      LEFT JOIN findings fi ON fi.unit_id = u.id
      LEFT JOIN actions a ON a.unit_id = u.id
      LEFT JOIN complaints c ON c.unit_id = u.id
      LEFT JOIN visits v ON v.unit_id = u.id
      LEFT JOIN licences l ON l.unit_id = u.id
)
SELECT id, greatest(total, 0) AS score,
       CASE WHEN greatest(total, 0) >= %(serious)s::numeric THEN 'serious'
            WHEN greatest(total, 0) >= %(high)s::numeric THEN 'high'
            WHEN greatest(total, 0) >= %(medium)s::numeric THEN 'medium' ELSE 'low' END AS tier
  FROM points
"""


def hand_sql(policy) -> tuple[float, dict[int, tuple[Decimal, str]]]:
    """Run the hand-tuned query on Django's connection; its time and {unit id: (score, tier)}."""
    from django.db import connection
    from django.utils import timezone

    start = AS_OF - dt.timedelta(days=int(policy["lookback_days"]))
    params = {
        "as_of": AS_OF,
        "start": start,
        "today": timezone.localdate(AS_OF),
        "start_day": timezone.localdate(start),
        "zone": str(timezone.get_current_timezone()),
        "full_days": int(policy["inspection_full_days"]),
        **{f"w_{key}": Decimal(str(weight)) for key, weight in policy["weights"].items()},
        **{tier: Decimal(str(value)) for tier, value in policy["tier_thresholds"].items()},
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, params)
        rows = cursor.fetchall()
    return time.perf_counter() - started, {unit: (score, tier) for unit, score, tier in rows}


def timed_recompute() -> tuple[float, dict[str, float], object]:
    """scores_recompute as the nightly job runs it, with the time of each stage."""
    from hami.supervision import selectors
    from hami.supervision.services import scores as services

    stages: dict[str, float] = {}

    def timing(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                stages[name] = stages.get(name, 0) + time.perf_counter() - started

        return wrapper

    originals = (selectors.unit_facts, services._compute, services._write, services._prune)
    selectors.unit_facts = timing("gather (8 grouped queries)", selectors.unit_facts)
    services._compute = timing("compute (scoring.py)", services._compute)
    services._write = timing("write (COPY)", services._write)
    services._prune = timing("prune old runs", services._prune)
    try:
        started = time.perf_counter()
        run = services.scores_recompute(as_of=AS_OF)
        total = time.perf_counter() - started
    finally:
        selectors.unit_facts, services._compute, services._write, services._prune = originals
    stages["other (run row, audit, commit)"] = total - sum(stages.values())
    return total, stages, run


def compare(run, expected: dict[int, tuple[Decimal, str]]) -> int:
    from hami.supervision.models import UnitScore

    got = {unit: (score, tier) for unit, score, tier in UnitScore.objects.filter(run=run).values_list(
        "unit_id", "score", "tier"
    )}  # fmt: skip
    wrong = [unit for unit in expected.keys() | got.keys() if unit not in got or unit not in expected
             or got[unit][0] != float(expected[unit][0]) or got[unit][1] != expected[unit][1]]  # fmt: skip
    for unit in sorted(wrong)[:10]:
        print(f"  MISMATCH unit {unit}: scores_recompute {got.get(unit)}, SQL {expected.get(unit)}")
    return len(wrong)


def versions() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    return f"Django {django.get_version()}, PostgreSQL {server}"


def main() -> None:
    args = parse_args()
    url = database_url()
    ensure_database(url)
    setup_django(url)
    ensure_data(url, args.units)

    from hami.supervision.selectors import current_policy

    policy = current_policy()
    have = counts(url)
    print(f"machine:  {machine()}")
    print(f"software: {versions()}")
    print("data:     " + ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in have.items()))
    print(f"as of:    {AS_OF.isoformat()}, instruction version {policy.version}")
    best_service = best_sql = None
    mismatches = 0
    for round_ in range(1, args.repeat + 1):
        total, stages, run = timed_recompute()
        sql_time, expected = hand_sql(policy)
        mismatches = compare(run, expected)
        print(
            f"round {round_}: scores_recompute {total:7.2f} s ({run.unit_count:,} units)   "
            f"hand-tuned SQL {sql_time:6.2f} s ({len(expected):,} rows)   same scores: "
            + ("yes" if not mismatches else f"NO, {mismatches:,} units differ")
        )
        for name, seconds in stages.items():
            print(f"    {name:<32} {seconds:7.2f} s")
        if best_service is None or total < best_service[0]:
            best_service = (total, stages)
        best_sql = sql_time if best_sql is None else min(best_sql, sql_time)
        if mismatches:
            break
    from django.db.models import Count

    from hami.supervision.models import UnitScore

    tiers = dict(UnitScore.objects.filter(run=run).values_list("tier").annotate(n=Count("pk")))
    shares = ", ".join(f"{tier} {tiers.get(tier, 0):,}" for tier in ("serious", "high", "medium", "low"))
    print(f"tiers:    {shares}")
    print(
        f"best:     scores_recompute {best_service[0]:.2f} s, hand-tuned SQL {best_sql:.2f} s, "
        f"ratio {best_service[0] / best_sql:.1f}x"
    )
    if mismatches:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
