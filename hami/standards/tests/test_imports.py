"""Importing standards and requirements: XLSX sheets or two CSVs, all rows or none."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from hami.core.audit import verify_chain
from hami.core.models import AuditEvent, EventType
from hami.standards.imports import standards_import
from hami.standards.models import ProductCategory, Requirement, Standard, StandardStatus
from hami.standards.services import standard_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"

STANDARD_HEADER = [
    "number", "year", "title_fa", "title_en", "ics", "scheme", "is_mandatory", "mandatory_from", "status",
    "superseded_by", "categories",
]  # fmt: skip
REQUIREMENT_HEADER = [
    "number", "year", "clause", "title_fa", "title_en", "test_method", "limit_kind", "low", "high", "unit",
    "severity",
]  # fmt: skip


def standard_row(number: int = 1053, year: int = 1402, **values) -> dict[str, str]:
    row = {
        "number": str(number),
        "year": str(year),
        "title_fa": "آب آشامیدنی - ویژگی‌ها",
        "title_en": "Drinking water - Specifications",
        "ics": "13.060.20",
        "scheme": "5",
        "is_mandatory": "yes",
        "mandatory_from": "1402/07/01",
        "status": "current",
        "superseded_by": "",
        "categories": "",
    }
    row.update(values)
    return row


def requirement_row(number: int = 1053, year: int = 1402, clause: str = "5.1", **values) -> dict[str, str]:
    row = {
        "number": str(number),
        "year": str(year),
        "clause": clause,
        "title_fa": "کدورت",
        "title_en": "Turbidity",
        "test_method": "ISO 7027-1",
        "limit_kind": "max",
        "low": "",
        "high": "5",
        "unit": "NTU",
        "severity": "major",
    }
    row.update(values)
    return row


def csv_file(rows: list[dict[str, str]], header: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def workbook(standards: list[dict], requirements: list[dict] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "standards"
    sheet.append(STANDARD_HEADER)
    for row in standards:
        sheet.append([row[column] for column in STANDARD_HEADER])
    if requirements is not None:
        sheet = book.create_sheet("requirements")
        sheet.append(REQUIREMENT_HEADER)
        for row in requirements:
            sheet.append([row[column] for column in REQUIREMENT_HEADER])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(actor, standards: list[dict], requirements: list[dict] | None = None, **kwargs):
    """Import as two CSVs."""
    return standards_import(
        actor=actor,
        file=csv_file(standards, STANDARD_HEADER),
        filename="standards.csv",
        requirements_file=csv_file(requirements, REQUIREMENT_HEADER) if requirements is not None else None,
        requirements_filename="requirements.csv" if requirements is not None else None,
        **kwargs,
    )


def errors_of(result) -> list[tuple[str, int, str]]:
    return [(error.sheet, error.row, error.column) for error in result.errors]


# -- what a good file does -----------------------------------------------------------------------------


def test_a_workbook_adds_its_standards_and_requirements_with_one_audit_event_each(admin_user):
    events_before = AuditEvent.objects.count()
    data = workbook(
        [standard_row(), standard_row(2852, 1400, is_mandatory="no", mandatory_from="", scheme="1b")],
        [
            requirement_row(),
            requirement_row(clause="5.2", limit_kind="range", low="6.5", high="8.5", title_fa="pH"),
            requirement_row(2852, 1400, clause="6.3", limit_kind="pass_fail", high="", severity="critical"),
        ],
    )
    result = standards_import(actor=admin_user, file=data, filename="standards.xlsx")

    assert result.ok, result.errors
    assert result.created == 2 and result.rows == 5  # standards and requirements
    water = Standard.objects.get(number=1053, year=1402)
    assert water.is_mandatory and water.mandatory_from == dt.date(2023, 9, 23) and water.scheme == "5"
    assert water.search_text and "1053" in water.search_text
    assert [(r.clause, r.limit_kind, r.low, r.high) for r in water.requirements.order_by("clause")] == [
        ("5.1", "max", None, Decimal("5")),
        ("5.2", "range", Decimal("6.5"), Decimal("8.5")),
    ]
    milk = Standard.objects.get(number=2852)
    assert milk.scheme == "1b" and not milk.is_mandatory
    assert milk.requirements.get().severity == "critical"
    events = list(AuditEvent.objects.filter(seq__gt=events_before).order_by("seq"))
    assert [event.event_type for event in events] == [
        EventType.STANDARD_CREATED,
        EventType.STANDARD_CREATED,
        EventType.STANDARDS_IMPORTED,
    ]
    assert events[0].object_id == str(water.pk)
    assert events[0].details["import"] == "standards.xlsx"
    assert events[0].details["requirements"] == ["5.1", "5.2"]
    assert list(verify_chain()) == []


def test_a_standards_csv_with_a_requirements_csv_is_imported(admin_user):
    result = run(admin_user, [standard_row()], [requirement_row(), requirement_row(clause="5.2")])
    assert result.ok, result.errors
    assert Requirement.objects.filter(standard__number=1053).count() == 2


def test_a_standards_csv_alone_is_imported(admin_user):
    assert run(admin_user, [standard_row()]).created == 1


def test_mandatory_from_reads_iso_and_jalali_in_any_digit_script(admin_user):
    rows = [
        standard_row(1, mandatory_from="2024-03-21"),
        standard_row(2, mandatory_from="۱۴۰۳/۰۱/۰۲"),
        standard_row(3, mandatory_from="١٤٠٣-٠١-٠٢"),
    ]
    assert run(admin_user, rows).ok
    assert set(Standard.objects.values_list("mandatory_from", flat=True)) == {dt.date(2024, 3, 21)}


def test_persian_digits_arabic_letters_and_excel_numbers_are_normalized(admin_user):
    data = workbook(
        [standard_row(title_fa="شكر سفيد", ics=67.06, scheme=5, is_mandatory=True, number="۶۳۰۲", year=1399)],
        [requirement_row(6302, 1399, high=0.06, title_fa="رطوبت كل")],
    )
    result = standards_import(actor=admin_user, file=data, filename="s.xlsx")
    assert result.ok, result.errors
    sugar = Standard.objects.get()
    assert sugar.number == 6302 and sugar.title_fa == "شکر سفید" and sugar.ics == "67.060"
    assert sugar.requirements.get().title_fa == "رطوبت کل"
    assert sugar.requirements.get().high == Decimal("0.06")


def test_status_scheme_and_limit_kind_accept_persian_words(admin_user):
    rows = [standard_row(status="باطل شده", is_mandatory="خیر", mandatory_from="", scheme="1A")]
    requirements = [requirement_row(limit_kind="حداقل", low="۱٫۵", high="", severity="بحرانی")]
    assert run(admin_user, rows, requirements).ok
    standard = Standard.objects.get()
    assert standard.status == StandardStatus.WITHDRAWN and standard.scheme == "1a"
    requirement = standard.requirements.get()
    assert requirement.limit_kind == "min" and requirement.low == Decimal("1.5")
    assert requirement.severity == "critical"


def test_a_superseded_standard_links_to_its_successor_in_the_file_or_catalogue(admin_user):
    standard_create(actor=admin_user, number=2852, year=1400, title_fa="شیر پاستوریزه")
    rows = [
        standard_row(1053, 1388, status="superseded", superseded_by="1053:1402", is_mandatory="no"),
        standard_row(1053, 1402),
        standard_row(2852, 1390, superseded_by="INSO ۲۸۵۲:۱۴۰۰", status="", is_mandatory="no"),
    ]
    result = run(admin_user, rows)
    assert result.ok, result.errors
    old = Standard.objects.get(number=1053, year=1388)
    assert old.status == StandardStatus.SUPERSEDED and old.superseded_by.year == 1402
    milk = Standard.objects.get(number=2852, year=1390)
    assert milk.status == StandardStatus.SUPERSEDED and milk.superseded_by.year == 1400


def test_categories_are_linked_by_code(admin_user):
    dairy = ProductCategory.objects.create(code="dairy", name_fa="لبنیات")
    water = ProductCategory.objects.create(code="bottled-water", name_fa="آب بسته‌بندی")
    assert run(admin_user, [standard_row(categories="Dairy; bottled-water ;dairy")]).ok
    assert set(Standard.objects.get().categories.all()) == {dairy, water}


def test_a_dry_run_checks_everything_and_writes_nothing(admin_user):
    events = AuditEvent.objects.count()
    result = run(admin_user, [standard_row(), standard_row(2)], [requirement_row()], dry_run=True)
    assert result.ok and result.dry_run and result.created == 2
    assert Standard.objects.count() == 0 and Requirement.objects.count() == 0
    assert AuditEvent.objects.count() == events


# -- a bad file writes nothing -------------------------------------------------------------------------


def test_one_bad_requirement_writes_nothing(admin_user):
    events = AuditEvent.objects.count()
    standards = [standard_row(n) for n in range(1, 20)]
    requirements = [requirement_row(n) for n in range(1, 20)]
    requirements[7]["high"] = "five"
    result = run(admin_user, standards, requirements)
    assert errors_of(result) == [("requirements", 9, "high")]
    assert Standard.objects.count() == 0 and Requirement.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_only_a_national_admin_may_import_and_others_get_one_error(qazvin_officer):
    result = run(qazvin_officer, [standard_row()])
    assert [(e.row, e.column) for e in result.errors] == [(0, "")]
    assert "national administrators" in result.errors[0].message
    assert Standard.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (standard_row(number="ten"), "number", "whole number"),
        (standard_row(number="0"), "number", "not an INSO number"),
        (standard_row(year="02"), "year", "revision year"),
        (standard_row(year=""), "year", "required"),
        (standard_row(title_fa=""), "title_fa", "required"),
        (standard_row(title_fa="ا" * 501), "title_fa", "at most 500"),
        (standard_row(ics="food"), "ics", "ICS"),
        (standard_row(scheme="7"), "scheme", "not one of"),
        (standard_row(status="draft"), "status", "not one of"),
        (standard_row(is_mandatory="perhaps"), "is_mandatory", "yes nor no"),
        (standard_row(mandatory_from=""), "mandatory_from", "needs the date"),
        (standard_row(mandatory_from="21/03/2024"), "mandatory_from", "not a date"),
        (standard_row(mandatory_from="1403/13/40"), "mandatory_from", "not a date"),
        (standard_row(status="superseded", superseded_by=""), "superseded_by", "needs its successor"),
        (standard_row(superseded_by="the new one", status=""), "superseded_by", "number:year"),
        (standard_row(superseded_by="9999:1402", status=""), "superseded_by", "neither in this file"),
        (standard_row(superseded_by="1053:1402", status="current"), "superseded_by", "Only a superseded"),
        (standard_row(categories="unknown-thing"), "categories", "No product category"),
    ],
)
def test_each_kind_of_bad_standard_cell_is_a_row_error(admin_user, row, column, words):
    row["number"] = row["number"] if row["number"] != "1053" else "7"
    result = run(admin_user, [standard_row(1), row])
    assert errors_of(result) == [("standards", 3, column)], result.errors
    assert words in result.errors[0].message
    assert Standard.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "column", "words"),
    [
        ({"limit_kind": "min", "low": "", "high": ""}, "low", "needs a value in low"),
        ({"limit_kind": "min", "low": "1", "high": "2"}, "high", "leave it empty"),
        ({"limit_kind": "max", "low": "1", "high": "2"}, "low", "leave it empty"),
        ({"limit_kind": "max", "low": "", "high": ""}, "high", "needs a value in high"),
        ({"limit_kind": "range", "low": "5", "high": ""}, "high", "needs a value in high"),
        ({"limit_kind": "range", "low": "8.5", "high": "6.5"}, "high", "not above"),
        ({"limit_kind": "range", "low": "5", "high": "5"}, "high", "not above"),
        ({"limit_kind": "equals", "low": "3", "high": "3"}, "high", "leave it empty"),
        ({"limit_kind": "equals", "low": "", "high": ""}, "low", "needs a value in low"),
        ({"limit_kind": "pass_fail", "low": "1", "high": ""}, "low", "leave it empty"),
        ({"limit_kind": "sometimes"}, "limit_kind", "not one of"),
        ({"limit_kind": ""}, "limit_kind", "required"),
        ({"high": "5.12345"}, "high", "4 decimal places"),
        ({"high": "5.10000", "unit": "x" * 33}, "unit", "at most 32"),
        ({"high": "12345678901"}, "high", "too large"),
        ({"high": "5 NTU"}, "high", "not a number"),
        ({"severity": "fatal"}, "severity", "not one of"),
        ({"clause": ""}, "clause", "required"),
        ({"unit": "x" * 33}, "unit", "at most 32"),
        ({"year": "1401"}, "number", "not in the standards of this import"),
    ],
)
def test_each_kind_of_bad_requirement_cell_is_a_row_error(admin_user, values, column, words):
    result = run(admin_user, [standard_row()], [requirement_row(clause="1"), requirement_row(**values)])
    assert errors_of(result) == [("requirements", 3, column)], result.errors
    assert words in result.errors[0].message
    assert Standard.objects.count() == 0


def test_a_standard_twice_in_the_file_is_a_duplicate_on_the_later_row(admin_user):
    result = run(admin_user, [standard_row(), standard_row(2), standard_row(number="۱۰۵۳")])
    assert errors_of(result) == [("standards", 4, "number")]
    assert "also on row 2" in result.errors[0].message


def test_a_standard_already_in_the_catalogue_is_a_duplicate(admin_user):
    standard_create(actor=admin_user, number=1053, year=1402, title_fa="آب")
    result = run(admin_user, [standard_row(1053, 1388, is_mandatory="no"), standard_row()])
    assert errors_of(result) == [("standards", 3, "number")]
    assert "already in the catalogue" in result.errors[0].message
    assert Standard.objects.count() == 1


def test_requirements_of_a_catalogued_standard_are_refused(admin_user):
    standard_create(actor=admin_user, number=2852, year=1400, title_fa="شیر")
    result = run(admin_user, [standard_row()], [requirement_row(2852, 1400)])
    assert errors_of(result) == [("requirements", 2, "number")]
    assert "already in the catalogue" in result.errors[0].message


def test_a_clause_twice_for_one_standard_is_a_duplicate(admin_user):
    result = run(admin_user, [standard_row()], [requirement_row(), requirement_row(1053, 1402, "5.1")])
    assert errors_of(result) == [("requirements", 3, "clause")]


def test_every_bad_row_of_both_sheets_is_reported_standards_first(admin_user):
    data = workbook(
        [standard_row(scheme="9"), standard_row(2, year="x")],
        [requirement_row(high="-"), requirement_row(clause="2", severity="?")],
    )
    result = standards_import(actor=admin_user, file=data, filename="s.xlsx")
    assert errors_of(result) == [
        ("standards", 2, "scheme"),
        ("standards", 3, "year"),
        ("requirements", 2, "high"),
        ("requirements", 3, "severity"),
    ]
    assert result.errors[2].describe().startswith("requirements, row 2, column high: ")


def test_a_missing_column_of_either_table_is_reported(admin_user):
    result = standards_import(
        actor=admin_user,
        file=b"number,year\n1,1402\n",
        filename="standards.csv",
        requirements_file=b"number,year,clause,title_fa\n1,1402,1,x\n",
        requirements_filename="requirements.csv",
    )
    assert errors_of(result) == [("standards", 1, "title_fa"), ("requirements", 1, "limit_kind")]


def test_a_workbook_with_a_requirements_sheet_and_a_requirements_file_is_refused(admin_user):
    result = standards_import(
        actor=admin_user,
        file=workbook([standard_row()], [requirement_row()]),
        filename="s.xlsx",
        requirements_file=csv_file([requirement_row()], REQUIREMENT_HEADER),
        requirements_filename="r.csv",
    )
    assert len(result.errors) == 1 and "given too" in result.errors[0].message


def test_a_workbook_without_a_standards_sheet_reads_its_first_sheet_but_never_the_requirements(admin_user):
    book = openpyxl.load_workbook(io.BytesIO(workbook([standard_row()], [requirement_row()])))
    book["standards"].title = "Sheet1"
    buffer = io.BytesIO()
    book.save(buffer)
    assert standards_import(actor=admin_user, file=buffer.getvalue(), filename="s.xlsx").created == 1
    del book["Sheet1"]
    buffer = io.BytesIO()
    book.save(buffer)
    result = standards_import(actor=admin_user, file=buffer.getvalue(), filename="s.xlsx")
    assert [(e.sheet, e.row) for e in result.errors] == [("standards", 0)]
    assert "no sheet named standards" in result.errors[0].message


def test_a_requirements_file_not_in_utf8_is_refused_naming_it(admin_user):
    data = csv_file([requirement_row(title_fa="كدورت")], REQUIREMENT_HEADER).decode().encode("cp1256")
    result = standards_import(
        actor=admin_user,
        file=csv_file([standard_row()], STANDARD_HEADER),
        filename="s.csv",
        requirements_file=data,
        requirements_filename="r.csv",
    )
    assert [(e.sheet, e.row) for e in result.errors] == [("requirements", 2)]
    assert "UTF-8" in result.errors[0].message


@pytest.mark.parametrize(
    "data",
    [b"", bytes(range(256)) * 50, b"PK\x03\x04junk", b"number,year,title_fa\n"],
    ids=["empty", "garbage", "zip", "no-rows"],
)
def test_a_garbage_or_empty_file_gives_errors_not_an_exception(admin_user, data):
    result = standards_import(actor=admin_user, file=data, filename="standards.xlsx")
    assert result.errors and Standard.objects.count() == 0


# -- the command and the samples -----------------------------------------------------------------------


def test_import_standards_command_reads_a_standards_and_a_requirements_csv(admin_user, tmp_path):
    (tmp_path / "s.csv").write_bytes(csv_file([standard_row()], STANDARD_HEADER))
    (tmp_path / "r.csv").write_bytes(csv_file([requirement_row()], REQUIREMENT_HEADER))
    out = io.StringIO()
    call_command(
        "import_standards", str(tmp_path / "s.csv"), "--requirements", str(tmp_path / "r.csv"),
        "--as", admin_user.username, stdout=out,
    )  # fmt: skip
    assert "Imported 1 standard from 2 rows" in out.getvalue() and "validating 2 rows…" in out.getvalue()
    assert Requirement.objects.count() == 1


def test_import_standards_command_prints_every_error_and_fails(admin_user, qazvin_officer, tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(csv_file([standard_row(scheme="9"), standard_row(2, year="x")], STANDARD_HEADER))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command(
            "import_standards", str(path), "--as", admin_user.username, stdout=io.StringIO(), stderr=err
        )
    assert err.getvalue().splitlines()[0].startswith("standards, row 2, column scheme: ")
    with pytest.raises(CommandError, match="1 problem found"):
        call_command("import_standards", str(path), "--as", qazvin_officer.username, stderr=io.StringIO())
    assert Standard.objects.count() == 0


def test_the_sample_standards_workbook_imports_cleanly(admin_user):
    path = SAMPLES / "standards.xlsx"
    result = standards_import(actor=admin_user, file=path.read_bytes(), filename=path.name)
    assert result.ok, [error.describe() for error in result.errors]
    assert result.created == Standard.objects.count() >= 4
    assert Requirement.objects.count() >= 6
    assert Standard.objects.filter(status=StandardStatus.SUPERSEDED, superseded_by__isnull=False).exists()


def test_the_sample_standards_and_requirements_csvs_import_cleanly(admin_user):
    result = standards_import(
        actor=admin_user,
        file=(SAMPLES / "standards.csv").read_bytes(),
        filename="standards.csv",
        requirements_file=(SAMPLES / "requirements.csv").read_bytes(),
        requirements_filename="requirements.csv",
    )
    assert result.ok, [error.describe() for error in result.errors]
    with (SAMPLES / "requirements.csv").open(encoding="utf-8-sig") as file:
        assert Requirement.objects.count() == len(list(csv.DictReader(file)))


def test_standards_superseding_each_other_in_a_circle_are_refused(admin_user):
    rows = [
        standard_row(900003, 1402, status="superseded", superseded_by="900004:1402", is_mandatory="no"),
        standard_row(900004, 1402, status="superseded", superseded_by="900003:1402", is_mandatory="no"),
    ]
    result = run(admin_user, rows)
    assert ("standards", 2, "superseded_by") in errors_of(result)
    assert not Standard.objects.exists()


def test_a_title_of_only_invisible_characters_is_refused(admin_user):
    result = run(admin_user, [standard_row(title_fa="\u200e\u200f")])
    assert ("standards", 2, "title_fa") in errors_of(result)
    assert not Standard.objects.exists()


def test_a_date_beyond_any_plausible_year_is_refused(admin_user):
    result = run(admin_user, [standard_row(mandatory_from="9999-06-01")])
    assert ("standards", 2, "mandatory_from") in errors_of(result)
