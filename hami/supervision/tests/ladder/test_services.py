"""ladder_decide and points_award: who decides, the rules enforced against the database's facts, and what
each rung carries out in the same transaction (referral, points, tightened sampling, committee
decisions); a refused or bad decision writes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.licensing.models import Decision, DecisionKind, LicenceState
from hami.outreach.models import Referral, ReferralSource
from hami.registry.tests.factories import UnitFactory
from hami.supervision.models import LadderDecision, NegativePoint, Step, Trigger
from hami.supervision.selectors_ladder import active_points, current_policy, unit_facts
from hami.supervision.services.ladder import ladder_decide
from hami.supervision.services.points import points_award
from hami.supervision.tests.ladder.conftest import action_of, backdate, finding_of, put_on_step

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def decide(actor, unit, step, trigger, reason="Reason given by the office.", **extra):
    return ladder_decide(actor=actor, unit=unit, step=step, trigger=trigger, reason=reason, **extra)


def nothing_written(unit):
    assert not LadderDecision.objects.filter(unit=unit).exists()
    assert not AuditEvent.objects.filter(event_type=EventType.LADDER_DECIDED).exists()


# ---------------------------------------------------------------- who decides


def test_the_office_decides_and_the_unit_hears_the_reason_and_the_way_back(
    qazvin_officer, qazvin_unit, unit_rep, notices
):
    finding = finding_of(qazvin_unit, severity="minor")
    with notices():
        decision = decide(qazvin_officer, qazvin_unit, Step.ADVICE, Trigger.FINDING, findings=[finding])
    assert (decision.step, decision.previous_step, decision.trigger) == (1, 0, "finding")
    assert decision.decided_by == qazvin_officer and not decision.coercive
    assert list(decision.findings.all()) == [finding]
    event = AuditEvent.objects.get(event_type=EventType.LADDER_DECIDED)
    assert event.details["from"] == 0 and event.details["to"] == 1 and event.reason == decision.reason
    notice = Notification.objects.get(user=unit_rep)
    assert "Reason given by the office." in notice.body
    assert str(qazvin_unit.public_id) in notice.link
    assert "۹۰" in notice.body  # the way back: the clean days, in the site's language (Persian)


def test_a_national_admin_decides_in_any_province(admin_user, tehran_unit):
    finding_of(tehran_unit)
    assert decide(admin_user, tehran_unit, Step.ADVICE, Trigger.FINDING).province == tehran_unit.province


@pytest.mark.parametrize(
    "persona", ["tehran_officer", "qazvin_inspector", "unit_rep", "lab_user", "outsider"]
)
def test_others_may_not_decide(request, persona, qazvin_unit):
    finding_of(qazvin_unit)
    with pytest.raises(Forbidden):
        decide(request.getfixturevalue(persona), qazvin_unit, Step.ADVICE, Trigger.FINDING)
    nothing_written(qazvin_unit)


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_decision_needs_a_reason(qazvin_officer, qazvin_unit, reason):
    finding_of(qazvin_unit)
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.ADVICE, Trigger.FINDING, reason=reason)
    assert (refused.value.code, refused.value.field) == ("invalid", "reason")
    nothing_written(qazvin_unit)


# ---------------------------------------------------------------- the rules against the facts


def test_a_unit_without_a_failure_does_not_climb(qazvin_officer, qazvin_unit):
    put_on_step(qazvin_unit, Step.NOTICE, days_ago=10)
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.WARNING, Trigger.DEADLINE_MISSED)
    assert refused.value.code == "lower_step_not_failed" and refused.value.field == "step"
    assert refused.value.message
    assert LadderDecision.objects.filter(unit=qazvin_unit).count() == 1


def test_a_skipped_rung_is_refused(qazvin_officer, qazvin_unit):
    finding_of(qazvin_unit, repeat_of=finding_of(qazvin_unit, days_ago=200))
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.NOTICE, Trigger.REPEATED_FINDING)
    assert refused.value.code == "step_not_allowed"
    nothing_written(qazvin_unit)


def test_the_newest_decision_gives_the_current_step(qazvin_officer, qazvin_unit):
    put_on_step(qazvin_unit, Step.CLINIC, days_ago=40)
    repeat = finding_of(qazvin_unit, repeat_of=finding_of(qazvin_unit, days_ago=100), days_ago=5)
    decision = decide(qazvin_officer, qazvin_unit, Step.NOTICE, Trigger.REPEATED_FINDING, findings=[repeat])
    assert decision.previous_step == Step.CLINIC
    # The repeat was acted on: it does not allow a second climb.
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.WARNING, Trigger.REPEATED_FINDING)
    assert refused.value.code == "lower_step_not_failed"


def test_a_finding_named_in_the_decision_counts_whatever_its_date(qazvin_officer, qazvin_unit):
    put_on_step(qazvin_unit, Step.ADVICE, days_ago=5)
    old = finding_of(qazvin_unit, severity="critical", safety=True, days_ago=30)
    with pytest.raises(HamiError):
        decide(qazvin_officer, qazvin_unit, Step.CLINIC, Trigger.CRITICAL_SAFETY)
    assert decide(qazvin_officer, qazvin_unit, Step.CLINIC, Trigger.CRITICAL_SAFETY, findings=[old]).step == 2


def test_another_units_finding_is_refused(qazvin_officer, qazvin_unit):
    other = finding_of(UnitFactory())
    finding_of(qazvin_unit)
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.ADVICE, Trigger.FINDING, findings=[other])
    assert refused.value.field == "findings"


def test_stepping_down_needs_corrected_findings_and_the_clean_period(qazvin_officer, qazvin_unit):
    put_on_step(qazvin_unit, Step.NOTICE, days_ago=100)
    finding = finding_of(qazvin_unit, days_ago=95)
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.CLINIC, Trigger.CORRECTED)
    assert refused.value.code == "findings_not_corrected"
    finding.state = "corrected"
    finding.save()
    decision = decide(qazvin_officer, qazvin_unit, Step.CLINIC, Trigger.CORRECTED)
    assert (decision.step, decision.coercive) == (Step.CLINIC, False)
    with pytest.raises(HamiError) as refused:  # the decision starts a new clean period
        decide(qazvin_officer, qazvin_unit, Step.ADVICE, Trigger.CORRECTED)
    assert refused.value.code == "not_clean_yet"
    assert (
        decide(
            qazvin_officer, qazvin_unit, Step.ADVICE, Trigger.CORRECTED, today=TODAY + dt.timedelta(days=90)
        ).step
        == Step.ADVICE
    )


# ---------------------------------------------------------------- what each rung carries out


def test_a_clinic_referral_is_made_and_linked(qazvin_officer, qazvin_unit):
    finding = finding_of(qazvin_unit)
    decision = decide(qazvin_officer, qazvin_unit, Step.CLINIC, Trigger.FINDING, findings=[finding])
    referral = Referral.objects.get(unit=qazvin_unit)
    assert decision.referral == referral
    assert (referral.source, referral.source_ref) == (ReferralSource.FINDING, str(decision.public_id))
    assert referral.reason == decision.reason


def test_a_warning_gives_the_instructions_points_for_its_findings_once(qazvin_officer, qazvin_unit):
    put_on_step(qazvin_unit, Step.NOTICE, days_ago=30)
    major = finding_of(qazvin_unit, days_ago=200)
    repeat = finding_of(qazvin_unit, severity="critical", repeat_of=major)
    decision = decide(
        qazvin_officer, qazvin_unit, Step.WARNING, Trigger.REPEATED_FINDING, findings=[major, repeat]
    )
    points = {(p.finding_id, p.reason): p.points for p in NegativePoint.objects.filter(decision=decision)}
    assert points == {(major.pk, "major"): 4, (repeat.pk, "critical"): 10, (repeat.pk, "repeated_finding"): 5}
    assert active_points([qazvin_unit.pk], today=TODAY) == {qazvin_unit.pk: 19}
    point = NegativePoint.objects.filter(decision=decision).first()
    assert point.expires_on == TODAY + dt.timedelta(days=730)
    assert AuditEvent.objects.filter(event_type=EventType.POINTS_AWARDED).count() == 3
    # Back down and up again: the same findings give no second points.
    LadderDecision.objects.filter(pk=decision.pk).update(step=Step.NOTICE)
    again = finding_of(qazvin_unit, repeat_of=repeat)
    decide(
        qazvin_officer, qazvin_unit, Step.WARNING, Trigger.REPEATED_FINDING, findings=[major, repeat, again]
    )
    assert active_points([qazvin_unit.pk], today=TODAY)[qazvin_unit.pk] == 19 + 4 + 5


def test_intensified_sampling_turns_tightened_sampling_on_and_stepping_below_turns_it_off(
    qazvin_officer, qazvin_unit
):
    put_on_step(qazvin_unit, Step.WARNING, days_ago=20)
    finding = finding_of(qazvin_unit, days_ago=10)
    action_of(finding, due_in=-3)
    decide(qazvin_officer, qazvin_unit, Step.TIGHTENED, Trigger.DEADLINE_MISSED)
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.tightened_sampling and qazvin_unit.tightened_sampling_reason
    finding.actions.update(state="verified")
    finding.state = "corrected"
    finding.save()
    later = TODAY + dt.timedelta(days=91)
    decide(qazvin_officer, qazvin_unit, Step.WARNING, Trigger.CORRECTED, today=later)
    qazvin_unit.refresh_from_db()
    assert not qazvin_unit.tightened_sampling and not qazvin_unit.tightened_sampling_reason


def suspend(officer, unit, licence, sanction_reason, members, **extra):
    finding = finding_of(unit, severity="critical", safety=True, licence=licence)
    return decide(
        officer,
        unit,
        Step.SUSPENSION,
        Trigger.CRITICAL_SAFETY,
        findings=[finding],
        sanction_reason=sanction_reason,
        members_present=members,
        **extra,
    )


def test_a_critical_safety_finding_jumps_to_suspension_with_market_withdrawal(
    qazvin_officer, qazvin_unit, licence, sanction_reason, members
):
    decision = suspend(qazvin_officer, qazvin_unit, licence, sanction_reason, members, market_withdrawal=True)
    licence.refresh_from_db()
    assert licence.state == LicenceState.SUSPENDED
    assert decision.licence == licence  # the finding's licence, when none is named
    assert (decision.previous_step, decision.step, decision.coercive, decision.market_withdrawal) == (
        0,
        6,
        True,
        True,
    )
    committee = Decision.objects.get(licence=licence, kind=DecisionKind.SUSPEND)
    assert committee.members_present == members and committee.sanction_reason == sanction_reason
    assert decision.sanction == committee  # linked, so the coercive share counts it once
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.tightened_sampling  # the rungs below apply too


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"sanction_reason": None}, "invalid", "sanction_reason"),
        ({"members_present": []}, "invalid", "members_present"),
    ],
)
def test_a_suspension_is_a_committee_decision_with_its_reason_and_members(
    qazvin_officer, qazvin_unit, licence, sanction_reason, members, change, code, field
):
    values = {"sanction_reason": sanction_reason, "members": members}
    with pytest.raises(HamiError) as refused:
        suspend(
            qazvin_officer,
            qazvin_unit,
            licence,
            change.get("sanction_reason", values["sanction_reason"]),
            change.get("members_present", values["members"]),
        )
    assert (refused.value.code, refused.value.field) == (code, field)
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    nothing_written(qazvin_unit)


def test_a_suspension_needs_a_licence(qazvin_officer, qazvin_unit, sanction_reason, members):
    finding_of(qazvin_unit, severity="critical", safety=True)
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.SUSPENSION, Trigger.CRITICAL_SAFETY,
               sanction_reason=sanction_reason, members_present=members)  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("licence_required", "licence")
    nothing_written(qazvin_unit)


def test_market_withdrawal_and_the_judiciary_belong_to_the_top_rungs(qazvin_officer, qazvin_unit):
    finding_of(qazvin_unit)
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.ADVICE, Trigger.FINDING, market_withdrawal=True)
    assert refused.value.code == "withdrawal_not_allowed"
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.ADVICE, Trigger.FINDING, judiciary=True)
    assert refused.value.code == "judiciary_not_allowed"
    nothing_written(qazvin_unit)


def test_revocation_after_the_suspension_failed(
    qazvin_officer, qazvin_unit, licence, sanction_reason, members
):
    suspension = suspend(qazvin_officer, qazvin_unit, licence, sanction_reason, members)
    backdate(suspension, 20)
    finding_of(qazvin_unit, repeat_of=suspension.findings.get())
    decision = decide(
        qazvin_officer, qazvin_unit, Step.REVOCATION, Trigger.REPEATED_FINDING,
        sanction_reason=sanction_reason, members_present=members,
    )  # fmt: skip
    licence.refresh_from_db()
    assert licence.state == LicenceState.REVOKED and decision.licence == licence and decision.coercive


def test_a_referral_to_the_judiciary_keeps_the_licence_suspended(
    qazvin_officer, qazvin_unit, licence, sanction_reason, members
):
    suspension = suspend(qazvin_officer, qazvin_unit, licence, sanction_reason, members)
    backdate(suspension, 20)
    finding_of(qazvin_unit, severity="critical", safety=True)
    decision = decide(qazvin_officer, qazvin_unit, Step.REVOCATION, Trigger.CRITICAL_SAFETY, judiciary=True)
    licence.refresh_from_db()
    assert licence.state == LicenceState.SUSPENDED
    assert (decision.judiciary, decision.coercive, decision.licence) == (True, True, licence)
    assert not Decision.objects.filter(licence=licence, kind=DecisionKind.REVOKE).exists()


def test_stepping_down_from_suspension_reinstates_the_licence(
    qazvin_officer, qazvin_unit, licence, sanction_reason, members
):
    suspension = suspend(qazvin_officer, qazvin_unit, licence, sanction_reason, members)
    suspension.findings.update(state="corrected")
    later = TODAY + dt.timedelta(days=90)
    with pytest.raises(HamiError):  # reinstatement is a committee decision: the members present
        decide(qazvin_officer, qazvin_unit, Step.TIGHTENED, Trigger.CORRECTED, today=later)
    decision = decide(
        qazvin_officer, qazvin_unit, Step.TIGHTENED, Trigger.CORRECTED, today=later, members_present=members
    )
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE and decision.licence == licence and not decision.coercive
    assert Decision.objects.filter(licence=licence, kind=DecisionKind.REINSTATE).count() == 1


# ---------------------------------------------------------------- negative points


def test_points_count_until_they_expire(qazvin_officer, qazvin_unit):
    award = points_award(actor=qazvin_officer, unit=qazvin_unit, points=4, reason="major")
    assert award.awarded_on == TODAY and award.expires_on == TODAY + dt.timedelta(days=730)
    last_day = award.expires_on - dt.timedelta(days=1)
    assert active_points([qazvin_unit.pk], today=last_day) == {qazvin_unit.pk: 4}
    assert active_points([qazvin_unit.pk], today=award.expires_on) == {}  # expired points stop counting
    facts = unit_facts(qazvin_unit, today=award.expires_on)
    assert facts.active_points == 0


def test_expired_points_no_longer_reach_the_threshold(qazvin_officer, qazvin_unit):
    put_on_step(qazvin_unit, Step.NOTICE, days_ago=5)
    points_award(actor=qazvin_officer, unit=qazvin_unit, points=10, reason="critical",
                 today=TODAY - dt.timedelta(days=729))  # fmt: skip
    assert decide(qazvin_officer, qazvin_unit, Step.WARNING, Trigger.POINTS).step == Step.WARNING
    LadderDecision.objects.filter(unit=qazvin_unit, step=Step.WARNING).delete()
    with pytest.raises(HamiError) as refused:
        decide(qazvin_officer, qazvin_unit, Step.WARNING, Trigger.POINTS, today=TODAY + dt.timedelta(days=1))
    assert refused.value.code == "lower_step_not_failed"


@pytest.mark.parametrize(
    ("points", "reason", "field"),
    [(0, "major", "points"), (-1, "major", "points"), (True, "major", "points"), (4, "whim", "reason")],
)
def test_bad_points_are_refused(qazvin_officer, qazvin_unit, points, reason, field):
    with pytest.raises(HamiError) as refused:
        points_award(actor=qazvin_officer, unit=qazvin_unit, points=points, reason=reason)
    assert refused.value.field == field
    assert not NegativePoint.objects.exists()


def test_only_the_office_gives_points(tehran_officer, qazvin_unit):
    with pytest.raises(Forbidden):
        points_award(actor=tehran_officer, unit=qazvin_unit, points=4, reason="major")


def test_the_instruction_in_force_sets_points_and_expiry(qazvin_officer, qazvin_unit, admin_user):
    from hami.supervision.models import SupervisionPolicy

    SupervisionPolicy.objects.create(
        version=2, values={"points_expiry_days": 30}, reason="shorter", created_by=admin_user
    )
    assert current_policy().version == 2
    award = points_award(actor=qazvin_officer, unit=qazvin_unit, points=4, reason="major")
    assert award.expires_on == TODAY + dt.timedelta(days=30)
