"""Who may see and act on which labs, inspection companies, samples and test orders."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hami.core.access import scoped
from hami.core.models import Role, User
from hami.labs.models import InspectionCompany, Lab, Sample, TestOrder


def labs_for_user(user: User) -> QuerySet[Lab]:
    """National staff see every lab, a provincial office its province's, lab staff their own lab."""
    labs = Lab.objects.select_related("province", "county")
    return scoped(labs, user, members={Role.LAB_STAFF: "memberships__user"})


def lab_for_user(user: User, public_id) -> Lab:
    try:
        return labs_for_user(user).get(public_id=public_id)
    except (Lab.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("No lab with this identifier is visible to you.")) from exc


def companies_for_user(user: User) -> QuerySet[InspectionCompany]:
    companies = InspectionCompany.objects.select_related("province")
    return scoped(companies, user, members={Role.INSPECTION_COMPANY: "memberships__user"})


def company_for_user(user: User, public_id) -> InspectionCompany:
    try:
        return companies_for_user(user).get(public_id=public_id)
    except (InspectionCompany.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("No inspection company with this identifier is visible to you.")) from exc


def samples_for_user(user: User) -> QuerySet[Sample]:
    """The office and inspectors: their province's samples; a company: the samples it took; a unit: its
    own; a lab: the samples it has orders for."""
    samples = Sample.objects.select_related("unit", "product", "standard", "province", "company")
    if user.is_authenticated and user.role == Role.LAB_STAFF:
        return samples.filter(orders__lab__memberships__user=user).distinct()
    return scoped(
        samples,
        user,
        members={
            Role.INSPECTION_COMPANY: "company__memberships__user",
            Role.UNIT_REP: "unit__memberships__user",
        },
    )


def sample_for_user(user: User, public_id) -> Sample:
    try:
        return samples_for_user(user).get(public_id=public_id)
    except (Sample.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("No sample with this identifier is visible to you.")) from exc


def orders_for_user(user: User) -> QuerySet[TestOrder]:
    """A lab sees only its own orders; the office its province's; a unit the orders on its samples."""
    orders = TestOrder.objects.select_related("lab", "sample", "sample__unit", "sample__product", "province")
    return scoped(
        orders,
        user,
        members={Role.LAB_STAFF: "lab__memberships__user", Role.UNIT_REP: "sample__unit__memberships__user"},
    )


def order_for_user(user: User, public_id) -> TestOrder:
    try:
        return orders_for_user(user).get(public_id=public_id)
    except (TestOrder.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("No test order with this identifier is visible to you.")) from exc


def is_office_for(user: User, province_id: int) -> bool:
    """Office staff of the province, or a national admin: the people who decide."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_national or (user.role == Role.OFFICE_STAFF and user.province_id == province_id)


def may_take_samples(user: User, province_id: int, company: InspectionCompany | None = None) -> bool:
    """Inspectors and office staff of the province, or staff of an approved inspection company."""
    if not user.is_authenticated or not user.is_active:
        return False
    if company is not None:
        return user.role == Role.INSPECTION_COMPANY and company.memberships.filter(user=user).exists()
    if user.is_national:
        return True
    return user.role in (Role.OFFICE_STAFF, Role.INSPECTOR) and user.province_id == province_id


def is_lab_staff(user: User, lab: Lab) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.LAB_STAFF
        and lab.memberships.filter(user=user).exists()
    )
