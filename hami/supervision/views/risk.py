"""Supervision pages: a province's product risk assessments, and the step-by-step assessment page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hami.core.errors import HamiError
from hami.supervision import safety_gate
from hami.supervision.access import assessment_for_user, assessments_for_user, may_assess
from hami.supervision.forms import RiskAssessmentForm, StepFormSet, filled_steps
from hami.supervision.services.risk import risk_assessment_create


def _require_assessor(user) -> None:
    if not may_assess(user):
        raise PermissionDenied


@login_required
def risk_list(request):
    _require_assessor(request.user)
    assessments = assessments_for_user(request.user)
    level = request.GET.get("level", "")
    if level in {value.value for value in safety_gate.RiskLevel}:
        assessments = assessments.filter(risk_level=level)
    page = Paginator(assessments, 40).get_page(request.GET.get("page"))
    levels = [(value.value, value.label) for value in safety_gate.RiskLevel]
    return render(request, "supervision/risk_list.html", {"page": page, "level": level, "levels": levels})


@login_required
@require_http_methods(["GET", "POST"])
def risk_new(request):
    user = request.user
    _require_assessor(user)
    form = RiskAssessmentForm(request.POST or None, user=user)
    steps = StepFormSet(request.POST or None, prefix="steps")
    if request.method == "POST":
        if form.is_valid() and steps.is_valid():
            data = form.cleaned_data
            try:
                assessment = risk_assessment_create(
                    actor=user,
                    province=data.get("province"),
                    category=data["category"],
                    unit=data.get("unit"),
                    hazard=data["hazard"],
                    injured_person=data["injured_person"],
                    injury=data["injury"],
                    severity=data["severity"],
                    steps=filled_steps(steps),
                )
            except HamiError as exc:
                messages.error(request, exc.message)
            else:
                level = assessment.get_risk_level_display()
                messages.success(request, _("Risk assessed: {level}.").format(level=level))
                return redirect("supervision:risk_detail", public_id=assessment.public_id)
        elif steps.non_form_errors():  # field errors are shown beside their fields
            messages.error(request, " ".join(steps.non_form_errors()))
    context = {
        "form": form,
        "steps": steps,
        "severities": [(level, safety_gate.SEVERITY_DESCRIPTIONS[level]) for level in safety_gate.SEVERITIES],
        "table": _table(),
    }
    return render(request, "supervision/risk_new.html", context)


@login_required
def risk_detail(request, public_id):
    _require_assessor(request.user)
    assessment = assessment_for_user(request.user, public_id)
    band = assessment.band
    context = {
        "assessment": assessment,
        "band": band,
        "table": _table(band.index, assessment.severity),
        "severity_description": safety_gate.SEVERITY_DESCRIPTIONS[assessment.severity],
    }
    return render(request, "supervision/risk_detail.html", context)


def _table(band_index: int | None = None, severity: int | None = None) -> list[dict]:
    """The method's table for the template, the cell used marked."""
    return [
        {
            "label": row.label,
            "current": row.index == band_index,
            "cells": [
                {
                    "level": level.value,
                    "label": level.label,
                    "used": row.index == band_index and s == severity,
                }
                for s, level in zip(safety_gate.SEVERITIES, row.levels, strict=True)
            ],
        }
        for row in safety_gate.BANDS
    ]


urlpatterns = [
    path("risk/", risk_list, name="risk_list"),
    path("risk/new/", risk_new, name="risk_new"),
    path("risk/<uuid:public_id>/", risk_detail, name="risk_detail"),
]
