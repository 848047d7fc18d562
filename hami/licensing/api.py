import datetime as dt
import functools
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from ninja import Router, Schema, Status

from hami.core.api import Error
from hami.core.ratelimit import over_limit
from hami.licensing.models import LicenceState
from hami.licensing.selectors import PublicLicence, licence_by_tracking_code, public_licence
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


@functools.cache
def _state_label(state: str) -> dict:
    return _both(LicenceState(state).label)


def _verification(licence: PublicLicence) -> dict:
    """VerificationOut as JSON-ready values (dates as ISO strings)."""
    return {
        "tracking_code": licence.tracking_code,
        "state": licence.state,
        "state_label": _state_label(licence.state),
        "valid": licence.state == LicenceState.ACTIVE,
        "unit": {"fa": licence.unit_fa, "en": licence.unit_en},
        "unit_national_id": licence.unit_national_id,
        "product": licence.product,
        "brand": licence.brand,
        "model": licence.model,
        "standard": licence.standard,
        "standard_title": {"fa": licence.standard_title_fa, "en": licence.standard_title_en},
        "issuing_office": {"fa": licence.office_fa, "en": licence.office_en},
        "issued_on": licence.issued_on.isoformat(),
        "expires_on": licence.expires_on.isoformat(),
    }


def _rate_limited(request, scope: str, rate: str):
    if over_limit(request, scope, rate):
        return Status(
            429, {"code": "rate_limited", "message": _("Too many requests; try again in a minute.")}
        )
    return None


@require_safe
def verification_view(request, tracking_code: str) -> HttpResponse:
    """GET /api/v1/verify/{tracking_code}, answered by a plain Django view.

    This is Hami's busiest request (every scan of every mark), so config/urls.py routes it here
    ahead of Ninja, whose per-request work (parameter models, the temporal response) cost a sixth
    of the request's CPU (bench/README.md). The Ninja operation below describes it in the OpenAPI
    schema and answers the same way by calling this function; test_verify checks both."""
    if over_limit(request, "verify", settings.HAMI_VERIFY_RATE):
        message = _("Too many requests; try again in a minute.")
        return JsonResponse({"code": "rate_limited", "message": message}, status=429)
    code = clean_tracking_code(tracking_code)
    licence = public_licence(code) if code else None
    if licence is None:
        message = _("No licence has this tracking code.")
        return JsonResponse({"code": "not_found", "message": message}, status=404)
    return HttpResponse(json.dumps(_verification(licence)), content_type="application/json")


@router.get(
    "/verify/{tracking_code}",
    response={200: VerificationOut, 404: Error, 429: Error},
    auth=None,
    summary="Verify a mark by its tracking code (public)",
)
def verify_tracking_code(request, tracking_code: str):
    """Suspended, revoked and expired licences are returned with `valid: false`. 404 for unknown codes."""
    return verification_view(request, tracking_code)


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
        licence = public_licence(str(result.claims["t"]))
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
