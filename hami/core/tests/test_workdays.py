import datetime as dt

import pytest
from django.test import override_settings

from hami.core import calendar
from hami.core.models import Holiday
from hami.core.workdays import add_working_days, is_working_day, working_days_between

SAT = dt.date(2026, 11, 21)  # a Saturday, the first day of the Iranian week
WED, THU, FRI = dt.date(2026, 11, 25), dt.date(2026, 11, 26), dt.date(2026, 11, 27)


def test_friday_is_never_a_working_day_and_thursday_is_configurable():
    assert not is_working_day(FRI)
    assert is_working_day(THU) and not is_working_day(THU, thursday_works=False)
    assert is_working_day(SAT)


def test_three_working_days_from_wednesday_skip_friday():
    assert add_working_days(WED, 3) == dt.date(2026, 11, 29)  # Thu, (Fri), Sat, Sun
    assert add_working_days(WED, 3, thursday_works=False) == dt.date(2026, 11, 30)


def test_holidays_are_skipped_and_counted_out():
    assert add_working_days(WED, 1, holidays={THU}) == dt.date(2026, 11, 28)
    assert working_days_between(SAT, dt.date(2026, 11, 28)) == 6  # Sun..Thu, then Sat
    assert working_days_between(SAT, dt.date(2026, 11, 28), holidays={WED}) == 5
    assert working_days_between(WED, SAT) == 0


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(WED, -1)


@pytest.mark.django_db
def test_office_calendar_reads_national_and_provincial_holidays(qazvin, tehran):
    Holiday.objects.create(date=THU, name_fa="تعطیل ملی")
    Holiday.objects.create(date=dt.date(2026, 11, 28), name_fa="تعطیل استانی", province=qazvin)
    assert calendar.add_working_days(WED, 1, qazvin) == dt.date(2026, 11, 29)
    assert calendar.add_working_days(WED, 1, tehran) == dt.date(2026, 11, 28)
    with override_settings(HAMI_THURSDAY_IS_WORKING_DAY=False):
        assert calendar.add_working_days(WED, 1, tehran) == dt.date(2026, 11, 28)
