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


def may_read_policy(user: User) -> bool:
    """Office staff and inspectors of any province, and national admins, read the instruction."""
    return may_assess(user)


def may_set_policy(user: User) -> bool:
    """Only a national admin changes the instruction (it is the same for every province)."""
    return user.is_authenticated and user.is_active and user.is_national


def may_rank(user: User) -> bool:
    """Office staff and inspectors (their province's ranking) and national admins (any province's)."""
    return may_assess(user)


def may_recompute(user: User) -> bool:
    """Office staff of any province and national admins may start a rescoring (it scores every unit)."""
    return is_office(user)


def scores_for_user(user: User) -> QuerySet:
    """The current run's scores the user may see: all for national admins, the province's for its office
    staff and inspectors, its own units' for a unit representative, none otherwise."""
    from hami.supervision.selectors import current_scores

    return scoped(current_scores(), user, members=UNIT_MEMBERS)


# ---------------------------------------------------------------- plans
# Imported here, not at the top: each area's helper keeps to its own section of this file.
from django.db.models import Q as _Q  # noqa: E402

from hami.supervision.models import Inspection, InspectionPlan, InspectionState, PlanState  # noqa: E402


def may_plan(user: User, province_id: int | None = None) -> bool:
    """Office staff of the province, or a national admin: generate, review, publish, withdraw plans."""
    return is_office(user, province_id)


def may_see_plans(user: User) -> bool:
    """The office (every plan of the province) and the province's inspectors (published plans)."""
    if is_office(user):
        return True
    return user.is_authenticated and user.is_active and user.role == Role.INSPECTOR and bool(user.province_id)


def plans_for_user(user: User) -> QuerySet[InspectionPlan]:
    """All plans for national staff, the province's for its office, the province's published plans for its
    inspectors; none for anyone else (a unit never sees a plan)."""
    plans = InspectionPlan.objects.select_related("province", "created_by", "published_by")
    if not user.is_authenticated or not user.is_active:
        return plans.none()
    if user.is_national:
        return plans
    if user.role == Role.OFFICE_STAFF and user.province_id:
        return plans.filter(province_id=user.province_id)
    if user.role == Role.INSPECTOR and user.province_id:
        return plans.filter(province_id=user.province_id, state=PlanState.PUBLISHED)
    return plans.none()


def plan_for_user(user: User, public_id) -> InspectionPlan:
    message = _("No inspection plan with this identifier is visible to you.")
    return _get(plans_for_user(user), message, public_id=public_id)


def calendar_visits_for_user(user: User) -> QuerySet:
    """The office calendar: the province's visits of published plans and ad-hoc ones (a draft's or a
    withdrawn plan's only once started), for the office and the province's inspectors; none otherwise."""
    visits = Inspection.objects.select_related("unit", "county", "inspector", "plan")
    live = (
        _Q(plan__isnull=True)
        | _Q(plan__state=PlanState.PUBLISHED)
        | _Q(state__in=[InspectionState.IN_PROGRESS, InspectionState.DONE])
    )
    if not may_see_plans(user):
        return visits.none()
    if user.is_national:
        return visits.filter(live)
    return visits.filter(live, province_id=user.province_id)


# ---------------------------------------------------------------- inspections, findings, corrective actions
# Imported here, not at the top: each area's helper keeps to its own section of this file.
from django.db.models import Q  # noqa: E402

from hami.supervision import models as sm  # noqa: E402

STARTED_STATES = [sm.InspectionState.IN_PROGRESS, sm.InspectionState.DONE]


def is_inspector(user: User, province_id: int | None = None) -> bool:
    """An active inspector (of `province_id` when given): carries out the visits assigned to them."""
    if not user.is_authenticated or not user.is_active or user.role != Role.INSPECTOR:
        return False
    return bool(user.province_id) and (province_id is None or user.province_id == province_id)


def may_carry_out(user: User, inspection: sm.Inspection) -> bool:
    """Only the assigned inspector starts a visit, answers its checklist, records findings, finishes it."""
    return is_inspector(user, inspection.province_id) and inspection.inspector_id == user.pk


def _visit_published() -> Q:
    """A visit of a draft or withdrawn plan exists only for the office until it happens."""
    return Q(plan__isnull=True) | Q(plan__state=sm.PlanState.PUBLISHED) | Q(state__in=STARTED_STATES)


def inspections_for_user(user: User) -> QuerySet[sm.Inspection]:
    """National staff: all; office staff: the province's; inspectors: the province's visits of published
    plans and ad-hoc ones; a unit: its own such visits, an unannounced one only once it has started."""
    visits = sm.Inspection.objects.select_related(
        "unit", "county", "province", "inspector", "plan", "checklist", "site"
    )
    if not user.is_authenticated or not user.is_active:
        return visits.none()
    if user.is_national:
        return visits
    if user.role == Role.OFFICE_STAFF and user.province_id:
        return visits.filter(province_id=user.province_id)
    if user.role == Role.INSPECTOR and user.province_id:
        return visits.filter(_visit_published(), province_id=user.province_id)
    if user.role == Role.UNIT_REP:
        announced = Q(unannounced=False) | Q(state__in=STARTED_STATES)
        return visits.filter(_visit_published(), announced, unit__memberships__user=user)
    return visits.none()


def inspection_for_user(user: User, public_id) -> sm.Inspection:
    return _get(
        inspections_for_user(user),
        _("No inspection with this identifier is visible to you."),
        public_id=public_id,
    )


def findings_for_user(user: User) -> QuerySet[sm.Finding]:
    """The province's findings for its office and inspectors; a unit's own once the visit is finished."""
    findings = sm.Finding.objects.select_related("inspection", "unit", "item", "licence", "repeat_of")
    findings = scoped(findings, user, members={Role.UNIT_REP: "unit__memberships__user"})
    if user.is_authenticated and user.role == Role.UNIT_REP:
        findings = findings.filter(inspection__state=sm.InspectionState.DONE)
    return findings


def finding_for_user(user: User, public_id) -> sm.Finding:
    return _get(
        findings_for_user(user), _("No finding with this identifier is visible to you."), public_id=public_id
    )


def actions_for_user(user: User) -> QuerySet[sm.CorrectiveAction]:
    actions = sm.CorrectiveAction.objects.select_related("finding", "finding__inspection", "unit")
    actions = scoped(actions, user, members={Role.UNIT_REP: "unit__memberships__user"})
    if user.is_authenticated and user.role == Role.UNIT_REP:
        actions = actions.filter(finding__inspection__state=sm.InspectionState.DONE)
    return actions


def action_for_user(user: User, public_id) -> sm.CorrectiveAction:
    return _get(
        actions_for_user(user),
        _("No corrective action with this identifier is visible to you."),
        public_id=public_id,
    )


def is_unit_rep_of(user: User, unit_id: int) -> bool:
    """A representative of this unit: proposes and carries out its corrective actions."""
    return unit_id in unit_ids_of(user)


def checklists_for_user(user: User) -> QuerySet[sm.Checklist]:
    """Checklists are national reference data: every supervision staff member and unit reads them."""
    checklists = sm.Checklist.objects.select_related("standard")
    if not user.is_authenticated or not user.is_active:
        return checklists.none()
    if may_assess(user) or user.role == Role.UNIT_REP:
        return checklists
    return checklists.none()


def checklist_for_user(user: User, code: str) -> sm.Checklist:
    return _get(checklists_for_user(user), _("No checklist with this code is visible to you."), code=code)


def may_edit_checklists(user: User) -> bool:
    """The national admin keeps the checklists (one set for the whole country)."""
    return user.is_authenticated and user.is_active and user.is_national


# ---------------------------------------------------------------- ladder and points
# Imported here, not at the top: each area's helper keeps to its own section of this file.
from hami.supervision.models import LadderDecision  # noqa: E402


def may_decide_ladder(user: User, province_id: int | None = None) -> bool:
    """Office staff of the unit's province, or a national admin, decide a unit's step."""
    return is_office(user, province_id)


def ladder_decisions_for_user(user: User) -> QuerySet[LadderDecision]:
    decisions = LadderDecision.objects.select_related("unit", "province", "licence", "decided_by", "referral")
    return scoped(decisions, user, members=UNIT_MEMBERS)


def measure_provinces_for_user(user: User, province=None):
    """The provinces whose coercive share the user reads: `[province]` when one is asked for, else the
    office's own, or None (every province) for national staff. PermissionDenied for anyone but office and
    national staff, and for office staff asking for another province."""
    from django.core.exceptions import PermissionDenied

    if not is_office(user):
        raise PermissionDenied(_("Only office staff and national staff read the share of coercive measures."))
    if province is not None:
        if not is_office(user, province.pk):
            raise PermissionDenied(_("You may read the measures of your own province only."))
        return [province]
    if user.is_national:
        return None
    return [user.province]


# ---------------------------------------------------------------- market cases and complaints
# Imported here, not at the top: each area's helper keeps to its own section of this file.
from hami.licensing.models import Complaint  # noqa: E402
from hami.supervision.models import MarketCase  # noqa: E402


def may_handle_cases(user: User, province_id: int | None = None) -> bool:
    """Office staff and inspectors (of `province_id` when given), or a national admin: who sees the
    province's market cases and complaints, reports a mark and starts an investigation. Closing a case
    and triaging a complaint are the office's (`is_office`)."""
    return may_assess(user, province_id)


def may_see_contact(user: User, province_id: int | None) -> bool:
    """A complainant's contact is the office's only: its staff (of the case's province) and national
    admins; never the unit complained about, nor inspectors."""
    if province_id is None:  # a complaint with an unknown tracking code, not yet triaged
        return user.is_authenticated and user.is_active and user.is_national
    return is_office(user, province_id)


def market_cases_for_user(user: User) -> QuerySet[MarketCase]:
    """All for national staff; the province's for its office and inspectors; a unit's own for its
    representatives."""
    cases = MarketCase.objects.select_related(
        "province", "unit", "licence", "sample", "report", "opened_by", "closed_by"
    )
    return scoped(cases, user, members=UNIT_MEMBERS)


def market_case_for_user(user: User, public_id) -> MarketCase:
    message = _("No market surveillance case with this identifier is visible to you.")
    return _get(market_cases_for_user(user), message, public_id=public_id)


def complaints_for_user(user: User) -> QuerySet[Complaint]:
    """Complaints (licensing) with their case, if triaged. National staff: all, also those with an unknown
    tracking code (no province). Office and inspectors: the province's cases and its untriaged
    complaints. A unit representative: the triaged complaints about its own unit. Templates and the API
    show the contact only where `may_see_contact`."""
    complaints = Complaint.objects.select_related(
        "licence", "province", "case__province", "case__unit", "case__licence", "case__assigned_to",
        "case__inspection", "case__triaged_by", "case__closed_by",
    )  # fmt: skip
    if not user.is_authenticated or not user.is_active:
        return complaints.none()
    if user.is_national:
        return complaints
    if user.role in (Role.OFFICE_STAFF, Role.INSPECTOR) and user.province_id:
        province = user.province_id
        return complaints.filter(case__province_id=province) | complaints.filter(
            case__isnull=True, province_id=province
        )
    if user.role == Role.UNIT_REP:
        return complaints.filter(case__unit__memberships__user=user)
    return complaints.none()


def complaint_for_user(user: User, public_id) -> Complaint:
    message = _("No complaint with this identifier is visible to you.")
    return _get(complaints_for_user(user), message, public_id=public_id)
