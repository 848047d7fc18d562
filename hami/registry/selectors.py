"""Reads of the registry that are more than one queryset."""

from django.db.models import Prefetch, Q, QuerySet

from hami.core.persian import search_terms
from hami.registry.models import Product, ProductionUnit
from hami.standards.models import Standard


def unit_search(units: QuerySet[ProductionUnit], query: str) -> QuerySet[ProductionUnit]:
    """Units whose folded name or identifier holds every term typed, in any script or spelling."""
    for term in search_terms(query)[:8]:
        units = units.filter(search_text__contains=term)
    return units


def unit_products(unit: ProductionUnit) -> list[Product]:
    """The unit's products, each with `mandatory` = its category's standards mandatory today."""
    products = list(
        unit.products.select_related("category", "site").prefetch_related(
            Prefetch("category__standards", queryset=Standard.objects.order_by("number"))
        )
    )
    for product in products:
        product.mandatory = product.mandatory_standards()
    return products


def units_with_mandatory_products(units: QuerySet[ProductionUnit]) -> int:
    return units.filter(Q(products__category__standards__is_mandatory=True)).distinct().count()
