"""Pages of market surveillance cases and complaints (points 7 and 8): the office's cases page with its
two tabs, a case's page with its actions, reporting a mark (an inspector on a phone), triaging and
filing complaints, and a unit's own cases. Thin: parse, reach objects through hami.supervision.access,
call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.errors import Forbidden, HamiError
from hami.licensing.services.complaints import complaint_reference
from hami.registry.access import unit_for_user
from hami.registry.models import ProductionUnit
from hami.supervision.access import (
    complaint_for_user,
    complaints_for_user,
    is_office,
    market_case_for_user,
    market_cases_for_user,
    may_handle_cases,
    may_see_contact,
    unit_ids_of,
)
from hami.supervision.forms_cases import (
    ComplaintCloseForm,
    ComplaintFileForm,
    ComplaintFilterForm,
    ComplaintInvestigateForm,
    ComplaintTriageForm,
    MarketCaseCloseForm,
    MarketCaseFilterForm,
    MarketCaseMoveForm,
    MarkReportForm,
    complaints_in_office_order,
    filter_complaints,
    in_office_order,
)
from hami.supervision.models import CaseOutcome, CaseState, TriageState
from hami.supervision.services import cases as services

PAGE_SIZE = 30
UNIT_PAGE_LIMIT = 200  # a unit's cases on its page, newest first


def _refuse_on_forbidden(exc: HamiError) -> None:
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.message) from exc


def _form_error(form, exc: HamiError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# ---------------------------------------------------------------- the office's cases page


@login_required
def cases_list(request):
    """Two tabs: market cases (open first) and complaints (not triaged first, urgent highlighted)."""
    user = request.user
    if not may_handle_cases(user):
        units = unit_ids_of(user)
        if len(units) == 1:  # a unit representative: its own unit's cases
            unit = ProductionUnit.objects.only("public_id").get(pk=units[0])
            return redirect("supervision:cases_unit", public_id=unit.public_id)
        raise PermissionDenied
    tab = "complaints" if request.GET.get("tab") == "complaints" else "market"
    context = {
        "tab": tab,
        "open_cases": market_cases_for_user(user).exclude(state=CaseState.CLOSED).count(),
        "untriaged": complaints_for_user(user).filter(case__isnull=True).count(),
        "may_file": is_office(user),
    }
    if tab == "market":
        form = MarketCaseFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        cases = market_cases_for_user(user)
        if data.get("state"):
            cases = cases.filter(state=data["state"])
        if data.get("kind"):
            cases = cases.filter(kind=data["kind"])
        cases = in_office_order(cases)
    else:
        form = ComplaintFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        cases = complaints_in_office_order(filter_complaints(complaints_for_user(user), data))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    if tab == "complaints":
        for complaint in page:
            complaint.reference = complaint_reference(complaint)
            complaint.triage = getattr(complaint, "case", None)
    return render(request, "supervision/cases/list.html", {**context, "form": form, "page": page})


# ---------------------------------------------------------------- market cases


def _market_detail(request, case, *, close_form=None, status=200):
    user = request.user
    context = {
        "case": case,
        "can_move": may_handle_cases(user, case.province_id) and case.state in services.MARKET_MOVES,
        "can_close": is_office(user, case.province_id) and case.state != CaseState.CLOSED,
        "close_form": close_form or MarketCaseCloseForm(),
        "coercive": [outcome.value for outcome in services.COERCIVE_OUTCOMES],
        "outcomes": CaseOutcome.choices,
        "office_side": may_handle_cases(user, case.province_id),
    }
    return render(request, "supervision/cases/market_detail.html", context, status=status)


@login_required
def cases_market_detail(request, public_id):
    return _market_detail(request, market_case_for_user(request.user, public_id))


@login_required
@require_http_methods(["GET", "POST"])
def cases_market_report(request):
    """Report a product seen on sale with a mark whose tracking code is not an active licence's."""
    user = request.user
    if not may_handle_cases(user):
        raise PermissionDenied
    form = MarkReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.market_case_report_mark(
                actor=user,
                tracking_code=data["tracking_code"],
                place=data["place"],
                product_description=data["product_description"],
                producer_name=data["producer_name"],
                unit=data["unit"],
                as_printed=data["as_printed"],
            )
        except HamiError as exc:
            _refuse_on_forbidden(exc)
            _form_error(form, exc)
        else:
            messages.success(
                request, _("Case recorded: {status}.").format(status=case.get_mark_status_display())
            )
            return redirect("supervision:cases_market_detail", public_id=case.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/cases/market_report.html", {"form": form}, status=status)


@login_required
@require_POST
def cases_market_move(request, public_id):
    user = request.user
    case = market_case_for_user(user, public_id)
    if not may_handle_cases(user, case.province_id):
        raise PermissionDenied
    form = MarketCaseMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the state to move the case to."))
    else:
        try:
            services.market_case_move(actor=user, case=case, state=form.cleaned_data["state"])
        except HamiError as exc:
            _refuse_on_forbidden(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The case is under investigation."))
    return redirect("supervision:cases_market_detail", public_id=case.public_id)


@login_required
@require_POST
def cases_market_close(request, public_id):
    user = request.user
    case = market_case_for_user(user, public_id)
    if not is_office(user, case.province_id):
        raise PermissionDenied
    form = MarketCaseCloseForm(request.POST)
    if form.is_valid():
        try:
            services.market_case_close(
                actor=user, case=case, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
            )
        except HamiError as exc:
            _refuse_on_forbidden(exc)
            _form_error(form, exc)
        else:
            messages.success(request, _("The case is closed."))
            return redirect("supervision:cases_market_detail", public_id=case.public_id)
    return _market_detail(request, case, close_form=form, status=400)


# ---------------------------------------------------------------- complaints


def _complaint_detail(request, complaint, *, forms=None, status=200):
    user = request.user
    case = getattr(complaint, "case", None)
    province_id = case.province_id if case else complaint.province_id
    office = is_office(user, province_id) and (province_id is not None or user.is_national)
    forms = forms or {}
    context = {
        "complaint": complaint,
        "case": case,
        "reference": complaint_reference(complaint),
        "show_contact": may_see_contact(user, province_id),
        "office": office,
        "office_side": may_handle_cases(user, province_id) if province_id else user.is_national,
    }
    if office and case is None:
        licence = complaint.licence
        initial = {"unit": licence.unit.national_id, "licence": licence.number} if licence else {}
        context["triage_form"] = forms.get("triage") or ComplaintTriageForm(
            province_id=province_id, initial=initial
        )
    if office and case is not None and case.state != TriageState.CLOSED:
        context["investigate_form"] = forms.get("investigate") or ComplaintInvestigateForm(
            unit_id=case.unit_id
        )
        context["close_form"] = forms.get("close") or ComplaintCloseForm()
    return render(request, "supervision/cases/complaint_detail.html", context, status=status)


def _office_complaint(request, public_id):
    complaint = complaint_for_user(request.user, public_id)
    case = getattr(complaint, "case", None)
    province_id = case.province_id if case else complaint.province_id
    if not is_office(request.user, province_id) or (province_id is None and not request.user.is_national):
        raise PermissionDenied
    return complaint, case


@login_required
def cases_complaint_detail(request, public_id):
    return _complaint_detail(request, complaint_for_user(request.user, public_id))


@login_required
@require_POST
def cases_complaint_triage(request, public_id):
    user = request.user
    complaint, case = _office_complaint(request, public_id)
    form = ComplaintTriageForm(request.POST, province_id=complaint.province_id)
    if case is not None:
        messages.error(request, _("This complaint is already triaged."))
        return redirect("supervision:cases_complaint_detail", public_id=complaint.public_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.complaint_triage(
                actor=user,
                complaint=complaint,
                priority=data["priority"],
                unit=data["unit"],
                licence=data["licence"],
                assigned_to=data["assigned_to"],
            )
        except HamiError as exc:
            _refuse_on_forbidden(exc)
            _form_error(form, exc)
        else:
            messages.success(request, _("The complaint is triaged."))
            return redirect("supervision:cases_complaint_detail", public_id=complaint.public_id)
    return _complaint_detail(request, complaint, forms={"triage": form}, status=400)


@login_required
@require_POST
def cases_complaint_investigate(request, public_id):
    user = request.user
    complaint, case = _office_complaint(request, public_id)
    if case is None:
        messages.error(request, _("Triage the complaint first."))
        return redirect("supervision:cases_complaint_detail", public_id=complaint.public_id)
    form = ComplaintInvestigateForm(request.POST, unit_id=case.unit_id)
    if form.is_valid():
        try:
            services.complaint_investigate(actor=user, case=case, inspection=form.cleaned_data["inspection"])
        except HamiError as exc:
            _refuse_on_forbidden(exc)
            _form_error(form, exc)
        else:
            messages.success(request, _("The complaint is under investigation."))
            return redirect("supervision:cases_complaint_detail", public_id=complaint.public_id)
    return _complaint_detail(request, complaint, forms={"investigate": form}, status=400)


@login_required
@require_POST
def cases_complaint_close(request, public_id):
    user = request.user
    complaint, case = _office_complaint(request, public_id)
    if case is None:
        messages.error(request, _("Triage the complaint first."))
        return redirect("supervision:cases_complaint_detail", public_id=complaint.public_id)
    form = ComplaintCloseForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_close(
                actor=user, case=case, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
            )
        except HamiError as exc:
            _refuse_on_forbidden(exc)
            _form_error(form, exc)
        else:
            messages.success(request, _("The complaint is closed."))
            return redirect("supervision:cases_complaint_detail", public_id=complaint.public_id)
    return _complaint_detail(request, complaint, forms={"close": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def cases_complaint_new(request):
    """The office records a complaint it took by phone, letter or visit."""
    user = request.user
    if not is_office(user):
        raise PermissionDenied
    form = ComplaintFileForm(request.POST or None, province_id=user.province_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.complaint_file_by_office(
                actor=user,
                text=data["text"],
                contact=data["contact"],
                unit=data["unit"],
                licence=data["licence"],
                priority=data["priority"],
                assigned_to=data["assigned_to"],
            )
        except HamiError as exc:
            _refuse_on_forbidden(exc)
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Complaint recorded; its reference is {reference}.").format(
                    reference=complaint_reference(case.complaint)
                ),
            )
            return redirect("supervision:cases_complaint_detail", public_id=case.complaint.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/cases/complaint_new.html", {"form": form}, status=status)


# ---------------------------------------------------------------- a unit's cases


@login_required
def cases_unit(request, public_id):
    """A unit's market cases and triaged complaints, for the unit itself and the office; never the
    complainants' contact details."""
    user = request.user
    unit = unit_for_user(user, public_id)
    market = list(
        market_cases_for_user(user).filter(unit=unit).order_by("-created_at", "-pk")[:UNIT_PAGE_LIMIT]
    )
    complaints = list(
        complaints_for_user(user).filter(case__unit=unit).order_by("-created_at", "-pk")[:UNIT_PAGE_LIMIT]
    )
    for complaint in complaints:
        complaint.reference = complaint_reference(complaint)
    context = {
        "unit": unit,
        "market": market,
        "complaints": complaints,
        "office_side": may_handle_cases(user, unit.province_id),
    }
    return render(request, "supervision/cases/unit.html", context)


urlpatterns = [
    path("cases/", cases_list, name="cases_list"),
    path("cases/market/report/", cases_market_report, name="cases_market_report"),
    path("cases/market/<uuid:public_id>/", cases_market_detail, name="cases_market_detail"),
    path("cases/market/<uuid:public_id>/move/", cases_market_move, name="cases_market_move"),
    path("cases/market/<uuid:public_id>/close/", cases_market_close, name="cases_market_close"),
    path("cases/complaints/new/", cases_complaint_new, name="cases_complaint_new"),
    path("cases/complaints/<uuid:public_id>/", cases_complaint_detail, name="cases_complaint_detail"),
    path("cases/complaints/<uuid:public_id>/triage/", cases_complaint_triage, name="cases_complaint_triage"),
    path(
        "cases/complaints/<uuid:public_id>/investigate/",
        cases_complaint_investigate,
        name="cases_complaint_investigate",
    ),
    path("cases/complaints/<uuid:public_id>/close/", cases_complaint_close, name="cases_complaint_close"),
    path("units/<uuid:public_id>/cases/", cases_unit, name="cases_unit"),
]
