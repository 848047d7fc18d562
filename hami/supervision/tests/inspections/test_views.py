"""The inspection pages for every persona: the inspector's day, the office's list and scheduling, the
inspection page (start, one-tap answers, findings with photos, finish), findings and corrective actions,
the unit's page, checklists; junk input answers with a message, never a 500."""

import pytest
from django.urls import reverse

from hami.supervision.models import (
    ActionState,
    ChecklistItem,
    CorrectiveAction,
    Evidence,
    Finding,
    Inspection,
    InspectionState,
)
from hami.supervision.services.actions import action_accept, action_propose
from hami.supervision.services.inspections import inspection_start
from hami.supervision.tests.inspections.conftest import JPEG, answer_all, days, fake, jpeg, schedule

pytestmark = pytest.mark.django_db
STAFF = ["qazvin_officer", "qazvin_inspector", "admin_user"]
OUTSIDERS = ["lab_user", "outsider", "tehran_officer"]


def login(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ---------------------------------------------------------------- the inspector's day


def test_the_inspector_sees_today_and_the_next_days_with_badges(
    client, qazvin_officer, qazvin_unit, qazvin_inspector, other_inspector, django_assert_max_num_queries
):
    today = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, unannounced=True)
    later = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(3))
    theirs = schedule(qazvin_officer, qazvin_unit, other_inspector)
    far = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(30))
    client.force_login(qazvin_inspector)
    with django_assert_max_num_queries(8):
        html = page(client.get(reverse("supervision:inspection_today")))
    assert 'dir="rtl"' in html and qazvin_unit.name_fa in html
    today_part, next_part = html.split('id="next-visits"')
    assert f"visit-{today.public_id}" in today_part and "text-bg-dark" in today_part  # unannounced badge
    assert f"visit-{later.public_id}" in next_part
    assert str(theirs.public_id) not in html and str(far.public_id) not in html
    assert "A complaint about the labels" in today_part  # the reason


@pytest.mark.parametrize("persona", ["qazvin_officer", "unit_rep", "lab_user", "outsider"])
def test_the_day_page_is_for_inspectors(client, request, persona):
    login(client, request, persona)
    assert client.get(reverse("supervision:inspection_today")).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client, visit):
    for url in [
        reverse("supervision:inspection_today"),
        reverse("supervision:inspection_detail", args=[visit.public_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


# ---------------------------------------------------------------- the office


@pytest.mark.parametrize("persona", STAFF)
def test_staff_list_inspections_with_filters_in_few_queries(
    client, request, persona, qazvin_officer, qazvin_unit, qazvin_inspector, django_assert_max_num_queries
):
    visits = [schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(n)) for n in range(5)]
    inspection_start(actor=qazvin_inspector, inspection=visits[0])
    login(client, request, persona)
    with django_assert_max_num_queries(10):
        html = page(client.get(reverse("supervision:inspection_list"), {"state": "planned"}))
    assert html.count("supervision/inspections/") >= 4 and str(visits[0].public_id) not in html
    html = page(client.get(reverse("supervision:inspection_list"), {"date_from": "1300/01/01", "state": "x"}))
    assert "invalid-feedback" in html  # junk filters: a message, not a 500


@pytest.mark.parametrize("persona", ["unit_rep", "lab_user", "outsider"])
def test_others_do_not_list_inspections(client, request, persona):
    login(client, request, persona)
    assert client.get(reverse("supervision:inspection_list")).status_code == 403


def test_the_office_schedules_a_follow_up_from_a_finding(client, qazvin_officer, qazvin_inspector, finding):
    client.force_login(qazvin_officer)
    url = reverse("supervision:inspection_new")
    assert 'id="unit-lookup"' in page(client.get(url))
    html = page(client.get(url, {"unit": finding.unit.national_id}))
    assert 'id="schedule-form"' in html and str(finding.public_id) in html
    data = {
        "unit_id": str(finding.unit.public_id),
        "inspector": qazvin_inspector.pk,
        "scheduled_on": "",
        "kind": "follow_up",
        "note": "Check the test records",
        "checks": [str(finding.public_id)],
    }
    assert "invalid-feedback" in page(client.post(url, data))  # no day
    assert Inspection.objects.count() == 1
    response = client.post(url, {**data, "scheduled_on": days(2).isoformat()})
    follow_up = Inspection.objects.get(kind="follow_up")
    assert response.status_code == 302 and list(follow_up.checks.all()) == [finding]
    html = page(client.post(url, {**data, "scheduled_on": days(-3).isoformat()}))
    assert "alert-danger" in html or "invalid-feedback" in html  # the service's refusal, shown on the form
    assert Inspection.objects.count() == 2


@pytest.mark.parametrize("persona", ["qazvin_inspector", "unit_rep", "lab_user"])
def test_only_the_office_schedules_on_the_page(client, request, persona):
    login(client, request, persona)
    assert client.get(reverse("supervision:inspection_new")).status_code == 403


def test_a_unit_of_another_province_is_not_found_for_scheduling(client, qazvin_officer, tehran_unit):
    client.force_login(qazvin_officer)
    html = page(client.get(reverse("supervision:inspection_new"), {"unit": tehran_unit.national_id}))
    assert 'id="unit-lookup"' in html and "invalid-feedback" in html


# ---------------------------------------------------------------- the inspection page


@pytest.mark.parametrize("persona", [*STAFF, "other_inspector"])
def test_staff_of_the_province_open_a_visit_with_the_qc_manager(client, request, persona, visit):
    from hami.registry.models import QCManager

    QCManager.objects.create(
        unit=visit.unit,
        full_name="مریم احمدی",
        national_code="0012345679",
        certificate_number="QC-77",
        certificate_expiry=days(-1),
    )
    login(client, request, persona)
    html = page(client.get(reverse("supervision:inspection_detail", args=[visit.public_id])))
    assert visit.unit.name_fa in html and "مریم احمدی" in html and 'id="qc-expired"' in html


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_others_do_not_find_a_visit(client, request, persona, visit):
    login(client, request, persona)
    assert client.get(reverse("supervision:inspection_detail", args=[visit.public_id])).status_code == 404


def test_the_unit_sees_its_announced_visit_but_not_its_checklist(client, unit_rep, started):
    client.force_login(unit_rep)
    html = page(client.get(reverse("supervision:inspection_detail", args=[started.public_id])))
    assert 'id="checklist"' not in html and 'id="start"' not in html


def test_the_inspector_starts_answers_with_one_tap_and_records_a_finding_with_a_photo(
    client, qazvin_inspector, visit
):
    client.force_login(qazvin_inspector)
    detail = reverse("supervision:inspection_detail", args=[visit.public_id])
    assert 'id="start"' in page(client.get(detail))
    assert client.post(reverse("supervision:inspection_start", args=[visit.public_id])).status_code == 302
    html = page(client.get(detail))
    assert 'id="item-mark-use"' in html and "علامت استاندارد" in html and 'hx-post="' in html
    answer = reverse("supervision:inspection_answer", args=[visit.public_id, "labels"])
    partial = page(client.post(answer, {"result": "nonconforming"}, HTTP_HX_REQUEST="true"))
    assert partial.lstrip().startswith('<div class="card') and 'id="finding-form-labels"' in partial
    assert 'capture="environment"' in partial and 'accept="image/*"' in partial
    response = client.post(
        reverse("supervision:inspection_finding_new", args=[visit.public_id]),
        {"item": "labels", "severity": "minor", "text": "برچسب فاقد شماره استاندارد", "photos": [jpeg()]},
    )
    assert response.status_code == 302 and response["Location"].endswith("#item-labels")
    finding = Finding.objects.get()
    assert finding.item.code == "labels" and finding.evidence.count() == 1
    partial = page(client.post(answer, {"result": "conforms"}, HTTP_HX_REQUEST="true"))
    assert "alert-danger" in partial  # the item has a finding: refused, said in the item


def test_a_bad_finding_form_is_shown_again_and_nothing_is_written(client, qazvin_inspector, started):
    client.force_login(qazvin_inspector)
    url = reverse("supervision:inspection_finding_new", args=[started.public_id])
    for data in [
        {"item": "labels", "severity": "fatal", "text": "x"},
        {"item": "labels", "severity": "minor", "text": ""},
        {"item": "labels", "severity": "minor", "text": "x", "photos": [fake()]},
        {"severity": "minor", "text": "x", "photos": [fake()]},
    ]:
        html = page(client.post(url, data))
        assert "invalid-feedback" in html or "alert-danger" in html
    assert not Finding.objects.exists() and not Evidence.objects.exists()
    assert client.post(url, {"item": "no-such-item", "severity": "minor", "text": "x"}).status_code == 404


def test_answers_refuse_junk_without_a_500(client, qazvin_inspector, started):
    client.force_login(qazvin_inspector)
    answer = reverse("supervision:inspection_answer", args=[started.public_id, "labels"])
    assert client.post(answer, {"result": "maybe"}).status_code == 302
    assert "alert-danger" in page(client.post(answer, {"result": "maybe"}, HTTP_HX_REQUEST="true"))
    assert (
        client.post(
            reverse("supervision:inspection_answer", args=[started.public_id, "nope"]), {"result": "conforms"}
        ).status_code
        == 404
    )
    assert client.get(answer).status_code == 405


@pytest.mark.parametrize("persona", ["other_inspector", "qazvin_officer"])
def test_only_the_assigned_inspector_carries_out_the_visit(client, request, persona, visit, started):
    login(client, request, persona)
    assert (
        client.post(
            reverse("supervision:inspection_answer", args=[started.public_id, "labels"]),
            {"result": "conforms"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("supervision:inspection_finish", args=[started.public_id]), {"summary": "x"}
        ).status_code
        == 403
    )
    assert not started.answers.exists()


def test_the_unit_cannot_post_to_its_visit(client, unit_rep, started, visit):
    client.force_login(unit_rep)
    response = client.post(
        reverse("supervision:inspection_answer", args=[started.public_id, "labels"]), {"result": "conforms"}
    )
    assert response.status_code == 403 and not started.answers.exists()


def test_finishing_on_the_page_says_what_is_missing_then_finishes(client, qazvin_inspector, started):
    client.force_login(qazvin_inspector)
    url = reverse("supervision:inspection_finish", args=[started.public_id])
    html = page(client.post(url, {"summary": "All good"}))
    assert "alert-danger" in html and 'id="finish-form"' in html  # items unanswered
    answer_all(started, qazvin_inspector)
    assert "invalid-feedback" in page(client.post(url, {"summary": ""}))
    assert client.post(url, {"summary": "All good"}).status_code == 302
    started.refresh_from_db()
    assert started.state == InspectionState.DONE


def test_a_follow_up_page_asks_for_each_checked_finding(
    client, qazvin_officer, qazvin_unit, qazvin_inspector, finding
):
    follow_up = inspection_start(
        actor=qazvin_inspector,
        inspection=schedule(
            qazvin_officer, qazvin_unit, qazvin_inspector, kind="follow_up", checks=[finding]
        ),
    )
    answer_all(follow_up, qazvin_inspector)
    client.force_login(qazvin_inspector)
    html = page(client.get(reverse("supervision:inspection_detail", args=[follow_up.public_id])))
    assert f'name="check_{finding.public_id}"' in html
    url = reverse("supervision:inspection_finish", args=[follow_up.public_id])
    assert "invalid-feedback" in page(client.post(url, {"summary": "ok"}))
    assert client.post(url, {"summary": "ok", f"check_{finding.public_id}": "corrected"}).status_code == 302
    finding.refresh_from_db()
    assert finding.state == "corrected"


def test_the_office_cancels_a_visit_on_the_page(client, qazvin_officer, qazvin_inspector, visit):
    url = reverse("supervision:inspection_cancel", args=[visit.public_id])
    client.force_login(qazvin_inspector)
    assert client.post(url, {"reason": "ill"}).status_code == 403
    client.force_login(qazvin_officer)
    client.post(url, {"reason": ""})
    visit.refresh_from_db()
    assert visit.state == InspectionState.PLANNED
    client.post(url, {"reason": "Closed for repairs"})
    visit.refresh_from_db()
    assert visit.state == InspectionState.CANCELLED


# ---------------------------------------------------------------- findings and actions


@pytest.mark.parametrize("persona", [*STAFF, "unit_rep"])
def test_a_finding_page_for_the_province_and_the_unit(client, request, persona, finding):
    Evidence.objects.create(
        finding=finding,
        file="supervision/x.jpg",
        name="x.jpg",
        content_type="image/jpeg",
        size=3,
        sha256="0" * 64,
        uploaded_by=finding.created_by,
    )
    login(client, request, persona)
    html = page(client.get(reverse("supervision:finding_detail", args=[finding.public_id])))
    assert "No test records for May" in html and 'id="next-step"' in html and "x.jpg" in html
    assert ('id="propose-form"' in html) == (persona == "unit_rep")


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_others_do_not_find_a_finding(client, request, persona, finding):
    login(client, request, persona)
    assert client.get(reverse("supervision:finding_detail", args=[finding.public_id])).status_code == 404
    unit_page = reverse("supervision:unit_findings", args=[finding.unit.public_id])
    assert client.get(unit_page).status_code == 404


def test_evidence_files_are_served_to_who_sees_the_finding_only(
    client, finding, qazvin_inspector, unit_rep, tehran_officer
):
    from hami.supervision.services.inspections import evidence_add

    evidence = evidence_add(actor=qazvin_inspector, finding=finding, file=jpeg())
    url = reverse("supervision:finding_evidence_file", args=[finding.public_id, evidence.pk])
    client.force_login(unit_rep)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    client.force_login(tehran_officer)
    assert client.get(url).status_code == 404


def test_the_unit_proposes_and_the_office_accepts_on_the_pages(client, finding, unit_rep, qazvin_officer):
    client.force_login(unit_rep)
    url = reverse("supervision:action_propose", args=[finding.public_id])
    client.post(url, {"text": "Daily record book", "due_on": days(90).isoformat()})  # beyond 30 days
    assert not CorrectiveAction.objects.exists()
    client.post(url, {"text": "Daily record book", "due_on": "not a date"})
    assert not CorrectiveAction.objects.exists()
    response = client.post(url, {"text": "Daily record book", "due_on": days(20).isoformat()})
    action = CorrectiveAction.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#action-{action.public_id}")
    accept = reverse("supervision:action_step", args=[action.public_id, "accept"])
    assert client.post(accept, {}).status_code == 403  # the unit does not accept its own action
    client.force_login(qazvin_officer)
    html = page(client.get(reverse("supervision:finding_detail", args=[finding.public_id])))
    assert 'id="accept-form"' in html and 'id="return-form"' in html
    client.post(accept, {"due_on": "1405/13/40"})  # junk date: a message, nothing changes
    action.refresh_from_db()
    assert action.state == ActionState.PROPOSED
    client.post(accept, {"due_on": days(40).isoformat()})
    action.refresh_from_db()
    assert action.state == ActionState.ACCEPTED and action.due_on == days(40)
    assert (
        client.post(reverse("supervision:action_step", args=[action.public_id, "explode"])).status_code == 404
    )


def test_the_unit_submits_evidence_and_the_office_verifies_on_the_pages(
    client, finding, unit_rep, qazvin_officer
):
    action = action_accept(
        actor=qazvin_officer,
        action=action_propose(actor=unit_rep, finding=finding, text="Book", due_on=days(5)),
    )
    client.force_login(unit_rep)
    submit = reverse("supervision:action_step", args=[action.public_id, "submit"])
    assert 'id="submit-form"' in page(
        client.get(reverse("supervision:finding_detail", args=[finding.public_id]))
    )
    client.post(submit, {"evidence_note": "Done", "files": [jpeg("a.jpg"), jpeg("b.jpg")]})
    action.refresh_from_db()
    assert action.state == ActionState.SUBMITTED and action.evidence.count() == 2
    client.force_login(qazvin_officer)
    client.post(reverse("supervision:action_step", args=[action.public_id, "verify"]), {})
    finding.refresh_from_db()
    assert finding.state == "corrected"


def test_the_unit_page_lists_findings_with_next_steps_and_only_announced_visits(
    client, finding, unit_rep, qazvin_officer, qazvin_unit, qazvin_inspector, django_assert_max_num_queries
):
    announced = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(4))
    secret = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(5), unannounced=True)
    action_propose(actor=unit_rep, finding=finding, text="Book", due_on=days(5))
    client.force_login(unit_rep)
    url = reverse("supervision:unit_findings", args=[qazvin_unit.public_id])
    with django_assert_max_num_queries(12):
        html = page(client.get(url))
    assert f"finding-{finding.public_id}" in html and "No test records for May" in html
    upcoming = html.split('id="upcoming"')[1].split("</ul>")[0]
    assert upcoming.count("list-group-item") == 1  # the announced one only
    client.force_login(qazvin_officer)
    html = page(client.get(url))
    assert html.split('id="upcoming"')[1].split("</ul>")[0].count("list-group-item") == 2
    assert str(announced.public_id) in html and str(secret.public_id) in html


def test_the_office_findings_list_filters_what_waits_for_it(
    client, finding, unit_rep, qazvin_officer, django_assert_max_num_queries
):
    client.force_login(qazvin_officer)
    url = reverse("supervision:finding_list")
    assert str(finding.public_id) not in page(client.get(url, {"show": "waiting"}))
    action_propose(actor=unit_rep, finding=finding, text="Book", due_on=days(5))
    with django_assert_max_num_queries(10):
        html = page(client.get(url, {"show": "waiting"}))
    assert str(finding.public_id) in html
    assert str(finding.public_id) not in page(client.get(url, {"show": "overdue"}))
    assert page(client.get(url, {"state": "bogus", "severity": "x", "page": "zz"}))


@pytest.mark.parametrize("persona", ["unit_rep", "lab_user", "outsider"])
def test_others_do_not_list_findings(client, request, persona):
    login(client, request, persona)
    assert client.get(reverse("supervision:finding_list")).status_code == 403


def test_withdrawing_on_the_page(client, finding, qazvin_officer, unit_rep):
    url = reverse("supervision:finding_withdraw", args=[finding.public_id])
    client.force_login(unit_rep)
    assert client.post(url, {"reason": "not ours"}).status_code == 403
    client.force_login(qazvin_officer)
    client.post(url, {"reason": "Wrong unit"})
    finding.refresh_from_db()
    assert finding.state == "withdrawn"


# ---------------------------------------------------------------- checklists


@pytest.mark.parametrize("persona", [*STAFF, "unit_rep"])
def test_checklists_are_readable_by_staff_and_units(client, request, persona):
    login(client, request, persona)
    assert "general" in page(client.get(reverse("supervision:checklist_list")))
    html = page(client.get(reverse("supervision:checklist_detail", args=["general"])))
    assert "مسئول کنترل کیفیت" in html
    assert ('id="item-add-form"' in html) == (persona == "admin_user")


@pytest.mark.parametrize("persona", ["lab_user", "outsider"])
def test_checklists_are_not_for_others(client, request, persona):
    login(client, request, persona)
    assert client.get(reverse("supervision:checklist_list")).status_code == 403
    assert client.get(reverse("supervision:checklist_detail", args=["general"])).status_code == 404


def test_the_national_admin_adds_a_checklist_and_items_on_the_pages(client, admin_user, qazvin_officer):
    client.force_login(qazvin_officer)
    assert client.get(reverse("supervision:checklist_new")).status_code == 403
    assert (
        client.post(
            reverse("supervision:checklist_item_add", args=["general"]),
            {"new-code": "x", "new-text_fa": "ایکس", "new-severity": "minor"},
        ).status_code
        == 403
    )
    client.force_login(admin_user)
    html = page(client.post(reverse("supervision:checklist_new"), {"code": "bad code", "name_fa": "x"}))
    assert "invalid-feedback" in html
    html = page(
        client.post(reverse("supervision:checklist_new"), {"code": "c", "name_fa": "x", "standard": "99"})
    )
    assert "invalid-feedback" in html  # no such standard
    response = client.post(
        reverse("supervision:checklist_new"),
        {"code": "cement", "name_fa": "سیمان", "active": "on", "scheme": "5"},
    )
    assert response.status_code == 302
    client.post(
        reverse("supervision:checklist_item_add", args=["cement"]),
        {"new-code": "kiln", "new-text_fa": "کوره", "new-severity": "minor"},
    )
    client.post(
        reverse("supervision:checklist_item_save", args=["cement", "kiln"]),
        {"item-kiln-text_fa": "کوره دوار", "item-kiln-severity": "major", "item-kiln-order": "5"},
    )
    item = ChecklistItem.objects.get(checklist__code="cement")
    assert (item.code, item.text_fa, item.severity, item.order) == ("kiln", "کوره دوار", "major", 5)
