"""The demo's training, clinics and working groups keep the rules the outreach services enforce, and give
each persona something to see. Built once for the module (a small province), rolled back at the end."""

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from hami.core.audit import verify_chain
from hami.core.models import Role, User
from hami.demo.builder import build_demo
from hami.licensing.tracking import is_valid_verhoeff
from hami.outreach.models import (
    HOLDS_PLACE,
    Booking,
    BookingStatus,
    Certificate,
    CourseKind,
    CourseSession,
    Meeting,
    MeetingStatus,
    Proposal,
    ProposalState,
    Referral,
    Registration,
    RegistrationStatus,
    SessionStatus,
    Slot,
    SlotStatus,
    WorkingGroup,
)
from hami.registry.models import QCManager

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        summary = build_demo(seed=29, units=500, other_units=5)
        yield summary
        transaction.set_rollback(True)


def test_every_qc_manager_holds_a_verifiable_certificate_from_a_completed_qc_session(demo):
    managers = QCManager.objects.filter(unit__province__code="qazvin", is_active=True)
    assert managers.exists()
    certificates = {c.code: c for c in Certificate.objects.filter(course__kind=CourseKind.QC_COMPETENCE)}
    for manager in managers:
        certificate = certificates[manager.certificate_number]
        assert is_valid_verhoeff(certificate.code) and len(certificate.code) == 12
        assert certificate.national_code == manager.national_code
        assert certificate.expires_on == manager.certificate_expiry
        assert certificate.registration.status == RegistrationStatus.ATTENDED
        assert certificate.registration.session.status == SessionStatus.COMPLETED


def test_no_session_holds_more_than_its_capacity_and_the_waitlist_only_where_full(demo):
    sessions = CourseSession.objects.annotate(
        held=Count("registrations", filter=Q(registrations__status__in=HOLDS_PLACE)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
    )
    assert sessions.filter(status=SessionStatus.SCHEDULED, waiting__gt=0).exists()
    for session in sessions:
        assert session.held <= session.capacity
        if session.waiting:
            assert session.held == session.capacity and session.status == SessionStatus.SCHEDULED


def test_past_sessions_are_completed_and_only_attendees_hold_certificates(demo):
    now = timezone.now()
    assert not CourseSession.objects.filter(ends_at__lt=now, status=SessionStatus.SCHEDULED).exists()
    assert not Certificate.objects.exclude(registration__status=RegistrationStatus.ATTENDED).exists()
    assert not Registration.objects.filter(
        session__status=SessionStatus.SCHEDULED,
        status__in=[RegistrationStatus.ATTENDED, RegistrationStatus.ABSENT],
    ).exists()


def test_renewal_registrants_hold_a_qc_certificate(demo):
    renewals = Registration.objects.filter(session__course__kind=CourseKind.QC_RENEWAL)
    assert renewals.exists()
    holders = set(QCManager.objects.values_list("national_code", flat=True))
    assert set(renewals.values_list("national_code", flat=True)) <= holders


def test_slots_are_booked_at_most_once_and_their_status_follows_the_booking(demo):
    live = [BookingStatus.BOOKED, BookingStatus.HELD, BookingStatus.NO_SHOW]
    counts = Slot.objects.annotate(live=Count("bookings", filter=Q(bookings__status__in=live)))
    assert counts.filter(live=1).exists()
    assert not counts.filter(live__gt=1).exists()
    assert not counts.filter(live=0).exclude(status=SlotStatus.OPEN).exists()
    now = timezone.now()
    assert not Booking.objects.filter(slot__starts_at__gt=now).exclude(status=BookingStatus.BOOKED).exists()
    held = Booking.objects.filter(status=BookingStatus.HELD)
    assert held.exists() and not held.filter(advisor_notes="").exists()


def test_referrals_come_from_failed_reports_and_the_producer_has_work_to_see(demo):
    producer = User.objects.get(username="producer")
    unit = producer.unit_memberships.get().unit
    assert Referral.objects.filter(unit=unit, status="open").exists()
    assert Booking.objects.filter(
        unit=unit, status=BookingStatus.BOOKED, slot__starts_at__gt=timezone.now()
    ).exists()
    assert Registration.objects.filter(unit=unit).exists()
    assert WorkingGroup.objects.filter(members__unit=unit).exists()
    advisor = User.objects.get(username="advisor")
    assert advisor.role == Role.ADVISOR and advisor.advisor.slots.exists()


def test_groups_have_minutes_actions_and_proposals_followed_to_an_outcome(demo):
    assert WorkingGroup.objects.count() == 3
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert held.exists() and not held.filter(minutes="").exists()
    assert Meeting.objects.filter(status=MeetingStatus.PLANNED, starts_at__gt=timezone.now()).exists()
    implemented = Proposal.objects.filter(state=ProposalState.IMPLEMENTED)
    assert implemented.exists() and not implemented.filter(outcome="").exists()
    for proposal in Proposal.objects.prefetch_related("steps"):
        assert proposal.steps.last().state == proposal.state
    assert list(verify_chain()) == []
