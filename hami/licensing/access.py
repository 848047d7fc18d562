"""Who may see and act on which applications and licences."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hami.core.access import scoped
from hami.core.models import Role, User
from hami.licensing.models import Application, CommitteeMeeting, Licence
from hami.licensing.workflow import Party


def applications_for_user(user: User) -> QuerySet[Application]:
    """National staff see all, a provincial office its province, a representative its units'."""
    applications = Application.objects.select_related("unit", "product", "standard", "province")
    return scoped(applications, user, members={Role.UNIT_REP: "unit__memberships__user"})


def application_for_user(user: User, public_id) -> Application:
    try:
        return applications_for_user(user).get(public_id=public_id)
    except (Application.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("No application with this identifier is visible to you.")) from exc


def licences_for_user(user: User) -> QuerySet[Licence]:
    licences = Licence.objects.select_related("unit", "standard", "province", "current")
    return scoped(licences, user, members={Role.UNIT_REP: "unit__memberships__user"})


def licence_for_user(user: User, public_id) -> Licence:
    try:
        return licences_for_user(user).get(public_id=public_id)
    except (Licence.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("No licence with this identifier is visible to you.")) from exc


def acts_as(user: User, party: Party, *, province_id: int, unit_id: int) -> bool:
    """Whether `user` may act as `party` for a unit (and its province)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if party == Party.UNIT:
        return user.role == Role.UNIT_REP and user.unit_memberships.filter(unit_id=unit_id).exists()
    office = user.is_national or (user.role == Role.OFFICE_STAFF and user.province_id == province_id)
    if party == Party.INSPECTOR:
        return office or (user.role == Role.INSPECTOR and user.province_id == province_id)
    return office  # OFFICE, and COMMITTEE decisions recorded by office staff


def meetings_for_user(user: User) -> QuerySet[CommitteeMeeting]:
    """Office staff, inspectors and national admins see their province's committee meetings."""
    return scoped(CommitteeMeeting.objects.select_related("province"), user)


def meeting_for_user(user: User, pk) -> CommitteeMeeting:
    try:
        return meetings_for_user(user).get(pk=int(pk))
    except (CommitteeMeeting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No committee meeting with this number is visible to you.")) from exc
