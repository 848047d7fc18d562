"""The unit's supervision overview: who may open it, what it counts, and where `mine` leads."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hami.supervision.models import ActionState, InspectionState, Step
from hami.supervision.tests.factories import (
    CorrectiveActionFactory,
    FindingFactory,
    InspectionFactory,
    LadderDecisionFactory,
)

pytestmark = pytest.mark.django_db


def _url(unit):
    return reverse("supervision:unit_overview", args=[unit.public_id])


@pytest.fixture
def supervised(qazvin_unit, qazvin_inspector):
    """An open finding with an overdue action, one without any, a step on the ladder, a coming visit."""
    today = timezone.localdate()
    done = InspectionFactory(unit=qazvin_unit, inspector=qazvin_inspector, state=InspectionState.DONE,
                             scheduled_on=today - dt.timedelta(days=40))  # fmt: skip
    late = FindingFactory(inspection=done)
    CorrectiveActionFactory(finding=late, state=ActionState.ACCEPTED, due_on=today - dt.timedelta(days=3))
    FindingFactory(inspection=done)
    LadderDecisionFactory(unit=qazvin_unit, step=Step.NOTICE, previous_step=Step.CLINIC)
    InspectionFactory(unit=qazvin_unit, inspector=qazvin_inspector, scheduled_on=today + dt.timedelta(days=5))
    return qazvin_unit


@pytest.mark.parametrize("persona", ["unit_rep", "qazvin_officer", "qazvin_inspector", "admin_user"])
def test_the_unit_its_office_and_national_staff_see_the_overview(client, request, supervised, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url(supervised))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="overview-ladder"' in page
    assert response.context["step_label"] == Step.NOTICE.label
    assert f">{response.context['step_label']}<" in page
    assert response.context["open_findings"] == 2
    assert response.context["without_action"] == 1
    assert response.context["actions"]["overdue"] == 1
    assert len(response.context["visits"]) == 1


@pytest.mark.parametrize("persona", ["tehran_officer", "lab_user", "outsider"])
def test_others_get_a_404(client, request, supervised, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(supervised)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, supervised):
    response = client.get(_url(supervised))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_unannounced_visits_stay_hidden_from_the_unit(client, unit_rep, qazvin_unit, qazvin_inspector):
    InspectionFactory(unit=qazvin_unit, inspector=qazvin_inspector, unannounced=True,
                      scheduled_on=timezone.localdate() + dt.timedelta(days=2))  # fmt: skip
    client.force_login(unit_rep)
    assert client.get(_url(qazvin_unit)).context["visits"] == []


def test_mine_takes_a_representative_of_one_unit_to_its_overview(client, unit_rep, qazvin_unit):
    client.force_login(unit_rep)
    response = client.get(reverse("supervision:mine"))
    assert response.status_code == 302
    assert response["Location"] == _url(qazvin_unit)


def test_mine_lists_several_units_and_sends_staff_to_the_rankings(client, unit_rep, qazvin_officer):
    from hami.registry.services import unit_membership_add
    from hami.registry.tests.factories import UnitFactory

    other = UnitFactory(name_fa="کارخانه دوم")
    unit_membership_add(actor=qazvin_officer, unit=other, user=unit_rep)
    client.force_login(unit_rep)
    response = client.get(reverse("supervision:mine"))
    assert response.status_code == 200
    assert "کارخانه دوم" in response.content.decode()
    client.force_login(qazvin_officer)
    assert client.get(reverse("supervision:mine"))["Location"] == reverse("supervision:scores_list")


def test_the_overview_takes_a_fixed_number_of_queries(
    client, unit_rep, supervised, django_assert_max_num_queries
):
    client.force_login(unit_rep)
    with django_assert_max_num_queries(25):
        assert client.get(_url(supervised)).status_code == 200
