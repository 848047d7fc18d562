"""manage.py supervision_run: the nightly steps in order, `--only`, `--now`, and a clear exit 1."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hami.supervision.management.commands.supervision_run import STEPS
from hami.supervision.models import ScoreRun
from hami.supervision.selectors import unit_score

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("supervision_run", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_run_scores_every_unit_as_of_now_by_default(qazvin_unit, tehran_unit):
    said = run()
    assert "scores: 2 units scored (instruction version 0)" in said
    run_row = ScoreRun.objects.get()
    assert run_row.state == "done" and run_row.started_by is None
    assert unit_score(qazvin_unit) is not None


def test_now_sets_the_moment_the_scores_are_as_of(qazvin_unit):
    run("--now", "2026-03-20T23:30:00+03:30", "--only", "scores")
    assert ScoreRun.objects.get().as_of == dt.datetime(2026, 3, 20, 20, 0, tzinfo=dt.UTC)
    run("--now", "2026-03-21")  # a date: midnight in the office's time zone
    assert ScoreRun.objects.order_by("-pk").first().as_of == dt.datetime(2026, 3, 20, 20, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "1405/01/01", ""])
def test_a_bad_now_exits_with_a_message_and_runs_nothing(bad):
    with pytest.raises(CommandError, match="--now"):
        run("--now", bad)
    assert not ScoreRun.objects.exists()


def test_an_unknown_step_is_refused():
    with pytest.raises(CommandError):
        run("--only", "everything")


def test_a_failing_step_exits_1_and_says_which(qazvin_unit):
    ScoreRun.objects.create(state="running", as_of=dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
    with pytest.raises(CommandError, match="failed: scores"):
        run()


def test_the_steps_are_an_ordered_list_of_named_steps():
    assert [name for name, _step in STEPS][-1] == "scores"
