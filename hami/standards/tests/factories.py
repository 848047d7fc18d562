import datetime as dt

import factory

from hami.standards.models import LimitKind, ProductCategory, Requirement, Standard


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    number = factory.Sequence(lambda n: 10000 + n)
    year = 2020
    title_fa = factory.Sequence(lambda n: f"شیر پاستوریزه — ویژگی‌ها {n}")
    title_en = factory.Sequence(lambda n: f"Pasteurized milk — Specifications {n}")
    is_mandatory = True
    mandatory_from = dt.date(2021, 3, 21)


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    standard = factory.SubFactory(StandardFactory)
    clause = factory.Sequence(lambda n: f"5.{n}")
    title_fa = "چربی"
    limit_kind = LimitKind.MIN
    low = 3
    unit = "%"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCategory

    code = factory.Sequence(lambda n: f"category-{n}")
    name_fa = factory.Sequence(lambda n: f"دسته {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
