"""Proposals followed to their outcome: who submits, the office's moves along the transition table,
the reason of a rejection and the outcome of an implementation, the history and the proposer's notices."""

import itertools

import pytest

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.outreach.models import Proposal, ProposalState
from hami.outreach.services import groups as services
from hami.standards.tests.factories import StandardFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("submitted", "under_review"),
    ("under_review", "accepted"),
    ("under_review", "rejected"),
    ("accepted", "implemented"),
}
PATH_TO = {  # the moves that bring a new proposal to each state
    "submitted": [],
    "under_review": ["under_review"],
    "accepted": ["under_review", "accepted"],
    "rejected": ["under_review", "rejected"],
    "implemented": ["under_review", "accepted", "implemented"],
}


def submit(actor, group, **changes):
    fields = {
        "kind": "test_capability",
        "title": "آزمون آفلاتوکسین M1 در استان",
        "description": "هیچ آزمایشگاهی در کشور این آزمون را با حد تشخیص لازم انجام نمی‌دهد.",
    }
    return services.proposal_submit(actor=actor, group=group, **(fields | changes))


def brought_to(proposal, target, officer):
    for step in PATH_TO[target]:
        proposal = services.proposal_move(actor=officer, proposal=proposal, state=step, note="یادداشت")
    return proposal


def test_the_table_in_the_code_is_the_one_the_issue_draws():
    table = {(s, t) for s, targets in services.PROPOSAL_MOVES.items() for t in targets}
    assert table == ALLOWED


@pytest.mark.parametrize("persona", ["unit_rep", "group_lab_user", "expert", "chair_rep", "qazvin_officer"])
def test_a_member_or_the_office_submits_and_the_first_step_is_written(request, persona, group, staffed):
    user = request.getfixturevalue(persona)
    standard = StandardFactory()
    proposal = submit(user, group, standard=standard)
    assert (proposal.state, proposal.submitted_by, proposal.standard) == ("submitted", user, standard)
    assert list(proposal.steps.values_list("state", "actor")) == [("submitted", user.pk)]
    assert (
        AuditEvent.objects.filter(event_type=EventType.PROPOSAL_MOVED, object_id=str(proposal.pk)).count()
        == 1
    )


@pytest.mark.parametrize("persona", ["other_rep", "tehran_officer", "outsider", "qazvin_inspector"])
def test_outsiders_cannot_submit(request, persona, group, staffed, unchanged):
    with unchanged(), pytest.raises(Forbidden):
        submit(request.getfixturevalue(persona), group)


@pytest.mark.parametrize(("field", "value"), [("title", " "), ("description", ""), ("kind", "wish")])
def test_a_proposal_needs_a_kind_a_title_and_a_description(unit_rep, group, staffed, field, value, unchanged):
    with unchanged(), pytest.raises(HamiError) as refused:
        submit(unit_rep, group, **{field: value})
    assert refused.value.field == field


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ProposalState.values, repeat=2)))
def test_every_move_follows_the_transition_table(
    qazvin_officer, unit_rep, group, staffed, source, target, unchanged
):
    proposal = brought_to(submit(unit_rep, group), source, qazvin_officer)
    if (source, target) in ALLOWED:
        moved = services.proposal_move(
            actor=qazvin_officer, proposal=proposal, state=target, note="دلیل و نتیجه"
        )
        assert moved.state == target and moved.steps.last().state == target
    else:
        with unchanged(), pytest.raises(HamiError) as refused:
            services.proposal_move(actor=qazvin_officer, proposal=proposal, state=target, note="دلیل")
        assert refused.value.code == "wrong_state"


def test_an_unknown_state_is_refused(qazvin_officer, unit_rep, group, staffed, unchanged):
    proposal = submit(unit_rep, group)
    with unchanged(), pytest.raises(HamiError) as refused:
        services.proposal_move(actor=qazvin_officer, proposal=proposal, state="approved")
    assert refused.value.code == "wrong_state"


def test_a_rejection_needs_its_reason_and_keeps_it_as_the_outcome(
    qazvin_officer, unit_rep, group, staffed, unchanged
):
    proposal = brought_to(submit(unit_rep, group), "under_review", qazvin_officer)
    with unchanged(), pytest.raises(HamiError) as refused:
        services.proposal_move(actor=qazvin_officer, proposal=proposal, state="rejected", note=" ")
    assert refused.value.field == "note"
    proposal = services.proposal_move(
        actor=qazvin_officer, proposal=proposal, state="rejected", note="آزمایشگاه مرجع این آزمون را دارد"
    )
    assert proposal.outcome == "آزمایشگاه مرجع این آزمون را دارد"


def test_an_implementation_needs_its_outcome(qazvin_officer, unit_rep, group, staffed, unchanged):
    proposal = brought_to(submit(unit_rep, group), "accepted", qazvin_officer)
    with unchanged(), pytest.raises(HamiError) as refused:
        services.proposal_move(actor=qazvin_officer, proposal=proposal, state="implemented")
    assert refused.value.field == "note"
    proposal = services.proposal_move(
        actor=qazvin_officer,
        proposal=proposal,
        state="implemented",
        note="آزمایشگاه همکار البرز دامنه را گسترش داد",
    )
    assert proposal.state == "implemented" and "گسترش" in proposal.outcome
    assert list(proposal.steps.values_list("state", flat=True)) == [
        "submitted",
        "under_review",
        "accepted",
        "implemented",
    ]
    moves = AuditEvent.objects.filter(event_type=EventType.PROPOSAL_MOVED, object_id=str(proposal.pk))
    assert [e.details.get("to") for e in moves.order_by("seq")] == [
        "submitted",
        "under_review",
        "accepted",
        "implemented",
    ]


def test_each_move_tells_the_proposer(
    qazvin_officer, unit_rep, group, staffed, django_capture_on_commit_callbacks
):
    proposal = submit(unit_rep, group)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_move(actor=qazvin_officer, proposal=proposal, state="under_review")
    notice = Notification.objects.get(user=unit_rep)
    assert proposal.title in notice.subject and str(proposal.public_id) in notice.link


@pytest.mark.parametrize("persona", ["chair_rep", "expert", "unit_rep", "tehran_officer", "qazvin_inspector"])
def test_only_the_office_moves_a_proposal(request, persona, unit_rep, group, staffed, unchanged):
    proposal = submit(unit_rep, group)
    with unchanged(), pytest.raises(Forbidden):
        services.proposal_move(
            actor=request.getfixturevalue(persona), proposal=proposal, state="under_review"
        )


def test_national_staff_move_a_provincial_proposal(admin_user, unit_rep, group, staffed):
    proposal = submit(unit_rep, group)
    assert (
        services.proposal_move(actor=admin_user, proposal=proposal, state="under_review").state
        == "under_review"
    )


def test_a_closed_groups_proposal_is_still_followed_to_its_outcome(qazvin_officer, unit_rep, group, staffed):
    proposal = submit(unit_rep, group)
    services.group_close(actor=qazvin_officer, group=group, reason="پایان")
    services.proposal_move(actor=qazvin_officer, proposal=proposal, state="under_review")
    assert Proposal.objects.get(pk=proposal.pk).state == "under_review"
