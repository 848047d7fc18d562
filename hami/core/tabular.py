"""Read an uploaded table (CSV UTF-8 or XLSX) into rows of text, for the importers.

Every importer (units, standards) reads its file through here, so that they all accept the same
files and say the same things about bad ones:

- CSV must be UTF-8 (a BOM, as Excel's "CSV UTF-8" writes, is fine); the delimiter is the one of
  `,` `;` or tab that the header uses most. Anything else is refused with the line of the first
  byte that is not UTF-8, because a CSV saved as "CSV (Windows-1256)" turns every Persian name into
  mojibake that no later check could notice.
- XLSX is read with openpyxl in read-only, values-only mode (formulas give their cached values);
  numbers become text without a trailing ".0" (an 11-digit identifier typed into Excel is a
  number), dates become ISO dates.
- The header is the first non-empty row; its names are matched case-insensitively after stripping,
  with spaces and dashes read as underscores, and through per-column aliases (Persian headers).
- Line numbers are what the user sees: the physical line where a CSV record starts, the row
  number of an XLSX sheet; the header is line 1 when it is the first line.

Problems with the file as a whole (not UTF-8, not a table, empty, a missing column) raise
TabularError; problems of one row (more cells than the header) are collected in Table.errors.
Pure Python and openpyxl: no Django model import.
"""

import contextlib
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hami.core.persian import normalize_text

# The ZIP signature every XLSX starts with, and the OLE2 signature of the old binary .xls.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An XLSX whose parts inflate past this is refused before openpyxl parses it (a "zip bomb").
MAX_XLSX_UNCOMPRESSED = 400 * 1024 * 1024
_DELIMITERS = (",", ";", "\t")
_HEADER_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class RowError:
    """One thing wrong with an import file: where (row, column, sheet) and why (a translated message).

    `row` is the line or sheet row the user sees (0 for the file as a whole); `column` is the
    column's name as documented ("" when the problem is not one cell); `sheet` names the sheet or
    file when an import reads more than one.
    """

    row: int
    column: str
    message: str
    sheet: str = ""

    def describe(self) -> str:
        """The error as one line for people: "row 4, column county: …"."""
        if self.row and self.column:
            text = _("row {row}, column {column}: {message}").format(
                row=self.row, column=self.column, message=self.message
            )
        elif self.row:
            text = _("row {row}: {message}").format(row=self.row, message=self.message)
        elif self.column:
            text = _("column {column}: {message}").format(column=self.column, message=self.message)
        else:
            text = self.message
        if self.sheet:
            return _("{sheet}, {error}").format(sheet=self.sheet, error=text)
        return text

    def __str__(self) -> str:
        return self.describe()


@dataclass
class ImportResult:
    """What an import did: `created` objects, or nothing and every `errors` entry.

    `rows` counts the data rows read (of every table: standards and requirements), `valid` the
    objects that passed every check; on a dry run nothing is written and `created` says how many
    objects would have been.
    """

    rows: int = 0
    created: int = 0
    valid: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_sheets(self) -> bool:
        """Whether the errors name their table (standards and requirements), so a page shows the column."""
        return any(error.sheet for error in self.errors)


class TabularError(Exception):
    """The file cannot be read as a table at all; `errors` says why (usually one entry)."""

    def __init__(self, errors: RowError | list[RowError]):
        self.errors = [errors] if isinstance(errors, RowError) else list(errors)
        super().__init__("; ".join(error.message for error in self.errors))


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its line number and its cells by column name (stripped text, "" when empty)."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default)


@dataclass
class Table:
    """The rows of one CSV file or XLSX sheet, keyed by the importer's column names."""

    columns: list[str]  # the known columns present in the header, in the importer's spelling
    rows: list[Row]
    header_line: int = 1
    sheet: str = ""  # the sheet (XLSX) it was read from
    errors: list[RowError] = field(default_factory=list)  # rows that are malformed as rows


def header_key(name: str) -> str:
    """How header names are compared: normalized, lower case, spaces and dashes as underscores."""
    return _HEADER_SEPARATORS.sub("_", normalize_text(name).lower()).strip("_")


def cell_text(value: Any) -> str:
    """An XLSX cell value as the text a person typed: 10380284790.0 → "10380284790", dates → ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):  # NaN, ±inf
            return str(value)
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        # 15 significant digits is what Excel keeps; it also drops float noise like 0.30000000000000004.
        return format(Decimal(format(value, ".15g")).normalize(), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


class TabularSource:
    """An opened import file: CSV text or an XLSX workbook, from which tables are read."""

    def __init__(self, *, kind: str, filename: str, text: str = "", workbook=None):
        self.kind = kind  # "csv" or "xlsx"
        self.filename = filename
        self._text = text
        self._workbook = workbook

    # -- context manager, so a read-only workbook's archive is always closed ------------------------
    def __enter__(self) -> "TabularSource":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None

    @property
    def sheet_names(self) -> list[str]:
        return list(self._workbook.sheetnames) if self._workbook is not None else []

    def find_sheet(self, name: str) -> str | None:
        """The workbook's sheet called `name` (compared like headers), or None."""
        wanted = header_key(name)
        return next((sheet for sheet in self.sheet_names if header_key(sheet) == wanted), None)

    def read(
        self,
        *,
        required: Iterable[str],
        optional: Iterable[str] = (),
        aliases: Mapping[str, Iterable[str]] | None = None,
        sheet: str | None = None,
        label: str | None = None,
    ) -> Table:
        """The table of the CSV, or of the XLSX's `sheet` (its first sheet when None).

        `label` names the table in its errors (default: the sheet's name; nothing for a CSV).
        Raises TabularError when the table is empty, a required column is missing or a column
        appears twice.
        """
        required, optional = list(required), list(optional)
        if self.kind == "csv":
            sheet_name, lines = "", _csv_records(self._text)
        else:
            sheet_name, lines = self._sheet_records(sheet, label)
        table = _build_table(
            lines,
            required=required,
            optional=optional,
            aliases=aliases or {},
            label=sheet_name if label is None else label,
        )
        table.sheet = sheet_name
        return table

    def _sheet_records(
        self, sheet: str | None, label: str | None
    ) -> tuple[str, Iterator[tuple[int, list[str]]]]:
        names = self.sheet_names
        if not names:
            raise TabularError(RowError(0, "", _("The workbook has no sheets."), sheet=label or ""))
        if sheet is None:
            name = names[0]
        else:
            name = self.find_sheet(sheet)
            if name is None:
                raise TabularError(
                    RowError(
                        0,
                        "",
                        _("The workbook has no sheet named {sheet} (it has: {sheets}).").format(
                            sheet=sheet, sheets=", ".join(names)
                        ),
                        sheet=label or "",
                    )
                )
        worksheet = self._workbook[name]
        if not hasattr(worksheet, "iter_rows"):  # a chart sheet
            raise TabularError(
                RowError(0, "", _("The sheet {sheet} holds no cells.").format(sheet=name), sheet=label or "")
            )
        # A file may claim a dimension of A1:XFD1048576; forget it so rows are not padded to it.
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()
        return name, _xlsx_records(worksheet, name, label or "")


def open_tabular(
    file: bytes | IO[bytes], *, filename: str = "", max_bytes: int | None = None
) -> TabularSource:
    """Open CSV or XLSX bytes (or a binary file object). Raises TabularError when it is neither.

    The kind is decided by the content (an XLSX is a ZIP archive), so a CSV named .txt or an
    XLSX uploaded without extension are both read.
    """
    data = _read_bytes(file, max_bytes=max_bytes)
    lower = (filename or "").lower()
    if not data.strip():
        raise TabularError(RowError(0, "", _("The file is empty.")))
    if data.startswith(_OLE2_MAGIC) or lower.endswith(".xls"):
        raise TabularError(
            RowError(
                0,
                "",
                _(
                    "Old Excel files (.xls) are not read; "
                    "save the file as Excel Workbook (.xlsx) or CSV UTF-8."
                ),
            )
        )
    if data.startswith(_ZIP_MAGIC):
        return TabularSource(kind="xlsx", filename=filename, workbook=_open_workbook(data))
    if lower.endswith((".xlsx", ".xlsm")):
        raise TabularError(RowError(0, "", _("The file is named .xlsx but is not an Excel workbook.")))
    if lower.endswith((".ods", ".numbers", ".pdf", ".doc", ".docx", ".zip")):
        raise TabularError(RowError(0, "", _("Only CSV UTF-8 and Excel (.xlsx) files can be imported.")))
    return TabularSource(kind="csv", filename=filename, text=_decode_csv(data))


def read_table(
    file: bytes | IO[bytes],
    *,
    filename: str = "",
    required: Iterable[str],
    optional: Iterable[str] = (),
    aliases: Mapping[str, Iterable[str]] | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> Table:
    """Open a file and read one table from it. Raises TabularError (see open_tabular, TabularSource.read)."""
    with open_tabular(file, filename=filename, max_bytes=max_bytes) as source:
        return source.read(required=required, optional=optional, aliases=aliases, sheet=sheet)


# -- reading bytes -------------------------------------------------------------------------------------


def _read_bytes(file: bytes | IO[bytes], *, max_bytes: int | None) -> bytes:
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            # A form may have read the upload already; a pipe cannot rewind, and then we read what is left.
            with contextlib.suppress(OSError, ValueError):
                file.seek(0)
        data = file.read(max_bytes + 1) if max_bytes else file.read()
        if isinstance(data, str):  # a file opened in text mode: be lenient, it is already text
            data = data.encode("utf-8")
    if max_bytes and len(data) > max_bytes:
        raise TabularError(
            RowError(
                0,
                "",
                _("The file is larger than {limit} MB; split it into smaller files.").format(
                    limit=round(max_bytes / (1024 * 1024), 1)
                ),
            )
        )
    return data


def _decode_csv(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TabularError(
            RowError(
                line,
                "",
                _(
                    "The file is not UTF-8 text (first bad byte on line {line}); save it as 'CSV UTF-8'."
                ).format(line=line),
            )
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise TabularError(
            RowError(
                line,
                "",
                _(
                    "The file holds binary data (line {line}); it is neither CSV UTF-8 nor an Excel workbook."
                ).format(line=line),
            )
        )
    return text


def _open_workbook(data: bytes):
    import openpyxl  # imported here: reading a CSV should not pay for it

    not_xlsx = RowError(0, "", _("The file is not a readable Excel workbook (.xlsx); is it damaged?"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise TabularError(not_xlsx) from exc
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise TabularError(RowError(0, "", _("Only CSV UTF-8 and Excel (.xlsx) files can be imported.")))
    if inflated > MAX_XLSX_UNCOMPRESSED:
        raise TabularError(
            RowError(0, "", _("The workbook is too large to import; split it into smaller files."))
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors on a damaged file
        raise TabularError(not_xlsx) from exc


# -- records: (line number, cells) ---------------------------------------------------------------------


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count) if any(d in first_line for d in _DELIMITERS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    end = 0  # the physical line the previous record ended on
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = end + 1
            if "field larger than field limit" in str(exc):
                message = _("Line {line} has a cell longer than 131,072 characters.").format(line=line)
            else:  # the csv module's other complaints are all about quoting
                message = _("Line {line} cannot be read as CSV; check its quotes.").format(line=line)
            raise TabularError(RowError(line, "", message)) from exc
        start, end = end + 1, reader.line_num
        yield start, [cell.strip() for cell in cells]


def _xlsx_records(worksheet, sheet: str, label: str) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values]
    except TabularError:
        raise
    except Exception as exc:  # a damaged sheet part surfaces only while iterating
        raise TabularError(
            RowError(
                0,
                "",
                _("The sheet {sheet} of the workbook cannot be read; is it damaged?").format(sheet=sheet),
                sheet=label,
            )
        ) from exc


def _build_table(
    records: Iterator[tuple[int, list[str]]],
    *,
    required: list[str],
    optional: list[str],
    aliases: Mapping[str, Iterable[str]],
    label: str,
) -> Table:
    known = required + optional
    lookup: dict[str, str] = {header_key(name): name for name in known}
    for name, names in aliases.items():
        for alias in names:
            lookup.setdefault(header_key(alias), name)

    header_line, header = 0, None
    for line, cells in records:
        if any(cells):
            header_line, header = line, cells
            break
    if header is None:
        raise TabularError(RowError(0, "", _("The file is empty."), sheet=label))

    positions: dict[str, int] = {}
    problems: list[RowError] = []
    for index, raw in enumerate(header):
        name = lookup.get(header_key(raw))
        if name is None:
            continue  # an extra column (notes, a row number) is ignored
        if name in positions:
            problems.append(
                RowError(
                    header_line,
                    name,
                    _("Column {column} appears twice in the header.").format(column=name),
                    sheet=label,
                )
            )
            continue
        positions[name] = index
    for name in required:
        if name not in positions:
            problems.append(
                RowError(header_line, name, _("Column {column} is missing.").format(column=name), sheet=label)
            )
    if problems:
        raise TabularError(problems)

    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    columns = [name for name in known if name in positions]
    absent = [name for name in known if name not in positions]
    rows: list[Row] = []
    errors: list[RowError] = []
    pick: Callable[[list[str]], dict[str, str]] = _picker(positions, absent)
    for line, cells in records:
        if not any(cells):
            continue  # blank lines and empty sheet rows are skipped, not errors
        if len(cells) > width and any(cells[width:]):
            errors.append(
                RowError(
                    line,
                    "",
                    _(
                        "This row has {count} cells but the header has {expected} columns; "
                        "a value with a comma must be in quotes."
                    ).format(count=len(cells), expected=width),
                    sheet=label,
                )
            )
            continue
        rows.append(Row(line, pick(cells)))
    return Table(columns=columns, rows=rows, header_line=header_line, sheet=label, errors=errors)


def _picker(positions: dict[str, int], absent: list[str]) -> Callable[[list[str]], dict[str, str]]:
    items = list(positions.items())
    blanks = dict.fromkeys(absent, "")

    def pick(cells: list[str]) -> dict[str, str]:
        size = len(cells)
        values = {name: (cells[index] if index < size else "") for name, index in items}
        values.update(blanks)
        return values

    return pick


# -- cell parsers shared by the importers; each raises ValueError with a translated message ---------
# normalize_text already turns Persian and Arabic-Indic digits into ASCII ones.

# Persians write the decimal point as "٫" (U+066B) or "/"; "٬" (U+066C) groups thousands.
_DECIMAL_SEPARATORS = str.maketrans({"٫": ".", "/": ".", "٬": None})
_DECIMAL_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_TRUE = {"1", "true", "yes", "y", "x", "بله", "آری", "بلی", "درست", "دارد"}
_FALSE = {"0", "false", "no", "n", "خیر", "نه", "ندارد", "نادرست"}


def excerpt(text: str, limit: int = 40) -> str:
    """A cell's text short enough to quote in an error message."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_decimal(text: str) -> Decimal:
    """ "35.25", "۳۵٫۲۵", "35/25" (a Persian decimal point) → Decimal("35.25"). Raises ValueError."""
    cleaned = normalize_text(text).replace(" ", "").translate(_DECIMAL_SEPARATORS)
    if len(cleaned) > 40 or not _DECIMAL_RE.fullmatch(cleaned):
        raise ValueError(_("{value} is not a number.").format(value=excerpt(text)))
    return Decimal(cleaned)


def parse_int(text: str) -> int:
    """ "1053", "۱۰۵۳", "1053.0" (a number cell) → 1053. Raises ValueError."""
    cleaned = normalize_text(text).replace(" ", "").replace("٬", "")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    # Python refuses to convert very long digit strings; no column of ours needs more than 18 digits.
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 18:
        raise ValueError(_("{value} is not a whole number.").format(value=excerpt(text)))
    return int(cleaned)


def parse_bool(text: str) -> bool:
    """yes/no, true/false, 1/0, x, بله/خیر (empty is no). Raises ValueError."""
    key = normalize_text(text).lower()
    if key in _TRUE:
        return True
    if key in _FALSE or key == "":
        return False
    raise ValueError(_("{value} is neither yes nor no.").format(value=excerpt(text)))


def parse_date(text: str) -> dt.date:
    """ISO "2024-03-21" or Jalali "1403/01/02" (any digit script, "/" "-" or "."). Raises ValueError.

    The year decides the calendar: 1200–1699 is Jalali, 1700 and later Gregorian. A date that
    starts with the day ("21/03/2024") is refused, since day and month could be either way round.
    """
    from hami.core.jalali import parse_jalali  # jdatetime is needed only when a date is read

    cleaned = normalize_text(text)
    cleaned = cleaned.split(" ", 1)[0].split("T", 1)[0]  # an XLSX datetime: keep the date
    parts = re.split(r"[/.\-]", cleaned)
    problem = ValueError(
        _("{value} is not a date; write 2024-03-21 or 1403/01/02.").format(value=excerpt(text))
    )
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in parts):
        raise problem
    year, month, day = (int(part) for part in parts)
    if len(parts[0]) != 4:
        raise problem
    try:
        if 1200 <= year < 1700:
            return parse_jalali(f"{year}/{month}/{day}")
        if 1700 <= year <= 2199:  # a plausible date for a standard or a licence, and within Jalali range
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise problem


def progress_message(stage: str, count: int) -> str:
    """What an import command prints when an importer reports a stage ("reading", "validating", "writing")."""
    if stage == "validating":
        return _("validating {count} rows…").format(count=count)
    if stage == "writing":
        return _("writing {count} rows…").format(count=count)
    return _("reading…")


def raise_for_errors(result: ImportResult, write: Callable[[str], Any]) -> None:
    """For the import commands: write every problem, then stop with CommandError if there was any."""
    from django.core.management.base import CommandError

    for error in result.errors:
        write(error.describe())
    if result.errors:
        count = len(result.errors)
        message = ngettext(
            "{count} problem found; nothing was imported.",
            "{count} problems found; nothing was imported.",
            count,
        ).format(count=count)
        raise CommandError(message)


def export_response(name: str, fmt: str, columns: list[str], rows: Iterable[list]):
    """An HTTP attachment of `rows` under `columns`: CSV (UTF-8 with a BOM, so Excel reads Persian) or
    XLSX (right-to-left sheet). Raises Http404 for another format."""
    from django.http import Http404, HttpResponse
    from django.utils import timezone

    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(name[:31])
        sheet.sheet_view.rightToLeft = True
        sheet.append(columns)
        for row in rows:
            sheet.append(
                [ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell for cell in row]
            )
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        raise Http404(_("Unknown export format."))
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
