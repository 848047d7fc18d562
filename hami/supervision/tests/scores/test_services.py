"""scores_recompute: every component gathered from the database as the rule says (and what must not count
left out), a fixed number of queries whatever the number of units, all or nothing, the previous scores
kept through a crash, old runs pruned, one run at a time, who may start it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hami.core.divisions import load_divisions
from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, County, EventType, Province
from hami.registry.models import UnitStatus
from hami.supervision import models as m
from hami.supervision import scoring
from hami.supervision.selectors import current_run, current_scores, unit_score
from hami.supervision.services import scores as services
from hami.supervision.services.scores import KEEP_DONE_RUNS, policy_set, scores_recompute
from hami.supervision.tests.scores import build
from hami.supervision.tests.scores.conftest import run_scores

pytestmark = pytest.mark.django_db


def components(unit) -> dict[str, dict]:
    return {c["key"]: c for c in unit_score(unit).components}


def test_every_component_counts_what_the_rule_says_and_nothing_else(risky):
    run = run_scores()
    assert run.state == m.ScoreRunState.DONE and run.unit_count == 1
    parts = components(risky)
    assert {key: c["raw"] for key, c in parts.items()} == {
        "hazard": 3,
        "test_failures": 2,
        "open_findings": 4,
        "late_actions": 2,
        "upheld_complaints": 1,
        "since_inspection": 100,
        "licence_state": 1.5,
        "standing": 1,
    }
    assert parts["open_findings"]["detail"] == {"critical": 1, "major": 0, "minor": 1}
    assert parts["late_actions"]["detail"] == {"overdue": 1, "late": 1}
    assert parts["licence_state"]["detail"] == {"suspended": 1, "revoked": 0, "expired": 1}
    assert {key: c["points"] for key, c in parts.items()} == {
        "hazard": 18.8,
        "test_failures": 13.3,
        "open_findings": 10.0,
        "late_actions": 6.7,
        "upheld_complaints": 5.0,
        "since_inspection": 1.4,
        "licence_state": 10.0,
        "standing": -10.0,
    }
    score = unit_score(risky)
    assert score.score == 55.2 and score.tier == m.Tier.HIGH and score.province == risky.province


def test_a_late_action_is_late_by_the_local_day_it_was_verified(qazvin_unit):
    due = build.TODAY - dt.timedelta(days=3)
    late = dt.datetime.combine(due, dt.time(21, 0), tzinfo=dt.UTC)  # 00:30 the next day in Tehran
    on_time = dt.datetime.combine(due, dt.time(19, 0), tzinfo=dt.UTC)  # 22:30 the same day
    for verified_at in (late, on_time):
        action = build.action(qazvin_unit, state=m.ActionState.VERIFIED, due_days=3)
        m.CorrectiveAction.objects.filter(pk=action.pk).update(verified_at=verified_at)
    run_scores()
    assert components(qazvin_unit)["late_actions"]["detail"] == {"overdue": 0, "late": 1}


def test_only_active_units_are_scored_and_a_unit_with_nothing_scores_low(qazvin_unit, tehran_unit):
    idle = build.unit(status=UnitStatus.IDLE)
    closed = build.unit(status=UnitStatus.CLOSED)
    build.report(closed, days=10)
    run = run_scores()
    assert run.unit_count == 2
    assert set(current_scores().values_list("unit_id", flat=True)) == {qazvin_unit.pk, tehran_unit.pk}
    assert unit_score(idle) is None and unit_score(closed) is None
    quiet = unit_score(tehran_unit)
    assert quiet.score == 10.0 and quiet.tier == m.Tier.LOW  # never inspected: the full 10


def _units_with_every_fact(count: int) -> None:
    for _ in range(count):
        unit = build.unit()
        build.product(unit, hazard_level=2)
        build.report(unit, days=10)
        build.finding(unit, severity="major")
        build.action(unit, state=m.ActionState.ACCEPTED, due_days=3)
        build.complaint(unit)
        build.licence(unit, state="suspended")


def _queries_of_a_run() -> int:
    with CaptureQueriesContext(connection) as queries:
        run_scores()
    return len(queries)


def test_the_run_makes_the_same_number_of_queries_for_3_units_as_for_30():
    _units_with_every_fact(3)
    few = _queries_of_a_run()
    _units_with_every_fact(27)
    many = _queries_of_a_run()
    assert current_run().unit_count == 30
    assert many == few, (few, many)
    assert few <= 30


@pytest.fixture
def divisions(transactional_db):
    """A transactional test starts from an emptied database: load what the migrations would have."""
    load_divisions(Province, County)


@pytest.mark.parametrize("where", ["computing", "writing"])
@pytest.mark.django_db(transaction=True)
def test_a_run_that_crashes_midway_leaves_the_previous_scores_current(divisions, monkeypatch, where):
    """Real commits: the RUNNING row commits first, the scores' transaction rolls back whole, FAILED is
    written in a transaction of its own."""
    risky, other = build.unit(), build.unit()  # two units, so that "half-way" has a half
    build.product(risky, hazard_level=4)
    build.report(risky, days=30)
    first = run_scores()
    before = dict(current_scores().values_list("unit_id", "score"))
    assert before == {risky.pk: 41.7, other.pk: 10.0}  # 25 + 6.7 + 10 (never inspected)
    build.report(risky, days=5)  # the next run would score the risky unit higher
    if where == "computing":
        real, calls = scoring.score, []

        def flaky(facts, policy):
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("the disk is full")
            return real(facts, policy)

        monkeypatch.setattr(scoring, "score", flaky)
    else:
        real_write = services._write

        def half_written(run, rows):
            real_write(run, rows[: len(rows) // 2])
            assert m.UnitScore.objects.filter(run=run).count() == 1  # half is written when it crashes
            raise RuntimeError("the disk is full")

        monkeypatch.setattr(services, "_write", half_written)
    with pytest.raises(HamiError) as refused:
        run_scores()
    assert refused.value.code == "scoring_failed"
    failed = m.ScoreRun.objects.exclude(pk=first.pk).get()
    assert failed.state == m.ScoreRunState.FAILED and "the disk is full" in failed.error
    assert failed.finished_at is not None and not failed.scores.exists()  # no partial rows
    assert current_run() == first
    assert dict(current_scores().values_list("unit_id", "score")) == before
    computed = AuditEvent.objects.filter(event_type=EventType.SCORES_COMPUTED)
    assert [event.object_id for event in computed] == [str(first.pk)]
    monkeypatch.undo()
    assert run_scores().state == m.ScoreRunState.DONE  # the failed run does not block the next
    assert unit_score(risky).score == 48.3  # 25 + 13.3 + 10


def test_only_the_newest_runs_are_kept_with_their_scores(qazvin_unit):
    runs = [run_scores() for _ in range(KEEP_DONE_RUNS + 2)]
    kept = list(m.ScoreRun.objects.filter(state=m.ScoreRunState.DONE).order_by("pk"))
    assert kept == runs[-KEEP_DONE_RUNS:]
    assert m.UnitScore.objects.count() == KEEP_DONE_RUNS
    assert current_run() == runs[-1]
    event = AuditEvent.objects.filter(event_type=EventType.SCORES_COMPUTED).order_by("-seq").first()
    assert event.details["runs_deleted"] == 1 and event.details["units"] == 1
    assert event.details["tiers"] == {"low": 1} and event.actor is None


def test_a_second_run_is_refused_while_one_is_running_and_a_stale_one_is_given_up(qazvin_unit):
    running = m.ScoreRun.objects.create(state=m.ScoreRunState.RUNNING, as_of=build.NOW)
    with pytest.raises(HamiError) as refused:
        run_scores()
    assert refused.value.code == "scores_running"
    assert m.ScoreRun.objects.count() == 1
    m.ScoreRun.objects.filter(pk=running.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    assert run_scores().state == m.ScoreRunState.DONE
    running.refresh_from_db()
    assert running.state == m.ScoreRunState.FAILED and "abandoned" in running.error


def test_the_run_uses_the_instruction_in_force_and_names_its_version(risky, admin_user):
    policy_set(actor=admin_user, values={"weights": {"hazard": 50}}, reason="Hazard matters more")
    run = run_scores()
    assert run.policy_version == 1
    assert components(risky)["hazard"] == {"key": "hazard", "raw": 3, "points": 37.5, "weight": 50}
    assert unit_score(risky).score == 55.2 - 18.8 + 37.5
    assert unit_score(risky).tier == m.Tier.SERIOUS


@pytest.mark.parametrize("persona", ["qazvin_officer", "admin_user"])
def test_office_staff_and_national_admins_start_a_run(request, persona, qazvin_unit):
    user = request.getfixturevalue(persona)
    run = scores_recompute(actor=user)
    assert run.started_by == user and run.state == m.ScoreRunState.DONE
    event = AuditEvent.objects.get(event_type=EventType.SCORES_COMPUTED)
    assert event.actor == user


@pytest.mark.parametrize("persona", ["qazvin_inspector", "unit_rep", "lab_user", "outsider"])
def test_other_roles_may_not_start_a_run(request, persona):
    with pytest.raises(Forbidden):
        scores_recompute(actor=request.getfixturevalue(persona))
    assert not m.ScoreRun.objects.exists()


def test_findings_of_a_visit_still_under_way_do_not_count_yet():
    unit = build.unit()
    done = build.finding(unit, severity="major")
    ongoing = build.finding(unit, severity="critical")
    m.Inspection.objects.filter(pk=ongoing.inspection_id).update(state=m.InspectionState.IN_PROGRESS)
    run_scores()
    assert components(unit)["open_findings"]["detail"] == {"critical": 0, "major": 1, "minor": 0}
    m.Inspection.objects.filter(pk=ongoing.inspection_id).update(state=m.InspectionState.DONE)
    assert done.pk and run_scores().state == m.ScoreRunState.DONE
    assert components(unit)["open_findings"]["detail"] == {"critical": 1, "major": 1, "minor": 0}


def test_an_active_licence_past_its_date_counts_as_expired_before_the_daily_run():
    unit = build.unit()
    build.licence(unit, state="active", expires_days=10)  # its date passed 10 days ago
    build.licence(unit, state="active", expires_days=-30)  # valid for 30 more days
    run_scores()
    assert components(unit)["licence_state"]["detail"] == {"suspended": 0, "revoked": 0, "expired": 1}
