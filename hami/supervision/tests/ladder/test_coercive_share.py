"""The plan's measure (point 9): coercive against advisory measures by Jalali month and province, in a
fixed number of grouped queries."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.month import month_bounds
from hami.registry.tests.factories import UnitFactory
from hami.supervision.models import CaseKind, CaseOutcome, CaseState, LadderDecision, MarketCase, Step
from hami.supervision.selectors_ladder import (
    MonthError,
    coercive_share,
    default_range,
    months_between,
    parse_month,
)
from hami.supervision.tests.factories import LadderDecisionFactory

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int = 1, hour: int = 12) -> dt.datetime:
    """A local time on a Jalali day of a month."""
    first, _last = month_bounds(year, month, jalali=True)
    return timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=day - 1), dt.time(hour)))


def decision(unit, when, step, previous=None, **values):
    made = LadderDecisionFactory(
        unit=unit, step=step, previous_step=step - 1 if previous is None else previous, **values
    )
    LadderDecision.objects.filter(pk=made.pk).update(created_at=when)
    return made


def case(province, when, outcome, state=CaseState.CLOSED):
    return MarketCase.objects.create(
        province=province, kind=CaseKind.FAILED_SAMPLE, state=state, outcome=outcome, closed_at=when
    )


@pytest.fixture
def history(qazvin, tehran, tehran_county):
    q, t = UnitFactory(), UnitFactory(county=tehran_county)
    # Farvardin 1404 in Qazvin: 3 advisory, 1 suspension.
    decision(q, at(1404, 1, 2), Step.ADVICE)
    decision(q, at(1404, 1, 3), Step.CLINIC)
    decision(q, at(1404, 1, 4), Step.WARNING)
    decision(q, at(1404, 1, 5), Step.SUSPENSION, previous=0, coercive=True)
    decision(q, at(1404, 1, 6), Step.TIGHTENED, previous=6)  # a step down: not a measure
    # Ordibehesht 1404 in Qazvin: 1 advisory, a withdrawn market case (coercive), a corrected case (none).
    decision(q, at(1404, 2, 10), Step.ADVICE)
    case(qazvin, at(1404, 2, 11), CaseOutcome.WITHDRAWN)
    case(qazvin, at(1404, 2, 12), CaseOutcome.CORRECTED)
    case(qazvin, at(1404, 2, 13), CaseOutcome.UNFOUNDED)
    case(qazvin, at(1404, 2, 13), "", state=CaseState.OPEN)
    # Tehran, Farvardin: a referral to the judiciary and a referred case.
    decision(t, at(1404, 1, 20), Step.REVOCATION, previous=6, coercive=True, judiciary=True)
    case(tehran, at(1404, 1, 21), CaseOutcome.REFERRED)
    # Outside the range.
    decision(q, at(1403, 12, 29, hour=23), Step.SUSPENSION, coercive=True)
    decision(q, at(1404, 4, 1, hour=0), Step.ADVICE)
    return q, t


def test_measures_by_month_and_province(history, qazvin, tehran, django_assert_num_queries):
    with django_assert_num_queries(4):  # decisions, cases, committee sanctions, the provinces' names
        share = coercive_share(first=(1404, 1), last=(1404, 3))
    assert [row.key for row in share.months] == ["1404-01", "1404-02", "1404-03"]
    farvardin, ordibehesht, khordad = share.months
    assert (farvardin.total.measures, farvardin.total.coercive) == (6, 3)
    assert farvardin.provinces[qazvin.pk].as_dict() == {
        "measures": 4,
        "coercive": 1,
        "advisory": 3,
        "share": 0.25,
    }
    assert farvardin.provinces[tehran.pk].as_dict() == {
        "measures": 2,
        "coercive": 2,
        "advisory": 0,
        "share": 1.0,
    }
    assert (ordibehesht.total.measures, ordibehesht.total.coercive) == (2, 1)
    assert khordad.total.measures == 0 and khordad.total.share is None
    assert (share.total.measures, share.total.coercive) == (8, 4)
    assert [p.code for p in share.provinces] == ["qazvin", "tehran"]
    assert share.by_province[qazvin.pk].measures == 6


def test_a_province_only(history, qazvin, django_assert_num_queries):
    with django_assert_num_queries(3):
        share = coercive_share(first=(1404, 1), last=(1404, 2), provinces=[qazvin])
    assert (share.total.measures, share.total.coercive) == (6, 2)
    assert list(share.by_province) == [qazvin.pk]


def test_the_month_edges_are_local_midnight(history):
    # 23:00 on the last day of Esfand 1403 is not Farvardin; 00:00 on 1 Tir is not Khordad.
    share = coercive_share(first=(1403, 12), last=(1404, 4))
    assert share.months[0].total.coercive == 1
    assert share.months[-1].total.measures == 1


def test_the_query_count_does_not_grow_with_the_range(history, django_assert_num_queries):
    with django_assert_num_queries(4):
        coercive_share(first=(1400, 1), last=(1404, 12))


@pytest.mark.parametrize(("first", "last"), [((1404, 2), (1404, 1)), ((1398, 1), (1404, 1))])
def test_an_empty_or_too_long_range_is_refused(first, last):
    with pytest.raises(ValueError):
        coercive_share(first=first, last=last)


@pytest.mark.parametrize("text", ["1404-7", "1404-07", "۱۴۰۴-۰۷", " 1404-07 "])
def test_a_jalali_month_is_read(text):
    assert parse_month(text, "from") == (1404, 7)


@pytest.mark.parametrize("text", ["", "1404", "1404-13", "1404-00", "2025-01", "14040-1", "abc", "1404/07"])
def test_a_bad_month_is_refused_with_its_field(text):
    with pytest.raises(MonthError) as refused:
        parse_month(text, "to")
    assert refused.value.field == "to"


def test_the_default_range_is_the_last_twelve_jalali_months():
    first, last = default_range(month_bounds(1404, 3, jalali=True)[0])
    assert (first, last) == ((1403, 4), (1404, 3))
    assert len(months_between(first, last)) == 12


def test_a_committee_sanction_outside_the_ladder_counts_once_and_a_ladder_one_once(
    qazvin_unit, qazvin_officer
):
    """A suspension from the licence's page is a coercive measure; one a ladder step made is counted as the
    step only (the step links the committee's decision)."""
    from hami.licensing.models import Decision, DecisionKind, Licence

    unit = qazvin_unit
    licence = Licence.objects.create(
        number="QZ-1405-1", tracking_code="1234567890", unit=unit, standard=_standard(),
        province=unit.province, expires_on=dt.date(2030, 1, 1),
    )  # fmt: skip
    when = at(1405, 3, 5)
    outside = Decision.objects.create(
        kind=DecisionKind.SUSPEND, licence=licence, reason="x", decided_by=qazvin_officer
    )
    by_ladder = Decision.objects.create(
        kind=DecisionKind.SUSPEND, licence=licence, reason="y", decided_by=qazvin_officer
    )
    Decision.objects.filter(pk__in=[outside.pk, by_ladder.pk]).update(created_at=when)
    decision(unit, when, Step.SUSPENSION, previous=0, coercive=True, sanction=by_ladder)
    share = coercive_share(first=(1405, 3), last=(1405, 3))
    assert (share.total.measures, share.total.coercive) == (2, 2)
    assert share.by_province[unit.province_id].coercive == 2


def _standard():
    from hami.standards.models import Standard

    return Standard.objects.create(number="1234", year=1400, title_fa="استاندارد آزمایشی")
