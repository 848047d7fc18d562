"""Testing pages: samples and their custody, lab assignment, test orders and results (office and lab
portal), reports, and the national test-capacity map."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.errors import HamiError
from hami.core.forms import errors_to_messages
from hami.core.models import Province, Role
from hami.core.tabular import export_response
from hami.labs.access import (
    is_lab_staff,
    is_office_for,
    order_for_user,
    orders_for_user,
    sample_for_user,
    samples_for_user,
)
from hami.labs.assignment import Weights
from hami.labs.forms import (
    AmendForm,
    AssignmentForm,
    CapacityFilterForm,
    CustodyForm,
    PhotoForm,
    RejectForm,
    ResultForm,
    ResultsFileForm,
    SampleForm,
)
from hami.labs.models import (
    AssignmentBatch,
    CustodyStep,
    InspectionCompany,
    Lab,
    OrderState,
    Sample,
    TestReport,
)
from hami.labs.report_pdf import render_report
from hami.labs.selectors import capacity_map
from hami.labs.services.orders import (
    assignment_confirm,
    assignment_propose,
    order_accept,
    order_reject,
    placement_from_json,
    waiting_samples,
    waiting_tests,
)
from hami.labs.services.results import report_issue, result_correct, result_report, results_import
from hami.labs.services.samples import LAB_STEPS, STEP_ORDER, custody_record, sample_photo_add, sample_take
from hami.registry.models import Product
from hami.standards.models import Requirement

OFFICE_ROLES = (Role.OFFICE_STAFF, Role.NATIONAL_ADMIN, Role.INSPECTOR)


def _office_province(request) -> Province | None:
    """The province a page is about: the user's own, or for national staff the one chosen (`province`)."""
    user = request.user
    if user.role not in OFFICE_ROLES:
        raise PermissionDenied
    if user.is_national:
        code = request.GET.get("province", "")
        return Province.objects.filter(code=code).first() or user.province
    return user.province


def _capacity(request):
    province = _office_province(request)
    form = CapacityFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = capacity_map(
        province,
        standard=data.get("standard"),
        category=data.get("category"),
        gaps_only=bool(data.get("gaps")),
    )
    return form, province, rows


@login_required
def capacity(request):
    """The plan's "every test inside the country": capacity against demand for every mandatory test."""
    form, province, rows = _capacity(request)
    context = {
        "form": form,
        "province": province,
        "provinces": Province.objects.all() if request.user.is_national else None,
        "rows": rows,
        "gaps": sum(1 for row in rows if row.gap),
        "query": request.GET.urlencode(),
    }
    return render(request, "labs/capacity.html", context)


@login_required
def capacity_export(request, fmt):
    _form, _province, rows = _capacity(request)
    columns = [
        _("Standard"),
        _("Clause"),
        _("Requirement"),
        _("Labs in the province"),
        _("Labs in the country"),
        _("Yearly capacity"),
        _("Demand, last 12 months"),
        _("No lab in the country"),
    ]
    data = [
        [
            row.requirement.standard.code,
            row.requirement.clause,
            row.requirement.title,
            row.labs_in_province,
            row.labs_in_country,
            row.yearly_capacity,
            row.demand,
            _("yes") if row.gap else "",
        ]
        for row in rows
    ]
    return export_response("test-capacity", fmt, columns, data)


# --- samples ------------------------------------------------------------------------------------


@login_required
def sample_list(request):
    samples = samples_for_user(request.user)
    state = request.GET.get("state", "")
    if state in CustodyStep.values:
        samples = samples.filter(state=state)
    page = Paginator(samples, 40).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "states": CustodyStep.choices,
        "state": state,
        "can_take": request.user.role in (*OFFICE_ROLES, Role.INSPECTION_COMPANY),
        "can_assign": request.user.role in (Role.OFFICE_STAFF, Role.NATIONAL_ADMIN),
    }
    return render(request, "labs/sample_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sample_new(request):
    user = request.user
    if user.role not in (*OFFICE_ROLES, Role.INSPECTION_COMPANY):
        raise PermissionDenied
    company = None
    products = Product.objects.select_related("unit", "category")
    if user.role == Role.INSPECTION_COMPANY:
        company = InspectionCompany.objects.filter(memberships__user=user).first()
        if company is None:
            raise PermissionDenied
        products = products.filter(category__in=company.categories.all())
    elif not user.is_national:
        products = products.filter(unit__province_id=user.province_id)
    application = None
    application_id = request.GET.get("application") or request.POST.get("application")
    if application_id:
        # A sample for a licence application: its product and standard, and the outcome goes back to it.
        from hami.licensing.access import application_for_user

        application = application_for_user(user, application_id)
        products = products.filter(pk=application.product_id)
    initial = (
        {"product": application.product_id, "standard": application.standard_id} if application else None
    )
    form = SampleForm(request.POST or None, products=products, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sample = sample_take(actor=user, company=company, application=application, **form.cleaned_data)
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Sample {code} recorded: take {n} items from the lot.").format(
                    code=sample.code, n=sample.sample_size
                ),
            )
            return redirect("labs:sample_detail", public_id=sample.public_id)
    return render(request, "labs/sample_new.html", {"form": form, "application": application})


@login_required
def sample_detail(request, public_id):
    sample = sample_for_user(request.user, public_id)
    orders = orders_for_user(request.user).filter(sample=sample).prefetch_related("items__requirement")
    context = {
        "sample": sample,
        "custody": sample.custody.select_related("actor", "lab"),
        "photos": sample.photos.all(),
        "orders": orders,
        "next_steps": [
            (step, CustodyStep(step).label)
            for step in (CustodyStep.SENT, *sorted(LAB_STEPS, key=STEP_ORDER.index))
        ]
        if sample.state != CustodyStep.DISPOSED
        else [],
        "labs": Lab.objects.filter(orders__sample=sample).distinct(),
        "photo_form": PhotoForm(),
    }
    return render(request, "labs/sample_detail.html", context)


@login_required
@require_POST
def sample_act(request, public_id, action):
    sample = sample_for_user(request.user, public_id)
    try:
        if action == "custody":
            form = CustodyForm(request.POST)
            if not form.is_valid():
                errors_to_messages(request, form)
                return redirect("labs:sample_detail", public_id=public_id)
            data = form.cleaned_data
            lab = Lab.objects.filter(public_id=data["lab"]).first() if data["lab"] else None
            custody_record(
                actor=request.user,
                sample=sample,
                step=data["step"],
                lab=lab,
                seal_intact=data["seal_intact"],
                note=data["note"],
            )
        elif action == "photo":
            form = PhotoForm(request.POST, request.FILES)
            if not form.is_valid():
                errors_to_messages(request, form)
                return redirect("labs:sample_detail", public_id=public_id)
            sample_photo_add(actor=request.user, sample=sample, file=form.cleaned_data["file"])
        else:
            raise Http404(_("No such action."))
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("labs:sample_detail", public_id=public_id)


@login_required
def sample_photo(request, public_id, pk):
    sample = sample_for_user(request.user, public_id)
    photo = sample.photos.filter(pk=pk).first()
    if photo is None:
        raise Http404(_("No such photo."))
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


# --- assignment ---------------------------------------------------------------------------------


def _uuids(values: list[str]) -> list[uuid.UUID]:
    """The well-formed UUIDs among posted values (a tampered form must not reach the database as junk)."""
    parsed = []
    for value in values:
        try:
            parsed.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return parsed


@login_required
@require_http_methods(["GET", "POST"])
def assignment_new(request):
    user = request.user
    if user.role not in (Role.OFFICE_STAFF, Role.NATIONAL_ADMIN) or not user.province_id:
        raise PermissionDenied
    waiting = waiting_samples(Sample.objects.filter(province_id=user.province_id))
    pairs = waiting_tests(waiting)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = waiting.filter(public_id__in=_uuids(request.POST.getlist("samples"))) or waiting
        weights = Weights(
            price=float(data["price"]), distance=float(data["distance"]), turnaround=float(data["turnaround"])
        )
        try:
            batch = assignment_propose(
                actor=user,
                province=user.province,
                samples=chosen,
                weights=weights,
                rotation_limit=data["rotation_limit"],
            )
        except HamiError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("labs:assignment_detail", pk=batch.pk)
    samples = {}
    for sample, _requirement in pairs:
        samples.setdefault(sample, 0)
        samples[sample] += 1
    context = {"form": form, "samples": samples.items(), "tests": len(pairs)}
    return render(request, "labs/assignment_new.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request, pk):
    user = request.user
    batch = AssignmentBatch.objects.filter(pk=pk).select_related("province").first()
    if batch is None or not is_office_for(user, batch.province_id):
        raise Http404(_("No assignment with this number is visible to you."))
    if request.method == "POST":
        try:
            orders = assignment_confirm(actor=user, batch=batch)
        except HamiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("{count} orders sent to the labs.").format(count=len(orders)))
        return redirect("labs:assignment_detail", pk=pk)
    report = batch.report
    lab_ids = {p["lab"] for p in report["placements"].values() if p["lab"]} | {
        alt["lab"] for p in report["placements"].values() for alt in p["alternatives"]
    }
    lab_names = dict(Lab.objects.filter(pk__in=lab_ids).values_list("pk", "name_fa"))
    if translation.get_language() == "en":
        lab_names.update(
            {k: v for k, v in Lab.objects.filter(pk__in=lab_ids).values_list("pk", "name_en") if v}
        )
    keys = list(report["placements"])
    sample_ids = {int(key.split(":")[0]) for key in keys}
    requirement_ids = {int(key.split(":")[1]) for key in keys}
    samples = {s.pk: s for s in Sample.objects.filter(pk__in=sample_ids).select_related("unit", "product")}
    requirements = {r.pk: r for r in Requirement.objects.filter(pk__in=requirement_ids)}
    rows = []
    for key in keys:
        placement = placement_from_json(key, report["placements"][key])
        sample_id, requirement_id = (int(part) for part in key.split(":"))
        rows.append(
            {
                "sample": samples.get(sample_id),
                "requirement": requirements.get(requirement_id),
                "lab": lab_names.get(placement.lab),
                "cost": placement.cost.total if placement.cost else None,
                "lines": placement.explain(lab_names),
            }
        )
    shortages = [
        {**s, "requirement": requirements.get(s["requirement"])} for s in report.get("shortages", [])
    ]
    context = {
        "batch": batch,
        "rows": rows,
        "shortages": shortages,
        "orders": batch.orders.select_related("lab"),
    }
    return render(request, "labs/assignment_detail.html", context)


# --- orders, results and reports ------------------------------------------------------------------


@login_required
def order_list(request):
    orders = orders_for_user(request.user)
    state = request.GET.get("state", "")
    if state in OrderState.values:
        orders = orders.filter(state=state)
    page = Paginator(orders, 40).get_page(request.GET.get("page"))
    return render(
        request, "labs/order_list.html", {"page": page, "states": OrderState.choices, "state": state}
    )


@login_required
def order_detail(request, public_id):
    order = order_for_user(request.user, public_id)
    staff = is_lab_staff(request.user, order.lab)
    items = order.items.select_related("requirement").order_by("requirement__clause")
    context = {
        "order": order,
        "staff": staff,
        "office": is_office_for(request.user, order.province_id),
        "items": items,
        "reports": order.reports.all(),
        "reject_form": RejectForm(),
        "file_form": ResultsFileForm(),
        "amend_form": AmendForm(),
        "complete": all(item.reported_at for item in items),
        "explanation": [
            placement_from_json(key, data).explain() for key, data in (order.explanation or {}).items()
        ],
    }
    return render(request, "labs/order_detail.html", context)


@login_required
@require_POST
def order_act(request, public_id, action):
    order = order_for_user(request.user, public_id)
    try:
        if action == "accept":
            order_accept(actor=request.user, order=order)
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                errors_to_messages(request, form)
                return redirect("labs:order_detail", public_id=public_id)
            order_reject(actor=request.user, order=order, reason=form.cleaned_data["reason"])
        elif action == "result":
            item_id = request.POST.get("item", "")
            item = order.items.filter(pk=int(item_id)).first() if item_id.isdigit() else None
            form = ResultForm(request.POST)
            if item is None or not form.is_valid():
                messages.error(request, _("Choose a test and fill its result."))
                return redirect("labs:order_detail", public_id=public_id)
            result_report(actor=request.user, item=item, **form.cleaned_data)
        elif action == "results_file":
            form = ResultsFileForm(request.POST, request.FILES)
            if not form.is_valid():
                errors_to_messages(request, form)
                return redirect("labs:order_detail", public_id=public_id)
            upload = form.cleaned_data["file"]
            result = results_import(actor=request.user, order=order, file=upload, filename=upload.name)
            if not result.ok:
                for error in result.errors[:20]:
                    messages.error(request, error.describe())
                return redirect("labs:order_detail", public_id=public_id)
        elif action == "issue":
            report_issue(actor=request.user, order=order)
        elif action == "correct":
            item_id = request.POST.get("item", "")
            item = order.items.filter(pk=int(item_id)).first() if item_id.isdigit() else None
            form, amend = ResultForm(request.POST), AmendForm(request.POST)
            if item is None or not form.is_valid() or not amend.is_valid():
                messages.error(request, _("Choose a test, give the corrected result and the reason."))
                return redirect("labs:order_detail", public_id=public_id)
            result_correct(
                actor=request.user, item=item, reason=amend.cleaned_data["reason"], **form.cleaned_data
            )
        else:
            raise Http404(_("No such action."))
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("labs:order_detail", public_id=public_id)


@login_required
def report_download(request, public_id, language):
    report = TestReport.objects.filter(public_id=public_id).select_related("order").first()
    if report is None or language not in ("fa", "en"):
        raise Http404(_("No such report."))
    order_for_user(request.user, report.order.public_id)  # 404 outside the user's scope
    response = HttpResponse(render_report(report, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.number}-{language}.pdf"'
    return response
