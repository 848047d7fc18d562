"""Who may see and act on courses, sessions, registrations, clinic slots, bookings, referrals and
working groups.

The catalogue, the session calendar, the open clinic slots and the list of working groups are open
to every signed-in user: a unit must see what it can join. What belongs to a unit (its registrations,
bookings, referrals, certificates) is seen by the unit, by the office of its province and by the
national staff; an advisor sees the bookings of its own slots; minutes and action items are seen by
the group's members and its office.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hami.core.access import scoped
from hami.core.models import Role, User
from hami.outreach.models import (
    Advisor,
    Booking,
    Certificate,
    Course,
    CourseSession,
    Referral,
    Registration,
    Slot,
    WorkingGroup,
)


def _get(queryset: QuerySet, public_id, message: str):
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(message) from exc


def can_manage(user: User, province_id: int | None) -> bool:
    """Office staff of the province (or national staff) run its courses, clinics and groups. Something
    national (`province_id` None) is run by national staff only."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_national:
        return True
    return user.role == Role.OFFICE_STAFF and province_id is not None and user.province_id == province_id


# ---------------------------------------------------------------- training


def sessions_for_user(user: User) -> QuerySet[CourseSession]:
    """Every signed-in user sees every session (a unit may take an online course of another province)."""
    sessions = CourseSession.objects.select_related("course", "province")
    return sessions if user.is_authenticated and user.is_active else sessions.none()


def session_for_user(user: User, public_id) -> CourseSession:
    return _get(
        sessions_for_user(user), public_id, _("No course session with this identifier is visible to you.")
    )


def registrations_for_user(user: User) -> QuerySet[Registration]:
    """The office: registrations in its province's sessions; a unit: its own staff's."""
    registrations = Registration.objects.select_related("session__course", "session__province", "unit")
    return scoped(
        registrations, user, province="session__province", members={Role.UNIT_REP: "unit__memberships__user"}
    )


def registration_for_user(user: User, public_id) -> Registration:
    return _get(
        registrations_for_user(user), public_id, _("No registration with this identifier is visible to you.")
    )


# training (helper A): the catalogue, certificates, and who registers a unit's staff


def courses_for_user(user: User) -> QuerySet[Course]:
    """Every signed-in user reads the catalogue; a course no longer offered is still seen by those who
    may run it (national staff; the office, its province's courses)."""
    courses = Course.objects.select_related("topic", "province", "standard")
    if not user.is_authenticated or not user.is_active:
        return courses.none()
    if user.is_national:
        return courses
    if user.role == Role.OFFICE_STAFF and user.province_id:
        return courses.filter(Q(is_active=True) | Q(province_id=user.province_id))
    return courses.filter(is_active=True)


def course_for_user(user: User, public_id) -> Course:
    return _get(courses_for_user(user), public_id, _("No course with this identifier is visible to you."))


def may_register_for(user: User, unit) -> bool:
    """A representative of the unit, or the office of the unit's province (national staff anywhere)."""
    return is_unit_rep(user, unit.pk) or can_manage(user, unit.province_id)


def certificates_for_user(user: User) -> QuerySet[Certificate]:
    """A unit: its staff's; the office and inspectors: those of its province's units and those its
    sessions issued; national staff: all."""
    certificates = Certificate.objects.select_related(
        "course", "unit", "registration__session__province", "renews"
    )
    if not user.is_authenticated or not user.is_active:
        return certificates.none()
    if user.is_national:
        return certificates
    if user.role in (Role.OFFICE_STAFF, Role.INSPECTOR) and user.province_id:
        return certificates.filter(
            Q(unit__province_id=user.province_id) | Q(registration__session__province_id=user.province_id)
        )
    if user.role == Role.UNIT_REP:
        return certificates.filter(unit__memberships__user=user)
    return certificates.none()


def certificate_for_user(user: User, code: str) -> Certificate:
    """By its verification code (not sequential, and scoped like the list)."""
    try:
        return certificates_for_user(user).get(code=str(code)[:14])
    except Certificate.DoesNotExist as exc:
        raise Http404(_("No certificate with this code is visible to you.")) from exc


# ---------------------------------------------------------------- clinics


def slots_for_user(user: User) -> QuerySet[Slot]:
    """Every signed-in user sees the slots (to book them); what is booked is in the bookings."""
    slots = Slot.objects.select_related("advisor", "topic", "province")
    return slots if user.is_authenticated and user.is_active else slots.none()


def slot_for_user(user: User, public_id) -> Slot:
    return _get(slots_for_user(user), public_id, _("No clinic slot with this identifier is visible to you."))


def bookings_for_user(user: User) -> QuerySet[Booking]:
    """The office: its province's; a unit: its own; an advisor (of any role): those of its own slots."""
    bookings = Booking.objects.select_related(
        "slot__advisor", "slot__topic", "slot__province", "unit", "referral"
    )
    if not user.is_authenticated or not user.is_active:
        return bookings.none()
    own_slots = Q(slot__advisor__user=user)
    if user.role == Role.UNIT_REP:
        return bookings.filter(Q(unit__memberships__user=user) | own_slots).distinct()
    if user.is_national:
        return bookings
    if user.role in (Role.OFFICE_STAFF, Role.INSPECTOR) and user.province_id:
        return bookings.filter(Q(slot__province_id=user.province_id) | own_slots)
    return bookings.filter(own_slots)


def booking_for_user(user: User, public_id) -> Booking:
    return _get(
        bookings_for_user(user), public_id, _("No clinic booking with this identifier is visible to you.")
    )


def referrals_for_user(user: User) -> QuerySet[Referral]:
    """The office and inspectors: their province's units; a unit: its own."""
    referrals = Referral.objects.select_related("unit", "topic")
    return scoped(
        referrals, user, province="unit__province", members={Role.UNIT_REP: "unit__memberships__user"}
    )


def referral_for_user(user: User, public_id) -> Referral:
    return _get(referrals_for_user(user), public_id, _("No referral with this identifier is visible to you."))


# clinics (helper B): advisors, and who acts on a slot, a booking or for a unit


def advisors_for_user(user: User) -> QuerySet[Advisor]:
    """Every signed-in user sees the advisors (to choose whom to book); the office sees inactive ones too."""
    advisors = Advisor.objects.select_related("user", "province", "lab")
    return advisors if user.is_authenticated and user.is_active else advisors.none()


def advisor_for_user(user: User, public_id) -> Advisor:
    return _get(advisors_for_user(user), public_id, _("No advisor with this identifier is visible to you."))


def is_slot_advisor(user: User, slot: Slot) -> bool:
    """The advisor who offers the slot (whatever the user's role)."""
    return user.is_authenticated and user.is_active and slot.advisor.user_id == user.pk


def may_manage_slot(user: User, slot: Slot) -> bool:
    """The slot's advisor, or the office of the slot's province (national staff anywhere)."""
    return is_slot_advisor(user, slot) or can_manage(user, slot.province_id)


def is_unit_rep(user: User, unit_id: int) -> bool:
    from hami.registry.models import UnitMembership

    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.UNIT_REP
        and UnitMembership.objects.filter(user=user, unit_id=unit_id).exists()
    )


def bookable_units_for_user(user: User):
    """The units the user may book a clinic slot for: a representative its units, the office its
    province's, national staff every unit."""
    from hami.registry.models import ProductionUnit

    units = ProductionUnit.objects.select_related("province")
    if not user.is_authenticated or not user.is_active:
        return units.none()
    if user.is_national:
        return units
    if user.role == Role.OFFICE_STAFF and user.province_id:
        return units.filter(province_id=user.province_id)
    if user.role == Role.UNIT_REP:
        return units.filter(memberships__user=user)
    return units.none()


def may_book_for(user: User, unit) -> bool:
    """A representative of the unit, or the office of the unit's province (national staff anywhere)."""
    return is_unit_rep(user, unit.pk) or can_manage(user, unit.province_id)


def referable_units_for_user(user: User):
    """The units the user may refer to a clinic: the office's and inspectors' province, national: all."""
    from hami.registry.models import ProductionUnit

    units = ProductionUnit.objects.select_related("province")
    if not user.is_authenticated or not user.is_active:
        return units.none()
    if user.is_national:
        return units
    if user.role in (Role.OFFICE_STAFF, Role.INSPECTOR) and user.province_id:
        return units.filter(province_id=user.province_id)
    return units.none()


# ---------------------------------------------------------------- working groups


def groups_for_user(user: User) -> QuerySet[WorkingGroup]:
    """Every signed-in user sees which groups exist (and may ask to join); see `is_group_insider`."""
    groups = WorkingGroup.objects.select_related("province")
    return groups if user.is_authenticated and user.is_active else groups.none()


def group_for_user(user: User, public_id) -> WorkingGroup:
    return _get(
        groups_for_user(user), public_id, _("No working group with this identifier is visible to you.")
    )


def member_filter(user: User) -> Q:
    """Members of a group that stand for `user`: the user, its units, its labs."""
    return Q(user=user) | Q(unit__memberships__user=user) | Q(lab__memberships__user=user)


def is_group_insider(user: User, group: WorkingGroup) -> bool:
    """Members and the group's office see minutes, action items and proposals."""
    if can_manage(user, group.province_id) or (user.is_authenticated and user.is_national):
        return True
    if (
        user.is_authenticated
        and user.role in (Role.OFFICE_STAFF, Role.INSPECTOR)
        and group.province_id is None
    ):
        return True  # a national group is open to every office
    return group.members.filter(member_filter(user), is_active=True).exists()


# Working groups: who runs what inside a group (helper C). Office staff of the group's province and
# national staff run everything; inside the group, the chair adds and removes members, and the chair
# or a secretary schedules meetings, records minutes and hands out action items.

_ROLE_RANK = {"chair": 0, "secretary": 1, "member": 2}


def group_role(user: User, group: WorkingGroup) -> str | None:
    """The highest role `user` holds in the group through an active member that stands for it (the
    user itself, one of its units or one of its labs); None for a non-member."""
    if not user.is_authenticated or not user.is_active:
        return None
    roles = set(group.members.filter(member_filter(user), is_active=True).values_list("role", flat=True))
    return min(roles, key=_ROLE_RANK.__getitem__) if roles else None


def may_manage_members(user: User, group: WorkingGroup) -> bool:
    """The group's office, or its chair."""
    return can_manage(user, group.province_id) or group_role(user, group) == "chair"


def may_run_meetings(user: User, group: WorkingGroup) -> bool:
    """The group's office, its chair or a secretary: meetings, minutes and action items."""
    return can_manage(user, group.province_id) or group_role(user, group) in ("chair", "secretary")


def meeting_for_user(user: User, public_id):
    """A meeting of a group the user is an insider of; anything else is a 404."""
    from hami.outreach.models import Meeting

    meeting = _get(
        Meeting.objects.select_related("group__province").filter(group__in=groups_for_user(user)),
        public_id,
        _("No meeting with this identifier is visible to you."),
    )
    if not is_group_insider(user, meeting.group):
        raise Http404(_("No meeting with this identifier is visible to you."))
    return meeting


def proposal_for_user(user: User, public_id):
    """A proposal of a group the user is an insider of; anything else is a 404."""
    from hami.outreach.models import Proposal

    proposal = _get(
        Proposal.objects.select_related("group__province", "standard", "submitted_by").filter(
            group__in=groups_for_user(user)
        ),
        public_id,
        _("No proposal with this identifier is visible to you."),
    )
    if not is_group_insider(user, proposal.group):
        raise Http404(_("No proposal with this identifier is visible to you."))
    return proposal


def meetings_for_user(user: User):
    """Meetings of the groups the user is an insider of (the same rule as `is_group_insider`), for the
    meetings calendar: national staff all; an office its province's groups and the national ones; an
    inspector the national ones; anyone the groups it stands for an active member of."""
    from hami.outreach.models import Meeting, Member

    meetings = Meeting.objects.select_related("group")
    if not user.is_authenticated or not user.is_active:
        return meetings.none()
    if user.is_national:
        return meetings
    inside = Q(group_id__in=Member.objects.filter(member_filter(user), is_active=True).values("group_id"))
    if user.role in (Role.OFFICE_STAFF, Role.INSPECTOR):
        inside |= Q(group__province__isnull=True)
    if user.role == Role.OFFICE_STAFF and user.province_id:
        inside |= Q(group__province_id=user.province_id)
    return meetings.filter(inside)
