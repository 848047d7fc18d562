"""A unit's participation page: its score with every line, and what lies behind it."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from hami.outreach.models import Booking, Certificate, Member, Referral, Registration
from hami.outreach.participation import WINDOW_DAYS, counts_for_units
from hami.registry.access import unit_for_user


@login_required
def unit_participation(request, public_id):
    unit = unit_for_user(request.user, public_id)
    today = timezone.localdate()
    since = today - dt.timedelta(days=WINDOW_DAYS)
    participation = counts_for_units([unit.pk], since=since, today=today)[unit.pk]
    context = {
        "unit": unit,
        "participation": participation,
        "since": since,
        "registrations": Registration.objects.filter(unit=unit)
        .select_related("session__course")
        .order_by("-session__starts_at")[:50],
        "certificates": Certificate.objects.filter(unit=unit)
        .select_related("course")
        .order_by("-issued_on")[:50],
        "bookings": Booking.objects.filter(unit=unit)
        .select_related("slot__advisor", "slot__topic")
        .order_by("-slot__starts_at")[:50],
        "referrals": Referral.objects.filter(unit=unit).select_related("topic")[:50],
        "memberships": Member.objects.filter(unit=unit, is_active=True).select_related("group"),
        "today": today,
    }
    return render(request, "outreach/participation.html", context)


urlpatterns = [
    path("units/<uuid:public_id>/participation/", unit_participation, name="unit_participation"),
]
