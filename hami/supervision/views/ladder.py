"""Pages of the enforcement ladder, negative points and the coercive share (points 6 and 9): a unit's ladder
(its step, decisions, points and the way back down), the office's decision form, the office's list of units
by step, and the share of coercive measures by month. Thin: access helpers, one service call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hami.core.errors import HamiError
from hami.licensing.models import LicenceState
from hami.registry.access import unit_for_user, units_for_user
from hami.supervision import ladder
from hami.supervision.access import (
    is_office,
    may_decide_ladder,
    measure_provinces_for_user,
)
from hami.supervision.forms_ladder import LadderDecisionForm, LadderListForm, MeasuresForm, proposal_initial
from hami.supervision.models import FindingState, Step
from hami.supervision.selectors_ladder import (
    Cell,
    coercive_share,
    default_range,
    unit_ladder,
    units_with_steps,
)
from hami.supervision.services.ladder import ladder_decide, num, way_back_text

PAGE_SIZE = 50


def _rungs(current: int) -> list[dict]:
    """The ladder drawn top-down: revocation first, the unit's rung marked."""
    return [
        {
            "value": int(step),
            "label": step.label,
            "current": step == current,
            "below": step < current,
            "coercive": step in ladder.COERCIVE,
        }
        for step in reversed(Step)
    ]


def point_reason_label(key: str) -> str:
    labels = {
        "critical": _("Critical finding"),
        "major": _("Major finding"),
        "minor": _("Minor finding"),
        "deadline_missed": _("Corrective-action deadline missed"),
        "repeated_finding": _("Repeated finding"),
    }
    return labels.get(key, key)


def _proposal_reasons(proposal) -> list[str]:
    """The proposal's reasons as sentences."""
    if proposal is None:
        return []
    texts = {
        "critical_safety": _("{count} new critical safety findings"),
        "deadline_missed": _("{count} corrective-action deadlines missed"),
        "repeated_finding": _("{count} repeated findings"),
        "market_case": _("{count} market-surveillance cases"),
        "points": _("{count} active negative points"),
        "finding": _("{count} new findings"),
        "clean_days": _("every finding corrected and {count} clean days passed"),
    }
    return [texts[code].format(count=num(count)) for code, count in proposal.reasons if code in texts]


@login_required
def ladder_unit(request, public_id):
    """A unit's step on the ladder: for its representatives, the office and the province's inspectors."""
    unit = unit_for_user(request.user, public_id)
    office = may_decide_ladder(request.user, unit.province_id)
    state = unit_ladder(unit, today=timezone.localdate(), office=office)
    for point in state.points:
        point.label = point_reason_label(point.reason)
    context = {
        "unit": unit,
        "state": state,
        "office": office,
        "rungs": _rungs(state.step),
        "way_back": way_back_text(state.way_back),
        "step_label": Step(state.step).label,
        "proposal_label": Step(state.proposal.step).label if state.proposal else "",
        "proposal_reasons": _proposal_reasons(state.proposal),
    }
    return render(request, "supervision/ladder/unit.html", context)


def _default_licence(unit, state):
    """The licence a suspension, revocation or reinstatement most likely names."""
    if state.decision is not None and state.decision.licence_id:
        return state.decision.licence
    licences = [licence for licence in unit.licences.all() if licence.state == LicenceState.ACTIVE]
    return licences[0] if len(licences) == 1 else None


@login_required
@require_http_methods(["GET", "POST"])
def ladder_decide_page(request, public_id):
    """The office's decision on a unit, pre-filled from the proposal."""
    user = request.user
    unit = unit_for_user(user, public_id)
    if not may_decide_ladder(user, unit.province_id):
        raise PermissionDenied
    state = unit_ladder(unit, today=timezone.localdate(), office=True)
    open_findings = list(unit.findings.filter(state=FindingState.OPEN).values_list("pk", flat=True))
    initial = proposal_initial(state.proposal, findings=open_findings, licence=_default_licence(unit, state))
    form = LadderDecisionForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = ladder_decide(
                actor=user,
                unit=unit,
                step=data["step"],
                trigger=data["trigger"],
                reason=data["reason"],
                findings=data["findings"],
                licence=data["licence"],
                sanction_reason=data["sanction_reason"],
                members_present=form.members,
                market_withdrawal=data["market_withdrawal"],
                judiciary=data["judiciary"],
            )
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Decided: the unit is now on “{step}”.").format(step=Step(decision.step).label)
            )
            return redirect("supervision:ladder_unit", public_id=unit.public_id)
    context = {
        "unit": unit,
        "state": state,
        "form": form,
        "rungs": _rungs(state.step),
        "step_label": Step(state.step).label,
        "proposal_label": Step(state.proposal.step).label if state.proposal else "",
        "proposal_reasons": _proposal_reasons(state.proposal),
    }
    return render(request, "supervision/ladder/decide.html", context)


@login_required
def ladder_list(request):
    """The office's units by their current step (above none unless a step is chosen)."""
    user = request.user
    if not is_office(user):
        raise PermissionDenied
    form = LadderListForm(request.GET or None)
    if not user.is_national:
        del form.fields["province"]
    units = units_with_steps(units_for_user(user), today=timezone.localdate())
    form.is_valid()  # a junk filter is ignored; the valid ones apply
    data = getattr(form, "cleaned_data", {})
    step, province = data.get("step"), data.get("province")
    if province is not None:
        units = units.filter(province=province)
    counts = {
        row["ladder_step"]: row["n"]
        for row in units.filter(ladder_step__gt=0).order_by().values("ladder_step").annotate(n=Count("pk"))
    }
    units = units.filter(ladder_step=step) if step is not None else units.filter(ladder_step__gt=0)
    page = Paginator(units.order_by("-ladder_step", "-ladder_decided_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    steps = [
        {"value": int(s), "label": s.label, "count": counts.get(int(s), 0), "coercive": s in ladder.COERCIVE}
        for s in Step
        if s > Step.NONE
    ]
    labels = dict(Step.choices)
    for unit in page:
        unit.ladder_label = labels.get(unit.ladder_step, "")
    return render(
        request, "supervision/ladder/list.html", {"page": page, "form": form, "steps": steps, "step": step}
    )


@login_required
def ladder_measures(request):
    """The share of coercive measures by Jalali month: the office's province, or every province."""
    user = request.user
    if not is_office(user):
        raise PermissionDenied
    form = MeasuresForm(request.GET or None, national=user.is_national)
    default_first, default_last = default_range(timezone.localdate())
    first, last, province = default_first, default_last, None
    error = ""
    if form.is_valid():
        first = form.cleaned_data["start"] or default_first
        last = form.cleaned_data["end"] or default_last
        province = form.cleaned_data.get("province")
    provinces = measure_provinces_for_user(user, province)
    try:
        share = coercive_share(first=first, last=last, provinces=provinces)
    except ValueError:
        error = _("Choose a range of at most five years, its end after its start.")
        share = coercive_share(first=default_first, last=default_last, provinces=provinces)
    chart = [{"row": row, "height": row.total.percent or 0} for row in share.months]
    matrix = [
        {"row": row, "cells": [row.provinces.get(p.pk) for p in share.provinces]} for row in share.months
    ]
    by_province = [(p, share.by_province.get(p.pk) or Cell()) for p in share.provinces]
    context = {
        "form": form,
        "share": share,
        "chart": chart,
        "matrix": matrix,
        "by_province": by_province,
        "error": error,
        "national": user.is_national,
    }
    return render(request, "supervision/ladder/measures.html", context)


urlpatterns = [
    path("units/<uuid:public_id>/ladder/", ladder_unit, name="ladder_unit"),
    path("units/<uuid:public_id>/ladder/decide/", ladder_decide_page, name="ladder_decide"),
    path("ladder/", ladder_list, name="ladder_list"),
    path("measures/", ladder_measures, name="ladder_measures"),
]
