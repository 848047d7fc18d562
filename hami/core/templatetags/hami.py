"""Template filters for Persian-first presentation, loaded as builtins (settings.TEMPLATES)."""

from django import template

from hami.core import jalali
from hami.core.persian import to_persian_digits

register = template.Library()


@register.filter
def jdate(value, style: str = ""):
    """A date: Jalali with Persian digits in Persian, ISO in English. `|jdate:"long"` writes the month."""
    return jalali.format_date(value, long=style == "long")


@register.filter
def jdatetime(value):
    return jalali.format_datetime(value)


@register.filter
def digits(value):
    """Persian digits in Persian, as they are in English (identifiers, counts)."""
    if value is None:
        return ""
    return to_persian_digits(value) if jalali.in_persian() else str(value)


@register.filter
def number(value):
    """A count with thousands separators, in the active language's digits."""
    if value is None:
        return ""
    try:
        text = f"{int(value):,}"
    except (TypeError, ValueError):
        return value
    if jalali.in_persian():
        return to_persian_digits(text.replace(",", "٬"))
    return text
