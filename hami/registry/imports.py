"""Import production units from a CSV UTF-8 or XLSX file (docs/import.md): all rows or none.

Every row is checked before anything is written, and every problem is reported with its row,
column and reason; only a file without a single problem is written, in one transaction, with one
audit event per unit. 20,000 rows take a few queries, not one per row: provinces and counties are
read once, registered national IDs in chunks (bench/bench_import.py measures it).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hami.core.audit import Change, audit_many
from hami.core.identifiers import is_valid_legal_id
from hami.core.models import County, EventType, Province, User
from hami.core.persian import normalize_text, search_terms
from hami.core.tabular import (
    ImportResult,
    Row,
    RowError,
    TabularError,
    excerpt,
    parse_decimal,
    read_table,
)
from hami.registry.access import can_write_units
from hami.registry.models import ProductionUnit, SizeClass, UnitStatus
from hami.registry.services import unit_search_text

REQUIRED_COLUMNS = ("national_id", "name_fa", "province", "county")
OPTIONAL_COLUMNS = ("name_en", "address", "isic", "size_class", "status", "latitude", "longitude")
# Headers an office's own spreadsheet is likely to have; matched like the English names.
COLUMN_ALIASES = {
    "national_id": ["شناسه ملی", "شناسه", "national id", "legal id"],
    "name_fa": ["نام", "نام واحد", "نام فارسی", "name"],
    "name_en": ["نام انگلیسی", "english name"],
    "province": ["استان"],
    "county": ["شهرستان"],
    "address": ["نشانی", "آدرس"],
    "isic": ["کد آیسیک", "آیسیک", "isic code"],
    "size_class": ["اندازه", "size"],
    "status": ["وضعیت"],
    "latitude": ["عرض جغرافیایی", "lat"],
    "longitude": ["طول جغرافیایی", "lon", "lng"],
}
# Persian words for the enum values (the English values and labels are accepted too).
SIZE_CLASS_WORDS = {
    SizeClass.MICRO: ["خرد", "ریز", "بسیار کوچک"],
    SizeClass.SMALL: ["کوچک"],
    SizeClass.MEDIUM: ["متوسط"],
    SizeClass.LARGE: ["بزرگ"],
}
STATUS_WORDS = {
    UnitStatus.ACTIVE: ["فعال"],
    UnitStatus.IDLE: ["راکد", "غیرفعال", "متوقف"],
    UnitStatus.CLOSED: ["تعطیل", "بسته", "منحل"],
}
# A unit of the national registry is in Iran: a point outside this box is a typo or swapped axes.
IRAN_LATITUDE = (Decimal("25"), Decimal("40"))
IRAN_LONGITUDE = (Decimal("44"), Decimal("63.5"))
_SIX_PLACES = Decimal("0.000001")
# Chunk of the `national_id IN (...)` lookup: well under SQLite's oldest limit of 999 variables.
_IN_CHUNK = 900
_DIVISION_PREFIXES = {"استان", "شهرستان", "province", "county", "ostan", "shahrestan"}

Progress = Callable[[str, int], None]


@functools.lru_cache(maxsize=4096)  # a file repeats the same few province and county spellings
def division_key(text: str) -> str:
    """How a province or county is looked up: "قزوين", "قزوین", "Qazvin" and "qazvin" meet.

    Folded like search (ي/ی, ك/ک, ئ/ی, ZWNJ), case-insensitive, without spaces and dashes, and
    without a leading "استان"/"province" word, so "بوئین‌زهرا", "بویین زهرا" and "buin-zahra" meet.
    """
    terms = search_terms(text.replace("-", " ").replace("_", " "))
    return "".join([term for term in terms if term not in _DIVISION_PREFIXES] or terms)


@functools.lru_cache(maxsize=1024)
def choice_key(text: str) -> str:
    return "".join(search_terms(text.replace("-", " ").replace("_", " ")))


@dataclass
class Divisions:
    """Every province and county, read in two queries, looked up by code and by either name."""

    provinces: dict[str, Province]
    counties: dict[int, dict[str, County]]  # province pk → key → county
    county_provinces: dict[str, list[Province]]  # key → the provinces that have such a county

    @classmethod
    def load(cls) -> "Divisions":
        provinces: dict[str, Province] = {}
        by_pk: dict[int, Province] = {}
        for province in Province.objects.all():
            by_pk[province.pk] = province
            for name in (province.code, province.name_fa, province.name_en):
                if name:
                    provinces.setdefault(division_key(name), province)
        counties: dict[int, dict[str, County]] = {pk: {} for pk in by_pk}
        county_provinces: dict[str, list[Province]] = {}
        for county in County.objects.all():
            county.province = by_pk[county.province_id]
            for name in {county.code, county.name_fa, county.name_en}:
                if name:
                    key = division_key(name)
                    counties[county.province_id].setdefault(key, county)
                    county_provinces.setdefault(key, []).append(county.province)
        return cls(provinces, counties, county_provinces)

    def province(self, text: str) -> Province | None:
        return self.provinces.get(division_key(text))

    def county(self, province: Province, text: str) -> County | None:
        return self.counties.get(province.pk, {}).get(division_key(text))


def _choices(choices, words: dict) -> dict[str, str]:
    """Accepted spellings of an enum: its values, its labels (active language) and Persian words."""
    accepted: dict[str, str] = {}
    for value, label in choices.choices:
        accepted[choice_key(value)] = value
        accepted[choice_key(str(label))] = value
        for word in words.get(value, []):
            accepted[choice_key(word)] = value
    return accepted


class _RowChecker:
    """Turns one row into an unsaved ProductionUnit, or into the errors that prevent it."""

    def __init__(self, *, actor: User, divisions: Divisions):
        self.actor = actor
        self.divisions = divisions
        self.size_classes = _choices(SizeClass, SIZE_CLASS_WORDS)
        self.statuses = _choices(UnitStatus, STATUS_WORDS)
        self.may_write: dict[int, bool] = {}
        meta = ProductionUnit._meta
        self.max_length = {
            name: meta.get_field(name).max_length for name in ("name_fa", "name_en", "address")
        }

    def check(self, row: Row) -> tuple[ProductionUnit | None, str, list[RowError]]:
        """The unit (None if the row has errors), its national ID if that is valid, and the errors."""
        errors: list[RowError] = []

        def fail(column: str, message: str) -> None:
            errors.append(RowError(row.line, column, message))

        for column in REQUIRED_COLUMNS:
            if not row[column]:
                fail(column, _("A value is required."))

        national_id = self._national_id(row["national_id"], fail) if row["national_id"] else ""

        texts = {}
        for column in ("name_fa", "name_en", "address"):
            texts[column] = normalize_text(row[column])
            if row[column] and not texts[column] and column in REQUIRED_COLUMNS:  # only invisible marks
                fail(column, _("A value is required."))
            elif len(texts[column]) > self.max_length[column]:
                fail(
                    column,
                    _("The text has {length} characters; at most {limit} fit.").format(
                        length=len(texts[column]), limit=self.max_length[column]
                    ),
                )

        province = county = None
        if row["province"]:
            province = self.divisions.province(row["province"])
            if province is None:
                fail(
                    "province", _("{value} is not a province of Iran.").format(value=excerpt(row["province"]))
                )
            elif not self._may_write(province):
                fail(
                    "province",
                    _("You may not register units in the province of {province}.").format(
                        province=province.name
                    ),
                )
        if province is not None and row["county"]:
            county = self.divisions.county(province, row["county"])
            if county is None:
                fail("county", self._county_problem(province, row["county"]))

        isic = self._isic(row["isic"], fail) if row["isic"] else ""
        size_class = self._choice(row["size_class"], self.size_classes, "size_class", SizeClass.SMALL, fail)
        status = self._choice(row["status"], self.statuses, "status", UnitStatus.ACTIVE, fail)
        latitude = self._coordinate(row, "latitude", IRAN_LATITUDE, fail)
        longitude = self._coordinate(row, "longitude", IRAN_LONGITUDE, fail)
        if (row["latitude"] == "") != (row["longitude"] == ""):
            missing = "longitude" if row["longitude"] == "" else "latitude"
            fail(missing, _("Give both latitude and longitude, or neither."))

        if errors:
            return None, national_id, errors
        unit = ProductionUnit(
            national_id=national_id,
            name_fa=texts["name_fa"],
            name_en=texts["name_en"],
            province=province,
            county=county,
            address=texts["address"],
            latitude=latitude,
            longitude=longitude,
            isic=isic,
            size_class=size_class,
            status=status,
        )
        unit.search_text = unit_search_text(unit)
        return unit, national_id, errors

    def _may_write(self, province: Province) -> bool:
        if province.pk not in self.may_write:
            self.may_write[province.pk] = can_write_units(self.actor, province)
        return self.may_write[province.pk]

    def _county_problem(self, province: Province, text: str) -> str:
        elsewhere = [
            p for p in self.divisions.county_provinces.get(division_key(text), []) if p.pk != province.pk
        ]
        if elsewhere:
            return _("The county {county} is in {other}, not in the province of {province}.").format(
                county=excerpt(text), other=elsewhere[0].name, province=province.name
            )
        return _("{value} is not a county of the province of {province}.").format(
            value=excerpt(text), province=province.name
        )

    @staticmethod
    def _national_id(text: str, fail) -> str:
        """The identifier in ASCII digits, or "" after reporting why it is not one."""
        digits = _digits(text)
        if "e+" in digits.lower():
            fail(
                "national_id",
                _(
                    "{value} is a number Excel wrote in scientific notation; format the column as text."
                ).format(value=excerpt(text)),
            )
        elif len(digits) != 11 or not digits.isascii() or not digits.isdigit():
            fail(
                "national_id",
                _("A national legal identifier has 11 digits; {value} is not one.").format(
                    value=excerpt(text)
                ),
            )
        elif not is_valid_legal_id(digits):
            fail(
                "national_id",
                _("The national legal identifier {value} fails its check digit.").format(value=digits),
            )
        else:
            return digits
        return ""

    @staticmethod
    def _isic(text: str, fail) -> str:
        digits = _digits(text)
        if digits.endswith(".0"):
            digits = digits[:-2]
        if not digits.isascii() or not digits.isdigit() or not 3 <= len(digits) <= 4:
            fail(
                "isic",
                _("{value} is not an ISIC class (four digits, like 1050).").format(value=excerpt(text)),
            )
            return ""
        # Excel drops the leading zero of classes 0111–0990 when the column is a number.
        return digits.zfill(4)

    @staticmethod
    def _choice(text: str, accepted: dict[str, str], column: str, default: str, fail) -> str:
        if not text:
            return default
        value = accepted.get(choice_key(text))
        if value is None:
            values = sorted(set(accepted.values()))
            fail(
                column,
                _("{value} is not one of: {choices}.").format(value=excerpt(text), choices=", ".join(values)),
            )
            return default
        return value

    @staticmethod
    def _coordinate(row: Row, column: str, bounds: tuple[Decimal, Decimal], fail) -> Decimal | None:
        text = row[column]
        if not text:
            return None
        try:
            value = parse_decimal(text)
        except ValueError as exc:
            fail(column, str(exc))
            return None
        low, high = bounds
        if not low <= value <= high:
            if column == "latitude":
                message = _(
                    "Latitude {value} is outside Iran ({low} to {high}); are the coordinates swapped?"
                )
            else:
                message = _(
                    "Longitude {value} is outside Iran ({low} to {high}); are the coordinates swapped?"
                )
            fail(column, message.format(value=excerpt(text), low=low, high=high))
            return None
        return value.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def _digits(text: str) -> str:
    """As hami.core.identifiers.clean_digits, in one pass: normalize_text already makes digits ASCII."""
    return normalize_text(text).replace("-", "").replace(" ", "")


def registered_national_ids(national_ids: list[str]) -> set[str]:
    """Which of these national IDs are registered already: one query per 900 IDs."""
    found: set[str] = set()
    for start in range(0, len(national_ids), _IN_CHUNK):
        chunk = national_ids[start : start + _IN_CHUNK]
        found.update(
            ProductionUnit.objects.filter(national_id__in=chunk).values_list("national_id", flat=True)
        )
    return found


@transaction.atomic
def units_import(
    *,
    actor: User,
    file,
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Register every unit of a CSV UTF-8 or XLSX file, or none.

    Returns an ImportResult: `created` units, or `errors` (one per bad cell, with row and column)
    and nothing written. Raises nothing for a bad file; a database failure other than a unique
    clash (which becomes an error) propagates. `progress(stage, count)` is told "reading",
    "validating" and "writing". On a dry run everything is checked and nothing written.
    """
    report = progress or (lambda stage, count: None)
    if not can_write_units(actor):
        return ImportResult(
            dry_run=dry_run, errors=[RowError(0, "", _("You may not import production units."))]
        )

    report("reading", 0)
    try:
        table = read_table(
            file,
            filename=filename,
            required=REQUIRED_COLUMNS,
            optional=OPTIONAL_COLUMNS,
            aliases=COLUMN_ALIASES,
            max_bytes=settings.HAMI_IMPORT_MAX_BYTES,
        )
    except TabularError as exc:
        return ImportResult(dry_run=dry_run, errors=exc.errors)
    result = ImportResult(
        rows=len(table.rows) + len(table.errors), dry_run=dry_run, errors=list(table.errors)
    )
    if not result.rows:
        result.errors.append(RowError(0, "", _("The file has a header but no rows to import.")))
        return result

    report("validating", result.rows)
    checker = _RowChecker(actor=actor, divisions=Divisions.load())
    units: list[tuple[Row, ProductionUnit]] = []
    first_line: dict[str, int] = {}
    for row in table.rows:
        unit, national_id, errors = checker.check(row)
        if national_id in first_line:
            errors.append(
                RowError(
                    row.line,
                    "national_id",
                    _("The national legal identifier {national_id} is also on row {row}.").format(
                        national_id=national_id, row=first_line[national_id]
                    ),
                )
            )
        elif national_id:
            first_line[national_id] = row.line
        if errors:
            result.errors.extend(errors)
        else:
            units.append((row, unit))
    for national_id in sorted(registered_national_ids(list(first_line))):
        result.errors.append(
            RowError(
                first_line[national_id],
                "national_id",
                _("A unit with national legal identifier {national_id} is already registered.").format(
                    national_id=national_id
                ),
            )
        )
    if result.errors:
        result.errors.sort(key=lambda error: (error.sheet, error.row, error.column))
        return result
    result.valid = len(units)
    if dry_run:
        result.created = result.valid  # what would be created
        return result

    report("writing", len(units))
    objects = [unit for _row, unit in units]
    try:
        with transaction.atomic():  # a savepoint, so a clash with a concurrent registration is reported
            ProductionUnit.objects.bulk_create(objects)
    except IntegrityError:
        result.errors.append(
            RowError(
                0, "", _("Another user registered some of these units meanwhile; import the file again.")
            )
        )
        return result
    _ensure_pks(objects)
    audit_many(
        actor=actor,
        changes=[
            Change(
                event_type=EventType.UNIT_CREATED,
                obj=unit,
                province=unit.province,
                details={"national_id": unit.national_id, "import": filename, "row": row.line},
            )
            for row, unit in units
        ]
        + [_summary(filename=filename, units=objects)],
    )
    result.created = len(objects)
    return result


def _ensure_pks(units: list[ProductionUnit]) -> None:
    """bulk_create sets pks on PostgreSQL and on SQLite ≥ 3.35; fetch them on a backend that does not."""
    missing = [unit for unit in units if unit.pk is None]
    if not missing:
        return
    pks: dict[str, int] = {}
    ids = [unit.national_id for unit in missing]
    for start in range(0, len(ids), _IN_CHUNK):
        rows = ProductionUnit.objects.filter(national_id__in=ids[start : start + _IN_CHUNK])
        pks.update(rows.values_list("national_id", "pk"))
    for unit in missing:
        unit.pk = pks[unit.national_id]


def _summary(*, filename: str, units: list[ProductionUnit]) -> Change:
    """One event for the import as a whole: who imported which file, how many units, when."""
    provinces = {unit.province_id: unit.province for unit in units}
    return Change(
        event_type=EventType.UNIT_IMPORTED,
        object_type="registry.import",
        object_id=filename[:64],
        province=next(iter(provinces.values())) if len(provinces) == 1 else None,
        details={
            "file": filename,
            "count": len(units),
            "provinces": sorted(p.code for p in provinces.values()),
        },
    )
