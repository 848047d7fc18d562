"""Fixtures of the plan tests: Qazvin's inspectors, a few units in two counties with scores and past
inspections, and plans for Ordibehesht 1405 (2026-04-21 … 2026-05-21) made through the service."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.registry.tests.factories import UnitFactory
from hami.supervision.models import InspectionState, ScoreRun, ScoreRunState, UnitScore
from hami.supervision.services.plans import plan_generate
from hami.supervision.tests.factories import InspectionFactory, InspectorFactory

YEAR, MONTH = 1405, 2  # Ordibehesht 1405
FIRST, LAST = dt.date(2026, 4, 21), dt.date(2026, 5, 21)


@pytest.fixture
def second_inspector(qazvin):
    return InspectorFactory(username="qazvin-inspector-2", first_name="Reza", last_name="Karimi")


@pytest.fixture
def inspectors(qazvin_inspector, second_inspector):
    return [qazvin_inspector, second_inspector]


@pytest.fixture
def units(qazvin_county, takestan):
    """Six units: a serious one, a high one, two never inspected, one inspected last week (not due), one
    in Takestan overdue (last visited by qazvin_inspector)."""
    return {
        "serious": UnitFactory(name_fa="واحد پرخطر", county=qazvin_county),
        "high": UnitFactory(name_fa="واحد خطر بالا", county=qazvin_county),
        "new_a": UnitFactory(name_fa="واحد تازه الف", county=qazvin_county),
        "new_b": UnitFactory(name_fa="واحد تازه ب", county=takestan),
        "recent": UnitFactory(name_fa="واحد تازه بازرسی‌شده", county=qazvin_county),
        "overdue": UnitFactory(name_fa="واحد عقب‌افتاده", county=takestan),
    }


@pytest.fixture
def history(units, qazvin_inspector):
    """Done inspections: `recent` a week before the period (a low-risk unit: not due), `overdue` 400 days
    before by qazvin_inspector, and a score run giving the tiers (new_a and new_b unscored)."""
    InspectionFactory(
        unit=units["recent"],
        inspector=qazvin_inspector,
        state=InspectionState.DONE,
        scheduled_on=FIRST - dt.timedelta(days=7),
    )
    InspectionFactory(
        unit=units["overdue"], inspector=qazvin_inspector, state=InspectionState.DONE,
        scheduled_on=FIRST - dt.timedelta(days=400),
    )  # fmt: skip
    run = ScoreRun.objects.create(state=ScoreRunState.DONE, as_of=timezone.now(), finished_at=timezone.now())
    tiers = {"serious": "serious", "high": "high", "recent": "low", "overdue": "low"}
    for key, tier in tiers.items():
        unit = units[key]
        UnitScore.objects.create(run=run, unit=unit, province=unit.province, score=10, tier=tier)
    return run


@pytest.fixture
def draft(qazvin_officer, inspectors, history):
    return plan_generate(
        actor=qazvin_officer,
        province=qazvin_officer.province,
        period_kind="month",
        year=YEAR,
        period=MONTH,
        seed=7,
    )


@pytest.fixture
def published(draft, qazvin_officer):
    from hami.supervision.services.plans import plan_publish

    return plan_publish(actor=qazvin_officer, plan=draft)
