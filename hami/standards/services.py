"""Every write to the standards catalogue."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, User
from hami.core.persian import normalize_text, search_key
from hami.standards.access import can_write_catalogue
from hami.standards.error_codes import StandardsErrorCode
from hami.standards.models import ProductCategory, Requirement, Scheme, Standard, StandardStatus


def _validate(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise HamiError(StandardsErrorCode.INVALID, messages[0], field=field) from exc


def _check_writer(actor: User) -> None:
    if not can_write_catalogue(actor):
        raise Forbidden(
            StandardsErrorCode.FORBIDDEN, _("Only national administrators change the standards catalogue.")
        )


def standard_search_text(standard: Standard) -> str:
    return " ".join(
        [str(standard.number), search_key(standard.title_fa), search_key(standard.title_en), standard.ics]
    )


@transaction.atomic
def standard_create(
    *,
    actor: User,
    number: int,
    year: int,
    title_fa: str,
    title_en: str = "",
    ics: str = "",
    scheme: str = Scheme.S5,
    is_mandatory: bool = False,
    mandatory_from: dt.date | None = None,
    status: str = StandardStatus.CURRENT,
) -> Standard:
    """Add a standard to the catalogue. Raises Forbidden, HamiError(DUPLICATE / INVALID)."""
    _check_writer(actor)
    if Standard.objects.filter(number=number, year=year).exists():
        raise HamiError(
            StandardsErrorCode.DUPLICATE,
            _("INSO {number}:{year} is already in the catalogue.").format(number=number, year=year),
            field="number",
        )
    standard = Standard(
        number=number,
        year=year,
        title_fa=normalize_text(title_fa),
        title_en=normalize_text(title_en),
        ics=ics.strip(),
        scheme=scheme,
        is_mandatory=is_mandatory,
        mandatory_from=mandatory_from,
        status=status,
    )
    standard.search_text = standard_search_text(standard)
    _validate(standard)
    standard.save()
    audit(actor=actor, event_type=EventType.STANDARD_CREATED, obj=standard, details={"code": standard.code})
    return standard


@transaction.atomic
def requirement_add(
    *,
    actor: User,
    standard: Standard,
    clause: str,
    title_fa: str,
    limit_kind: str,
    title_en: str = "",
    test_method: str = "",
    low: Decimal | None = None,
    high: Decimal | None = None,
    unit: str = "",
    severity: str = "major",
) -> Requirement:
    """Add a requirement (a test and its limits) to a standard. Raises Forbidden, HamiError(INVALID)."""
    _check_writer(actor)
    requirement = Requirement(
        standard=standard,
        clause=clause.strip(),
        title_fa=normalize_text(title_fa),
        title_en=normalize_text(title_en),
        test_method=normalize_text(test_method),
        limit_kind=limit_kind,
        low=low,
        high=high,
        unit=unit.strip(),
        severity=severity,
    )
    _validate(requirement)
    requirement.save()
    audit(
        actor=actor,
        event_type=EventType.STANDARD_UPDATED,
        obj=standard,
        details={"requirement_added": requirement.clause},
    )
    return requirement


@transaction.atomic
def category_create(
    *,
    actor: User,
    code: str,
    name_fa: str,
    name_en: str = "",
    hs_code: str = "",
    isic: str = "",
    hazard_level: int = 2,
    standards: list[Standard] | None = None,
) -> ProductCategory:
    """Add a product category with the standards that apply to it. Raises Forbidden, HamiError(INVALID)."""
    _check_writer(actor)
    category = ProductCategory(
        code=code,
        name_fa=normalize_text(name_fa),
        name_en=normalize_text(name_en),
        hs_code=hs_code.strip(),
        isic=isic.strip(),
        hazard_level=hazard_level,
    )
    _validate(category)
    category.save()
    if standards:
        category.standards.set(standards)
    audit(
        actor=actor,
        event_type=EventType.CATEGORY_CREATED,
        obj=category,
        details={"code": code, "standards": [s.code for s in standards or []]},
    )
    return category
