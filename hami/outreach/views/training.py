"""Training pages: the course catalogue, the session calendar, a session (registration, the waitlist,
attendance, completion), certificates and their PDFs. The public certificate check is in public.py."""

import uuid
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hami.core.calendar import local_days
from hami.core.errors import HamiError
from hami.core.jalali import format_time, in_persian
from hami.core.models import Province, Role
from hami.core.month import month_bounds, month_grid, parse_month
from hami.outreach.access import (
    can_manage,
    certificate_for_user,
    certificates_for_user,
    course_for_user,
    courses_for_user,
    registration_for_user,
    registrations_for_user,
    session_for_user,
    sessions_for_user,
)
from hami.outreach.certificate_pdf import render_certificate
from hami.outreach.forms_training import CourseForm, ReasonForm, RegistrationForm, SessionForm
from hami.outreach.models import (
    HOLDS_PLACE,
    CertificateStatus,
    CourseKind,
    RegistrationStatus,
    SessionStatus,
    Topic,
)
from hami.outreach.services import certificates as certificate_services
from hami.outreach.services import training as services
from hami.registry.models import ProductionUnit


def _with_counts(sessions):
    return sessions.annotate(
        held=Count("registrations", filter=Q(registrations__status__in=HOLDS_PLACE)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
    )


def _may_add_courses(user) -> bool:
    return user.is_national or (user.role == Role.OFFICE_STAFF and user.province_id is not None)


def _errors_to_messages(request, form) -> None:
    """A form's errors as flash messages, each naming its field (the form is on the page redirected to)."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _register_units(user):
    """The units whose staff the user may register: a representative's own, an office's province's."""
    units = ProductionUnit.objects.order_by("name_fa")
    if user.is_national:
        return units
    if user.role == Role.OFFICE_STAFF and user.province_id:
        return units.filter(province_id=user.province_id)
    if user.role == Role.UNIT_REP:
        return units.filter(memberships__user=user)
    return units.none()


# ---------------------------------------------------------------- courses


@login_required
@require_http_methods(["GET", "POST"])
def course_list(request):
    user = request.user
    may_add = _may_add_courses(user)
    form = CourseForm(request.POST or None, national=user.is_national)
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["province"] = data.get("province") if user.is_national else user.province
            try:
                course = services.course_save(actor=user, **data)
            except HamiError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The course is in the catalogue; schedule its sessions."))
                return redirect("outreach:course_detail", public_id=course.public_id)
    courses = courses_for_user(user).annotate(
        upcoming=Count(
            "sessions",
            filter=Q(sessions__status=SessionStatus.SCHEDULED, sessions__starts_at__gte=timezone.now()),
        )
    )
    kind, topic = request.GET.get("kind", ""), request.GET.get("topic", "")
    if kind in CourseKind.values:
        courses = courses.filter(kind=kind)
    if topic:
        courses = courses.filter(topic__code=topic[:60])
    page = Paginator(courses.order_by("title_fa", "pk"), 40).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kinds": CourseKind.choices,
        "kind": kind,
        "topics": Topic.objects.all(),
        "topic": topic,
        "form": form if may_add else None,
        "open_form": request.method == "POST",
    }
    return render(request, "outreach/training/course_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_detail(request, public_id):
    user = request.user
    course = course_for_user(user, public_id)
    may_edit = can_manage(user, course.province_id)
    form = CourseForm(request.POST or None, national=user.is_national, initial=CourseForm.initial_for(course))
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["province"] = data.get("province") if user.is_national else course.province
            try:
                services.course_save(actor=user, course=course, **data)
            except HamiError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The course is saved."))
                return redirect("outreach:course_detail", public_id=public_id)
    sessions = list(_with_counts(course.sessions.select_related("province")).order_by("-starts_at")[:50])
    for session in sessions:
        session.left = max(session.capacity - session.held, 0)
    context = {
        "course": course,
        "sessions": sessions,
        "form": form if may_edit else None,
        "open_form": request.method == "POST",
        "may_schedule": _may_add_courses(user) and course.is_active,
        "now": timezone.now(),
    }
    return render(request, "outreach/training/course_detail.html", context)


# ---------------------------------------------------------------- sessions


@login_required
def session_calendar(request):
    user = request.user
    jalali = in_persian()
    today = timezone.localdate()
    year, month = parse_month(request.GET.get("month"), today, jalali=jalali)
    kind = request.GET.get("kind", "")
    province = request.GET.get("province", "")
    start, end = local_days(*month_bounds(year, month, jalali=jalali))
    sessions = _with_counts(sessions_for_user(user).filter(starts_at__gte=start, starts_at__lt=end))
    if kind in CourseKind.values:
        sessions = sessions.filter(course__kind=kind)
    if province:
        sessions = sessions.filter(province__code=province[:40])
    sessions = list(sessions.order_by("starts_at", "pk"))
    by_day = defaultdict(list)
    for session in sessions:
        session.title = session.course.title
        session.url = reverse("outreach:session_detail", args=[session.public_id])
        session.time = format_time(session.starts_at)
        if session.status == SessionStatus.CANCELLED:
            session.css = "danger"
        elif session.status == SessionStatus.COMPLETED:
            session.css = "secondary"
        elif session.held >= session.capacity:
            session.css = "warning"
        else:
            session.css = "primary"
        by_day[timezone.localdate(session.starts_at)].append(session)
    query = {key: value for key, value in (("kind", kind), ("province", province)) if value}
    context = {
        "month": month_grid(year, month, by_day, today=today, jalali=jalali),
        "month_url": reverse("outreach:session_calendar"),
        "month_query": f"&{urlencode(query)}" if query else "",
        "sessions": sessions,
        "kinds": CourseKind.choices,
        "kind": kind,
        "provinces": Province.objects.all(),
        "province": province,
        "may_schedule": _may_add_courses(user),
    }
    return render(request, "outreach/training/session_calendar.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    user = request.user
    if not _may_add_courses(user):
        raise PermissionDenied
    courses = courses_for_user(user).filter(is_active=True)
    if not user.is_national:
        courses = courses.filter(Q(province__isnull=True) | Q(province_id=user.province_id))
    chosen = request.GET.get("course", "")
    initial = {"course": courses.filter(public_id=chosen).first()} if _is_uuid(chosen) else {}
    form = SessionForm(request.POST or None, courses=courses, national=user.is_national, initial=initial)
    if request.method == "POST" and form.is_valid():
        province = form.cleaned_data.get("province") if user.is_national else user.province
        try:
            session = services.session_schedule(
                actor=user, course=form.cleaned_data["course"], province=province, **form.service_arguments()
            )
        except HamiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The session is scheduled; units can register now."))
            return redirect("outreach:session_detail", public_id=session.public_id)
    return render(request, "outreach/training/session_new.html", {"form": form})


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(str(text)[:36])
    except ValueError:
        return False
    return True


@login_required
def session_detail(request, public_id):
    user = request.user
    session = session_for_user(user, public_id)
    session = _with_counts(sessions_for_user(user).filter(pk=session.pk)).get()
    office = can_manage(user, session.province_id)
    now = timezone.now()
    registrations = session.registrations.select_related("unit").order_by("created_at", "pk")
    units = _register_units(user)
    if office:
        shown = list(registrations)
    else:  # a unit its own staff; an inspector of the province reads them too
        shown = list(registrations.filter(pk__in=registrations_for_user(user).values("pk")))
    waiting = [r for r in shown if r.status == RegistrationStatus.WAITLISTED]
    if office:  # the waitlist's order, as the office sees it whole
        for position, registration in enumerate(waiting, start=1):
            registration.position = position
    else:  # a unit's people: their place in the whole waitlist
        order = list(
            session.registrations.filter(status=RegistrationStatus.WAITLISTED)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
        )
        for registration in waiting:
            registration.position = order.index(registration.pk) + 1
    scheduled = session.status == SessionStatus.SCHEDULED
    started = session.starts_at <= now
    may_register = scheduled and not started and (office or user.role == Role.UNIT_REP) and units.exists()
    for registration in shown:
        refusal = services.registration_cancel_refusal(registration, session, office=office, now=now)
        registration.cancellable = refusal is None
    context = {
        "session": session,
        "office": office,
        "registrations": shown,
        "places_left": max(session.capacity - session.held, 0),
        "register_form": _registration_form(user, units) if may_register else None,
        "update_form": SessionForm(initial=SessionForm.initial_for(session))
        if office and scheduled and not started
        else None,
        "take_attendance": office and scheduled and started,
        "may_complete": office and scheduled and session.ends_at <= now,
        "may_cancel": office and scheduled,
        "deadline": services.cancel_deadline(session),
        "now": now,
        "holds_place": set(HOLDS_PLACE),
    }
    return render(request, "outreach/training/session_detail.html", context)


def _registration_form(user, units) -> RegistrationForm:
    choose = user.role == Role.UNIT_REP
    only = list(units[:2]) if choose else []
    initial = {"unit": only[0].pk} if len(only) == 1 else {}  # a unit's only unit is chosen already
    return RegistrationForm(units=units, choose=choose, initial=initial)


@login_required
@require_POST
def session_act(request, public_id, action):
    """The POST actions of a session's page: register, attendance, complete, cancel, update."""
    user = request.user
    session = session_for_user(user, public_id)
    back = redirect("outreach:session_detail", public_id=public_id)
    try:
        if action == "register":
            units = _register_units(user)
            form = RegistrationForm(request.POST, units=units, choose=user.role == Role.UNIT_REP)
            if not form.is_valid():
                _errors_to_messages(request, form)
                return back
            registration = services.registration_create(
                actor=user,
                session=session,
                unit=form.cleaned_data["unit"],
                full_name=form.cleaned_data["full_name"],
                national_code=form.cleaned_data["national_code"],
            )
            if registration.status == RegistrationStatus.WAITLISTED:
                position = session.registrations.filter(
                    status=RegistrationStatus.WAITLISTED, created_at__lte=registration.created_at
                ).count()
                messages.warning(
                    request,
                    _("The session is full: {name} is on the waitlist, number {position}. When a place "
                      "frees, the first person waiting gets it and your unit is told.").format(
                        name=registration.full_name, position=position
                    ),
                )  # fmt: skip
            else:
                messages.success(
                    request, _("{name} has a place in this session.").format(name=registration.full_name)
                )
            return back
        if action == "attendance":
            services.attendance_record(actor=user, session=session, attended=request.POST.getlist("attended"))
            messages.success(request, _("Attendance recorded."))
        elif action == "complete":
            certificates = services.session_complete(actor=user, session=session)
            messages.success(
                request,
                _("The session is completed; {count} certificates issued.").format(count=len(certificates)),
            )
        elif action == "cancel":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                _errors_to_messages(request, form)
                return back
            services.session_cancel(actor=user, session=session, reason=form.cleaned_data["reason"])
            messages.success(request, _("The session is cancelled and the units are told."))
        elif action == "update":
            form = SessionForm(request.POST)
            if not form.is_valid():
                _errors_to_messages(request, form)
                return back
            waitlist = session.registrations.filter(status=RegistrationStatus.WAITLISTED)
            waiting = waitlist.count()
            services.session_update(actor=user, session=session, **form.service_arguments())
            messages.success(request, _("The session is saved."))
            promoted = waiting - waitlist.count()
            if promoted:
                messages.info(
                    request, _("{count} people were promoted from the waitlist.").format(count=promoted)
                )
        else:
            messages.error(request, _("No such action."))
    except HamiError as exc:
        messages.error(request, exc.message)
    return back


@login_required
@require_POST
def registration_cancel(request, public_id):
    registration = registration_for_user(request.user, public_id)
    session = registration.session
    try:
        services.registration_cancel(
            actor=request.user, registration=registration, reason=request.POST.get("reason", "")[:300]
        )
    except HamiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The registration of {name} is cancelled.").format(name=registration.full_name)
        )
    return redirect("outreach:session_detail", public_id=session.public_id)


# ---------------------------------------------------------------- certificates


@login_required
def certificate_list(request):
    user = request.user
    certificates = certificates_for_user(user).order_by("-issued_on", "-pk")
    code = (
        certificate_services.clean_certificate_code(request.GET.get("code", ""))
        if request.GET.get("code")
        else ""
    )
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if request.GET.get("code"):
        certificates = certificates.filter(code=code or "-")
    if status in CertificateStatus.values:
        certificates = certificates.filter(status=status)
    if kind in CourseKind.values:
        certificates = certificates.filter(course__kind=kind)
    page = Paginator(certificates, 40).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for certificate in page:
        certificate.standing = certificate_services.certificate_standing(certificate, today=today)
        certificate.may_revoke = certificate.status == CertificateStatus.VALID and can_manage(
            user, certificate.registration.session.province_id
        )
    context = {
        "page": page,
        "statuses": CertificateStatus.choices,
        "status": status,
        "kinds": CourseKind.choices,
        "kind": kind,
        "code": request.GET.get("code", "")[:40],
        "labels": certificate_services.PUBLIC_STATUS,
    }
    return render(request, "outreach/training/certificate_list.html", context)


@login_required
def certificate_pdf(request, code):
    """The certificate's PDF; `?lang=en` for the English one."""
    certificate = certificate_for_user(request.user, code)
    language = "en" if request.GET.get("lang") == "en" else "fa"
    url = request.build_absolute_uri(reverse("certificate_verify", args=[certificate.code]))
    response = HttpResponse(render_certificate(certificate, url, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}-{language}.pdf"'
    return response


@login_required
@require_POST
def certificate_revoke(request, code):
    certificate = certificate_for_user(request.user, code)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
    else:
        try:
            certificate_services.certificate_revoke(
                actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
            )
        except HamiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Certificate {code} is revoked.").format(code=certificate.code))
    return redirect(reverse("outreach:certificate_list") + f"?code={certificate.code}")


urlpatterns = [
    path("training/", course_list, name="course_list"),
    path("training/courses/<uuid:public_id>/", course_detail, name="course_detail"),
    path("training/calendar/", session_calendar, name="session_calendar"),
    path("training/sessions/new/", session_new, name="session_new"),
    path("training/sessions/<uuid:public_id>/", session_detail, name="session_detail"),
    path("training/sessions/<uuid:public_id>/<slug:action>/", session_act, name="session_act"),
    path("training/registrations/<uuid:public_id>/cancel/", registration_cancel, name="registration_cancel"),
    path("training/certificates/", certificate_list, name="certificate_list"),
    path("training/certificates/<str:code>/pdf/", certificate_pdf, name="certificate_pdf"),
    path("training/certificates/<str:code>/revoke/", certificate_revoke, name="certificate_revoke"),
]
