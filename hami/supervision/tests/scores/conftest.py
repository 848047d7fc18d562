"""Fixtures of the scoring tests: a risky Qazvin unit with one fact of every kind (and facts that must not
count beside them), and a helper that runs the scoring as of build.NOW."""

import pytest

from hami.supervision import models as m
from hami.supervision.services.scores import scores_recompute
from hami.supervision.tests.scores import build


def run_scores(actor=None):
    return scores_recompute(actor=actor, as_of=build.NOW)


@pytest.fixture
def risky(qazvin_unit):
    """qazvin_unit (represented by `unit_rep`) with every component in play; see test_services for the sum."""
    unit = qazvin_unit
    build.product(unit, hazard_level=3)
    build.product(unit, hazard_level=1)
    build.report(unit, days=30)  # counts
    build.report(unit, days=100, conformity="not_demonstrated")  # counts
    build.report(unit, days=800)  # before the window
    build.report(unit, days=40, amended_by="conforms")  # its latest version conforms
    build.report(unit, days=20, conformity="conforms")
    build.finding(unit, severity="critical")  # open: 3
    build.finding(unit, severity="minor")  # open: 1
    build.finding(unit, severity="major", state=m.FindingState.WITHDRAWN)
    build.action(unit, state=m.ActionState.ACCEPTED, due_days=5)  # overdue
    build.action(unit, state=m.ActionState.REOPENED, due_days=-5)  # not yet due
    build.action(unit, state=m.ActionState.VERIFIED, due_days=20, verified_days=10)  # late
    build.action(unit, state=m.ActionState.VERIFIED, due_days=5, verified_days=10)  # on time
    build.action(
        unit, state=m.ActionState.VERIFIED, due_days=900, verified_days=800
    )  # late, before the window
    build.complaint(unit, days=30)  # counts
    build.complaint(unit, outcome=m.ComplaintOutcome.NOT_UPHELD)
    build.complaint(unit, days=800)
    build.complaint(unit, closed=False)
    build.visit(unit, days=100)  # the last completed visit
    build.visit(unit, days=1, state=m.InspectionState.PLANNED)
    build.visit(unit, days=2, state=m.InspectionState.CANCELLED)
    build.licence(unit, state="suspended")  # 1
    build.licence(unit, state="expired", expires_days=100)  # 1/2
    build.licence(unit, state="expired", expires_days=900)  # before the window
    build.licence(unit, state="revoked", expires_days=-300, changed_days=900)  # revoked before the window
    build.licence(unit, state="active")
    unit.fast_track = True
    unit.save(update_fields=["fast_track"])
    return unit
