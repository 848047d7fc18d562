"""The demo's year of supervision keeps the rules the supervision services and the ladder enforce, tells the
stories the pages need (falling coercive share, a producer with work to do, an inspector's day), and is the
same row for row from the same seed. The rest of the demo is built once for the module (a small province);
the supervision part is built twice on it from one seed (the first rolled back) to compare."""

import datetime as dt
import itertools
import random
from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import hami.demo.builder as builder
from hami.core.audit import verify_chain
from hami.core.models import Province, User
from hami.demo.supervision import TIER_FA, build_supervision
from hami.licensing.models import Complaint, Decision, DecisionKind, LicenceState
from hami.registry.models import ProductionUnit
from hami.supervision import ladder
from hami.supervision import models as m

pytestmark = pytest.mark.django_db

SEED = 29


def _ensure_general_checklist() -> None:
    """The general checklist comes from a data migration; a minimal one if it is not there."""
    if m.Checklist.objects.filter(code="general").exists():
        return
    checklist = m.Checklist.objects.create(code="general", name_fa="فهرست بازرسی عمومی")
    for order, (code, severity) in enumerate(
        [("test-records", "major"), ("labels", "major"), ("storage", "minor"), ("mark-use", "critical")]
    ):
        m.ChecklistItem.objects.create(
            checklist=checklist, code=code, text_fa=code, severity=severity, order=order
        )


def _fingerprint() -> dict:
    """What the supervision part wrote, by keys that do not depend on database ids."""
    return {
        "visits": list(
            m.Inspection.objects.order_by("public_id").values_list(
                "public_id", "unit__national_id", "inspector__username", "scheduled_on", "state", "kind",
                "unannounced", "reasons", "plan__public_id",
            )
        ),
        "findings": list(
            m.Finding.objects.order_by("public_id").values_list(
                "public_id", "inspection__public_id", "item__code", "severity", "safety", "state",
                "repeat_of__public_id", "created_at",
            )
        ),
        "actions": list(
            m.CorrectiveAction.objects.order_by("public_id").values_list(
                "public_id", "finding__public_id", "state", "due_on", "submitted_at", "verified_at",
                "escalated_at",
            )
        ),
        "decisions": list(
            m.LadderDecision.objects.order_by("public_id").values_list(
                "public_id", "unit__national_id", "previous_step", "step", "trigger", "coercive", "created_at"
            )
        ),
        "cases": list(
            m.MarketCase.objects.order_by("public_id").values_list("public_id", "state", "outcome")
        ),
        "complaints": list(
            Complaint.objects.order_by("public_id").values_list("public_id", "case__state", "case__outcome")
        ),
    }  # fmt: skip


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic(), pytest.MonkeyPatch.context() as patch:
        _ensure_general_checklist()
        patch.setattr(builder, "build_supervision", lambda **kwargs: None)
        builder.build_demo(seed=SEED, units=500, other_units=5)
        args = {
            "admin": User.objects.get(username="admin"),
            "province": Province.objects.get(code="qazvin"),
            "producer_unit": ProductionUnit.objects.get(memberships__user__username="producer"),
        }
        with transaction.atomic():
            build_supervision(rng=random.Random(SEED), **args)
            first = _fingerprint()
            transaction.set_rollback(True)
        with CaptureQueriesContext(connection) as queries:
            figures = build_supervision(rng=random.Random(SEED), **args)
        figures.first_build = first
        figures.queries = [q["sql"] for q in queries.captured_queries]
        yield figures
        transaction.set_rollback(True)


@pytest.fixture
def today():
    return timezone.localdate()


def test_the_same_seed_gives_the_same_supervision_rows(demo):
    assert demo.first_build["visits"] and demo.first_build["decisions"]
    assert _fingerprint() == demo.first_build


def test_the_build_reads_and_writes_in_bulk_not_a_query_per_row(demo):
    not_inserts = [sql for sql in demo.queries if not sql.lstrip().upper().startswith("INSERT")]
    assert demo.visits > 300 and demo.findings > 30
    assert len(not_inserts) < 200


def test_thirteen_published_monthly_plans_and_a_draft_for_next_month(demo, today):
    plans = list(m.InspectionPlan.objects.order_by("starts_on"))
    assert [p.state for p in plans] == [m.PlanState.PUBLISHED] * 13 + [m.PlanState.DRAFT]
    assert plans[-2].starts_on <= today <= plans[-2].ends_on and plans[-1].starts_on > today
    assert all(p.period_kind == m.PeriodKind.MONTH for p in plans)
    assert all(b.starts_on == a.ends_on + dt.timedelta(days=1) for a, b in itertools.pairwise(plans))
    assert (
        m.PlanInspector.objects.filter(plan=plans[0]).count() == User.objects.filter(role="inspector").count()
    )
    draft_visits = m.Inspection.objects.filter(plan=plans[-1])
    assert draft_visits.exists() and not draft_visits.exclude(state=m.InspectionState.PLANNED).exists()


def test_no_inspector_is_over_capacity_and_plan_visits_fall_on_available_days(demo):
    per_day = {
        (row["inspector_id"], row["scheduled_on"]): row["n"]
        for row in m.Inspection.objects.values("inspector_id", "scheduled_on").annotate(n=Count("pk"))
    }
    limit = max(m.PlanInspector.objects.values_list("visits_per_day", flat=True))
    assert max(per_day.values()) <= limit
    days = {
        (pi.plan_id, pi.inspector_id): set(pi.days) for pi in m.PlanInspector.objects.all()
    }  # fmt: skip
    for plan_id, inspector_id, day in m.Inspection.objects.filter(plan__isnull=False).values_list(
        "plan_id", "inspector_id", "scheduled_on"
    ):
        assert day.isoformat() in days[(plan_id, inspector_id)]


def test_no_unit_is_visited_twice_in_a_row_by_the_same_inspector(demo):
    by_unit = defaultdict(list)
    for unit_id, day, inspector_id in m.Inspection.objects.order_by("scheduled_on", "pk").values_list(
        "unit_id", "scheduled_on", "inspector_id"
    ):
        by_unit[unit_id].append((day, inspector_id))
    assert any(len(visits) >= 3 for visits in by_unit.values())
    for visits in by_unit.values():
        for (day_a, inspector_a), (day_b, inspector_b) in itertools.pairwise(visits):
            assert day_a != day_b and inspector_a != inspector_b


def test_visits_carry_reasons_past_ones_are_done_or_cancelled_and_done_ones_answer_the_checklist(demo, today):
    visits = m.Inspection.objects.all()
    assert not visits.filter(reasons=[]).exists()
    codes = {reason["code"] for reasons in visits.values_list("reasons", flat=True) for reason in reasons}
    assert {"tier", "follow_up", "complaint"} <= codes
    assert not visits.filter(scheduled_on__lt=today, state=m.InspectionState.PLANNED).exists()
    assert not visits.filter(scheduled_on__gte=today).exclude(state=m.InspectionState.PLANNED).exists()
    assert visits.filter(state=m.InspectionState.CANCELLED).exclude(cancel_reason="").exists()
    assert visits.filter(unannounced=True).exists() and visits.filter(unannounced=False).exists()
    items = m.ChecklistItem.objects.filter(checklist__code="general").count()
    done = visits.filter(state=m.InspectionState.DONE).annotate(n=Count("answers"))
    assert done.exists() and not done.exclude(n=items).exists()
    nonconforming = set(
        m.ChecklistAnswer.objects.filter(result=m.AnswerResult.NONCONFORMING).values_list(
            "inspection_id", "item_id"
        )
    )
    assert set(m.Finding.objects.values_list("inspection_id", "item_id")) == nonconforming
    share = (
        visits.filter(state=m.InspectionState.DONE, findings__isnull=False).distinct().count() / done.count()
    )
    assert 0.1 <= share <= 0.3


def test_routine_visits_follow_the_tier_the_plan_gave_as_reason(demo):
    """Serious-tier units are visited monthly, high quarterly, low yearly (the instruction's intervals)."""
    counts = defaultdict(lambda: defaultdict(int))
    for unit_id, reasons in m.Inspection.objects.filter(kind=m.InspectionKind.ROUTINE).values_list(
        "unit_id", "reasons"
    ):
        text = next(reason["text"] for reason in reasons if reason["code"] == "tier")
        tier = next(tier for tier, name in TIER_FA.items() if f" {name}:" in text)
        counts[tier][unit_id] += 1

    def mean(tier: str) -> float:
        return sum(counts[tier].values()) / len(counts[tier])

    assert mean("serious") > 2 * mean("high") and mean("high") > 1.5 * mean("low")
    assert len(counts["low"]) > len(counts["medium"]) > len(counts["high"])


def test_follow_up_visits_check_earlier_findings_of_their_unit(demo):
    follow_ups = m.Inspection.objects.filter(kind=m.InspectionKind.FOLLOW_UP).prefetch_related("checks")
    assert follow_ups.exists()
    for visit in follow_ups:
        checks = list(visit.checks.all())
        assert checks and all(f.unit_id == visit.unit_id for f in checks)


def test_findings_and_their_corrective_actions_in_every_state(demo, today):
    findings = m.Finding.objects.all()
    assert findings.filter(severity="critical").count() < findings.filter(severity="major").count() / 5
    assert findings.filter(safety=True).exists() and findings.filter(repeat_of__isnull=False).exists()
    for finding in findings.filter(repeat_of__isnull=False).select_related("repeat_of"):
        assert finding.repeat_of.unit_id == finding.unit_id and finding.repeat_of.item_id == finding.item_id
        assert finding.repeat_of.created_at < finding.created_at
    live = findings.annotate(live=Count("actions", filter=Q(actions__state__in=m.LIVE_ACTION_STATES)))
    assert not live.filter(live__gt=1).exists()
    corrected = findings.filter(state=m.FindingState.CORRECTED)
    assert not corrected.exclude(actions__state=m.ActionState.VERIFIED).exists()
    assert not findings.filter(state=m.FindingState.OPEN, actions__state=m.ActionState.VERIFIED).exists()
    actions = m.CorrectiveAction.objects.all()
    assert set(actions.values_list("state", flat=True)) == set(m.ActionState.values)
    verified = actions.filter(state=m.ActionState.VERIFIED)
    on_time = [a for a in verified if timezone.localdate(a.verified_at) <= a.due_on]
    late = [a for a in verified if timezone.localdate(a.verified_at) > a.due_on]
    assert on_time and late and len(on_time) > len(late)
    overdue = actions.filter(state__in=[m.ActionState.ACCEPTED, m.ActionState.REOPENED], due_on__lt=today)
    assert overdue.filter(escalated_at__isnull=False).exists()
    # A returned proposal is followed by another for the same finding, unless it was returned days ago.
    again = 0
    for action in actions.filter(state=m.ActionState.RETURNED):
        if action.finding.actions.exclude(pk=action.pk).filter(created_at__gt=action.created_at).exists():
            again += 1
        else:
            assert action.created_at.date() > today - dt.timedelta(days=15)
    assert again
    # Escalation is the overdue run's: after the date, on an action not yet verified then.
    for action in actions.filter(escalated_at__isnull=False):
        assert timezone.localdate(action.escalated_at) > action.due_on
        assert action.verified_at is None or action.verified_at > action.escalated_at


def test_every_ladder_decision_follows_the_units_previous_one_and_the_ladders_moves(demo):
    previous = {}
    decisions = m.LadderDecision.objects.order_by("unit_id", "created_at", "pk")
    assert decisions.filter(trigger=m.Trigger.CORRECTED).count() >= 3
    for decision in decisions:
        assert decision.previous_step == previous.get(decision.unit_id, m.Step.NONE)
        assert decision.trigger in ladder.MOVES[(decision.previous_step, decision.step)]
        assert decision.coercive == (decision.step >= m.Step.SUSPENSION or decision.market_withdrawal)
        if decision.market_withdrawal:
            assert decision.step == m.Step.SUSPENSION and decision.trigger == m.Trigger.CRITICAL_SAFETY
        previous[decision.unit_id] = decision.step
    clinic = decisions.filter(step=m.Step.CLINIC, previous_step__lt=m.Step.CLINIC)
    assert clinic.exists() and not clinic.filter(referral__isnull=True).exists()
    for warning in decisions.filter(step=m.Step.WARNING, previous_step=m.Step.NOTICE):
        assert warning.points.exists()  # a warning comes with negative points


def test_negative_points_count_for_two_years_and_some_have_expired(demo, today):
    points = m.NegativePoint.objects.all()
    assert points.filter(expires_on__gt=today).exists() and points.filter(expires_on__lte=today).exists()
    assert not points.exclude(expires_on=F("awarded_on") + dt.timedelta(days=730)).exists()
    assert not points.filter(awarded_on__gte=today).exists()


def test_suspensions_agree_with_the_licence_and_tightened_sampling_with_the_current_step(demo):
    suspensions = m.LadderDecision.objects.filter(step=m.Step.SUSPENSION, previous_step__lt=m.Step.SUSPENSION)
    assert suspensions.count() >= 1
    for decision in suspensions:
        assert decision.licence is not None and decision.market_withdrawal
        assert Decision.objects.filter(licence=decision.licence, kind=DecisionKind.SUSPEND).exists()
    current = {}
    for decision in m.LadderDecision.objects.order_by("created_at", "pk"):
        current[decision.unit_id] = decision
    for unit in ProductionUnit.objects.filter(province__code="qazvin"):
        decision = current.get(unit.pk)
        step = decision.step if decision else m.Step.NONE
        assert unit.tightened_sampling == (step >= m.Step.TIGHTENED)
        if step == m.Step.SUSPENSION:
            assert decision.licence.state == LicenceState.SUSPENDED
    for reinstated in Decision.objects.filter(kind=DecisionKind.REINSTATE):
        assert reinstated.licence.state == LicenceState.ACTIVE


def test_coercive_share_of_the_last_three_months_is_lower_than_a_year_ago(demo, today):
    def share(first: dt.date, last: dt.date) -> float:
        start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(last, dt.time.min))
        climbs = m.LadderDecision.objects.filter(
            created_at__gte=start, created_at__lt=end, step__gt=F("previous_step")
        )
        cases = m.MarketCase.objects.filter(
            closed_at__gte=start,
            closed_at__lt=end,
            outcome__in=[m.CaseOutcome.WITHDRAWN, m.CaseOutcome.REFERRED],
        ).count()
        measures = climbs.count() + cases
        assert measures
        return (climbs.filter(coercive=True).count() + cases) / measures

    year_ago = share(today - dt.timedelta(days=365), today - dt.timedelta(days=270))
    recent = share(today - dt.timedelta(days=90), today)
    assert year_ago > 0 and recent < year_ago


def test_the_producer_has_a_finding_to_act_on_a_past_step_and_an_announced_visit(demo, today):
    unit = ProductionUnit.objects.get(memberships__user__username="producer")
    open_findings = m.Finding.objects.filter(unit=unit, state=m.FindingState.OPEN)
    to_submit = m.CorrectiveAction.objects.filter(
        finding__in=open_findings, state__in=[m.ActionState.ACCEPTED, m.ActionState.REOPENED]
    )
    to_propose = open_findings.exclude(actions__state__in=m.LIVE_ACTION_STATES)
    assert to_submit.exists() and to_propose.exists()
    steps = list(unit.ladder_decisions.order_by("created_at").values_list("previous_step", "step", "trigger"))
    assert (m.Step.ADVICE, m.Step.NONE, m.Trigger.CORRECTED) in steps and steps[-1][1] >= m.Step.ADVICE
    upcoming = m.Inspection.objects.filter(
        unit=unit, scheduled_on__gt=today, state=m.InspectionState.PLANNED, unannounced=False
    ).exclude(plan__state=m.PlanState.DRAFT)
    assert upcoming.exists()


def test_the_inspector_login_has_visits_today_and_there_are_more_inspectors(demo, today):
    inspectors = User.objects.filter(role="inspector", province__code="qazvin")
    assert inspectors.count() == demo.inspectors == 7
    assert m.Inspection.objects.filter(
        inspector__username="inspector", scheduled_on=today, state=m.InspectionState.PLANNED
    ).exists()
    assert m.Inspection.objects.filter(inspector__username="inspector-4").exists()


def test_market_cases_and_complaints_in_every_state(demo):
    cases = m.MarketCase.objects.all()
    assert {m.CaseState.OPEN, m.CaseState.INVESTIGATING, m.CaseState.CLOSED} <= set(
        cases.values_list("state", flat=True)
    )
    assert cases.filter(
        kind=m.CaseKind.INVALID_MARK, mark_status=m.MarkStatus.UNKNOWN, unit__isnull=True
    ).exists()
    assert not cases.filter(state=m.CaseState.CLOSED, outcome="").exists()
    assert not cases.exclude(state=m.CaseState.CLOSED).exclude(outcome="").exists()
    complaints = Complaint.objects.all()
    assert complaints.filter(case__isnull=True).exists()  # not triaged yet
    assert (
        complaints.filter(licence__isnull=True).exists() and complaints.filter(licence__isnull=False).exists()
    )
    triage = m.ComplaintCase.objects.all()
    assert set(triage.values_list("state", flat=True)) == set(m.TriageState.values)
    assert set(triage.values_list("channel", flat=True)) == set(m.ComplaintChannel.values)
    upheld = triage.filter(outcome=m.ComplaintOutcome.UPHELD)
    assert upheld.exists() and not upheld.filter(unit__isnull=True).exists()
    assert not upheld.filter(closed_at__isnull=True).exists()
    assert triage.filter(outcome=m.ComplaintOutcome.NOT_UPHELD).exists()
    for case in triage.filter(inspection__isnull=False).select_related("inspection"):
        assert case.inspection.unit_id == case.unit_id and case.inspection.kind == m.InspectionKind.COMPLAINT


def test_the_audit_chain_holds(demo):
    assert list(verify_chain()) == []
