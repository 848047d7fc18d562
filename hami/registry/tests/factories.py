import factory

from hami.core.identifiers import make_legal_id
from hami.core.models import County
from hami.core.persian import search_key
from hami.registry.models import Product, ProductionUnit
from hami.standards.tests.factories import CategoryFactory


def _legal_id(n: int) -> str:
    return make_legal_id(f"14{n + 1000:08d}")


class UnitFactory(factory.django.DjangoModelFactory):
    """A unit written straight to the table (tests of reads); writes under test go through services."""

    class Meta:
        model = ProductionUnit

    national_id = factory.Sequence(_legal_id)
    name_fa = factory.Sequence(lambda n: f"کارخانه آزمایشی {n}")
    name_en = factory.Sequence(lambda n: f"Test Factory {n}")
    county = factory.LazyFunction(lambda: County.objects.get(province__code="qazvin", code="qazvin"))
    province = factory.LazyAttribute(lambda o: o.county.province)
    search_text = factory.LazyAttribute(
        lambda o: f"{search_key(o.name_fa)} {search_key(o.name_en)} {o.national_id}"
    )


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    unit = factory.SubFactory(UnitFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"محصول {n}")
    brand = "مهر"
