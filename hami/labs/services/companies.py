"""Inspection companies: approved private bodies that take samples, their scope and staff."""

from django.db import transaction
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, Province, Role, User
from hami.core.persian import normalize_text
from hami.labs.access import is_office_for
from hami.labs.error_codes import LabsErrorCode
from hami.labs.models import ApprovalStatus, CompanyMembership, InspectionCompany
from hami.standards.models import ProductCategory


@transaction.atomic
def company_create(
    *,
    actor: User,
    province: Province,
    name_fa: str,
    name_en: str = "",
    phone: str = "",
    categories: list[ProductCategory] | None = None,
) -> InspectionCompany:
    if not is_office_for(actor, province.pk):
        raise Forbidden(
            LabsErrorCode.FORBIDDEN, _("Only the provincial office registers inspection companies.")
        )
    name_fa = normalize_text(name_fa)
    if not name_fa:
        raise HamiError(LabsErrorCode.INVALID, _("Give the company's name."), field="name_fa")
    company = InspectionCompany.objects.create(
        province=province, name_fa=name_fa, name_en=normalize_text(name_en), phone=phone.strip()
    )
    company.categories.set(categories or [])
    audit(actor=actor, event_type=EventType.COMPANY_CREATED, obj=company, province=province)
    return company


@transaction.atomic
def company_update(
    *,
    actor: User,
    company: InspectionCompany,
    reason: str,
    status: str | None = None,
    categories: list[ProductCategory] | None = None,
    staff: list[User] | None = None,
) -> InspectionCompany:
    """Approve, suspend, reinstate or revoke a company, or change its scope (product categories) or
    its staff (users of the inspection-company role). Needs a reason; leaves an audit event."""
    if not is_office_for(actor, company.province_id):
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("Only the company's provincial office may change it."))
    reason = normalize_text(reason)
    if not reason:
        raise HamiError(LabsErrorCode.INVALID, _("Write the reason for this change."), field="reason")
    details: dict = {}
    if status is not None:
        if status not in ApprovalStatus.values:
            raise HamiError(LabsErrorCode.INVALID, _("Choose a status."), field="status")
        if company.status == ApprovalStatus.REVOKED and status != ApprovalStatus.REVOKED:
            raise HamiError(
                LabsErrorCode.WRONG_STATE, _("A revoked company cannot be reinstated."), field="status"
            )
        details["status"] = [company.status, status]
        company.status = status
        company.save(update_fields=["status", "updated_at"])
    if categories is not None:
        details["categories"] = sorted(category.code for category in categories)
        company.categories.set(categories)
    if staff is not None:
        wrong = [user.username for user in staff if user.role != Role.INSPECTION_COMPANY]
        if wrong:
            raise HamiError(
                LabsErrorCode.INVALID,
                _("These users do not have the inspection-company role: {names}.").format(
                    names=", ".join(wrong)
                ),
                field="staff",
            )
        CompanyMembership.objects.filter(company=company).exclude(user__in=staff).delete()
        for user in staff:
            CompanyMembership.objects.get_or_create(company=company, user=user)
        details["staff"] = sorted(user.username for user in staff)
    audit(
        actor=actor,
        event_type=EventType.COMPANY_UPDATED,
        obj=company,
        province=company.province,
        reason=reason,
        details=details,
    )
    return company
