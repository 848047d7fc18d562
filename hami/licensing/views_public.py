"""Public verification of a mark, no login: by tracking code or by the signed QR payload."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hami.core.errors import HamiError
from hami.core.identifiers import clean_digits
from hami.core.ratelimit import over_limit
from hami.licensing.forms import ComplaintForm, VerifyForm
from hami.licensing.selectors import licence_by_tracking_code
from hami.licensing.services.complaints import complaint_file, complaint_reference
from hami.licensing.services.keys import verify_payload
from hami.licensing.tracking import clean_tracking_code

# A training certificate's verification code has 12 digits; a licence's tracking code 10.
CERTIFICATE_CODE_LENGTH = 12


def _too_many(request):
    return render(request, "licensing/verify_limited.html", status=429)


def verify_form(request):
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["payload"]:
            return verify_mark(request)
        if form.cleaned_data["code"]:
            typed = clean_digits(form.cleaned_data["code"])
            if len(typed) == CERTIFICATE_CODE_LENGTH and typed.isascii() and typed.isdigit():
                # A training certificate's code: its page (hami.outreach) is reached by its URL name
                # only, so the mark check does not depend on the training app.
                return redirect(reverse("certificate_verify", args=[typed]))
            code = clean_tracking_code(form.cleaned_data["code"])
            if code is None:
                return render(
                    request, "licensing/verify_form.html", {"form": form, "not_found": True}, status=404
                )
            return redirect("verify_code", code=code)
    return render(request, "licensing/verify_form.html", {"form": form})


def verify_code(request, code):
    """The licence behind a tracking code; an unknown or malformed code is a 404 that still lets the
    visitor report the product (a mark with a code no licence has is itself a case for supervision)."""
    if over_limit(request, "verify", settings.HAMI_VERIFY_RATE):
        return _too_many(request)
    clean = clean_tracking_code(code)
    licence = licence_by_tracking_code(clean) if clean else None
    context = {"licence": licence, "complaint_form": ComplaintForm(), "code": clean or code[:40]}
    if licence is None:
        return render(request, "licensing/verify_unknown.html", context, status=404)
    return render(request, "licensing/verify_result.html", context)


def verify_mark(request):
    if over_limit(request, "verify", settings.HAMI_VERIFY_RATE):
        return _too_many(request)
    payload = request.GET.get("payload", "")[:4000]
    result = verify_payload(payload)
    code = clean_tracking_code(str(result.claims["t"])) if result.verdict in ("valid", "expired") else None
    licence = licence_by_tracking_code(code) if code else None
    context = {"result": result, "licence": licence, "complaint_form": ComplaintForm()}
    return render(request, "licensing/verify_mark.html", context)


@require_http_methods(["POST"])
def complaint_new(request, code):
    if over_limit(request, "complaint", settings.HAMI_COMPLAINT_RATE):
        return _too_many(request)
    licence = licence_by_tracking_code(clean_tracking_code(code) or "")
    form = ComplaintForm(request.POST)
    if form.is_valid():
        try:
            complaint = complaint_file(licence=licence, tracking_code=code, **form.cleaned_data)
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            # The reference the complainant quotes when calling the office about it.
            context = {"licence": licence, "reference": complaint_reference(complaint)}
            return render(request, "licensing/complaint_thanks.html", context)
    template = "licensing/verify_result.html" if licence else "licensing/verify_unknown.html"
    context = {"licence": licence, "complaint_form": form, "code": code[:40]}
    return render(request, template, context, status=400)
