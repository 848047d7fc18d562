"""Corrective actions through the services: propose (within the instruction's days), accept or ask again,
submit evidence, verify or reopen; who may take each step, who hears of it, and the overdue selector."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.supervision.models import ActionState, CorrectiveAction, Evidence, FindingState, SupervisionPolicy
from hami.supervision.services.actions import (
    action_accept,
    action_deadline,
    action_propose,
    action_reopen,
    action_return,
    action_submit,
    action_verify,
    actions_overdue,
)
from hami.supervision.services.inspections import finding_record
from hami.supervision.tests.factories import CorrectiveActionFactory
from hami.supervision.tests.inspections.conftest import days, fake, jpeg, pdf

pytestmark = pytest.mark.django_db


def refused(code: str, call, **kwargs) -> HamiError:
    with pytest.raises(HamiError) as info:
        call(**kwargs)
    assert str(info.value.code) == code, info.value.message
    return info.value


def propose(rep, finding, *, due=10, text="Keep the test record book daily, signed by the QC manager"):
    return action_propose(actor=rep, finding=finding, text=text, due_on=days(due))


def test_the_whole_way_from_proposal_to_verified_correction(
    finding, unit_rep, qazvin_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = propose(unit_rep, finding)
    assert action.state == ActionState.PROPOSED and action.unit_id == finding.unit_id
    assert (
        Notification.objects.filter(user=qazvin_officer, link__contains=str(finding.public_id)).count() == 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        action = action_accept(
            actor=qazvin_officer, action=action, due_on=days(45), note="Take the time you need"
        )
    assert (action.state, action.due_on, action.decided_by) == (
        ActionState.ACCEPTED,
        days(45),
        qazvin_officer,
    )
    assert Notification.objects.filter(user=unit_rep).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        action = action_submit(
            actor=unit_rep, action=action, evidence_note="Record book started", files=[jpeg()]
        )
    assert action.state == ActionState.SUBMITTED and action.submitted_at is not None
    assert Evidence.objects.filter(action=action).count() == 1
    assert Notification.objects.filter(user=qazvin_officer).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        action = action_verify(actor=qazvin_officer, action=action)
    finding.refresh_from_db()
    assert action.state == ActionState.VERIFIED and action.verified_at is not None
    assert finding.state == FindingState.CORRECTED and finding.closed_at is not None
    assert Notification.objects.filter(user=unit_rep).count() == 2
    steps = AuditEvent.objects.filter(event_type=EventType.ACTION_MOVED).order_by("seq")
    assert [e.details["step"] for e in steps] == ["propose", "accept", "submit", "verify"]


def test_asked_again_the_unit_proposes_anew(finding, unit_rep, qazvin_officer):
    first = propose(unit_rep, finding)
    refused("invalid", action_return, actor=qazvin_officer, action=first, note="  ")
    action_return(actor=qazvin_officer, action=first, note="Say who keeps the book")
    first.refresh_from_db()
    assert first.state == ActionState.RETURNED and first.office_note == "Say who keeps the book"
    second = propose(unit_rep, finding, text="The QC manager keeps the book daily")
    assert second.state == ActionState.PROPOSED
    assert CorrectiveAction.objects.filter(finding=finding).count() == 2


def test_reopened_the_unit_sends_more_by_the_new_date(finding, unit_rep, qazvin_officer):
    action = action_accept(actor=qazvin_officer, action=propose(unit_rep, finding))
    action = action_submit(actor=unit_rep, action=action, evidence_note="Done")
    refused("invalid", action_reopen, actor=qazvin_officer, action=action, note="", due_on=days(20))
    refused(
        "due_in_past", action_reopen, actor=qazvin_officer, action=action, note="No photo", due_on=days(-1)
    )
    action = action_reopen(
        actor=qazvin_officer, action=action, note="Send a photo of the book", due_on=days(20)
    )
    assert (action.state, action.due_on) == (ActionState.REOPENED, days(20))
    action = action_submit(actor=unit_rep, action=action, evidence_note="Photo attached", files=[pdf()])
    assert action_verify(actor=qazvin_officer, action=action).state == ActionState.VERIFIED


def test_the_date_stays_within_the_instructions_days_and_the_message_says_the_limit(
    finding, unit_rep, qazvin_officer, in_english
):
    error = refused(
        "due_too_late", action_propose, actor=unit_rep, finding=finding, text="x", due_on=days(31)
    )
    assert error.field == "due_on" and "30 days" in error.message
    assert timezone.localdate(finding.created_at) + dt.timedelta(days=30) == action_deadline(finding)
    refused("due_in_past", action_propose, actor=unit_rep, finding=finding, text="x", due_on=days(-1))
    refused("invalid", action_propose, actor=unit_rep, finding=finding, text=" ", due_on=days(3))
    assert not CorrectiveAction.objects.exists()
    action = propose(unit_rep, finding, due=30)  # the last day allowed
    assert action_accept(actor=qazvin_officer, action=action, due_on=days(90)).due_on == days(
        90
    )  # office: later


def test_the_days_follow_the_newest_instruction(finding, unit_rep, admin_user):
    SupervisionPolicy.objects.create(
        version=1, values={"action_days": {"major": 10}}, reason="t", created_by=admin_user
    )
    refused("due_too_late", action_propose, actor=unit_rep, finding=finding, text="x", due_on=days(11))
    assert propose(unit_rep, finding, due=10).due_on == days(10)


def test_a_late_proposal_may_still_be_made_for_today(finding, unit_rep):
    finding.__class__.objects.filter(pk=finding.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    finding.refresh_from_db()
    assert action_deadline(finding) == timezone.localdate()
    refused("due_too_late", action_propose, actor=unit_rep, finding=finding, text="x", due_on=days(1))
    assert propose(unit_rep, finding, due=0).due_on == timezone.localdate()


def test_one_live_action_a_finding(finding, unit_rep, qazvin_unit):
    propose(unit_rep, finding)
    refused("live_action", action_propose, actor=unit_rep, finding=finding, text="again", due_on=days(5))
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database says so too
        CorrectiveActionFactory(finding=finding, state=ActionState.ACCEPTED)


def test_no_action_for_a_closed_finding_or_an_unfinished_visit(
    finding, unit_rep, qazvin_officer, qazvin_unit, qazvin_inspector
):
    from hami.supervision.services.inspections import finding_withdraw, inspection_start
    from hami.supervision.tests.inspections.conftest import schedule

    finding_withdraw(actor=qazvin_officer, finding=finding, reason="Recorded in error")
    finding.refresh_from_db()
    refused("finding_closed", action_propose, actor=unit_rep, finding=finding, text="x", due_on=days(3))
    visit = inspection_start(
        actor=qazvin_inspector, inspection=schedule(qazvin_officer, qazvin_unit, qazvin_inspector)
    )
    during = finding_record(actor=qazvin_inspector, inspection=visit, severity="minor", text="Dust")
    refused("wrong_state", action_propose, actor=unit_rep, finding=during, text="x", due_on=days(3))


@pytest.mark.parametrize(
    "persona", ["qazvin_officer", "qazvin_inspector", "tehran_officer", "outsider", "lab_user"]
)
def test_only_the_units_representatives_propose_and_submit(
    request, persona, finding, unit_rep, qazvin_officer
):
    actor = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        propose(actor, finding)
    action = action_accept(actor=qazvin_officer, action=propose(unit_rep, finding))
    with pytest.raises(Forbidden):
        action_submit(actor=actor, action=action, evidence_note="done")
    action.refresh_from_db()
    assert action.state == ActionState.ACCEPTED


@pytest.mark.parametrize("persona", ["unit_rep", "qazvin_inspector", "tehran_officer", "outsider"])
def test_only_the_provinces_office_decides(request, persona, finding, unit_rep, qazvin_officer):
    actor = request.getfixturevalue(persona)
    action = propose(unit_rep, finding)
    for call in (action_accept, action_return):
        with pytest.raises(Forbidden):
            call(actor=actor, action=action, **({"note": "x"} if call is action_return else {}))
    action = action_submit(
        actor=unit_rep, action=action_accept(actor=qazvin_officer, action=action), evidence_note="done"
    )
    with pytest.raises(Forbidden):
        action_verify(actor=actor, action=action)
    with pytest.raises(Forbidden):
        action_reopen(actor=actor, action=action, note="x", due_on=days(3))
    action.refresh_from_db()
    assert action.state == ActionState.SUBMITTED


def test_steps_out_of_order_are_refused(finding, unit_rep, qazvin_officer):
    action = propose(unit_rep, finding)
    refused("wrong_state", action_submit, actor=unit_rep, action=action, evidence_note="done")
    refused("wrong_state", action_verify, actor=qazvin_officer, action=action)
    refused("wrong_state", action_reopen, actor=qazvin_officer, action=action, note="x", due_on=days(3))
    action = action_accept(actor=qazvin_officer, action=action)
    refused("wrong_state", action_accept, actor=qazvin_officer, action=action)
    refused("wrong_state", action_return, actor=qazvin_officer, action=action, note="x")
    refused(
        "due_in_past",
        action_accept,
        actor=qazvin_officer,
        action=propose_after_return(unit_rep, qazvin_officer, finding),
        due_on=days(-2),
    )


def propose_after_return(rep, officer, finding):
    live = CorrectiveAction.objects.get(finding=finding, state=ActionState.ACCEPTED)
    live.state = ActionState.RETURNED
    live.save()
    return propose(rep, finding)


def test_a_bad_file_leaves_the_action_as_it_was(finding, unit_rep, qazvin_officer):
    action = action_accept(actor=qazvin_officer, action=propose(unit_rep, finding))
    refused(
        "bad_evidence",
        action_submit,
        actor=unit_rep,
        action=action,
        evidence_note="done",
        files=[jpeg(), fake()],
    )
    action.refresh_from_db()
    assert action.state == ActionState.ACCEPTED and not Evidence.objects.exists()
    refused("invalid", action_submit, actor=unit_rep, action=action, evidence_note="")


def test_overdue_actions_are_the_accepted_or_reopened_ones_past_their_date(finding, unit_rep, qazvin_officer):
    action = action_accept(actor=qazvin_officer, action=propose(unit_rep, finding))
    assert not actions_overdue().exists()
    CorrectiveAction.objects.filter(pk=action.pk).update(due_on=days(-1))
    assert list(actions_overdue()) == [action]
    assert not actions_overdue(today=days(-1)).exists()
    action.refresh_from_db()
    action_submit(actor=unit_rep, action=action, evidence_note="late but done")
    assert not actions_overdue().exists()
