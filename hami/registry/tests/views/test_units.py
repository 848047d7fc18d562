import pytest
from django.urls import reverse

from hami.registry.models import ProductionUnit
from hami.registry.tests.factories import ProductFactory, UnitFactory
from hami.standards.tests.factories import CategoryFactory, StandardFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("registry:unit_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_office_lists_only_its_province(client, qazvin_officer, qazvin_unit, tehran_unit):
    client.force_login(qazvin_officer)
    response = client.get(reverse("registry:unit_list"))
    assert response.status_code == 200
    assert qazvin_unit.name_fa in response.text
    assert tehran_unit.name_fa not in response.text


def test_office_cannot_open_another_provinces_unit(client, qazvin_officer, tehran_unit):
    client.force_login(qazvin_officer)
    response = client.get(reverse("registry:unit_detail", args=[tehran_unit.public_id]))
    assert response.status_code == 404


def test_national_admin_sees_every_province(client, admin_user, qazvin_unit, tehran_unit):
    client.force_login(admin_user)
    response = client.get(reverse("registry:unit_list"))
    assert qazvin_unit.name_fa in response.text and tehran_unit.name_fa in response.text


def test_unit_rep_sees_only_its_unit(client, unit_rep, qazvin_unit):
    other = UnitFactory()
    client.force_login(unit_rep)
    assert client.get(reverse("registry:unit_detail", args=[qazvin_unit.public_id])).status_code == 200
    assert client.get(reverse("registry:unit_detail", args=[other.public_id])).status_code == 404


def test_lab_and_outsider_see_no_units(client, lab_user, outsider, qazvin_unit):
    for user in (lab_user, outsider):
        client.force_login(user)
        assert qazvin_unit.name_fa not in client.get(reverse("registry:unit_list")).text
        assert client.get(reverse("registry:unit_detail", args=[qazvin_unit.public_id])).status_code == 404


@pytest.mark.parametrize("typed", ["كيميا", "کیمیاگستر", "كيميا گستر", "۱۰۳۸۰۲۸۴۷۹۰", "kimia"])
def test_search_finds_a_unit_whatever_the_script(client, qazvin_officer, qazvin_unit, typed):
    UnitFactory(name_fa="سیمان تاکستان")
    client.force_login(qazvin_officer)
    response = client.get(reverse("registry:unit_list"), {"q": typed})
    assert qazvin_unit.name_fa in response.text
    assert "سیمان تاکستان" not in response.text


def test_list_is_paginated_with_bounded_queries(client, qazvin_officer, django_assert_max_num_queries):
    UnitFactory.create_batch(60)
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("registry:unit_list"), {"page": 2})
    assert response.status_code == 200
    assert response.context["page"].number == 2 and len(response.context["page"]) == 25


def test_bad_page_number_is_not_an_error(client, qazvin_officer):
    client.force_login(qazvin_officer)
    assert client.get(reverse("registry:unit_list"), {"page": "abc"}).status_code == 200
    assert client.get(reverse("registry:unit_list"), {"page": "99999"}).status_code == 200


def test_htmx_search_returns_only_the_rows(client, qazvin_officer, qazvin_unit):
    client.force_login(qazvin_officer)
    response = client.get(reverse("registry:unit_list"), {"q": "کیمیا"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.text and qazvin_unit.name_fa in response.text


def test_unit_page_marks_products_under_a_mandatory_standard(client, qazvin_officer, qazvin_unit):
    milk = CategoryFactory(name_fa="شیر")
    milk.standards.add(StandardFactory(number=2406))
    voluntary = CategoryFactory(name_fa="اسباب‌بازی چوبی")
    voluntary.standards.add(StandardFactory(number=7000, is_mandatory=False, mandatory_from=None))
    ProductFactory(unit=qazvin_unit, category=milk, name="شیر پرچرب")
    ProductFactory(unit=qazvin_unit, category=voluntary, name="عروسک چوبی")
    client.force_login(qazvin_officer)
    response = client.get(reverse("registry:unit_detail", args=[qazvin_unit.public_id]))
    products = {p.name: [s.number for s in p.mandatory] for p in response.context["products"]}
    assert products == {"شیر پرچرب": [2406], "عروسک چوبی": []}
    assert "۲۴۰۶" in response.text


def test_unit_page_shows_jalali_dates_in_persian_and_gregorian_in_english(
    client, qazvin_officer, qazvin_unit
):
    client.force_login(qazvin_officer)
    url = reverse("registry:unit_detail", args=[qazvin_unit.public_id])
    from hami.core.jalali import format_date

    assert format_date(qazvin_unit.created_at, long=True, language="fa") in client.get(url).text
    client.cookies["django_language"] = "en"
    assert format_date(qazvin_unit.created_at, long=True, language="en") in client.get(url).text


def test_unknown_unit_is_404_not_500(client, qazvin_officer):
    client.force_login(qazvin_officer)
    assert client.get("/units/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/units/not-a-uuid/").status_code == 404


def test_officer_registers_a_unit_by_form(client, qazvin_officer, qazvin_county):
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("registry:unit_new"),
        {
            "national_id": "۱۰۳۸۰۲۸۴۷۹۰",
            "name_fa": "صنايع نوين",
            "county": qazvin_county.pk,
            "size_class": "micro",
        },
    )
    unit = ProductionUnit.objects.get()
    assert response.status_code == 302 and unit.name_fa == "صنایع نوین"


def test_form_with_bad_check_digit_shows_the_error_and_writes_nothing(client, qazvin_officer, qazvin_county):
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("registry:unit_new"),
        {"national_id": "10380284791", "name_fa": "الف", "county": qazvin_county.pk, "size_class": "small"},
    )
    assert response.status_code == 200
    assert "national_id" in response.context["form"].errors
    assert not ProductionUnit.objects.exists()


def test_officer_cannot_pick_a_county_of_another_province(client, qazvin_officer, tehran_county):
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("registry:unit_new"),
        {"national_id": "10380284790", "name_fa": "الف", "county": tehran_county.pk, "size_class": "small"},
    )
    assert "county" in response.context["form"].errors
    assert not ProductionUnit.objects.exists()


def test_inspector_and_unit_rep_cannot_register_units(client, qazvin_inspector, unit_rep):
    for user in (qazvin_inspector, unit_rep):
        client.force_login(user)
        assert client.get(reverse("registry:unit_new")).status_code == 403
