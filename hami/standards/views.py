from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hami.core.persian import search_terms
from hami.standards.access import can_write_catalogue, category_for_user, standard_for_user
from hami.standards.forms import StandardSearchForm, StandardsImportForm
from hami.standards.imports import standards_import
from hami.standards.models import ProductCategory, Standard


@login_required
def standard_list(request):
    form = StandardSearchForm(request.GET)
    standards = Standard.objects.annotate(requirement_count=Count("requirements"))
    if form.is_valid():
        for term in search_terms(form.cleaned_data["q"])[:8]:
            standards = standards.filter(search_text__contains=term)
        if form.cleaned_data["mandatory"]:
            standards = standards.mandatory_on()
    page = Paginator(standards.order_by("number", "-year"), 25).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "can_import": can_write_catalogue(request.user)}
    return render(request, "standards/standard_list.html", context)


@login_required
def standard_detail(request, pk):
    standard = standard_for_user(request.user, pk)
    return render(request, "standards/standard_detail.html", {"standard": standard})


@login_required
def category_list(request):
    categories = ProductCategory.objects.annotate(standard_count=Count("standards")).order_by("name_fa")
    return render(request, "standards/category_list.html", {"categories": categories})


@login_required
def category_detail(request, code):
    category = category_for_user(request.user, code)
    return render(request, "standards/category_detail.html", {"category": category})


@login_required
@require_http_methods(["GET", "POST"])
def standards_import_view(request):
    if not can_write_catalogue(request.user):
        raise PermissionDenied(_("Only national administrators change the standards catalogue."))
    form = StandardsImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        requirements = form.cleaned_data["requirements_file"]
        result = standards_import(
            actor=request.user,
            file=upload,
            filename=upload.name,
            requirements_file=requirements,
            requirements_filename=requirements.name if requirements else None,
            dry_run=form.cleaned_data["dry_run"],
        )
        if not result.errors and not form.cleaned_data["dry_run"]:
            messages.success(request, _("{count} standards imported.").format(count=result.created))
            return redirect("standards:standard_list")
    return render(request, "standards/standards_import.html", {"form": form, "result": result})
