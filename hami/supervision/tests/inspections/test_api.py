"""The inspections API, /api/v1/supervision: checklists, inspections (schedule, start, answer, finish,
cancel), findings (record, evidence as multipart, withdraw) and corrective actions (propose, accept,
return, submit, verify, reopen); every read scoped, every refusal a 4xx {code, message, field}."""

import pytest

from hami.core.tokens import api_token_create
from hami.supervision.models import (
    ActionState,
    CorrectiveAction,
    Evidence,
    Finding,
    Inspection,
    InspectionState,
)
from hami.supervision.tests.inspections.conftest import answer_all, days, fake, jpeg, pdf, schedule

pytestmark = pytest.mark.django_db
API = "/api/v1/supervision"


def bearer(user) -> dict:
    _token, key = api_token_create(actor=None, user=user, name="script")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def get(client, url, user, **query):
    return client.get(f"{API}{url}", query, **bearer(user))


def post(client, url, user, body=None):
    return client.post(f"{API}{url}", body or {}, content_type="application/json", **bearer(user))


def upload(client, url, user, data):
    return client.post(f"{API}{url}", data, **bearer(user))


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refusal(response, status: int, code: str, field=...) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code and body["message"], body
    if field is not ...:
        assert body["field"] == field, body
    return body


# ---------------------------------------------------------------- inspections


def test_a_visit_through_the_api_from_scheduling_to_finish(
    client, qazvin_officer, qazvin_unit, qazvin_inspector
):
    body = ok(
        post(
            client,
            "/inspections",
            qazvin_officer,
            {
                "unit": str(qazvin_unit.public_id),
                "inspector": "qazvin-inspector",
                "scheduled_on": days(0).isoformat(),
                "kind": "complaint",
                "note": "Labels",
            },
        ),
        201,
    )
    visit = body["id"]
    assert body["state"] == "planned" and body["reasons"][0]["text"] == "Labels" and body["items"] == []
    body = ok(post(client, f"/inspections/{visit}/start", qazvin_inspector))
    assert body["state"] == "in_progress" and body["checklist"] == "general" and len(body["items"]) >= 12
    codes = [item["code"] for item in body["items"]]
    for code in codes[1:]:
        ok(
            post(
                client,
                f"/inspections/{visit}/answers",
                qazvin_inspector,
                {"item": code, "result": "conforms"},
            )
        )
    refusal(
        post(client, f"/inspections/{visit}/finish", qazvin_inspector, {"summary": "ok"}),
        400,
        "unanswered",
        f"items.{codes[0]}",
    )
    ok(post(client, f"/inspections/{visit}/answers", qazvin_inspector, {"item": codes[0], "result": "na"}))
    finding = ok(
        post(
            client,
            f"/inspections/{visit}/findings",
            qazvin_inspector,
            {"severity": "minor", "text": "Dusty store", "safety": False},
        ),
        201,
    )
    assert finding["item"] is None and finding["state"] == "open"
    body = ok(post(client, f"/inspections/{visit}/finish", qazvin_inspector, {"summary": "One finding"}))
    assert body["state"] == "done" and [f["id"] for f in body["findings"]] == [finding["id"]]


def test_scheduling_refusals_say_the_field(
    client, qazvin_officer, qazvin_unit, qazvin_inspector, tehran_unit
):
    base = {
        "unit": str(qazvin_unit.public_id),
        "inspector": "qazvin-inspector",
        "scheduled_on": days(1).isoformat(),
        "kind": "complaint",
        "note": "x",
    }
    refusal(
        post(client, "/inspections", qazvin_officer, {**base, "unit": str(tehran_unit.public_id)}),
        400,
        "invalid",
        "unit",
    )
    refusal(
        post(client, "/inspections", qazvin_officer, {**base, "inspector": "nobody"}),
        400,
        "invalid",
        "inspector",
    )
    refusal(
        post(client, "/inspections", qazvin_officer, {**base, "scheduled_on": days(-1).isoformat()}),
        400,
        "invalid",
        "scheduled_on",
    )
    refusal(post(client, "/inspections", qazvin_officer, {**base, "kind": "raid"}), 422, "invalid")
    refusal(
        post(client, "/inspections", qazvin_officer, {**base, "scheduled_on": "1405/09/01"}), 422, "invalid"
    )
    refusal(
        post(client, "/inspections", qazvin_officer, {**base, "kind": "follow_up"}), 400, "invalid", "checks"
    )
    refusal(post(client, "/inspections", qazvin_inspector, base), 403, "forbidden")
    assert not Inspection.objects.exists()


def test_inspections_are_listed_within_scope_in_few_queries(
    client,
    qazvin_officer,
    qazvin_unit,
    qazvin_inspector,
    unit_rep,
    lab_user,
    tehran_officer,
    django_assert_max_num_queries,
):
    announced = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(2))
    secret = schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(2), unannounced=True)
    for n in range(4):
        schedule(qazvin_officer, qazvin_unit, qazvin_inspector, day=days(3 + n))
    headers = bearer(qazvin_officer)
    with django_assert_max_num_queries(6):  # the token (2), the count, the page, the checks
        body = ok(client.get(f"{API}/inspections", **headers))
    assert body["count"] == 6
    ids = {item["id"] for item in ok(get(client, "/inspections", unit_rep))["items"]}
    assert str(announced.public_id) in ids and str(secret.public_id) not in ids
    assert ok(get(client, "/inspections", lab_user))["count"] == 0
    assert ok(get(client, "/inspections", tehran_officer))["count"] == 0
    refusal(get(client, f"/inspections/{announced.public_id}", tehran_officer), 404, "not_found")
    refusal(get(client, f"/inspections/{secret.public_id}", unit_rep), 404, "not_found")
    refusal(get(client, "/inspections/not-a-uuid", qazvin_officer), 404, "not_found")
    body = ok(
        get(
            client,
            "/inspections",
            qazvin_officer,
            state="planned",
            inspector="qazvin-inspector",
            **{"from": days(3).isoformat(), "to": days(4).isoformat()},
        )
    )
    assert body["count"] == 2
    refusal(get(client, "/inspections", qazvin_officer, state="sleeping"), 422, "invalid")


def test_only_the_assigned_inspector_works_a_visit(client, visit, other_inspector, qazvin_officer, unit_rep):
    refusal(post(client, f"/inspections/{visit.public_id}/start", other_inspector), 403, "forbidden")
    refusal(post(client, f"/inspections/{visit.public_id}/start", qazvin_officer), 403, "forbidden")
    refusal(post(client, f"/inspections/{visit.public_id}/start", unit_rep), 403, "forbidden")
    visit.refresh_from_db()
    assert visit.state == InspectionState.PLANNED


def test_answers_and_findings_refuse_junk(client, started, qazvin_inspector):
    url = f"/inspections/{started.public_id}"
    refusal(
        post(client, f"{url}/answers", qazvin_inspector, {"item": "nope", "result": "conforms"}),
        400,
        "not_on_checklist",
        "item",
    )
    refusal(
        post(client, f"{url}/answers", qazvin_inspector, {"item": "labels", "result": "maybe"}),
        422,
        "invalid",
    )
    refusal(
        post(client, f"{url}/findings", qazvin_inspector, {"severity": "minor", "text": " "}),
        400,
        "invalid",
        "text",
    )
    refusal(
        post(
            client, f"{url}/findings", qazvin_inspector, {"severity": "minor", "text": "x", "licence": "L-1"}
        ),
        400,
        "invalid",
        "licence",
    )
    refusal(
        post(client, f"{url}/finish", qazvin_inspector, {"summary": "x", "checked": {"x": "open"}}),
        422,
        "invalid",
    )
    assert not Finding.objects.exists() and not started.answers.exists()


def test_the_office_cancels_through_the_api(client, visit, qazvin_officer, qazvin_inspector):
    refusal(
        post(client, f"/inspections/{visit.public_id}/cancel", qazvin_inspector, {"reason": "x"}),
        403,
        "forbidden",
    )
    refusal(post(client, f"/inspections/{visit.public_id}/cancel", qazvin_officer, {}), 422, "invalid")
    body = ok(post(client, f"/inspections/{visit.public_id}/cancel", qazvin_officer, {"reason": "Closed"}))
    assert body["state"] == "cancelled" and body["cancel_reason"] == "Closed"


def test_a_follow_up_through_the_api_marks_what_it_checks(client, finding, qazvin_officer, qazvin_inspector):
    body = ok(
        post(
            client,
            "/inspections",
            qazvin_officer,
            {
                "unit": str(finding.unit.public_id),
                "inspector": "qazvin-inspector",
                "scheduled_on": days(0).isoformat(),
                "kind": "follow_up",
                "checks": [str(finding.public_id)],
                "note": "Check",
            },
        ),
        201,
    )
    assert body["checks"] == [str(finding.public_id)]
    visit = Inspection.objects.get(public_id=body["id"])
    ok(post(client, f"/inspections/{visit.public_id}/start", qazvin_inspector))
    visit.refresh_from_db()
    answer_all(visit, qazvin_inspector)
    refusal(
        post(client, f"/inspections/{visit.public_id}/finish", qazvin_inspector, {"summary": "ok"}),
        400,
        "check_unmarked",
        f"checked.{finding.public_id}",
    )
    ok(
        post(
            client,
            f"/inspections/{visit.public_id}/finish",
            qazvin_inspector,
            {"summary": "ok", "checked": {str(finding.public_id): "open"}},
        )
    )
    finding.refresh_from_db()
    assert finding.state == "open"


# ---------------------------------------------------------------- findings and evidence


def test_evidence_is_uploaded_as_multipart(client, finding, qazvin_inspector, unit_rep):
    url = f"/findings/{finding.public_id}/evidence"
    body = ok(upload(client, url, qazvin_inspector, {"file": jpeg()}), 201)
    assert body["content_type"] == "image/jpeg" and body["url"].endswith(f"/evidence/{body['id']}/")
    refusal(upload(client, url, qazvin_inspector, {"file": fake()}), 400, "bad_evidence", "file")
    refusal(upload(client, url, unit_rep, {"file": jpeg()}), 403, "forbidden")
    refusal(upload(client, url, qazvin_inspector, {}), 422, "invalid")
    detail = ok(get(client, f"/findings/{finding.public_id}", unit_rep))
    assert [e["name"] for e in detail["evidence"]] == ["photo.jpg"]
    assert Evidence.objects.count() == 1


def test_findings_are_the_units_only_once_the_visit_is_finished(
    client, started, qazvin_inspector, unit_rep, lab_user
):
    body = ok(
        post(
            client,
            f"/inspections/{started.public_id}/findings",
            qazvin_inspector,
            {"severity": "major", "text": "No records", "item": "test-records"},
        ),
        201,
    )
    refusal(get(client, f"/findings/{body['id']}", unit_rep), 404, "not_found")
    assert ok(get(client, "/findings", unit_rep))["count"] == 0
    answer_all(started, qazvin_inspector, skip=("test-records",))
    ok(post(client, f"/inspections/{started.public_id}/finish", qazvin_inspector, {"summary": "x"}))
    assert ok(get(client, "/findings", unit_rep))["count"] == 1
    assert ok(get(client, "/findings", lab_user))["count"] == 0
    detail = ok(get(client, f"/inspections/{started.public_id}", unit_rep))
    assert len(detail["findings"]) == 1 and detail["answers"]


def test_findings_are_listed_in_few_queries(
    client, finding, qazvin_officer, qazvin_inspector, django_assert_max_num_queries
):
    for n in range(5):
        Finding.objects.create(
            inspection=finding.inspection,
            unit=finding.unit,
            province=finding.province,
            severity="minor",
            text=f"Finding {n}",
            created_by=qazvin_inspector,
        )
    headers = bearer(qazvin_officer)
    with django_assert_max_num_queries(5):  # the token (2), the count, the page, the instruction
        body = ok(client.get(f"{API}/findings", {"state": "open"}, **headers))
    assert body["count"] == 6 and all(item["action_due_by"] for item in body["items"])


def test_withdrawing_through_the_api(client, finding, qazvin_officer, unit_rep):
    refusal(
        post(client, f"/findings/{finding.public_id}/withdraw", unit_rep, {"reason": "x"}), 403, "forbidden"
    )
    body = ok(post(client, f"/findings/{finding.public_id}/withdraw", qazvin_officer, {"reason": "Error"}))
    assert body["state"] == "withdrawn" and body["withdraw_reason"] == "Error"


# ---------------------------------------------------------------- corrective actions


def test_corrective_actions_through_the_api(client, finding, unit_rep, qazvin_officer, qazvin_inspector):
    url = f"/findings/{finding.public_id}/actions"
    assert (
        ok(get(client, f"/findings/{finding.public_id}", unit_rep))["action_due_by"] == days(30).isoformat()
    )
    body = refusal(
        post(client, url, unit_rep, {"text": "Book", "due_on": days(31).isoformat()}),
        400,
        "due_too_late",
        "due_on",
    )
    assert "۳۰" in body["message"] or "30" in body["message"]
    refusal(
        post(client, url, qazvin_officer, {"text": "Book", "due_on": days(5).isoformat()}), 403, "forbidden"
    )
    action = ok(post(client, url, unit_rep, {"text": "Book", "due_on": days(5).isoformat()}), 201)
    refusal(post(client, url, unit_rep, {"text": "Again", "due_on": days(5).isoformat()}), 400, "live_action")
    base = f"/actions/{action['id']}"
    refusal(post(client, f"{base}/accept", unit_rep), 403, "forbidden")
    refusal(post(client, f"{base}/return", qazvin_officer, {}), 422, "invalid")
    body = ok(post(client, f"{base}/accept", qazvin_officer, {"due_on": days(60).isoformat()}))
    assert body["state"] == "accepted" and body["due_on"] == days(60).isoformat() and not body["overdue"]
    ok(upload(client, f"{base}/evidence", unit_rep, {"file": pdf()}), 201)
    body = ok(upload(client, f"{base}/submit", unit_rep, {"evidence_note": "Done", "files": [jpeg("a.jpg")]}))
    assert body["state"] == "submitted" and len(body["evidence"]) == 2
    body = ok(
        post(client, f"{base}/reopen", qazvin_officer, {"note": "Blurred", "due_on": days(9).isoformat()})
    )
    assert (body["state"], body["office_note"]) == ("reopened", "Blurred")
    refusal(
        upload(client, f"{base}/submit", unit_rep, {"evidence_note": ""}), 400, "invalid", "evidence_note"
    )
    ok(
        upload(
            client, f"{base}/submit", unit_rep, {"evidence_note": "Sharper photo", "files": [jpeg("c.jpg")]}
        )
    )
    body = ok(post(client, f"{base}/verify", qazvin_officer, {}))
    assert body["state"] == "verified"
    assert ok(get(client, f"/findings/{finding.public_id}", qazvin_inspector))["state"] == "corrected"


def test_actions_are_listed_within_scope_with_the_overdue_filter(
    client, finding, unit_rep, qazvin_officer, tehran_officer, django_assert_max_num_queries
):
    action = CorrectiveAction.objects.create(
        finding=finding,
        unit=finding.unit,
        province=finding.province,
        text="Book",
        due_on=days(-2),
        state=ActionState.ACCEPTED,
        proposed_by=unit_rep,
    )
    headers = bearer(qazvin_officer)
    with django_assert_max_num_queries(6):  # the token (2), the count, the page, the evidence
        body = ok(client.get(f"{API}/actions", {"overdue": "true"}, **headers))
    assert [a["id"] for a in body["items"]] == [str(action.public_id)] and body["items"][0]["overdue"]
    assert ok(get(client, "/actions", unit_rep))["count"] == 1
    assert ok(get(client, "/actions", tehran_officer))["count"] == 0
    refusal(get(client, f"/actions/{action.public_id}", tehran_officer), 404, "not_found")


# ---------------------------------------------------------------- checklists


def test_checklists_through_the_api(client, admin_user, qazvin_officer, unit_rep, lab_user):
    assert "general" in [c["code"] for c in ok(get(client, "/checklists", unit_rep))]
    assert ok(get(client, "/checklists", lab_user)) == []
    refusal(get(client, "/checklists/general", lab_user), 404, "not_found")
    refusal(post(client, "/checklists", qazvin_officer, {"code": "c", "name_fa": "x"}), 403, "forbidden")
    refusal(
        post(client, "/checklists", admin_user, {"code": "c", "name_fa": "x", "standard": "abc"}),
        400,
        "invalid",
        "standard",
    )
    body = ok(
        post(client, "/checklists", admin_user, {"code": "cement", "name_fa": "سیمان", "scheme": "5"}), 201
    )
    assert body["items"] == [] and body["scheme"] == "5"
    item = ok(post(client, "/checklists/cement/items", admin_user, {"code": "kiln", "text_fa": "کوره"}))
    assert item["severity"] == "major"
    ok(
        post(
            client,
            "/checklists/cement/items",
            admin_user,
            {"code": "kiln", "text_fa": "کوره دوار", "severity": "minor"},
        )
    )
    body = ok(get(client, "/checklists/cement", qazvin_officer))
    assert [(i["code"], i["text_fa"], i["severity"]) for i in body["items"]] == [
        ("kiln", "کوره دوار", "minor")
    ]
    body = ok(
        client.put(
            f"{API}/checklists/cement",
            {"name_fa": "سیمان پرتلند", "active": False},
            content_type="application/json",
            **bearer(admin_user),
        )
    )
    assert body["name_fa"] == "سیمان پرتلند" and not body["active"]
