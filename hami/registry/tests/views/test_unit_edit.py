import pytest
from django.urls import reverse

from hami.core.models import AuditEvent, EventType

pytestmark = pytest.mark.django_db


def _form(unit, **changes):
    data = {
        "national_id": unit.national_id,
        "name_fa": unit.name_fa,
        "name_en": unit.name_en,
        "county": unit.county_id,
        "address": unit.address,
        "isic": unit.isic,
        "size_class": unit.size_class,
        "status": unit.status,
        "reason": "",
    }
    return data | changes


def test_officer_edits_a_unit_of_its_province_with_a_reason(client, qazvin_officer, qazvin_unit, takestan):
    client.force_login(qazvin_officer)
    url = reverse("registry:unit_edit", args=[qazvin_unit.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, _form(qazvin_unit, county=takestan.pk, status="idle", reason="توقف تولید"))
    assert response.status_code == 302
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.county == takestan and qazvin_unit.status == "idle"
    event = AuditEvent.objects.filter(event_type=EventType.UNIT_UPDATED).latest("seq")
    assert event.reason == "توقف تولید" and set(event.details) == {"county", "status"}


def test_officer_of_another_province_can_neither_open_nor_change_the_edit_page(
    client, tehran_officer, qazvin_unit
):
    client.force_login(tehran_officer)
    url = reverse("registry:unit_edit", args=[qazvin_unit.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, _form(qazvin_unit, name_fa="تغییر")).status_code == 404
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.name_fa != "تغییر"


def test_inspector_and_unit_rep_may_view_but_not_edit(client, qazvin_inspector, unit_rep, qazvin_unit):
    url = reverse("registry:unit_edit", args=[qazvin_unit.public_id])
    for user in (qazvin_inspector, unit_rep):
        client.force_login(user)
        assert client.get(reverse("registry:unit_detail", args=[qazvin_unit.public_id])).status_code == 200
        assert client.post(url, _form(qazvin_unit, name_fa="تغییر")).status_code == 403
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.name_fa != "تغییر"


def test_bad_identifier_on_edit_is_shown_and_nothing_changes(client, qazvin_officer, qazvin_unit):
    client.force_login(qazvin_officer)
    url = reverse("registry:unit_edit", args=[qazvin_unit.public_id])
    response = client.post(url, _form(qazvin_unit, national_id="12345678901", name_fa="نام نو"))
    assert response.status_code == 200 and "national_id" in response.context["form"].errors
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.name_fa != "نام نو"


def test_office_sets_the_fast_track_with_a_reason(client, qazvin_officer, qazvin_inspector, qazvin_unit):
    url = reverse("registry:unit_fast_track", args=[qazvin_unit.public_id])
    client.force_login(qazvin_inspector)
    assert client.post(url, {"enabled": "1", "reason": "درجه الف"}).status_code == 403
    client.force_login(qazvin_officer)
    client.post(url, {"enabled": "1", "reason": ""})
    qazvin_unit.refresh_from_db()
    assert not qazvin_unit.fast_track  # no reason, no change
    client.post(url, {"enabled": "1", "reason": "درجه کیفی الف"})
    qazvin_unit.refresh_from_db()
    assert qazvin_unit.fast_track and qazvin_unit.fast_track_reason == "درجه کیفی الف"
