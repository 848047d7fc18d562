import pytest
from django.urls import reverse

from hami.standards.tests.factories import CategoryFactory, RequirementFactory, StandardFactory

pytestmark = pytest.mark.django_db


def test_catalogue_needs_login(client):
    assert client.get(reverse("standards:standard_list")).status_code == 302


def test_search_standards_by_number_and_persian_title(client, qazvin_officer):
    from hami.standards.services import standard_search_text

    milk = StandardFactory(number=2406, title_fa="شير پاستوريزه")
    milk.search_text = standard_search_text(milk)
    milk.save()
    cement = StandardFactory(number=389, title_fa="سیمان پرتلند")
    cement.search_text = standard_search_text(cement)
    cement.save()
    client.force_login(qazvin_officer)
    page = client.get(reverse("standards:standard_list"), {"q": "شیر"}).context["page"]
    assert [s.number for s in page] == [2406]
    page = client.get(reverse("standards:standard_list"), {"q": "۳۸۹"}).context["page"]
    assert [s.number for s in page] == [389]


def test_standard_page_shows_requirements_and_categories(client, qazvin_officer):
    requirement = RequirementFactory(title_fa="چربی شیر", low=3)
    category = CategoryFactory(name_fa="شیر")
    category.standards.add(requirement.standard)
    client.force_login(qazvin_officer)
    response = client.get(reverse("standards:standard_detail", args=[requirement.standard.pk]))
    assert "چربی شیر" in response.text and "شیر" in response.text


def test_unknown_standard_and_category_are_404(client, qazvin_officer):
    client.force_login(qazvin_officer)
    assert client.get(reverse("standards:standard_detail", args=[999999])).status_code == 404
    assert client.get(reverse("standards:category_detail", args=["nope"])).status_code == 404


def test_only_national_admin_reaches_the_import_page(client, qazvin_officer, admin_user):
    client.force_login(qazvin_officer)
    assert client.get(reverse("standards:standards_import")).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("standards:standards_import")).status_code == 200


def test_api_lists_standards_and_categories(client, qazvin_officer):
    requirement = RequirementFactory()
    category = CategoryFactory(code="dairy-milk")
    category.standards.add(requirement.standard)
    client.force_login(qazvin_officer)
    standards = client.get("/api/v1/standards").json()
    assert standards["count"] == 1
    detail = client.get(f"/api/v1/standards/{requirement.standard.pk}").json()
    assert detail["requirements"][0]["limit_kind"] == "min" and detail["categories"] == ["dairy-milk"]
    categories = client.get("/api/v1/categories").json()
    assert categories["items"][0]["standards"] == [requirement.standard.code]
    assert client.get("/api/v1/categories/nope").status_code == 404
    assert client.get("/api/v1/standards/not-a-number").status_code == 422
