"""The API's authentication (session or bearer token), error handlers and the core endpoints."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from hami.core.errors import HamiError
from hami.core.models import Province
from hami.core.tokens import user_for_key


class SessionAuth(APIKeyCookie):
    """The browser's session; CSRF is checked on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key):
        return request.user if request.user.is_authenticated else None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hami_…` for labs' systems and scripts (`manage.py api_token create`)."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_key(token)
        if user is not None:
            request.user = user
        return user


AUTH = [TokenAuth(), SessionAuth()]
logger = logging.getLogger(__name__)


class Error(Schema):
    code: str
    message: str
    field: str | None = None


def _field(loc) -> str | None:
    names = [str(part) for part in loc if part not in ("body", "query", "path", "payload", "filters")]
    return ".".join(names) or None


def install_error_handlers(api) -> None:
    """Every error the API answers is {code, message, field?} in the request's language, JSON."""

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        field = _field(first.get("loc", ()))
        if field:
            message = _("The value of {field} is not valid.").format(field=field)
        else:
            message = _("The request could not be read.")
        body = {"code": "invalid", "message": message, "field": field, "errors": exc.errors}
        return api.create_response(request, body, status=422)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 403:
            message = _(
                "The request was refused: send the CSRF token with the session, or use a bearer token."
            )
        else:
            message = _("The request could not be read.")
        return api.create_response(request, {"code": "invalid", "message": message}, status=exc.status_code)

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception):
        logger.exception("API error on %s", request.path)
        message = _("Something went wrong on our side; it was logged.")
        return api.create_response(request, {"code": "server_error", "message": message}, status=500)

    @api.exception_handler(HamiError)
    def hami_error(request, exc: HamiError):
        body = {"code": str(exc.code), "message": exc.message, "field": exc.field}
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        message = str(exc) or _("Your role does not allow this.")
        return api.create_response(request, {"code": "forbidden", "message": message}, status=403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        message = str(exc) or _("Not found.")
        return api.create_response(request, {"code": "not_found", "message": message}, status=404)


router = Router(tags=["core"])


class CountyOut(Schema):
    code: str
    name_fa: str
    name_en: str


class ProvinceOut(Schema):
    code: str
    name_fa: str
    name_en: str
    counties: list[CountyOut]


class MeOut(Schema):
    username: str
    role: str
    province: str | None


@router.get("/me", response=MeOut, summary="The signed-in user and role")
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "role": user.role,
        "province": user.province.code if user.province else None,
    }


@router.get("/provinces", response=list[ProvinceOut], auth=None, summary="Provinces and their counties")
def provinces(request):
    return Province.objects.prefetch_related("counties").order_by("code")
