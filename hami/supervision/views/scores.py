"""Pages of unit risk scores and the supervision instruction (issue 6, point 2): the office's ranking, a
unit's score explained (its representative sees it too), "recompute now", and the instruction."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.errors import HamiError
from hami.core.jalali import in_persian
from hami.core.models import Province
from hami.core.persian import to_persian_digits
from hami.registry.access import unit_for_user
from hami.supervision import scoring
from hami.supervision.access import (
    may_rank,
    may_read_policy,
    may_recompute,
    may_set_policy,
    scores_for_user,
)
from hami.supervision.forms_scores import PolicyForm, ScoreFilterForm, field_name
from hami.supervision.models import SupervisionPolicy, Tier
from hami.supervision.policy import Policy
from hami.supervision.selectors import (
    component_label,
    current_policy,
    current_run,
    policy_of_version,
    policy_sections,
    unit_score,
)
from hami.supervision.services.scores import policy_set, scores_recompute

PAGE_SIZE = 50


def number_text(value) -> str:
    """A count or a score for a sentence: one decimal when it has one; Persian digits and ٫ in Persian."""
    if value is None:
        return ""
    # Scores and points are already rounded to one decimal; counts are whole.
    text = f"{value:g}" if isinstance(value, float) and not value.is_integer() else str(int(value))
    return to_persian_digits(text.replace(".", "٫")) if in_persian() else text


# ---------------------------------------------------------------- the ranking


@login_required
def scores_list(request):
    user = request.user
    if not may_rank(user):
        raise PermissionDenied
    if user.is_national:  # chooses the province (all by default); everyone else sees their own
        province = Province.objects.filter(code=request.GET.get("province") or "").first()
    else:
        province = user.province
    form = ScoreFilterForm(request.GET or None, user=user, province=province)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    scores = scores_for_user(user)
    if province is not None:
        scores = scores.filter(province=province)
    if data.get("county"):
        scores = scores.filter(unit__county=data["county"])
    tiers = dict(scores.order_by().values_list("tier").annotate(n=Count("pk")))
    if data.get("tier"):
        scores = scores.filter(tier=data["tier"])
    scores = scores.select_related("unit", "unit__county", "province").defer("components")
    scores = scores.order_by("-score", "pk")
    page = Paginator(scores, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.score_text = number_text(row.score)
    context = {
        "page": page,
        "form": form,
        "province": province,
        "run": current_run(),
        "tier_counts": [(value, label, tiers.get(value, 0)) for value, label in reversed(Tier.choices)],
        "tier": data.get("tier", ""),
        "county": data.get("county"),
        "counties": list(form.fields["county"].queryset),
        "provinces": list(form.fields["province"].queryset) if "province" in form.fields else [],
        "may_recompute": may_recompute(user),
        "offset": page.start_index() - 1 if page.paginator.count else 0,
    }
    return render(request, "supervision/scores/list.html", context)


@login_required
@require_POST
def scores_recompute_now(request):
    if not may_recompute(request.user):
        raise PermissionDenied
    try:
        run = scores_recompute(actor=request.user)
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Risk scores recomputed for {count} units.").format(count=number_text(run.unit_count))
        )
    return redirect("supervision:scores_list")


# ---------------------------------------------------------------- a unit's score


def _explain(component: dict, policy: Policy) -> str:
    """One component in words a producer understands."""
    key, raw = component["key"], component["raw"]
    detail = component.get("detail") or {}
    days = number_text(policy["lookback_days"])
    full = scoring.SATURATION.get(key)
    if key == "hazard":
        if not raw:
            return _("No product of the unit is registered, so product hazard gives no points.")
        return _("The highest typical hazard level among your products' categories is {level} of 4.").format(
            level=number_text(raw)
        )
    if key == "test_failures":
        return _(
            "Test reports on your products that failed in the last {days} days: {count}. "
            "{full} or more give the full weight."
        ).format(days=days, count=number_text(raw), full=number_text(full))
    if key == "open_findings":
        return _(
            "Open inspection findings: {critical} critical, {major} major, {minor} minor. A critical one "
            "counts 3, a major 2, a minor 1; {full} give the full weight."
        ).format(
            critical=number_text(detail.get("critical", 0)),
            major=number_text(detail.get("major", 0)),
            minor=number_text(detail.get("minor", 0)),
            full=number_text(full),
        )
    if key == "late_actions":
        return _(
            "Corrective actions now past their date: {overdue}; carried out after their date in the last "
            "{days} days: {late}. {full} give the full weight."
        ).format(
            overdue=number_text(detail.get("overdue", 0)),
            late=number_text(detail.get("late", 0)),
            days=days,
            full=number_text(full),
        )
    if key == "upheld_complaints":
        return _(
            "Complaints about your products upheld in the last {days} days: {count}. "
            "{full} give the full weight."
        ).format(days=days, count=number_text(raw), full=number_text(full))
    if key == "since_inspection":
        if raw is None:
            return _("The unit has had no completed inspection yet, which gives the full weight.")
        return _(
            "Days since the last completed inspection: {days}. The full weight comes after {full} days."
        ).format(days=number_text(raw), full=number_text(policy["inspection_full_days"]))
    if key == "licence_state":
        return _(
            "Suspended licences: {suspended}; revoked in the last {days} days: {revoked}; expired in that "
            "time: {expired}. A suspended or revoked licence gives the full weight, an expired one half."
        ).format(
            suspended=number_text(detail.get("suspended", 0)),
            revoked=number_text(detail.get("revoked", 0)),
            expired=number_text(detail.get("expired", 0)),
            days=days,
        )
    if key == "standing":
        if raw:
            return _("The unit is on the fast track: its good standing lowers the score.")
        return _("The unit is not on the fast track; a good standing would lower the score.")
    return ""


def _hint_text(hint: dict, policy: Policy) -> str:
    key, gain, count = hint["key"], number_text(hint["gain"]), number_text(hint["count"])
    days = number_text(policy["lookback_days"])
    texts = {
        "test_failures": _(
            "A failed test counts for {days} days after its report; passing your next tests lets this part "
            "fall to zero: {gain} points lower."
        ),
        "open_findings": _(
            "Correct your {count} open findings with corrective actions the office verifies: {gain} points "
            "lower."
        ),
        "late_actions": _(
            "Carry out corrective actions by their date; a late one counts for {days} days "
            "({gain} points now)."
        ),
        "upheld_complaints": _(
            "An upheld complaint counts for {days} days; acting on what it said prevents the next "
            "({gain} points now)."
        ),
        "since_inspection": _("A completed inspection sets this part back to zero: {gain} points lower."),
        "licence_state": _(
            "Having suspended licences reinstated and expired ones renewed: {gain} points lower."
        ),
        "standing": _("Earning the fast track (a good standing) would take {gain} points off."),
    }
    return texts.get(key, "").format(gain=gain, count=count, days=days)


@login_required
def scores_unit(request, public_id):
    unit = unit_for_user(request.user, public_id)
    score = unit_score(unit)
    context = {"unit": unit, "score": score}
    if score is not None:
        policy = policy_of_version(score.run.policy_version)
        rows = []
        for component in score.components:
            weight = component["weight"]
            rows.append(
                {
                    "key": component["key"],
                    "label": component_label(component["key"]),
                    "text": _explain(component, policy),
                    "points": number_text(component["points"]),
                    "weight": number_text(weight),
                    "percent": round(100 * abs(component["points"]) / abs(weight)) if weight else 0,
                    "lowers": weight < 0,
                }
            )
        context |= {
            "score_text": number_text(score.score),
            "components": rows,
            "hints": [
                {"key": hint["key"], "text": _hint_text(hint, policy)}
                for hint in scoring.hints(score.components)
            ],
            "policy": policy,
        }
    return render(request, "supervision/scores/unit.html", context)


# ---------------------------------------------------------------- the instruction


@login_required
@require_http_methods(["GET", "POST"])
def scores_policy(request):
    user = request.user
    if not may_read_policy(user):
        raise PermissionDenied
    editable = may_set_policy(user)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    policy = current_policy()
    form = PolicyForm(request.POST or None, policy=policy) if editable else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            row = policy_set(actor=user, values=form.values(), reason=form.cleaned_data["reason"])
        except HamiError as exc:
            name = field_name(exc.field or "")
            if name in form.fields:
                form.add_error(name, exc.message)
            else:
                messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Version {version} of the instruction is in force.").format(version=row.version)
            )
            return redirect("supervision:scores_policy")
    sections = policy_sections(policy)
    for section in sections:
        for row in section["rows"]:
            row["text"] = number_text(row["value"])
    history = SupervisionPolicy.objects.select_related("created_by").order_by("-version")[:10]
    context = {
        "policy": policy,
        "sections": form.grouped(sections) if form is not None else sections,
        "form": form,
        "history": history,
    }
    return render(request, "supervision/scores/policy.html", context)


urlpatterns = [
    path("scores/", scores_list, name="scores_list"),
    path("scores/recompute/", scores_recompute_now, name="scores_recompute"),
    path("units/<uuid:public_id>/risk/", scores_unit, name="scores_unit"),
    path("policy/", scores_policy, name="scores_policy"),
]
