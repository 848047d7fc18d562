"""A month of the calendar as a grid of weeks, for calendar pages: Jalali months with the Iranian week
(Saturday first) when the language is Persian, Gregorian months with a Monday-first week in English.

`month_grid` is pure; pages pass it the events of the month and render `core/_month.html`.
"""

import datetime as dt
from dataclasses import dataclass, field

import jdatetime

JALALI_MONTHS_FA = [
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
]  # fmt: skip
WEEKDAYS_FA = ["شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه"]
WEEKDAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@dataclass
class Day:
    date: dt.date  # Gregorian, to match events
    number: int  # the day of the month in the calendar shown
    in_month: bool
    is_today: bool
    events: list = field(default_factory=list)


@dataclass
class Month:
    year: int  # in the calendar shown
    month: int
    title: str
    weekdays: list[str]
    weeks: list[list[Day]]
    first: dt.date  # Gregorian first and last day of the month shown, for the query
    last: dt.date
    previous: str  # "YYYY-MM" in the calendar shown, for links
    next: str


def month_bounds(year: int, month: int, *, jalali: bool) -> tuple[dt.date, dt.date]:
    """The Gregorian first and last day of a month. Raises ValueError for a month that does not exist."""
    if not 1 <= month <= 12 or not 1 <= year <= 3000:
        raise ValueError("no such month")
    if jalali:
        first = jdatetime.date(year, month, 1).togregorian()
        next_first = jdatetime.date(year + (month == 12), month % 12 + 1, 1).togregorian()
    else:
        first = dt.date(year, month, 1)
        next_first = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, next_first - dt.timedelta(days=1)


def current_month(today: dt.date, *, jalali: bool) -> tuple[int, int]:
    if jalali:
        j = jdatetime.date.fromgregorian(date=today)
        return j.year, j.month
    return today.year, today.month


def parse_month(text: str | None, today: dt.date, *, jalali: bool) -> tuple[int, int]:
    """'1405-09' → (1405, 9); anything unreadable or out of range → the current month."""
    try:
        year_text, month_text = (text or "").split("-")
        year, month = int(year_text), int(month_text)
        month_bounds(year, month, jalali=jalali)
    except (ValueError, OverflowError):
        return current_month(today, jalali=jalali)
    return year, month


def month_grid(year: int, month: int, events_by_day: dict, *, today: dt.date, jalali: bool) -> Month:
    """The weeks of the month, each a list of seven `Day`s; `events_by_day` maps a Gregorian date to
    the events to show on it."""
    first, last = month_bounds(year, month, jalali=jalali)
    # Python's weekday(): Monday 0 … Sunday 6. The Iranian week starts on Saturday (5).
    week_start = 5 if jalali else 0
    start = first - dt.timedelta(days=(first.weekday() - week_start) % 7)
    end = last + dt.timedelta(days=(week_start - 1 - last.weekday()) % 7)
    weeks, week, day = [], [], start
    while day <= end:
        number = jdatetime.date.fromgregorian(date=day).day if jalali else day.day
        week.append(Day(day, number, first <= day <= last, day == today, list(events_by_day.get(day, []))))
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += dt.timedelta(days=1)
    prev_year, prev_month = (year - 1, 12) if month == 1 else (year, month - 1)
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    if jalali:
        title = f"{JALALI_MONTHS_FA[month - 1]} {year}"
        weekdays = WEEKDAYS_FA
    else:
        title = first.strftime("%B %Y")
        weekdays = WEEKDAYS_EN
    return Month(
        year=year,
        month=month,
        title=title,
        weekdays=weekdays,
        weeks=weeks,
        first=first,
        last=last,
        previous=f"{prev_year:04d}-{prev_month:02d}",
        next=f"{next_year:04d}-{next_month:02d}",
    )
