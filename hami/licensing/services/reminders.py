"""Renewal reminders 90, 60 and 30 days before expiry: planned by the daily command, sent by tasks."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hami.licensing.models import Licence, LicenceState, RenewalReminder
from hami.licensing.tasks import deliver_renewal_reminder

STEPS = (90, 60, 30)


def due_step(days_left: int) -> int | None:
    """The most urgent reminder step a licence with `days_left` has reached (None above 90 days)."""
    reached = [step for step in STEPS if days_left <= step]
    return min(reached) if reached else None


def renewal_reminders_plan(*, today: dt.date | None = None) -> int:
    """Create each due reminder once and enqueue its delivery in the same transaction.

    Safe to run twice or after a crash: the unique (licence, expiry, step) row is created once, and
    its task is enqueued with it; a reminder row without a sent_at is enqueued again."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(STEPS))
    planned = 0
    licences = Licence.objects.filter(
        state=LicenceState.ACTIVE, expires_on__gte=today, expires_on__lte=horizon
    ).only("pk", "expires_on")
    for licence in licences.iterator(chunk_size=1000):
        step = due_step((licence.expires_on - today).days)
        with transaction.atomic():
            reminder, created = RenewalReminder.objects.get_or_create(
                licence_id=licence.pk, expires_on=licence.expires_on, days_before=step
            )
            if created:
                deliver_renewal_reminder.enqueue(reminder.pk)
                planned += 1
    # Rows a crash left unsent (their task was lost with a queue) are enqueued again; delivery is idempotent.
    for reminder_id in RenewalReminder.objects.filter(
        sent_at__isnull=True, created_at__lt=timezone.now() - dt.timedelta(hours=1)
    ).values_list("pk", flat=True):
        deliver_renewal_reminder.enqueue(reminder_id)
    return planned
