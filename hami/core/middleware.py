import re

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class PersianFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are in Persian unless the user chose English (the language cookie the switch sets).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and most browsers in
    Iranian offices are set to English; the plan wants Persian first. The API, used by programs,
    still follows Accept-Language.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            # LocaleMiddleware's choice (cookie, then Accept-Language) without its look for
            # i18n_patterns, which Hami does not use: this runs on every public verification.
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
            return
        chosen = (request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or "").split("-")[0].lower()
        languages = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# A JSON escape of a high surrogate not followed by a low one, or a low one not preceded by a high one.
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


class RejectNulMiddleware:
    """Refuse with 400 requests carrying a NUL character, or a lone UTF-16 surrogate in a JSON
    string, in the path, the query or the body (any body but a multipart upload, whose files may
    hold any byte).

    PostgreSQL text cannot hold NUL and no database driver can encode a lone surrogate, so such
    input would fail deep in a query; no real user types either. Form fields already refuse NUL
    (Django's ProhibitNullCharactersValidator); this covers query strings, API bodies of any
    content type (Ninja parses them all) and views that read request.POST directly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = translation.gettext(
                "The request contains a character no field accepts (NUL or a broken surrogate)."
            )
            if request.path_info.startswith("/api/"):
                return JsonResponse({"code": "invalid", "message": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query:
            return True
        if query and (
            "\x00" in "".join(request.GET.keys()) or any("\x00" in v for v in request.GET.values())
        ):
            return True
        if request.META.get("CONTENT_LENGTH", "") in ("", "0"):
            return False  # no body (Django reads none without a length)
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("multipart/"):
            return False
        body = request.body
        if b"\x00" in body or b"%00" in body or b"\\u0000" in body:
            return True
        return bool(_LONE_SURROGATE.search(body))
