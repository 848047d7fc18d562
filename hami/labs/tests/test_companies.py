"""Inspection companies (point 2): registered and approved by the provincial office, with a scope of
product categories and staff; they sample only what their approval and scope allow."""

import pytest

from conftest import make_user
from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Role
from hami.labs.access import companies_for_user, samples_for_user
from hami.labs.models import ApprovalStatus, CompanyMembership, InspectionCompany, Sample
from hami.labs.services.companies import company_create, company_update
from hami.labs.tests.steps import take
from hami.registry.tests.factories import ProductFactory
from hami.standards.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(qazvin_officer, product):
    return company_create(
        actor=qazvin_officer,
        province=qazvin_officer.province,
        name_fa=" بازرسی  کیفیت البرز ",
        phone=" 028-3333 ",
        categories=[product.category],
    )


@pytest.fixture
def inspector(company, qazvin_officer):
    user = make_user("company-inspector", Role.INSPECTION_COMPANY)
    company_update(actor=qazvin_officer, company=company, reason="تأیید", status="approved", staff=[user])
    return user


def test_the_office_registers_a_company_pending_approval(company, product):
    assert company.status == ApprovalStatus.PENDING and company.name_fa == "بازرسی کیفیت البرز"
    assert company.phone == "028-3333" and list(company.categories.all()) == [product.category]
    assert AuditEvent.objects.filter(event_type=EventType.COMPANY_CREATED, object_id=str(company.pk)).exists()


def test_only_the_provinces_office_registers_a_company(tehran_officer, qazvin_inspector, lab_user, qazvin):
    for actor in (tehran_officer, qazvin_inspector, lab_user):
        with pytest.raises(Forbidden):
            company_create(actor=actor, province=qazvin, name_fa="بازرسی")
    with pytest.raises(HamiError) as caught:
        company_create(actor=make_user("office-2", Role.OFFICE_STAFF, qazvin), province=qazvin, name_fa=" ")
    assert caught.value.field == "name_fa"
    assert not InspectionCompany.objects.exists()


def test_approval_scope_and_staff_change_with_a_reason_and_an_audit_event(company, qazvin_officer, product):
    first, second = (make_user(name, Role.INSPECTION_COMPANY) for name in ("co-1", "co-2"))
    other_category = CategoryFactory(code="dairy-cheese")
    company_update(
        actor=qazvin_officer,
        company=company,
        reason="مدارک کامل",
        status="approved",
        categories=[product.category, other_category],
        staff=[first, second],
    )
    company_update(actor=qazvin_officer, company=company, reason="جابه‌جایی کارکنان", staff=[second])
    company.refresh_from_db()
    assert company.status == "approved" and company.categories.count() == 2
    assert list(CompanyMembership.objects.values_list("user__username", flat=True)) == ["co-2"]
    updates = AuditEvent.objects.filter(event_type=EventType.COMPANY_UPDATED).order_by("seq")
    assert [u.reason for u in updates] == ["مدارک کامل", "جابه‌جایی کارکنان"]
    assert updates[0].details["status"] == ["pending", "approved"]
    assert updates[0].details["categories"] == sorted(["dairy-cheese", product.category.code])


def test_a_change_without_a_reason_or_with_a_wrong_user_changes_nothing(company, qazvin_officer, unit_rep):
    with pytest.raises(HamiError) as caught:
        company_update(actor=qazvin_officer, company=company, reason=" ", status="approved")
    assert caught.value.field == "reason"
    with pytest.raises(HamiError) as caught:
        company_update(
            actor=qazvin_officer, company=company, reason="کارکنان", status="approved", staff=[unit_rep]
        )
    assert caught.value.field == "staff" and "unit-rep" in caught.value.message
    company.refresh_from_db()
    assert company.status == "pending" and not company.memberships.exists()


@pytest.mark.parametrize("status", ["bogus", "", "APPROVED"])
def test_an_unknown_status_is_refused(company, qazvin_officer, status):
    with pytest.raises(HamiError) as caught:
        company_update(actor=qazvin_officer, company=company, reason="x", status=status)
    assert caught.value.field == "status"
    company.refresh_from_db()
    assert company.status == "pending"


def test_a_revoked_company_stays_revoked(company, qazvin_officer):
    company_update(actor=qazvin_officer, company=company, reason="تخلف", status="revoked")
    with pytest.raises(HamiError) as caught:
        company_update(actor=qazvin_officer, company=company, reason="بازگشت", status="approved")
    assert caught.value.code == "wrong_state"
    company.refresh_from_db()
    assert company.status == "revoked"


def test_only_the_companys_office_changes_it(company, tehran_officer, qazvin_inspector, admin_user):
    for actor in (tehran_officer, qazvin_inspector):
        with pytest.raises(Forbidden):
            company_update(actor=actor, company=company, reason="x", status="approved")
    company_update(actor=admin_user, company=company, reason="تأیید ملی", status="approved")
    company.refresh_from_db()
    assert company.status == "approved"


def test_company_staff_sample_products_of_their_scope(inspector, company, product, milk_standard):
    sample = take(inspector, product, milk_standard, company=company)
    assert sample.company == company and sample.taken_by == inspector
    assert list(samples_for_user(inspector)) == [sample]


def test_a_company_does_not_sample_outside_its_scope(inspector, company, qazvin_unit, milk_standard):
    elsewhere = ProductFactory(unit=qazvin_unit, category=CategoryFactory(code="cement"), name="سیمان")
    with pytest.raises(HamiError) as caught:
        take(inspector, elsewhere, milk_standard, company=company)
    assert caught.value.code == "not_in_scope"
    assert not Sample.objects.exists()


@pytest.mark.parametrize("status", ["pending", "suspended", "revoked"])
def test_a_company_not_approved_does_not_sample(
    inspector, company, qazvin_officer, product, milk_standard, status
):
    if status != "pending":
        company_update(actor=qazvin_officer, company=company, reason="x", status=status)
    else:
        InspectionCompany.objects.filter(pk=company.pk).update(status="pending")
    company.refresh_from_db()
    with pytest.raises(HamiError) as caught:
        take(inspector, product, milk_standard, company=company)
    assert caught.value.code == "not_accredited"
    assert not Sample.objects.exists()


def test_staff_of_one_company_cannot_sample_in_anothers_name(
    inspector, qazvin_officer, product, milk_standard
):
    other = company_create(
        actor=qazvin_officer, province=qazvin_officer.province, name_fa="دیگری", categories=[product.category]
    )
    company_update(actor=qazvin_officer, company=other, reason="تأیید", status="approved")
    with pytest.raises(Forbidden):
        take(inspector, product, milk_standard, company=other)


def test_company_staff_see_their_company_and_its_samples_only(
    inspector, company, product, milk_standard, qazvin_inspector, tehran_officer
):
    ours = take(inspector, product, milk_standard, company=company)
    take(qazvin_inspector, product, milk_standard, seal="SL-9")  # the office's own sample
    assert list(companies_for_user(inspector)) == [company]
    assert list(samples_for_user(inspector)) == [ours]
    assert not companies_for_user(tehran_officer).exists()
