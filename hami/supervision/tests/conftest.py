"""Fixtures of supervision: a product category of typical hazard level 3, and a Qazvin and a Tehran risk
assessment written through the service."""

import pytest

from hami.standards.tests.factories import CategoryFactory
from hami.supervision.services.risk import risk_assessment_create

KETTLE_STEPS = [
    {"text": "The kettle's base cracks after months of use", "probability": "1/10"},
    {"text": "The user touches the live part while filling it", "probability": "1/100"},
    {"text": "The current passes through the hand", "probability": "1"},
]


@pytest.fixture
def kettles(db):
    return CategoryFactory(
        code="electric-kettle", name_fa="کتری برقی", name_en="Electric kettle", hazard_level=3
    )


def assess(actor, category, *, severity=3, steps=None, **extra):
    return risk_assessment_create(
        actor=actor,
        category=category,
        hazard="Electric shock",
        injured_person="An adult user",
        injury="Electric shock through the hand",
        severity=severity,
        steps=KETTLE_STEPS if steps is None else steps,
        **extra,
    )


@pytest.fixture
def qazvin_assessment(qazvin_inspector, kettles):
    return assess(qazvin_inspector, kettles)  # 1/1 000 exactly: band "> 1/10 000", severity 3 → high


@pytest.fixture
def tehran_assessment(tehran_officer, kettles):
    return assess(tehran_officer, kettles, severity=4)
