"""A unit's participation in training, clinics and working groups: the counts, and the participation
component of the quality grade that the incentives app will weigh with the rest of the unit's history.

`counts_for_units` reads the counts for many units in a fixed number of queries (one per kind of
participation, grouped by unit), so a nightly grade over 120,000 units is a handful of scans;
`score` turns one unit's counts into points with every line shown, so the number is explainable.

The points are this project's choice, not a published scale (no INSO rule fixes them): a course
attended or a clinic session held counts, an absence or a no-show takes away a little less than a
session gives, an ignored referral counts against, and the total is capped at 100 so that
participation cannot buy a grade on its own. docs/outreach.md lists them.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from hami.outreach.models import (
    ActionItem,
    ActionState,
    Booking,
    BookingStatus,
    Certificate,
    CertificateStatus,
    CourseKind,
    Meeting,
    MeetingStatus,
    Member,
    MemberKind,
    Referral,
    ReferralStatus,
    Registration,
    RegistrationStatus,
)

# (points per occurrence, cap on the line's points); a negative line has a negative cap.
POINTS = {
    "courses_attended": (10, 40),
    "courses_missed": (-5, -20),
    "qc_certificate_valid": (15, 15),
    "clinic_sessions_held": (8, 32),
    "clinic_no_shows": (-6, -18),
    "referrals_completed": (6, 18),
    "referrals_ignored": (-8, -24),
    "group_meetings_attended": (4, 20),
    "group_actions_done": (5, 20),
    "group_actions_overdue": (-3, -12),
}
LABELS = {
    "courses_attended": _("Course sessions attended"),
    "courses_missed": _("Course sessions missed after registering"),
    "qc_certificate_valid": _("QC manager's competence certificate valid"),
    "clinic_sessions_held": _("Clinic sessions held"),
    "clinic_no_shows": _("Clinic sessions missed"),
    "referrals_completed": _("Referrals followed to a clinic session"),
    "referrals_ignored": _("Referrals left open for more than 30 days"),
    "group_meetings_attended": _("Working-group meetings attended"),
    "group_actions_done": _("Working-group actions done"),
    "group_actions_overdue": _("Working-group actions overdue"),
}
MAX_SCORE = 100
WINDOW_DAYS = 365  # participation counts over the last year
REFERRAL_GRACE_DAYS = 30


@dataclass
class Line:
    key: str
    label: str
    count: int
    points: int


@dataclass
class Participation:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(POINTS, 0))

    @property
    def lines(self) -> list[Line]:
        return score(self.counts)[1]

    @property
    def score(self) -> int:
        return score(self.counts)[0]


def score(counts: dict[str, int]) -> tuple[int, list[Line]]:
    """The points of each line and the total, clamped to 0..MAX_SCORE."""
    lines = []
    for key, (each, cap) in POINTS.items():
        count = counts.get(key, 0)
        points = max(each * count, cap) if each < 0 else min(each * count, cap)
        lines.append(Line(key, str(LABELS[key]), count, points))
    total = sum(line.points for line in lines)
    return max(0, min(MAX_SCORE, total)), lines


def _by_unit(queryset, unit_field: str) -> dict[int, int]:
    # order_by() drops the model's default ordering, which would otherwise join the GROUP BY.
    grouped = queryset.order_by().values(unit_field).annotate(n=Count("pk", distinct=True))
    return {row[unit_field]: row["n"] for row in grouped}


def counts_for_units(unit_ids, *, since: dt.date, today: dt.date) -> dict[int, Participation]:
    """Each unit's participation between `since` and `today` (events that ended in the window)."""
    unit_ids = list(unit_ids)
    result: dict[int, Participation] = defaultdict(Participation)
    in_window = {"session__ends_at__date__gte": since, "session__ends_at__date__lte": today}
    registrations = Registration.objects.filter(unit_id__in=unit_ids, **in_window)
    rows = {
        "courses_attended": _by_unit(registrations.filter(status=RegistrationStatus.ATTENDED), "unit_id"),
        "courses_missed": _by_unit(registrations.filter(status=RegistrationStatus.ABSENT), "unit_id"),
        "qc_certificate_valid": _by_unit(
            Certificate.objects.filter(
                unit_id__in=unit_ids,
                status=CertificateStatus.VALID,
                course__kind__in=[CourseKind.QC_COMPETENCE, CourseKind.QC_RENEWAL],
            ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today)),
            "unit_id",
        ),
    }
    bookings = Booking.objects.filter(
        unit_id__in=unit_ids, slot__starts_at__date__gte=since, slot__starts_at__date__lte=today
    )
    rows["clinic_sessions_held"] = _by_unit(bookings.filter(status=BookingStatus.HELD), "unit_id")
    rows["clinic_no_shows"] = _by_unit(bookings.filter(status=BookingStatus.NO_SHOW), "unit_id")
    referrals = Referral.objects.filter(unit_id__in=unit_ids, created_at__date__gte=since)
    rows["referrals_completed"] = _by_unit(referrals.filter(status=ReferralStatus.COMPLETED), "unit_id")
    rows["referrals_ignored"] = _by_unit(
        referrals.filter(
            status=ReferralStatus.OPEN, created_at__date__lt=today - dt.timedelta(days=REFERRAL_GRACE_DAYS)
        ),
        "unit_id",
    )
    rows["group_meetings_attended"] = _by_unit(
        Meeting.attendees.through.objects.filter(
            member__kind=MemberKind.UNIT,
            member__unit_id__in=unit_ids,
            meeting__status=MeetingStatus.HELD,
            meeting__starts_at__date__gte=since,
            meeting__starts_at__date__lte=today,
        ),
        "member__unit_id",
    )
    actions = ActionItem.objects.filter(owner__kind=MemberKind.UNIT, owner__unit_id__in=unit_ids)
    rows["group_actions_done"] = _by_unit(
        actions.filter(state=ActionState.DONE, done_on__gte=since, done_on__lte=today), "owner__unit_id"
    )
    rows["group_actions_overdue"] = _by_unit(
        actions.filter(state__in=[ActionState.OPEN, ActionState.IN_PROGRESS], due_on__lt=today),
        "owner__unit_id",
    )
    for key, per_unit in rows.items():
        for unit_id, n in per_unit.items():
            result[unit_id].counts[key] = n
    return {unit_id: result[unit_id] for unit_id in unit_ids}


def unit_memberships(unit_ids) -> dict[int, int]:
    """How many active working groups each unit belongs to (shown beside the score, not scored)."""
    return _by_unit(Member.objects.filter(unit_id__in=list(unit_ids), is_active=True), "unit_id")
