import datetime as dt

from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from hami.core.api import Error
from hami.core.ratelimit import over_limit
from hami.licensing.models import LicenceState
from hami.licensing.selectors import licence_by_tracking_code
from hami.licensing.services.complaints import complaint_file
from hami.licensing.services.keys import verify_payload
from hami.licensing.tracking import clean_tracking_code

router = Router(tags=["verification"])


class Bilingual(Schema):
    fa: str
    en: str


class VerificationOut(Schema):
    tracking_code: str
    state: LicenceState
    state_label: Bilingual
    valid: bool
    unit: Bilingual
    unit_national_id: str
    product: str
    brand: str
    model: str
    standard: str
    standard_title: Bilingual
    issuing_office: Bilingual
    issued_on: dt.date
    expires_on: dt.date


class MarkOut(Schema):
    signature: str  # valid, expired, tampered, unknown_key, malformed
    licence: VerificationOut | None


class ComplaintIn(Schema):
    text: str
    contact: str = ""


class ComplaintOut(Schema):
    id: str


def _both(label) -> dict:
    with translation.override("fa"):
        fa = str(label)
    with translation.override("en"):
        en = str(label)
    return {"fa": fa, "en": en}


def _verification(licence) -> dict:
    version = licence.current
    return {
        "tracking_code": licence.tracking_code,
        "state": licence.state,
        "state_label": _both(LicenceState(licence.state).label),
        "valid": licence.state == LicenceState.ACTIVE,
        "unit": {"fa": licence.unit.name_fa, "en": licence.unit.name_en},
        "unit_national_id": licence.unit.national_id,
        "product": version.product_name,
        "brand": version.brand,
        "model": version.model,
        "standard": licence.standard.code,
        "standard_title": {"fa": licence.standard.title_fa, "en": licence.standard.title_en},
        "issuing_office": {"fa": licence.province.name_fa, "en": licence.province.name_en},
        "issued_on": version.issued_on,
        "expires_on": licence.expires_on,
    }


def _rate_limited(request, scope: str, rate: str):
    if over_limit(request, scope, rate):
        return Status(
            429, {"code": "rate_limited", "message": _("Too many requests; try again in a minute.")}
        )
    return None


@router.get(
    "/verify/{tracking_code}",
    response={200: VerificationOut, 404: Error, 429: Error},
    auth=None,
    summary="Verify a mark by its tracking code (public)",
)
def verify_tracking_code(request, tracking_code: str):
    """Suspended, revoked and expired licences are returned with `valid: false`. 404 for unknown codes."""
    limited = _rate_limited(request, "verify", settings.HAMI_VERIFY_RATE)
    if limited:
        return limited
    code = clean_tracking_code(tracking_code)
    licence = licence_by_tracking_code(code) if code else None
    if licence is None:
        raise Http404(_("No licence has this tracking code."))
    return _verification(licence)


@router.get(
    "/verify-mark",
    response={200: MarkOut, 429: Error},
    auth=None,
    summary="Verify the signed payload of a mark's QR code (public)",
)
def verify_mark(request, payload: str):
    """`signature` says whether the payload is genuine; `licence` is its live state (null if unknown)."""
    limited = _rate_limited(request, "verify", settings.HAMI_VERIFY_RATE)
    if limited:
        return limited
    result = verify_payload(payload[:4000])
    licence = None
    if result.claims and result.verdict in ("valid", "expired"):
        licence = licence_by_tracking_code(str(result.claims["t"]))
    return {"signature": result.verdict.value, "licence": _verification(licence) if licence else None}


@router.post(
    "/verify/{tracking_code}/complaints",
    response={201: ComplaintOut, 400: Error, 429: Error},
    auth=None,
    summary="Complain about a product carrying this mark (public)",
)
def file_complaint(request, tracking_code: str, payload: ComplaintIn):
    """Stored for supervision, also for a code no licence has (a counterfeit mark)."""
    limited = _rate_limited(request, "complaint", settings.HAMI_COMPLAINT_RATE)
    if limited:
        return limited
    code = clean_tracking_code(tracking_code)
    licence = licence_by_tracking_code(code) if code else None
    complaint = complaint_file(
        licence=licence, tracking_code=tracking_code, text=payload.text, contact=payload.contact
    )
    return Status(201, {"id": str(complaint.public_id)})
