"""Who may see and write product risk assessments: office staff and inspectors of the province, national
admins. Nobody else, not even the unit assessed (issue 6 shows a unit its own risk through its score)."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hami.core.access import scoped
from hami.core.models import Role, User
from hami.supervision.models import RiskAssessment


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
