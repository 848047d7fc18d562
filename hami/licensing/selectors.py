"""Reads of licensing that are more than one queryset."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from hami.core.calendar import working_days_between
from hami.licensing.models import Application, ApplicationState, Licence, StepVisit, Track
from hami.licensing.services.applications import FAST_TRACK_DECISION_DAYS


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


def normal_lead_time_days(province_id: int) -> float | None:
    """The average calendar days from submission to decision of the province's normal-track
    applications decided in the last year: what the fast track is measured against."""
    since = timezone.now() - dt.timedelta(days=365)
    rows = Application.objects.filter(
        province_id=province_id,
        track=Track.NORMAL,
        closed_at__gte=since,
        submitted_at__isnull=False,
        state__in=[ApplicationState.GRANTED, ApplicationState.REFUSED],
    ).values_list("submitted_at", "closed_at")
    days = [(closed - submitted).total_seconds() / 86400 for submitted, closed in rows]
    return round(sum(days) / len(days), 1) if days else None


@dataclass(frozen=True)
class FastTrack:
    target_days: int  # working days from submission to decision
    lead_days: float | None  # calendar days so far (or to the decision)
    normal_days: float | None  # the province's normal-track average
    saved_days: float | None


def fast_track_figures(application: Application) -> FastTrack | None:
    if application.track != Track.FAST:
        return None
    lead = None
    if application.submitted_at:
        end = application.closed_at or timezone.now()
        lead = round((end - application.submitted_at).total_seconds() / 86400, 1)
    normal = normal_lead_time_days(application.province_id)
    saved = round(normal - lead, 1) if normal is not None and lead is not None else None
    return FastTrack(FAST_TRACK_DECISION_DAYS, lead, normal, saved)
