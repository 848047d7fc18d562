"""Pages of inspections (issue 6, point 4): the inspector's day, the office's list and scheduling form,
and the inspection page an inspector works through on a phone (start, the checklist item by item, a
finding with photos for a nonconforming item, the findings a follow-up checks, finish). Findings, corrective
actions and the unit's page are in views/actions.py, checklists in views/checklists.py; this module's
`urlpatterns` lists all of them. Thin: parse, reach objects through access.py, call one service."""

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.errors import Forbidden, HamiError
from hami.core.forms import errors_to_messages
from hami.core.models import Role
from hami.core.persian import to_ascii_digits
from hami.registry.access import units_for_user
from hami.registry.models import QCManager
from hami.supervision.access import (
    checklist_for_user,
    checklists_for_user,
    inspection_for_user,
    inspections_for_user,
    is_inspector,
    is_office,
    may_assess,
    may_carry_out,
    may_edit_checklists,
)
from hami.supervision.forms_inspections import (
    AnswerForm,
    ChecklistForm,
    ChecklistItemForm,
    FindingForm,
    FinishForm,
    InspectionFilterForm,
    ReasonForm,
    ScheduleForm,
    UnitLookupForm,
)
from hami.supervision.models import (
    AnswerResult,
    Evidence,
    Finding,
    FindingSeverity,
    FindingState,
    InspectionKind,
    InspectionState,
    PlanState,
)
from hami.supervision.services import checklists as checklist_services
from hami.supervision.services import inspections as services
from hami.supervision.views import actions

DAYS_AHEAD = 14  # the inspector's page shows this many days after today


def run(service, **kwargs):
    """Call one service: its result and None, or None and the refusal to show. A Forbidden refusal is a
    403 page: the role may not do this at all (the page never offers it)."""
    try:
        return service(**kwargs), None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except HamiError as exc:
        return None, exc


def _require_staff(user) -> None:
    """Office staff, inspectors and national admins read supervision; everyone else is refused."""
    if not may_assess(user):
        raise PermissionDenied


# ---------------------------------------------------------------- the inspector's day


@login_required
def inspection_today(request):
    """Today's visits of the signed-in inspector (and earlier ones not finished), then the next days."""
    user = request.user
    if not is_inspector(user):
        raise PermissionDenied
    today = timezone.localdate()
    mine = inspections_for_user(user).filter(inspector=user)
    active = [InspectionState.PLANNED, InspectionState.IN_PROGRESS]
    now_visits = mine.filter(
        Q(scheduled_on=today) | Q(scheduled_on__lt=today, state__in=active),
    ).order_by("scheduled_on", "county__name_fa", "pk")
    later = mine.filter(
        scheduled_on__gt=today, scheduled_on__lte=today + dt.timedelta(days=DAYS_AHEAD), state__in=active
    ).order_by("scheduled_on", "county__name_fa", "pk")
    days: dict[dt.date, list] = {}
    for visit in later:
        days.setdefault(visit.scheduled_on, []).append(visit)
    context = {
        "today": today,
        "visits": list(now_visits),
        "days": sorted(days.items()),
        "days_ahead": DAYS_AHEAD,
    }
    return render(request, "supervision/inspections/today.html", context)


# ---------------------------------------------------------------- the office's list and scheduling


@login_required
def inspection_list(request):
    user = request.user
    _require_staff(user)
    form = InspectionFilterForm(request.GET or None, user=user)
    visits = inspections_for_user(user).exclude(plan__state=PlanState.DRAFT)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("state"):
            visits = visits.filter(state=data["state"])
        if data.get("kind"):
            visits = visits.filter(kind=data["kind"])
        if data.get("inspector"):
            visits = visits.filter(inspector=data["inspector"])
        if data.get("date_from"):
            visits = visits.filter(scheduled_on__gte=data["date_from"])
        if data.get("date_to"):
            visits = visits.filter(scheduled_on__lte=data["date_to"])
    visits = visits.order_by("-scheduled_on", "-pk")
    page = Paginator(visits, 40).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "may_schedule": is_office(user)}
    return render(request, "supervision/inspections/list.html", context)


def _unit_from(user, value: str):
    """A unit the user may see, by national ID or public id; None when there is none."""
    value = (value or "").strip()
    if not value:
        return None
    units = units_for_user(user)
    try:
        return units.filter(public_id=uuid.UUID(value)).first()
    except ValueError:
        return units.filter(national_id=to_ascii_digits(value)).first()


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    """Schedule an ad-hoc visit: first the unit (by national ID, or from a finding's link), then the form."""
    user = request.user
    if not is_office(user):
        raise PermissionDenied
    raw_unit = request.POST.get("unit_id") or request.GET.get("unit", "")
    unit = _unit_from(user, raw_unit)
    if unit is None:
        lookup = UnitLookupForm(request.GET or None)
        if raw_unit:
            lookup.add_error("unit", _("No production unit with this national ID is visible to you."))
        return render(request, "supervision/inspections/new.html", {"lookup": lookup})
    initial = {"checks": [c for c in request.GET.getlist("checks")]}
    if request.GET.get("kind") in InspectionKind.values:  # from a complaint or a market case
        initial["kind"] = request.GET["kind"]
    form = ScheduleForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inspection, error = run(
            services.inspection_schedule,
            actor=user,
            unit=unit,
            inspector=data["inspector"],
            scheduled_on=data["scheduled_on"],
            kind=data["kind"],
            note=data["note"],
            unannounced=data["unannounced"],
            checks=list(data["checks"]),
        )
        if error is None:
            messages.success(request, _("The visit is scheduled."))
            return redirect("supervision:inspection_detail", public_id=inspection.public_id)
        form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(request, "supervision/inspections/new.html", {"unit": unit, "form": form})


# ---------------------------------------------------------------- the inspection page


def _detail_context(request, inspection, *, finding_form=None, finding_item=None, finish_form=None) -> dict:
    user = request.user
    staff = may_assess(user, inspection.province_id)
    show_work = staff or inspection.state == InspectionState.DONE
    findings = []
    if show_work:
        findings = list(
            inspection.findings.select_related("item", "repeat_of", "repeat_of__inspection").prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk"))
            )
        )
    items = []
    if show_work and inspection.checklist_id:
        answers = {a.item_id: a for a in inspection.answers.all()}
        by_item: dict[int, list] = {}
        for finding in findings:
            if finding.item_id:
                by_item.setdefault(finding.item_id, []).append(finding)
        for item in inspection.checklist.items.all():
            items.append(_item_row(item, answers.get(item.pk), by_item.get(item.pk, [])))
    checks = list(inspection.checks.select_related("item", "inspection").order_by("created_at"))
    open_checks = [f for f in checks if f.state == FindingState.OPEN]
    qc_manager = (
        QCManager.objects.filter(unit_id=inspection.unit_id, is_active=True).first() if staff else None
    )
    carry_out = may_carry_out(user, inspection)
    in_progress = inspection.state == InspectionState.IN_PROGRESS
    if finish_form is None and carry_out and in_progress:
        finish_form = FinishForm(checks=open_checks)
    today = timezone.localdate()
    return {
        "inspection": inspection,
        "unit": inspection.unit,
        "staff": staff,
        "show_work": show_work,
        "items": items,
        "answered": sum(1 for row in items if row["answer"] is not None),
        "other_findings": [f for f in findings if not f.item_id],
        "findings": findings,
        "checks": checks,
        "open_checks": open_checks,
        "qc_manager": qc_manager,
        "qc_expired": qc_manager is not None
        and qc_manager.certificate_expiry < max(today, inspection.scheduled_on),
        "carry_out": carry_out,
        "in_progress": in_progress,
        "can_start": carry_out
        and inspection.state == InspectionState.PLANNED
        and today >= inspection.scheduled_on,
        "early": carry_out
        and inspection.state == InspectionState.PLANNED
        and today < inspection.scheduled_on,
        "is_office": is_office(user, inspection.province_id),
        "finding_form": finding_form or FindingForm(),
        "finding_item": finding_item,
        "finish_form": finish_form,
        "cancel_form": ReasonForm(),
        "results": AnswerResult,
        "severities": FindingSeverity.choices,
    }


def _item_row(item, answer, findings: list[Finding]) -> dict:
    live = [f for f in findings if f.state != FindingState.WITHDRAWN]
    return {
        "item": item,
        "answer": answer,
        "findings": findings,
        "needs_finding": answer is not None and answer.result == AnswerResult.NONCONFORMING and not live,
    }


@login_required
def inspection_detail(request, public_id):
    inspection = inspection_for_user(request.user, public_id)
    return render(request, "supervision/inspections/detail.html", _detail_context(request, inspection))


def _back(inspection, anchor: str = ""):
    url = reverse("supervision:inspection_detail", args=[inspection.public_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_POST
def inspection_start(request, public_id):
    inspection = inspection_for_user(request.user, public_id)
    _result, error = run(services.inspection_start, actor=request.user, inspection=inspection)
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The visit has started. Answer each item of the checklist."))
    return _back(inspection)


@login_required
@require_POST
def inspection_answer(request, public_id, code):
    """One tap on an item's answer. HTMX swaps just the item; without JavaScript the page reloads there."""
    inspection = inspection_for_user(request.user, public_id)
    if not inspection.checklist_id:
        raise Http404(_("This visit has no checklist yet."))
    item = inspection.checklist.items.filter(code=code).first()
    if item is None:
        raise Http404(_("No such item on this visit's checklist."))
    form = AnswerForm(request.POST)
    message = _("Answer conforms, nonconforming or not applicable.")
    if form.is_valid():
        _answer, error = run(
            services.checklist_answer,
            actor=request.user,
            inspection=inspection,
            item=item,
            result=form.cleaned_data["result"],
            note=form.cleaned_data["note"],
        )
        message = error.message if error is not None else ""
    if request.headers.get("HX-Request"):
        findings = list(inspection.findings.filter(item=item).prefetch_related("evidence"))
        row = _item_row(item, inspection.answers.filter(item=item).first(), findings)
        context = {
            "row": row,
            "inspection": inspection,
            "in_progress": inspection.state == InspectionState.IN_PROGRESS,
            "carry_out": may_carry_out(request.user, inspection),
            "finding_form": FindingForm(),
            "error": message,
            "results": AnswerResult,
            "severities": FindingSeverity.choices,
        }
        return render(request, "supervision/inspections/_item.html", context)
    if message:
        messages.error(request, message)
    return _back(inspection, f"item-{code}")


@login_required
@require_POST
def inspection_finding_new(request, public_id):
    """A finding, on an item (the nonconforming answer's form) or outside the checklist, with photos."""
    inspection = inspection_for_user(request.user, public_id)
    form = FindingForm(request.POST, request.FILES)
    item = None
    if inspection.checklist_id and request.POST.get("item"):
        item = inspection.checklist.items.filter(code=request.POST["item"]).first()
        if item is None:
            raise Http404(_("No such item on this visit's checklist."))
    if form.is_valid():
        data = form.cleaned_data
        _finding, error = run(
            services.finding_record,
            actor=request.user,
            inspection=inspection,
            severity=data["severity"],
            text=data["text"],
            item=item,
            safety=data["safety"],
            files=data["photos"],
        )
        if error is None:
            messages.success(request, _("The finding is recorded."))
            return _back(inspection, f"item-{item.code}" if item else "findings")
        form.add_error("photos" if error.field == "file" else None, error.message)
    context = _detail_context(request, inspection, finding_form=form, finding_item=item)
    return render(request, "supervision/inspections/detail.html", context, status=200)


@login_required
@require_POST
def inspection_finish(request, public_id):
    inspection = inspection_for_user(request.user, public_id)
    checks = list(inspection.checks.filter(state=FindingState.OPEN).order_by("created_at"))
    form = FinishForm(request.POST, checks=checks)
    if form.is_valid():
        _result, error = run(
            services.inspection_finish,
            actor=request.user,
            inspection=inspection,
            summary=form.cleaned_data["summary"],
            checked=form.marks(),
        )
        if error is None:
            messages.success(request, _("The visit is finished; the unit is told of its findings."))
            return _back(inspection)
        form.add_error(None, error.message)
    context = _detail_context(request, inspection, finish_form=form)
    return render(request, "supervision/inspections/detail.html", context, status=200)


@login_required
@require_POST
def inspection_cancel(request, public_id):
    inspection = inspection_for_user(request.user, public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        errors_to_messages(request, form)
        return _back(inspection)
    _result, error = run(
        services.inspection_cancel,
        actor=request.user,
        inspection=inspection,
        reason=form.cleaned_data["reason"],
    )
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The visit is cancelled."))
    return _back(inspection)


# ---------------------------------------------------------------- checklists


@login_required
def checklist_list(request):
    user = request.user
    if not (may_assess(user) or user.role == Role.UNIT_REP):
        raise PermissionDenied
    checklists = checklists_for_user(user).annotate(item_count=Count("items")).order_by("-active", "code")
    context = {"checklists": checklists, "may_edit": may_edit_checklists(user)}
    return render(request, "supervision/inspections/checklist_list.html", context)


def _checklist_initial(checklist) -> dict:
    return {
        "name_fa": checklist.name_fa,
        "name_en": checklist.name_en,
        "scheme": checklist.scheme,
        "standard": f"{checklist.standard.number}:{checklist.standard.year}" if checklist.standard_id else "",
        "active": checklist.active,
    }


@login_required
@require_http_methods(["GET", "POST"])
def checklist_new(request):
    user = request.user
    if not may_edit_checklists(user):
        raise PermissionDenied
    form = ChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        checklist, error = run(
            checklist_services.checklist_save,
            actor=user,
            code=data["code"],
            name_fa=data["name_fa"],
            name_en=data["name_en"],
            scheme=data["scheme"],
            standard=data["standard"],
            active=data["active"],
        )
        if error is None:
            messages.success(request, _("The checklist is saved; add its items."))
            return redirect("supervision:checklist_detail", code=checklist.code)
        form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(request, "supervision/inspections/checklist_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def checklist_detail(request, code):
    """A checklist's items; the national admin edits the checklist and its items here."""
    user = request.user
    checklist = checklist_for_user(user, code)
    may_edit = may_edit_checklists(user)
    form = ChecklistForm(request.POST or None, initial=_checklist_initial(checklist)) if may_edit else None
    if form is not None:
        del form.fields["code"]  # a checklist's code never changes
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            _result, error = run(
                checklist_services.checklist_save,
                actor=user,
                checklist=checklist,
                code=checklist.code,
                name_fa=data["name_fa"],
                name_en=data["name_en"],
                scheme=data["scheme"],
                standard=data["standard"],
                active=data["active"],
            )
            if error is None:
                messages.success(request, _("The checklist is saved."))
                return redirect("supervision:checklist_detail", code=checklist.code)
            form.add_error(error.field if error.field in form.fields else None, error.message)
    items = list(checklist.items.all())
    if may_edit:
        for item in items:
            item.form = ChecklistItemForm(
                initial={
                    "text_fa": item.text_fa,
                    "text_en": item.text_en,
                    "guidance": item.guidance,
                    "severity": item.severity,
                    "order": item.order,
                },
                prefix=f"item-{item.code}",
            )
            del item.form.fields["code"]  # an item's code never changes
    context = {
        "checklist": checklist,
        "items": items,
        "may_edit": may_edit,
        "form": form,
        "item_form": ChecklistItemForm(prefix="new") if may_edit else None,
    }
    return render(request, "supervision/inspections/checklist_detail.html", context)


@login_required
@require_POST
def checklist_item_save(request, code, item_code=None):
    """Add an item (no `item_code`) or edit one; the form's prefix is "new" or "item-<code>"."""
    user = request.user
    checklist = checklist_for_user(user, code)
    if not may_edit_checklists(user):
        raise PermissionDenied
    item = None
    if item_code is not None:
        item = checklist.items.filter(code=item_code).first()
        if item is None:
            raise Http404(_("No such item on this checklist."))
    form = ChecklistItemForm(request.POST, prefix=f"item-{item_code}" if item else "new")
    if not form.is_valid():
        errors_to_messages(request, form)
        return redirect("supervision:checklist_detail", code=checklist.code)
    data = form.cleaned_data
    _result, error = run(
        checklist_services.checklist_item_save,
        actor=user,
        checklist=checklist,
        item=item,
        code=data["code"] if item is None else item.code,
        text_fa=data["text_fa"],
        text_en=data["text_en"],
        guidance=data["guidance"],
        severity=data["severity"],
        order=data["order"],
    )
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item is saved."))
    return redirect("supervision:checklist_detail", code=checklist.code)


urlpatterns = [
    path("today/", inspection_today, name="inspection_today"),
    path("inspections/", inspection_list, name="inspection_list"),
    path("inspections/new/", inspection_new, name="inspection_new"),
    path("inspections/<uuid:public_id>/", inspection_detail, name="inspection_detail"),
    path("inspections/<uuid:public_id>/start/", inspection_start, name="inspection_start"),
    path("inspections/<uuid:public_id>/items/<slug:code>/", inspection_answer, name="inspection_answer"),
    path("inspections/<uuid:public_id>/findings/", inspection_finding_new, name="inspection_finding_new"),
    path("inspections/<uuid:public_id>/finish/", inspection_finish, name="inspection_finish"),
    path("inspections/<uuid:public_id>/cancel/", inspection_cancel, name="inspection_cancel"),
    path("checklists/", checklist_list, name="checklist_list"),
    path("checklists/new/", checklist_new, name="checklist_new"),
    path("checklists/<slug:code>/", checklist_detail, name="checklist_detail"),
    path("checklists/<slug:code>/items/", checklist_item_save, name="checklist_item_add"),
    path("checklists/<slug:code>/items/<slug:item_code>/", checklist_item_save, name="checklist_item_save"),
    *actions.urlpatterns,
]
