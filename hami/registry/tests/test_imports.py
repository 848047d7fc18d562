"""Importing production units from CSV and XLSX: all rows or none, every bad row reported."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hami.core.audit import verify_chain
from hami.core.identifiers import clean_digits, make_legal_id
from hami.core.models import AuditEvent, EventType, Role
from hami.registry.imports import units_import
from hami.registry.models import ProductionUnit, SizeClass, UnitStatus
from hami.registry.services import unit_search_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"

HEADER = [
    "national_id", "name_fa", "name_en", "province", "county", "address", "isic", "size_class", "status",
    "latitude", "longitude",
]  # fmt: skip


def legal_id(n: int) -> str:
    return make_legal_id(f"1086{n:06d}")


def unit_row(n: int = 1, **values) -> dict[str, str]:
    row = {
        "national_id": legal_id(n),
        "name_fa": f"صنایع نمونه {n}",
        "name_en": f"Sample Industries {n}",
        "province": "qazvin",
        "county": "qazvin",
        "address": "قزوین، شهرک صنعتی لیا",
        "isic": "1050",
        "size_class": "small",
        "status": "active",
        "latitude": "36.2688",
        "longitude": "50.0041",
    }
    row.update(values)
    return row


def csv_file(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    header = header or HEADER
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(actor, data: bytes, filename: str = "units.csv", **kwargs):
    return units_import(actor=actor, file=data, filename=filename, **kwargs)


def errors_of(result) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in result.errors]


# -- what a good file does -----------------------------------------------------------------------------


def test_a_valid_csv_registers_every_unit_with_one_audit_event_each(qazvin_officer, qazvin_county):
    events_before = AuditEvent.objects.count()
    result = run(qazvin_officer, csv_file([unit_row(1), unit_row(2, county="takestan", size_class="large")]))

    assert result.ok and result.created == 2 and result.rows == 2
    unit = ProductionUnit.objects.get(national_id=legal_id(2))
    assert unit.province == qazvin_county.province and unit.county.code == "takestan"
    assert unit.size_class == SizeClass.LARGE and unit.status == UnitStatus.ACTIVE
    assert unit.latitude == Decimal("36.268800") and unit.isic == "1050"
    assert unit.search_text == unit_search_text(unit) and legal_id(2) in unit.search_text
    events = list(AuditEvent.objects.filter(seq__gt=events_before).order_by("seq"))
    created = [event for event in events if event.event_type == EventType.UNIT_CREATED]
    assert [event.object_id for event in created] == [
        str(pk) for pk in ProductionUnit.objects.order_by("pk").values_list("pk", flat=True)
    ]
    assert created[0].details == {"national_id": legal_id(1), "import": "units.csv", "row": 2}
    assert created[0].province_id == qazvin_county.province_id and created[0].actor == qazvin_officer
    summary = events[-1]
    assert summary.event_type == EventType.UNIT_IMPORTED and summary.details["count"] == 2
    assert len(events) == 3
    assert list(verify_chain()) == []


def test_a_valid_xlsx_registers_its_units_and_reads_numbers_as_text(qazvin_officer):
    data = xlsx_file(
        [
            ["National_ID", "Name_FA", "Province", "County", "ISIC", "Latitude", "Longitude"],
            [int(legal_id(1)), "کارخانه قند قزوین", "Qazvin", "Buin Zahra", 1072, 35.7671, 50.0567],
            [int(legal_id(2)), "لبنیات آبیک", "قزوین", "آبیک", None, None, None],
        ]
    )
    result = run(qazvin_officer, data, filename="units.xlsx")

    assert result.ok, result.errors
    units = {unit.national_id: unit for unit in ProductionUnit.objects.all()}
    assert units[legal_id(1)].county.code == "buin-zahra" and units[legal_id(1)].isic == "1072"
    assert units[legal_id(1)].longitude == Decimal("50.056700")
    assert units[legal_id(2)].county.code == "abyek" and units[legal_id(2)].latitude is None


def test_persian_and_arabic_digits_and_arabic_letters_are_normalized(qazvin_officer):
    persian = legal_id(1).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    arabic = legal_id(2).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    rows = [
        unit_row(1, national_id=persian, name_fa="شركت كيميا", province="قزوين", county="بويين زهرا",
                 latitude="۳۶٫۲۶۸۸", longitude="۵۰٫۰۰۴۱", isic="۱۰۵۰"),
        unit_row(2, national_id=arabic, name_fa="تاكستان صنعت", province="استان قزوين", county="تاكستان",
                 address="خيابان  ولي‌عصر"),
    ]  # fmt: skip
    result = run(qazvin_officer, csv_file(rows))

    assert result.ok, result.errors
    first = ProductionUnit.objects.get(national_id=legal_id(1))
    assert first.name_fa == "شرکت کیمیا" and first.county.code == "buin-zahra"
    assert first.latitude == Decimal("36.268800") and first.isic == "1050"
    second = ProductionUnit.objects.get(national_id=legal_id(2))
    assert second.name_fa == "تاکستان صنعت" and second.address == "خیابان ولی‌عصر"
    assert second.county.code == "takestan"


@pytest.mark.parametrize(
    ("province", "county"),
    [("qazvin", "buin-zahra"), ("QAZVIN", "Buin-Zahra"), ("Qazvin", "Buin Zahra"), ("قزوین", "بوئین‌زهرا"),
     ("قزوين", "بویین زهرا"), ("استان قزوین", "بوئين زهرا")],
)  # fmt: skip
def test_province_and_county_match_by_code_persian_or_english_name(qazvin_officer, province, county):
    result = run(qazvin_officer, csv_file([unit_row(1, province=province, county=county)]))
    assert result.ok, result.errors
    assert ProductionUnit.objects.get().county.code == "buin-zahra"


def test_size_class_and_status_accept_values_labels_and_persian_words(qazvin_officer):
    rows = [
        unit_row(1, size_class="MICRO", status="Idle"),
        unit_row(2, size_class="متوسط", status="تعطیل"),
        unit_row(3, size_class="بزرگ", status="فعال"),
        unit_row(4, size_class="", status=""),
    ]
    assert run(qazvin_officer, csv_file(rows)).ok
    got = dict(
        (n, (s, t)) for n, s, t in ProductionUnit.objects.values_list("national_id", "size_class", "status")
    )
    assert got == {
        legal_id(1): ("micro", "idle"),
        legal_id(2): ("medium", "closed"),
        legal_id(3): ("large", "active"),
        legal_id(4): ("small", "active"),
    }


def test_optional_columns_may_be_left_out_and_persian_headers_are_understood(qazvin_officer):
    data = f"شناسه ملی,نام,استان,شهرستان\n{legal_id(1)},صنایع البرز,قزوین,البرز\n".encode()
    result = run(qazvin_officer, data)
    assert result.ok, result.errors
    assert ProductionUnit.objects.get().county.code == "alborz"


def test_a_dry_run_checks_everything_and_writes_nothing(qazvin_officer):
    events = AuditEvent.objects.count()
    result = run(qazvin_officer, csv_file([unit_row(1), unit_row(2)]), dry_run=True)
    assert result.ok and result.dry_run and result.created == 2 and result.valid == 2
    assert ProductionUnit.objects.count() == 0 and AuditEvent.objects.count() == events


def test_a_national_admin_imports_units_of_several_provinces(admin_user):
    rows = [unit_row(1), unit_row(2, province="tehran", county="shemiranat")]
    result = run(admin_user, csv_file(rows))
    assert result.ok and result.created == 2
    summary = AuditEvent.objects.order_by("-seq").first()
    assert summary.event_type == EventType.UNIT_IMPORTED and summary.province is None


# -- a bad file writes nothing -------------------------------------------------------------------------


def test_one_bad_row_writes_nothing_and_is_reported(qazvin_officer):
    units, events = ProductionUnit.objects.count(), AuditEvent.objects.count()
    rows = [unit_row(n) for n in range(1, 50)]
    rows[30]["county"] = "Atlantis"
    result = run(qazvin_officer, csv_file(rows))

    assert result.created == 0 and errors_of(result) == [(32, "county")]
    assert ProductionUnit.objects.count() == units and AuditEvent.objects.count() == events


def test_every_bad_row_is_reported_in_row_order(qazvin_officer):
    rows = [
        unit_row(1, latitude="north"),
        unit_row(2),
        unit_row(3, province="Narnia", isic="food"),
        unit_row(4),
    ]
    result = run(qazvin_officer, csv_file(rows))
    assert errors_of(result) == [(2, "latitude"), (4, "isic"), (4, "province")]
    assert all(error.message for error in result.errors)


def bad(**values) -> dict[str, str]:
    return unit_row(1, **values)


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (bad(national_id="1038028479"), "national_id", "11 digits"),
        (bad(national_id="10380284791"), "national_id", "check digit"),
        (bad(national_id="1.03803E+10"), "national_id", "scientific notation"),
        (bad(national_id="شناسه"), "national_id", "11 digits"),
        (bad(national_id=""), "national_id", "required"),
        (bad(name_fa=""), "name_fa", "required"),
        (bad(name_fa="\u200f\u200d"), "name_fa", "required"),
        (bad(name_fa="ا" * 256), "name_fa", "at most 255"),
        (bad(province="Narnia"), "province", "not a province"),
        (bad(province=""), "province", "required"),
        (bad(county="Atlantis"), "county", "not a county"),
        (bad(county="shemiranat"), "county", "in Tehran"),
        (bad(county=""), "county", "required"),
        (bad(latitude="36,2"), "latitude", "not a number"),
        (bad(longitude="east"), "longitude", "not a number"),
        (bad(latitude="50.0041"), "latitude", "outside Iran"),
        (bad(longitude="190"), "longitude", "outside Iran"),
        (bad(longitude=""), "longitude", "both"),
        (bad(isic="food"), "isic", "ISIC"),
        (bad(isic="12345"), "isic", "ISIC"),
        (bad(size_class="huge"), "size_class", "not one of"),
        (bad(status="sleeping"), "status", "not one of"),
    ],
)
def test_each_kind_of_bad_cell_is_a_row_error_naming_column_and_reason(qazvin_officer, row, column, words):
    result = run(qazvin_officer, csv_file([unit_row(2), row]))
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], result.errors
    assert words in result.errors[0].message
    assert ProductionUnit.objects.count() == 0


def test_swapped_coordinates_are_reported_on_both_columns(qazvin_officer):
    result = run(qazvin_officer, csv_file([unit_row(1, latitude="50.0041", longitude="36.2688")]))
    assert errors_of(result) == [(2, "latitude"), (2, "longitude")]
    assert all("swapped" in error.message for error in result.errors)


def test_a_national_id_twice_in_the_file_is_a_duplicate_on_the_later_row(qazvin_officer):
    persian_digits = legal_id(1).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    result = run(
        qazvin_officer, csv_file([unit_row(1), unit_row(2), unit_row(3, national_id=persian_digits)])
    )
    assert errors_of(result) == [(4, "national_id")]
    assert "also on row 2" in result.errors[0].message


def test_a_national_id_already_registered_is_a_duplicate(qazvin_officer, qazvin_unit):
    result = run(qazvin_officer, csv_file([unit_row(1), unit_row(2, national_id=qazvin_unit.national_id)]))
    assert errors_of(result) == [(3, "national_id")]
    assert "already registered" in result.errors[0].message
    assert ProductionUnit.objects.count() == 1


def test_a_row_with_several_problems_reports_each_and_the_duplicate_too(qazvin_officer, qazvin_unit):
    row = unit_row(1, national_id=qazvin_unit.national_id, county="Atlantis", status="?")
    result = run(qazvin_officer, csv_file([row]))
    assert errors_of(result) == [(2, "county"), (2, "national_id"), (2, "status")]


def test_a_missing_column_is_reported_once_on_the_header(qazvin_officer):
    result = run(qazvin_officer, csv_file([unit_row(1)], header=["national_id", "name_fa", "province"]))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (1, "county", "Column county is missing.")
    ]


def test_a_file_not_in_utf8_is_refused(qazvin_officer):
    # As Excel's "CSV" writes on a Persian Windows (which has no code for the Persian ی).
    data = csv_file([unit_row(1, name_fa="شركت قزوين")]).decode().encode("cp1256", errors="replace")
    result = run(qazvin_officer, data)
    assert len(result.errors) == 1 and "UTF-8" in result.errors[0].message
    assert ProductionUnit.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "units.csv"),
        (b"national_id,name_fa,province,county\n", "units.csv"),
        (bytes(range(256)) * 100, "units.csv"),
        (b"PK\x03\x04garbage", "units.xlsx"),
        (b"national_id,name_fa,province,county\n1," + b"x" * 300_000 + b",qazvin,qazvin\n", "units.csv"),
        (b'national_id,name_fa,province,county\n1,"unterminated\n', "units.csv"),
    ],
    ids=["empty", "header-only", "garbage", "broken-zip", "huge-cell", "open-quote"],
)
def test_a_garbage_or_empty_file_gives_errors_not_an_exception(qazvin_officer, data, filename):
    result = run(qazvin_officer, data, filename=filename)
    assert result.errors and result.created == 0
    assert ProductionUnit.objects.count() == 0


# -- who may import ------------------------------------------------------------------------------------


def test_an_office_officer_importing_a_unit_of_another_province_gets_a_row_error(tehran_officer):
    rows = [unit_row(1, province="tehran", county="tehran"), unit_row(2)]
    result = run(tehran_officer, csv_file(rows))
    assert errors_of(result) == [(3, "province")]
    assert "may not register units" in result.errors[0].message
    assert ProductionUnit.objects.count() == 0


@pytest.mark.parametrize("persona", ["qazvin_inspector", "outsider", "unit_rep", "lab_user"])
def test_who_may_not_write_units_gets_one_error_and_nothing_is_read(request, persona):
    user = request.getfixturevalue(persona)
    count = ProductionUnit.objects.count()
    result = run(user, csv_file([unit_row(1)]))
    assert [(e.row, e.column) for e in result.errors] == [(0, "")]
    assert ProductionUnit.objects.count() == count


def test_an_inactive_officer_may_not_import(qazvin_officer):
    qazvin_officer.is_active = False
    qazvin_officer.save()
    assert not run(qazvin_officer, csv_file([unit_row(1)])).ok
    assert qazvin_officer.role == Role.OFFICE_STAFF


# -- scale: no query per row ---------------------------------------------------------------------------


def test_checking_a_thousand_rows_takes_a_fixed_handful_of_queries(qazvin_officer):
    rows = [unit_row(n, county=["qazvin", "takestan", "abyek"][n % 3]) for n in range(1, 1001)]
    with CaptureQueriesContext(connection) as queries:
        result = run(qazvin_officer, csv_file(rows), dry_run=True)
    assert result.ok
    # provinces, counties and two chunks of registered national IDs (plus savepoint bookkeeping)
    assert len(queries) <= 6, [q["sql"][:80] for q in queries.captured_queries]


def test_writing_a_thousand_rows_inserts_in_batches(qazvin_officer):
    rows = [unit_row(n) for n in range(1, 1001)]
    with CaptureQueriesContext(connection) as queries:
        result = run(qazvin_officer, csv_file(rows))
    assert result.created == 1000
    assert len(queries) < 60  # SQLite batches by its variable limit; PostgreSQL inserts in one go
    assert AuditEvent.objects.filter(event_type=EventType.UNIT_CREATED).count() == 1000


# -- the command and the samples -----------------------------------------------------------------------


def test_import_units_command_imports_a_file_and_reports_its_speed(qazvin_officer, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_file([unit_row(1), unit_row(2)]))
    out = io.StringIO()
    call_command("import_units", str(path), "--as", qazvin_officer.username, stdout=out)
    text = out.getvalue()
    assert "reading…" in text and "validating 2 rows…" in text and "writing 2 rows…" in text
    assert "Imported 2 units" in text and "rows/s" in text
    assert ProductionUnit.objects.count() == 2


def test_import_units_command_dry_run_writes_nothing(qazvin_officer, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_file([unit_row(1)]))
    out = io.StringIO()
    call_command("import_units", str(path), "--as", qazvin_officer.username, "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and ProductionUnit.objects.count() == 0


def test_import_units_command_prints_every_error_and_fails(qazvin_officer, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_file([unit_row(1, county="Atlantis"), unit_row(2, latitude="x")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command(
            "import_units", str(path), "--as", qazvin_officer.username, stdout=io.StringIO(), stderr=err
        )
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 2, column county: ") and lines[1].startswith("row 3, column latitude: ")
    assert ProductionUnit.objects.count() == 0


def test_import_units_command_refuses_an_unknown_user_or_a_missing_file(qazvin_officer, tmp_path):
    with pytest.raises(CommandError, match="No user"):
        call_command("import_units", str(tmp_path / "x.csv"), "--as", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_units", str(tmp_path / "missing.csv"), "--as", qazvin_officer.username)


@pytest.mark.parametrize("name", ["units.csv", "units.xlsx"])
def test_the_sample_unit_files_import_cleanly(qazvin_officer, name):
    path = SAMPLES / name
    result = run(qazvin_officer, path.read_bytes(), filename=name)
    assert result.ok, [error.describe() for error in result.errors]
    assert result.created == ProductionUnit.objects.count() >= 5
    assert set(ProductionUnit.objects.values_list("province__code", flat=True)) == {"qazvin"}


def test_the_sample_files_are_the_same_units_in_csv_and_xlsx():
    with (SAMPLES / "units.csv").open(encoding="utf-8-sig") as file:
        from_csv = [clean_digits(row["national_id"]) for row in csv.DictReader(file)]
    workbook = openpyxl.load_workbook(SAMPLES / "units.xlsx", read_only=True)
    from_xlsx = [str(row[0]) for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert from_csv == from_xlsx
