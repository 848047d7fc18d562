"""The test-capacity map (point 8): for every requirement of the mandatory standards, the labs that can
test it in the province and in the country, their yearly capacity and the last 12 months' demand; the
page with its filters, and its CSV and XLSX exports."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hami.labs.models import ScopeLine, TestItem
from hami.labs.selectors import WEEKS_PER_YEAR, capacity_map
from hami.labs.services.orders import order_reject
from hami.labs.tests.conftest import make_lab
from hami.labs.tests.steps import place, staff_of, take
from hami.standards.tests.factories import CategoryFactory, RequirementFactory, StandardFactory

pytestmark = pytest.mark.django_db

URL = reverse("labs:capacity")


@pytest.fixture
def world(qazvin_county, tehran_county, requirements):
    """Qazvin: two labs for everything (10 a week each); Tehran: one lab for fat (7 a week); a lapsed
    and a suspended lab that count for nothing; a voluntary standard that is not on the map."""
    fat = requirements[0]
    make_lab(qazvin_county, "قزوین یک", capacity=10, requirements=requirements)
    make_lab(qazvin_county, "قزوین دو", capacity=10, requirements=requirements)
    make_lab(tehran_county, "تهران", capacity=7, requirements=[fat])
    lapsed = make_lab(tehran_county, "منقضی", capacity=100, requirements=requirements)
    lapsed.accreditation_expiry = timezone.localdate() - dt.timedelta(days=1)
    lapsed.save()
    make_lab(tehran_county, "تعلیق", capacity=100, requirements=requirements, status="suspended")
    voluntary = StandardFactory(number=5000, is_mandatory=False, mandatory_from=None)
    RequirementFactory(standard=voluntary, clause="1.1")
    return requirements


def _rows(rows) -> dict:
    return {
        row.requirement.clause: (row.labs_in_province, row.labs_in_country, row.yearly_capacity, row.demand)
        for row in rows
    }


def test_labs_and_yearly_capacity_per_mandatory_requirement(world, qazvin, tehran):
    assert _rows(capacity_map(qazvin)) == {
        "5.1": (2, 3, 27 * WEEKS_PER_YEAR, 0),
        "5.2": (2, 2, 20 * WEEKS_PER_YEAR, 0),
        "6.1": (2, 2, 20 * WEEKS_PER_YEAR, 0),
    }
    assert {clause: row[0] for clause, row in _rows(capacity_map(tehran)).items()} == {
        "5.1": 1,
        "5.2": 0,
        "6.1": 0,
    }
    assert {clause: row[0] for clause, row in _rows(capacity_map(None)).items()} == {
        "5.1": 0,
        "5.2": 0,
        "6.1": 0,
    }


def test_demand_counts_the_last_twelve_months_of_live_orders(
    world, qazvin_officer, sample, qazvin_inspector, product, milk_standard
):
    first = place(qazvin_officer)  # the two Qazvin labs cost the same: one order or two
    take(qazvin_inspector, product, milk_standard, seal="B")
    place(qazvin_officer)
    assert {row.demand for row in capacity_map(qazvin_officer.province)} == {2}
    for n, order in enumerate(first):
        order_reject(actor=staff_of(order.lab, f"lab-staff-{n}"), order=order, reason="ظرفیت ندارد")
    assert {row.demand for row in capacity_map(qazvin_officer.province)} == {1}
    TestItem.objects.filter(order__state="sent").update(created_at=timezone.now() - dt.timedelta(days=400))
    assert {row.demand for row in capacity_map(qazvin_officer.province)} == {0}


def test_a_test_no_lab_can_do_is_a_gap(world, milk_standard, qazvin):
    RequirementFactory(standard=milk_standard, clause="7.1", title_fa="آفلاتوکسین")
    rows = capacity_map(qazvin)
    gap = next(row for row in rows if row.requirement.clause == "7.1")
    assert gap.gap and gap.load is None and gap.yearly_capacity == 0
    assert [row.requirement.clause for row in capacity_map(qazvin, gaps_only=True)] == ["7.1"]


def test_the_map_filters_by_standard_and_category(world, milk_standard, product, qazvin):
    other = StandardFactory(number=2406)
    RequirementFactory(standard=other, clause="4.1")
    assert {row.requirement.standard for row in capacity_map(qazvin)} == {milk_standard, other}
    assert {row.requirement.standard for row in capacity_map(qazvin, standard=other)} == {other}
    by_category = capacity_map(qazvin, category=product.category)
    assert {row.requirement.standard for row in by_category} == {milk_standard} and len(by_category) == 3
    assert capacity_map(qazvin, category=CategoryFactory()) == []


def test_the_map_reads_a_constant_number_of_queries(
    world, qazvin, django_assert_max_num_queries, qazvin_county
):
    for n in range(10):
        make_lab(qazvin_county, f"آزمایشگاه {n}", requirements=world)
    with django_assert_max_num_queries(4):
        assert len(capacity_map(qazvin)) == 3


def test_an_inactive_scope_line_adds_no_capacity(world, qazvin):
    ScopeLine.objects.filter(lab__name_fa="قزوین دو", requirement__clause="5.2").update(active=False)
    assert _rows(capacity_map(qazvin))["5.2"] == (1, 1, 10 * WEEKS_PER_YEAR, 0)


# --- the page and its exports --------------------------------------------------------------------------


def test_the_office_sees_its_provinces_map(client, world, qazvin_officer, django_assert_max_num_queries):
    client.force_login(qazvin_officer)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert response.context["province"].code == "qazvin" and len(rows) == 3
    assert response.context["gaps"] == 0
    assert "capacity-table" in response.content.decode()


def test_the_page_filters_and_marks_gaps(client, world, qazvin_officer, milk_standard):
    RequirementFactory(standard=milk_standard, clause="7.1", title_fa="آفلاتوکسین")
    client.force_login(qazvin_officer)
    response = client.get(URL, {"gaps": "on"})
    assert [row.requirement.clause for row in response.context["rows"]] == ["7.1"]
    assert response.context["gaps"] == 1 and "table-danger" in response.content.decode()
    other = StandardFactory(number=2406)
    response = client.get(URL, {"standard": other.pk})
    assert response.context["rows"] == []


@pytest.mark.parametrize("query", [{"standard": "abc"}, {"standard": "99999"}, {"category": "x" * 500},
                                   {"gaps": "maybe"}, {"province": "atlantis"}])  # fmt: skip
def test_junk_filters_never_break_the_page(client, world, qazvin_officer, admin_user, query):
    for user in (qazvin_officer, admin_user):
        client.force_login(user)
        assert client.get(URL, query).status_code == 200


def test_a_national_admin_chooses_the_province(client, world, admin_user):
    client.force_login(admin_user)
    response = client.get(URL, {"province": "tehran"})
    assert response.status_code == 200 and response.context["province"].code == "tehran"
    assert {r.requirement.clause: r.labs_in_province for r in response.context["rows"]}["5.1"] == 1
    assert response.context["provinces"] is not None


def test_only_the_office_sees_the_map(client, world, lab_user, unit_rep, outsider):
    for user in (lab_user, unit_rep, outsider):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.get(reverse("labs:capacity_export", args=["csv"])).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_csv_export_has_every_row_in_persian_for_excel(client, world, qazvin_officer, milk_standard):
    RequirementFactory(standard=milk_standard, clause="7.1", title_fa="آفلاتوکسین")
    client.force_login(qazvin_officer)
    response = client.get(reverse("labs:capacity_export", args=["csv"]), {"standard": milk_standard.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="test-capacity-' in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 5 and len(rows[0]) == 8
    assert rows[0][0] != "Standard"  # the header is in the reader's language, Persian by default
    by_clause = {row[1]: row for row in rows[1:]}
    assert by_clause["5.1"][3:7] == ["2", "3", str(27 * WEEKS_PER_YEAR), "0"]
    assert by_clause["7.1"][7] and not by_clause["5.1"][7]


def test_the_xlsx_export_reads_back_with_the_same_rows(client, world, qazvin_officer, in_english):
    client.force_login(qazvin_officer)
    response = client.get(reverse("labs:capacity_export", args=["xlsx"]), {"gaps": ""},
                          HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 4 and rows[1][1] == "5.1" and rows[1][3:7] == [2, 3, 27 * WEEKS_PER_YEAR, 0]


def test_an_unknown_export_format_is_not_found(client, world, qazvin_officer):
    client.force_login(qazvin_officer)
    for fmt in ("pdf", "exe", "CSV"):
        assert client.get(reverse("labs:capacity_export", args=[fmt])).status_code == 404
