"""Inspections through the services: scheduling, starting, answering the checklist, findings (repeats,
photos), finishing (follow-ups), cancelling, withdrawing; who may do each, and what each refuses."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.supervision.access import findings_for_user, inspections_for_user
from hami.supervision.models import (
    ActionState,
    AnswerResult,
    ChecklistAnswer,
    Evidence,
    Finding,
    Inspection,
    InspectionKind,
    InspectionPlan,
    InspectionState,
    PlanState,
)
from hami.supervision.services.inspections import (
    checklist_answer,
    evidence_add,
    finding_record,
    finding_withdraw,
    inspection_cancel,
    inspection_finish,
    inspection_start,
)
from hami.supervision.tests.factories import CorrectiveActionFactory, InspectionFactory
from hami.supervision.tests.inspections.conftest import (
    answer_all,
    days,
    fake,
    finish_with_finding,
    jpeg,
    pdf,
    schedule,
)

pytestmark = pytest.mark.django_db


def refused(code: str, call, *args, **kwargs) -> HamiError:
    with pytest.raises(HamiError) as info:
        call(*args, **kwargs)
    assert str(info.value.code) == code, info.value.message
    return info.value


# ---------------------------------------------------------------- scheduling


def test_office_schedules_a_visit_the_inspector_and_the_unit_hear_of(
    qazvin_officer, qazvin_unit, qazvin_inspector, unit_rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(3))
    assert visit.state == InspectionState.PLANNED and visit.county == qazvin_unit.county
    assert visit.reasons == [{"code": "office", "text": "A complaint about the labels"}]
    assert Notification.objects.filter(user=qazvin_inspector).count() == 1
    assert Notification.objects.filter(user=unit_rep).count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.INSPECTION_SAVED, object_id=str(visit.pk)).exists()


def test_an_unannounced_visit_is_secret_from_the_unit_until_it_starts(
    qazvin_officer, qazvin_unit, qazvin_inspector, unit_rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, unannounced=True)
    assert not Notification.objects.filter(user=unit_rep).exists()
    assert not inspections_for_user(unit_rep).filter(pk=visit.pk).exists()
    assert inspections_for_user(qazvin_inspector).filter(pk=visit.pk).exists()
    inspection_start(actor=qazvin_inspector, inspection=visit)
    assert inspections_for_user(unit_rep).filter(pk=visit.pk).exists()


@pytest.mark.parametrize(
    "persona", ["qazvin_inspector", "unit_rep", "tehran_officer", "lab_user", "outsider"]
)
def test_only_the_provinces_office_schedules(request, persona, qazvin_unit, qazvin_inspector):
    actor = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        schedule(actor, qazvin_unit, qazvin_inspector)
    assert not Inspection.objects.exists()


def test_scheduling_refuses_bad_input_and_writes_nothing(
    qazvin_officer, qazvin_unit, qazvin_inspector, tehran_inspector, tehran_unit, tehran_officer
):
    cases = [
        ({"inspector": tehran_inspector}, "inspector"),
        ({"inspector": qazvin_officer}, "inspector"),
        ({"day": days(-1)}, "scheduled_on"),
        ({"day": days(400)}, "scheduled_on"),
        ({"kind": "raid"}, "kind"),
        ({"note": "   "}, "note"),
        ({"kind": InspectionKind.FOLLOW_UP}, "checks"),
    ]
    for change, field in cases:
        args = {"inspector": qazvin_inspector, **change}
        inspector = args.pop("inspector")
        with pytest.raises(HamiError) as info:
            schedule(qazvin_officer, qazvin_unit, inspector, **args)
        assert info.value.field == field, change
    tehran_visit = schedule(tehran_officer, tehran_unit, tehran_inspector)
    other = finish_with_finding(
        inspection_start(actor=tehran_inspector, inspection=tehran_visit), tehran_inspector
    )
    error = refused(
        "not_units_finding",
        schedule,
        qazvin_officer,
        qazvin_unit,
        qazvin_inspector,
        kind=InspectionKind.FOLLOW_UP,
        checks=[other],
    )
    assert error.field == "checks"
    assert Inspection.objects.count() == 1  # only Tehran's


# ---------------------------------------------------------------- starting and answering


def test_the_assigned_inspector_starts_on_the_day_with_the_general_checklist(visit, qazvin_inspector):
    started = inspection_start(actor=qazvin_inspector, inspection=visit)
    assert started.state == InspectionState.IN_PROGRESS and started.started_at is not None
    assert started.checklist.code == "general"
    refused("wrong_state", inspection_start, actor=qazvin_inspector, inspection=visit)


def test_another_inspector_or_the_office_does_not_start_it(visit, other_inspector, qazvin_officer):
    for actor in (other_inspector, qazvin_officer):
        with pytest.raises(Forbidden):
            inspection_start(actor=actor, inspection=visit)
    visit.refresh_from_db()
    assert visit.state == InspectionState.PLANNED


def test_a_visit_does_not_start_before_its_day(qazvin_officer, qazvin_unit, qazvin_inspector):
    visit = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(2))
    refused("too_early", inspection_start, actor=qazvin_inspector, inspection=visit)


def test_a_visit_of_a_draft_plan_is_hidden_and_does_not_start(
    qazvin, qazvin_officer, qazvin_unit, qazvin_inspector, unit_rep
):
    plan = InspectionPlan.objects.create(
        province=qazvin,
        period_kind="month",
        year=1405,
        period=9,
        starts_on=days(-5),
        ends_on=days(20),
        created_by=qazvin_officer,
    )
    visit = InspectionFactory(unit=qazvin_unit, inspector=qazvin_inspector, plan=plan)
    assert not inspections_for_user(qazvin_inspector).filter(pk=visit.pk).exists()
    assert not inspections_for_user(unit_rep).filter(pk=visit.pk).exists()
    assert inspections_for_user(qazvin_officer).filter(pk=visit.pk).exists()
    refused("wrong_state", inspection_start, actor=qazvin_inspector, inspection=visit)
    plan.state = PlanState.PUBLISHED
    plan.save()
    assert inspections_for_user(unit_rep).filter(pk=visit.pk).exists()
    assert inspection_start(actor=qazvin_inspector, inspection=visit).state == InspectionState.IN_PROGRESS


def test_answers_are_one_per_item_and_may_change(started, qazvin_inspector):
    item = started.checklist.items.get(code="storage")
    checklist_answer(actor=qazvin_inspector, inspection=started, item=item, result=AnswerResult.CONFORMS)
    checklist_answer(actor=qazvin_inspector, inspection=started, item=item, result="na", note="No warehouse")
    answer = ChecklistAnswer.objects.get(inspection=started, item=item)
    assert (answer.result, answer.note) == ("na", "No warehouse")


def test_answers_refuse_other_items_bad_results_and_planned_visits(
    visit, started, qazvin_inspector, admin_user
):
    from hami.supervision.services.checklists import checklist_item_save, checklist_save

    other = checklist_save(actor=admin_user, code="other", name_fa="دیگر")
    foreign = checklist_item_save(actor=admin_user, checklist=other, code="x", text_fa="ایکس")
    refused(
        "not_on_checklist",
        checklist_answer,
        actor=qazvin_inspector,
        inspection=started,
        item=foreign,
        result="conforms",
    )
    item = started.checklist.items.first()
    refused(
        "invalid", checklist_answer, actor=qazvin_inspector, inspection=started, item=item, result="maybe"
    )
    assert not ChecklistAnswer.objects.exists()


def test_an_item_with_a_finding_stays_nonconforming_until_the_finding_is_withdrawn(started, qazvin_inspector):
    item = started.checklist.items.get(code="labels")
    finding = finding_record(
        actor=qazvin_inspector, inspection=started, severity="minor", text="No label", item=item
    )
    assert ChecklistAnswer.objects.get(inspection=started, item=item).result == AnswerResult.NONCONFORMING
    refused(
        "has_findings",
        checklist_answer,
        actor=qazvin_inspector,
        inspection=started,
        item=item,
        result="conforms",
    )
    finding_withdraw(actor=qazvin_inspector, finding=finding, reason="Wrong product")
    checklist_answer(actor=qazvin_inspector, inspection=started, item=item, result="conforms")


# ---------------------------------------------------------------- findings


def test_a_finding_with_photos_is_recorded_and_audited(started, qazvin_inspector):
    item = started.checklist.items.get(code="mark-use")
    finding = finding_record(
        actor=qazvin_inspector,
        inspection=started,
        severity="critical",
        safety=True,
        text="Tracking codes copied on boxes",
        item=item,
        files=[jpeg(), pdf()],
    )
    assert finding.repeat_of is None and finding.unit_id == started.unit_id
    assert sorted(Evidence.objects.filter(finding=finding).values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
    ]
    event = AuditEvent.objects.get(event_type=EventType.FINDING_SAVED)
    assert event.details["severity"] == "critical" and len(event.details["evidence"]) == 2


def test_a_file_that_is_not_a_photo_or_pdf_leaves_no_finding(started, qazvin_inspector):
    refused(
        "bad_evidence",
        finding_record,
        actor=qazvin_inspector,
        inspection=started,
        severity="major",
        text="Broken scale",
        files=[jpeg(), fake()],
    )
    assert not Finding.objects.exists() and not Evidence.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit(started, qazvin_inspector, settings):
    settings.HAMI_DOCUMENT_MAX_BYTES = 50
    error = refused(
        "bad_evidence",
        finding_record,
        actor=qazvin_inspector,
        inspection=started,
        severity="major",
        text="Broken scale",
        files=[jpeg()],
    )
    assert error.field == "file"


def test_findings_refuse_bad_input(started, qazvin_inspector, qazvin_unit):
    refused("invalid", finding_record, actor=qazvin_inspector, inspection=started, severity="grave", text="x")
    refused("invalid", finding_record, actor=qazvin_inspector, inspection=started, severity="minor", text=" ")
    assert not Finding.objects.exists()


def test_the_same_item_found_again_within_the_window_is_a_repeat(
    qazvin_officer, qazvin_unit, qazvin_inspector, started
):
    first = finish_with_finding(started, qazvin_inspector, code="calibration")
    second_visit = inspection_start(
        actor=qazvin_inspector, inspection=schedule(qazvin_officer, qazvin_unit, qazvin_inspector)
    )
    again = finding_record(
        actor=qazvin_inspector,
        inspection=second_visit,
        severity="major",
        text="Still not",
        item=second_visit.checklist.items.get(code="calibration"),
    )
    assert again.repeat_of == first
    other = finding_record(
        actor=qazvin_inspector,
        inspection=second_visit,
        severity="minor",
        text="Dust",
        item=second_visit.checklist.items.get(code="storage"),
    )
    assert other.repeat_of is None


def test_an_old_or_withdrawn_finding_is_not_repeated(qazvin_officer, qazvin_unit, qazvin_inspector, started):
    first = finish_with_finding(started, qazvin_inspector, code="calibration")
    Finding.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=731))
    visit = inspection_start(
        actor=qazvin_inspector, inspection=schedule(qazvin_officer, qazvin_unit, qazvin_inspector)
    )
    item = visit.checklist.items.get(code="calibration")
    assert (
        finding_record(
            actor=qazvin_inspector, inspection=visit, severity="major", text="x", item=item
        ).repeat_of
        is None
    )


def test_the_unit_sees_findings_only_once_the_visit_is_finished(
    started, qazvin_inspector, unit_rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer_all(started, qazvin_inspector, skip=("labels",))
        finding = finding_record(
            actor=qazvin_inspector,
            inspection=started,
            severity="minor",
            text="No label",
            item=started.checklist.items.get(code="labels"),
        )
    assert not findings_for_user(unit_rep).exists()
    assert not Notification.objects.filter(user=unit_rep).exists()  # the rep joined after the scheduling
    with django_capture_on_commit_callbacks(execute=True):
        inspection_finish(actor=qazvin_inspector, inspection=started, summary="Labels missing", checked={})
    assert list(findings_for_user(unit_rep)) == [finding]
    notice = Notification.objects.get(user=unit_rep)
    assert notice.link == f"/supervision/units/{started.unit.public_id}/findings/"


# ---------------------------------------------------------------- finishing


def test_finishing_needs_every_item_answered(started, qazvin_inspector):
    answer_all(started, qazvin_inspector, skip=("complaints",))
    error = refused("unanswered", inspection_finish, actor=qazvin_inspector, inspection=started, summary="ok")
    assert error.field == "items.complaints"
    started.refresh_from_db()
    assert started.state == InspectionState.IN_PROGRESS


def test_finishing_needs_a_finding_for_each_nonconforming_item(started, qazvin_inspector):
    answer_all(started, qazvin_inspector)
    item = started.checklist.items.get(code="storage")
    checklist_answer(actor=qazvin_inspector, inspection=started, item=item, result="nonconforming")
    error = refused(
        "finding_missing", inspection_finish, actor=qazvin_inspector, inspection=started, summary="ok"
    )
    assert error.field == "items.storage"
    refused("invalid", inspection_finish, actor=qazvin_inspector, inspection=started, summary="  ")


def test_a_follow_up_marks_each_checked_finding_and_corrected_ones_close(
    qazvin_officer, qazvin_unit, qazvin_inspector, finding, unit_rep
):
    other = Finding.objects.create(
        inspection=finding.inspection,
        unit=qazvin_unit,
        province=qazvin_unit.province,
        severity="minor",
        text="Dusty store",
        created_by=qazvin_inspector,
    )
    action = CorrectiveActionFactory(finding=finding, state=ActionState.ACCEPTED, proposed_by=unit_rep)
    follow_up = schedule(
        qazvin_officer, qazvin_unit, qazvin_inspector, kind=InspectionKind.FOLLOW_UP, checks=[finding, other]
    )
    follow_up = inspection_start(actor=qazvin_inspector, inspection=follow_up)
    answer_all(follow_up, qazvin_inspector)
    error = refused(
        "check_unmarked",
        inspection_finish,
        actor=qazvin_inspector,
        inspection=follow_up,
        summary="ok",
        checked={finding: "corrected"},
    )
    assert error.field == f"checked.{other.public_id}"
    refused(
        "check_unmarked",
        inspection_finish,
        actor=qazvin_inspector,
        inspection=follow_up,
        summary="ok",
        checked={finding: "corrected", other: "maybe"},
    )
    inspection_finish(
        actor=qazvin_inspector,
        inspection=follow_up,
        summary="ok",
        checked={finding: "corrected", str(other.public_id): "open"},
    )
    finding.refresh_from_db()
    other.refresh_from_db()
    action.refresh_from_db()
    assert finding.state == "corrected" and finding.closed_at is not None
    assert action.state == ActionState.VERIFIED and action.decided_by == qazvin_inspector
    assert other.state == "open"


def test_marks_for_findings_the_visit_does_not_check_are_refused(
    qazvin_officer, qazvin_unit, qazvin_inspector, finding
):
    visit = inspection_start(
        actor=qazvin_inspector, inspection=schedule(qazvin_officer, qazvin_unit, qazvin_inspector)
    )
    answer_all(visit, qazvin_inspector)
    refused(
        "invalid",
        inspection_finish,
        actor=qazvin_inspector,
        inspection=visit,
        summary="ok",
        checked={finding: "corrected"},
    )
    finding.refresh_from_db()
    assert finding.state == "open"


# ---------------------------------------------------------------- cancelling and withdrawing


def test_the_office_cancels_a_planned_visit_with_a_reason(
    visit, qazvin_officer, qazvin_inspector, unit_rep, django_capture_on_commit_callbacks
):
    refused("invalid", inspection_cancel, actor=qazvin_officer, inspection=visit, reason="")
    with pytest.raises(Forbidden):
        inspection_cancel(actor=qazvin_inspector, inspection=visit, reason="ill")
    with django_capture_on_commit_callbacks(execute=True):
        inspection_cancel(actor=qazvin_officer, inspection=visit, reason="The factory is closed for Nowruz")
    visit.refresh_from_db()
    assert visit.state == InspectionState.CANCELLED
    assert Notification.objects.filter(user=qazvin_inspector, body__contains="The factory is closed").exists()
    assert Notification.objects.filter(user=unit_rep, body__contains="The factory is closed").exists()
    refused("wrong_state", inspection_cancel, actor=qazvin_officer, inspection=visit, reason="again")


def test_a_visit_with_findings_is_not_cancelled(started, qazvin_inspector, qazvin_officer):
    finding_record(actor=qazvin_inspector, inspection=started, severity="minor", text="x")
    refused("wrong_state", inspection_cancel, actor=qazvin_officer, inspection=started, reason="oops")


def test_the_office_withdraws_an_open_finding_and_its_action_ends(
    finding, qazvin_officer, unit_rep, qazvin_inspector
):
    action = CorrectiveActionFactory(finding=finding, state=ActionState.PROPOSED, proposed_by=unit_rep)
    with pytest.raises(Forbidden):  # the visit is over: only the office now
        finding_withdraw(actor=qazvin_inspector, finding=finding, reason="x")
    refused("invalid", finding_withdraw, actor=qazvin_officer, finding=finding, reason=" ")
    finding_withdraw(actor=qazvin_officer, finding=finding, reason="Recorded at the wrong unit")
    finding.refresh_from_db()
    action.refresh_from_db()
    assert finding.state == "withdrawn" and finding.withdraw_reason == "Recorded at the wrong unit"
    assert action.state == ActionState.RETURNED
    refused("finding_closed", finding_withdraw, actor=qazvin_officer, finding=finding, reason="again")


# ---------------------------------------------------------------- evidence


def test_evidence_is_added_by_the_inspector_or_the_office_never_the_unit(
    finding, qazvin_inspector, qazvin_officer, unit_rep, other_inspector
):
    evidence_add(actor=qazvin_inspector, finding=finding, file=jpeg())
    evidence_add(actor=qazvin_officer, finding=finding, file=pdf())
    for actor in (unit_rep, other_inspector):
        with pytest.raises(Forbidden):
            evidence_add(actor=actor, finding=finding, file=jpeg())
    refused("bad_evidence", evidence_add, actor=qazvin_officer, finding=finding, file=fake())
    assert Evidence.objects.filter(finding=finding).count() == 2
    assert AuditEvent.objects.filter(event_type=EventType.EVIDENCE_ADDED).count() == 2


def test_the_unit_adds_evidence_to_its_action_until_it_submits(finding, unit_rep, tehran_officer):
    action = CorrectiveActionFactory(finding=finding, state=ActionState.ACCEPTED, proposed_by=unit_rep)
    evidence_add(actor=unit_rep, action=action, file=jpeg())
    with pytest.raises(Forbidden):
        evidence_add(actor=tehran_officer, action=action, file=jpeg())
    action.state = ActionState.SUBMITTED
    action.save()
    refused("wrong_state", evidence_add, actor=unit_rep, action=action, file=jpeg())
    refused("invalid", evidence_add, actor=unit_rep, file=jpeg())
    assert Evidence.objects.filter(action=action).count() == 1
