"""The office calendar: working days with the holidays from the database and the configured week."""

import datetime as dt
from calendar import monthrange

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hami.core import workdays
from hami.core.models import Holiday, Province


def local_days(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware [start, end) of the local days `first` to `last`: a range on a datetime column that
    its index serves (a `__date` lookup would not)."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier); the month's last day where it has fewer days (so
    29 February plus a year is 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def holidays_for(province: Province | None, start: dt.date, end: dt.date) -> set[dt.date]:
    scope = Q(province__isnull=True) | Q(province=province) if province else Q(province__isnull=True)
    return set(Holiday.objects.filter(scope, date__range=(start, end)).values_list("date", flat=True))


def add_working_days(start: dt.date, days: int, province: Province | None = None) -> dt.date:
    # Holidays are at most a few a week: three calendar weeks per working week is a safe window.
    window_end = start + dt.timedelta(days=days * 3 + 21)
    return workdays.add_working_days(
        start,
        days,
        holidays=holidays_for(province, start, window_end),
        thursday_works=settings.HAMI_THURSDAY_IS_WORKING_DAY,
    )


def working_days_between(start: dt.date, end: dt.date, province: Province | None = None) -> int:
    return workdays.working_days_between(
        start,
        end,
        holidays=holidays_for(province, start, end),
        thursday_works=settings.HAMI_THURSDAY_IS_WORKING_DAY,
    )
