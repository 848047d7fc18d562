"""Fixtures of the ladder tests: findings and corrective actions written straight to the tables (the
inspections area's services are tested there), a licence granted through licensing, and helpers that
date rows in the past."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.licensing.tests.conftest import (  # noqa: F401  (fixtures)
    MEMBERS,
    licence,
    milk_standard,
    product,
    qazvin_key,
    sanction_reason,
)
from hami.supervision.models import FindingSeverity, LadderDecision
from hami.supervision.tests.factories import CorrectiveActionFactory, FindingFactory, InspectionFactory


def finding_of(unit, *, severity=FindingSeverity.MAJOR, days_ago=0, **values):
    """A finding on a finished visit, `days_ago` days old."""
    inspection = InspectionFactory(unit=unit, state="done")
    finding = FindingFactory(inspection=inspection, severity=severity, **values)
    if days_ago:
        backdate(finding, days_ago)
    return finding


def action_of(finding, *, due_in=30, state="accepted", **values):
    return CorrectiveActionFactory(
        finding=finding, due_on=timezone.localdate() + dt.timedelta(days=due_in), state=state, **values
    )


def backdate(obj, days: int):
    """Move a row's created_at `days` days back (QuerySet.update: a test arranging history, not a write)."""
    when = timezone.now() - dt.timedelta(days=days)
    type(obj).objects.filter(pk=obj.pk).update(created_at=when)
    obj.created_at = when
    return obj


def put_on_step(unit, step: int, *, days_ago: int = 0, **values) -> LadderDecision:
    """A decision written straight to the table: the unit is on `step` since `days_ago` days."""
    from hami.supervision.tests.factories import LadderDecisionFactory

    decision = LadderDecisionFactory(unit=unit, step=step, previous_step=max(step - 1, 0), **values)
    if days_ago:
        backdate(decision, days_ago)
    return decision


@pytest.fixture
def notices(django_capture_on_commit_callbacks):
    """Run the on-commit notifications of the block; use as `with notices(): ...`."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def members():
    return list(MEMBERS)
