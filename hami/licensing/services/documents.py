"""Documents a unit uploads once and attaches to its applications."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, User
from hami.licensing import workflow
from hami.licensing.access import acts_as
from hami.licensing.error_codes import LicensingErrorCode
from hami.licensing.models import Application, ApplicationState, DocumentKind, UnitDocument
from hami.registry.models import ProductionUnit

# What a file's first bytes must be, by the type we accept (the name and the browser's type can lie).
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff(head: bytes) -> str | None:
    for content_type, prefixes in SIGNATURES.items():
        if any(head.startswith(prefix) for prefix in prefixes):
            return content_type
    return None


@transaction.atomic
def document_upload(
    *, actor: User, unit: ProductionUnit, kind: str, title: str, file, issued_on: dt.date | None = None
) -> UnitDocument:
    """Store a PDF, JPEG or PNG of at most HAMI_DOCUMENT_MAX_BYTES for the unit; the same file again
    returns the stored one. Raises Forbidden, HamiError(BAD_DOCUMENT / INVALID)."""
    if not acts_as(actor, workflow.Party.UNIT, province_id=unit.province_id, unit_id=unit.pk):
        raise Forbidden(
            LicensingErrorCode.FORBIDDEN, _("Only the unit's representatives upload its documents.")
        )
    if kind not in DocumentKind.values:
        raise HamiError(LicensingErrorCode.INVALID, _("Choose the kind of document."), field="kind")
    size = getattr(file, "size", None) or 0
    if size == 0:
        raise HamiError(LicensingErrorCode.BAD_DOCUMENT, _("The file is empty."), field="file")
    if size > settings.HAMI_DOCUMENT_MAX_BYTES:
        raise HamiError(
            LicensingErrorCode.BAD_DOCUMENT,
            _("The file is {size} MB; at most {limit} MB is accepted.").format(
                size=round(size / 2**20, 1), limit=settings.HAMI_DOCUMENT_MAX_BYTES // 2**20
            ),
            field="file",
        )
    file.seek(0)
    content_type = sniff(file.read(16))
    if content_type is None:
        raise HamiError(
            LicensingErrorCode.BAD_DOCUMENT, _("Only PDF, JPEG and PNG files are accepted."), field="file"
        )
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 16), b""):
        digest.update(chunk)
    file.seek(0)
    existing = UnitDocument.objects.filter(unit=unit, sha256=digest.hexdigest()).first()
    if existing is not None:
        return existing
    if kind == DocumentKind.LAB_REPORT and issued_on is None:
        raise HamiError(
            LicensingErrorCode.INVALID, _("Give the date the lab issued the report."), field="issued_on"
        )
    if issued_on is not None and issued_on > timezone.localdate():
        raise HamiError(
            LicensingErrorCode.INVALID, _("A report cannot be issued in the future."), field="issued_on"
        )
    document = UnitDocument(
        unit=unit,
        kind=kind,
        title=(title or "").strip()[:200] or getattr(file, "name", "")[:200],
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        issued_on=issued_on,
        uploaded_by=actor,
    )
    document.file.save(f"{digest.hexdigest()[:16]}{_EXTENSIONS[content_type]}", file, save=False)
    document.save()
    audit(
        actor=actor,
        event_type=EventType.DOCUMENT_UPLOADED,
        obj=document,
        province=unit.province,
        details={"kind": kind, "size": size, "sha256": document.sha256},
    )
    return document


_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@transaction.atomic
def document_attach(*, actor: User, application: Application, document: UnitDocument) -> Application:
    """Attach one of the unit's documents while the application is a draft or returned."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not acts_as(
        actor, workflow.Party.UNIT, province_id=application.province_id, unit_id=application.unit_id
    ):
        raise Forbidden(LicensingErrorCode.FORBIDDEN, _("Only the unit attaches its documents."))
    if document.unit_id != application.unit_id:
        raise HamiError(
            LicensingErrorCode.INVALID, _("The document belongs to another unit."), field="document"
        )
    if application.state not in (ApplicationState.DRAFT, ApplicationState.RETURNED):
        raise HamiError(
            LicensingErrorCode.WRONG_STATE, _("Documents are attached before the application is sent.")
        )
    application.documents.add(document)
    audit(
        actor=actor,
        event_type=EventType.APPLICATION_UPDATED,
        obj=application,
        province=application.province,
        details={"document_attached": str(document.public_id), "kind": document.kind},
    )
    return application


def recent_lab_report(application: Application, today: dt.date) -> UnitDocument | None:
    """An accredited lab report attached to the application, issued in the last 90 days (fast track)."""
    return (
        application.documents.filter(
            kind=DocumentKind.LAB_REPORT, issued_on__gte=today - dt.timedelta(days=90), issued_on__lte=today
        )
        .order_by("-issued_on")
        .first()
    )
