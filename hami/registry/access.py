"""Who may see and change which production units: the only way a view or endpoint reaches one."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hami.core.access import scoped
from hami.core.models import Province, Role, User
from hami.registry.models import ProductionUnit


def units_for_user(user: User) -> QuerySet[ProductionUnit]:
    """National staff see every unit, a provincial office its province, a representative its units.
    Labs and inspection companies reach units through their orders (labs issue), not the registry."""
    units = ProductionUnit.objects.select_related("province", "county")
    return scoped(units, user, members={Role.UNIT_REP: "memberships__user"})


def can_write_units(user: User, province: Province | None = None) -> bool:
    """National admins anywhere; office staff in their own province."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_national:
        return True
    return user.role == Role.OFFICE_STAFF and (province is None or province.pk == user.province_id)


def unit_for_user(user: User, public_id, *, write: bool = False) -> ProductionUnit:
    """The unit if the user may see it (404 otherwise, so other provinces' units stay unseen);
    PermissionDenied if `write` and the user may only read it."""
    try:
        unit = units_for_user(user).get(public_id=public_id)
    except (ProductionUnit.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("No production unit with this identifier is visible to you.")) from exc
    if write and not can_write_units(user, unit.province):
        raise PermissionDenied(_("You may view this unit but not change it."))
    return unit
