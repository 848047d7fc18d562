"""Consultation clinics: advisors, the time slots they publish, units' bookings, the advisor's notes,
the unit's rating, and reminders. Referrals are in services/referrals.py.

A slot (state machine, docs/outreach.md):

    OPEN ──book──▶ BOOKED ──record session──▶ HELD
     ▲  ◀─cancel or move the booking─┘
     └──────────── cancel (advisor/office) ──▶ CANCELLED   (from OPEN or BOOKED, before it starts)

A booking:

    BOOKED ──cancel──▶ CANCELLED       the unit up to HAMI_OUTREACH_NOTICE_HOURS before; staff any time
    BOOKED ──move────▶ RESCHEDULED     a new BOOKED booking (`rescheduled_to`); MAX_RESCHEDULES a chain
    BOOKED ──notes───▶ HELD | NO_SHOW  the advisor, once the slot has started

No slot is ever booked twice: the service locks the slot row (select_for_update) so that the second of
two concurrent requests waits and then sees the slot BOOKED; the partial unique index
`booking_one_live_per_slot` is the guarantee underneath (a second live booking cannot be written even
if a code path forgot the lock), and its IntegrityError is answered as SLOT_TAKEN too.
"""

import datetime as dt
import re
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import Change, audit, audit_many
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_datetime
from hami.core.models import EventType, Province, Role, User
from hami.core.notify import notify
from hami.core.persian import normalize_text
from hami.labs.models import Lab
from hami.outreach import selectors
from hami.outreach.access import can_manage, is_slot_advisor, is_unit_rep, may_book_for
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import (
    Advisor,
    AdvisorKind,
    Booking,
    BookingStatus,
    Mode,
    Referral,
    ReferralStatus,
    Slot,
    SlotStatus,
    Topic,
)
from hami.registry.models import ProductionUnit, UnitMembership

# A booking may be moved twice; a third move means the unit should cancel and book afresh.
MAX_RESCHEDULES = 2
# The longest slot and how far ahead one may be published: beyond these, a typo rather than a plan.
MAX_SLOT_HOURS = 8
MAX_DAYS_AHEAD = 366
MAX_SERIES_WEEKS = 26
LIVE_SLOT = (SlotStatus.OPEN, SlotStatus.BOOKED)


# ---------------------------------------------------------------- helpers


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def clean_text(
    value: str | None, *, limit: int, field: str, required: str | None = None, multiline: bool = False
) -> str:
    """Normalized text (line by line when `multiline`); HamiError(INVALID) when empty and `required` (its
    message) or longer than `limit`."""
    if multiline:
        lines = [normalize_text(line) for line in str(value or "").splitlines()]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        text = normalize_text(str(value or ""))
    if required and not text:
        raise HamiError(Code.INVALID, required, field=field)
    if len(text) > limit:
        raise HamiError(
            Code.INVALID,
            _("Write at most {limit} characters.").format(limit=limit),
            field=field,
        )
    return text


def unit_reps(unit_ids) -> dict[int, list[User]]:
    """The active representatives of each unit, in one query."""
    reps: dict[int, list[User]] = defaultdict(list)
    memberships = UnitMembership.objects.filter(unit_id__in=list(unit_ids), user__is_active=True)
    for membership in memberships.select_related("user"):
        reps[membership.unit_id].append(membership.user)
    return reps


def notify_on_commit(users, *, subject: str, body: str, link: str) -> None:
    """Notify these users once the transaction commits (nobody hears of a change that rolled back)."""
    users = list({user.pk: user for user in users}.values())

    def send():
        for user in users:
            notify(user=user, subject=subject, body=body, link=link)

    if users:
        transaction.on_commit(send)


def _booking_link(booking: Booking) -> str:
    return reverse("outreach:booking_detail", args=[booking.public_id])


def _slot_label(slot: Slot) -> str:
    return _("{topic} with {advisor}, {when}").format(
        topic=slot.topic.name, advisor=slot.advisor.display_name, when=format_datetime(slot.starts_at)
    )


def _is_office_for_booking(actor: User, booking: Booking) -> bool:
    return can_manage(actor, booking.slot.province_id) or can_manage(actor, booking.unit.province_id)


def _locked_booking(booking: Booking) -> Booking:
    """The booking and its slot, locked in the fixed order slot → booking (booking_create locks the slot)."""
    Slot.objects.select_for_update().filter(pk=booking.slot_id).first()
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__advisor__user", "slot__topic", "unit", "referral")
        .get(pk=booking.pk)
    )


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


def _check_place(mode: str, venue: str, link: str) -> tuple[str, str]:
    venue = clean_text(venue, limit=300, field="venue")
    link = (link or "").strip()
    if mode == Mode.IN_PERSON:
        if not venue:
            raise HamiError(Code.INVALID, _("Write where the session takes place."), field="venue")
        return venue, ""
    if mode == Mode.ONLINE:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError as exc:
            raise HamiError(
                Code.INVALID, _("Give the link of the online session (https://…)."), field="link"
            ) from exc
        if len(link) > 200:
            raise HamiError(Code.INVALID, _("The link is too long."), field="link")
        return "", link
    raise HamiError(Code.INVALID, _("Choose in person or online."), field="mode")


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
    venue, link = _check_place(mode, venue, link)
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
        subject=_("New clinic slots: {label}").format(label=_slot_label(slot)),
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
        now=_now(now),
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
    now = _now(now)
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
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("unit", "referral")
        .filter(slot=slot, status=BookingStatus.BOOKED)
        .first()
    )
    slot.status, slot.cancel_reason = SlotStatus.CANCELLED, reason
    slot.save(update_fields=["status", "cancel_reason", "updated_at"])
    if booking is None:
        return None
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status", "updated_at"])
    _reopen_referral(booking)
    reps = unit_reps([booking.unit_id])[booking.unit_id]
    notify_on_commit(
        reps,
        subject=_("Clinic session cancelled: {label}").format(label=_slot_label(slot)),
        body=_("The advisor's slot was cancelled: {reason}. Please book another slot.").format(reason=reason),
        link=_booking_link(booking),
    )
    return booking


@transaction.atomic
def slot_cancel(*, actor: User, slot: Slot, reason: str, now: dt.datetime | None = None) -> Slot:
    """Withdraw a slot before it starts (the advisor or the office); its booking is cancelled and the unit
    told. Raises Forbidden, HamiError(INVALID, WRONG_STATE, SLOT_PAST)."""
    slot = Slot.objects.select_for_update().select_related("advisor__user", "topic").get(pk=slot.pk)
    if not (is_slot_advisor(actor, slot) or can_manage(actor, slot.province_id)):
        raise Forbidden(Code.FORBIDDEN, _("Only the advisor or the office cancels a slot."))
    reason = clean_text(reason, limit=300, field="reason", required=_("Write why the slot is cancelled."))
    now = _now(now)
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


# ---------------------------------------------------------------- bookings


def slot_refusal(
    *, slot: Slot, unit: ProductionUnit, now: dt.datetime | None = None, priority: bool | None = None
) -> HamiError | None:
    """Why the unit cannot book this slot now (None when it can): the same checks booking_create makes,
    for pages that explain instead of offering a button. `priority` overrides the unit's standing
    (booking_reschedule passes it when the moved booking's referral is on the slot's topic)."""
    now = _now(now)
    if slot.status == SlotStatus.CANCELLED or not slot.advisor.is_active:
        return HamiError(
            Code.SLOT_CANCELLED,
            _("This slot was withdrawn by the advisor or the office; choose another one."),
        )
    if slot.status == SlotStatus.HELD or slot.starts_at <= now:
        return HamiError(Code.SLOT_PAST, _("This slot has already started or passed; choose a later one."))
    if slot.status == SlotStatus.BOOKED:
        return HamiError(Code.SLOT_TAKEN, _("Somebody else booked this slot first; choose another one."))
    if slot.priority_until and now < slot.priority_until:
        if priority is None:
            priority = selectors.has_priority(unit, slot.topic)
        if not priority:
            return HamiError(
                Code.PRIORITY_ONLY,
                _(
                    "Until {until} this slot is kept for units referred to a clinic on “{topic}” or on the "
                    "fast track. Book it after that time, or choose another slot."
                ).format(until=format_datetime(slot.priority_until), topic=slot.topic.name),
            )
    return None


def _check_referral(referral: Referral | None, *, unit: ProductionUnit, topic: Topic) -> Referral | None:
    """The referral a booking answers: the one given (checked), else the unit's oldest open one."""
    if referral is None:
        found = selectors.open_referral(unit, topic)
        if found is None:
            return None
        # Locked and read again: two bookings at once must not both answer one referral.
        found = Referral.objects.select_for_update().get(pk=found.pk)
        return found if found.status == ReferralStatus.OPEN else None
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.unit_id != unit.pk or referral.topic_id != topic.pk:
        raise HamiError(
            Code.INVALID, _("This referral is for another unit or another topic."), field="referral"
        )
    if referral.status != ReferralStatus.OPEN:
        raise HamiError(
            Code.INVALID,
            _("This referral is “{state}”; only an open referral is booked.").format(
                state=referral.get_status_display()
            ),
            field="referral",
        )
    return referral


def _insert_booking(**fields) -> Booking:
    """Write the booking in a savepoint: if the unique index finds a live booking of the slot (a writer
    that did not take the slot's lock), the loser gets SLOT_TAKEN and the outer transaction stays usable."""
    try:
        with transaction.atomic():
            return Booking.objects.create(**fields)
    except IntegrityError as exc:
        raise HamiError(
            Code.SLOT_TAKEN, _("Somebody else booked this slot first; choose another one.")
        ) from exc


def _reopen_referral(booking: Booking) -> None:
    if booking.referral_id:
        referral = Referral.objects.select_for_update().get(pk=booking.referral_id)
        if referral.status == ReferralStatus.BOOKED:
            referral.status = ReferralStatus.OPEN
            referral.save(update_fields=["status", "updated_at"])


@transaction.atomic
def booking_create(
    *,
    actor: User,
    slot: Slot,
    unit: ProductionUnit,
    question: str = "",
    referral: Referral | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book the slot for the unit (its representative, or the office of its province). The slot becomes
    BOOKED and the referral answered (the one given, else the unit's open one on the topic) BOOKED.
    Raises Forbidden, HamiError(SLOT_TAKEN, SLOT_PAST, SLOT_CANCELLED, PRIORITY_ONLY, INVALID)."""
    if not may_book_for(actor, unit):
        raise Forbidden(Code.FORBIDDEN, _("Only the unit's representatives or its office book for it."))
    question = clean_text(question, limit=2000, field="question", multiline=True)
    # The lock: a second request for the same slot waits here until the first commits, then reads the
    # slot as BOOKED and gets SLOT_TAKEN below.
    slot = (
        Slot.objects.select_for_update(of=("self",)).select_related("advisor__user", "topic").get(pk=slot.pk)
    )
    now = _now(now)
    referral = _check_referral(referral, unit=unit, topic=slot.topic)
    refusal = slot_refusal(slot=slot, unit=unit, now=now, priority=True if referral else None)
    if refusal is not None:
        raise refusal
    booking = _insert_booking(slot=slot, unit=unit, booked_by=actor, question=question, referral=referral)
    slot.status = SlotStatus.BOOKED
    slot.save(update_fields=["status", "updated_at"])
    if referral is not None:
        referral.status = ReferralStatus.BOOKED
        referral.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.BOOKING_CREATED,
        obj=booking,
        province=unit.province,
        details={
            "slot": str(slot.public_id),
            "unit": unit.national_id,
            "referral": str(referral.public_id) if referral else None,
        },
    )
    link = _booking_link(booking)
    notify_on_commit(
        [slot.advisor.user],
        subject=_("Clinic slot booked: {label}").format(label=_slot_label(slot)),
        body=_("{unit} booked your slot. Their question: {question}").format(
            unit=unit.name, question=question or "—"
        ),
        link=link,
    )
    notify_on_commit(
        [user for user in unit_reps([unit.pk])[unit.pk] if user.pk != actor.pk],
        subject=_("Clinic slot booked: {label}").format(label=_slot_label(slot)),
        body=_("{who} booked this clinic session for {unit}.").format(
            who=actor.get_username(), unit=unit.name
        ),
        link=link,
    )
    return booking


def _check_notice(actor: User, booking: Booking, now: dt.datetime, *, what: str) -> bool:
    """Whether the actor acts as the advisor or the office (any time); a unit's representative only up to
    the notice period before the session. Raises Forbidden, HamiError(TOO_LATE)."""
    if is_slot_advisor(actor, booking.slot) or _is_office_for_booking(actor, booking):
        return True
    if not is_unit_rep(actor, booking.unit_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the unit, the advisor or the office changes this booking."))
    hours = settings.HAMI_OUTREACH_NOTICE_HOURS
    deadline = booking.slot.starts_at - dt.timedelta(hours=hours)
    if now > deadline:
        message = (
            _(
                "A unit cancels a booking at least {hours} hours before the session (until {deadline}); "
                "ask the advisor or the office."
            )
            if what == "cancel"
            else _(
                "A unit moves a booking at least {hours} hours before the session (until {deadline}); "
                "ask the advisor or the office."
            )
        )
        raise HamiError(Code.TOO_LATE, message.format(hours=hours, deadline=format_datetime(deadline)))
    return False


def _free_slot(slot: Slot, now: dt.datetime) -> None:
    """The slot of a booking that went away: OPEN again if still ahead; otherwise nobody can use it."""
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    if slot.status != SlotStatus.BOOKED:
        return
    if slot.starts_at > now:
        slot.status = SlotStatus.OPEN
        slot.save(update_fields=["status", "updated_at"])
    else:
        slot.status, slot.cancel_reason = (
            SlotStatus.CANCELLED,
            _("The booking was cancelled after the start."),
        )
        slot.save(update_fields=["status", "cancel_reason", "updated_at"])


@transaction.atomic
def booking_cancel(
    *, actor: User, booking: Booking, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    """Cancel a live booking: the unit up to HAMI_OUTREACH_NOTICE_HOURS before, the advisor or the office
    any time (with a reason). The slot opens again (if ahead) and the referral too.
    Raises Forbidden, HamiError(TOO_LATE, WRONG_STATE, INVALID)."""
    booking = _locked_booking(booking)
    now = _now(now)
    staff = _check_notice(actor, booking, now, what="cancel")
    if booking.status != BookingStatus.BOOKED:
        raise HamiError(
            Code.WRONG_STATE,
            _("A booking in state “{state}” cannot be cancelled.").format(state=booking.get_status_display()),
        )
    reason = clean_text(
        reason,
        limit=300,
        field="reason",
        required=_("Write why the booking is cancelled.") if staff else None,
    )
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status", "updated_at"])
    _free_slot(booking.slot, now)
    _reopen_referral(booking)
    audit(
        actor=actor,
        event_type=EventType.BOOKING_CANCELLED,
        obj=booking,
        province=booking.unit.province,
        reason=reason,
        details={"slot": str(booking.slot.public_id), "by": "staff" if staff else "unit"},
    )
    subject = _("Clinic booking cancelled: {label}").format(label=_slot_label(booking.slot))
    body = _("Cancelled by {who}. {reason}").format(who=actor.get_username(), reason=reason).strip()
    others = [booking.slot.advisor.user, *unit_reps([booking.unit_id])[booking.unit_id]]
    notify_on_commit(
        [user for user in others if user.pk != actor.pk],
        subject=subject,
        body=body,
        link=_booking_link(booking),
    )
    return booking


def reschedule_count(booking: Booking) -> int:
    """How many times the booking's chain was moved before it (0 for a first booking)."""
    count, current = 0, booking
    while count <= MAX_RESCHEDULES:
        previous = Booking.objects.filter(rescheduled_to=current).only("pk").first()
        if previous is None:
            break
        count, current = count + 1, previous
    return count


@transaction.atomic
def booking_reschedule(
    *, actor: User, booking: Booking, new_slot: Slot, now: dt.datetime | None = None
) -> Booking:
    """Move a live booking to another slot on the same topic that the unit could book (the same checks as
    booking_create; the booking's referral keeps its priority), under the same notice rule as cancelling.
    The old booking becomes RESCHEDULED with `rescheduled_to`; a chain moves at most MAX_RESCHEDULES times.
    Raises Forbidden, HamiError(TOO_LATE, RESCHEDULE_LIMIT, WRONG_STATE, INVALID, SLOT_*, PRIORITY_ONLY)."""
    # Fixed lock order: the slots by primary key, then the booking.
    for slot_pk in sorted({booking.slot_id, new_slot.pk}):
        Slot.objects.select_for_update().filter(pk=slot_pk).first()
    booking = _locked_booking(booking)
    now = _now(now)
    _check_notice(actor, booking, now, what="move")
    if booking.status != BookingStatus.BOOKED:
        raise HamiError(
            Code.WRONG_STATE,
            _("A booking in state “{state}” cannot be moved.").format(state=booking.get_status_display()),
        )
    if reschedule_count(booking) >= MAX_RESCHEDULES:
        raise HamiError(
            Code.RESCHEDULE_LIMIT,
            _(
                "This booking was already moved {count} times, the most allowed. Cancel it and book a new "
                "slot instead."
            ).format(count=MAX_RESCHEDULES),
        )
    new_slot = Slot.objects.select_related("advisor__user", "topic").get(pk=new_slot.pk)
    if new_slot.pk == booking.slot_id:
        raise HamiError(Code.INVALID, _("Choose a different slot."), field="slot")
    if new_slot.topic_id != booking.slot.topic_id:
        raise HamiError(
            Code.INVALID,
            _("Move the booking to a slot on the same topic (“{topic}”).").format(
                topic=booking.slot.topic.name
            ),
            field="slot",
        )
    referral = booking.referral
    keeps_priority = True if referral is not None and referral.topic_id == new_slot.topic_id else None
    refusal = slot_refusal(slot=new_slot, unit=booking.unit, now=now, priority=keeps_priority)
    if refusal is not None:
        raise refusal
    old_slot = booking.slot
    # The old booking leaves the live set first: the new one is on another slot, but the order keeps the
    # partial unique index of each slot satisfied at every statement.
    booking.status = BookingStatus.RESCHEDULED
    booking.save(update_fields=["status", "updated_at"])
    moved = _insert_booking(
        slot=new_slot,
        unit=booking.unit,
        booked_by=actor,
        question=booking.question,
        referral=referral,
    )
    booking.rescheduled_to = moved
    booking.save(update_fields=["rescheduled_to", "updated_at"])
    _free_slot(old_slot, now)
    new_slot.status = SlotStatus.BOOKED
    new_slot.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.BOOKING_RESCHEDULED,
        obj=moved,
        province=booking.unit.province,
        details={
            "from_booking": str(booking.public_id),
            "from_slot": str(old_slot.public_id),
            "to_slot": str(new_slot.public_id),
        },
    )
    subject = _("Clinic booking moved to {label}").format(label=_slot_label(new_slot))
    body = _("Moved by {who} from {old}.").format(
        who=actor.get_username(), old=format_datetime(old_slot.starts_at)
    )
    people = [old_slot.advisor.user, new_slot.advisor.user, *unit_reps([booking.unit_id])[booking.unit_id]]
    notify_on_commit(
        [user for user in people if user.pk != actor.pk],
        subject=subject,
        body=body,
        link=_booking_link(moved),
    )
    return moved


@transaction.atomic
def booking_record_session(
    *, actor: User, booking: Booking, notes: str, held: bool = True, now: dt.datetime | None = None
) -> Booking:
    """The advisor, once the slot has started, records the session HELD (notes required; the referral is
    COMPLETED) or the unit's NO_SHOW (the referral opens again). The slot becomes HELD.
    Raises Forbidden, HamiError(WRONG_STATE, INVALID)."""
    booking = _locked_booking(booking)
    if not is_slot_advisor(actor, booking.slot):
        raise Forbidden(Code.FORBIDDEN, _("Only the advisor records the session."))
    now = _now(now)
    if booking.status != BookingStatus.BOOKED:
        raise HamiError(
            Code.WRONG_STATE,
            _("This session was already recorded (“{state}”).").format(state=booking.get_status_display())
            if booking.status in (BookingStatus.HELD, BookingStatus.NO_SHOW)
            else _("A booking in state “{state}” has no session to record.").format(
                state=booking.get_status_display()
            ),
        )
    if now < booking.slot.starts_at:
        raise HamiError(
            Code.WRONG_STATE,
            _("The session starts at {start}; record it after that.").format(
                start=format_datetime(booking.slot.starts_at)
            ),
        )
    notes = clean_text(
        notes,
        limit=10000,
        field="notes",
        required=_("Write what was discussed and advised.") if held else None,
        multiline=True,
    )
    booking.status = BookingStatus.HELD if held else BookingStatus.NO_SHOW
    booking.advisor_notes = notes
    booking.save(update_fields=["status", "advisor_notes", "updated_at"])
    slot = Slot.objects.select_for_update().get(pk=booking.slot_id)
    slot.status = SlotStatus.HELD
    slot.save(update_fields=["status", "updated_at"])
    if booking.referral_id:
        referral = Referral.objects.select_for_update().get(pk=booking.referral_id)
        if referral.status == ReferralStatus.BOOKED:
            referral.status = ReferralStatus.COMPLETED if held else ReferralStatus.OPEN
            referral.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.BOOKING_HELD,
        obj=booking,
        province=booking.unit.province,
        details={"held": held, "referral": str(booking.referral.public_id) if booking.referral_id else None},
    )
    reps = unit_reps([booking.unit_id])[booking.unit_id]
    if held:
        notify_on_commit(
            reps,
            subject=_("Clinic session notes: {label}").format(label=_slot_label(booking.slot)),
            body=_("The advisor wrote the session's notes. Please rate the session."),
            link=_booking_link(booking),
        )
    else:
        notify_on_commit(
            reps,
            subject=_("Missed clinic session: {label}").format(label=_slot_label(booking.slot)),
            body=_("The advisor recorded that nobody from the unit came."),
            link=_booking_link(booking),
        )
    return booking


@transaction.atomic
def booking_rate(*, actor: User, booking: Booking, rating: int, comment: str = "") -> Booking:
    """The unit rates a held session once, 1 to 5. Raises Forbidden, HamiError(WRONG_STATE, INVALID)."""
    booking = _locked_booking(booking)
    if not is_unit_rep(actor, booking.unit_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the unit's representatives rate its sessions."))
    if booking.status != BookingStatus.HELD:
        raise HamiError(Code.WRONG_STATE, _("Only a session that was held can be rated."))
    if booking.rating is not None:
        raise HamiError(Code.WRONG_STATE, _("This session was already rated."))
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise HamiError(Code.INVALID, _("Rate the session from 1 to 5."), field="rating")
    comment = clean_text(comment, limit=500, field="comment")
    booking.rating, booking.rating_comment = rating, comment
    booking.save(update_fields=["rating", "rating_comment", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.BOOKING_RATED,
        obj=booking,
        province=booking.unit.province,
        details={"rating": rating},
    )
    notify_on_commit(
        [booking.slot.advisor.user],
        subject=_("Your session was rated {rating} of 5").format(rating=rating),
        body=comment or _slot_label(booking.slot),
        link=_booking_link(booking),
    )
    return booking


@transaction.atomic
def bookings_remind(*, now: dt.datetime | None = None) -> int:
    """Tell the unit's representatives and the advisor of every live booking that starts within
    HAMI_OUTREACH_REMINDER_HOURS and was not reminded yet; returns how many bookings. Running it again
    (or two schedulers at once, on PostgreSQL: rows another run holds are skipped) sends nothing twice."""
    now = _now(now)
    horizon = now + dt.timedelta(hours=settings.HAMI_OUTREACH_REMINDER_HOURS)
    due = list(
        Booking.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(
            status=BookingStatus.BOOKED,
            reminded_at__isnull=True,
            slot__starts_at__gt=now,
            slot__starts_at__lte=horizon,
        )
        .select_related("slot__advisor__user", "slot__topic", "slot__province", "unit")
        .order_by("slot__starts_at", "pk")
    )
    if not due:
        return 0
    reps = unit_reps({booking.unit_id for booking in due})
    for booking in due:
        booking.reminded_at = now
        booking.save(update_fields=["reminded_at", "updated_at"])
        slot = booking.slot
        where = slot.venue if slot.mode == Mode.IN_PERSON else slot.link
        notify_on_commit(
            [slot.advisor.user, *reps[booking.unit_id]],
            subject=_("Reminder: clinic session {label}").format(label=_slot_label(slot)),
            body=_("{unit} meets {advisor} at {when} ({where}).").format(
                unit=booking.unit.name,
                advisor=slot.advisor.display_name,
                when=format_datetime(slot.starts_at),
                where=where,
            ),
            link=_booking_link(booking),
        )
    audit_many(
        actor=None,
        changes=[
            Change(EventType.OUTREACH_REMINDER_SENT, obj=booking, province=booking.slot.province)
            for booking in due
        ],
    )
    return len(due)
