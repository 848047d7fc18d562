"""Licensing pages: the unit's portal, the office queue, application actions, the committee, the register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.errors import HamiError
from hami.core.forms import errors_to_messages
from hami.core.jalali import format_date
from hami.core.models import Role
from hami.core.persian import search_terms
from hami.core.tabular import export_response
from hami.licensing import workflow
from hami.licensing.access import (
    acts_as,
    application_for_user,
    applications_for_user,
    licence_for_user,
    licences_for_user,
    meeting_for_user,
    meetings_for_user,
)
from hami.licensing.certificate import render_certificate
from hami.licensing.forms import (
    AnswerForm,
    ApplyForm,
    DecisionForm,
    DocumentForm,
    LicenceFilterForm,
    MeetingForm,
    NoteForm,
    ReturnForm,
    SanctionForm,
    TestsForm,
)
from hami.licensing.models import ApplicationState, Deficiency, LicenceState, UnitDocument
from hami.licensing.selectors import fast_track_figures, lead_time_days, queue, step_times
from hami.licensing.services import applications as app_services
from hami.licensing.services.committee import committee_decide, licence_sanction, meeting_create
from hami.licensing.services.documents import document_attach, document_upload
from hami.licensing.services.keys import mark_payload
from hami.licensing.services.licences import licence_amend
from hami.registry.access import units_for_user
from hami.registry.models import Product
from hami.standards.models import Standard


@login_required
def application_list(request):
    applications = applications_for_user(request.user)
    state = request.GET.get("state", "")
    if state in ApplicationState.values:
        applications = applications.filter(state=state)
    elif request.GET.get("all") != "1":
        applications = applications.filter(closed_at__isnull=True)
    page = Paginator(queue(applications), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "states": ApplicationState.choices,
        "state": state,
        "today": timezone.localdate(),
        "can_apply": request.user.role == Role.UNIT_REP,
    }
    return render(request, "licensing/application_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request):
    units = units_for_user(request.user)
    products = Product.objects.filter(unit__in=units).select_related("unit", "category")
    standards = Standard.objects.filter(categories__products__in=products).distinct()
    form = ApplyForm(request.POST or None, products=products, standards=standards)
    if request.method == "POST" and form.is_valid():
        try:
            application = app_services.application_create(actor=request.user, **form.cleaned_data)
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Draft {number} created. Check it and send it to the office.").format(
                number=application.number))  # fmt: skip
            return redirect("licensing:application_detail", public_id=application.public_id)
    return render(request, "licensing/application_new.html", {"form": form})


def _parties(user, application) -> set[str]:
    return {
        party
        for party in workflow.Party
        if acts_as(user, party, province_id=application.province_id, unit_id=application.unit_id)
    }


@login_required
def application_detail(request, public_id):
    application = application_for_user(request.user, public_id)
    parties = _parties(request.user, application)
    context = {
        "application": application,
        "steps": step_times(application),
        "lead_time": lead_time_days(application),
        "deficiencies": application.deficiencies.all(),
        "parties": parties,
        "next_states": workflow.next_states(application.state),
        "return_form": ReturnForm(),
        "tests_form": TestsForm(),
        "decision_form": DecisionForm(),
        "note_form": NoteForm(),
        "answer_form": AnswerForm(),
        "document_form": DocumentForm(),
        "documents": application.documents.all(),
        "unit_documents": application.unit.documents.exclude(applications=application),
        "fast_track": fast_track_figures(application),
        "today": timezone.localdate(),
        "samples": application.samples.order_by("taken_at"),
    }
    return render(request, "licensing/application_detail.html", context)


@login_required
@require_POST
def application_document(request, public_id):
    """Upload a document (or reuse one already uploaded) and attach it to the application."""
    application = application_for_user(request.user, public_id)
    existing = request.POST.get("existing")
    try:
        if existing:
            document = UnitDocument.objects.filter(
                unit=application.unit, public_id=_uuid_or_none(existing)
            ).first()
            if document is None:
                raise Http404(_("No such document."))
        else:
            form = DocumentForm(request.POST, request.FILES)
            if not form.is_valid():
                errors_to_messages(request, form)
                return redirect("licensing:application_detail", public_id=public_id)
            document = document_upload(actor=request.user, unit=application.unit, **form.cleaned_data)
        document_attach(actor=request.user, application=application, document=document)
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Document attached."))
    return redirect("licensing:application_detail", public_id=public_id)


@login_required
def document_download(request, public_id):
    """A unit's document, for its representatives and the office that handles it."""
    from hami.registry.access import unit_for_user

    document = UnitDocument.objects.filter(public_id=public_id).select_related("unit").first()
    if document is None:
        raise Http404(_("No such document."))
    unit_for_user(request.user, document.unit.public_id)  # 404 outside the user's scope
    return FileResponse(
        document.file.open("rb"), content_type=document.content_type, filename=document.file.name
    )


ACTIONS = {
    # action: (form class or None, service, keyword arguments taken from the form)
    "submit": (None, app_services.application_submit),
    "withdraw": (NoteForm, app_services.application_withdraw),
    "return": (ReturnForm, app_services.application_return),
    "accept": (None, app_services.application_accept),
    "audit_done": (NoteForm, app_services.application_audit_done),
    "tests": (TestsForm, app_services.application_record_tests),
    "decide": (DecisionForm, committee_decide),
}


@login_required
@require_POST
def application_act(request, public_id, action):
    """One step of the workflow; the service checks the state and the actor's right to it."""
    application = application_for_user(request.user, public_id)
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    form_class, service = ACTIONS[action]
    kwargs = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            errors_to_messages(request, form)
            return redirect("licensing:application_detail", public_id=public_id)
        kwargs = dict(form.cleaned_data)
        if action == "withdraw":
            kwargs = {"reason": kwargs["note"]}
        elif action == "return":
            kwargs = {"deficiencies": kwargs["deficiencies"].splitlines()}
    try:
        service(actor=request.user, application=application, **kwargs)
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("licensing:application_detail", public_id=public_id)


@login_required
@require_POST
def deficiency_answer(request, public_id, pk):
    application = application_for_user(request.user, public_id)
    deficiency = Deficiency.objects.filter(application=application, pk=pk).first()
    if deficiency is None:
        raise Http404(_("No such deficiency."))
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            app_services.deficiency_answer(
                actor=request.user, deficiency=deficiency, answer=form.cleaned_data["answer"]
            )
        except HamiError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Write an answer."))
    return redirect("licensing:application_detail", public_id=public_id)


def _filtered_licences(request):
    form = LicenceFilterForm(request.GET)
    licences = licences_for_user(request.user)
    if form.is_valid():
        for term in search_terms(form.cleaned_data["q"])[:8]:
            licences = licences.filter(Q(unit__search_text__contains=term) | Q(tracking_code=term))
        if form.cleaned_data["state"] in LicenceState.values:
            licences = licences.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["expiring"]:
            today = timezone.localdate()
            licences = licences.filter(
                state=LicenceState.ACTIVE,
                expires_on__gte=today,
                expires_on__lte=today + timezone.timedelta(days=90),
            )
    return form, licences.order_by("expires_on", "pk")


@login_required
def licence_list(request):
    form, licences = _filtered_licences(request)
    page = Paginator(licences, 30).get_page(request.GET.get("page"))
    return render(
        request, "licensing/licence_list.html", {"form": form, "page": page, "states": LicenceState.choices}
    )


EXPORT_COLUMNS = ("number", "tracking_code", "unit", "national_id", "product", "brand", "standard", "state",
                  "issued_on", "expires_on")  # fmt: skip


def _export_rows(licences):
    for licence in licences.select_related("current").iterator(chunk_size=2000):
        version = licence.current
        yield [
            licence.number, licence.tracking_code, licence.unit.name_fa, licence.unit.national_id,
            version.product_name if version else "", version.brand if version else "", licence.standard.code,
            licence.get_state_display(), format_date(version.issued_on) if version else "",
            format_date(licence.expires_on),
        ]  # fmt: skip


@login_required
def licence_export(request, fmt):
    """The filtered register as CSV (UTF-8 with BOM, for Excel) or XLSX; dates in Jalali for people."""
    _form, licences = _filtered_licences(request)
    return export_response("licences", fmt, EXPORT_COLUMNS, _export_rows(licences))


@login_required
def licence_detail(request, public_id):
    licence = licence_for_user(request.user, public_id)
    try:
        payload = mark_payload(licence)
    except HamiError:
        payload = None
    qr_svg = None
    if payload:
        import segno

        qr_svg = segno.make(payload, error="m").svg_inline(scale=3)
    parties = _parties(request.user, licence)
    context = {
        "licence": licence,
        "parties": parties,
        "sanction_form": SanctionForm(),
        "versions": licence.versions.order_by("number"),
        "decisions": licence.decisions.select_related("sanction_reason").order_by("created_at"),
        "payload": payload,
        "qr_svg": qr_svg,
    }
    return render(request, "licensing/licence_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee(request):
    """The province's Marks Committee: past meetings and a new agenda from the ready applications."""
    if not (request.user.is_national or request.user.role == Role.OFFICE_STAFF):
        raise PermissionDenied(_("Only office staff prepare the Marks Committee."))
    ready = applications_for_user(request.user).filter(state=ApplicationState.READY).order_by("due_on")
    form = MeetingForm(request.POST or None, ready=ready)
    if request.method == "POST" and form.is_valid():
        applications = list(form.cleaned_data["applications"])
        province = applications[0].province
        try:
            meeting = meeting_create(
                actor=request.user,
                province=province,
                held_on=form.cleaned_data["held_on"],
                members=form.cleaned_data["members"],
                applications=applications,
            )
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("licensing:meeting_detail", pk=meeting.pk)
    meetings = meetings_for_user(request.user).order_by("-held_on")[:20]
    return render(request, "licensing/committee.html", {"form": form, "meetings": meetings, "ready": ready})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk):
    meeting = meeting_for_user(request.user, pk)
    if request.method == "POST":
        application = application_for_user(request.user, request.POST.get("application", ""))
        if not meeting.agenda.filter(application=application).exists():
            raise Http404(_("This application is not on the meeting's agenda."))
        data = request.POST.copy()
        data["members_present"] = "\n".join(meeting.members)  # the meeting's members decide its agenda
        form = DecisionForm(data)
        if form.is_valid():
            try:
                committee_decide(
                    actor=request.user, application=application, meeting=meeting, **form.cleaned_data
                )
            except HamiError as exc:
                messages.error(request, f"{application.number}: {exc.message}")
            else:
                messages.success(
                    request, _("Decision on {number} recorded.").format(number=application.number)
                )
        else:
            errors_to_messages(request, form)
        return redirect("licensing:meeting_detail", pk=meeting.pk)
    agenda = meeting.agenda.select_related(
        "application__unit", "application__product", "application__standard"
    )
    return render(request, "licensing/meeting_detail.html", {"meeting": meeting, "agenda": agenda})


@login_required
@require_POST
def licence_sanction_view(request, public_id):
    licence = licence_for_user(request.user, public_id)
    form = SanctionForm(request.POST)
    if form.is_valid():
        try:
            licence_sanction(actor=request.user, licence=licence, **form.cleaned_data)
        except HamiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Decision recorded; the public verification shows it now."))
    else:
        errors_to_messages(request, form)
    return redirect("licensing:licence_detail", public_id=public_id)


@login_required
@require_POST
def licence_renew(request, public_id):
    """A renewal application prefilled from the licence (same product, standard and tracking code)."""
    licence = licence_for_user(request.user, public_id)
    version = licence.current
    try:
        application = app_services.application_create(
            actor=request.user,
            product=version.product,
            standard=licence.standard,
            site=version.site,
            licence=licence,
        )
    except HamiError as exc:
        messages.error(request, exc.message)
        return redirect("licensing:licence_detail", public_id=public_id)
    return redirect("licensing:application_detail", public_id=application.public_id)


@login_required
def licence_certificate(request, public_id):
    """The certificate PDF; `?lang=en` for the English one."""
    licence = licence_for_user(request.user, public_id)
    language = "en" if request.GET.get("lang") == "en" else "fa"
    try:
        payload = mark_payload(licence)
    except HamiError:
        payload = None
    pdf = render_certificate(licence, payload, language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="licence-{licence.tracking_code}-{language}.pdf"'
    return response


@login_required
@require_POST
def licence_amend_view(request, public_id):
    licence = licence_for_user(request.user, public_id)
    changes = {
        field: request.POST[field][:255]
        for field in ("product_name", "brand", "model")
        if request.POST.get(field)
    }
    try:
        licence_amend(
            actor=request.user, licence=licence, reason=request.POST.get("reason", "")[:300], **changes
        )
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Amendment recorded as a new version."))
    return redirect("licensing:licence_detail", public_id=public_id)


def _uuid_or_none(text: str):
    import uuid

    try:
        return uuid.UUID(str(text)[:64])
    except ValueError:
        return None
