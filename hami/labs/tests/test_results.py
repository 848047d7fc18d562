"""Results and reports (point 6): each result with value, unit, expanded uncertainty and method, judged
by the standard's decision rule; results outside physical sense refused with their reason; a file of
results all or none, harmless when sent twice; the report issued once, immutable, corrected only by an
amended report with its reason; the PDF in Persian and English."""

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation
from openpyxl import Workbook
from pypdf import PdfReader

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType
from hami.labs.models import OrderState, Sample, ScopeLine, TestItem, TestReport
from hami.labs.report_pdf import render_report
from hami.labs.services.orders import order_accept
from hami.labs.services.results import report_issue, result_correct, result_report, results_import
from hami.labs.tests.conftest import make_lab
from hami.labs.tests.steps import BAD_LEAD, GOOD, place, report_all, staff_of
from hami.standards.models import LimitKind
from hami.standards.tests.factories import RequirementFactory

pytestmark = pytest.mark.django_db

PERSIAN = re.compile("[\u0600-\u06ff]")
CSV_HEADER = "clause,value,unit,uncertainty,method,outcome\n"
GOOD_CSV = CSV_HEADER + "5.1,3.4,%,0.1,INSO 384,\n5.2,10,µg/kg,2,INSO 9266,\n6.1,,,,بازرسی چشمی,pass\n"


@pytest.fixture
def order(qazvin_officer, sample, cheap_lab, cheap_lab_user):
    [order] = place(qazvin_officer)
    return order_accept(actor=cheap_lab_user, order=order)


@pytest.fixture
def items(order, requirements) -> dict[str, TestItem]:
    return {r.clause: order.items.get(requirement=r) for r in requirements}


def _reported() -> list:
    return list(TestItem.objects.exclude(reported_at=None).values_list("requirement__clause", flat=True))


def _csv(text: str, name: str = "results.csv"):
    file = io.BytesIO(text.encode())
    file.name = name
    return file


def _pdf(report, language) -> PdfReader:
    return PdfReader(io.BytesIO(render_report(report, language)))


# --- one result at a time ----------------------------------------------------------------------------


def test_a_result_is_stored_in_the_requirements_unit_with_its_verdict(items, cheap_lab_user):
    result_report(actor=cheap_lab_user, item=items["5.2"], value="۱۵", unit="µg/kg", uncertainty="۲٫۵",
                  method=" INSO  9266 ")  # fmt: skip
    item = TestItem.objects.get(pk=items["5.2"].pk)
    assert (item.value, item.uncertainty, item.unit) == (Decimal("0.015"), Decimal("0.0025"), "mg/kg")
    assert (item.method, item.verdict, item.reported_by) == ("INSO 9266", "pass", cheap_lab_user)
    event = AuditEvent.objects.get(event_type=EventType.RESULT_REPORTED)
    assert event.details["value"] == "0.0150" or Decimal(event.details["value"]) == Decimal("0.015")


def test_a_result_without_its_method_takes_the_method_of_the_labs_scope(items, cheap_lab_user):
    result_report(actor=cheap_lab_user, item=items["6.1"], outcome="pass")
    result_report(actor=cheap_lab_user, item=items["6.1"], outcome="pass", method="INSO 366")  # the same
    assert TestItem.objects.get(pk=items["6.1"].pk).method == "INSO 366"
    assert AuditEvent.objects.filter(event_type=EventType.RESULT_REPORTED).count() == 1


def test_the_same_result_twice_is_recorded_once_and_a_new_one_replaces_it(items, cheap_lab_user):
    for _ in range(2):
        result_report(actor=cheap_lab_user, item=items["5.1"], value="3.4", unit="%", uncertainty="0.1")
    assert AuditEvent.objects.filter(event_type=EventType.RESULT_REPORTED).count() == 1
    result_report(actor=cheap_lab_user, item=items["5.1"], value="2.5", unit="%", uncertainty="0.1")
    item = TestItem.objects.get(pk=items["5.1"].pk)
    assert (item.value, item.verdict) == (Decimal("2.5"), "fail")
    assert AuditEvent.objects.filter(event_type=EventType.RESULT_REPORTED).count() == 2


@pytest.mark.parametrize(
    ("clause", "result", "code", "field"),
    [
        ("5.2", {"value": "-0.01", "unit": "mg/kg", "uncertainty": "0.001"}, "negative_value", "value"),
        ("5.2", {"value": "0.01", "unit": "mg/kg", "uncertainty": "0.02"}, "uncertainty_exceeds_value",
         "uncertainty"),
        ("5.2", {"value": "0.01", "unit": "mg/kg", "uncertainty": "-0.001"}, "negative_uncertainty",
         "uncertainty"),
        ("5.2", {"value": "0.01", "unit": "furlong/kg", "uncertainty": "0.001"}, "unknown_unit", "unit"),
        ("5.2", {"value": "0.01", "unit": "cm", "uncertainty": "0.001"}, "incompatible_units", "unit"),
        ("5.2", {"value": "0.05", "unit": "µg/kg", "uncertainty": "0.01"}, "too_many_digits", "value"),
        ("5.2", {"value": "abc", "unit": "mg/kg"}, "not_a_number", "value"),
        ("5.2", {"value": "NaN", "unit": "mg/kg"}, "not_a_number", "value"),
        ("5.2", {"value": "Infinity", "unit": "mg/kg"}, "not_a_number", "value"),
        ("5.2", {"value": "", "unit": "mg/kg"}, "missing_value", "value"),
        ("5.2", {"value": "99999999999", "unit": "mg/kg"}, "too_many_digits", "value"),
        ("5.2", {"value": "0.01", "unit": "mg/kg", "outcome": "pass"}, "bad_result", "outcome"),
        ("6.1", {"value": "1"}, "bad_result", "value"),
        ("6.1", {"outcome": "maybe"}, "invalid_outcome", "outcome"),
        ("6.1", {"outcome": ""}, "missing_outcome", "outcome"),
    ],
)  # fmt: skip
def test_a_result_outside_physical_sense_is_refused_with_its_reason(
    items, cheap_lab_user, clause, result, code, field
):
    with pytest.raises(HamiError) as caught:
        result_report(actor=cheap_lab_user, item=items[clause], **result)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert PERSIAN.search(caught.value.message), "the message is in Persian, the default language"
    assert not _reported()


def test_a_refusal_is_in_english_for_an_english_reader(items, cheap_lab_user, in_english):
    with pytest.raises(HamiError) as caught:
        result_report(actor=cheap_lab_user, item=items["5.2"], value="-1", unit="mg/kg", uncertainty="0.1")
    assert "cannot be negative" in caught.value.message


def test_the_method_may_allow_an_uncertainty_larger_than_the_value(items, cheap_lab, cheap_lab_user):
    ScopeLine.objects.filter(lab=cheap_lab, requirement=items["5.2"].requirement).update(
        uncertainty_may_exceed_value=True
    )
    result_report(actor=cheap_lab_user, item=items["5.2"], value="0.001", unit="mg/kg", uncertainty="0.004")
    assert TestItem.objects.get(pk=items["5.2"].pk).verdict == "pass"


def test_guarded_acceptance_needs_the_uncertainty_and_gives_conditional_verdicts(
    items, cheap_lab_user, milk_standard
):
    milk_standard.decision_rule = "guarded"
    milk_standard.save()
    with pytest.raises(HamiError) as caught:
        result_report(actor=cheap_lab_user, item=items["5.1"], value="3.4", unit="%")
    assert (caught.value.code, caught.value.field) == ("missing_uncertainty", "uncertainty")
    result_report(actor=cheap_lab_user, item=items["5.1"], value="3.05", unit="%", uncertainty="0.1")
    result_report(actor=cheap_lab_user, item=items["5.2"], value="0.021", unit="mg/kg", uncertainty="0.002")
    result_report(actor=cheap_lab_user, item=items["6.1"], outcome="PASS")
    verdicts = dict(TestItem.objects.values_list("requirement__clause", "verdict"))
    assert verdicts == {"5.1": "conditional_pass", "5.2": "conditional_fail", "6.1": "pass"}
    report = report_issue(actor=cheap_lab_user, order=items["5.1"].order)
    assert (report.verdict, report.conformity) == ("conditional_fail", "does_not_conform")
    assert report.content["deciding"] == ["5.2"] and report.content["decision_rule"] == "guarded"


@pytest.mark.parametrize(
    ("results", "conformity", "lot_accepted"),
    [(GOOD, "conforms", True), (BAD_LEAD, "does_not_conform", False),
     ({**GOOD, "6.1": "fail"}, "minor_nonconformities", False)],
)  # fmt: skip
def test_the_overall_verdict_decides_the_sample(
    qazvin_officer, sample, cheap_lab, cheap_lab_user, results, conformity, lot_accepted
):
    [order] = place(qazvin_officer)
    report = report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order, results))
    sample.refresh_from_db()
    assert report.conformity == sample.conformity == conformity
    assert sample.lot_accepted is lot_accepted and sample.decided_at is not None
    assert AuditEvent.objects.filter(event_type=EventType.SAMPLE_DECIDED, object_id=str(sample.pk)).exists()


def test_results_wait_for_the_order_to_be_accepted_and_stop_at_the_report(
    qazvin_officer, sample, cheap_lab, cheap_lab_user, requirements
):
    [order] = place(qazvin_officer)
    label = order.items.get(requirement=requirements[2])
    with pytest.raises(HamiError) as caught:
        result_report(actor=cheap_lab_user, item=label, outcome="pass")
    assert caught.value.code == "wrong_state"
    report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order))
    with pytest.raises(HamiError) as caught:
        result_report(actor=cheap_lab_user, item=label, outcome="fail")
    assert caught.value.code == "already_reported"
    assert TestItem.objects.get(pk=label.pk).outcome == "pass"


def test_only_the_labs_staff_report_its_results(items, qazvin_officer, unit_rep, dear_lab, lab_user):
    for actor in (qazvin_officer, unit_rep, lab_user, staff_of(dear_lab, "dear-staff")):
        with pytest.raises(Forbidden):
            result_report(actor=actor, item=items["6.1"], outcome="pass")
        with pytest.raises(Forbidden):
            results_import(actor=actor, order=items["6.1"].order, file=_csv(GOOD_CSV))
    assert not _reported()


# --- a file of results --------------------------------------------------------------------------------


def test_a_file_of_results_is_written_whole_and_sending_it_again_changes_nothing(order, cheap_lab_user):
    result = results_import(actor=cheap_lab_user, order=order, file=_csv(GOOD_CSV))
    assert result.ok and (result.rows, result.created) == (3, 3)
    events = AuditEvent.objects.filter(event_type=EventType.RESULT_REPORTED).count()
    again = results_import(actor=cheap_lab_user, order=order, file=_csv(GOOD_CSV))
    assert again.ok and (again.rows, again.created) == (3, 0)
    assert AuditEvent.objects.filter(event_type=EventType.RESULT_REPORTED).count() == events == 3
    verdicts = dict(TestItem.objects.values_list("requirement__clause", "verdict"))
    assert verdicts == {"5.1": "pass", "5.2": "pass", "6.1": "pass"}
    assert TestItem.objects.get(requirement__clause="6.1").method == "بازرسی چشمی"


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        (CSV_HEADER + "5.1,3.4,%,0.1,,\n5.2,-10,µg/kg,2,,\n6.1,,,,,pass\n", 3, "value"),
        (CSV_HEADER + "5.1,3.4,%,0.1,,\n5.2,10,parsec,2,,\n", 3, "unit"),
        (CSV_HEADER + "5.1,3.4,%,0.1,,\n9.9,1,%,,,\n", 3, "clause"),
        (CSV_HEADER + "5.1,3.4,%,0.1,,\n5.1,3.5,%,0.1,,\n", 3, "clause"),
        (CSV_HEADER + "5.1,3.4,%,0.1,,\n6.1,,,,,perhaps\n", 3, "outcome"),
        (CSV_HEADER + "5.1,3.4,%,0.1,,pass\n", 2, "outcome"),
        (CSV_HEADER + "5.1,3.4,%,0.1,,\n5.2,0.01,mg/kg,0.5,,\n", 3, "uncertainty"),
    ],
)  # fmt: skip
def test_one_bad_row_and_nothing_of_the_file_is_written(order, cheap_lab_user, text, row, column):
    result = results_import(actor=cheap_lab_user, order=order, file=_csv(text))
    assert not result.ok and result.created == 0
    assert [(e.row, e.column) for e in result.errors] == [(row, column)]
    assert PERSIAN.search(result.errors[0].message)
    assert not _reported() and not AuditEvent.objects.filter(event_type=EventType.RESULT_REPORTED).exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "r.csv"), (CSV_HEADER.encode(), "r.csv"), (b"value,unit\n1,%\n", "r.csv"),
     (b"clause,value\n5.1,\xff\xfe\n", "r.csv"), (b"%PDF-1.7", "r.pdf"), (b"PK\x03\x04garbage", "r.xlsx")],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_a_clear_error(order, cheap_lab_user, content, name):
    file = io.BytesIO(content)
    result = results_import(actor=cheap_lab_user, order=order, file=file, filename=name)
    assert not result.ok and result.errors[0].message and result.created == 0
    assert not _reported()


def test_results_come_from_an_xlsx_file_too(order, cheap_lab_user):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["clause", "value", "unit", "uncertainty", "method", "outcome"])
    sheet.append(["5.1", 3.4, "%", 0.1, "INSO 384", None])
    sheet.append(["5.2", "0.05", "mg/kg", "0.002", "INSO 9266", None])
    sheet.append(["6.1", None, None, None, None, "fail"])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    result = results_import(actor=cheap_lab_user, order=order, file=out, filename="results.xlsx")
    assert result.ok and result.created == 3
    assert dict(TestItem.objects.values_list("requirement__clause", "verdict")) == {
        "5.1": "pass", "5.2": "fail", "6.1": "fail",
    }  # fmt: skip


def test_a_file_after_the_report_is_refused(order, cheap_lab_user):
    results_import(actor=cheap_lab_user, order=order, file=_csv(GOOD_CSV))
    report_issue(actor=cheap_lab_user, order=order)
    with pytest.raises(HamiError) as caught:
        results_import(actor=cheap_lab_user, order=order, file=_csv(GOOD_CSV.replace("3.4", "2.0")))
    assert caught.value.code == "already_reported"
    assert TestItem.objects.get(requirement__clause="5.1").value == Decimal("3.4")


# --- the report ----------------------------------------------------------------------------------------


def test_the_report_waits_for_every_result(items, cheap_lab_user):
    result_report(actor=cheap_lab_user, item=items["6.1"], outcome="pass")
    with pytest.raises(HamiError) as caught:
        report_issue(actor=cheap_lab_user, order=items["6.1"].order)
    assert (
        caught.value.code == "wrong_state" and "5.1" in caught.value.message and "5.2" in caught.value.message
    )
    assert not TestReport.objects.exists()


def test_issuing_twice_issues_one_report_which_never_changes(order, cheap_lab_user, qazvin_officer):
    report_all(cheap_lab_user, order)
    first = report_issue(actor=cheap_lab_user, order=order)
    second = report_issue(actor=cheap_lab_user, order=order)
    assert first == second and TestReport.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.REPORT_ISSUED).count() == 1
    assert first.number == f"{order.number}-R1" and first.version == 1 and first.amends is None
    assert TestOrder_state(order) == OrderState.REPORTED
    first.reason = "edited"
    with pytest.raises(ValueError, match="never changed"):
        first.save()
    with pytest.raises(Forbidden):
        report_issue(actor=qazvin_officer, order=order)


def TestOrder_state(order) -> str:
    order.refresh_from_db()
    return order.state


def test_a_correction_is_a_new_amended_report_with_its_reason(order, cheap_lab_user, items):
    report_all(cheap_lab_user, order, BAD_LEAD)
    first = report_issue(actor=cheap_lab_user, order=order)
    with pytest.raises(HamiError) as caught:
        result_correct(actor=cheap_lab_user, item=items["5.2"], reason=" ", value="0.01", unit="mg/kg",
                       uncertainty="0.002")  # fmt: skip
    assert caught.value.field == "reason"
    with pytest.raises(HamiError) as caught:  # the same result is no correction
        result_correct(actor=cheap_lab_user, item=items["5.2"], reason="بازبینی", value="50", unit="µg/kg",
                       uncertainty="2")  # fmt: skip
    assert caught.value.code == "invalid"
    second = result_correct(actor=cheap_lab_user, item=items["5.2"], reason="خطای تایپی", value="0.01",
                            unit="mg/kg", uncertainty="0.002")  # fmt: skip
    third = result_correct(
        actor=cheap_lab_user, item=items["6.1"], reason="برچسب دوباره دیده شد", outcome="fail"
    )
    assert [(r.version, r.amends_id, r.reason) for r in TestReport.objects.order_by("version")] == [
        (1, None, ""), (2, first.pk, "خطای تایپی"), (3, second.pk, "برچسب دوباره دیده شد"),
    ]  # fmt: skip
    assert (first.conformity, second.conformity, third.conformity) == (
        "does_not_conform", "conforms", "minor_nonconformities",
    )  # fmt: skip
    first.refresh_from_db()
    assert first.content["items"][1]["value"] == "0.05" and first.content["amends"] is None
    assert third.content["amends"] == second.number and third.number == f"{order.number}-R3"
    assert report_issue(actor=cheap_lab_user, order=order) == third  # the latest, never a new one
    assert AuditEvent.objects.filter(event_type=EventType.REPORT_AMENDED).count() == 2
    sample = Sample.objects.get()
    assert sample.conformity == "minor_nonconformities"


def test_a_correction_needs_an_issued_report(items, cheap_lab_user):
    with pytest.raises(HamiError) as caught:
        result_correct(actor=cheap_lab_user, item=items["6.1"], reason="x", outcome="pass")
    assert caught.value.code == "wrong_state"
    assert not TestReport.objects.exists()


def test_a_sample_split_between_two_labs_is_decided_by_both_reports(
    qazvin_officer, sample, qazvin_county, requirements
):
    first = make_lab(qazvin_county, "شیمی", requirements=requirements[:2])
    second = make_lab(qazvin_county, "برچسب", requirements=requirements[2:])
    orders = {order.lab: order for order in place(qazvin_officer)}
    report_issue(actor=(a := staff_of(first, "a")), order=report_all(a, orders[first]))
    sample.refresh_from_db()
    assert sample.decided_at is None and sample.conformity == ""
    report_issue(actor=(b := staff_of(second, "b")), order=report_all(b, orders[second], {"6.1": "fail"}))
    sample.refresh_from_db()
    assert sample.conformity == "minor_nonconformities" and sample.decided_at is not None


def test_a_sample_is_not_decided_while_one_of_its_tests_has_no_lab(
    qazvin_officer, sample, cheap_lab, cheap_lab_user, milk_standard, qazvin_county
):
    aflatoxin = RequirementFactory(
        standard=milk_standard,
        clause="7.1",
        title_fa="آفلاتوکسین",
        limit_kind=LimitKind.MAX,
        low=None,
        high=Decimal("5"),
        unit="µg/kg",
    )
    [order] = place(qazvin_officer)  # the batch is infeasible: 7.1 has no lab yet
    report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order))
    sample.refresh_from_db()
    assert sample.decided_at is None and sample.lot_accepted is None
    toxin_lab = make_lab(qazvin_county, "سم‌شناسی", requirements=[aflatoxin])
    [late] = place(qazvin_officer)
    assert late.lab == toxin_lab
    report_issue(
        actor=(staff := staff_of(toxin_lab, "toxin")),
        order=report_all(staff, late, {"7.1": ("9", "µg/kg", "1")}),
    )
    sample.refresh_from_db()
    assert sample.conformity == "does_not_conform" and sample.lot_accepted is False


# --- the PDF ------------------------------------------------------------------------------------------


def test_the_report_pdf_in_both_languages_carries_its_number(order, cheap_lab_user):
    report = report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order, BAD_LEAD))
    for language in ("fa", "en"):
        pdf = _pdf(report, language)
        assert pdf.metadata["/Keywords"] == report.number
        assert len(pdf.pages) >= 1
    english = _pdf(report, "en")
    text = english.pages[0].extract_text()
    assert "Test report" in text and report.number in text and order.sample.code in text
    assert "Fail" in text and "0.05" in text
    assert "INSO 366" in text  # sent without a method: the method of the lab's accredited scope
    assert report.number in english.metadata["/Title"]
    persian = _pdf(report, "fa")
    persian_number = report.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert persian_number in persian.metadata["/Title"] or report.number in persian.metadata["/Title"]
    assert PERSIAN.search(persian.metadata["/Title"])


def test_the_pdf_is_drawn_from_the_frozen_report(order, cheap_lab_user, cheap_lab, items):
    report = report_issue(actor=cheap_lab_user, order=report_all(cheap_lab_user, order))
    cheap_lab.name_en, cheap_lab.accreditation_number = "Renamed Lab", "CHANGED-99"
    cheap_lab.save()
    text = _pdf(TestReport.objects.get(pk=report.pk), "en").pages[0].extract_text()
    assert "CHANGED-99" not in text and "NACI-1" in text


def test_the_amended_pdf_names_the_report_it_amends(order, cheap_lab_user, items):
    report_all(cheap_lab_user, order, BAD_LEAD)
    first = report_issue(actor=cheap_lab_user, order=order)
    amended = result_correct(actor=cheap_lab_user, item=items["5.2"], reason="typo in the lead value",
                             value="0.01", unit="mg/kg", uncertainty="0.002")  # fmt: skip
    pdf = _pdf(amended, "en")
    text = pdf.pages[0].extract_text()
    assert pdf.metadata["/Keywords"] == amended.number
    assert "Amends report" in text and first.number in text and "typo in the lead value" in text
    with translation.override("fa"):
        assert _pdf(amended, "fa").metadata["/Keywords"] == amended.number


# --- two clicks at once (PostgreSQL row locks) -------------------------------------------------------------


def _world_for_threads(request):
    from hami.core.divisions import load_divisions
    from hami.core.models import County, Province

    load_divisions(Province, County)
    officer = request.getfixturevalue("qazvin_officer")
    request.getfixturevalue("sample")
    request.getfixturevalue("cheap_lab")
    lab_user = request.getfixturevalue("cheap_lab_user")
    [order] = place(officer)
    return order, lab_user


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_clicks_on_issue_at_once_make_one_report(request):
    from hami.labs.tests.steps import at_once

    order, lab_user = _world_for_threads(request)
    report_all(lab_user, order)
    outcomes = at_once(*(lambda: report_issue(actor=lab_user, order=order) for _ in range(2)))
    assert TestReport.objects.count() == 1 and outcomes[0] == outcomes[1] == TestReport.objects.get()
    assert AuditEvent.objects.filter(event_type=EventType.REPORT_ISSUED).count() == 1
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_the_same_file_sent_twice_at_once_is_written_once(request):
    from hami.labs.tests.steps import at_once

    order, lab_user = _world_for_threads(request)
    order_accept(actor=lab_user, order=order)
    outcomes = at_once(
        *(lambda: results_import(actor=lab_user, order=order, file=_csv(GOOD_CSV)) for _ in range(2))
    )
    assert sorted(result.created for result in outcomes) == [0, 3] and all(result.ok for result in outcomes)
    assert AuditEvent.objects.filter(event_type=EventType.RESULT_REPORTED).count() == 3
