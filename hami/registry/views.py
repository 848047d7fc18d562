from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hami.core.errors import HamiError
from hami.core.models import AuditEvent, County
from hami.registry.access import can_write_units, unit_for_user, units_for_user
from hami.registry.forms import ImportForm, UnitEditForm, UnitForm, UnitSearchForm
from hami.registry.imports import units_import
from hami.registry.models import UnitStatus
from hami.registry.selectors import unit_products, unit_search
from hami.registry.services import UNIT_FIELDS, unit_create, unit_set_fast_track, unit_update

PAGE_SIZE = 25


def _counties(user):
    counties = County.objects.select_related("province").order_by("province__name_fa", "name_fa")
    return counties if user.is_national else counties.filter(province_id=user.province_id)


@login_required
def unit_list(request):
    form = UnitSearchForm(request.GET)
    units = units_for_user(request.user)
    if form.is_valid():
        units = unit_search(units, form.cleaned_data["q"])
        if form.cleaned_data["county"]:
            units = units.filter(county__code=form.cleaned_data["county"])
        if form.cleaned_data["status"] in UnitStatus.values:
            units = units.filter(status=form.cleaned_data["status"])
    page = Paginator(units.order_by("name_fa", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "statuses": UnitStatus.choices,
        "counties": _counties(request.user),
        "show_province": request.user.is_national,
        "can_import": can_write_units(request.user),
    }
    template = "registry/_unit_rows.html" if request.headers.get("HX-Request") else "registry/unit_list.html"
    return render(request, template, context)


@login_required
def unit_detail(request, public_id):
    unit = unit_for_user(request.user, public_id)
    history = AuditEvent.objects.filter(
        object_type="registry.productionunit", object_id=str(unit.pk)
    ).select_related("actor")[:50]
    context = {
        "unit": unit,
        "products": unit_products(unit),
        "sites": unit.sites.select_related("county"),
        "qc_manager": unit.qc_managers.filter(is_active=True).first(),
        "history": history,
        "can_write": can_write_units(request.user, unit.province),
        "today": timezone.localdate(),
    }
    return render(request, "registry/unit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_import(request):
    if not can_write_units(request.user):
        raise PermissionDenied(_("Only office staff and national admins import units."))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = units_import(
            actor=request.user, file=upload, filename=upload.name, dry_run=form.cleaned_data["dry_run"]
        )
        if not result.errors and not form.cleaned_data["dry_run"]:
            messages.success(request, _("{count} units imported.").format(count=result.created))
            return redirect("registry:unit_list")
    return render(request, "registry/unit_import.html", {"form": form, "result": result})


@login_required
@require_http_methods(["GET", "POST"])
def unit_new(request):
    if not can_write_units(request.user):
        raise PermissionDenied(_("Only office staff and national admins register units."))
    form = UnitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_create(actor=request.user, **form.cleaned_data)
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Unit {name} registered.").format(name=unit.name_fa))
            return redirect("registry:unit_detail", public_id=unit.public_id)
    return render(request, "registry/unit_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, public_id):
    unit = unit_for_user(request.user, public_id, write=True)
    initial = {field: getattr(unit, field) for field in UNIT_FIELDS} | {"county": unit.county_id}
    form = UnitEditForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in UNIT_FIELDS}
        try:
            unit_update(actor=request.user, unit=unit, reason=form.cleaned_data["reason"], **changes)
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Unit {name} updated.").format(name=unit.name_fa))
            return redirect("registry:unit_detail", public_id=unit.public_id)
    return render(request, "registry/unit_form.html", {"form": form, "unit": unit})


@login_required
@require_http_methods(["POST"])
def unit_fast_track(request, public_id):
    """Office staff put a unit on the licensing fast track (or take it off), with a reason."""
    unit = unit_for_user(request.user, public_id, write=True)
    try:
        unit_set_fast_track(
            actor=request.user,
            unit=unit,
            enabled=request.POST.get("enabled") == "1",
            reason=request.POST.get("reason", "")[:300],
        )
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Fast track updated."))
    return redirect("registry:unit_detail", public_id=unit.public_id)
