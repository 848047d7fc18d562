"""The periodic supervision job: `manage.py supervision_run [--now ISO] [--only STEP ...]`."""

import datetime as dt
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from hami.core.errors import HamiError
from hami.supervision.services.cases import market_cases_from_samples
from hami.supervision.services.ladder import actions_escalate_overdue, ladder_steps_down
from hami.supervision.services.scores import scores_recompute


def _market_cases(now: dt.datetime) -> str:
    # Every failed market sample without a case up to the run's moment, whatever its age: the run is
    # idempotent (one case a sample).
    return f"{market_cases_from_samples(until=now)} market cases opened"


def _overdue(now: dt.datetime) -> str:
    return f"{actions_escalate_overdue(today=timezone.localdate(now))} overdue corrective actions escalated"


def _step_down(now: dt.datetime) -> str:
    return f"{ladder_steps_down(today=timezone.localdate(now))} units stepped down the ladder"


def _scores(now: dt.datetime) -> str:
    run = scores_recompute(as_of=now)
    return f"{run.unit_count} units scored (instruction version {run.policy_version})"


# The steps, in the order they run; each takes the moment of the run and says what it did. Scores come last
# so that the night's scores see the night's cases, escalations and step-downs.
STEPS: list[tuple[str, Callable[[dt.datetime], str]]] = [
    ("market_cases", _market_cases),
    ("overdue_actions", _overdue),
    ("step_down", _step_down),
    ("scores", _scores),
]


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 date or date and time; naive means the office's time zone. ValueError otherwise."""
    moment = None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        day = parse_date(text)
        if day is not None:
            moment = dt.datetime.combine(day, dt.time(0, 0))
    if moment is None:
        raise ValueError(text)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "The nightly supervision run, for a scheduler: market cases from failed market samples, overdue "
        "corrective actions escalated, ladder step-downs after a clean period, then every active unit "
        "rescored. Exits 1 if a step fails; the steps after it still run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="run as if it were this moment (ISO 8601, e.g. 2026-11-28T02:00)")
        parser.add_argument(
            "--only",
            action="append",
            choices=[name for name, _step in STEPS],
            help="run only this step (may be repeated)",
        )

    def handle(self, *args, now=None, only=None, **options):
        try:
            moment = parse_moment(now) if now is not None else timezone.now()
        except ValueError as exc:
            raise CommandError(f"--now must be an ISO 8601 date or date and time, not {now!r}") from exc
        failed = []
        for name, step in STEPS:
            if only and name not in only:
                continue
            try:
                said = step(moment)
            except HamiError as exc:
                failed.append(name)
                self.stderr.write(f"{name}: failed: {exc.message}")
            else:
                self.stdout.write(f"{name}: {said}")
        if failed:
            raise CommandError(f"failed: {', '.join(failed)}")
