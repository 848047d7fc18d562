"""Market surveillance cases: from failed market samples (the periodic run), from a bad mark seen on
sale, and their moves; who may do what; bad input writes nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from hami.core.errors import HamiError
from hami.core.models import AuditEvent, EventType, Notification, Role
from hami.labs.services.results import result_correct
from hami.labs.tests.steps import GOOD
from hami.registry.services import unit_membership_add
from hami.registry.tests.factories import ProductFactory
from hami.supervision.models import CaseState, MarketCase
from hami.supervision.services.cases import (
    _pick_licence,
    market_case_close,
    market_case_move,
    market_case_report_mark,
    market_cases_from_samples,
)
from hami.supervision.tests.cases.conftest import SHOP, lab_tested, make_licence, market_sample, unknown_code

pytestmark = pytest.mark.django_db


def saved_events():
    return AuditEvent.objects.filter(event_type=EventType.MARKET_CASE_SAVED)


# ---------------------------------------------------------------- failed market samples


def test_a_failed_market_sample_opens_one_case_against_the_licence_holder(
    qazvin_inspector, qazvin_officer, cheap_lab_user, product, milk_standard, milk_licence, qazvin_unit,
    unit_rep, django_capture_on_commit_callbacks,
):  # fmt: skip
    since = timezone.now() - dt.timedelta(days=1)
    sample = market_sample(qazvin_inspector, product, milk_standard)
    [report] = lab_tested(qazvin_officer, cheap_lab_user, [sample])
    assert report.conformity == "does_not_conform"
    with django_capture_on_commit_callbacks(execute=True):
        assert market_cases_from_samples(since=since) == 1
    case = MarketCase.objects.get()
    assert (case.kind, case.state, case.unit, case.licence, case.sample, case.report) == (
        "failed_sample", "open", qazvin_unit, milk_licence, sample, report,
    )  # fmt: skip
    assert (case.province, case.place, case.opened_by) == (qazvin_unit.province, SHOP, None)
    assert saved_events().filter(actor=None).count() == 1
    [notice] = Notification.objects.filter(user=unit_rep)
    assert str(case.public_id) in notice.link
    # A rerun, with or without a window, opens nothing more.
    assert market_cases_from_samples(since=since) == 0
    assert market_cases_from_samples() == 0
    assert MarketCase.objects.count() == 1 and saved_events().count() == 1


def test_factory_samples_passing_samples_and_old_reports_open_no_case(
    qazvin_inspector, qazvin_officer, cheap_lab_user, product, milk_standard
):
    factory = market_sample(qazvin_inspector, product, milk_standard, seal="SL-F", origin="factory")
    lab_tested(qazvin_officer, cheap_lab_user, [factory])
    passing = market_sample(qazvin_inspector, product, milk_standard, seal="SL-P")
    lab_tested(qazvin_officer, cheap_lab_user, [passing], results=GOOD)
    failing = market_sample(qazvin_inspector, product, milk_standard, seal="SL-X")
    lab_tested(qazvin_officer, cheap_lab_user, [failing])
    assert market_cases_from_samples(since=timezone.now() + dt.timedelta(minutes=1)) == 0
    assert market_cases_from_samples(since=timezone.now() - dt.timedelta(days=1)) == 1
    assert MarketCase.objects.get().sample == failing


def test_only_the_latest_version_of_a_report_counts(
    qazvin_inspector, qazvin_officer, cheap_lab_user, product, milk_standard
):
    sample = market_sample(qazvin_inspector, product, milk_standard)
    [report] = lab_tested(qazvin_officer, cheap_lab_user, [sample])
    item = report.order.items.get(requirement__clause="5.2")
    # The lab corrects a typo: the amended report passes, so there is no case.
    result_correct(
        actor=cheap_lab_user, item=item, value="0.01", unit="mg/kg", uncertainty="0.002", reason="خطای تایپی"
    )
    assert market_cases_from_samples() == 0
    # Corrected again, failing: the case rests on the latest version.
    latest = result_correct(
        actor=cheap_lab_user, item=item, value="0.06", unit="mg/kg", uncertainty="0.002", reason="تکرار آزمون"
    )
    assert market_cases_from_samples() == 1
    assert MarketCase.objects.get().report == latest


def test_a_sample_of_an_unlicensed_product_opens_a_case_with_no_licence(
    qazvin_inspector, qazvin_officer, cheap_lab_user, product, milk_standard, qazvin_unit
):
    sample = market_sample(qazvin_inspector, product, milk_standard)
    lab_tested(qazvin_officer, cheap_lab_user, [sample])
    assert market_cases_from_samples() == 1
    case = MarketCase.objects.get()
    assert case.unit == qazvin_unit and case.licence is None


def test_the_run_takes_a_fixed_number_of_queries(
    qazvin_inspector, qazvin_officer, cheap_lab_user, product, milk_standard, milk_licence,
    django_assert_max_num_queries,
):  # fmt: skip
    first = market_sample(qazvin_inspector, product, milk_standard, seal="SL-1")
    lab_tested(qazvin_officer, cheap_lab_user, [first])
    with CaptureQueriesContext(connection) as one:
        assert market_cases_from_samples() == 1
    more = [market_sample(qazvin_inspector, product, milk_standard, seal=f"SL-{n}") for n in range(2, 6)]
    lab_tested(qazvin_officer, cheap_lab_user, more)
    with CaptureQueriesContext(connection) as four, django_assert_max_num_queries(12):
        assert market_cases_from_samples() == 4
    assert len(four) == len(one)  # no query per sample
    with django_assert_max_num_queries(3):  # the look-up, inside its savepoint
        assert market_cases_from_samples() == 0


def test_the_licence_of_the_samples_product_is_preferred_then_an_active_one():
    now = timezone.now()
    suspended_of_product = {"pk": 1, "current__product_id": 7, "state": "suspended", "created_at": now}
    active_other = {"pk": 2, "current__product_id": 8, "state": "active", "created_at": now}
    old_other = {"pk": 3, "current__product_id": 9, "state": "expired", "created_at": now}
    assert _pick_licence([active_other, suspended_of_product, old_other], 7) == 1
    assert _pick_licence([old_other, active_other], 7) == 2
    assert _pick_licence([], 7) is None


# ---------------------------------------------------------------- a bad mark seen on sale


def report(actor, code, **extra):
    data = {"place": SHOP, "product_description": "شیر پرچرب ۱ لیتری کیمیا", **extra}
    return market_case_report_mark(actor=actor, tracking_code=code, **data)


def test_an_unknown_code_opens_a_case_against_the_producer_named(qazvin_inspector, qazvin):
    case = report(qazvin_inspector, unknown_code(), producer_name="لبنیات کیمیا")
    assert (case.kind, case.mark_status, case.unit, case.licence) == ("invalid_mark", "unknown", None, None)
    assert (case.province, case.producer_name, case.opened_by) == (qazvin, "لبنیات کیمیا", qazvin_inspector)
    assert saved_events().get().actor == qazvin_inspector


def test_an_unknown_code_names_the_unit_chosen_and_tells_it(
    qazvin_inspector, tehran_officer, tehran_unit, qazvin, django_capture_on_commit_callbacks
):
    rep = make_user("tehran-rep", Role.UNIT_REP)
    unit_membership_add(actor=tehran_officer, unit=tehran_unit, user=rep)
    with django_capture_on_commit_callbacks(execute=True):
        case = report(qazvin_inspector, unknown_code(), unit=tehran_unit)
    # Found on sale in Qazvin: Qazvin's office takes the case against the Tehran producer.
    assert (case.unit, case.province, case.mark_status) == (tehran_unit, qazvin, "unknown")
    [notice] = Notification.objects.filter(user=rep)
    assert str(case.public_id) in notice.link


@pytest.mark.parametrize(
    ("state", "expires_in_days", "status"),
    [("expired", -30, "expired"), ("revoked", 200, "revoked"), ("suspended", 200, "suspended"),
     ("active", -1, "expired")],
)  # fmt: skip
def test_a_code_of_a_licence_not_in_force_opens_a_case_against_its_holder(
    qazvin_inspector, qazvin_unit, milk_standard, tehran_unit, unit_rep, state, expires_in_days, status,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    licence = make_licence(qazvin_unit, milk_standard, state=state, expires_in_days=expires_in_days)
    with django_capture_on_commit_callbacks(execute=True):
        # Persian digits and spaces, as typed from a label; the unit the inspector guessed is overruled.
        typed = " ".join(licence.tracking_code[i : i + 5] for i in (0, 5)).translate(
            str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
        )
        case = report(qazvin_inspector, typed, unit=tehran_unit)
    assert (case.mark_status, case.unit, case.licence) == (status, qazvin_unit, licence)
    assert case.tracking_code == licence.tracking_code
    assert Notification.objects.filter(user=unit_rep, link__contains=str(case.public_id)).count() == 1


def test_a_valid_mark_is_refused_and_nothing_is_written(qazvin_inspector, milk_licence):
    with pytest.raises(HamiError) as caught:
        report(qazvin_inspector, milk_licence.tracking_code, producer_name="x")
    assert caught.value.code == "mark_valid" and caught.value.field == "tracking_code"
    assert milk_licence.number in caught.value.message
    assert not MarketCase.objects.exists() and not saved_events().exists()


def test_a_malformed_code_is_refused_unless_printed_so(qazvin_inspector):
    good = unknown_code()
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)  # the check digit catches one wrong digit
    with pytest.raises(HamiError) as caught:
        report(qazvin_inspector, typo, producer_name="تولیدی نامعلوم")
    assert caught.value.code == "tracking_code_malformed" and caught.value.field == "tracking_code"
    assert not MarketCase.objects.exists()
    case = report(qazvin_inspector, "12-34", producer_name="تولیدی نامعلوم", as_printed=True)
    assert (case.mark_status, case.tracking_code) == ("unknown", "1234")


@pytest.mark.parametrize(
    ("change", "field"),
    [({"tracking_code": "  "}, "tracking_code"), ({"place": " "}, "place"),
     ({"product_description": ""}, "product_description"), ({"producer_name": ""}, "producer_name"),
     ({"place": "x" * 301}, "place")],
)  # fmt: skip
def test_a_report_with_a_missing_piece_says_which_and_writes_nothing(qazvin_inspector, change, field):
    data = {"tracking_code": unknown_code(), "producer_name": "لبنیات کیمیا", **change}
    code = data.pop("tracking_code")
    with pytest.raises(HamiError) as caught:
        report(qazvin_inspector, code, **data)
    assert (caught.value.code, caught.value.field) == ("invalid", field)
    assert not MarketCase.objects.exists()


def test_the_same_report_twice_is_one_case(qazvin_inspector):
    code = unknown_code()
    first = report(qazvin_inspector, code, producer_name="لبنیات کیمیا")
    assert report(qazvin_inspector, code, producer_name="لبنیات کیمیا") == first
    assert MarketCase.objects.count() == 1 and saved_events().count() == 1


def test_only_inspectors_office_and_national_admins_report_marks(
    unit_rep, lab_user, outsider, admin_user, qazvin_officer, tehran_unit
):
    for actor in (unit_rep, lab_user, outsider):
        with pytest.raises(HamiError) as caught:
            report(actor, unknown_code(), producer_name="x")
        assert caught.value.code == "forbidden"
    assert report(qazvin_officer, unknown_code(), producer_name="x").province.code == "qazvin"
    # A national admin has no province: the unit's office takes the case.
    with pytest.raises(HamiError) as caught:
        report(admin_user, unknown_code(), producer_name="x")
    assert caught.value.field == "unit"
    assert report(admin_user, unknown_code(), unit=tehran_unit).province == tehran_unit.province


# ---------------------------------------------------------------- moves


@pytest.fixture
def case(qazvin_inspector, milk_licence):
    milk_licence.state = "revoked"
    milk_licence.save(update_fields=["state"])
    return report(qazvin_inspector, milk_licence.tracking_code)


def test_a_case_is_investigated_then_closed_and_the_unit_told(
    case, qazvin_inspector, qazvin_officer, unit_rep, django_capture_on_commit_callbacks
):
    market_case_move(actor=qazvin_inspector, case=case, state="investigating")
    with pytest.raises(HamiError) as caught:
        market_case_move(actor=qazvin_inspector, case=case, state="investigating")
    assert caught.value.code == "wrong_state"
    with django_capture_on_commit_callbacks(execute=True):
        market_case_close(actor=qazvin_officer, case=case, outcome="withdrawn", note="۳۰۰ بسته جمع‌آوری شد")
    case.refresh_from_db()
    assert (case.state, case.outcome, case.closed_by) == ("closed", "withdrawn", qazvin_officer)
    assert case.closed_at is not None and case.outcome_note == "300 بسته جمع‌آوری شد"
    closing = saved_events().order_by("-seq").first()
    assert closing.details["coercive"] is True and closing.details["from"] == "investigating"
    [notice] = Notification.objects.filter(user=unit_rep)  # the opening's was sent by the fixture's commit
    assert str(case.public_id) in notice.link and "300 بسته" in notice.body
    with pytest.raises(HamiError) as caught:
        market_case_close(actor=qazvin_officer, case=case, outcome="corrected", note="x")
    assert caught.value.code == "wrong_state"


def test_an_open_case_may_be_closed_directly_as_not_confirmed(case, qazvin_officer):
    market_case_close(actor=qazvin_officer, case=case, outcome="unfounded", note="برچسب قدیمی بود")
    case.refresh_from_db()
    assert case.state == "closed" and case.outcome == "unfounded"
    assert saved_events().order_by("-seq").first().details["coercive"] is False


def test_only_the_provinces_office_closes_and_its_people_move(
    case, qazvin_inspector, tehran_officer, tehran_inspector, unit_rep
):
    for actor in (tehran_officer, tehran_inspector, unit_rep):
        with pytest.raises(HamiError) as caught:
            market_case_move(actor=actor, case=case, state="investigating")
        assert caught.value.code == "forbidden"
    for actor in (qazvin_inspector, tehran_officer, unit_rep):
        with pytest.raises(HamiError) as caught:
            market_case_close(actor=actor, case=case, outcome="corrected", note="x")
        assert caught.value.code == "forbidden"
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


@pytest.mark.parametrize(
    ("outcome", "note", "field"),
    [("seized", "x", "outcome"), ("", "x", "outcome"), ("corrected", "  ", "note"),
     ("corrected", "x" * 4001, "note")],
)  # fmt: skip
def test_closing_needs_a_known_outcome_and_a_note(case, qazvin_officer, outcome, note, field):
    with pytest.raises(HamiError) as caught:
        market_case_close(actor=qazvin_officer, case=case, outcome=outcome, note=note)
    assert caught.value.field == field
    case.refresh_from_db()
    assert case.state == "open" and case.outcome == ""


def test_a_move_to_an_unknown_or_backward_state_is_refused(case, qazvin_inspector):
    for state in ("closed", "open", "nonsense"):
        with pytest.raises(HamiError):
            market_case_move(actor=qazvin_inspector, case=case, state=state)
    case.refresh_from_db()
    assert case.state == "open"


def test_cases_of_another_unit_product_do_not_mix(qazvin_inspector, qazvin_officer, cheap_lab_user, product,
                                                   milk_standard, qazvin_unit):  # fmt: skip
    other = ProductFactory(unit=qazvin_unit, category=product.category, name="شیر کم‌چرب")
    samples = [
        market_sample(qazvin_inspector, product, milk_standard, seal="SL-A"),
        market_sample(qazvin_inspector, other, milk_standard, seal="SL-B"),
    ]
    lab_tested(qazvin_officer, cheap_lab_user, samples)
    assert market_cases_from_samples() == 2
    assert sorted(MarketCase.objects.values_list("product_description", flat=True)) == sorted(
        ["شیر پرچرب", "شیر کم‌چرب"]
    )
