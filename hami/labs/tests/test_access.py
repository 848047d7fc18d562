import pytest

from hami.labs.access import companies_for_user, labs_for_user
from hami.labs.models import CompanyMembership, InspectionCompany, Lab

pytestmark = pytest.mark.django_db


@pytest.fixture
def tehran_lab(tehran_county):
    province = tehran_county.province
    return Lab.objects.create(name_fa="آزمایشگاه تهران", province=province, county=tehran_county)


def test_lab_staff_see_only_their_lab(lab_user, tehran_lab):
    assert [lab.name_fa for lab in labs_for_user(lab_user)] == ["آزمایشگاه همکار البرز"]


def test_office_sees_its_provinces_labs(qazvin_officer, lab_user, tehran_lab, tehran_officer, admin_user):
    assert [lab.name_fa for lab in labs_for_user(qazvin_officer)] == ["آزمایشگاه همکار البرز"]
    assert [lab.name_fa for lab in labs_for_user(tehran_officer)] == ["آزمایشگاه تهران"]
    assert labs_for_user(admin_user).count() == 2


def test_unit_rep_and_outsider_see_no_lab(unit_rep, outsider, lab_user):
    assert not labs_for_user(unit_rep).exists() and not labs_for_user(outsider).exists()


def test_company_staff_see_only_their_company(qazvin, tehran, outsider):
    from conftest import make_user
    from hami.core.models import Role

    mine = InspectionCompany.objects.create(name_fa="بازرسی البرز", province=qazvin)
    InspectionCompany.objects.create(name_fa="بازرسی تهران", province=tehran)
    user = make_user("company-user", Role.INSPECTION_COMPANY)
    CompanyMembership.objects.create(user=user, company=mine)
    assert list(companies_for_user(user)) == [mine]
    assert not companies_for_user(outsider).exists()
