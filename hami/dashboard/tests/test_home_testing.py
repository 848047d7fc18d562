"""The lab's and the inspection company's home pages show their work."""

import pytest

from conftest import make_user
from hami.core.models import Role
from hami.labs.models import CompanyMembership, InspectionCompany, Sample
from hami.labs.services.orders import assignment_confirm, assignment_propose

pytestmark = pytest.mark.django_db


def test_lab_home_lists_the_orders_waiting_for_an_answer(client, qazvin_officer, sample, cheap_lab_user):
    client.force_login(cheap_lab_user)
    assert client.get("/").context["incoming"] == []
    batch = assignment_propose(
        actor=qazvin_officer, province=qazvin_officer.province, samples=Sample.objects.all()
    )
    [order] = assignment_confirm(actor=qazvin_officer, batch=batch)
    page = client.get("/")
    assert order.number in page.text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    assert [o.pk for o in page.context["incoming"]] == [order.pk]


def test_company_home_lists_the_samples_it_must_send(client, qazvin, sample):
    company = InspectionCompany.objects.create(name_fa="بازرسی البرز", province=qazvin, status="approved")
    user = make_user("company-user", Role.INSPECTION_COMPANY)
    CompanyMembership.objects.create(user=user, company=company)
    client.force_login(user)
    assert client.get("/").context["to_send"] == []
    Sample.objects.filter(pk=sample.pk).update(company=company)
    assert [s.pk for s in client.get("/").context["to_send"]] == [sample.pk]
