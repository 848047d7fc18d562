import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from hami.core.errors import Forbidden, HamiError
from hami.licensing.models import Application, ApplicationState, UnitDocument
from hami.licensing.services.applications import application_accept, application_create, application_submit
from hami.licensing.services.documents import document_attach, document_upload
from hami.registry.services import unit_set_fast_track

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_document_is_uploaded_once_and_reused(unit_rep, qazvin_unit, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    first = document_upload(
        actor=unit_rep, unit=qazvin_unit, kind="qc_certificate", title="گواهی", file=upload()
    )
    again = document_upload(
        actor=unit_rep, unit=qazvin_unit, kind="qc_certificate", title="x", file=upload("b.pdf")
    )
    assert (
        first.pk == again.pk and UnitDocument.objects.count() == 1 and first.content_type == "application/pdf"
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("evil.pdf", b"MZ\x90\x00 not a pdf"), ("empty.pdf", b""), ("x.exe", b"\x7fELF....")],
)
def test_wrong_type_or_empty_files_are_refused_without_side_effects(
    unit_rep, qazvin_unit, tmp_path, settings, name, content
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(HamiError) as exc:
        document_upload(actor=unit_rep, unit=qazvin_unit, kind="other", title="x", file=upload(name, content))
    assert exc.value.field == "file"
    assert not UnitDocument.objects.exists() and not any(tmp_path.rglob("*.*"))


@override_settings(HAMI_DOCUMENT_MAX_BYTES=100)
def test_too_large_files_are_refused(unit_rep, qazvin_unit):
    with pytest.raises(HamiError):
        document_upload(
            actor=unit_rep, unit=qazvin_unit, kind="other", title="x", file=upload(content=PDF * 10)
        )
    assert not UnitDocument.objects.exists()


def test_only_the_units_representatives_upload(qazvin_officer, qazvin_unit):
    with pytest.raises(Forbidden):
        document_upload(actor=qazvin_officer, unit=qazvin_unit, kind="other", title="x", file=upload())


def test_fast_track_with_a_recent_lab_report_goes_straight_to_the_committee(
    unit_rep, qazvin_officer, product, milk_standard, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    unit_set_fast_track(actor=qazvin_officer, unit=product.unit, enabled=True, reason="درجه الف")
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    report = document_upload(
        actor=unit_rep,
        unit=product.unit,
        kind="lab_report",
        title="گزارش آزمون",
        file=upload(),
        issued_on=timezone.localdate() - dt.timedelta(days=30),
    )
    document_attach(actor=unit_rep, application=application, document=report)
    application_submit(actor=unit_rep, application=application)
    application_accept(actor=qazvin_officer, application=application)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.READY


def test_a_lab_report_older_than_90_days_does_not_skip_testing(
    unit_rep, qazvin_officer, product, milk_standard, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    unit_set_fast_track(actor=qazvin_officer, unit=product.unit, enabled=True, reason="درجه الف")
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    old = document_upload(
        actor=unit_rep,
        unit=product.unit,
        kind="lab_report",
        title="قدیمی",
        file=upload(),
        issued_on=timezone.localdate() - dt.timedelta(days=91),
    )
    document_attach(actor=unit_rep, application=application, document=old)
    application_submit(actor=unit_rep, application=application)
    application_accept(actor=qazvin_officer, application=application)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.TESTING


def test_documents_cannot_be_attached_after_sending(unit_rep, product, milk_standard, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    application_submit(actor=unit_rep, application=application)
    document = document_upload(actor=unit_rep, unit=product.unit, kind="other", title="x", file=upload())
    with pytest.raises(HamiError):
        document_attach(actor=unit_rep, application=application, document=document)


def test_upload_page_and_scoped_download(
    client, unit_rep, tehran_officer, qazvin_officer, product, milk_standard, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    client.force_login(unit_rep)
    url = reverse("licensing:application_document", args=[application.public_id])
    client.post(url, {"kind": "lab_report", "title": "گزارش", "issued_on": "۱۴۰۵/۰۸/۰۱", "file": upload()})
    document = UnitDocument.objects.get()
    assert str(document.issued_on) == "2026-10-23" and application.documents.get() == document
    response = client.post(url, {"kind": "other", "file": upload("x.png", b"GIF89a")})
    assert UnitDocument.objects.count() == 1 and response.status_code == 302
    download = reverse("licensing:document_download", args=[document.public_id])
    client.force_login(qazvin_officer)
    assert client.get(download).status_code == 200
    client.force_login(tehran_officer)
    assert client.get(download).status_code == 404
