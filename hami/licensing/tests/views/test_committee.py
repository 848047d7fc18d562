import pytest
from django.urls import reverse

from hami.licensing.models import (
    Application,
    ApplicationState,
    CommitteeMeeting,
    Decision,
    Licence,
    LicenceState,
)
from hami.licensing.tests.conftest import ready_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(unit_rep, qazvin_officer, qazvin_inspector, product, milk_standard, qazvin_key):
    return ready_application(unit_rep, qazvin_officer, qazvin_inspector, product, milk_standard)


def test_office_builds_an_agenda_and_decides_it(client, qazvin_officer, ready):
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("licensing:committee"),
        {"held_on": "۱۴۰۵/۰۹/۱۰", "members": "مدیر کل\nمعاون نظارت", "applications": [ready.pk]},
    )
    meeting = CommitteeMeeting.objects.get()
    assert response.status_code == 302 and meeting.members == ["مدیر کل", "معاون نظارت"]
    assert str(meeting.held_on) == "2026-12-01"
    client.post(
        reverse("licensing:meeting_detail", args=[meeting.pk]),
        {"application": str(ready.public_id), "grant": "1", "reason": "همه آزمون‌ها قبول"},
    )
    decision = Decision.objects.get(application=ready)
    assert decision.meeting == meeting and decision.members_present == ["مدیر کل", "معاون نظارت"]
    assert Application.objects.get(pk=ready.pk).state == ApplicationState.GRANTED


def test_bad_date_and_empty_agenda_are_clear_errors(client, qazvin_officer, ready):
    client.force_login(qazvin_officer)
    response = client.post(
        reverse("licensing:committee"), {"held_on": "فردا", "members": "", "applications": []}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"held_on", "members", "applications"}
    assert not CommitteeMeeting.objects.exists()


def test_committee_is_for_office_staff(
    client, unit_rep, qazvin_inspector, tehran_officer, qazvin_officer, ready
):
    for user in (unit_rep, qazvin_inspector):
        client.force_login(user)
        assert client.get(reverse("licensing:committee")).status_code == 403
    client.force_login(qazvin_officer)
    client.post(
        reverse("licensing:committee"),
        {"held_on": "1405/09/10", "members": "الف", "applications": [ready.pk]},
    )
    meeting = CommitteeMeeting.objects.get()
    client.force_login(tehran_officer)
    assert client.get(reverse("licensing:meeting_detail", args=[meeting.pk])).status_code == 404


def test_office_suspends_from_the_licence_page_and_unit_renews(client, qazvin_officer, unit_rep, licence):
    from hami.licensing.models import SanctionReason

    client.force_login(qazvin_officer)
    reason = SanctionReason.objects.get(code="qc-manager-inactive")
    url = reverse("licensing:licence_sanction", args=[licence.public_id])
    client.post(url, {"kind": "suspend", "reason": "", "members_present": "الف"})
    assert Licence.objects.get(pk=licence.pk).state == LicenceState.ACTIVE  # no reason: refused
    client.post(
        url, {"kind": "suspend", "sanction_reason": reason.pk, "reason": "بازرسی", "members_present": "الف"}
    )
    assert Licence.objects.get(pk=licence.pk).state == LicenceState.SUSPENDED
    client.post(url, {"kind": "reinstate", "reason": "اصلاح شد", "members_present": "الف"})
    assert Licence.objects.get(pk=licence.pk).state == LicenceState.ACTIVE
    client.force_login(unit_rep)
    assert client.post(
        url, {"kind": "revoke", "sanction_reason": reason.pk, "reason": "x", "members_present": "x"}
    )
    assert Licence.objects.get(pk=licence.pk).state == LicenceState.ACTIVE  # a unit cannot sanction
    response = client.post(reverse("licensing:licence_renew", args=[licence.public_id]))
    renewal = Application.objects.get(kind="renewal")
    assert (
        response.status_code == 302
        and renewal.licence == licence
        and renewal.product == licence.current.product
    )
