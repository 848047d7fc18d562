import datetime as dt

import pytest
from django.utils import timezone

from hami.licensing.models import Licence, SanctionReason
from hami.licensing.services.applications import (
    application_accept,
    application_audit_done,
    application_create,
    application_record_tests,
    application_submit,
)
from hami.licensing.services.committee import committee_decide
from hami.licensing.services.keys import signing_key_rotate
from hami.registry.services import qc_manager_appoint
from hami.registry.tests.factories import ProductFactory
from hami.standards.tests.factories import CategoryFactory, StandardFactory


@pytest.fixture
def milk_standard(db):
    return StandardFactory(number=93, year=2020, title_fa="شیر پاستوریزه")


def appoint_qc_manager(unit, officer, *, expiry_days: int = 400):
    """The unit's QC manager, certified for `expiry_days` more days: a unit applies only with one."""
    return qc_manager_appoint(
        actor=officer,
        unit=unit,
        full_name="مریم احمدی",
        national_code="0012345679",
        certificate_number="QC-140201",
        certificate_expiry=timezone.localdate() + dt.timedelta(days=expiry_days),
    )


@pytest.fixture
def product(qazvin_unit, milk_standard, qazvin_officer):
    # Other apps import this fixture by name, so it appoints the QC manager itself.
    appoint_qc_manager(qazvin_unit, qazvin_officer)
    category = CategoryFactory(code="dairy-milk", name_fa="شیر")
    category.standards.add(milk_standard)
    return ProductFactory(
        unit=qazvin_unit, category=category, name="شیر پرچرب", brand="کیمیا", model="۱ لیتری"
    )


@pytest.fixture
def qazvin_key(qazvin):
    return signing_key_rotate(actor=None, province=qazvin)


@pytest.fixture
def sanction_reason(db):
    return SanctionReason.objects.get(code="failed-surveillance-test")


MEMBERS = ["مدیر کل", "معاون نظارت", "نماینده اتاق بازرگانی"]


def ready_application(unit_rep, officer, inspector, product, standard):
    application = application_create(actor=unit_rep, product=product, standard=standard)
    application_submit(actor=unit_rep, application=application)
    application_accept(actor=officer, application=application)
    application_audit_done(actor=inspector, application=application)
    return application_record_tests(actor=officer, application=application, passed=True)


@pytest.fixture
def licence(unit_rep, qazvin_officer, qazvin_inspector, product, milk_standard, qazvin_key) -> Licence:
    application = ready_application(unit_rep, qazvin_officer, qazvin_inspector, product, milk_standard)
    return committee_decide(
        actor=qazvin_officer, application=application, grant=True, reason="قبول", members_present=MEMBERS
    ).licence
