import datetime as dt

from django.utils import timezone, translation

from hami.core.jalali import format_date, format_datetime, parse_jalali


def test_persian_dates_are_jalali_with_persian_digits():
    assert format_date(dt.date(2026, 11, 28), language="fa") == "۱۴۰۵/۰۹/۰۷"
    assert format_date(dt.date(2026, 11, 28), long=True, language="fa") == "۷ آذر ۱۴۰۵"


def test_english_dates_are_gregorian():
    assert format_date(dt.date(2026, 11, 28), language="en") == "2026-11-28"


def test_datetimes_are_shown_in_tehran_time():
    # 21:00 UTC on 20 March 2026 is already 21 March (1 Farvardin 1405) in Tehran (UTC+3:30).
    moment = dt.datetime(2026, 3, 20, 21, 0, tzinfo=dt.UTC)
    assert format_datetime(moment, language="fa") == "۱۴۰۵/۰۱/۰۱ ۰۰:۳۰"


def test_parse_jalali_accepts_any_digit_script():
    assert parse_jalali("۱۴۰۳/۰۱/۰۲") == dt.date(2024, 3, 21)
    assert parse_jalali("1403-01-02") == dt.date(2024, 3, 21)


def test_template_filter_follows_active_language():
    from django.template import Context, Template

    template = Template("{{ day|jdate }}")
    with translation.override("fa"):
        assert template.render(Context({"day": dt.date(2026, 11, 28)})) == "۱۴۰۵/۰۹/۰۷"
    with translation.override("en"):
        assert template.render(Context({"day": dt.date(2026, 11, 28)})) == "2026-11-28"
    assert timezone.get_current_timezone_name() == "Asia/Tehran"
