"""Complaints: triage of public complaints (also those with an unknown tracking code), office filing,
investigation with a visit, and the outcome; who may do what; bad input writes nothing."""

import pytest

from hami.core.errors import HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.licensing.models import Complaint
from hami.supervision.models import ComplaintCase
from hami.supervision.services.cases import (
    complaint_close,
    complaint_file_by_office,
    complaint_investigate,
    complaint_triage,
)
from hami.supervision.tests.cases.conftest import COMPLAINT_TEXT, CONTACT, make_licence
from hami.supervision.tests.factories import InspectionFactory

pytestmark = pytest.mark.django_db


def triaged_events():
    return AuditEvent.objects.filter(event_type=EventType.COMPLAINT_TRIAGED)


# ---------------------------------------------------------------- triage


def test_the_office_triages_a_public_complaint_onto_its_licence(
    public_complaint, milk_licence, qazvin_unit, qazvin_officer, qazvin_inspector,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        case = complaint_triage(
            actor=qazvin_officer, complaint=public_complaint, priority="urgent", assigned_to=qazvin_inspector
        )
    assert (case.channel, case.state, case.priority) == ("public", "received", "urgent")
    assert (case.unit, case.licence, case.province) == (qazvin_unit, milk_licence, qazvin_unit.province)
    assert (case.triaged_by, case.assigned_to) == (qazvin_officer, qazvin_inspector)
    event = triaged_events().get()
    assert event.actor == qazvin_officer and event.details["step"] == "triaged"
    assert CONTACT not in str(event.details)  # the complainant's contact stays out of the trail
    [notice] = Notification.objects.filter(user=qazvin_inspector)
    assert str(public_complaint.public_id) in notice.link


def test_a_complaint_is_triaged_once(complaint_case, public_complaint, qazvin_officer):
    with pytest.raises(HamiError) as caught:
        complaint_triage(actor=qazvin_officer, complaint=public_complaint, priority="low")
    assert caught.value.code == "already_triaged"
    assert ComplaintCase.objects.count() == 1 and triaged_events().count() == 1


def test_only_the_office_of_the_province_triages(
    public_complaint, tehran_officer, qazvin_inspector, unit_rep, lab_user, outsider
):
    for actor in (tehran_officer, qazvin_inspector, unit_rep, lab_user, outsider):
        with pytest.raises(HamiError) as caught:
            complaint_triage(actor=actor, complaint=public_complaint, priority="normal")
        assert caught.value.code == "forbidden"
    assert not ComplaintCase.objects.exists()


def test_a_complaint_with_an_unknown_code_is_the_national_admins_who_names_the_unit(
    unknown_code_complaint, qazvin_officer, admin_user, tehran_unit
):
    assert unknown_code_complaint.province is None
    with pytest.raises(HamiError) as caught:
        complaint_triage(actor=qazvin_officer, complaint=unknown_code_complaint, priority="normal")
    assert caught.value.code == "forbidden"
    with pytest.raises(HamiError) as caught:
        complaint_triage(actor=admin_user, complaint=unknown_code_complaint, priority="normal")
    assert caught.value.field == "unit"
    case = complaint_triage(
        actor=admin_user, complaint=unknown_code_complaint, priority="low", unit=tehran_unit
    )
    assert (case.province, case.unit, case.licence) == (tehran_unit.province, tehran_unit, None)


def test_the_licence_linked_must_be_the_units(
    public_complaint, qazvin_officer, qazvin_unit, tehran_unit, milk_standard
):
    tehran_licence = make_licence(tehran_unit, milk_standard)
    with pytest.raises(HamiError) as caught:
        complaint_triage(
            actor=qazvin_officer, complaint=public_complaint, priority="normal", unit=qazvin_unit,
            licence=tehran_licence,
        )  # fmt: skip
    assert (caught.value.code, caught.value.field) == ("licence_not_units", "licence")
    # A unit of another province than the complaint's is refused too.
    with pytest.raises(HamiError) as caught:
        complaint_triage(
            actor=qazvin_officer, complaint=public_complaint, priority="normal", unit=tehran_unit
        )
    assert (caught.value.code, caught.value.field) == ("wrong_province", "unit")
    assert not ComplaintCase.objects.exists()


@pytest.mark.parametrize(("change", "field"), [({"priority": "asap"}, "priority"),
                                                ({"priority": ""}, "priority"),
                                                ({"assigned_to": "tehran_inspector"}, "assigned_to"),
                                                ({"assigned_to": "unit_rep"}, "assigned_to")])  # fmt: skip
def test_triage_with_bad_input_says_which_field_and_writes_nothing(
    request, public_complaint, qazvin_officer, change, field
):
    data = {"priority": "normal", **change}
    if "assigned_to" in data:
        data["assigned_to"] = request.getfixturevalue(data["assigned_to"])
    with pytest.raises(HamiError) as caught:
        complaint_triage(actor=qazvin_officer, complaint=public_complaint, **data)
    assert (caught.value.code, caught.value.field) == ("invalid", field)
    assert not ComplaintCase.objects.exists() and not triaged_events().exists()


# ---------------------------------------------------------------- office filing


def test_the_office_files_a_complaint_and_its_case_in_one_go(qazvin_officer, qazvin_unit, milk_licence):
    case = complaint_file_by_office(
        actor=qazvin_officer, text=COMPLAINT_TEXT, contact=CONTACT, unit=qazvin_unit, licence=milk_licence,
        priority="urgent",
    )  # fmt: skip
    complaint = case.complaint
    assert (case.channel, case.province, case.unit, case.licence) == (
        "office", qazvin_unit.province, qazvin_unit, milk_licence,
    )  # fmt: skip
    assert (complaint.province, complaint.contact, complaint.tracking_code) == (
        qazvin_unit.province, CONTACT, milk_licence.tracking_code,
    )  # fmt: skip
    filed = AuditEvent.objects.get(event_type=EventType.COMPLAINT_FILED)
    assert filed.actor == qazvin_officer and triaged_events().get().details["step"] == "filed"


def test_an_office_complaint_without_a_licence_still_goes_to_the_units_province(qazvin_officer, qazvin_unit):
    case = complaint_file_by_office(
        actor=qazvin_officer, text=COMPLAINT_TEXT, contact="", unit=qazvin_unit, priority="normal"
    )
    assert case.complaint.province == qazvin_unit.province and case.complaint.licence is None


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [({"text": "بد"}, "invalid", "text"), ({"priority": "x"}, "invalid", "priority"),
     ({"unit": None}, "invalid", "unit"), ({"unit": "tehran_unit"}, "wrong_province", "unit")],
)  # fmt: skip
def test_office_filing_with_bad_input_writes_neither_complaint_nor_case(
    request, qazvin_officer, qazvin_unit, change, code, field
):
    data = {"text": COMPLAINT_TEXT, "contact": "", "unit": qazvin_unit, "priority": "normal", **change}
    if isinstance(data["unit"], str):
        data["unit"] = request.getfixturevalue(data["unit"])
    with pytest.raises(HamiError) as caught:
        complaint_file_by_office(actor=qazvin_officer, **data)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not Complaint.objects.exists() and not ComplaintCase.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.COMPLAINT_FILED).exists()


def test_inspectors_and_units_do_not_file_complaints(qazvin_inspector, unit_rep, qazvin_unit):
    for actor in (qazvin_inspector, unit_rep):
        with pytest.raises(HamiError) as caught:
            complaint_file_by_office(
                actor=actor, text=COMPLAINT_TEXT, contact="", unit=qazvin_unit, priority="normal"
            )
        assert caught.value.code == "forbidden"
    assert not Complaint.objects.exists()


# ---------------------------------------------------------------- investigation and outcome


def test_a_complaint_is_investigated_with_a_visit_of_its_unit(complaint_case, qazvin_officer, qazvin_unit,
                                                              tehran_unit):  # fmt: skip
    other_visit = InspectionFactory(unit=tehran_unit)
    with pytest.raises(HamiError) as caught:
        complaint_investigate(actor=qazvin_officer, case=complaint_case, inspection=other_visit)
    assert caught.value.field == "inspection"
    complaint_investigate(actor=qazvin_officer, case=complaint_case)
    complaint_case.refresh_from_db()
    assert complaint_case.state == "investigating" and complaint_case.inspection is None
    with pytest.raises(HamiError) as caught:
        complaint_investigate(actor=qazvin_officer, case=complaint_case)
    assert caught.value.code == "wrong_state"
    # The visit scheduled later is linked to the case under investigation.
    visit = InspectionFactory(unit=qazvin_unit, kind="complaint")
    complaint_investigate(actor=qazvin_officer, case=complaint_case, inspection=visit)
    complaint_case.refresh_from_db()
    assert complaint_case.inspection == visit
    assert [e.details["step"] for e in triaged_events().order_by("seq")] == [
        "triaged", "investigating", "investigating",
    ]  # fmt: skip


def test_an_upheld_complaint_is_closed_with_a_note_and_the_unit_told(
    complaint_case, qazvin_officer, unit_rep, django_capture_on_commit_callbacks
):
    with pytest.raises(HamiError) as caught:
        complaint_close(actor=qazvin_officer, case=complaint_case, outcome="upheld", note="  ")
    assert caught.value.field == "note"
    with django_capture_on_commit_callbacks(execute=True):
        complaint_close(
            actor=qazvin_officer, case=complaint_case, outcome="upheld", note="نمونه بازار مردود شد"
        )
    complaint_case.refresh_from_db()
    assert (complaint_case.state, complaint_case.outcome, complaint_case.closed_by) == (
        "closed", "upheld", qazvin_officer,
    )  # fmt: skip
    assert complaint_case.closed_at is not None  # the scores read upheld complaints by closed_at
    [notice] = Notification.objects.filter(user=unit_rep)
    assert "نمونه بازار مردود شد" in notice.body
    with pytest.raises(HamiError) as caught:
        complaint_close(actor=qazvin_officer, case=complaint_case, outcome="not_upheld", note="x")
    assert caught.value.code == "wrong_state"
    with pytest.raises(HamiError) as caught:
        complaint_investigate(actor=qazvin_officer, case=complaint_case)
    assert caught.value.code == "wrong_state"


def test_a_complaint_about_no_unit_cannot_be_upheld(unknown_code_complaint, admin_user, tehran_unit):
    case = complaint_triage(
        actor=admin_user, complaint=unknown_code_complaint, priority="low", unit=tehran_unit
    )
    case.unit = None  # as if the unit were unknown: build the state directly
    case.save(update_fields=["unit"])
    with pytest.raises(HamiError) as caught:
        complaint_close(actor=admin_user, case=case, outcome="upheld", note="x")
    assert caught.value.field == "outcome"
    complaint_close(actor=admin_user, case=case, outcome="not_ours", note="محصول وارداتی بدون علامت")
    case.refresh_from_db()
    assert case.outcome == "not_ours"


@pytest.mark.parametrize("outcome", ["", "maybe", "closed"])
def test_an_unknown_outcome_is_refused(complaint_case, qazvin_officer, outcome):
    with pytest.raises(HamiError) as caught:
        complaint_close(actor=qazvin_officer, case=complaint_case, outcome=outcome, note="x")
    assert caught.value.field == "outcome"
    complaint_case.refresh_from_db()
    assert complaint_case.state == "received"


def test_only_the_office_investigates_and_closes(complaint_case, qazvin_inspector, tehran_officer, unit_rep):
    for actor in (qazvin_inspector, tehran_officer, unit_rep):
        with pytest.raises(HamiError) as caught:
            complaint_investigate(actor=actor, case=complaint_case)
        assert caught.value.code == "forbidden"
        with pytest.raises(HamiError) as caught:
            complaint_close(actor=actor, case=complaint_case, outcome="upheld", note="x")
        assert caught.value.code == "forbidden"
    complaint_case.refresh_from_db()
    assert complaint_case.state == "received"
