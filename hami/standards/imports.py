"""Import standards and their requirements into the catalogue (docs/import.md): all rows or none.

Formats:

- an XLSX workbook with a sheet "standards" (or, failing that, its first sheet) and an optional
  sheet "requirements";
- or a CSV UTF-8 of standards, with an optional second file (CSV or XLSX) of requirements.

standards: number, year, title_fa (required); title_en, ics, scheme, is_mandatory, mandatory_from,
status, superseded_by, categories (optional; category codes separated by ";").
requirements: number, year, clause, title_fa, limit_kind (required); title_en, test_method, low,
high, unit, severity (optional). A requirement belongs to a standard of the same import.

Only national admins change the catalogue. Every row is checked before anything is written; a
file with any problem writes nothing and reports every problem with its sheet, row and column.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hami.core.audit import Change, audit_many
from hami.core.models import EventType, User
from hami.core.persian import normalize_text, search_terms
from hami.core.tabular import (
    ImportResult,
    Row,
    RowError,
    Table,
    TabularError,
    TabularSource,
    excerpt,
    open_tabular,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
)
from hami.standards.access import can_write_catalogue
from hami.standards.models import (
    LimitKind,
    ProductCategory,
    Requirement,
    Scheme,
    Severity,
    Standard,
    StandardStatus,
)
from hami.standards.services import standard_search_text

STANDARDS_SHEET = "standards"
REQUIREMENTS_SHEET = "requirements"
STANDARD_REQUIRED = ("number", "year", "title_fa")
STANDARD_OPTIONAL = (
    "title_en", "ics", "scheme", "is_mandatory", "mandatory_from", "status", "superseded_by", "categories",
)  # fmt: skip
REQUIREMENT_REQUIRED = ("number", "year", "clause", "title_fa", "limit_kind")
REQUIREMENT_OPTIONAL = ("title_en", "test_method", "low", "high", "unit", "severity")
COLUMN_ALIASES = {
    "number": ["شماره", "شماره استاندارد", "inso"],
    "year": ["سال", "سال تجدیدنظر", "revision year"],
    "title_fa": ["عنوان", "عنوان فارسی", "title"],
    "title_en": ["عنوان انگلیسی", "english title"],
    "ics": ["ics code"],
    "scheme": ["طرح", "نوع طرح", "طرح گواهی"],
    "is_mandatory": ["اجباری", "mandatory"],
    "mandatory_from": ["تاریخ اجبار", "اجباری از"],
    "status": ["وضعیت"],
    "superseded_by": ["جایگزین", "جایگزین شده با"],
    "categories": ["گروه کالا", "گروه‌های کالا", "category"],
    "clause": ["بند"],
    "limit_kind": ["نوع حد", "kind"],
    "low": ["حد پایین", "min", "lower"],
    "high": ["حد بالا", "max", "upper"],
    "unit": ["یکا"],
    "test_method": ["روش آزمون", "method"],
    "severity": ["اهمیت", "شدت"],
}
STATUS_WORDS = {
    StandardStatus.CURRENT: ["جاری", "معتبر"],
    StandardStatus.WITHDRAWN: ["باطل", "باطل شده", "لغو", "لغو شده", "منسوخ"],
    StandardStatus.SUPERSEDED: ["جایگزین شده", "تجدیدنظر شده"],
}
LIMIT_KIND_WORDS = {
    LimitKind.MIN: ["حداقل", "کمینه", "at least"],
    LimitKind.MAX: ["حداکثر", "بیشینه", "at most"],
    LimitKind.RANGE: ["بازه", "محدوده", "بین", "between"],
    LimitKind.EQUALS: ["برابر", "مساوی", "equal", "="],
    LimitKind.PASS_FAIL: ["pass/fail", "قبول/رد", "قبول رد", "کیفی"],
}
SEVERITY_WORDS = {
    Severity.CRITICAL: ["بحرانی", "حیاتی"],
    Severity.MAJOR: ["عمده", "اصلی", "مهم"],
    Severity.MINOR: ["جزئی"],
}
# What the limit columns must hold for each kind (the database's requirement_limits_match_kind,
# tightened: an "equals" limit has no upper value either).
LIMIT_SHAPE = {
    LimitKind.MIN: (True, False),
    LimitKind.MAX: (False, True),
    LimitKind.RANGE: (True, True),
    LimitKind.EQUALS: (True, False),
    LimitKind.PASS_FAIL: (False, False),
}
# An ICS code: field, group, sub-group (ISO's International Classification for Standards).
_ICS_RE = re.compile(r"\d{2}(\.\d{3}(\.\d{2})?)?")
_REFERENCE_RE = re.compile(r"(?:(?:inso|isiri|ملی)\s*)?(\d{1,10})\s*[:/]\s*(\d{4})", re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"[;,،؛\s]+")
_IN_CHUNK = 900
YEARS = (1300, 2100)  # INSO revisions carry a Jalali year; a Gregorian year is accepted too
LIMIT_PLACES = 4  # Requirement.low/high: decimal_places
LIMIT_STEP = Decimal(1).scaleb(-LIMIT_PLACES)
LIMIT_BOUND = Decimal(10) ** 10  # … and max_digits 14, so 10 digits before the point

Key = tuple[int, int]  # (number, year)
Progress = Callable[[str, int], None]


def choice_key(text: str) -> str:
    return "".join(search_terms(text.replace("_", " ").replace("-", " ")))


def _choices(choices, words: dict | None = None) -> dict[str, str]:
    accepted: dict[str, str] = {}
    for value, label in choices.choices:
        accepted[choice_key(value)] = value
        accepted[choice_key(str(label))] = value
        for word in (words or {}).get(value, []):
            accepted[choice_key(word)] = value
    return accepted


def _ics(text: str) -> str | None:
    """ "67.060; 67.100.10" as stored, or None if a part is not an ICS code.

    Excel turns 67.060 typed in a number cell into 67.06: a group has three digits, so it is padded.
    """
    parts = [part for part in _LIST_SEPARATORS.split(normalize_text(text)) if part]
    cleaned = []
    for part in parts:
        pieces = part.split(".")
        if len(pieces) == 2 and pieces[1].isdigit() and len(pieces[1]) < 3:
            part = f"{pieces[0]}.{pieces[1].ljust(3, '0')}"
        if not _ICS_RE.fullmatch(part):
            return None
        cleaned.append(part)
    return "; ".join(cleaned)


@dataclass
class _StandardRow:
    row: Row
    standard: Standard
    successor: Key | None = None
    category_codes: list[str] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)


class _Checker:
    """Checks the rows of both tables against each other and the catalogue, collecting every error."""

    def __init__(self):
        self.errors: list[RowError] = []
        self.schemes = _choices(Scheme)
        self.statuses = _choices(StandardStatus, STATUS_WORDS)
        self.limit_kinds = _choices(LimitKind, LIMIT_KIND_WORDS)
        self.severities = _choices(Severity, SEVERITY_WORDS)
        self.standard_lengths = {
            name: Standard._meta.get_field(name).max_length for name in ("title_fa", "title_en", "ics")
        }
        self.requirement_lengths = {
            name: Requirement._meta.get_field(name).max_length
            for name in ("clause", "title_fa", "title_en", "test_method", "unit")
        }

    def fail(self, sheet: str, row: Row, column: str, message: str) -> None:
        self.errors.append(RowError(row.line, column, message, sheet=sheet))

    # -- shared cells --------------------------------------------------------------------------------

    def required(self, sheet: str, row: Row, columns) -> None:
        for column in columns:
            if not row[column]:
                self.fail(sheet, row, column, _("A value is required."))

    def key(self, sheet: str, row: Row) -> Key | None:
        """(number, year) of the row, or None after reporting what is wrong with them."""
        number = year = None
        if row["number"]:
            try:
                number = parse_int(row["number"])
            except ValueError as exc:
                self.fail(sheet, row, "number", str(exc))
            else:
                if not 0 < number < 2**31:
                    self.fail(sheet, row, "number", _("{value} is not an INSO number.").format(value=number))
                    number = None
        if row["year"]:
            try:
                year = parse_int(row["year"])
            except ValueError as exc:
                self.fail(sheet, row, "year", str(exc))
            else:
                if not YEARS[0] <= year <= YEARS[1]:
                    self.fail(
                        sheet,
                        row,
                        "year",
                        _("{value} is not a revision year (like 1402).").format(value=year),
                    )
                    year = None
        return (number, year) if number is not None and year is not None else None

    def text(self, sheet: str, row: Row, column: str, limits: dict[str, int]) -> str:
        value = normalize_text(row[column])
        if row[column] and not value.replace("\u200c", "").strip():
            self.fail(sheet, row, column, _("The cell holds only invisible characters."))
        if len(value) > limits[column]:
            self.fail(
                sheet,
                row,
                column,
                _("The text has {length} characters; at most {limit} fit.").format(
                    length=len(value), limit=limits[column]
                ),
            )
        return value

    def choice(self, sheet: str, row: Row, column: str, accepted: dict[str, str], default: str) -> str:
        text = row[column]
        if not text:
            return default
        value = accepted.get(choice_key(text))
        if value is None:
            self.fail(
                sheet,
                row,
                column,
                _("{value} is not one of: {choices}.").format(
                    value=excerpt(text), choices=", ".join(sorted(set(accepted.values())))
                ),
            )
            return default
        return value

    # -- standards -----------------------------------------------------------------------------------

    def standard(self, row: Row) -> tuple[Key | None, _StandardRow | None]:
        """The row's key (if readable) and the unsaved standard (None if the row has errors)."""
        sheet = STANDARDS_SHEET
        before = len(self.errors)
        self.required(sheet, row, STANDARD_REQUIRED)
        key = self.key(sheet, row)
        title_fa = self.text(sheet, row, "title_fa", self.standard_lengths)
        title_en = self.text(sheet, row, "title_en", self.standard_lengths)
        ics = ""
        if row["ics"]:
            ics = _ics(row["ics"])
            if ics is None:
                self.fail(
                    sheet,
                    row,
                    "ics",
                    _("{value} is not an ICS code (like 67.060 or 67.060.10).").format(
                        value=excerpt(row["ics"])
                    ),
                )
                ics = ""
            elif len(ics) > self.standard_lengths["ics"]:
                self.fail(sheet, row, "ics", _("Too many ICS codes for one standard."))
        scheme = self.choice(sheet, row, "scheme", self.schemes, Scheme.S5)
        status = self.choice(sheet, row, "status", self.statuses, "")
        is_mandatory = False
        try:
            is_mandatory = parse_bool(row["is_mandatory"])
        except ValueError as exc:
            self.fail(sheet, row, "is_mandatory", str(exc))
        mandatory_from = None
        if row["mandatory_from"]:
            try:
                mandatory_from = parse_date(row["mandatory_from"])
            except ValueError as exc:
                self.fail(sheet, row, "mandatory_from", str(exc))
        elif is_mandatory:
            self.fail(
                sheet, row, "mandatory_from", _("A mandatory standard needs the date it is mandatory from.")
            )

        successor = None
        if row["superseded_by"]:
            match = _REFERENCE_RE.fullmatch(normalize_text(row["superseded_by"]))
            if match is None:
                self.fail(
                    sheet,
                    row,
                    "superseded_by",
                    _("{value} is not a standard; write number:year, like 1053:1402.").format(
                        value=excerpt(row["superseded_by"])
                    ),
                )
            else:
                successor = (int(match[1]), int(match[2]))
                if successor == key:
                    self.fail(sheet, row, "superseded_by", _("A standard cannot supersede itself."))
            status = status or StandardStatus.SUPERSEDED
            if status != StandardStatus.SUPERSEDED:
                self.fail(sheet, row, "superseded_by", _("Only a superseded standard has a successor."))
        elif status == StandardStatus.SUPERSEDED:
            self.fail(
                sheet, row, "superseded_by", _("A superseded standard needs its successor, like 1053:1402.")
            )
        codes = [code for code in _LIST_SEPARATORS.split(normalize_text(row["categories"]).lower()) if code]

        if len(self.errors) > before or key is None:
            return key, None
        standard = Standard(
            number=key[0],
            year=key[1],
            title_fa=title_fa,
            title_en=title_en,
            ics=ics,
            scheme=scheme,
            is_mandatory=is_mandatory,
            mandatory_from=mandatory_from,
            status=status or StandardStatus.CURRENT,
        )
        standard.search_text = standard_search_text(standard)
        return key, _StandardRow(row=row, standard=standard, successor=successor, category_codes=codes)

    # -- requirements --------------------------------------------------------------------------------

    def requirement(self, row: Row) -> tuple[Key | None, Requirement | None]:
        sheet = REQUIREMENTS_SHEET
        before = len(self.errors)
        self.required(sheet, row, REQUIREMENT_REQUIRED)
        key = self.key(sheet, row)
        texts = {
            column: self.text(sheet, row, column, self.requirement_lengths)
            for column in ("clause", "title_fa", "title_en", "test_method", "unit")
        }
        limit_kind = self.choice(sheet, row, "limit_kind", self.limit_kinds, "") if row["limit_kind"] else ""
        severity = self.choice(sheet, row, "severity", self.severities, Severity.MAJOR)
        low = self.limit(row, "low")
        high = self.limit(row, "high")
        if limit_kind:
            needs_low, needs_high = LIMIT_SHAPE[limit_kind]
            kind = LimitKind(limit_kind).label
            for column, needed, value in (("low", needs_low, row["low"]), ("high", needs_high, row["high"])):
                if needed and not value:
                    self.fail(
                        sheet,
                        row,
                        column,
                        _("A limit of kind “{kind}” needs a value in {column}.").format(
                            kind=kind, column=column
                        ),
                    )
                elif value and not needed:
                    self.fail(
                        sheet,
                        row,
                        column,
                        _("A limit of kind “{kind}” has no value in {column}; leave it empty.").format(
                            kind=kind, column=column
                        ),
                    )
            if limit_kind == LimitKind.RANGE and low is not None and high is not None and not low < high:
                self.fail(
                    sheet,
                    row,
                    "high",
                    _("The upper limit {high} is not above the lower limit {low}.").format(
                        high=high, low=low
                    ),
                )
        if len(self.errors) > before or key is None:
            return key, None
        requirement = Requirement(
            clause=texts["clause"],
            title_fa=texts["title_fa"],
            title_en=texts["title_en"],
            test_method=texts["test_method"],
            limit_kind=limit_kind,
            low=low,
            high=high,
            unit=texts["unit"],
            severity=severity,
        )
        return key, requirement

    def limit(self, row: Row, column: str) -> Decimal | None:
        if not row[column]:
            return None
        try:
            value = parse_decimal(row[column])
        except ValueError as exc:
            self.fail(REQUIREMENTS_SHEET, row, column, str(exc))
            return None
        if abs(value) >= LIMIT_BOUND:
            self.fail(
                REQUIREMENTS_SHEET,
                row,
                column,
                _("{value} is too large for a limit.").format(value=excerpt(row[column])),
            )
            return None
        if value != value.quantize(LIMIT_STEP):  # "5.1000" is fine, "5.12345" is not
            self.fail(
                REQUIREMENTS_SHEET,
                row,
                column,
                _("{value} has more than {places} decimal places.").format(
                    value=excerpt(row[column]), places=LIMIT_PLACES
                ),
            )
            return None
        return value


def _catalogued(keys: set[Key]) -> dict[Key, int]:
    """The pks of those (number, year) already in the catalogue: one query per 900 numbers."""
    numbers = sorted({number for number, _year in keys})
    found: dict[Key, int] = {}
    for start in range(0, len(numbers), _IN_CHUNK):
        rows = Standard.objects.filter(number__in=numbers[start : start + _IN_CHUNK])
        for number, year, pk in rows.values_list("number", "year", "pk"):
            if (number, year) in keys:
                found[(number, year)] = pk
    return found


def _read_tables(
    *, file, filename: str, requirements_file, requirements_filename: str | None
) -> tuple[Table | None, Table | None, list[RowError]]:
    """The standards table and the requirements table (None when not given), or why they cannot be read."""
    max_bytes = settings.HAMI_IMPORT_MAX_BYTES
    errors: list[RowError] = []
    standards = requirements = None

    def read(source: TabularSource, *, sheet_name: str, required, optional, label: str) -> Table | None:
        sheet = source.find_sheet(sheet_name) if source.kind == "xlsx" else None
        try:
            return source.read(
                required=required, optional=optional, aliases=COLUMN_ALIASES, sheet=sheet, label=label
            )
        except TabularError as exc:
            errors.extend(exc.errors)
            return None

    def relabel(exc: TabularError, label: str) -> list[RowError]:
        return [RowError(e.row, e.column, e.message, sheet=e.sheet or label) for e in exc.errors]

    try:
        with open_tabular(file, filename=filename, max_bytes=max_bytes) as source:
            requirements_sheet = source.find_sheet(REQUIREMENTS_SHEET)  # the sheet's name, or None
            first_sheet = source.sheet_names[0] if source.sheet_names else None
            if (
                requirements_sheet
                and not source.find_sheet(STANDARDS_SHEET)
                and first_sheet == requirements_sheet
            ):
                # Falling back to the first sheet would read the requirements as standards.
                raise TabularError(
                    RowError(
                        0,
                        "",
                        _("The workbook has no sheet named {sheet} (it has: {sheets}).").format(
                            sheet=STANDARDS_SHEET, sheets=", ".join(source.sheet_names)
                        ),
                    )
                )
            standards = read(
                source,
                sheet_name=STANDARDS_SHEET,
                required=STANDARD_REQUIRED,
                optional=STANDARD_OPTIONAL,
                label=STANDARDS_SHEET,
            )
            if requirements_sheet:
                if requirements_file is not None:
                    errors.append(
                        RowError(
                            0,
                            "",
                            _("The workbook has a requirements sheet and a requirements file was given too."),
                            sheet=REQUIREMENTS_SHEET,
                        )
                    )
                else:
                    requirements = read(
                        source,
                        sheet_name=REQUIREMENTS_SHEET,
                        required=REQUIREMENT_REQUIRED,
                        optional=REQUIREMENT_OPTIONAL,
                        label=REQUIREMENTS_SHEET,
                    )
    except TabularError as exc:
        errors.extend(relabel(exc, STANDARDS_SHEET))
    if requirements_file is not None:
        try:
            with open_tabular(
                requirements_file, filename=requirements_filename or "", max_bytes=max_bytes
            ) as source:
                requirements = read(
                    source,
                    sheet_name=REQUIREMENTS_SHEET,
                    required=REQUIREMENT_REQUIRED,
                    optional=REQUIREMENT_OPTIONAL,
                    label=REQUIREMENTS_SHEET,
                )
        except TabularError as exc:
            errors.extend(relabel(exc, REQUIREMENTS_SHEET))
    return standards, requirements, errors


@transaction.atomic
def standards_import(
    *,
    actor: User,
    file,
    filename: str,
    requirements_file=None,
    requirements_filename: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Add every standard (and requirement) of the file(s) to the catalogue, or none.

    Returns an ImportResult: `created` standards, or `errors` (with sheet, row and column) and
    nothing written; only national admins may import (otherwise one error). Raises nothing for a
    bad file. `progress(stage, count)` is told "reading", "validating" and "writing"; a dry run
    checks everything and writes nothing.
    """
    report = progress or (lambda stage, count: None)
    if not can_write_catalogue(actor):
        return ImportResult(
            dry_run=dry_run,
            errors=[RowError(0, "", _("Only national administrators change the standards catalogue."))],
        )
    report("reading", 0)
    standards_table, requirements_table, errors = _read_tables(
        file=file,
        filename=filename,
        requirements_file=requirements_file,
        requirements_filename=requirements_filename,
    )
    if errors or standards_table is None:
        return ImportResult(dry_run=dry_run, errors=errors)
    requirement_rows = requirements_table.rows if requirements_table else []
    requirement_errors = requirements_table.errors if requirements_table else []
    standard_count = len(standards_table.rows) + len(standards_table.errors)
    result = ImportResult(
        rows=standard_count + len(requirement_rows) + len(requirement_errors),
        dry_run=dry_run,
        errors=[*standards_table.errors, *requirement_errors],
    )
    if not standard_count:
        result.errors.append(
            RowError(0, "", _("The file has a header but no rows to import."), sheet=STANDARDS_SHEET)
        )
        return result

    report("validating", result.rows)
    checker = _Checker()
    seen: dict[Key, int] = {}  # key → the row it is first on
    valid: dict[Key, _StandardRow] = {}
    for row in standards_table.rows:
        key, item = checker.standard(row)
        if key is not None and key in seen:
            checker.fail(
                STANDARDS_SHEET,
                row,
                "number",
                _("INSO {number}:{year} is also on row {row}.").format(
                    number=key[0], year=key[1], row=seen[key]
                ),
            )
            continue
        if key is not None:
            seen[key] = row.line
        if item is not None:
            valid[key] = item

    references = {item.successor for item in valid.values() if item.successor is not None}
    requirement_keys: list[tuple[Row, Key | None, Requirement | None]] = [
        (row, *checker.requirement(row)) for row in requirement_rows
    ]
    catalogued = _catalogued(set(seen) | references | {key for _row, key, _req in requirement_keys if key})

    for key, line in seen.items():
        if key in catalogued:
            checker.errors.append(
                RowError(
                    line,
                    "number",
                    _("INSO {number}:{year} is already in the catalogue.").format(number=key[0], year=key[1]),
                    sheet=STANDARDS_SHEET,
                )
            )
    for key, item in valid.items():
        successor, steps = item.successor, 0
        while successor in valid and steps <= len(valid):
            if successor == key:
                checker.fail(
                    STANDARDS_SHEET,
                    item.row,
                    "superseded_by",
                    _("These standards supersede each other in a circle."),
                )
                break
            successor, steps = valid[successor].successor, steps + 1
    for item in valid.values():
        if item.successor is not None and item.successor not in seen and item.successor not in catalogued:
            checker.fail(
                STANDARDS_SHEET,
                item.row,
                "superseded_by",
                _("INSO {number}:{year} is neither in this file nor in the catalogue.").format(
                    number=item.successor[0], year=item.successor[1]
                ),
            )

    categories = _categories({code for item in valid.values() for code in item.category_codes})
    for item in valid.values():
        unknown = [code for code in item.category_codes if code not in categories]
        if unknown:
            checker.fail(
                STANDARDS_SHEET,
                item.row,
                "categories",
                _("No product category has the code {codes}.").format(
                    codes=", ".join(excerpt(c) for c in unknown)
                ),
            )

    clauses: dict[tuple[Key, str], int] = {}
    for row, key, requirement in requirement_keys:
        if key is None:
            continue
        if key not in seen:
            if key in catalogued:
                message = _(
                    "INSO {number}:{year} is already in the catalogue; "
                    "an import adds requirements only to the standards it creates."
                )
            else:
                message = _("INSO {number}:{year} is not in the standards of this import.")
            checker.fail(REQUIREMENTS_SHEET, row, "number", message.format(number=key[0], year=key[1]))
            continue
        clause = normalize_text(row["clause"])
        if clause and (key, clause) in clauses:
            checker.fail(
                REQUIREMENTS_SHEET,
                row,
                "clause",
                _("Clause {clause} of INSO {number}:{year} is also on row {row}.").format(
                    clause=excerpt(clause), number=key[0], year=key[1], row=clauses[(key, clause)]
                ),
            )
            continue
        clauses[(key, clause)] = row.line
        if requirement is not None and key in valid:
            valid[key].requirements.append(requirement)

    result.errors.extend(checker.errors)
    if result.errors:
        result.errors.sort(key=lambda e: (e.sheet != STANDARDS_SHEET, e.sheet, e.row, e.column))
        return result
    result.valid = len(valid)
    if dry_run:
        result.created = result.valid  # what would be created
        return result

    report("writing", len(valid))
    try:
        with transaction.atomic():  # a savepoint, so a clash with a concurrent change is reported
            _write(valid, catalogued, categories)
    except IntegrityError:
        result.errors.append(
            RowError(0, "", _("Someone changed the catalogue meanwhile; import the file again."))
        )
        return result
    items = list(valid.values())
    audit_many(
        actor=actor,
        changes=[
            Change(
                event_type=EventType.STANDARD_CREATED,
                obj=item.standard,
                details={
                    "code": item.standard.code,
                    "import": filename,
                    "row": item.row.line,
                    "requirements": [r.clause for r in item.requirements],
                    "categories": item.category_codes,
                },
            )
            for item in items
        ]
        + [
            Change(
                event_type=EventType.STANDARDS_IMPORTED,
                object_type="standards.import",
                object_id=filename[:64],
                details={
                    "file": filename,
                    "requirements_file": requirements_filename or "",
                    "count": len(items),
                    "requirements": sum(len(item.requirements) for item in items),
                },
            )
        ],
    )
    result.created = len(items)
    return result


def _categories(codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[start : start + _IN_CHUNK]
        found.update(ProductCategory.objects.filter(code__in=chunk).values_list("code", "pk"))
    return found


def _write(valid: dict[Key, _StandardRow], catalogued: dict[Key, int], categories: dict[str, int]) -> None:
    """Insert the standards, then link successors inside the file, categories and requirements."""
    later: list[_StandardRow] = []  # superseded by a standard of this file: linked once it has a pk
    for item in valid.values():
        if item.successor in catalogued:
            item.standard.superseded_by_id = catalogued[item.successor]
        elif item.successor is not None:
            # The check constraint wants a successor for "superseded": insert as current, then link.
            item.standard.status = StandardStatus.CURRENT
            later.append(item)
    standards = [item.standard for item in valid.values()]
    Standard.objects.bulk_create(standards)
    if any(standard.pk is None for standard in standards):  # a backend that returns no pks
        pks = _catalogued(set(valid))
        for key, item in valid.items():
            item.standard.pk = pks[key]
    for item in later:
        item.standard.superseded_by = valid[item.successor].standard
        item.standard.status = StandardStatus.SUPERSEDED
    if later:
        Standard.objects.bulk_update([item.standard for item in later], ["superseded_by", "status"])
    Link = ProductCategory.standards.through
    Link.objects.bulk_create(
        [
            Link(productcategory_id=categories[code], standard_id=item.standard.pk)
            for item in valid.values()
            for code in dict.fromkeys(item.category_codes)
        ]
    )
    requirements = []
    for item in valid.values():
        for requirement in item.requirements:
            requirement.standard = item.standard
            requirements.append(requirement)
    Requirement.objects.bulk_create(requirements)
