import datetime as dt

import pytest

from hami.core.audit import verify_chain
from hami.core.errors import Forbidden, HamiError
from hami.core.identifiers import make_national_code
from hami.core.models import AuditEvent, EventType
from hami.registry.error_codes import RegistryErrorCode
from hami.registry.models import ProductionUnit
from hami.registry.services import product_create, qc_manager_appoint, site_create, unit_create, unit_update
from hami.standards.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_unit_create_normalizes_and_audits(qazvin_officer, qazvin_county):
    unit = unit_create(
        actor=qazvin_officer,
        national_id="۱۰۳۸۰۲۸۴۷۹۰",
        name_fa="صنايع كيميا",
        county=qazvin_county,
    )
    assert unit.national_id == "10380284790"
    assert unit.name_fa == "صنایع کیمیا"
    assert unit.province == qazvin_county.province
    event = AuditEvent.objects.get(event_type=EventType.UNIT_CREATED)
    assert event.object_id == str(unit.pk) and event.actor == qazvin_officer
    assert list(verify_chain()) == []


def test_unit_with_bad_check_digit_is_refused_and_nothing_written(qazvin_officer, qazvin_county):
    with pytest.raises(HamiError) as exc:
        unit_create(actor=qazvin_officer, national_id="10380284791", name_fa="الف", county=qazvin_county)
    assert exc.value.field == "national_id"
    assert not ProductionUnit.objects.exists() and not AuditEvent.objects.exists()


def test_duplicate_national_id_is_refused(qazvin_unit, qazvin_officer, qazvin_county):
    with pytest.raises(HamiError) as exc:
        unit_create(
            actor=qazvin_officer, national_id=qazvin_unit.national_id, name_fa="دیگر", county=qazvin_county
        )
    assert exc.value.code == RegistryErrorCode.DUPLICATE_NATIONAL_ID


def test_officer_cannot_register_a_unit_in_another_province(tehran_officer, qazvin_county):
    with pytest.raises(Forbidden):
        unit_create(actor=tehran_officer, national_id="10380284790", name_fa="الف", county=qazvin_county)
    assert not ProductionUnit.objects.exists()


def test_inspector_cannot_change_units(qazvin_unit, qazvin_inspector):
    with pytest.raises(Forbidden):
        unit_update(actor=qazvin_inspector, unit=qazvin_unit, name_fa="نام تازه")


def test_unit_update_records_before_and_after(qazvin_unit, qazvin_officer, takestan):
    unit_update(
        actor=qazvin_officer, unit=qazvin_unit, county=takestan, address="خیابان امام", reason="جابجایی"
    )
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.county == takestan
    event = AuditEvent.objects.filter(event_type=EventType.UNIT_UPDATED).latest("seq")
    assert event.reason == "جابجایی"
    assert event.details["address"] == {"from": "", "to": "خیابان امام"}


def test_officer_cannot_move_a_unit_to_another_province(qazvin_unit, qazvin_officer, tehran_county):
    with pytest.raises(Forbidden):
        unit_update(actor=qazvin_officer, unit=qazvin_unit, county=tehran_county)
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.province.code == "qazvin"


def test_site_must_be_in_the_units_province(qazvin_unit, qazvin_officer, tehran_county, takestan):
    with pytest.raises(HamiError) as exc:
        site_create(actor=qazvin_officer, unit=qazvin_unit, name="کارخانه ۲", county=tehran_county)
    assert exc.value.code == RegistryErrorCode.COUNTY_NOT_IN_PROVINCE
    site = site_create(actor=qazvin_officer, unit=qazvin_unit, name="کارخانه ۲", county=takestan)
    product = product_create(
        actor=qazvin_officer, unit=qazvin_unit, category=CategoryFactory(), name="شیر", brand="مهر", site=site
    )
    assert product.site == site


def test_appointing_a_qc_manager_retires_the_previous_one(qazvin_unit, qazvin_officer):
    expiry = dt.date(2028, 1, 1)
    code = make_national_code("001234567")
    first = qc_manager_appoint(
        actor=qazvin_officer, unit=qazvin_unit, full_name="زهرا", national_code=code,
        certificate_number="QC-1", certificate_expiry=expiry,
    )  # fmt: skip
    second = qc_manager_appoint(
        actor=qazvin_officer, unit=qazvin_unit, full_name="محمد", national_code="۰۴۹۹۳۷۰۸۹۹",
        certificate_number="QC-2", certificate_expiry=expiry,
    )  # fmt: skip
    first.refresh_from_db()
    assert not first.is_active and second.is_active and second.national_code == "0499370899"


def test_qc_manager_with_bad_national_code_is_refused(qazvin_unit, qazvin_officer):
    with pytest.raises(HamiError) as exc:
        qc_manager_appoint(
            actor=qazvin_officer, unit=qazvin_unit, full_name="زهرا", national_code="0499370898",
            certificate_number="QC-1", certificate_expiry=dt.date(2028, 1, 1),
        )  # fmt: skip
    assert exc.value.field == "national_code"
    assert not qazvin_unit.qc_managers.exists()
