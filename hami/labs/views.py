"""Lab pages: the office's list and approval of labs, their scope and conflicts, inspection companies,
and the public lab directory. Samples, orders and the capacity map are in views_testing.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.errors import HamiError
from hami.core.forms import errors_to_messages
from hami.core.identifiers import clean_digits
from hami.core.models import County, Role, User
from hami.core.persian import search_terms
from hami.labs import workflow
from hami.labs.access import (
    companies_for_user,
    company_for_user,
    is_lab_staff,
    is_office_for,
    lab_for_user,
    labs_for_user,
)
from hami.labs.forms import (
    AccreditationForm,
    CompanyForm,
    ConflictForm,
    DirectoryForm,
    LabApplyForm,
    LabMoveForm,
    ScopeLineForm,
)
from hami.labs.models import Lab, LabStatus
from hami.labs.services.companies import company_create
from hami.labs.services.labs import (
    conflict_declare,
    lab_apply,
    lab_move,
    lab_set_accreditation,
    scope_line_set,
)
from hami.registry.models import ProductionUnit
from hami.standards.models import Requirement


@login_required
def lab_list(request):
    labs = (
        labs_for_user(request.user)
        .annotate(tests=Count("scope", filter=Q(scope__active=True)))
        .order_by("name_fa", "pk")  # an aggregate drops Meta.ordering, and pages need a stable order
    )
    status = request.GET.get("status", "")
    if status in LabStatus.values:
        labs = labs.filter(status=status)
    page = Paginator(labs, 40).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": LabStatus.choices,
        "status": status,
        "can_apply": request.user.role in (Role.OFFICE_STAFF, Role.NATIONAL_ADMIN, Role.LAB_STAFF),
        "today": timezone.localdate(),
    }
    return render(request, "labs/lab_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lab_new(request):
    user = request.user
    if user.role not in (Role.OFFICE_STAFF, Role.NATIONAL_ADMIN, Role.LAB_STAFF):
        raise PermissionDenied
    counties = County.objects.select_related("province")
    if user.role == Role.OFFICE_STAFF:
        counties = counties.filter(province_id=user.province_id)
    form = LabApplyForm(request.POST or None, counties=counties)
    if request.method == "POST" and form.is_valid():
        try:
            lab = lab_apply(actor=user, **form.cleaned_data)
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The lab's application is filed."))
            return redirect("labs:lab_detail", public_id=lab.public_id)
    return render(request, "labs/lab_new.html", {"form": form})


@login_required
def lab_detail(request, public_id):
    lab = lab_for_user(request.user, public_id)
    office = is_office_for(request.user, lab.province_id)
    scope = lab.scope.select_related("requirement", "requirement__standard").order_by(
        "requirement__standard__number", "requirement__clause"
    )
    context = {
        "lab": lab,
        "office": office,
        "staff": is_lab_staff(request.user, lab),
        "events": lab.events.select_related("actor"),
        "scope": scope,
        "conflicts": lab.conflicts.select_related("unit"),
        "next_states": [(s, LabStatus(s).label) for s in workflow.next_states(lab.status)],
        "accredited": lab.accredited(),
        "move_form": LabMoveForm(),
        "accreditation_form": AccreditationForm(
            initial={
                "number": lab.accreditation_number,
                "body": lab.accreditation_body,
                "expiry": lab.accreditation_expiry,
            }
        ),
        "scope_form": ScopeLineForm(requirements=Requirement.objects.select_related("standard")),
        "conflict_form": ConflictForm(),
    }
    return render(request, "labs/lab_detail.html", context)


@login_required
@require_POST
def lab_act(request, public_id, action):
    """The lab's workflow moves, accreditation, scope lines and conflicts: one POST endpoint per action."""
    lab = lab_for_user(request.user, public_id)
    try:
        if action == "move":
            form = LabMoveForm(request.POST)
            if not form.is_valid():
                errors_to_messages(request, form)
                return redirect("labs:lab_detail", public_id=public_id)
            lab_move(actor=request.user, lab=lab, **form.cleaned_data)
        elif action == "accreditation":
            form = AccreditationForm(request.POST)
            if not form.is_valid():
                errors_to_messages(request, form)
                return redirect("labs:lab_detail", public_id=public_id)
            lab_set_accreditation(actor=request.user, lab=lab, **form.cleaned_data)
        elif action == "scope":
            form = ScopeLineForm(request.POST, requirements=Requirement.objects.all())
            if not form.is_valid():
                errors_to_messages(request, form)
                return redirect("labs:lab_detail", public_id=public_id)
            scope_line_set(actor=request.user, lab=lab, **form.cleaned_data)
        elif action == "conflict":
            form = ConflictForm(request.POST)
            unit = None
            if form.is_valid():
                national_id = clean_digits(form.cleaned_data["unit_national_id"])
                unit = ProductionUnit.objects.filter(national_id=national_id).first() if national_id else None
            if unit is None:
                messages.error(request, _("No unit has this national ID."))
                return redirect("labs:lab_detail", public_id=public_id)
            conflict_declare(actor=request.user, lab=lab, unit=unit, note=form.cleaned_data["note"])
        else:
            messages.error(request, _("No such action."))
            return redirect("labs:lab_detail", public_id=public_id)
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("labs:lab_detail", public_id=public_id)


def directory(request):
    """The public lab directory, no login: approved labs, filtered by what they test and where."""
    form = DirectoryForm(request.GET or None)
    today = timezone.localdate()
    labs = (
        Lab.objects.filter(status__in=[LabStatus.APPROVED, LabStatus.SUSPENDED])
        .select_related("province", "county")
        .annotate(tests=Count("scope", filter=Q(scope__active=True), distinct=True))
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            for term in search_terms(data["q"])[:5]:
                labs = labs.filter(Q(name_fa__icontains=term) | Q(name_en__icontains=term))
        if data["requirement"]:
            labs = labs.filter(scope__requirement=data["requirement"], scope__active=True)
        if data["standard"]:
            labs = labs.filter(scope__requirement__standard=data["standard"], scope__active=True)
        if data["category"]:
            labs = labs.filter(scope__requirement__standard__categories=data["category"], scope__active=True)
        if data["county"]:
            labs = labs.filter(county=data["county"])
    labs = labs.distinct().order_by("province__name_en", "name_fa")
    page = Paginator(labs, 30).get_page(request.GET.get("page"))
    return render(request, "labs/directory.html", {"form": form, "page": page, "today": today})


@login_required
def company_list(request):
    companies = companies_for_user(request.user).annotate(
        staff=Count("memberships", distinct=True), samples_taken=Count("samples", distinct=True)
    )
    user = request.user
    form = CompanyForm(request.POST or None)
    office = user.role in (Role.OFFICE_STAFF, Role.NATIONAL_ADMIN) and user.province_id
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        if form.is_valid():
            try:
                company = company_create(actor=user, province=user.province, **form.cleaned_data)
            except HamiError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("The inspection company is registered; approve it to let it sample.")
                )
                return redirect("labs:company_detail", public_id=company.public_id)
    return render(request, "labs/company_list.html", {"companies": companies, "form": form, "office": office})


@login_required
@require_http_methods(["GET", "POST"])
def company_detail(request, public_id):
    from hami.labs.models import ApprovalStatus
    from hami.labs.services.companies import company_update
    from hami.standards.models import ProductCategory

    company = company_for_user(request.user, public_id)
    office = is_office_for(request.user, company.province_id)
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        categories = list(ProductCategory.objects.filter(code__in=request.POST.getlist("categories")))
        staff = None
        if "staff" in request.POST:  # usernames, one per line or separated by commas
            names = {
                name.strip() for name in request.POST["staff"].replace(",", "\n").splitlines() if name.strip()
            }
            staff = list(User.objects.filter(username__in=names))
            unknown = sorted(names - {user.username for user in staff})
            if unknown:
                messages.error(
                    request, _("No user has these usernames: {names}.").format(names=", ".join(unknown))
                )
                return redirect("labs:company_detail", public_id=public_id)
        try:
            company_update(
                actor=request.user,
                company=company,
                reason=request.POST.get("reason", ""),
                status=request.POST.get("status") or None,
                categories=categories,
                staff=staff,
            )
        except HamiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Done."))
        return redirect("labs:company_detail", public_id=public_id)
    context = {
        "company": company,
        "office": office,
        "statuses": ApprovalStatus.choices,
        "categories": ProductCategory.objects.all(),
        "chosen": set(company.categories.values_list("code", flat=True)),
        "staff": company.memberships.select_related("user"),
        "samples": company.samples.select_related("unit", "product")[:20],
    }
    return render(request, "labs/company_detail.html", context)
