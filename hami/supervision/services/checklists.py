"""Checklists: what an inspector checks at a unit. The national admin keeps one set for the whole country:
a general checklist (seeded by migration 0003), and checklists for a certification scheme and/or a
standard. A visit uses the most specific active checklist that applies to the unit (`checklist_for`)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, User
from hami.core.persian import normalize_text, to_ascii_digits
from hami.licensing.models import Licence, LicenceState
from hami.registry.models import ProductionUnit
from hami.standards.models import Scheme, Standard
from hami.supervision.access import may_edit_checklists
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import Checklist, ChecklistItem, FindingSeverity
from hami.supervision.services.text import clean_text

GENERAL_CODE = "general"


def standard_from_text(text: str) -> Standard | None:
    """A standard written as its number and year ("2406:2020", "INSO 2406:2020") or its number alone
    (the newest revision). None for an empty text; HamiError(INVALID, field "standard") for no such one."""
    raw = to_ascii_digits(normalize_text(text or "")).strip().upper().removeprefix("INSO").strip()
    if not raw:
        return None
    number, _sep, year = raw.partition(":")
    standards = Standard.objects.none()
    if number.strip().isdigit() and (not year or year.strip().isdigit()):
        standards = Standard.objects.filter(number=int(number))
        if year:
            standards = standards.filter(year=int(year))
    standard = standards.order_by("-year").first()
    if standard is None:
        raise HamiError(Code.INVALID, _("No standard is {text}.").format(text=text), field="standard")
    return standard


def _forbid_unless_national(actor: User) -> None:
    if not may_edit_checklists(actor):
        raise Forbidden(Code.FORBIDDEN, _("Only the national admin keeps the checklists."))


def _code(value: str, example: str) -> str:
    code = (value or "").strip().lower()
    try:
        validate_slug(code)
        if len(code) > 60:
            raise ValidationError("too long")
    except ValidationError as exc:
        raise HamiError(
            Code.INVALID,
            _("A code is at most 60 Latin letters, digits and hyphens, such as {example}.").format(
                example=example
            ),
            field="code",
        ) from exc
    return code


@transaction.atomic
def checklist_save(
    *,
    actor: User,
    code: str,
    name_fa: str,
    name_en: str = "",
    scheme: str = "",
    standard: Standard | None = None,
    active: bool = True,
    checklist: Checklist | None = None,
) -> Checklist:
    """Create a checklist (for a scheme and/or a standard, or general without either), or edit `checklist`
    (its code never changes). Raises Forbidden (not the national admin), HamiError(INVALID)."""
    _forbid_unless_national(actor)
    name_fa = clean_text(name_fa, "name_fa", _("Give the checklist's Persian name."), max_length=200)
    name_en = clean_text(name_en, "name_en", "", max_length=200, required=False)
    if scheme and scheme not in Scheme.values:
        raise HamiError(Code.INVALID, _("Choose a certification scheme from the list."), field="scheme")
    if checklist is None:
        code = _code(code, "dairy-iso-2406")
        if Checklist.objects.filter(code=code).exists():
            raise HamiError(
                Code.INVALID, _("Another checklist has the code {code}.").format(code=code), field="code"
            )
        checklist = Checklist(code=code)
        verb = "created"
    else:
        checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
        verb = "edited"
    if checklist.code == GENERAL_CODE and (scheme or standard is not None):
        raise HamiError(
            Code.INVALID,
            _("The general checklist applies to every unit: no scheme, no standard."),
            field="scheme",
        )
    checklist.name_fa, checklist.name_en = name_fa, name_en
    checklist.scheme, checklist.standard, checklist.active = scheme, standard, bool(active)
    checklist.save()
    audit(
        actor=actor,
        event_type=EventType.CHECKLIST_SAVED,
        obj=checklist,
        details={
            "code": checklist.code,
            "change": verb,
            "scheme": scheme,
            "standard": standard.code if standard is not None else None,
            "active": checklist.active,
        },
    )
    return checklist


@transaction.atomic
def checklist_item_save(
    *,
    actor: User,
    checklist: Checklist,
    code: str,
    text_fa: str,
    text_en: str = "",
    guidance: str = "",
    severity: str = FindingSeverity.MAJOR,
    order: int | None = None,
    item: ChecklistItem | None = None,
) -> ChecklistItem:
    """Add an item to `checklist`, or edit `item` (its code never changes, so answers and findings keep
    pointing at the same requirement). Raises Forbidden, HamiError(INVALID)."""
    _forbid_unless_national(actor)
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    text_fa = clean_text(text_fa, "text_fa", _("Write what is checked, in Persian."), max_length=300)
    text_en = clean_text(text_en, "text_en", "", max_length=300, required=False)
    guidance = clean_text(guidance, "guidance", "", max_length=4000, required=False)
    if severity not in FindingSeverity.values:
        raise HamiError(
            Code.INVALID, _("Choose the usual severity: critical, major or minor."), field="severity"
        )
    if order is not None and not (isinstance(order, int) and 0 <= order <= 32767):
        raise HamiError(Code.INVALID, _("The order is a whole number from 0 to 32767."), field="order")
    if item is None:
        code = _code(code, "mark-use")
        if checklist.items.filter(code=code).exists():
            raise HamiError(
                Code.INVALID,
                _("This checklist already has an item with the code {code}.").format(code=code),
                field="code",
            )
        if order is None:
            last = checklist.items.order_by("-order").values_list("order", flat=True).first()
            order = min((last or 0) + 10, 32767)
        item = ChecklistItem(checklist=checklist, code=code)
        verb = "item added"
    else:
        if item.checklist_id != checklist.pk:
            raise HamiError(Code.INVALID, _("The item is not on this checklist."), field="item")
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        verb = "item edited"
    item.text_fa, item.text_en, item.guidance, item.severity = text_fa, text_en, guidance, severity
    if order is not None:
        item.order = order
    item.save()
    audit(
        actor=actor,
        event_type=EventType.CHECKLIST_SAVED,
        obj=checklist,
        details={"code": checklist.code, "change": verb, "item": item.code, "severity": severity},
    )
    return item


def checklist_for(unit: ProductionUnit) -> Checklist | None:
    """The most specific active checklist for the unit (two queries): one for the standard and scheme of
    one of its active licences, then one for the standard alone, then one for its scheme, then the
    general one. A standard is matched by its number, so a checklist serves every revision of it. None
    when no active checklist applies (not even the general one)."""
    licences = Licence.objects.filter(unit=unit, state=LicenceState.ACTIVE).values_list(
        "standard__number", "current__scheme"
    )
    pairs = {(number, scheme or "") for number, scheme in licences}
    numbers = {number for number, _scheme in pairs}
    schemes = {scheme for _number, scheme in pairs if scheme}
    candidates = (
        Checklist.objects.filter(active=True)
        .filter(Q(standard__number__in=numbers) | Q(standard__isnull=True, scheme__in=[*schemes, ""]))
        .select_related("standard")
    )

    def specificity(checklist: Checklist) -> int:
        if checklist.standard_id is not None:
            if not checklist.scheme:
                return 2
            return 3 if (checklist.standard.number, checklist.scheme) in pairs else -1  # another scheme's
        return 1 if checklist.scheme else 0

    # Among equals the seeded general checklist, then the smallest code: the same choice every time.
    ranked = sorted(
        (c for c in candidates if specificity(c) >= 0),
        key=lambda c: (-specificity(c), c.code != GENERAL_CODE, c.code),
    )
    return ranked[0] if ranked else None
