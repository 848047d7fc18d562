"""Who may see which labs and inspection companies (the labs issue adds orders and the directory)."""

from django.db.models import QuerySet

from hami.core.access import scoped
from hami.core.models import Role, User
from hami.labs.models import InspectionCompany, Lab


def labs_for_user(user: User) -> QuerySet[Lab]:
    """National staff see every lab, a provincial office its province's, lab staff their own lab."""
    labs = Lab.objects.select_related("province", "county")
    return scoped(labs, user, members={Role.LAB_STAFF: "memberships__user"})


def companies_for_user(user: User) -> QuerySet[InspectionCompany]:
    companies = InspectionCompany.objects.select_related("province")
    return scoped(companies, user, members={Role.INSPECTION_COMPANY: "memberships__user"})
