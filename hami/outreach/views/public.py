"""The public check of a training certificate by its verification code, no login."""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from hami.core.ratelimit import over_limit
from hami.outreach.services.certificates import certificate_by_code, certificate_verification


@require_safe
def certificate_verify(request, code):
    """Holder (national code partly masked), course, dates and standing of a certificate; an unknown or
    malformed code is a 404 that says so. Rate-limited like the licence check (HAMI_VERIFY_RATE)."""
    if over_limit(request, "verify", settings.HAMI_VERIFY_RATE):
        return render(request, "outreach/training/verify_limited.html", status=429)
    certificate = certificate_by_code(code)
    if certificate is None:
        context = {"code": str(code)[:40]}
        return render(request, "outreach/training/certificate_unknown.html", context, status=404)
    context = {
        "certificate": certificate,
        "result": certificate_verification(certificate, today=timezone.localdate()),
    }
    return render(request, "outreach/training/certificate_verify.html", context)
