"""Who may see and do what in supervision. One section per area; each aggregate has its `<x>s_for_user`
queryset and `<x>_for_user(user, public_id)` getter (404 with a clear message), the only way a view or
endpoint reaches an object.

- Office staff of the province (and national admins): everything of the province.
- Inspectors of the province: read everything of the province; carry out their own inspections.
- A unit representative: its own unit's scores, findings, corrective actions, ladder steps, cases; never
  another unit's, never a plan or an unannounced visit before it happens.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hami.core.access import scoped
from hami.core.models import Role, User
from hami.supervision.models import RiskAssessment


def _get(queryset: QuerySet, message: str, **lookup):
    """One object of a scoped queryset, or a 404 with `message` (also for a malformed identifier)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(message) from exc


def is_office(user: User, province_id: int | None = None) -> bool:
    """Office staff (of `province_id` when given) or a national admin: who decides in supervision."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_national:
        return True
    return (
        user.role == Role.OFFICE_STAFF
        and bool(user.province_id)
        and (province_id is None or user.province_id == province_id)
    )


def unit_ids_of(user: User) -> list[int]:
    """The units a unit representative acts for (empty for everyone else)."""
    if not user.is_authenticated or user.role != Role.UNIT_REP:
        return []
    return list(user.unit_memberships.values_list("unit_id", flat=True))


UNIT_MEMBERS = {Role.UNIT_REP: "unit__memberships__user"}


# ---------------------------------------------------------------- risk assessments


def may_assess(user: User, province_id: int | None = None) -> bool:
    """Office staff and inspectors (of `province_id` when given), or a national admin."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_national:
        return True
    if user.role not in (Role.OFFICE_STAFF, Role.INSPECTOR) or not user.province_id:
        return False
    return province_id is None or user.province_id == province_id


def assessments_for_user(user: User) -> QuerySet[RiskAssessment]:
    """Every assessment for national staff, the province's for its office and inspectors, none otherwise."""
    assessments = RiskAssessment.objects.select_related(
        "province", "category", "unit", "product", "assessed_by"
    )
    return scoped(assessments, user)


def assessment_for_user(user: User, public_id) -> RiskAssessment:
    try:
        return assessments_for_user(user).get(public_id=public_id)
    except (RiskAssessment.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("No risk assessment with this identifier is visible to you.")) from exc


# ---------------------------------------------------------------- scores and the instruction


# ---------------------------------------------------------------- plans


# ---------------------------------------------------------------- inspections, findings, corrective actions


# ---------------------------------------------------------------- ladder and points


# ---------------------------------------------------------------- market cases and complaints
