"""Reading import files: CSV UTF-8 and XLSX into rows of text, and the errors for everything else."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from hami.core.tabular import (
    RowError,
    TabularError,
    cell_text,
    open_tabular,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    read_table,
)

pytestmark = pytest.mark.usefixtures("in_english")

REQUIRED = ("national_id", "name_fa")
OPTIONAL = ("latitude",)


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, filename: str = "units.csv", **kwargs):
    kwargs.setdefault("required", REQUIRED)
    kwargs.setdefault("optional", OPTIONAL)
    return read_table(data, filename=filename, **kwargs)


def only_error(excinfo) -> RowError:
    assert len(excinfo.value.errors) == 1, excinfo.value.errors
    return excinfo.value.errors[0]


# -- CSV ---------------------------------------------------------------------------------------------


def test_csv_rows_are_dicts_of_stripped_text_with_their_line_numbers():
    table = read("national_id,name_fa\n 10380284790 , صنایع کیمیا \n10100123450,دوم\n".encode())
    assert table.columns == ["national_id", "name_fa"]
    assert [(row.line, row.values) for row in table.rows] == [
        (2, {"national_id": "10380284790", "name_fa": "صنایع کیمیا", "latitude": ""}),
        (3, {"national_id": "10100123450", "name_fa": "دوم", "latitude": ""}),
    ]
    assert table.header_line == 1 and table.errors == []


def test_csv_with_excel_utf8_bom_is_read():
    table = read("\ufeffnational_id,name_fa\n1,الف\n".encode())
    assert table.rows[0]["national_id"] == "1"


def test_header_names_match_case_insensitively_after_strip_with_spaces_as_underscores():
    table = read(b" National ID ,NAME_FA , Latitude\n1,a,35.2\n")
    assert table.rows[0].values == {"national_id": "1", "name_fa": "a", "latitude": "35.2"}


def test_header_aliases_let_a_persian_header_name_a_column():
    table = read(
        "شناسه ملي,نام\n1,الف\n".encode(), aliases={"national_id": ["شناسه ملی"], "name_fa": ["نام"]}
    )
    assert table.rows[0].values["national_id"] == "1"


def test_unknown_columns_are_ignored():
    table = read(b"row,national_id,notes,name_fa\n7,1,whatever,a\n")
    assert table.rows[0].values == {"national_id": "1", "name_fa": "a", "latitude": ""}


def test_csv_in_windows_1256_is_refused_naming_the_line_of_the_first_bad_byte():
    # Windows-1256 has no Persian ی: Persian Windows writes the Arabic ي, as users' files do.
    data = "national_id,name_fa\n1,abc\n2,قزوين\n".encode("cp1256")
    with pytest.raises(TabularError) as excinfo:
        read(data)
    error = only_error(excinfo)
    assert error.row == 3
    assert "not UTF-8" in error.message and "line 3" in error.message and "CSV UTF-8" in error.message


def test_utf16_text_is_refused_as_not_utf8():
    with pytest.raises(TabularError) as excinfo:
        read("national_id,name_fa\n1,a\n".encode("utf-16"))
    assert "not UTF-8" in only_error(excinfo).message


def test_binary_data_is_refused():
    with pytest.raises(TabularError) as excinfo:
        read(b"national_id,name_fa\n\x00\x00\x01\x02")
    assert "binary" in only_error(excinfo).message


def test_random_garbage_bytes_give_an_error_not_an_exception():
    garbage = bytes(range(256)) * 40
    with pytest.raises(TabularError):
        read(garbage, filename="garbage.bin")


@pytest.mark.parametrize("data", [b"", b"   \n\n  ", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(data):
    with pytest.raises(TabularError) as excinfo:
        read(data)
    assert "empty" in only_error(excinfo).message


def test_header_without_rows_gives_an_empty_table():
    assert read(b"national_id,name_fa\n").rows == []


def test_every_missing_column_is_reported_on_the_header_line():
    with pytest.raises(TabularError) as excinfo:
        read(b"latitude,whatever\n1,2\n", required=("national_id", "name_fa"))
    assert [(e.row, e.column, e.message) for e in excinfo.value.errors] == [
        (1, "national_id", "Column national_id is missing."),
        (1, "name_fa", "Column name_fa is missing."),
    ]


def test_a_column_given_twice_is_refused():
    with pytest.raises(TabularError) as excinfo:
        read(b"national_id,name_fa,National ID\n1,a,2\n")
    assert only_error(excinfo).column == "national_id"
    assert "twice" in only_error(excinfo).message


def test_a_row_with_more_cells_than_the_header_is_a_row_error():
    table = read(b"national_id,name_fa\n1,a\n2,Qazvin, Imam street\n3,c\n")
    assert [row.line for row in table.rows] == [2, 4]
    assert [(e.row, e.column) for e in table.errors] == [(3, "")]
    assert "quotes" in table.errors[0].message


def test_short_rows_and_trailing_empty_cells_are_fine():
    table = read(b"national_id,name_fa,latitude\n1\n2,b,,,\n")
    assert [row.values for row in table.rows] == [
        {"national_id": "1", "name_fa": "", "latitude": ""},
        {"national_id": "2", "name_fa": "b", "latitude": ""},
    ]


def test_blank_lines_are_skipped_and_line_numbers_stay_physical():
    table = read(b"national_id,name_fa\n\n1,a\n,\n2,b\n")
    assert [row.line for row in table.rows] == [3, 5]


def test_a_quoted_cell_over_two_lines_keeps_the_next_rows_line_numbers_right():
    table = read(b'national_id,name_fa\n1,"first\nline two"\n2,b\n')
    assert [(row.line, row["name_fa"]) for row in table.rows] == [(2, "first\nline two"), (4, "b")]


def test_semicolon_and_tab_delimited_files_are_read():
    assert read(b"national_id;name_fa\n1;a\n").rows[0]["name_fa"] == "a"
    assert read(b"national_id\tname_fa\n1\ta\n").rows[0]["name_fa"] == "a"


def test_a_cell_larger_than_the_csv_limit_is_an_error_not_a_crash():
    data = b"national_id,name_fa\n1," + b"x" * 200_000 + b"\n"
    with pytest.raises(TabularError) as excinfo:
        read(data)
    assert only_error(excinfo).row == 2


def test_a_file_larger_than_the_limit_is_refused():
    with pytest.raises(TabularError) as excinfo:
        read(b"national_id,name_fa\n" + b"1,a\n" * 1000, max_bytes=1024)
    assert "larger than" in only_error(excinfo).message


def test_a_binary_file_object_is_read_from_its_start():
    stream = io.BytesIO(b"national_id,name_fa\n1,a\n")
    stream.read()  # as a form's validation may have done
    assert read_table(stream, filename="u.csv", required=REQUIRED).rows[0]["name_fa"] == "a"


@pytest.mark.parametrize("filename", ["units.pdf", "units.docx", "units.ods"])
def test_files_of_other_kinds_are_refused_by_name(filename):
    with pytest.raises(TabularError) as excinfo:
        read(b"national_id,name_fa\n1,a\n", filename=filename)
    assert "CSV UTF-8 and Excel" in only_error(excinfo).message


# -- XLSX --------------------------------------------------------------------------------------------


def test_xlsx_numbers_lose_their_point_zero_and_dates_become_iso():
    data = xlsx_bytes(
        {
            "units": [
                ["National_ID", "name_fa", "latitude", "when"],
                [10380284790, "صنایع", 36.2688, dt.datetime(2024, 3, 21)],
                [10380284790.0, True, 35, None],
            ]
        }
    )
    table = read(data, filename="units.xlsx", optional=("latitude", "when"))
    assert [row.values for row in table.rows] == [
        {"national_id": "10380284790", "name_fa": "صنایع", "latitude": "36.2688", "when": "2024-03-21"},
        {"national_id": "10380284790", "name_fa": "true", "latitude": "35", "when": ""},
    ]
    assert [row.line for row in table.rows] == [2, 3]


def test_xlsx_reads_the_first_sheet_unless_a_sheet_is_named():
    data = xlsx_bytes(
        {"one": [["national_id", "name_fa"], [1, "a"]], "Two": [["national_id", "name_fa"], [2, "b"]]}
    )
    assert read(data, filename="x.xlsx").rows[0]["national_id"] == "1"
    table = read(data, filename="x.xlsx", sheet="two")
    assert table.rows[0]["national_id"] == "2" and table.sheet == "Two"


def test_xlsx_without_the_named_sheet_is_refused_listing_its_sheets():
    data = xlsx_bytes({"one": [["national_id", "name_fa"]]})
    with pytest.raises(TabularError) as excinfo:
        read(data, filename="x.xlsx", sheet="standards")
    assert "standards" in only_error(excinfo).message and "one" in only_error(excinfo).message


def test_xlsx_skips_leading_empty_rows_to_find_its_header():
    data = xlsx_bytes({"s": [[None], ["national_id", "name_fa"], [None, None], [1, "a"]]})
    table = read(data, filename="x.xlsx")
    assert table.header_line == 2
    assert [(row.line, row["national_id"]) for row in table.rows] == [(4, "1")]


def test_xlsx_sheet_without_rows_is_empty():
    with pytest.raises(TabularError) as excinfo:
        read(xlsx_bytes({"s": []}), filename="x.xlsx")
    assert "empty" in only_error(excinfo).message


def test_a_csv_named_xlsx_is_refused():
    with pytest.raises(TabularError) as excinfo:
        read(b"national_id,name_fa\n1,a\n", filename="units.xlsx")
    assert "not an Excel workbook" in only_error(excinfo).message


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(TabularError) as excinfo:
        read(buffer.getvalue(), filename="units.xlsx")
    assert "CSV UTF-8 and Excel" in only_error(excinfo).message


def test_a_truncated_workbook_is_refused():
    data = xlsx_bytes({"s": [["national_id", "name_fa"], [1, "a"]]})
    with pytest.raises(TabularError) as excinfo:
        read(data[: len(data) // 2], filename="units.xlsx")
    assert "Excel workbook" in only_error(excinfo).message


def test_an_old_xls_file_is_refused_with_advice():
    with pytest.raises(TabularError) as excinfo:
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, filename="units.xls")
    assert ".xlsx" in only_error(excinfo).message


def test_open_tabular_tells_csv_from_xlsx_by_content():
    data = xlsx_bytes({"standards": [["a"]], "requirements": [["b"]]})
    with open_tabular(data, filename="no-extension") as source:
        assert source.kind == "xlsx"
        assert source.find_sheet("REQUIREMENTS") == "requirements"
        assert source.find_sheet("missing") is None
    with open_tabular(b"a,b\n", filename="data.txt") as source:
        assert source.kind == "csv" and source.sheet_names == []


# -- cells -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (10380284790.0, "10380284790"),
        (12, "12"),
        (0.1 + 0.2, "0.3"),
        (36.268812, "36.268812"),
        (1e-7, "0.0000001"),
        (False, "false"),
        (dt.datetime(2024, 3, 21, 10, 30), "2024-03-21 10:30:00"),
        (dt.date(2024, 3, 21), "2024-03-21"),
        ("  text  ", "text"),
    ],
)
def test_cell_text_writes_a_cell_as_a_person_typed_it(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("35.25", "35.25"),
        ("۳۵٫۲۵", "35.25"),
        ("٣٥.٢٥", "35.25"),
        ("35/25", "35.25"),
        ("-4", "-4"),
        (".5", ".5"),
    ],
)
def test_parse_decimal_accepts_every_digit_script_and_the_persian_decimal_point(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["abc", "1,5", "1.2.3", "1e5", "NaN", "", "9" * 100])
def test_parse_decimal_refuses_what_is_not_a_plain_number(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal(text)


def test_parse_int_reads_persian_digits_and_number_cells_and_refuses_the_rest():
    assert parse_int("۱۰۵۳") == 1053
    assert parse_int("1053.0") == 1053
    for bad in ("10.5", "-3", "x", "9" * 5000):
        with pytest.raises(ValueError, match="whole number"):
            parse_int(bad)


def test_parse_bool_understands_english_persian_and_excel():
    assert [parse_bool(t) for t in ("yes", "TRUE", "1", "x", "بله", "", "no", "خیر", "false")] == [
        True, True, True, True, True, False, False, False, False,
    ]  # fmt: skip
    with pytest.raises(ValueError):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-03-21", dt.date(2024, 3, 21)),
        ("2024-03-21 00:00:00", dt.date(2024, 3, 21)),
        ("1403/01/02", dt.date(2024, 3, 21)),
        ("۱۴۰۳/۰۱/۰۲", dt.date(2024, 3, 21)),
        ("١٤٠٣-١-٢", dt.date(2024, 3, 21)),
    ],
)
def test_parse_date_reads_iso_and_jalali_in_any_digit_script(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["21/03/2024", "1403/13/01", "2024-02-30", "soon", "1403/01", "0999-01-01"])
def test_parse_date_refuses_ambiguous_and_impossible_dates(text):
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


def test_row_error_describes_itself_with_row_column_and_sheet():
    assert RowError(4, "county", "Unknown.").describe() == "row 4, column county: Unknown."
    assert RowError(4, "", "Too many cells.").describe() == "row 4: Too many cells."
    assert RowError(0, "", "Empty.", sheet="requirements").describe() == "requirements, Empty."


def test_a_cell_past_the_csv_field_limit_is_reported_in_the_users_words():
    header = ",".join(REQUIRED + OPTIONAL[:0])
    data = (header + "\n" + '"' + "x" * 140_000 + '"' + "," * (len(REQUIRED) - 1) + "\n").encode()
    with pytest.raises(TabularError) as excinfo:
        read(data)
    error = only_error(excinfo)
    assert error.row == 2 and "131,072" in error.message and "field limit" not in error.message
