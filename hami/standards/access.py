"""The catalogue is read by every signed-in user and changed only by national admins (INSO headquarters)."""

from django.http import Http404
from django.utils.translation import gettext as _

from hami.core.models import User
from hami.standards.models import ProductCategory, Standard


def can_write_catalogue(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_national)


def standard_for_user(user: User, pk) -> Standard:
    """Any signed-in user may read any standard; 404 if there is none."""
    try:
        return Standard.objects.prefetch_related("requirements", "categories").get(pk=int(pk))
    except (Standard.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No standard with this identifier.")) from exc


def category_for_user(user: User, code: str) -> ProductCategory:
    try:
        return ProductCategory.objects.prefetch_related("standards").get(code=code)
    except ProductCategory.DoesNotExist as exc:
        raise Http404(_("No product category with this code.")) from exc
