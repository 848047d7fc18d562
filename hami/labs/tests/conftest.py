"""Fixtures of the testing flow: an accredited lab with a scope over a small standard, a sample."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import make_user
from hami.core.models import Role
from hami.labs.models import Lab, LabMembership, LabStatus, ScopeLine
from hami.labs.services.samples import sample_take
from hami.licensing.tests.conftest import milk_standard, product  # noqa: F401  (fixtures)
from hami.standards.models import LimitKind, Severity
from hami.standards.tests.factories import RequirementFactory


@pytest.fixture
def requirements(milk_standard):  # noqa: F811
    """Fat ≥ 3 % (major), lead ≤ 0.02 mg/kg (critical), label legible (pass/fail, minor)."""
    return [
        RequirementFactory(standard=milk_standard, clause="5.1", title_fa="چربی", limit_kind=LimitKind.MIN,
                           low=Decimal("3"), high=None, unit="%", severity=Severity.MAJOR),
        RequirementFactory(standard=milk_standard, clause="5.2", title_fa="سرب", limit_kind=LimitKind.MAX,
                           low=None, high=Decimal("0.02"), unit="mg/kg", severity=Severity.CRITICAL),
        RequirementFactory(standard=milk_standard, clause="6.1", title_fa="برچسب",
                           limit_kind=LimitKind.PASS_FAIL, low=None, high=None, unit="",
                           severity=Severity.MINOR),
    ]  # fmt: skip


def make_lab(county, name, *, price=1_000_000, capacity=10, requirements=(), status=LabStatus.APPROVED):
    lab = Lab.objects.create(
        name_fa=name,
        province=county.province,
        county=county,
        status=status,
        accreditation_number="NACI-1",
        accreditation_body="مرکز ملی تأیید صلاحیت",
        accreditation_expiry=timezone.localdate() + dt.timedelta(days=365),
    )
    for requirement in requirements:
        ScopeLine.objects.create(
            lab=lab,
            requirement=requirement,
            method="INSO 366",
            weekly_capacity=capacity,
            price=price,
            turnaround_days=5,
        )
    return lab


@pytest.fixture
def cheap_lab(qazvin_county, requirements):
    return make_lab(qazvin_county, "آزمایشگاه ارزان", price=1_000_000, requirements=requirements)


@pytest.fixture
def dear_lab(qazvin_county, requirements):
    return make_lab(qazvin_county, "آزمایشگاه گران", price=9_000_000, requirements=requirements)


@pytest.fixture
def cheap_lab_user(cheap_lab):
    user = make_user("cheap-lab-user", Role.LAB_STAFF)
    LabMembership.objects.create(user=user, lab=cheap_lab)
    return user


@pytest.fixture
def sample(qazvin_inspector, product, milk_standard, requirements):  # noqa: F811
    return sample_take(
        actor=qazvin_inspector,
        product=product,
        standard=milk_standard,
        origin="factory",
        lot_size=1200,
        seal_number="SL-1",
        inspection_level="II",
        aql="1.0",
    )
