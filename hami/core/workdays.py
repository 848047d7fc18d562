"""Working days of the Iranian week. No Django import.

Friday is the weekly holiday in Iran; Thursday is a working day in some offices and not in others
(Cabinet decisions have moved government offices between the two), so it is a parameter. Public
holidays come from the calendar the national admin keeps (core.Holiday).
"""

import datetime as dt
from collections.abc import Collection

FRIDAY = 4  # date.weekday(): Monday 0 … Sunday 6
THURSDAY = 3


def is_working_day(day: dt.date, *, holidays: Collection[dt.date] = (), thursday_works: bool = True) -> bool:
    if day.weekday() == FRIDAY or day in holidays:
        return False
    return thursday_works or day.weekday() != THURSDAY


def add_working_days(
    start: dt.date, days: int, *, holidays: Collection[dt.date] = (), thursday_works: bool = True
) -> dt.date:
    """The date `days` working days after `start` (the start day itself does not count)."""
    if days < 0:
        raise ValueError("days must be ≥ 0")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays=holidays, thursday_works=thursday_works):
            remaining -= 1
    return day


def working_days_between(
    start: dt.date, end: dt.date, *, holidays: Collection[dt.date] = (), thursday_works: bool = True
) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays=holidays, thursday_works=thursday_works):
            count += 1
    return count
