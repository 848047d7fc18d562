"""Dates for people: Jalali with Persian digits in Persian, Gregorian in English. No Django models."""

import datetime as dt

import jdatetime
from django.utils import timezone
from django.utils.translation import get_language

from hami.core.persian import to_persian_digits

JALALI_MONTHS_FA = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip


def in_persian(language: str | None = None) -> bool:
    """Whether dates are Jalali and digits Persian: in Persian, the default when no language is active."""
    return (language or get_language() or "fa").startswith("fa")


def format_time(value: dt.datetime) -> str:
    """The local `HH:MM` of an aware datetime, in Persian digits in Persian."""
    text = timezone.localtime(value).strftime("%H:%M")
    return to_persian_digits(text) if in_persian() else text


def _as_local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def format_date(
    value: dt.date | dt.datetime | None, *, long: bool = False, language: str | None = None
) -> str:
    """`1405/09/07` (Persian digits) or `7 آذر 1405` in Persian; `2026-11-28` or `28 Nov 2026` in English."""
    if value is None:
        return ""
    day = _as_local_date(value)
    if in_persian(language):
        try:
            jd = jdatetime.date.fromgregorian(date=day)
        except ValueError:  # past jdatetime's range (Jalali year 9377): show the ISO date
            return day.isoformat()
        text = (
            f"{jd.day} {JALALI_MONTHS_FA[jd.month - 1]} {jd.year}"
            if long
            else f"{jd.year:04d}/{jd.month:02d}/{jd.day:02d}"
        )
        return to_persian_digits(text)
    return day.strftime("%-d %b %Y") if long else day.isoformat()


def format_datetime(value: dt.datetime | None, *, language: str | None = None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    text = f"{format_date(local, language=language)} {local:%H:%M}"
    return to_persian_digits(text) if in_persian(language) else text


def parse_jalali(text: str) -> dt.date:
    """`1405/09/07` (any digit script, / or -) to a Gregorian date. Raises ValueError."""
    from hami.core.persian import to_ascii_digits

    parts = to_ascii_digits(text.strip()).replace("-", "/").split("/")
    if len(parts) != 3:
        raise ValueError(text)
    year, month, day = (int(p) for p in parts)
    return jdatetime.date(year, month, day).togregorian()
