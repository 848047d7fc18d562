"""Rows written straight to the tables for the scoring tests (reads under test; writes of other areas are
not what these tests are about): failed test reports, findings, corrective actions, complaints, visits and
licences of a unit, each dated relative to `NOW`."""

import datetime as dt
import itertools

from django.utils import timezone

from hami.core.models import Province, Role, User
from hami.labs.models import Lab, Sample, TestOrder, TestReport
from hami.licensing.models import Complaint, Licence
from hami.registry.tests.factories import ProductFactory, UnitFactory
from hami.standards.tests.factories import CategoryFactory, StandardFactory
from hami.supervision import models as m
from hami.supervision.tests.factories import CorrectiveActionFactory, FindingFactory, InspectionFactory

NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 1)  # NOW's local day in Tehran
_numbers = itertools.count(1)


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def staff() -> User:
    user = User.objects.filter(username="score-builder").first()
    if user is None:
        qazvin = Province.objects.get(code="qazvin")
        user = User.objects.create_user(username="score-builder", role=Role.OFFICE_STAFF, province=qazvin)
    return user


def unit(**fields):
    return UnitFactory(**fields)


def product(unit, hazard_level: int = 2):
    return ProductFactory(unit=unit, category=CategoryFactory(hazard_level=hazard_level))


def report(unit, *, days: int = 30, conformity: str = "does_not_conform", amended_by: str | None = None):
    """A test report on a sample of the unit's product, `days` before NOW; `amended_by` adds a second
    version (issued a day later) with that conformity."""
    n = next(_numbers)
    item = unit.products.first() or product(unit)
    lab = Lab.objects.filter(name_fa="آزمایشگاه امتیاز").first() or Lab.objects.create(
        name_fa="آزمایشگاه امتیاز", province=unit.province, county=unit.county
    )
    sample = Sample.objects.create(
        code=f"SC-{n:06d}", seal_number=f"S{n}", origin="factory", unit=unit, product=item,
        standard=StandardFactory(), province=unit.province, taken_by=staff(), taken_at=days_ago(days + 10),
        lot_size=500, aql="1.0", code_letter="H", sample_size=50, accept=1, reject=2,
    )  # fmt: skip
    order = TestOrder.objects.create(number=f"TO-SC-{n}", sample=sample, lab=lab, province=unit.province)
    first = TestReport.objects.create(
        number=f"TR-SC-{n}-1", order=order, version=1, verdict="fail", conformity=conformity, content={},
        issued_at=days_ago(days), issued_by=staff(),
    )  # fmt: skip
    if amended_by:
        TestReport.objects.create(
            number=f"TR-SC-{n}-2", order=order, version=2, amends=first, verdict="pass",
            conformity=amended_by, content={}, issued_at=days_ago(days - 1), issued_by=staff(),
            reason="Transcription error",
        )  # fmt: skip
    return first


def visit(unit, *, days: int, state: str = m.InspectionState.DONE):
    return InspectionFactory(unit=unit, state=state, scheduled_on=TODAY - dt.timedelta(days=days))


def finding(unit, *, severity: str = "major", state: str = m.FindingState.OPEN, days: int = 400):
    """A finding of a visit `days` ago (the visit counts as the unit's last inspection too)."""
    return FindingFactory(inspection=visit(unit, days=days), severity=severity, state=state)


def action(unit, *, state: str, due_days: int, verified_days: int | None = None):
    """A corrective action due `due_days` before TODAY (negative: after), verified `verified_days` ago."""
    return CorrectiveActionFactory(
        finding=finding(unit, state=m.FindingState.CORRECTED),
        state=state,
        due_on=TODAY - dt.timedelta(days=due_days),
        verified_at=days_ago(verified_days) if verified_days is not None else None,
    )


def complaint(unit, *, outcome: str = m.ComplaintOutcome.UPHELD, days: int = 30, closed: bool = True):
    filed = Complaint.objects.create(province=unit.province, text="The kettle leaks.")
    return m.ComplaintCase.objects.create(
        complaint=filed, province=unit.province, channel=m.ComplaintChannel.PUBLIC, unit=unit,
        state=m.TriageState.CLOSED if closed else m.TriageState.INVESTIGATING,
        outcome=outcome if closed else "", closed_at=days_ago(days) if closed else None,
    )  # fmt: skip


def licence(unit, *, state: str = "active", expires_days: int = -365, changed_days: int = 10):
    """A licence expiring `expires_days` before TODAY (negative: in the future), its state last changed
    `changed_days` ago."""
    n = next(_numbers)
    row = Licence.objects.create(
        number=f"L-SC-{n}", tracking_code=f"{n:010d}", unit=unit, standard=StandardFactory(),
        province=unit.province, state=state, expires_on=TODAY - dt.timedelta(days=expires_days),
    )  # fmt: skip
    Licence.objects.filter(pk=row.pk).update(updated_at=days_ago(changed_days))
    return row


def in_tehran_time(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()
