"""Clinic bookings: a unit books an advisor's slot, cancels or moves the booking, the advisor records
the session (or the no-show), the unit rates it, and the reminders before it. Advisors and slots are in
services/clinics.py, referrals in services/referrals.py.

A booking (state machine, docs/outreach.md):

    BOOKED ──cancel──▶ CANCELLED       the unit up to HAMI_OUTREACH_NOTICE_HOURS before; staff any time
    BOOKED ──move────▶ RESCHEDULED     a new BOOKED booking (`rescheduled_to`); MAX_RESCHEDULES a chain
    BOOKED ──notes───▶ HELD | NO_SHOW  the advisor, once the slot has started

No slot is ever booked twice: the service locks the slot row (select_for_update) so that the second of
two concurrent requests waits and then sees the slot BOOKED; the partial unique index
`booking_one_live_per_slot` is the guarantee underneath (a second live booking cannot be written even
if a code path forgot the lock), and its IntegrityError is answered as SLOT_TAKEN too.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import Change, audit, audit_many
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_datetime
from hami.core.models import EventType, User
from hami.outreach import selectors
from hami.outreach.access import can_manage, is_slot_advisor, is_unit_rep, may_book_for
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import (
    Booking,
    BookingStatus,
    Mode,
    Referral,
    ReferralStatus,
    Slot,
    SlotStatus,
    Topic,
)
from hami.outreach.services.notices import notify_on_commit, unit_reps
from hami.outreach.services.text import clean_text
from hami.registry.models import ProductionUnit

# A booking may be moved twice; a third move means the unit should cancel and book afresh.
MAX_RESCHEDULES = 2


# ---------------------------------------------------------------- helpers


def _booking_link(booking: Booking) -> str:
    return reverse("outreach:booking_detail", args=[booking.public_id])


def slot_label(slot: Slot) -> str:
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


def slot_refusal(
    *, slot: Slot, unit: ProductionUnit, now: dt.datetime | None = None, priority: bool | None = None
) -> HamiError | None:
    """Why the unit cannot book this slot now (None when it can): the same checks booking_create makes,
    for pages that explain instead of offering a button. `priority` overrides the unit's standing
    (booking_reschedule passes it when the moved booking's referral is on the slot's topic)."""
    now = now or timezone.now()
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


def booking_cancel_with_slot(*, slot: Slot, reason: str) -> Booking | None:
    """The live booking of a slot being cancelled (slot_cancel, advisor_deactivate): cancelled, its
    referral open again, the unit told. No audit: the caller writes its own event."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("unit", "referral")
        .filter(slot=slot, status=BookingStatus.BOOKED)
        .first()
    )
    if booking is None:
        return None
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status", "updated_at"])
    _reopen_referral(booking)
    notify_on_commit(
        unit_reps([booking.unit_id])[booking.unit_id],
        subject=_("Clinic session cancelled: {label}").format(label=slot_label(slot)),
        body=_("The advisor's slot was cancelled: {reason}. Please book another slot.").format(reason=reason),
        link=_booking_link(booking),
    )
    return booking


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
    now = now or timezone.now()
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
        subject=_("Clinic slot booked: {label}").format(label=slot_label(slot)),
        body=_("{unit} booked your slot. Their question: {question}").format(
            unit=unit.name, question=question or "—"
        ),
        link=link,
    )
    notify_on_commit(
        unit_reps([unit.pk])[unit.pk],
        subject=_("Clinic slot booked: {label}").format(label=slot_label(slot)),
        body=_("{who} booked this clinic session for {unit}.").format(
            who=actor.get_username(), unit=unit.name
        ),
        link=link,
        skip=actor,
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
    now = now or timezone.now()
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
    subject = _("Clinic booking cancelled: {label}").format(label=slot_label(booking.slot))
    body = _("Cancelled by {who}. {reason}").format(who=actor.get_username(), reason=reason).strip()
    others = [booking.slot.advisor.user, *unit_reps([booking.unit_id])[booking.unit_id]]
    notify_on_commit(
        others,
        subject=subject,
        body=body,
        link=_booking_link(booking),
        skip=actor,
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
    now = now or timezone.now()
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
    subject = _("Clinic booking moved to {label}").format(label=slot_label(new_slot))
    body = _("Moved by {who} from {old}.").format(
        who=actor.get_username(), old=format_datetime(old_slot.starts_at)
    )
    people = [old_slot.advisor.user, new_slot.advisor.user, *unit_reps([booking.unit_id])[booking.unit_id]]
    notify_on_commit(
        people,
        subject=subject,
        body=body,
        link=_booking_link(moved),
        skip=actor,
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
    now = now or timezone.now()
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
            subject=_("Clinic session notes: {label}").format(label=slot_label(booking.slot)),
            body=_("The advisor wrote the session's notes. Please rate the session."),
            link=_booking_link(booking),
        )
    else:
        notify_on_commit(
            reps,
            subject=_("Missed clinic session: {label}").format(label=slot_label(booking.slot)),
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
        body=comment or slot_label(booking.slot),
        link=_booking_link(booking),
    )
    return booking


@transaction.atomic
def bookings_remind(*, now: dt.datetime | None = None) -> int:
    """Tell the unit's representatives and the advisor of every live booking that starts within
    HAMI_OUTREACH_REMINDER_HOURS and was not reminded yet; returns how many bookings. Running it again
    (or two schedulers at once, on PostgreSQL: rows another run holds are skipped) sends nothing twice."""
    now = now or timezone.now()
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
            subject=_("Reminder: clinic session {label}").format(label=slot_label(slot)),
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
