"""The clinics API, /api/v1/outreach: advisors, slots (publish, cancel, book), bookings (cancel, move,
the advisor's notes, the rating), referrals. The same services and access helpers as the pages; ids are
UUIDs, times ISO 8601 with their offset, refusals {code, message, field}."""

import datetime as dt
import uuid
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from hami.core.api import Error
from hami.core.errors import Forbidden, HamiError
from hami.core.models import Province, Role
from hami.core.pagination import Pagination
from hami.labs.models import Lab
from hami.outreach.access import (
    advisor_for_user,
    advisors_for_user,
    bookable_units_for_user,
    booking_for_user,
    bookings_for_user,
    referable_units_for_user,
    referral_for_user,
    referrals_for_user,
    slot_for_user,
    slots_for_user,
)
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import (
    BookingStatus,
    Mode,
    ReferralSource,
    ReferralStatus,
    SlotStatus,
    Topic,
)
from hami.outreach.services import bookings as booking_services
from hami.outreach.services import clinics as services
from hami.outreach.services.referrals import referral_close, referral_create

router = Router(tags=["outreach-clinics"])
REFUSALS = {400: Error, 403: Error, 404: Error}


def _topic(code: str | None, field: str = "topic") -> Topic | None:
    if not code:
        return None
    topic = Topic.objects.filter(code=code).first()
    if topic is None:
        raise HamiError(Code.INVALID, _("No topic has the code {code}.").format(code=code), field=field)
    return topic


# ---------------------------------------------------------------- schemas


class AdvisorOut(Schema):
    id: UUID = Field(alias="public_id")
    display_name: str
    kind: str
    province: str
    lab: UUID | None
    topics: list[str]
    bio: str
    is_active: bool

    @staticmethod
    def resolve_province(obj):
        return obj.province.code

    @staticmethod
    def resolve_lab(obj):
        return obj.lab.public_id if obj.lab_id else None

    @staticmethod
    def resolve_topics(obj):
        return sorted(topic.code for topic in obj.topics.all())


class SlotOut(Schema):
    id: UUID = Field(alias="public_id")
    advisor: UUID
    advisor_name: str
    topic: str
    province: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: Mode
    venue: str
    link: str
    status: SlotStatus
    priority_until: dt.datetime | None

    @staticmethod
    def resolve_advisor(obj):
        return obj.advisor.public_id

    @staticmethod
    def resolve_advisor_name(obj):
        return obj.advisor.display_name

    @staticmethod
    def resolve_topic(obj):
        return obj.topic.code

    @staticmethod
    def resolve_province(obj):
        return obj.province.code


class BookingOut(Schema):
    id: UUID = Field(alias="public_id")
    slot: SlotOut
    unit: UUID
    unit_name: str
    status: BookingStatus
    question: str
    referral: UUID | None
    rescheduled_to: UUID | None
    advisor_notes: str
    rating: int | None
    rating_comment: str
    created_at: dt.datetime

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_referral(obj):
        return obj.referral.public_id if obj.referral_id else None

    @staticmethod
    def resolve_rescheduled_to(obj):
        return obj.rescheduled_to.public_id if obj.rescheduled_to_id else None


class ReferralOut(Schema):
    id: UUID = Field(alias="public_id")
    unit: UUID
    unit_name: str
    topic: str
    source: ReferralSource
    source_ref: str
    reason: str
    status: ReferralStatus
    closed_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_topic(obj):
        return obj.topic.code


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


# ---------------------------------------------------------------- advisors


class AdvisorFilters(Schema):
    topic: str | None = Field(None, max_length=60)
    province: str | None = Field(None, max_length=40)
    active: bool = True


@router.get("/outreach/advisors", response=list[AdvisorOut], summary="Clinic advisors")
@paginate(Pagination, page_size=50)
def list_advisors(request, filters: Query[AdvisorFilters]):
    advisors = advisors_for_user(request.auth).prefetch_related("topics")
    if filters.active:
        advisors = advisors.filter(is_active=True)
    if filters.topic:
        advisors = advisors.filter(topics__code=filters.topic)
    if filters.province:
        advisors = advisors.filter(province__code=filters.province)
    return advisors.order_by("display_name", "pk")


@router.get("/outreach/advisors/{advisor_id}", response={200: AdvisorOut, 404: Error}, summary="One advisor")
def get_advisor(request, advisor_id: str):
    return advisor_for_user(request.auth, advisor_id)


class AdvisorIn(Schema):
    username: str = Field(max_length=150)
    kind: str = Field(max_length=16)
    display_name: str = Field(max_length=200)
    province: str | None = Field(None, max_length=40)  # national staff choose; the office's own otherwise
    topics: list[str] = Field(max_length=50)
    lab: UUID | None = None
    bio: str = Field("", max_length=4000)


@router.post(
    "/outreach/advisors",
    response={200: AdvisorOut, **REFUSALS},
    summary="Create or edit the advisor profile of a user (office)",
)
def save_advisor(request, payload: AdvisorIn):
    """Saving the profile of a user who already has one edits it (and reactivates it)."""
    from hami.core.models import User

    actor = request.auth
    if not (actor.is_national or actor.role == Role.OFFICE_STAFF):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the province manages its advisors."))
    user = User.objects.filter(username=payload.username).first()
    if user is None:
        raise HamiError(Code.INVALID, _("No user has this username."), field="username")
    province = Province.objects.filter(code=payload.province).first() if payload.province else actor.province
    if province is None:
        raise HamiError(Code.INVALID, _("Choose the province."), field="province")
    topics = [_topic(code, "topics") for code in dict.fromkeys(payload.topics)]
    lab = None
    if payload.lab:
        lab = Lab.objects.filter(public_id=payload.lab).first()
        if lab is None:
            raise HamiError(Code.INVALID, _("No lab has this identifier."), field="lab")
    return services.advisor_save(
        actor=actor,
        user=user,
        kind=payload.kind,
        display_name=payload.display_name,
        province=province,
        topics=topics,
        lab=lab,
        bio=payload.bio,
    )


@router.post(
    "/outreach/advisors/{advisor_id}/deactivate",
    response={200: AdvisorOut, **REFUSALS},
    summary="Deactivate an advisor (office); its future slots are cancelled",
)
def deactivate_advisor(request, advisor_id: str, payload: ReasonIn):
    advisor = advisor_for_user(request.auth, advisor_id)
    return services.advisor_deactivate(actor=request.auth, advisor=advisor, reason=payload.reason)


# ---------------------------------------------------------------- slots


class SlotFilters(Schema):
    topic: str | None = Field(None, max_length=60)
    advisor: UUID | None = None
    province: str | None = Field(None, max_length=40)
    starts_from: dt.datetime | None = Field(None, alias="from")
    starts_to: dt.datetime | None = Field(None, alias="to")
    open_only: bool = False


@router.get("/outreach/slots", response=list[SlotOut], summary="Clinic slots, soonest first")
@paginate(Pagination, page_size=50)
def list_slots(request, filters: Query[SlotFilters]):
    """`from`/`to` bound the start (ISO 8601); `open_only` keeps the open slots that have not started."""
    slots = slots_for_user(request.auth)
    if filters.topic:
        slots = slots.filter(topic__code=filters.topic)
    if filters.advisor:
        slots = slots.filter(advisor__public_id=filters.advisor)
    if filters.province:
        slots = slots.filter(province__code=filters.province)
    if filters.starts_from:
        slots = slots.filter(starts_at__gte=filters.starts_from)
    if filters.starts_to:
        slots = slots.filter(starts_at__lte=filters.starts_to)
    if filters.open_only:
        slots = slots.filter(status=SlotStatus.OPEN, starts_at__gt=timezone.now())
    return slots.order_by("starts_at", "pk")


@router.get("/outreach/slots/{slot_id}", response={200: SlotOut, 404: Error}, summary="One clinic slot")
def get_slot(request, slot_id: str):
    return slot_for_user(request.auth, slot_id)


class SlotIn(Schema):
    advisor: UUID
    topic: str = Field(max_length=60)
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: Mode
    venue: str = Field("", max_length=300)
    link: str = Field("", max_length=200)
    weeks: int = Field(1, ge=1, le=services.MAX_SERIES_WEEKS)


@router.post(
    "/outreach/slots",
    response={201: list[SlotOut], **REFUSALS},
    summary="Publish a slot, or the same slot every week for `weeks` weeks (advisor or office)",
)
def publish_slots(request, payload: SlotIn):
    """All or nothing: one refused week publishes nothing. Times need their offset (…+03:30)."""
    advisor = advisor_for_user(request.auth, payload.advisor)
    topic = _topic(payload.topic)
    common = {
        "actor": request.auth,
        "advisor": advisor,
        "topic": topic,
        "starts_at": payload.starts_at,
        "ends_at": payload.ends_at,
        "mode": payload.mode,
        "venue": payload.venue,
        "link": payload.link,
    }
    if payload.weeks > 1:
        slots = services.slots_publish_series(weeks=payload.weeks, **common)
    else:
        slots = [services.slot_publish(**common)]
    return Status(201, [slots_for_user(request.auth).get(pk=slot.pk) for slot in slots])


@router.post(
    "/outreach/slots/{slot_id}/cancel",
    response={200: SlotOut, **REFUSALS},
    summary="Cancel a slot (advisor or office); its booking is cancelled and the unit told",
)
def cancel_slot(request, slot_id: str, payload: ReasonIn):
    slot = slot_for_user(request.auth, slot_id)
    services.slot_cancel(actor=request.auth, slot=slot, reason=payload.reason)
    return slot_for_user(request.auth, slot_id)


class BookIn(Schema):
    unit: UUID
    question: str = Field("", max_length=2000)
    referral: UUID | None = None


@router.post(
    "/outreach/slots/{slot_id}/book",
    response={201: BookingOut, **REFUSALS},
    summary="Book a slot for a unit (its representative, or its office)",
)
def book_slot(request, slot_id: str, payload: BookIn):
    """Refusals: slot_taken, slot_past, slot_cancelled, priority_only (with until when), invalid."""
    actor = request.auth
    slot = slot_for_user(actor, slot_id)
    unit = bookable_units_for_user(actor).filter(public_id=payload.unit).first()
    if unit is None:
        raise Http404(_("No production unit with this identifier is visible to you."))
    referral = None
    if payload.referral:
        referral = referrals_for_user(actor).filter(public_id=payload.referral).first()
        if referral is None:
            raise HamiError(Code.INVALID, _("No referral of yours has this identifier."), field="referral")
    booking = booking_services.booking_create(
        actor=actor, slot=slot, unit=unit, question=payload.question, referral=referral
    )
    return Status(201, booking_for_user(actor, booking.public_id))


# ---------------------------------------------------------------- bookings


class BookingFilters(Schema):
    status: BookingStatus | None = None


@router.get(
    "/outreach/bookings",
    response=list[BookingOut],
    summary="Bookings visible to you (a unit: its own; an advisor: its slots'; the office: its province's)",
)
@paginate(Pagination, page_size=50)
def list_bookings(request, filters: Query[BookingFilters]):
    bookings = bookings_for_user(request.auth).select_related("rescheduled_to")
    if filters.status:
        bookings = bookings.filter(status=filters.status)
    return bookings.order_by("-slot__starts_at", "pk")


@router.get("/outreach/bookings/{booking_id}", response={200: BookingOut, 404: Error}, summary="One booking")
def get_booking(request, booking_id: str):
    return booking_for_user(request.auth, booking_id)


@router.post(
    "/outreach/bookings/{booking_id}/cancel",
    response={200: BookingOut, **REFUSALS},
    summary="Cancel a booking (the unit up to the notice period before; advisor or office any time)",
)
def cancel_booking(request, booking_id: str, payload: ReasonIn):
    booking = booking_for_user(request.auth, booking_id)
    booking_services.booking_cancel(actor=request.auth, booking=booking, reason=payload.reason)
    return booking_for_user(request.auth, booking_id)


class RescheduleIn(Schema):
    slot: UUID


@router.post(
    "/outreach/bookings/{booking_id}/reschedule",
    response={200: BookingOut, **REFUSALS},
    summary="Move a booking to another slot on the same topic; answers the new booking",
)
def reschedule_booking(request, booking_id: str, payload: RescheduleIn):
    booking = booking_for_user(request.auth, booking_id)
    new_slot = slot_for_user(request.auth, payload.slot)
    moved = booking_services.booking_reschedule(actor=request.auth, booking=booking, new_slot=new_slot)
    return booking_for_user(request.auth, moved.public_id)


class NotesIn(Schema):
    notes: str = Field("", max_length=10000)
    held: bool = True


@router.post(
    "/outreach/bookings/{booking_id}/notes",
    response={200: BookingOut, **REFUSALS},
    summary="The advisor records the session (held with notes, or a no-show)",
)
def record_session(request, booking_id: str, payload: NotesIn):
    booking = booking_for_user(request.auth, booking_id)
    booking_services.booking_record_session(
        actor=request.auth, booking=booking, notes=payload.notes, held=payload.held
    )
    return booking_for_user(request.auth, booking_id)


class RateIn(Schema):
    rating: int
    comment: str = Field("", max_length=500)


@router.post(
    "/outreach/bookings/{booking_id}/rate",
    response={200: BookingOut, **REFUSALS},
    summary="The unit rates a held session, 1 to 5, once",
)
def rate_booking(request, booking_id: str, payload: RateIn):
    booking = booking_for_user(request.auth, booking_id)
    booking_services.booking_rate(
        actor=request.auth, booking=booking, rating=payload.rating, comment=payload.comment
    )
    return booking_for_user(request.auth, booking_id)


# ---------------------------------------------------------------- referrals


class ReferralFilters(Schema):
    status: ReferralStatus | None = None
    topic: str | None = Field(None, max_length=60)


@router.get("/outreach/referrals", response=list[ReferralOut], summary="Referrals visible to you")
@paginate(Pagination, page_size=50)
def list_referrals(request, filters: Query[ReferralFilters]):
    referrals = referrals_for_user(request.auth)
    if filters.status:
        referrals = referrals.filter(status=filters.status)
    if filters.topic:
        referrals = referrals.filter(topic__code=filters.topic)
    return referrals.order_by("-created_at", "pk")


@router.get(
    "/outreach/referrals/{referral_id}", response={200: ReferralOut, 404: Error}, summary="One referral"
)
def get_referral(request, referral_id: str):
    return referral_for_user(request.auth, referral_id)


class ReferralIn(Schema):
    unit: UUID
    reason: str = Field(max_length=4000)
    topic: str | None = Field(None, max_length=60)  # empty: the fallback topic
    source_ref: str | None = Field(None, max_length=64)  # the same reference twice refers once


@router.post(
    "/outreach/referrals",
    response={201: ReferralOut, **REFUSALS},
    summary="Refer a unit to a clinic (office or inspector of its province)",
)
def create_referral(request, payload: ReferralIn):
    actor = request.auth
    unit = referable_units_for_user(actor).filter(public_id=payload.unit).first()
    if unit is None:
        raise Http404(_("No production unit with this identifier is visible to you."))
    referral = referral_create(
        actor=actor,
        unit=unit,
        source=ReferralSource.OFFICE,
        source_ref=payload.source_ref or f"office-{uuid.uuid4().hex[:16]}",
        reason=payload.reason,
        topic=_topic(payload.topic) if payload.topic else None,
    )
    return Status(201, referral_for_user(actor, referral.public_id))


@router.post(
    "/outreach/referrals/{referral_id}/close",
    response={200: ReferralOut, **REFUSALS},
    summary="Close an open referral without a session (office), with a reason",
)
def close_referral(request, referral_id: str, payload: ReasonIn):
    referral = referral_for_user(request.auth, referral_id)
    referral_close(actor=request.auth, referral=referral, reason=payload.reason)
    return referral_for_user(request.auth, referral_id)
