"""Fixtures of the inspection tests: visits of `qazvin_unit` carried out by `qazvin_inspector` through the
services, findings on the seeded general checklist, and small files that pass (or fail) the type sniffing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import make_user
from hami.core.models import Role
from hami.supervision.models import AnswerResult, InspectionKind
from hami.supervision.services.inspections import (
    checklist_answer,
    finding_record,
    inspection_finish,
    inspection_schedule,
    inspection_start,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def jpeg(name="photo.jpg"):
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def pdf(name="records.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake(name="virus.jpg"):
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a photo", content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def other_inspector(qazvin):
    return make_user("qazvin-inspector-2", Role.INSPECTOR, qazvin)


@pytest.fixture
def tehran_inspector(tehran):
    return make_user("tehran-inspector", Role.INSPECTOR, tehran)


def schedule(officer, unit, inspector, *, day=None, kind=InspectionKind.COMPLAINT, **extra):
    return inspection_schedule(
        actor=officer,
        unit=unit,
        inspector=inspector,
        scheduled_on=day or timezone.localdate(),
        kind=kind,
        note=extra.pop("note", "A complaint about the labels"),
        **extra,
    )


def items_of(visit):
    return list(visit.checklist.items.order_by("order", "pk"))


def answer_all(visit, inspector, result=AnswerResult.CONFORMS, *, skip=()):
    for item in items_of(visit):
        if item.code not in skip:
            checklist_answer(actor=inspector, inspection=visit, item=item, result=result)


@pytest.fixture
def visit(qazvin_officer, qazvin_unit, qazvin_inspector):
    """A visit of today, planned."""
    return schedule(qazvin_officer, qazvin_unit, qazvin_inspector)


@pytest.fixture
def started(visit, qazvin_inspector):
    return inspection_start(actor=qazvin_inspector, inspection=visit)


def finish_with_finding(
    visit, inspector, *, code="test-records", severity="major", safety=False, summary="Done"
):
    """Answer every item, one nonconforming with its finding, and finish: the finding."""
    answer_all(visit, inspector, skip=(code,))
    item = visit.checklist.items.get(code=code)
    finding = finding_record(
        actor=inspector,
        inspection=visit,
        severity=severity,
        text="No test records for May",
        item=item,
        safety=safety,
    )
    inspection_finish(actor=inspector, inspection=visit, summary=summary, checked={})
    finding.refresh_from_db()
    return finding


@pytest.fixture
def finding(started, qazvin_inspector):
    """An open major finding of a finished visit, visible to the unit."""
    return finish_with_finding(started, qazvin_inspector)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)
