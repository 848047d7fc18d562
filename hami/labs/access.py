"""Who may see which labs and inspection companies (the labs issue adds orders and the directory)."""

from django.db.models import QuerySet

from hami.core.models import Role, User
from hami.labs.models import InspectionCompany, Lab


def labs_for_user(user: User) -> QuerySet[Lab]:
    """National staff see every lab, a provincial office its province's, lab staff their own lab."""
    labs = Lab.objects.select_related("province", "county")
    if not user.is_authenticated or not user.is_active:
        return labs.none()
    if user.is_national:
        return labs
    if user.role in (Role.OFFICE_STAFF, Role.INSPECTOR) and user.province_id:
        return labs.filter(province_id=user.province_id)
    if user.role == Role.LAB_STAFF:
        return labs.filter(memberships__user=user)
    return labs.none()


def companies_for_user(user: User) -> QuerySet[InspectionCompany]:
    companies = InspectionCompany.objects.select_related("province")
    if not user.is_authenticated or not user.is_active:
        return companies.none()
    if user.is_national:
        return companies
    if user.role in (Role.OFFICE_STAFF, Role.INSPECTOR) and user.province_id:
        return companies.filter(province_id=user.province_id)
    if user.role == Role.INSPECTION_COMPANY:
        return companies.filter(memberships__user=user)
    return companies.none()
