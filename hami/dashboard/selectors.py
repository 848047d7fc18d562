"""What each role's home page shows: counts across the registry, the catalogue, the labs and outreach."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from hami.core.models import AuditEvent, Role, User
from hami.labs.access import companies_for_user, labs_for_user, orders_for_user, samples_for_user
from hami.labs.models import CustodyStep, LabStatus, OrderState
from hami.licensing.access import applications_for_user, licences_for_user
from hami.licensing.models import ApplicationState, LicenceState
from hami.outreach.access import bookings_for_user, referrals_for_user, registrations_for_user
from hami.outreach.models import Advisor, BookingStatus, ReferralStatus, RegistrationStatus, Slot, SlotStatus
from hami.registry.access import units_for_user
from hami.registry.models import Product, UnitStatus
from hami.standards.models import Standard
from hami.supervision.access import complaints_for_user, findings_for_user, inspections_for_user
from hami.supervision.models import FindingState, InspectionState
from hami.supervision.selectors_ladder import OVERDUE_STATES


def office_overview(user: User) -> dict:
    """Counts for national and provincial staff, scoped like the unit list."""
    units = units_for_user(user)
    labs = labs_for_user(user)
    mandatory_ids = list(Standard.objects.mandatory_on().values_list("pk", flat=True))
    products = Product.objects.filter(unit__in=units)
    by_county = (
        units.values("county__name_fa", "county__name_en")
        .annotate(total=Count("pk"), active=Count("pk", filter=Q(status=UnitStatus.ACTIVE)))
        .order_by("-total")
    )
    events = AuditEvent.objects.select_related("actor").order_by("-seq")
    if not user.is_national:
        events = events.filter(province_id=user.province_id)
    applications = applications_for_user(user).filter(closed_at__isnull=True)
    licences = licences_for_user(user)
    today = timezone.localdate()
    return {
        "open_applications": applications.count(),
        "overdue_applications": applications.filter(due_on__lt=today).count(),
        "ready_applications": applications.filter(state=ApplicationState.READY).count(),
        "active_licences": licences.filter(state=LicenceState.ACTIVE).count(),
        "expiring_licences": licences.filter(
            state=LicenceState.ACTIVE, expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=90)
        ).count(),
        "unit_count": units.count(),
        "active_unit_count": units.filter(status=UnitStatus.ACTIVE).count(),
        "product_count": products.count(),
        "mandatory_product_count": products.filter(category__standards__in=mandatory_ids).distinct().count(),
        "mandatory_standard_count": len(mandatory_ids),
        "lab_count": labs.filter(status=LabStatus.APPROVED).count(),
        "by_county": list(by_county),
        "recent_events": list(events[:10]),
        **_supervision(user, today),
    }


def _supervision(user: User, today: dt.date) -> dict:
    """The supervision row of the office's home: what waits for someone today."""
    findings = findings_for_user(user).filter(state=FindingState.OPEN)
    visits = inspections_for_user(user).filter(scheduled_on=today).exclude(state=InspectionState.CANCELLED)
    if user.role == Role.INSPECTOR:
        visits = visits.filter(inspector=user)
    return {
        "visits_today": visits.count(),
        "open_findings": findings.count(),
        "overdue_actions": findings.filter(actions__state__in=OVERDUE_STATES, actions__due_on__lt=today)
        .distinct()
        .count(),
        "complaints_to_triage": complaints_for_user(user).filter(case__isnull=True).count(),
    }


def unit_rep_overview(user: User) -> dict:
    """The unit's portal: its units, applications under way (with the next step) and licences."""
    today = timezone.localdate()
    return {
        "units": list(units_for_user(user).annotate(product_count=Count("products"))),
        "applications": list(
            applications_for_user(user).filter(closed_at__isnull=True).order_by("due_on", "created_at")[:20]
        ),
        "licences": list(licences_for_user(user).order_by("expires_on")[:50]),
        "renew_before": today + dt.timedelta(days=90),
        "today": today,
        **_outreach_for_unit_rep(user),
    }


def _outreach_for_unit_rep(user: User) -> dict:
    """What the unit's staff are booked on, and where the office suggests it seeks advice."""
    now = timezone.now()
    return {
        "registrations": list(
            registrations_for_user(user)
            .filter(
                status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED],
                session__starts_at__gte=now,
            )
            .order_by("session__starts_at")[:10]
        ),
        "bookings": list(
            bookings_for_user(user)
            .filter(status=BookingStatus.BOOKED, slot__starts_at__gte=now)
            .order_by("slot__starts_at")[:10]
        ),
        "referrals": list(referrals_for_user(user).filter(status=ReferralStatus.OPEN)[:10]),
    }


def advisor_overview(user: User) -> dict:
    """A private consultant's week: its coming slots (booked or open) and past sessions without notes."""
    advisor = Advisor.objects.filter(user=user).first()
    now = timezone.now()
    slots = Slot.objects.filter(advisor=advisor).select_related("topic")
    return {
        "advisor": advisor,
        "coming": list(
            slots.filter(starts_at__gte=now, status__in=[SlotStatus.OPEN, SlotStatus.BOOKED])
            .prefetch_related("bookings__unit")
            .order_by("starts_at")[:20]
        ),
        "to_record": list(
            bookings_for_user(user)
            .filter(slot__advisor=advisor, status=BookingStatus.BOOKED, slot__starts_at__lt=now)
            .order_by("slot__starts_at")[:20]
        ),
    }


def lab_overview(user: User) -> dict:
    """The lab's inbox: orders waiting for an answer, orders in progress, and the latest reports."""
    orders = orders_for_user(user)
    return {
        "labs": list(labs_for_user(user)),
        "incoming": list(orders.filter(state=OrderState.SENT).order_by("due_on", "created_at")[:20]),
        "in_progress": list(orders.filter(state=OrderState.ACCEPTED).order_by("due_on", "created_at")[:20]),
        "reported": orders.filter(state=OrderState.REPORTED).count(),
        "today": timezone.localdate(),
    }


def company_overview(user: User) -> dict:
    samples = samples_for_user(user)
    return {
        "companies": list(companies_for_user(user)),
        "to_send": list(samples.filter(state=CustodyStep.TAKEN).order_by("taken_at")[:20]),
        "recent": list(samples.order_by("-taken_at")[:10]),
    }


OVERVIEWS = {
    Role.NATIONAL_ADMIN: ("dashboard/home_office.html", office_overview),
    Role.OFFICE_STAFF: ("dashboard/home_office.html", office_overview),
    Role.INSPECTOR: ("dashboard/home_office.html", office_overview),
    Role.UNIT_REP: ("dashboard/home_unit.html", unit_rep_overview),
    Role.LAB_STAFF: ("dashboard/home_lab.html", lab_overview),
    Role.INSPECTION_COMPANY: ("dashboard/home_company.html", company_overview),
    Role.ADVISOR: ("dashboard/home_advisor.html", advisor_overview),
}
