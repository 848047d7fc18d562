"""Consultation clinics: advisors and the time slots they publish. Units' bookings of those slots (the
advisor's notes, the unit's rating, reminders) are in services/bookings.py, referrals in
services/referrals.py.

A slot (state machine, docs/outreach.md):

    OPEN ──book──▶ BOOKED ──record session──▶ HELD
     ▲  ◀─cancel or move the booking─┘
     └──────────── cancel (advisor/office) ──▶ CANCELLED   (from OPEN or BOOKED, before it starts)
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_datetime
from hami.core.models import EventType, Province, Role, User
from hami.labs.models import Lab
from hami.outreach.access import can_manage, is_slot_advisor
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import (
    Advisor,
    AdvisorKind,
    Booking,
    Referral,
    ReferralStatus,
    Slot,
    SlotStatus,
    Topic,
)
from hami.outreach.services.bookings import booking_cancel_with_slot, slot_label
from hami.outreach.services.notices import notify_on_commit, unit_reps
from hami.outreach.services.text import clean_place, clean_text

# The longest slot and how far ahead one may be published: beyond these, a typo rather than a plan.
MAX_SLOT_HOURS = 8
MAX_DAYS_AHEAD = 366
MAX_SERIES_WEEKS = 26
LIVE_SLOT = (SlotStatus.OPEN, SlotStatus.BOOKED)


# ---------------------------------------------------------------- advisors


def _check_advisor_user(*, user: User, kind: str, province: Province, lab: Lab | None) -> None:
    if not user.is_active:
        raise HamiError(Code.INVALID, _("This account is disabled."), field="user")
    if kind == AdvisorKind.OFFICE_EXPERT:
        if user.role != Role.OFFICE_STAFF or user.province_id != province.pk:
            raise HamiError(
                Code.INVALID,
                _("An office expert must be office staff of the province {province}.").format(
                    province=province.name
                ),
                field="user",
            )
    elif kind == AdvisorKind.PRIVATE_CONSULTANT:
        if user.role != Role.ADVISOR:
            raise HamiError(
                Code.INVALID,
                _("A private consultant's account must have the role “{role}”.").format(
                    role=Role.ADVISOR.label
                ),
                field="user",
            )
    elif kind == AdvisorKind.LAB_EXPERT:
        if lab is None:
            raise HamiError(Code.INVALID, _("Choose the lab the expert works for."), field="lab")
        if lab.province_id != province.pk:
            raise HamiError(
                Code.INVALID,
                _("{lab} is in another province; the office of its province adds its experts.").format(
                    lab=lab.name
                ),
                field="lab",
            )
        if user.role != Role.LAB_STAFF or not lab.memberships.filter(user=user).exists():
            raise HamiError(
                Code.INVALID,
                _("A lab expert must be on the staff of {lab}.").format(lab=lab.name),
                field="user",
            )
    else:
        raise HamiError(Code.INVALID, _("Choose the kind of advisor."), field="kind")
    if lab is not None and kind != AdvisorKind.LAB_EXPERT:
        raise HamiError(Code.INVALID, _("Only a lab expert is linked to a lab."), field="lab")


@transaction.atomic
def advisor_save(
    *,
    actor: User,
    user: User,
    kind: str,
    display_name: str,
    province: Province,
    topics,
    lab: Lab | None = None,
    bio: str = "",
) -> Advisor:
    """Create or edit the advisor profile of `user` (and make it active). The office of the province
    (or national staff) does it. Raises Forbidden, HamiError(INVALID)."""
    if not can_manage(actor, province.pk):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the province manages its advisors."))
    advisor = Advisor.objects.select_for_update().filter(user=user).first()
    if advisor is not None and not can_manage(actor, advisor.province_id):
        raise Forbidden(
            Code.FORBIDDEN, _("This advisor belongs to another province; its office manages the profile.")
        )
    _check_advisor_user(user=user, kind=kind, province=province, lab=lab)
    display_name = clean_text(
        display_name, limit=200, field="display_name", required=_("Write the name to show.")
    )
    bio = clean_text(bio, limit=4000, field="bio", multiline=True)
    topics = list(topics)
    if not topics or not all(isinstance(topic, Topic) for topic in topics):
        raise HamiError(Code.INVALID, _("Choose at least one topic."), field="topics")
    created = advisor is None
    if created:
        advisor = Advisor(user=user)
    before = (
        {}
        if created
        else {
            "kind": advisor.kind,
            "province": advisor.province_id,
            "topics": sorted(advisor.topics.values_list("code", flat=True)),
            "active": advisor.is_active,
        }
    )
    advisor.kind, advisor.display_name, advisor.province, advisor.lab = kind, display_name, province, lab
    advisor.bio, advisor.is_active = bio, True
    advisor.save()
    advisor.topics.set(topics)
    audit(
        actor=actor,
        event_type=EventType.ADVISOR_SAVED,
        obj=advisor,
        province=province,
        details={
            "created": created,
            "user": user.username,
            "kind": kind,
            "topics": sorted(topic.code for topic in topics),
            "before": before,
        },
    )
    if created:
        notify_on_commit(
            [user],
            subject=_("You are a clinic advisor"),
            body=_("You may now publish consultation slots on: {topics}.").format(
                topics="، ".join(topic.name for topic in topics)
            ),
            link=reverse("outreach:advisor_detail", args=[advisor.public_id]),
        )
    return advisor


@transaction.atomic
def advisor_deactivate(*, actor: User, advisor: Advisor, reason: str) -> Advisor:
    """Take an advisor off the clinics: its future slots are cancelled and their units told. Deactivating
    twice changes nothing. Raises Forbidden, HamiError(INVALID)."""
    advisor = Advisor.objects.select_for_update().get(pk=advisor.pk)
    if not can_manage(actor, advisor.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the province manages its advisors."))
    reason = clean_text(reason, limit=300, field="reason", required=_("Write why the advisor stops."))
    if not advisor.is_active:
        return advisor
    now = timezone.now()
    cancelled = []
    slots = Slot.objects.select_for_update().filter(advisor=advisor, status__in=LIVE_SLOT, starts_at__gt=now)
    for slot in slots.select_related("topic", "advisor").order_by("pk"):
        _cancel_slot(slot, reason=reason, now=now)
        cancelled.append(str(slot.public_id))
    advisor.is_active = False
    advisor.save(update_fields=["is_active", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.ADVISOR_SAVED,
        obj=advisor,
        province=advisor.province,
        reason=reason,
        details={"active": False, "slots_cancelled": cancelled},
    )
    return advisor


# ---------------------------------------------------------------- slots


def _check_slot_writer(actor: User, advisor: Advisor) -> None:
    if not (advisor.user_id == actor.pk and actor.is_active) and not can_manage(actor, advisor.province_id):
        raise Forbidden(
            Code.FORBIDDEN, _("Only the advisor or the office of its province publishes its slots.")
        )
    if not advisor.is_active:
        raise HamiError(
            Code.WRONG_STATE, _("This advisor is not active; the office must reactivate it first.")
        )


def _publish(
    *,
    actor: User,
    advisor: Advisor,
    topic: Topic,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    mode: str,
    venue: str,
    link: str,
    now: dt.datetime,
) -> Slot:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise HamiError(Code.INVALID, _("Give the time with its time zone."), field="starts_at")
    if starts_at <= now:
        raise HamiError(Code.INVALID, _("A slot must start in the future."), field="starts_at")
    if starts_at > now + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise HamiError(Code.INVALID, _("A slot may be published at most a year ahead."), field="starts_at")
    if ends_at <= starts_at:
        raise HamiError(Code.INVALID, _("A slot must end after it starts."), field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=MAX_SLOT_HOURS):
        raise HamiError(
            Code.INVALID,
            _("A slot lasts at most {hours} hours.").format(hours=MAX_SLOT_HOURS),
            field="ends_at",
        )
    venue, link = clean_place(mode, venue, link)
    clash = (
        Slot.objects.filter(
            advisor=advisor, status__in=LIVE_SLOT, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise HamiError(
            Code.SLOT_OVERLAP,
            _("The advisor already has a slot from {start} to {end}.").format(
                start=format_datetime(clash.starts_at), end=format_datetime(clash.ends_at)
            ),
            field="starts_at",
        )
    hours = settings.HAMI_CLINIC_PRIORITY_HOURS
    priority_until = min(now + dt.timedelta(hours=hours), starts_at) if hours > 0 else None
    slot = Slot.objects.create(
        advisor=advisor,
        topic=topic,
        province_id=advisor.province_id,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        venue=venue,
        link=link,
        priority_until=priority_until,
    )
    audit(
        actor=actor,
        event_type=EventType.SLOT_PUBLISHED,
        obj=slot,
        province=advisor.province,
        details={
            "advisor": str(advisor.public_id),
            "topic": topic.code,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "mode": mode,
        },
    )
    return slot


def _tell_referred_units(slots: list[Slot]) -> None:
    """Units of the province with an open referral on the topic hear of new slots they may book first."""
    slot = slots[0]
    unit_ids = set(
        Referral.objects.filter(
            topic=slot.topic, status=ReferralStatus.OPEN, unit__province_id=slot.province_id
        ).values_list("unit_id", flat=True)
    )
    if not unit_ids:
        return
    reps = unit_reps(unit_ids)
    if slot.priority_until:
        body = _("Units referred to this topic may book it before the others, until {until}.").format(
            until=format_datetime(slot.priority_until)
        )
    else:
        body = _("Your unit was referred to a clinic on this topic.")
    notify_on_commit(
        [user for users in reps.values() for user in users],
        subject=_("New clinic slots: {label}").format(label=slot_label(slot)),
        body=body,
        link=reverse("outreach:slot_detail", args=[slot.public_id]),
    )


def _advisor_and_topic(advisor: Advisor, topic: Topic) -> Advisor:
    advisor = Advisor.objects.select_for_update().select_related("province").get(pk=advisor.pk)
    if not advisor.topics.filter(pk=topic.pk).exists():
        raise HamiError(
            Code.INVALID,
            _("{advisor} does not advise on “{topic}”.").format(
                advisor=advisor.display_name, topic=topic.name
            ),
            field="topic",
        )
    return advisor


@transaction.atomic
def slot_publish(
    *,
    actor: User,
    advisor: Advisor,
    topic: Topic,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    mode: str,
    venue: str = "",
    link: str = "",
    now: dt.datetime | None = None,
) -> Slot:
    """Publish one slot of the advisor (by the advisor or the office). Until `priority_until` only units
    with priority book it. Raises Forbidden, HamiError(INVALID, SLOT_OVERLAP, WRONG_STATE)."""
    _check_slot_writer(actor, advisor)
    # The advisor's row lock serializes publishing for one advisor, so two overlapping slots published
    # at once cannot both pass the overlap check.
    advisor = _advisor_and_topic(advisor, topic)
    slot = _publish(
        actor=actor,
        advisor=advisor,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        venue=venue,
        link=link,
        now=now or timezone.now(),
    )
    _tell_referred_units([slot])
    return slot


@transaction.atomic
def slots_publish_series(
    *,
    actor: User,
    advisor: Advisor,
    topic: Topic,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    weeks: int,
    mode: str,
    venue: str = "",
    link: str = "",
    now: dt.datetime | None = None,
) -> list[Slot]:
    """The same slot every week for `weeks` weeks (e.g. every Monday 9:00–10:00), all or none: one
    refused week (an overlap) publishes nothing. Raises as slot_publish."""
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_SERIES_WEEKS:
        raise HamiError(
            Code.INVALID,
            _("Repeat a slot for 1 to {weeks} weeks.").format(weeks=MAX_SERIES_WEEKS),
            field="weeks",
        )
    _check_slot_writer(actor, advisor)
    advisor = _advisor_and_topic(advisor, topic)
    now = now or timezone.now()
    # Local wall-clock arithmetic: 9:00 stays 9:00 every week in Tehran time.
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    slots = [
        _publish(
            actor=actor,
            advisor=advisor,
            topic=topic,
            starts_at=local_start + dt.timedelta(weeks=week),
            ends_at=local_end + dt.timedelta(weeks=week),
            mode=mode,
            venue=venue,
            link=link,
            now=now,
        )
        for week in range(weeks)
    ]
    _tell_referred_units(slots)
    return slots


def _cancel_slot(slot: Slot, *, reason: str, now: dt.datetime) -> Booking | None:
    """Cancel a live slot and its live booking (the referral opens again); tell the unit. No audit: the
    caller writes its own event."""
    slot.status, slot.cancel_reason = SlotStatus.CANCELLED, reason
    slot.save(update_fields=["status", "cancel_reason", "updated_at"])
    return booking_cancel_with_slot(slot=slot, reason=reason)


@transaction.atomic
def slot_cancel(*, actor: User, slot: Slot, reason: str, now: dt.datetime | None = None) -> Slot:
    """Withdraw a slot before it starts (the advisor or the office); its booking is cancelled and the unit
    told. Raises Forbidden, HamiError(INVALID, WRONG_STATE, SLOT_PAST)."""
    slot = Slot.objects.select_for_update().select_related("advisor__user", "topic").get(pk=slot.pk)
    if not (is_slot_advisor(actor, slot) or can_manage(actor, slot.province_id)):
        raise Forbidden(Code.FORBIDDEN, _("Only the advisor or the office cancels a slot."))
    reason = clean_text(reason, limit=300, field="reason", required=_("Write why the slot is cancelled."))
    now = now or timezone.now()
    if slot.status not in LIVE_SLOT:
        raise HamiError(
            Code.WRONG_STATE,
            _("A slot in state “{state}” cannot be cancelled.").format(state=slot.get_status_display()),
        )
    if slot.starts_at <= now:
        raise HamiError(
            Code.SLOT_PAST, _("The slot has already started; record the session or the no-show instead.")
        )
    booking = _cancel_slot(slot, reason=reason, now=now)
    audit(
        actor=actor,
        event_type=EventType.SLOT_CANCELLED,
        obj=slot,
        province=slot.province,
        reason=reason,
        details={"booking": str(booking.public_id) if booking else None},
    )
    return slot
