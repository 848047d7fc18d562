"""The supervision row of the office's and the inspector's home: their province, their day."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.licensing.services.complaints import complaint_file
from hami.supervision.models import ActionState, InspectionState
from hami.supervision.tests.factories import CorrectiveActionFactory, FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(qazvin_unit, tehran_unit, qazvin_inspector, tehran_officer):
    today = timezone.localdate()
    past = today - dt.timedelta(days=20)
    done = InspectionFactory(
        unit=qazvin_unit, inspector=qazvin_inspector, state=InspectionState.DONE, scheduled_on=past
    )
    late = FindingFactory(inspection=done)
    CorrectiveActionFactory(finding=late, state=ActionState.ACCEPTED, due_on=today - dt.timedelta(days=1))
    FindingFactory(
        inspection=InspectionFactory(unit=qazvin_unit, state=InspectionState.DONE, scheduled_on=past)
    )
    InspectionFactory(unit=qazvin_unit, inspector=qazvin_inspector, scheduled_on=today)
    InspectionFactory(unit=qazvin_unit, scheduled_on=today)  # another inspector's
    FindingFactory(inspection=InspectionFactory(unit=tehran_unit, inspector=tehran_officer,
                                                state=InspectionState.DONE, scheduled_on=past))  # fmt: skip
    complaint_file(licence=None, tracking_code="", text="The label has no standard mark at all.",
                   province=qazvin_unit.province)  # fmt: skip


def test_office_home_counts_supervision_of_its_province(client, qazvin_officer, work):
    client.force_login(qazvin_officer)
    context = client.get("/").context
    assert context["open_findings"] == 2
    assert context["overdue_actions"] == 1
    assert context["visits_today"] == 2
    assert context["complaints_to_triage"] == 1


def test_inspector_home_counts_only_its_own_visits_today(client, qazvin_inspector, work):
    client.force_login(qazvin_inspector)
    response = client.get("/")
    assert response.context["visits_today"] == 1
    assert 'id="home-supervision"' in response.content.decode()
