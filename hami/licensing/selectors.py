"""Reads of licensing that are more than one queryset."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from hami.core.calendar import working_days_between
from hami.licensing.models import Application, Licence, StepVisit


def licence_by_tracking_code(code: str) -> Licence | None:
    """The public face of a licence, in one indexed query (tracking_code is unique)."""
    return (
        Licence.objects.select_related("unit", "standard", "province", "current")
        .filter(tracking_code=code)
        .first()
    )


def queue(applications: QuerySet[Application], today: dt.date | None = None) -> QuerySet[Application]:
    """Overdue first (oldest due date first), then by due date; `overdue` annotated for the page."""
    today = today or timezone.localdate()
    overdue = Q(due_on__lt=today, closed_at__isnull=True)
    return applications.annotate(
        overdue=Case(When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField())
    ).order_by("-overdue", "due_on", "created_at")


@dataclass(frozen=True)
class StepTime:
    state: str
    label: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    working_days: int
    due_on: dt.date | None
    late: bool


def step_times(application: Application) -> list[StepTime]:
    """Time spent in each step, in working days of the application's province."""
    now = timezone.now()
    rows = []
    for visit in StepVisit.objects.filter(application=application).order_by("entered_at", "pk"):
        end = visit.left_at or now
        days = working_days_between(
            timezone.localdate(visit.entered_at), timezone.localdate(end), application.province
        )
        late = bool(visit.due_on and timezone.localdate(end) > visit.due_on)
        rows.append(
            StepTime(
                visit.state,
                visit.get_state_display(),
                visit.entered_at,
                visit.left_at,
                days,
                visit.due_on,
                late,
            )
        )
    return rows


def lead_time_days(application: Application) -> int | None:
    """Working days from first submission to decision (or to now while open)."""
    if application.submitted_at is None:
        return None
    end = application.closed_at or timezone.now()
    return working_days_between(
        timezone.localdate(application.submitted_at), timezone.localdate(end), application.province
    )
