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
            return super().process_request(request)
        chosen = (request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or "").split("-")[0].lower()
        languages = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """Refuse requests carrying a NUL character in the path, the query or a JSON body with 400.

    PostgreSQL text cannot hold NUL, so such input would fail deep in a query; no real user types
    one. Form fields already refuse it (Django's ProhibitNullCharactersValidator); this covers the
    query strings and JSON bodies that reach querysets directly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = translation.gettext("The request contains a NUL character, which no field accepts.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"code": "invalid", "message": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if "\x00" in "".join(request.GET.keys()) or any("\x00" in v for v in request.GET.values()):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("application/json"):
            body = request.body
            return b"\\u0000" in body or b"\x00" in body
        return False
