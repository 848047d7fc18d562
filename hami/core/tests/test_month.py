import datetime as dt

from hami.core.month import month_bounds, month_grid, parse_month

TODAY = dt.date(2026, 11, 28)  # 7 Azar 1405


def test_farvardin_1405_starts_on_saturday_so_the_grid_has_no_leading_days():
    grid = month_grid(1405, 1, {}, today=TODAY, jalali=True)
    first_week = grid.weeks[0]
    assert first_week[0].date == dt.date(2026, 3, 21) and first_week[0].number == 1
    assert all(day.in_month for day in first_week)
    assert grid.title == "فروردین 1405"
    assert grid.weekdays[0] == "شنبه"


def test_azar_1405_starts_on_a_sunday_so_one_day_of_aban_leads():
    grid = month_grid(1405, 9, {}, today=TODAY, jalali=True)
    first = grid.weeks[0]
    assert first[0].date == dt.date(2026, 11, 21) and not first[0].in_month and first[0].number == 30
    assert first[1].date == dt.date(2026, 11, 22) and first[1].number == 1 and first[1].in_month
    assert all(len(week) == 7 for week in grid.weeks)
    # every week starts on a Saturday
    assert {week[0].date.weekday() for week in grid.weeks} == {5}
    assert [d.date for w in grid.weeks for d in w if d.is_today] == [TODAY]
    assert (grid.previous, grid.next) == ("1405-08", "1405-10")


def test_leap_esfand_has_thirty_days_and_the_year_rolls_over():
    first, last = month_bounds(1403, 12, jalali=True)
    assert (last - first).days + 1 == 30
    grid = month_grid(1403, 12, {}, today=TODAY, jalali=True)
    assert grid.next == "1404-01" and grid.previous == "1403-11"


def test_events_land_on_their_day_only():
    grid = month_grid(1405, 9, {dt.date(2026, 11, 28): ["course"]}, today=TODAY, jalali=True)
    with_events = [(d.date, d.events) for w in grid.weeks for d in w if d.events]
    assert with_events == [(dt.date(2026, 11, 28), ["course"])]


def test_gregorian_grid_starts_weeks_on_monday():
    grid = month_grid(2026, 11, {}, today=TODAY, jalali=False)
    assert grid.weeks[0][0].date == dt.date(2026, 10, 26)
    assert grid.weeks[-1][-1].date == dt.date(2026, 12, 6)
    assert grid.first == dt.date(2026, 11, 1) and grid.last == dt.date(2026, 11, 30)


def test_parse_month_falls_back_to_the_current_month_on_nonsense():
    assert parse_month("1405-09", TODAY, jalali=True) == (1405, 9)
    for bad in ("", None, "1405-13", "abc", "1405-00", "99999999999-1", "1405-9-1"):
        assert parse_month(bad, TODAY, jalali=True) == (1405, 9)
    assert parse_month("2026-02", TODAY, jalali=False) == (2026, 2)
