"""A unit's supervision at a glance: its risk score, its step on the enforcement ladder and the way back
down, its open findings and corrective actions, its coming (announced) visits and its cases. The detail
lives on each area's page; this one links them. `mine` takes a unit representative to it."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from hami.core.models import Role
from hami.registry.access import unit_for_user, units_for_user
from hami.supervision.access import (
    findings_for_user,
    inspections_for_user,
    is_office,
    market_cases_for_user,
)
from hami.supervision.models import (
    LIVE_ACTION_STATES,
    ActionState,
    CaseState,
    CorrectiveAction,
    FindingState,
    InspectionState,
    Step,
)
from hami.supervision.selectors import unit_score
from hami.supervision.selectors_ladder import OVERDUE_STATES, unit_ladder
from hami.supervision.services.ladder import way_back_text


@login_required
def mine(request):
    """A representative's units: straight to the overview when there is one; staff go to the rankings."""
    if request.user.role != Role.UNIT_REP:
        return redirect("supervision:scores_list")
    units = list(units_for_user(request.user).order_by("name_fa"))
    if len(units) == 1:
        return redirect("supervision:unit_overview", public_id=units[0].public_id)
    return render(request, "supervision/units/mine.html", {"units": units})


@login_required
def unit_overview(request, public_id):
    user = request.user
    unit = unit_for_user(user, public_id)
    today = timezone.localdate()
    state = unit_ladder(unit, today=today, office=is_office(user, unit.province_id))
    findings = findings_for_user(user).filter(unit=unit, state=FindingState.OPEN)
    actions = CorrectiveAction.objects.filter(finding__in=findings, state__in=LIVE_ACTION_STATES).aggregate(
        live=Count("pk"),
        to_propose=Count("pk", filter=Q(state=ActionState.PROPOSED)),
        overdue=Count("pk", filter=Q(state__in=OVERDUE_STATES, due_on__lt=today)),
    )
    visits = (
        inspections_for_user(user)
        .filter(unit=unit, state=InspectionState.PLANNED, scheduled_on__gte=today)
        .order_by("scheduled_on")[:5]
    )
    context = {
        "unit": unit,
        "score": unit_score(unit),
        "ladder": state,
        "step_label": Step(int(state.step)).label,
        "way_back": way_back_text(state.way_back),
        "open_findings": findings.count(),
        "without_action": findings.exclude(actions__state__in=LIVE_ACTION_STATES).count(),
        "actions": actions,
        "visits": list(visits),
        "open_cases": market_cases_for_user(user).filter(unit=unit).exclude(state=CaseState.CLOSED).count(),
    }
    return render(request, "supervision/units/overview.html", context)


urlpatterns = [
    path("mine/", mine, name="mine"),
    path("units/<uuid:public_id>/", unit_overview, name="unit_overview"),
]
