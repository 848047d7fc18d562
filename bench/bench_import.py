"""Benchmark: import N production units (20,000 by default) and compare with a plain bulk insert.

    HAMI_DEBUG=1 .venv/bin/python bench/bench_import.py [--rows 20000] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hami_bench \
        HAMI_DEBUG=1 .venv/bin/python bench/bench_import.py

Without DATABASE_URL it uses a fresh SQLite file in a temporary directory; with one, it creates a
dedicated test database next to it (Django's `test_<name>`), migrates it and drops it at the end,
so the database named in the URL is never written to. It generates N valid rows across every
province and county (names given as codes, Persian and English), writes them as CSV UTF-8 in
memory, then per repetition:

1. times `units_import` (read, check, bulk insert, one audit event per unit), as the office page
   and `manage.py import_units` run it;
2. deletes the units and times a plain `ProductionUnit.objects.bulk_create` of the same rows
   (instances built from already-resolved values, in one transaction): the floor any import pays.

It prints rows/second of both, the best of the repetitions, and the ratio. See bench/README.md.
Not a test: the suite collects only test_*.py files under hami/.
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

from machine import machine  # bench/machine.py: the scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="units to import (default 20000)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; the best is reported (default 3)")
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


def generate_rows(count: int) -> tuple[bytes, list[dict]]:
    """N valid rows as CSV UTF-8 bytes, and the same rows resolved to model values for the baseline."""
    from hami.core.identifiers import is_valid_legal_id, make_legal_id
    from hami.core.models import County

    counties = list(County.objects.select_related("province").order_by("province__code", "code"))
    header = ["national_id", "name_fa", "name_en", "province", "county", "address", "isic", "size_class",
              "status", "latitude", "longitude"]  # fmt: skip
    sizes = ["micro", "small", "medium", "large"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    resolved = []
    for i in range(count):
        county = counties[i % len(counties)]
        province = county.province
        national_id = make_legal_id(f"1{i + 1_000_000:09d}")
        assert is_valid_legal_id(national_id), national_id
        # Vary how the province and county are written, as real files do.
        province_text = (province.code, province.name_fa, province.name_en)[i % 3]
        county_text = (county.name_fa, county.code, county.name_en)[i % 3]
        latitude = f"{25.5 + (i % 1400) / 100:.4f}"
        longitude = f"{44.5 + (i % 1800) / 100:.4f}"
        row = {
            "national_id": national_id,
            "name_fa": f"صنایع تولیدی نمونه شماره {i}",
            "name_en": f"Sample Manufacturing {i}",
            "address": f"{county.name_fa}، شهرک صنعتی، خیابان {i % 50}",
            "isic": f"{1010 + (i % 300):04d}",
            "size_class": sizes[i % 4],
            "status": "active",
            "latitude": latitude,
            "longitude": longitude,
        }
        writer.writerow([row.get(column) or {"province": province_text, "county": county_text}[column]
                         for column in header])  # fmt: skip
        resolved.append({**row, "province_id": province.pk, "county_id": county.pk})
    return buffer.getvalue().encode("utf-8"), resolved


def time_import(actor, data: bytes) -> tuple[float, dict[str, float], int]:
    from hami.registry.imports import units_import

    marks: dict[str, float] = {}
    started = time.perf_counter()
    result = units_import(
        actor=actor,
        file=data,
        filename="bench.csv",
        progress=lambda stage, count: marks.setdefault(stage, time.perf_counter()),
    )
    ended = time.perf_counter()
    if result.errors:
        raise SystemExit("import failed:\n" + "\n".join(error.describe() for error in result.errors[:20]))
    stages = {
        "read": marks["validating"] - started,
        "check": marks["writing"] - marks["validating"],
        "write + audit": ended - marks["writing"],
    }
    return ended - started, stages, result.created


def time_bulk_create(rows: list[dict]) -> float:
    from decimal import Decimal

    from django.db import transaction

    from hami.core.persian import normalize_text
    from hami.registry.models import ProductionUnit
    from hami.registry.services import unit_search_text

    started = time.perf_counter()
    with transaction.atomic():
        units = []
        for row in rows:
            unit = ProductionUnit(
                national_id=row["national_id"],
                name_fa=normalize_text(row["name_fa"]),
                name_en=row["name_en"],
                province_id=row["province_id"],
                county_id=row["county_id"],
                address=normalize_text(row["address"]),
                isic=row["isic"],
                size_class=row["size_class"],
                status=row["status"],
                latitude=Decimal(row["latitude"]),
                longitude=Decimal(row["longitude"]),
            )
            unit.search_text = unit_search_text(unit)
            units.append(unit)
        ProductionUnit.objects.bulk_create(units)
    return time.perf_counter() - started


def delete_units() -> None:
    from hami.registry.models import ProductionUnit

    ProductionUnit.objects.all().delete()


def database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]} (file, WAL)"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


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
    from django.conf import settings

    from hami.core.models import Role, User

    actor = User.objects.create_user(username="bench-admin", role=Role.NATIONAL_ADMIN)
    data, rows = generate_rows(args.rows)
    # An upload is capped (20 MB by default); a benchmark of a national file is not an upload.
    settings.HAMI_IMPORT_MAX_BYTES = max(settings.HAMI_IMPORT_MAX_BYTES, len(data))
    print(f"machine:  {machine()}")
    print(f"database: {database()}, Django {django.get_version()}")
    print(f"rows:     {args.rows:,} ({len(data) / 1024 / 1024:.1f} MB of CSV)")
    import_times, bulk_times, stage_runs = [], [], []
    for repetition in range(1, args.repeat + 1):
        delete_units()
        seconds, stages, created = time_import(actor, data)
        assert created == args.rows
        import_times.append(seconds)
        stage_runs.append(stages)
        delete_units()
        bulk_times.append(time_bulk_create(rows))
        print(
            f"  run {repetition}: import {seconds:6.2f} s "
            f"({', '.join(f'{name} {value:.2f}' for name, value in stages.items())}); "
            f"bulk_create {bulk_times[-1]:6.2f} s"
        )
    best_import, best_bulk = min(import_times), min(bulk_times)
    best = f"best of {args.repeat}"
    print(f"units_import:         {args.rows / best_import:10,.0f} rows/s  ({best_import:.2f} s, {best})")
    print(f"plain bulk_create:    {args.rows / best_bulk:10,.0f} rows/s  ({best_bulk:.2f} s, {best})")
    print(f"ratio import/bulk:    {best_import / best_bulk:10.2f}x the time of a plain bulk insert")


if __name__ == "__main__":
    main()
