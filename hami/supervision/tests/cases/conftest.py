"""Fixtures of market cases and complaints: a milk product of the Qazvin unit tested by a lab (the labs
flow), licences written straight to the table in any state, public complaints, triaged cases."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_user
from hami.core.models import Role
from hami.labs.models import Sample
from hami.labs.services.results import report_issue
from hami.labs.tests.conftest import cheap_lab, cheap_lab_user, requirements  # noqa: F401  (fixtures)
from hami.labs.tests.steps import BAD_LEAD, place, report_all, take
from hami.licensing.models import Licence
from hami.licensing.services.complaints import complaint_file
from hami.licensing.tests.conftest import milk_standard, product  # noqa: F401  (fixtures)
from hami.licensing.tracking import new_tracking_code
from hami.supervision.services.cases import complaint_triage

SHOP = "فروشگاه زنجیره‌ای رفاه، خیابان خیام قزوین"
COMPLAINT_TEXT = "شیر این بسته بوی ترشیدگی می‌داد و تاریخ تولید پاک شده بود"
CONTACT = "09121234567"

_numbers = iter(range(1, 10_000))


def make_licence(unit, standard, *, state="active", expires_in_days=365, code=None) -> Licence:
    """A licence row with no versions (tests of cases read only its holder, state and dates)."""
    return Licence.objects.create(
        number=f"QZ-{next(_numbers):05d}",
        tracking_code=code or new_tracking_code(),
        unit=unit,
        standard=standard,
        province=unit.province,
        state=state,
        expires_on=timezone.localdate() + dt.timedelta(days=expires_in_days),
    )


def unknown_code() -> str:
    """A well-formed tracking code that no licence has."""
    while True:
        code = new_tracking_code()
        if not Licence.objects.filter(tracking_code=code).exists():
            return code


def market_sample(actor, product, standard, *, seal="SL-M1", origin="market"):  # noqa: F811
    return take(actor, product, standard, origin=origin, seal=seal, place=SHOP if origin == "market" else "")


def lab_tested(officer, lab_user, samples, results=BAD_LEAD) -> list:
    """Place the samples with the lab, report every test from `results`, issue the reports."""
    # One lab only: lift the rotation limit that would hold back a unit's fourth order to it.
    samples = Sample.objects.filter(pk__in=[sample.pk for sample in samples])
    orders = place(officer, samples, rotation_limit=1000)
    return [report_issue(actor=lab_user, order=report_all(lab_user, order, results)) for order in orders]


@pytest.fixture
def milk_licence(qazvin_unit, milk_standard):  # noqa: F811
    return make_licence(qazvin_unit, milk_standard)


@pytest.fixture
def tehran_inspector(tehran):
    return make_user("tehran-inspector", Role.INSPECTOR, tehran)


@pytest.fixture
def public_complaint(milk_licence):
    """Filed from the public verification page on the Qazvin unit's milk licence."""
    return complaint_file(
        licence=milk_licence, tracking_code=milk_licence.tracking_code, text=COMPLAINT_TEXT, contact=CONTACT
    )


@pytest.fixture
def unknown_code_complaint(db):
    return complaint_file(
        licence=None,
        tracking_code=unknown_code(),
        text="این کد روی بسته چای تقلبی است",
        contact="x@example.com",
    )


@pytest.fixture
def complaint_case(public_complaint, qazvin_officer):
    return complaint_triage(actor=qazvin_officer, complaint=public_complaint, priority="normal")
