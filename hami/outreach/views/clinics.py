"""Clinic pages: the Jalali calendar and the list of slots, a slot (book it, or see why not), publishing
slots, bookings (cancel, move, the advisor's notes, the rating), referrals and advisors. Thin: parse,
reach objects through hami.outreach.access, call one service, render."""

import datetime as dt
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.calendar import local_days
from hami.core.errors import HamiError
from hami.core.forms import errors_to_messages
from hami.core.jalali import format_time, in_persian
from hami.core.models import Province, Role
from hami.core.month import month_grid, parse_month
from hami.labs.models import Lab
from hami.outreach import selectors
from hami.outreach.access import (
    advisor_for_user,
    advisors_for_user,
    bookable_units_for_user,
    booking_for_user,
    bookings_for_user,
    can_manage,
    is_slot_advisor,
    is_unit_rep,
    may_manage_slot,
    referable_units_for_user,
    referral_for_user,
    referrals_for_user,
    slot_for_user,
    slots_for_user,
)
from hami.outreach.forms_clinics import (
    AdvisorForm,
    BookingForm,
    NotesForm,
    RateForm,
    ReasonForm,
    ReferralForm,
    RescheduleForm,
    SlotFilterForm,
    SlotForm,
)
from hami.outreach.models import (
    Advisor,
    BookingStatus,
    Mode,
    ReferralSource,
    ReferralStatus,
    Slot,
    SlotStatus,
    Topic,
)
from hami.outreach.services import bookings as booking_services
from hami.outreach.services import clinics as services
from hami.outreach.services.referrals import may_refer, referral_close, referral_create

LIVE_BOOKING = (BookingStatus.BOOKED, BookingStatus.HELD, BookingStatus.NO_SHOW)
MAX_CALENDAR_SLOTS = 1500


def _home_province(user) -> Province | None:
    """The province a clinic page shows first: the office's, the advisor's, the unit's; national: all."""
    if user.is_national:
        return None
    if user.province_id:
        return user.province
    advisor = Advisor.objects.filter(user=user).select_related("province").first()
    if advisor is not None:
        return advisor.province
    unit = bookable_units_for_user(user).first()
    return unit.province if unit is not None else None


def _filters(request) -> tuple[SlotFilterForm, dict, Province | None]:
    """The filter form, what parsed of it (junk is dropped, not an error), and the province shown."""
    form = SlotFilterForm(request.GET or None)
    form.is_valid()
    data = dict(getattr(form, "cleaned_data", {}))
    if request.GET.get("province") == "all":
        province = None
    else:
        province = data.get("province") or _home_province(request.user)
    return form, data, province


def _filtered(slots, data: dict, province: Province | None):
    if province is not None:
        slots = slots.filter(province=province)
    if data.get("topic"):
        slots = slots.filter(topic=data["topic"])
    if data.get("advisor"):
        slots = slots.filter(advisor=data["advisor"])
    return slots


def _query(request, *names) -> str:
    """`&name=value…` of the current filters, for links that keep them (the month grid's arrows)."""
    kept = {name: request.GET[name] for name in names if request.GET.get(name)}
    return f"&{urlencode(kept)}" if kept else ""


class _Event:
    def __init__(self, slot: Slot, *, url: str, css: str):
        self.title = f"{slot.topic.name} · {slot.advisor.display_name}"
        self.url, self.css = url, css
        self.time = format_time(slot.starts_at)


@login_required
def clinic_calendar(request):
    """A month of slots: open ones green, booked or held grey, the unit's own bookings blue."""
    user = request.user
    jalali = in_persian()
    today = timezone.localdate()
    year, month = parse_month(request.GET.get("month"), today, jalali=jalali)
    form, data, province = _filters(request)
    grid = month_grid(year, month, {}, today=today, jalali=jalali)
    start, end = local_days(grid.weeks[0][0].date, grid.weeks[-1][-1].date)  # the whole grid, padding too
    slots = _filtered(slots_for_user(user), data, province).filter(starts_at__gte=start, starts_at__lt=end)
    slots = list(slots.exclude(status=SlotStatus.CANCELLED).order_by("starts_at")[:MAX_CALENDAR_SLOTS])
    own = dict(
        bookings_for_user(user)
        .filter(slot__in=[s.pk for s in slots], status__in=LIVE_BOOKING, unit__memberships__user=user)
        .values_list("slot_id", "public_id")
    )
    now = timezone.now()
    events: dict[dt.date, list] = {}
    for slot in slots:
        if slot.pk in own:
            event = _Event(slot, url=reverse("outreach:booking_detail", args=[own[slot.pk]]), css="primary")
        else:
            bookable = slot.status == SlotStatus.OPEN and slot.starts_at > now
            event = _Event(
                slot,
                url=reverse("outreach:slot_detail", args=[slot.public_id]),
                css="success" if bookable else "secondary",
            )
        events.setdefault(timezone.localtime(slot.starts_at).date(), []).append(event)
    grid = month_grid(year, month, events, today=today, jalali=jalali)
    context = {
        "form": form,
        "month": grid,
        "month_url": reverse("outreach:clinic_calendar"),
        "month_query": _query(request, "topic", "advisor", "province"),
        "province": province,
        "provinces": Province.objects.all(),
        "topics": Topic.objects.all(),
        "advisors": Advisor.objects.filter(is_active=True),
        "can_publish": _may_publish(user),
    }
    return render(request, "outreach/clinics/calendar.html", context)


def _may_publish(user) -> bool:
    if user.is_national or (user.role == Role.OFFICE_STAFF and user.province_id):
        return True
    return Advisor.objects.filter(user=user, is_active=True).exists()


@login_required
def slot_list(request):
    """Slots to book, soonest first: open and ahead unless the filters say otherwise."""
    user = request.user
    form, data, province = _filters(request)
    slots = _filtered(slots_for_user(user), data, province)
    if data.get("start"):
        slots = slots.filter(starts_at__gte=local_days(data["start"], data["start"])[0])
    else:
        slots = slots.filter(starts_at__gt=timezone.now())
    if data.get("end"):
        slots = slots.filter(starts_at__lt=local_days(data["end"], data["end"])[1])
    if data.get("open_only") or not request.GET:
        slots = slots.filter(status=SlotStatus.OPEN)
    page = Paginator(slots.order_by("starts_at", "pk"), 30).get_page(request.GET.get("page"))
    units = list(bookable_units_for_user(user)) if user.role == Role.UNIT_REP else []
    priority = selectors.priority_topics(units)
    now = timezone.now()
    for slot in page:
        slot.in_priority_window = bool(slot.priority_until and now < slot.priority_until)
        slot.you_have_priority = any(
            topics is None or slot.topic_id in topics for topics in priority.values()
        )
    context = {
        "form": form,
        "page": page,
        "province": province,
        "provinces": Province.objects.all(),
        "topics": Topic.objects.all(),
        "advisors": Advisor.objects.filter(is_active=True),
        "can_publish": _may_publish(user),
        "is_rep": bool(units),
    }
    return render(request, "outreach/clinics/slot_list.html", context)


def _booking_form(request, slot: Slot, data=None):
    user = request.user
    units = bookable_units_for_user(user)
    referrals = referrals_for_user(user).filter(topic=slot.topic, status=ReferralStatus.OPEN)
    initial = {"referral": request.GET.get("referral", "")}
    form = BookingForm(data, units=units, referrals=referrals, initial=initial)
    return form, units, referrals


@login_required
@require_http_methods(["GET", "POST"])
def slot_detail(request, public_id):
    """A slot: the booking form for a unit (or why it cannot book), the advisor's and office's view."""
    user = request.user
    slot = slot_for_user(user, public_id)
    if request.method == "POST":
        form, units, referrals = _booking_form(request, slot, request.POST)
        if not units.exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                booking = booking_services.booking_create(
                    actor=user,
                    slot=slot,
                    unit=form.cleaned_data["unit"],
                    question=form.cleaned_data["question"],
                    referral=form.cleaned_data["referral"],
                )
            except HamiError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Booked. The advisor has been told."))
                return redirect("outreach:booking_detail", public_id=booking.public_id)
        else:
            errors_to_messages(request, form)
        return redirect("outreach:slot_detail", public_id=public_id)
    form, units, referrals = _booking_form(request, slot)
    is_rep = user.role == Role.UNIT_REP
    own_units = list(units) if is_rep else []
    manage = may_manage_slot(user, slot)
    booking = (
        slot.bookings.filter(status__in=LIVE_BOOKING).select_related("unit").first()
        if manage
        else bookings_for_user(user).filter(slot=slot, status__in=LIVE_BOOKING).first()
    )
    refusals = []
    if booking is None:  # the unit's own booking of this slot is shown instead of "somebody else booked it"
        for unit in own_units:
            refusal = booking_services.slot_refusal(slot=slot, unit=unit)
            refusals.append((unit, refusal.message if refusal else ""))
    context = {
        "slot": slot,
        "form": form,
        "is_rep": is_rep,
        "own_units": own_units,
        "refusals": refusals,
        "bookable_units": [unit for unit, message in refusals if not message],
        "office_books": not is_rep and units.exists() and slot.status == SlotStatus.OPEN,
        "referrals": list(referrals[:20]),
        "manage": manage,
        "booking": booking,
        "in_priority_window": bool(slot.priority_until and timezone.now() < slot.priority_until),
        "cancel_form": ReasonForm(),
    }
    return render(request, "outreach/clinics/slot_detail.html", context)


@login_required
@require_POST
def slot_act(request, public_id, action):
    """The advisor's or office's moves on a slot: `cancel`."""
    slot = slot_for_user(request.user, public_id)
    if not may_manage_slot(request.user, slot) or action != "cancel":
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.slot_cancel(actor=request.user, slot=slot, reason=form.cleaned_data["reason"])
        except HamiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The slot is cancelled; a unit that had booked it was told."))
    else:
        errors_to_messages(request, form)
    return redirect("outreach:slot_detail", public_id=public_id)


def _publishable_advisors(user):
    advisors = Advisor.objects.filter(is_active=True).select_related("province")
    own = Q(user=user)
    if user.is_national:
        return advisors
    if user.role == Role.OFFICE_STAFF and user.province_id:
        return advisors.filter(own | Q(province_id=user.province_id))
    return advisors.filter(own)


@login_required
@require_http_methods(["GET", "POST"])
def slot_new(request):
    """The advisor (or the office, for an advisor of its province) publishes a slot or a weekly series."""
    user = request.user
    advisors = list(_publishable_advisors(user))
    if not advisors:
        raise PermissionDenied
    form = SlotForm(request.POST or None, advisors=Advisor.objects.filter(pk__in=[a.pk for a in advisors]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": user,
            "advisor": data["advisor"],
            "topic": data["topic"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "mode": data["mode"],
            "venue": data["venue"],
            "link": data["link"],
        }
        try:
            if data["weeks"] > 1:
                slots = services.slots_publish_series(weeks=data["weeks"], **common)
            else:
                slots = [services.slot_publish(**common)]
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("{count} slots published.").format(count=len(slots)) if len(slots) > 1 else _("Published."),
            )
            return redirect("outreach:slot_detail", public_id=slots[0].public_id)
    context = {"form": form, "advisors": advisors, "modes": Mode.choices}
    return render(request, "outreach/clinics/slot_new.html", context)


@login_required
def booking_list(request):
    """A unit: its bookings; an advisor: its slots' bookings; the office: its province's."""
    bookings = bookings_for_user(request.user)
    status = request.GET.get("status", "")
    if status in BookingStatus.values:
        bookings = bookings.filter(status=status)
    page = Paginator(bookings.order_by("-slot__starts_at", "pk"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/clinics/booking_list.html",
        {"page": page, "status": status, "statuses": BookingStatus.choices},
    )


@login_required
def booking_detail(request, public_id):
    user = request.user
    booking = booking_for_user(user, public_id)
    slot = booking.slot
    now = timezone.now()
    rep = is_unit_rep(user, booking.unit_id)
    advisor = is_slot_advisor(user, slot)
    office = can_manage(user, slot.province_id) or can_manage(user, booking.unit.province_id)
    live = booking.status == BookingStatus.BOOKED
    alternatives = []
    if live and (rep or advisor or office):
        alternatives = list(
            Slot.objects.filter(
                advisor=slot.advisor, topic=slot.topic, status=SlotStatus.OPEN, starts_at__gt=now
            )
            .exclude(pk=slot.pk)
            .order_by("starts_at")[:20]
        )
    history = []
    previous = booking
    for _step in range(booking_services.MAX_RESCHEDULES + 1):
        previous = getattr(previous, "rescheduled_from", None) if previous else None
        if previous is None:
            break
        history.append(previous)
    context = {
        "booking": booking,
        "slot": slot,
        "rep": rep,
        "advisor": advisor,
        "office": office,
        "can_cancel": live and (rep or advisor or office),
        "can_move": live and (rep or advisor or office),
        "alternatives": alternatives,
        "can_record": live and advisor and now >= slot.starts_at,
        "can_rate": rep and booking.status == BookingStatus.HELD and booking.rating is None,
        "history": history,
        "notes_form": NotesForm(),
        "rate_form": RateForm(),
    }
    return render(request, "outreach/clinics/booking_detail.html", context)


@login_required
@require_POST
def booking_act(request, public_id, action):
    """`cancel`, `reschedule`, `notes` and `rate`: each a form and one service; refusals as messages."""
    user = request.user
    booking = booking_for_user(user, public_id)
    target = booking
    try:
        if action == "cancel":
            form = ReasonForm(request.POST)
            if form.is_valid():
                booking_services.booking_cancel(
                    actor=user, booking=booking, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The booking is cancelled."))
        elif action == "reschedule":
            form = RescheduleForm(request.POST)
            if form.is_valid():
                new_slot = slot_for_user(user, form.cleaned_data["slot"])
                target = booking_services.booking_reschedule(actor=user, booking=booking, new_slot=new_slot)
                messages.success(request, _("The booking is moved."))
        elif action == "notes":
            form = NotesForm(request.POST)
            if form.is_valid():
                booking_services.booking_record_session(
                    actor=user,
                    booking=booking,
                    notes=form.cleaned_data["notes"],
                    held=form.cleaned_data["outcome"] == BookingStatus.HELD,
                )
                messages.success(request, _("The session is recorded."))
        elif action == "rate":
            form = RateForm(request.POST)
            if form.is_valid():
                booking_services.booking_rate(
                    actor=user,
                    booking=booking,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, _("Thank you for rating the session."))
        else:
            raise Http404(_("No such action."))
        if not form.is_valid():
            errors_to_messages(request, form)
    except HamiError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    return redirect("outreach:booking_detail", public_id=target.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def referral_list(request):
    """Referrals in scope; the office and inspectors refer a unit by hand."""
    user = request.user
    referrals = referrals_for_user(user)
    writer = user.is_national or (user.role in (Role.OFFICE_STAFF, Role.INSPECTOR) and user.province_id)
    form = ReferralForm(request.POST or None, units=referable_units_for_user(user))
    if request.method == "POST":
        if not writer:
            raise PermissionDenied
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            if not may_refer(user, unit):
                raise PermissionDenied
            try:
                referral = referral_create(
                    actor=user,
                    unit=unit,
                    source=ReferralSource.OFFICE,
                    source_ref=f"office-{uuid.uuid4().hex[:16]}",
                    reason=form.cleaned_data["reason"],
                    topic=form.cleaned_data["topic"],
                )
            except HamiError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The unit is referred and has been told."))
                return redirect("outreach:referral_detail", public_id=referral.public_id)
    status = request.GET.get("status", "")
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals.order_by("-created_at", "pk"), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": ReferralStatus.choices,
        "form": form,
        "writer": writer,
        "topics": Topic.objects.all(),
    }
    return render(request, "outreach/clinics/referral_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request, public_id):
    """A referral: why, its bookings, and open slots on its topic to book (the unit's province or online)."""
    user = request.user
    referral = referral_for_user(user, public_id)
    office = can_manage(user, referral.unit.province_id)
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                referral_close(actor=user, referral=referral, reason=form.cleaned_data["reason"])
            except HamiError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The referral is closed."))
        return redirect("outreach:referral_detail", public_id=public_id)
    now = timezone.now()
    slots = []
    if referral.status == ReferralStatus.OPEN:
        slots = list(
            slots_for_user(user)
            .filter(topic=referral.topic, status=SlotStatus.OPEN, starts_at__gt=now, advisor__is_active=True)
            .filter(Q(province_id=referral.unit.province_id) | Q(mode=Mode.ONLINE))
            .order_by("starts_at")[:20]
        )
    context = {
        "referral": referral,
        "bookings": referral.bookings.select_related("slot__advisor").order_by("-created_at"),
        "slots": slots,
        "office": office,
        "can_book": is_unit_rep(user, referral.unit_id) or office,
    }
    return render(request, "outreach/clinics/referral_detail.html", context)


def _office_provinces(user):
    if user.is_national:
        return Province.objects.all()
    if user.role == Role.OFFICE_STAFF and user.province_id:
        return Province.objects.filter(pk=user.province_id)
    return Province.objects.none()


def _office_labs(user):
    """The labs whose experts the office may make advisors: those of its province (national: all)."""
    return Lab.objects.filter(province__in=_office_provinces(user)).order_by("name_fa")


def _save_advisor(request, form) -> Advisor | None:
    user = request.user
    data = form.cleaned_data
    province = data.get("province") if user.is_national else user.province
    if province is None:
        form.add_error("province", _("Choose the province."))
        return None
    try:
        return services.advisor_save(
            actor=user,
            user=data["username"],
            kind=data["kind"],
            display_name=data["display_name"],
            province=province,
            topics=list(data["topics"]),
            lab=data.get("lab"),
            bio=data.get("bio", ""),
        )
    except HamiError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        field = {"user": "username"}.get(exc.field or "", exc.field)
        form.add_error(field if field in form.fields else None, exc.message)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def advisor_list(request):
    """The advisors and their topics; the office adds one."""
    user = request.user
    office = _office_provinces(user).exists()
    form = AdvisorForm(request.POST or None)
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        if form.is_valid():
            advisor = _save_advisor(request, form)
            if advisor is not None:
                messages.success(request, _("The advisor is saved."))
                return redirect("outreach:advisor_detail", public_id=advisor.public_id)
    advisors = advisors_for_user(user).prefetch_related("topics")
    if not request.GET.get("inactive"):
        advisors = advisors.filter(is_active=True)
    topic = Topic.objects.filter(code=request.GET.get("topic", "")).first()
    if topic is not None:
        advisors = advisors.filter(topics=topic)
    province = Province.objects.filter(code=request.GET.get("province", "")).first()
    if province is not None:
        advisors = advisors.filter(province=province)
    page = Paginator(advisors.order_by("display_name", "pk"), 40).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "office": office,
        "topics": Topic.objects.all(),
        "provinces": Province.objects.all(),
        "topic": topic,
        "province": province,
        "labs": _office_labs(user),
    }
    return render(request, "outreach/clinics/advisor_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def advisor_detail(request, public_id):
    """An advisor: who, on what, the next slots; the office edits or deactivates it."""
    user = request.user
    advisor = advisor_for_user(user, public_id)
    office = can_manage(user, advisor.province_id)
    initial = {
        "username": advisor.user.username,
        "kind": advisor.kind,
        "display_name": advisor.display_name,
        "province": advisor.province.code,
        "lab": advisor.lab.public_id if advisor.lab_id else None,
        "topics": [topic.code for topic in advisor.topics.all()],
        "bio": advisor.bio,
    }
    form = AdvisorForm(initial=initial)
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        if request.POST.get("action") == "deactivate":
            reason_form = ReasonForm(request.POST)
            if reason_form.is_valid():
                try:
                    services.advisor_deactivate(
                        actor=user, advisor=advisor, reason=reason_form.cleaned_data["reason"]
                    )
                except HamiError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(
                        request, _("The advisor is deactivated; its future slots are cancelled.")
                    )
            return redirect("outreach:advisor_detail", public_id=public_id)
        post = request.POST.copy()
        post["username"] = advisor.user.username  # the profile stays with its account
        form = AdvisorForm(post)
        if form.is_valid() and _save_advisor(request, form) is not None:
            messages.success(request, _("The advisor is saved."))
            return redirect("outreach:advisor_detail", public_id=public_id)
    slots = advisor.slots.filter(
        status__in=[SlotStatus.OPEN, SlotStatus.BOOKED], starts_at__gt=timezone.now()
    )
    context = {
        "advisor": advisor,
        "advisor_topics": advisor.topics.all(),
        "topics": Topic.objects.all(),
        "provinces": Province.objects.all(),
        "labs": _office_labs(user),
        "slots": slots.select_related("topic").order_by("starts_at")[:30],
        "office": office,
        "is_self": advisor.user_id == user.pk,
        "form": form,
    }
    return render(request, "outreach/clinics/advisor_detail.html", context)


urlpatterns = [
    path("clinics/", clinic_calendar, name="clinic_calendar"),
    path("clinics/slots/", slot_list, name="slot_list"),
    path("clinics/slots/new/", slot_new, name="slot_new"),
    path("clinics/slots/<uuid:public_id>/", slot_detail, name="slot_detail"),
    path("clinics/slots/<uuid:public_id>/<slug:action>/", slot_act, name="slot_act"),
    path("clinics/bookings/", booking_list, name="booking_list"),
    path("clinics/bookings/<uuid:public_id>/", booking_detail, name="booking_detail"),
    path("clinics/bookings/<uuid:public_id>/<slug:action>/", booking_act, name="booking_act"),
    path("clinics/referrals/", referral_list, name="referral_list"),
    path("clinics/referrals/<uuid:public_id>/", referral_detail, name="referral_detail"),
    path("clinics/advisors/", advisor_list, name="advisor_list"),
    path("clinics/advisors/<uuid:public_id>/", advisor_detail, name="advisor_detail"),
]
