"""Benchmark: public verification by tracking code (GET /api/v1/verify/{code}), served as in production.

    HAMI_DEBUG=1 .venv/bin/python bench/bench_verify.py [--licences 300000] [--seconds 20] [--connections 16]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/other HAMI_DEBUG=1 .venv/bin/python bench/bench_verify.py

PostgreSQL only. The database (hami_bench_verify unless DATABASE_URL names another) is created if
missing, migrated, and filled with N licences by COPY unless it already holds exactly N, so later
runs reuse it; it is never dropped. Refilling empties the licensing, registry and standards tables,
so the script refuses to refill a database without "bench" in its name. It then starts two
servers through the same gunicorn, with the same worker settings, bound to 127.0.0.1 on free ports:

1. Hami itself, config.wsgi with HAMI_DEBUG=0 (every middleware, django-ninja, the rate limiter
   with a limit too high to refuse, persistent database connections: HAMI_DB_CONN_MAX_AGE=60);
2. a bare WSGI function (`bare_app` below: no Django) that does the same indexed lookup with
   psycopg directly, one persistent connection per worker thread, and returns the same JSON.

It checks that both answer 200 with identical JSON for sample codes, warms both up, then loads each
in turn with wrk (Debian's `apt-get install wrk`) over loopback: the same connections, the same
duration, each request a random code of the N. It prints requests per second, latency p50/p99, the
CPU share of the client, the web workers and PostgreSQL, and the ratio Hami / bare app (the goal
is at least 0.5). The ratio is reported, not asserted; the exit status is 0 unless something failed.
Every server it starts is stopped on the way out, error or not. See bench/README.md.
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from machine import machine  # bench/machine.py: the scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hami_bench_verify"
PREFIX = "/api/v1/verify/"
HUGE_RATE = "100000000/min"  # the limiter still counts every request, it just never refuses

# ---------------------------------------------------------------------------------------------
# The bare WSGI app: imported by gunicorn as bench_verify:bare_app (bench/ on its python path).
# ---------------------------------------------------------------------------------------------

BARE_SQL = """
SELECT l.tracking_code, l.state, u.name_fa, u.name_en, u.national_id,
       v.product_name, v.brand, v.model, s.number, s.year, s.title_fa, s.title_en,
       p.name_fa, p.name_en, v.issued_on, l.expires_on
  FROM licensing_licence l
  JOIN registry_productionunit u ON u.id = l.unit_id
  JOIN standards_standard s ON s.id = l.standard_id
  JOIN core_province p ON p.id = l.province_id
  LEFT JOIN licensing_licenceversion v ON v.id = l.current_id
 WHERE l.tracking_code = %s
"""
_local = threading.local()
_labels: dict | None = None


def _bare_connection():
    import psycopg

    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True)
    return conn


def bare_app(environ, start_response):
    """GET /api/v1/verify/<code>: the licence's public face as JSON, 404 if unknown. Nothing else."""
    global _labels
    if _labels is None:
        _labels = json.loads(os.environ["BENCH_STATE_LABELS"])
    path = environ.get("PATH_INFO", "")
    code = path[len(PREFIX) :] if path.startswith(PREFIX) else ""
    row = _bare_connection().execute(BARE_SQL, (code,)).fetchone() if code else None
    if row is None:
        status, body = "404 Not Found", {"code": "not_found", "message": "No licence has this tracking code."}
    else:
        (tracking_code, state, unit_fa, unit_en, national_id, product, brand, model, number, year,
         title_fa, title_en, office_fa, office_en, issued_on, expires_on) = row  # fmt: skip
        status = "200 OK"
        body = {
            "tracking_code": tracking_code,
            "state": state,
            "state_label": _labels[state],
            "valid": state == "active",
            "unit": {"fa": unit_fa, "en": unit_en},
            "unit_national_id": national_id,
            "product": product,
            "brand": brand,
            "model": model,
            "standard": f"INSO {number}:{year}",
            "standard_title": {"fa": title_fa, "en": title_en},
            "issuing_office": {"fa": office_fa, "en": office_en},
            "issued_on": issued_on.isoformat(),
            "expires_on": expires_on.isoformat(),
        }
    data = json.dumps(body).encode()  # ensure_ascii, like django-ninja's renderer
    start_response(
        status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


# ---------------------------------------------------------------------------------------------
# The driver.
# ---------------------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- A random tracking code per request, from the file given after `--`; stops a thread at its quota.
local codes, prefix, quota, count = {}, "/", 0, 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  for line in io.lines(args[1]) do codes[#codes + 1] = line end
  prefix = args[2]
  quota = tonumber(args[3])
  math.randomseed(os.time() * 1000 + (tid or 0))
end

function request()
  return wrk.format("GET", prefix .. codes[math.random(#codes)])
end

function response(status, headers, body)
  count = count + 1
  if count >= quota then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--licences", type=int, default=300_000, help="licences in the database (default 300000)")
    add("--seconds", type=int, default=20, help="duration of each measured run (default 20)")
    add("--connections", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    add("--warmup", type=int, default=5, help="seconds of load on each server before measuring (default 5)")
    add("--rounds", type=int, default=2, help="measured runs per server, alternating; the best is reported")
    add("--workers", type=int, default=2, help="gunicorn workers for each server (default 2)")
    add("--worker-class", default="gthread", choices=["gthread", "sync"], help="gunicorn worker class")
    add("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    add("--client-threads", type=int, default=1, help="wrk threads (default 1)")
    add("--max-requests", type=int, default=5_000_000, help="cap on the requests of one run (default 5M)")
    add("--hami-app", default="config.wsgi:application", help="WSGI app served as Hami (to try a variant)")
    add("--keep", action="store_true", help="keep both servers running until Enter or EOF (to profile them)")
    args = parser.parse_args()
    for name in ("licences", "seconds", "connections", "rounds", "workers", "threads", "client_threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


# --- the database -----------------------------------------------------------------------------


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"bench_verify.py runs on PostgreSQL only; DATABASE_URL is {url!r}")
    return url


def ensure_database(url: str) -> None:
    """CREATE DATABASE if it does not exist, from the server's maintenance database."""
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


def ensure_licences(url: str, count: int) -> None:
    """Leave exactly `count` licences, each with a current version; refill everything otherwise."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    with psycopg.connect(url) as conn:
        total, with_current = conn.execute(
            "SELECT count(*), count(current_id) FROM licensing_licence"
        ).fetchone()
    if total == count == with_current:
        print(f"database already holds {count:,} licences: reused")
        return
    name = conninfo_to_dict(url)["dbname"]
    if "bench" not in name:
        raise SystemExit(
            f"refusing to empty and refill {name!r} (it holds {total:,} licences, not {count:,}):"
            " give the benchmark a database of its own, with 'bench' in its name"
        )
    print(f"filling the database with {count:,} licences (it held {total:,}) ...", flush=True)
    started = time.perf_counter()
    fill(url, count)
    print(f"  filled in {time.perf_counter() - started:.1f} s")


def fill(url: str, count: int) -> None:
    """Units (N/2, valid national IDs), standards, categories, a product per unit, licences, versions."""
    import psycopg
    from django.utils import timezone

    from hami.core.identifiers import is_valid_legal_id, make_legal_id
    from hami.core.models import County, Role, User
    from hami.licensing.tracking import clean_tracking_code, new_tracking_code
    from hami.standards.models import ProductCategory, Standard

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE licensing_licenceversion, licensing_licence, registry_product, registry_productionunit,"
            " standards_productcategory, standards_standard RESTART IDENTITY CASCADE"
        )
    officer, _ = User.objects.get_or_create(username="bench-officer", defaults={"role": Role.NATIONAL_ADMIN})
    counties: dict[int, int] = {}
    for county in County.objects.order_by("province_id", "id"):
        counties.setdefault(county.province_id, county.id)
    provinces = sorted(counties)  # a unit's province is provinces[unit_id % len(provinces)]
    standards = [
        standard.pk
        for standard in Standard.objects.bulk_create(
            Standard(
                number=20_000 + i,
                year=1400 + i % 4,
                title_fa=f"فرآورده نمونه {i} - ویژگی‌ها و روش‌های آزمون",
                title_en=f"Sample product {i} - Specifications and test methods",
                scheme="5",
            )
            for i in range(200)
        )
    ]
    categories = [
        category.pk
        for category in ProductCategory.objects.bulk_create(
            ProductCategory(code=f"bench-{i}", name_fa=f"گروه کالای {i}", name_en=f"Product group {i}")
            for i in range(20)
        )
    ]
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_tracking_code())
    assert all(clean_tracking_code(code) == code for code in list(codes)[:1000])
    units = max(1, count // 2)
    now = timezone.now()

    def unit_rows():
        for i in range(1, units + 1):
            province = provinces[i % len(provinces)]
            national_id = make_legal_id(f"1{2_000_000 + i:09d}")
            name_fa, name_en = f"صنایع نمونه شماره {i}", f"Sample Industries {i}"
            address, isic = f"شهرک صنعتی، خیابان {i % 50}", f"{1010 + i % 300:04d}"
            search = f"{name_fa} {name_en} {national_id}".lower()
            # fmt: off
            yield (i, now, now, uuid.uuid4(), name_fa, name_en, national_id, province, counties[province],
                   address, isic, "small", "active", False, "", search)
            # fmt: on

    def product_rows():
        for i in range(1, units + 1):
            category = categories[i % len(categories)]
            yield (i, now, now, i, category, f"Product {i}", f"Brand {i % 997}", f"M-{i}")

    def licence_rows():
        for i, code in enumerate(codes, start=1):
            unit = (i - 1) % units + 1
            state = "suspended" if i % 20 == 0 else "revoked" if i % 50 == 1 else "active"
            # fmt: off
            yield (i, now, now, uuid.uuid4(), f"BV-{i:08d}", code, unit, standards[i % len(standards)],
                   provinces[unit % len(provinces)], state, i, expires_on(i))
            # fmt: on

    def version_rows():
        for i in range(1, count + 1):
            unit = (i - 1) % units + 1
            # fmt: off
            yield (i, i, 1, unit, f"Product {unit}", f"Brand {unit % 997}", f"M-{unit}", "5", issued_on(i),
                   expires_on(i), "Granted", now, officer.pk)
            # fmt: on

    def issued_on(i: int) -> dt.date:
        return dt.date(2023, 3, 21) + dt.timedelta(days=i % 900)

    def expires_on(i: int) -> dt.date:
        return issued_on(i) + dt.timedelta(days=3 * 365)

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        # One transaction: the foreign keys (Licence.current <-> LicenceVersion.licence) are deferred.
        copy_rows(
            cur,
            "registry_productionunit (id, created_at, updated_at, public_id, name_fa, name_en, national_id,"
            " province_id, county_id, address, isic, size_class, status, fast_track, fast_track_reason,"
            " search_text)",
            unit_rows(),
        )
        copy_rows(
            cur,
            "registry_product (id, created_at, updated_at, unit_id, category_id, name, brand, model)",
            product_rows(),
        )
        copy_rows(
            cur,
            "licensing_licence (id, created_at, updated_at, public_id, number, tracking_code, unit_id,"
            " standard_id, province_id, state, current_id, expires_on)",
            licence_rows(),
        )
        copy_rows(
            cur,
            "licensing_licenceversion (id, licence_id, number, product_id, product_name, brand, model,"
            " scheme, issued_on, expires_on, reason, created_at, created_by_id)",
            version_rows(),
        )
        for table in (
            "registry_productionunit",
            "registry_product",
            "licensing_licence",
            "licensing_licenceversion",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        national_id = cur.execute("SELECT national_id FROM registry_productionunit LIMIT 1").fetchone()[0]
        assert is_valid_legal_id(national_id), national_id
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def copy_rows(cur, target: str, rows) -> None:
    with cur.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def prewarm(url: str) -> None:
    """Load the tables and indexes the lookup reads into shared buffers, so neither server pays for it."""
    import psycopg

    tables = ["licensing_licence", "licensing_licenceversion", "registry_productionunit",
              "standards_standard", "core_province"]  # fmt: skip
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except psycopg.Error:
            return
        for table in tables:
            conn.execute("SELECT pg_prewarm(%s)", (table,))
            for (index,) in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", (table,)):
                conn.execute("SELECT pg_prewarm(%s)", (index,))


def tracking_codes(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        codes = [row[0] for row in conn.execute("SELECT tracking_code FROM licensing_licence")]
    random.shuffle(codes)
    return codes


def state_labels() -> dict[str, dict[str, str]]:
    from django.utils import translation

    from hami.licensing.models import LicenceState

    labels = {}
    for state in LicenceState:
        labels[state.value] = {}
        for language in ("fa", "en"):
            with translation.override(language):
                labels[state.value][language] = str(state.label)
    return labels


# --- the servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, name: str, app: str, env: dict, args: argparse.Namespace, tmpdir: Path):
        self.name, self.app, self.env = name, app, env
        self.port = free_port()
        self.log = tmpdir / f"{name}.log"
        self.command = [
            sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(args.workers), "--worker-class", args.worker_class,
            "--threads", str(args.threads),
            "--chdir", str(ROOT), "--pythonpath", str(ROOT / "bench"), "--no-control-socket",
            "--log-level", "warning", "--worker-tmp-dir", str(tmpdir),
        ]  # fmt: skip
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, code: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, _ = get(f"{self.base}{PREFIX}{code}")
                if status == 200:
                    return
            except (OSError, ValueError):  # not listening yet, or not a JSON answer
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} server not ready after {timeout} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])
        except OSError:
            return ""

    def cpu_ticks(self) -> int:
        """CPU ticks of the gunicorn master and its workers (one process group)."""
        if self.process is None:
            return 0
        return sum(ticks for _, pgrp, ticks in processes() if pgrp == self.process.pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass


def processes():
    """(comm, process group, CPU ticks) of every process; the ticks include those of its exited children
    (cutime + cstime), so a PostgreSQL backend that ends during a run (CONN_MAX_AGE) is still counted."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        yield comm, int(fields[2]), sum(int(value) for value in fields[11:15])


def postgres_ticks() -> int:
    return sum(ticks for comm, _, ticks in processes() if comm.startswith("postgres"))


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


def machine_busy(seconds: float) -> float:
    """CPU % in use (of 100 x cores) over the next `seconds`."""
    busy_before, total_before = machine_ticks()
    time.sleep(seconds)
    busy_after, total_after = machine_ticks()
    return 100 * (os.cpu_count() or 1) * (busy_after - busy_before) / max(1, total_after - total_before)


def wait_for_quiet(most: float = 120) -> None:
    """Wait (at most `most` seconds) until other processes use under 15% of a core: they would skew a run."""
    deadline = time.monotonic() + most
    while (busy := machine_busy(1.0)) > 15:
        if time.monotonic() > deadline:
            print(f"  (other processes still use {busy:.0f}% of a core: measuring anyway)")
            return


def get(url: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def check_answers(hami: Server, bare: Server, codes: list[str]) -> None:
    """Both answer 200 with the licence asked for, and the same JSON; an unknown code is a 404."""
    for code in codes:
        status_h, body_h = get(f"{hami.base}{PREFIX}{code}")
        status_b, body_b = get(f"{bare.base}{PREFIX}{code}")
        if status_h != 200 or status_b != 200:
            raise SystemExit(f"{code}: Hami answered {status_h}, the bare app {status_b}")
        if body_h.get("tracking_code") != code or body_b.get("tracking_code") != code:
            raise SystemExit(f"{code}: wrong licence returned: {body_h} / {body_b}")
        if body_h != body_b:
            raise SystemExit(f"{code}: the answers differ:\n  Hami: {body_h}\n  bare: {body_b}")
    from hami.licensing.tracking import new_tracking_code

    unknown = new_tracking_code()  # well formed; one in 900,000 / N chance of being taken
    for server in (hami, bare):
        status, _ = get(f"{server.base}{PREFIX}{unknown}")
        if status != 404:
            raise SystemExit(f"{server.name}: the unknown code {unknown} answered {status}, not 404")


# --- the load -----------------------------------------------------------------------------------


def run_wrk(server: Server, seconds: int, args: argparse.Namespace, lua: Path, codes_file: Path) -> dict:
    quota = max(1, args.max_requests // args.client_threads)
    command = [
        "wrk", f"-t{args.client_threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(lua), server.base, "--", str(codes_file), PREFIX, str(quota),
    ]  # fmt: skip
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before, pg_before, (busy_before, total_before) = (
        server.cpu_ticks(),
        postgres_ticks(),
        machine_ticks(),
    )
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    wall = time.perf_counter() - started
    busy_after, total_after = machine_ticks()
    server_after, pg_after = server.cpu_ticks(), postgres_ticks()
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(lines[-1][6:])
    hz = os.sysconf("SC_CLK_TCK")
    cores = os.cpu_count() or 1
    client_cpu = (client_after.ru_utime + client_after.ru_stime) - (
        client_before.ru_utime + client_before.ru_stime
    )
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    result["cpu_client"] = 100 * client_cpu / wall
    result["cpu_server"] = 100 * (server_after - server_before) / hz / wall
    result["cpu_postgres"] = 100 * (pg_after - pg_before) / hz / wall
    result["cpu_machine"] = 100 * cores * (busy_after - busy_before) / max(1, total_after - total_before)
    result["ms_server"] = 1000 * (server_after - server_before) / hz / max(1, result["requests"])
    result["ms_postgres"] = 1000 * (pg_after - pg_before) / hz / max(1, result["requests"])
    result["cpu_other"] = max(0.0, result["cpu_machine"] - result["cpu_client"] - result["cpu_server"]
                              - result["cpu_postgres"])  # fmt: skip
    return result


def describe(name: str, r: dict) -> str:
    return (
        f"  {name:<5} {r['rps']:8,.0f} req/s"
        f"  p50 {r['p50_us'] / 1000:5.1f} ms  p99 {r['p99_us'] / 1000:5.1f} ms"
        f"  {r['requests']:,} requests, {r['errors']} errors\n"
        f"        CPU per request: workers {r['ms_server']:.2f} ms, postgres {r['ms_postgres']:.2f} ms;"
        f" % of a core: client {r['cpu_client']:.0f}, workers {r['cpu_server']:.0f},"
        f" postgres {r['cpu_postgres']:.0f}, other processes {r['cpu_other']:.0f}"
    )


def versions(url: str) -> str:
    from importlib.metadata import version

    import django
    import psycopg

    with psycopg.connect(url) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    return (
        f"PostgreSQL {server}, Django {django.get_version()}, django-ninja {version('django-ninja')},"
        f" gunicorn {version('gunicorn')}, psycopg {psycopg.__version__} ({psycopg.pq.__impl__})"
    )


def stop_on_signal(signum, frame) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def main() -> None:
    args = parse_args()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    url = database_url()
    ensure_database(url)
    setup_django(url)
    ensure_licences(url, args.licences)
    prewarm(url)
    codes = tracking_codes(url)
    common = {key: value for key, value in os.environ.items() if not key.startswith(("HAMI_", "DJANGO_"))}
    hami_env = {
        **common,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HAMI_DEBUG": "0",
        "HAMI_SECRET_KEY": secrets.token_urlsafe(50),
        "HAMI_AUDIT_KEY": secrets.token_urlsafe(50),
        "HAMI_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "HAMI_DB_CONN_MAX_AGE": "60",
        "HAMI_VERIFY_RATE": HUGE_RATE,
    }
    bare_env = {**common, "BENCH_DATABASE_URL": url, "BENCH_STATE_LABELS": json.dumps(state_labels())}
    print(f"machine:  {machine()}")
    print(f"software: {versions(url)}")
    print(
        f"data:     {args.licences:,} licences, {max(1, args.licences // 2):,} units;"
        " each request asks for a random one of them"
    )
    workers = f"{args.workers} {args.worker_class} workers" + (
        f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    )
    print(
        f"servers:  gunicorn, {workers}, 127.0.0.1; Hami: {args.hami_app}, HAMI_DEBUG=0, CONN_MAX_AGE=60,"
        f" HAMI_VERIFY_RATE={HUGE_RATE}, default cache (local memory)"
    )
    print(
        f"client:   wrk, {args.client_threads} thread(s), {args.connections} keep-alive connections,"
        f" {args.warmup} s warm-up then {args.rounds} x {args.seconds} s per server, alternating"
    )
    busy = machine_busy(2.0)
    print(f"idle:     {busy:.0f}% of {100 * (os.cpu_count() or 1)} busy before the servers start", end="")
    print("  WARNING: other work on the machine will lower both figures" if busy > 15 else "")
    with tempfile.TemporaryDirectory(prefix="hami-bench-verify-") as tmp:
        tmpdir = Path(tmp)
        lua = tmpdir / "verify.lua"
        lua.write_text(WRK_SCRIPT)
        codes_file = tmpdir / "codes.txt"
        codes_file.write_text("\n".join(codes) + "\n")
        hami = Server("hami", args.hami_app, hami_env, args, tmpdir)
        bare = Server("bare", "bench_verify:bare_app", bare_env, args, tmpdir)
        try:
            hami.start()
            bare.start()
            hami.wait_ready(codes[0])
            bare.wait_ready(codes[0])
            check_answers(hami, bare, random.sample(codes, min(50, len(codes))))
            print("checked:  both answer 200 with the same JSON for 50 random codes; an unknown code is 404")
            if args.keep:
                print(f"Hami on {hami.base}, bare app on {bare.base}; Enter stops them", flush=True)
                sys.stdin.readline()
                return
            for server in (hami, bare):
                run_wrk(server, args.warmup, args, lua, codes_file)
            results: dict[str, list[dict]] = {"hami": [], "bare": []}
            for round_ in range(1, args.rounds + 1):
                print(f"round {round_}:")
                order = (hami, bare) if round_ % 2 else (bare, hami)
                for server in order:
                    wait_for_quiet()
                    result = run_wrk(server, args.seconds, args, lua, codes_file)
                    results[server.name].append(result)
                    print(describe(server.name, result), flush=True)
        finally:
            hami.stop()
            bare.stop()
    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
    print(f"best of {args.rounds}:")
    for name in ("hami", "bare"):
        print(describe(name, best[name]))
    ratio = best["hami"]["rps"] / best["bare"]["rps"]
    print(f"ratio Hami / bare app: {ratio:.2f} (goal >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
