"""Office staff deciding the same unit's step at the same moment, on PostgreSQL with real parallel
transactions: exactly one climb is recorded, the others are told the unit is already on that step.

Why this can fail: each decision reads the unit's current step (its newest decision) before it writes.
Without the unit's row lock in ladder_decide every thread would read step 0 before the first commits and
all would record 0 → 1: several decisions, each with previous_step 0. With the lock the others wait, then
read step 1 and are refused with same_step. Checked by running it with the lock removed: six decisions."""

import pytest
from django.db import connection

from conftest import make_user
from hami.core.divisions import load_divisions
from hami.core.models import County, Province, Role
from hami.labs.tests.steps import at_once
from hami.registry.tests.factories import UnitFactory
from hami.supervision.models import LadderDecision
from hami.supervision.services.ladder import ladder_decide
from hami.supervision.tests.ladder.conftest import finding_of

THREADS = 6


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="parallel transactions need PostgreSQL")
def test_officers_deciding_at_once_move_the_unit_once():
    assert connection.vendor == "postgresql"
    if not Province.objects.exists():
        load_divisions(Province, County)
    qazvin = Province.objects.get(code="qazvin")
    officers = [make_user(f"officer-{i}", Role.OFFICE_STAFF, qazvin) for i in range(THREADS)]
    unit = UnitFactory(county=qazvin.counties.get(code="qazvin"))
    finding_of(unit)

    def decide(officer):
        return lambda: ladder_decide(actor=officer, unit=unit, step=1, trigger="finding", reason="یافته")

    outcomes = at_once(*(decide(officer) for officer in officers))
    decisions = [o for o in outcomes if isinstance(o, LadderDecision)]
    assert len(decisions) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["same_step"] * (THREADS - 1)
    assert list(LadderDecision.objects.values_list("previous_step", "step")) == [(0, 1)]
