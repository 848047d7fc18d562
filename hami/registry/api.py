import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from hami.registry.access import unit_for_user, units_for_user
from hami.registry.selectors import unit_products, unit_search

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
@paginate(PageNumberPagination, page_size=50)
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
