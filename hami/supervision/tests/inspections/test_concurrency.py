"""Two people acting on one finding at the same moment, on PostgreSQL with real parallel transactions.

Why these tests can fail: each thread runs on its own connection and all start together at a barrier.
Without the finding's row lock in action_propose, both representatives would read "no live action"
before either inserts; the partial unique index `action_one_live_per_finding` would then turn the loser
into an IntegrityError (a 500), not the LIVE_ACTION answer. Without the locks in the office's steps, an
accept and a return racing on one proposal could both read PROPOSED and both write."""

import pytest
from django.db import connection

from conftest import make_user
from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role
from hami.labs.tests.steps import at_once
from hami.registry.models import UnitMembership
from hami.registry.tests.factories import UnitFactory
from hami.supervision.models import ActionState, CorrectiveAction
from hami.supervision.services.actions import action_accept, action_propose, action_return
from hami.supervision.tests.factories import FindingFactory, InspectorFactory
from hami.supervision.tests.inspections.conftest import days

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="parallel transactions need PostgreSQL"),
]


def _world():
    if not Province.objects.exists():
        load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    unit = UnitFactory()
    reps = [make_user(f"rep-{i}", Role.UNIT_REP) for i in range(4)]
    for rep in reps:
        UnitMembership.objects.create(user=rep, unit=unit)
    officers = [make_user(f"officer-{i}", Role.OFFICE_STAFF, qazvin) for i in range(2)]
    finding = FindingFactory(inspection__unit=unit, inspection__inspector=InspectorFactory())
    return reps, officers, finding


def test_representatives_proposing_at_once_get_one_live_action():
    assert connection.vendor == "postgresql"
    reps, _officers, finding = _world()
    outcomes = at_once(
        *(
            lambda rep=rep: action_propose(actor=rep, finding=finding, text="Fix", due_on=days(5))
            for rep in reps
        )
    )
    assert len([o for o in outcomes if isinstance(o, CorrectiveAction)]) == 1, outcomes
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["live_action"] * (len(reps) - 1)
    assert CorrectiveAction.objects.filter(finding=finding).count() == 1


def test_an_accept_and_a_return_at_once_leave_one_decision():
    reps, officers, finding = _world()
    action = action_propose(actor=reps[0], finding=finding, text="Fix", due_on=days(5))
    outcomes = at_once(
        lambda: action_accept(actor=officers[0], action=action),
        lambda: action_return(actor=officers[1], action=action, note="No"),
    )
    assert sorted(o if isinstance(o, str) else "done" for o in outcomes) == ["done", "wrong_state"], outcomes
    assert CorrectiveAction.objects.get().state in (ActionState.ACCEPTED, ActionState.RETURNED)
