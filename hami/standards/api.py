import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from hami.core.pagination import Pagination
from hami.core.persian import search_terms
from hami.standards.access import category_for_user, standard_for_user
from hami.standards.models import ProductCategory, Standard

router = Router(tags=["standards"])


class RequirementOut(Schema):
    clause: str
    title_fa: str
    title_en: str
    test_method: str
    limit_kind: str
    low: Decimal | None
    high: Decimal | None
    unit: str
    severity: str


class StandardOut(Schema):
    id: int
    code: str
    number: int
    year: int
    title_fa: str
    title_en: str
    ics: str
    status: str
    superseded_by_id: int | None
    is_mandatory: bool
    mandatory_from: dt.date | None
    scheme: str


class StandardDetailOut(StandardOut):
    requirements: list[RequirementOut]
    categories: list[str]

    @staticmethod
    def resolve_categories(obj):
        return [c.code for c in obj.categories.all()]


class CategoryOut(Schema):
    code: str
    name_fa: str
    name_en: str
    hs_code: str
    isic: str
    hazard_level: int
    standards: list[str]

    @staticmethod
    def resolve_standards(obj):
        return [s.code for s in obj.standards.all()]


class StandardFilters(Schema):
    q: str = ""
    mandatory: bool = False


@router.get("/standards", response=list[StandardOut], summary="The standards catalogue")
@paginate(Pagination, page_size=50)
def list_standards(request, filters: Query[StandardFilters]):
    standards = Standard.objects.all()
    for term in search_terms(filters.q)[:8]:
        standards = standards.filter(search_text__contains=term)
    if filters.mandatory:
        standards = standards.mandatory_on()
    return standards.order_by("number", "-year")


@router.get(
    "/standards/{standard_id}", response=StandardDetailOut, summary="One standard with its requirements"
)
def get_standard(request, standard_id: int):
    return standard_for_user(request.auth, standard_id)


@router.get("/categories", response=list[CategoryOut], summary="Product categories and their standards")
@paginate(Pagination, page_size=100)
def list_categories(request):
    return ProductCategory.objects.prefetch_related(
        Prefetch("standards", queryset=Standard.objects.order_by("number"))
    ).order_by("code")


@router.get("/categories/{code}", response=CategoryOut, summary="One product category")
def get_category(request, code: str):
    return category_for_user(request.auth, code)
