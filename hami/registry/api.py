import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from hami.core.api import Error
from hami.core.errors import HamiError
from hami.core.models import County
from hami.core.pagination import Pagination
from hami.registry.access import unit_for_user, units_for_user
from hami.registry.error_codes import RegistryErrorCode
from hami.registry.models import SizeClass, UnitStatus
from hami.registry.selectors import unit_products, unit_search
from hami.registry.services import unit_create, unit_update

router = Router(tags=["registry"])


class UnitOut(Schema):
    id: UUID
    national_id: str
    name_fa: str
    name_en: str
    province: str
    county: str
    address: str
    isic: str
    size_class: str
    status: str
    latitude: Decimal | None
    longitude: Decimal | None
    created_at: dt.datetime

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_province(obj):
        return obj.province.code

    @staticmethod
    def resolve_county(obj):
        return obj.county.code


class StandardRef(Schema):
    id: int
    code: str
    title_fa: str
    title_en: str


class ProductOut(Schema):
    id: int
    name: str
    brand: str
    model: str
    category: str
    mandatory_standards: list[StandardRef]

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_mandatory_standards(obj):
        return obj.mandatory


class UnitFilters(Schema):
    q: str = ""
    county: str = ""
    status: str = ""


@router.get("/units", response=list[UnitOut], summary="Production units visible to you")
@paginate(Pagination, page_size=50)
def list_units(request, filters: Query[UnitFilters]):
    """Search by name (any spelling) or national legal identifier, filter by county code and status."""
    units = unit_search(units_for_user(request.auth), filters.q)
    if filters.county:
        units = units.filter(county__code=filters.county)
    if filters.status:
        units = units.filter(status=filters.status)
    return units.order_by("name_fa", "pk")


@router.get("/units/{unit_id}", response=UnitOut, summary="One production unit")
def get_unit(request, unit_id: str):
    """404 when the unit does not exist or is outside your scope."""
    return unit_for_user(request.auth, unit_id)


@router.get("/units/{unit_id}/products", response=list[ProductOut], summary="A unit's products")
def get_unit_products(request, unit_id: str):
    """Each product with the standards mandatory for its category today."""
    return unit_products(unit_for_user(request.auth, unit_id))


class UnitIn(Schema):
    national_id: str
    name_fa: str
    name_en: str = ""
    province: str
    county: str
    address: str = ""
    isic: str = ""
    size_class: SizeClass = SizeClass.SMALL
    status: UnitStatus = UnitStatus.ACTIVE
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class UnitPatch(Schema):
    national_id: str | None = None
    name_fa: str | None = None
    name_en: str | None = None
    province: str | None = None
    county: str | None = None
    address: str | None = None
    isic: str | None = None
    size_class: SizeClass | None = None
    status: UnitStatus | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    reason: str = ""


def _county(province: str, county: str) -> County:
    try:
        return County.objects.select_related("province").get(province__code=province, code=county)
    except County.DoesNotExist as exc:
        raise HamiError(
            RegistryErrorCode.INVALID,
            _("No county {county} in province {province}.").format(county=county, province=province),
            field="county",
        ) from exc


@router.post("/units", response={201: UnitOut, 400: Error, 403: Error}, summary="Register a production unit")
def create_unit(request, payload: UnitIn):
    """Raises 403 outside your province, 400 with `code` and `field` for bad data (e.g. check digit)."""
    data = payload.dict()
    county = _county(data.pop("province"), data.pop("county"))
    return Status(201, unit_create(actor=request.auth, county=county, **data))


@router.patch("/units/{unit_id}", response={200: UnitOut, 400: Error, 403: Error}, summary="Change a unit")
def update_unit(request, unit_id: str, payload: UnitPatch):
    """Only the fields sent change; `reason` goes into the audit trail. 404 outside your scope."""
    unit = unit_for_user(request.auth, unit_id, write=True)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    province, county = data.pop("province", None), data.pop("county", None)
    if province is not None and county is None:
        raise HamiError(RegistryErrorCode.INVALID, _("Send the county with the province."), field="county")
    if county is not None:
        data["county"] = _county(province or unit.province.code, county)
    return unit_update(actor=request.auth, unit=unit, reason=reason, **data)
