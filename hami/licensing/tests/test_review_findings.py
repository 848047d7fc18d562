"""Regressions for what an adversarial review of licensing found (500s, wrong moves, a scope gap)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hami.core.errors import Forbidden, HamiError
from hami.core.tokens import api_token_create
from hami.licensing.models import Application, CommitteeMeeting, Complaint, DecisionKind, Licence
from hami.licensing.services.applications import (
    application_accept,
    application_audit_done,
    application_create,
    application_submit,
)
from hami.licensing.services.committee import licence_sanction, meeting_create
from hami.licensing.services.documents import document_upload
from hami.licensing.services.licences import licence_amend
from hami.licensing.tests.conftest import MEMBERS, ready_application
from hami.registry.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=None, user=user, name='t')[1]}"}


@pytest.mark.parametrize("code", ["²²²²²²²²²²", "1234567²90", "①②③④⑤⑥⑦⑧⑨⓪"])
def test_non_decimal_digits_are_not_found_rather_than_500(client, db, code):
    assert client.get(f"/verify/{code}/").status_code == 404
    assert client.get("/verify/", {"code": code}).status_code == 404
    assert client.get(f"/api/v1/verify/{code}").status_code == 404


def test_a_signed_looking_payload_with_a_lone_surrogate_is_not_a_500(client, licence):
    import base64
    import json

    claims = base64.urlsafe_b64encode(json.dumps({k: 1 for k in "tunpbsek"} | {"t": "\ud800"}).encode())
    payload = f"HAMI1.{claims.decode().rstrip('=')}.{'A' * 86}"
    assert client.get("/verify/mark/", {"payload": payload}).status_code == 200


def test_lone_surrogates_and_nul_in_any_api_body_are_400(client, licence):
    url = f"/api/v1/verify/{licence.tracking_code}/complaints"
    body = '{"text": "this product is fake \\ud800"}'
    assert client.post(url, body, content_type="application/json").status_code == 400
    body = '{"text": "abc\\u0000 defghijkl"}'
    assert client.post(url, body, content_type="text/plain").status_code == 400
    emoji = '{"text": "this product is fake \\ud83d\\ude00 really"}'
    assert client.post(url, emoji, content_type="application/json").status_code == 201
    assert Complaint.objects.get().tracking_code == licence.tracking_code


def test_attaching_an_existing_document_with_a_bad_id_is_a_message(client, unit_rep, product, milk_standard):
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    client.force_login(unit_rep)
    url = reverse("licensing:application_document", args=[application.public_id])
    assert client.post(url, {"existing": "zzz"}).status_code == 404


def test_amendments_are_bounded_and_work_on_postgresql(client, qazvin_officer, licence):
    url = f"/api/v1/licensing/licences/{licence.public_id}/amend"
    huge = {"reason": "r", "product_name": "محصول " * 600, "brand": "ب" * 1000}
    assert (
        client.post(url, huge, content_type="application/json", **bearer(qazvin_officer)).status_code == 422
    )
    version = licence_amend(actor=qazvin_officer, licence=licence, reason="نام تازه", brand="Brand\x0bX")
    assert version.brand == "BrandX"
    client.force_login(qazvin_officer)
    assert client.get(reverse("licensing:licence_export", args=["xlsx"])).status_code == 200
    assert client.get(reverse("licensing:licence_certificate", args=[licence.public_id])).status_code == 200


def test_licence_numbers_have_their_own_sequence(
    unit_rep, qazvin_officer, qazvin_inspector, licence, milk_standard
):
    from hami.licensing.services.committee import committee_decide

    other = ProductFactory(unit=licence.unit, category=licence.current.product.category, name="شیر کم‌چرب")
    application = ready_application(unit_rep, qazvin_officer, qazvin_inspector, other, milk_standard)
    Licence.objects.filter(pk=licence.pk).update(number=f"QAZ/{timezone.localdate().year}-000002")
    second = committee_decide(
        actor=qazvin_officer, application=application, grant=True, reason="قبول", members_present=MEMBERS
    ).licence
    assert second.number == f"QAZ/{timezone.localdate().year}-000003"


def test_a_meeting_decides_only_its_agenda(
    client, admin_user, unit_rep, qazvin_officer, qazvin_inspector, product, milk_standard, qazvin_key, qazvin
):
    ready = ready_application(unit_rep, qazvin_officer, qazvin_inspector, product, milk_standard)
    other = ready_application(
        unit_rep,
        qazvin_officer,
        qazvin_inspector,
        ProductFactory(unit=product.unit, category=product.category),
        milk_standard,
    )
    meeting = meeting_create(
        actor=qazvin_officer,
        province=qazvin,
        held_on=dt.date(2026, 12, 1),
        members=["الف"],
        applications=[ready],
    )
    client.force_login(admin_user)
    url = reverse("licensing:meeting_detail", args=[meeting.pk])
    assert (
        client.post(url, {"application": str(other.public_id), "grant": "0", "reason": "x"}).status_code
        == 404
    )
    assert Application.objects.get(pk=other.pk).state == "ready"
    response = client.post(
        reverse("licensing:committee"), {"held_on": "1/1/1", "members": "a", "applications": []}
    )
    assert "held_on" in response.context["form"].errors and CommitteeMeeting.objects.count() == 1


def test_the_factory_audit_cannot_be_skipped_on_the_normal_track(
    unit_rep, qazvin_officer, product, milk_standard
):
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    application_submit(actor=unit_rep, application=application)
    with pytest.raises(HamiError):
        application_audit_done(actor=qazvin_officer, application=application)
    assert Application.objects.get(pk=application.pk).state == "submitted"


def test_renewals_only_of_the_same_product_and_not_of_revoked_licences(
    unit_rep, qazvin_officer, licence, milk_standard, sanction_reason
):
    other = ProductFactory(unit=licence.unit, category=licence.current.product.category)
    with pytest.raises(HamiError):
        application_create(actor=unit_rep, product=other, standard=milk_standard, licence=licence)
    with pytest.raises(HamiError):  # a second licence for the same product and standard
        application_create(actor=unit_rep, product=licence.current.product, standard=milk_standard)
    licence_sanction(
        actor=qazvin_officer,
        licence=licence,
        kind=DecisionKind.REVOKE,
        reason="x",
        members_present=MEMBERS,
        sanction_reason=sanction_reason,
    )
    with pytest.raises(HamiError):
        application_create(
            actor=unit_rep, product=licence.current.product, standard=milk_standard, licence=licence
        )


def test_office_staff_do_not_start_applications_for_a_unit(qazvin_officer, product, milk_standard):
    with pytest.raises(Forbidden):
        application_create(actor=qazvin_officer, product=product, standard=milk_standard)


def test_a_lab_report_from_the_future_is_refused(unit_rep, qazvin_unit, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    report = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(HamiError) as exc:
        document_upload(
            actor=unit_rep,
            unit=qazvin_unit,
            kind="lab_report",
            title="x",
            file=report,
            issued_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert exc.value.field == "issued_on"


def test_fast_track_accept_still_works(unit_rep, qazvin_officer, product, milk_standard):
    from hami.registry.services import unit_set_fast_track

    unit_set_fast_track(actor=qazvin_officer, unit=product.unit, enabled=True, reason="الف")
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    application_submit(actor=unit_rep, application=application)
    application_accept(actor=qazvin_officer, application=application)
    assert Application.objects.get(pk=application.pk).state == "testing"
