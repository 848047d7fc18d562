"""Reads of licensing that are more than one queryset."""

import datetime as dt
from dataclasses import dataclass, replace

from django.db import connection
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from hami.core.calendar import working_days_between
from hami.core.models import Province
from hami.licensing.models import Application, ApplicationState, Licence, LicenceVersion, StepVisit, Track
from hami.licensing.services.applications import FAST_TRACK_DECISION_DAYS
from hami.registry.models import ProductionUnit
from hami.standards.models import Standard


def licence_by_tracking_code(code: str) -> Licence | None:
    """The public face of a licence, in one indexed query (tracking_code is unique)."""
    return (
        Licence.objects.select_related("unit", "standard", "province", "current")
        .filter(tracking_code=code)
        .first()
    )


@dataclass(frozen=True, slots=True)
class PublicLicence:
    """What anyone may read about a licence: the public verification's answer."""

    tracking_code: str
    state: str
    unit_fa: str
    unit_en: str
    unit_national_id: str
    product: str
    brand: str
    model: str
    standard_number: str
    standard_year: int
    standard_title_fa: str
    standard_title_en: str
    office_fa: str
    office_en: str
    issued_on: dt.date
    expires_on: dt.date

    @property
    def standard(self) -> str:
        return f"INSO {self.standard_number}:{self.standard_year}"


def _public_licence_sql() -> str:
    licence, unit, standard = Licence._meta.db_table, ProductionUnit._meta.db_table, Standard._meta.db_table
    province, version = Province._meta.db_table, LicenceVersion._meta.db_table
    return f"""
        SELECT l.tracking_code, l.state, u.name_fa, u.name_en, u.national_id,
               v.product_name, v.brand, v.model, s.number, s.year, s.title_fa, s.title_en,
               p.name_fa, p.name_en, v.issued_on, l.expires_on
          FROM {licence} l
          JOIN {unit} u ON u.id = l.unit_id
          JOIN {standard} s ON s.id = l.standard_id
          JOIN {province} p ON p.id = l.province_id
          JOIN {version} v ON v.id = l.current_id
         WHERE l.tracking_code = %s"""


_PUBLIC_LICENCE_SQL = _public_licence_sql()


def public_licence(code: str) -> PublicLicence | None:
    """The public face of a licence by tracking code: one indexed query, no model instances.

    This is the busiest read Hami has (every scan of every mark), so it skips the ORM: compiling
    the five-model select_related cost more CPU than everything else in the request together (see
    bench/README.md). On PostgreSQL it runs on a server-binding psycopg cursor, so the statement is
    prepared once per connection (after `prepare_threshold` runs, settings.DATABASES OPTIONS)
    instead of being parsed and planned on every scan; Django's own cursors bind on the client.
    """
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            row = cursor.execute(_PUBLIC_LICENCE_SQL, (code,)).fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(_PUBLIC_LICENCE_SQL, [code])
            row = cursor.fetchone()
    if row is None:
        return None
    licence = PublicLicence(*row)
    if isinstance(licence.issued_on, str):  # SQLite returns dates of a raw join as text
        licence = replace(
            licence,
            issued_on=dt.date.fromisoformat(licence.issued_on),
            expires_on=dt.date.fromisoformat(licence.expires_on),
        )
    return licence


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
