"""Every write to the registry: units, sites, products, QC managers, representatives."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.identifiers import clean_digits
from hami.core.models import County, EventType, Role, User
from hami.core.persian import normalize_text, search_key
from hami.registry.access import can_write_units
from hami.registry.error_codes import RegistryErrorCode
from hami.registry.models import (
    Product,
    ProductionUnit,
    QCManager,
    Site,
    SizeClass,
    UnitMembership,
    UnitStatus,
)
from hami.standards.models import ProductCategory

UNIT_FIELDS = (
    "national_id", "name_fa", "name_en", "county", "address", "latitude", "longitude",
    "isic", "size_class", "status",
)  # fmt: skip


NULLABLE_FIELDS = ("latitude", "longitude")
OPTIONAL_TEXT_FIELDS = ("name_en", "address", "isic")


def unit_search_text(unit: ProductionUnit) -> str:
    return " ".join([search_key(unit.name_fa), search_key(unit.name_en), unit.national_id])


def _validate(instance, exclude=None) -> None:
    """full_clean, re-raised as a HamiError naming the first bad field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise HamiError(RegistryErrorCode.INVALID, messages[0], field=field) from exc


def _check_writer(actor: User, county: County) -> None:
    if not can_write_units(actor, county.province):
        raise Forbidden(
            RegistryErrorCode.FORBIDDEN, _("You may not register or change units in this province.")
        )


@transaction.atomic
def unit_create(
    *,
    actor: User,
    national_id: str,
    name_fa: str,
    county: County,
    name_en: str = "",
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    isic: str = "",
    size_class: str = SizeClass.SMALL,
    status: str = UnitStatus.ACTIVE,
) -> ProductionUnit:
    """Register a unit in the county's province. Raises Forbidden (other province), HamiError."""
    _check_writer(actor, county)
    unit = ProductionUnit(
        national_id=clean_digits(national_id),
        name_fa=normalize_text(name_fa),
        name_en=normalize_text(name_en),
        province=county.province,
        county=county,
        address=normalize_text(address),
        latitude=latitude,
        longitude=longitude,
        isic=clean_digits(isic),
        size_class=size_class,
        status=status,
    )
    unit.search_text = unit_search_text(unit)
    if ProductionUnit.objects.filter(national_id=unit.national_id).exists():
        raise HamiError(
            RegistryErrorCode.DUPLICATE_NATIONAL_ID,
            _("A unit with national legal identifier {national_id} is already registered.").format(
                national_id=unit.national_id
            ),
            field="national_id",
        )
    _validate(unit)
    unit.save()
    audit(
        actor=actor,
        event_type=EventType.UNIT_CREATED,
        obj=unit,
        province=unit.province,
        details={"national_id": unit.national_id, "name_fa": unit.name_fa},
    )
    return unit


@transaction.atomic
def unit_update(*, actor: User, unit: ProductionUnit, reason: str = "", **changes) -> ProductionUnit:
    """Change a unit's registered facts. Raises Forbidden, HamiError(INVALID / COUNTY_NOT_IN_PROVINCE)."""
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_update() got unknown fields {sorted(unknown)}")
    for field, value in list(changes.items()):
        if value is None and field in OPTIONAL_TEXT_FIELDS:
            changes[field] = ""
        elif value is None and field not in NULLABLE_FIELDS:
            raise HamiError(RegistryErrorCode.INVALID, _("This field cannot be empty."), field=field)
    unit = ProductionUnit.objects.select_for_update().get(pk=unit.pk)
    _check_writer(actor, unit.county)
    if "county" in changes:
        _check_writer(actor, changes["county"])
    before = {}
    for field, value in changes.items():
        if isinstance(value, str):
            value = clean_digits(value) if field in ("national_id", "isic") else normalize_text(value)
        old = getattr(unit, field)
        if old != value:
            before[field] = old
            setattr(unit, field, value)
    if not before:
        return unit
    if "county" in before:
        unit.province = unit.county.province
    unit.search_text = unit_search_text(unit)
    _validate(unit)
    unit.save(update_fields=[*before, "province", "search_text", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.UNIT_UPDATED,
        obj=unit,
        province=unit.province,
        reason=reason,
        details={field: {"from": old, "to": getattr(unit, field)} for field, old in before.items()},
    )
    return unit


@transaction.atomic
def site_create(*, actor: User, unit: ProductionUnit, name: str, county: County, address: str = "") -> Site:
    """Add a production site. Raises Forbidden, HamiError(COUNTY_NOT_IN_PROVINCE / INVALID)."""
    _check_writer(actor, unit.county)
    if county.province_id != unit.province_id:
        raise HamiError(
            RegistryErrorCode.COUNTY_NOT_IN_PROVINCE,
            _("A site must be in the unit's province."),
            field="county",
        )
    site = Site(unit=unit, name=normalize_text(name), county=county, address=normalize_text(address))
    _validate(site)
    site.save()
    audit(
        actor=actor,
        event_type=EventType.SITE_CREATED,
        obj=site,
        province=unit.province,
        details={"name": site.name},
    )
    return site


@transaction.atomic
def product_create(
    *,
    actor: User,
    unit: ProductionUnit,
    category: ProductCategory,
    name: str,
    brand: str,
    model: str = "",
    site: Site | None = None,
) -> Product:
    """Add a product of the unit. Raises Forbidden, HamiError(INVALID)."""
    _check_writer(actor, unit.county)
    if site is not None and site.unit_id != unit.pk:
        raise HamiError(RegistryErrorCode.INVALID, _("The site belongs to another unit."), field="site")
    product = Product(
        unit=unit,
        site=site,
        category=category,
        name=normalize_text(name),
        brand=normalize_text(brand),
        model=normalize_text(model),
    )
    _validate(product)
    product.save()
    audit(
        actor=actor,
        event_type=EventType.PRODUCT_CREATED,
        obj=product,
        province=unit.province,
        details={"name": product.name, "brand": product.brand, "category": category.code},
    )
    return product


@transaction.atomic
def qc_manager_appoint(
    *,
    actor: User,
    unit: ProductionUnit,
    full_name: str,
    national_code: str,
    certificate_number: str,
    certificate_expiry: dt.date,
) -> QCManager:
    """Make this person the active QC manager, retiring the previous one. Raises Forbidden, HamiError."""
    _check_writer(actor, unit.county)
    ProductionUnit.objects.select_for_update().filter(pk=unit.pk).first()
    manager = QCManager(
        unit=unit,
        full_name=normalize_text(full_name),
        national_code=clean_digits(national_code),
        certificate_number=clean_digits(certificate_number),
        certificate_expiry=certificate_expiry,
        is_active=True,
    )
    _validate(manager, exclude=["unit"])
    for previous in unit.qc_managers.filter(is_active=True):
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
    manager.save()
    audit(
        actor=actor,
        event_type=EventType.QC_MANAGER_APPOINTED,
        obj=unit,
        province=unit.province,
        details={"qc_manager": manager.full_name, "certificate_number": manager.certificate_number},
    )
    return manager


@transaction.atomic
def qc_manager_certificate_record(
    *,
    actor: User,
    unit: ProductionUnit,
    national_code: str,
    certificate_number: str,
    certificate_expiry: dt.date,
) -> QCManager | None:
    """Write a competence certificate issued, renewed or revoked by training (hami.outreach) onto the
    unit's active QC manager with this national code, whose certificate licensing checks. None, and
    nothing written, when the unit's active QC manager is somebody else.

    Any office's course counts in every province, so office staff of any province (and national
    admins) may record it; the training service has checked the actor's right to the certificate.
    Raises Forbidden."""
    if not (
        actor.is_authenticated and actor.is_active and (actor.is_national or actor.role == Role.OFFICE_STAFF)
    ):
        raise Forbidden(
            RegistryErrorCode.FORBIDDEN, _("Only office staff record a QC manager's competence certificate.")
        )
    manager = (
        QCManager.objects.select_for_update()
        .filter(unit=unit, is_active=True, national_code=clean_digits(national_code))
        .first()
    )
    if manager is None:
        return None
    before = [manager.certificate_number, manager.certificate_expiry.isoformat()]
    manager.certificate_number = clean_digits(certificate_number)
    manager.certificate_expiry = certificate_expiry
    manager.save(update_fields=["certificate_number", "certificate_expiry", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.UNIT_UPDATED,
        obj=unit,
        province=unit.province,
        details={
            "qc_manager": manager.full_name,
            "qc_certificate_before": before,
            "qc_certificate_after": [manager.certificate_number, certificate_expiry.isoformat()],
        },
    )
    return manager


@transaction.atomic
def unit_membership_add(*, actor: User, unit: ProductionUnit, user: User) -> UnitMembership:
    """Let `user` represent `unit`. Raises Forbidden."""
    _check_writer(actor, unit.county)
    membership, _created = UnitMembership.objects.get_or_create(user=user, unit=unit)
    audit(
        actor=actor,
        event_type=EventType.UNIT_UPDATED,
        obj=unit,
        province=unit.province,
        details={"representative_added": user.get_username()},
    )
    return membership


@transaction.atomic
def unit_set_fast_track(*, actor: User, unit: ProductionUnit, enabled: bool, reason: str) -> ProductionUnit:
    """Put a unit on (or take it off) the licensing fast track. Raises Forbidden, HamiError(INVALID)."""
    _check_writer(actor, unit.county)
    if not reason.strip():
        raise HamiError(RegistryErrorCode.INVALID, _("Give the reason for this decision."), field="reason")
    unit = ProductionUnit.objects.select_for_update().get(pk=unit.pk)
    unit.fast_track = enabled
    unit.fast_track_reason = reason.strip() if enabled else ""
    unit.save(update_fields=["fast_track", "fast_track_reason", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.UNIT_FAST_TRACK_SET,
        obj=unit,
        province=unit.province,
        reason=reason.strip(),
        details={"fast_track": enabled},
    )
    return unit


@transaction.atomic
def unit_set_tightened_sampling(
    *, actor: User | None, unit: ProductionUnit, on: bool, reason: str
) -> ProductionUnit:
    """Order (or lift) ISO 2859-1 tightened inspection for the unit's lots, whatever the switching rules
    say: supervision's enforcement ladder, step "intensified sampling". `actor` None is the system (the
    ladder's nightly runs). Raises Forbidden, HamiError(INVALID)."""
    if actor is not None:
        _check_writer(actor, unit.county)
    reason = normalize_text(reason or "").strip()
    if not reason:
        raise HamiError(RegistryErrorCode.INVALID, _("Give the reason for this decision."), field="reason")
    unit = ProductionUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.tightened_sampling == on:
        return unit  # nothing changes, nothing to record
    unit.tightened_sampling = on
    unit.tightened_sampling_reason = reason[:300] if on else ""
    unit.save(update_fields=["tightened_sampling", "tightened_sampling_reason", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.UNIT_UPDATED,
        obj=unit,
        province=unit.province,
        reason=reason,
        details={"tightened_sampling": on},
    )
    return unit
