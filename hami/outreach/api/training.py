"""The training API, /api/v1/outreach: the catalogue, sessions, registrations (register, cancel, mine),
attendance and completion (the office), certificates and their PDFs; and the public certificate check,
/api/v1/certificates/verify/{code}. The same services and access helpers as the pages; ids are UUIDs,
times ISO 8601 with their offset, refusals {code, message, field}."""

import datetime as dt
from uuid import UUID

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from hami.core.api import Error
from hami.core.errors import NotFound
from hami.core.pagination import Pagination
from hami.core.ratelimit import over_limit
from hami.outreach.access import (
    can_manage,
    certificate_for_user,
    certificates_for_user,
    courses_for_user,
    registration_for_user,
    registrations_for_user,
    session_for_user,
    sessions_for_user,
)
from hami.outreach.certificate_pdf import render_certificate
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import (
    HOLDS_PLACE,
    CertificateStatus,
    CourseKind,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from hami.outreach.services import certificates as certificate_services
from hami.outreach.services import training as services
from hami.registry.models import ProductionUnit

router = Router(tags=["outreach-training"])
REFUSALS = {400: Error, 403: Error, 404: Error}


# ---------------------------------------------------------------- schemas


class CourseBrief(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    title_fa: str
    title_en: str
    kind: CourseKind
    hours: int


class CourseOut(CourseBrief):
    topic: str | None
    standard: str | None
    description: str
    certificate_months: int | None
    province: str | None
    is_active: bool

    @staticmethod
    def resolve_topic(obj):
        return obj.topic.code if obj.topic_id else None

    @staticmethod
    def resolve_standard(obj):
        return obj.standard.code if obj.standard_id else None

    @staticmethod
    def resolve_province(obj):
        return obj.province.code if obj.province_id else None


class SessionOut(Schema):
    id: UUID = Field(alias="public_id")
    course: CourseBrief
    province: str
    mode: str
    venue: str
    link: str
    trainer: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    places_left: int
    waitlisted: int
    status: SessionStatus
    cancel_reason: str

    @staticmethod
    def resolve_province(obj):
        return obj.province.code

    @staticmethod
    def resolve_places_left(obj):
        return max(obj.capacity - obj.held, 0)

    @staticmethod
    def resolve_waitlisted(obj):
        return obj.waiting


class RegistrationOut(Schema):
    id: UUID = Field(alias="public_id")
    session: UUID
    unit: UUID
    unit_name: str
    full_name: str
    national_code: str
    status: RegistrationStatus
    waitlist_position: int | None = None
    promoted_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_session(obj):
        return obj.session.public_id

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_waitlist_position(obj):
        if obj.status != RegistrationStatus.WAITLISTED:
            return None
        if hasattr(obj, "rank"):  # annotated by _ranked for lists
            return obj.rank
        return _ahead(obj.session_id, obj.created_at, obj.pk).count()


class SessionDetailOut(SessionOut):
    registrations: list[RegistrationOut]  # the office: everyone; a unit: its own staff; others: none

    @staticmethod
    def resolve_registrations(obj):
        return obj.registrations_shown


class CertificateOut(Schema):
    code: str
    full_name: str
    national_code: str
    unit: UUID
    unit_name: str
    course: CourseBrief
    session: UUID
    issued_on: dt.date
    expires_on: dt.date | None
    status: CertificateStatus
    standing: str  # valid, expired, renewed or revoked
    renews: str | None
    revoke_reason: str

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_session(obj):
        return obj.registration.session.public_id

    @staticmethod
    def resolve_standing(obj):
        return certificate_services.certificate_standing(obj, today=timezone.localdate())

    @staticmethod
    def resolve_renews(obj):
        return obj.renews.code if obj.renews_id else None


class BilingualText(Schema):
    fa: str
    en: str


class CertificateVerificationOut(Schema):
    code: str
    status: str  # valid, expired, renewed or revoked
    status_label: BilingualText
    valid: bool
    holder: str
    national_code: str  # partly masked
    course: BilingualText
    course_kind: CourseKind
    qc_competence: bool
    hours: int
    issuing_office: BilingualText
    issued_on: dt.date
    expires_on: dt.date | None
    renewed_by: str | None


class CourseFilters(Schema):
    kind: CourseKind | None = None
    topic: str | None = Field(None, max_length=60)


class SessionFilters(Schema):
    province: str | None = Field(None, max_length=40)
    starts_from: dt.date | None = Field(None, alias="from")
    starts_to: dt.date | None = Field(None, alias="to")
    kind: CourseKind | None = None
    status: SessionStatus | None = None


class RegistrationFilters(Schema):
    session: UUID | None = None
    status: RegistrationStatus | None = None


class CertificateFilters(Schema):
    code: str | None = Field(None, max_length=40)
    status: CertificateStatus | None = None
    kind: CourseKind | None = None


class RegistrationIn(Schema):
    unit: UUID
    full_name: str = Field(max_length=200)
    national_code: str = Field(max_length=20)
    waitlist: bool = True  # false: refuse with `full` rather than join the waitlist


class CancelIn(Schema):
    reason: str = Field("", max_length=300)


class AttendanceIn(Schema):
    attended: list[UUID] = Field(max_length=2000)  # the registrations that came; every other place: absent


# ---------------------------------------------------------------- helpers


def _ahead(session_id, created_at, pk):
    """The people waiting in the session up to and including this one: its place in the waitlist."""
    return Registration.objects.filter(session_id=session_id, status=RegistrationStatus.WAITLISTED).filter(
        Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lte=pk)
    )


def _ranked(registrations):
    """Registrations with their waitlist place (`rank`) in one query, not one per row."""
    ahead = (
        _ahead(OuterRef("session_id"), OuterRef("created_at"), OuterRef("pk"))
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return registrations.annotate(rank=Subquery(ahead))


def _sessions(user):
    return sessions_for_user(user).annotate(
        held=Count("registrations", filter=Q(registrations__status__in=HOLDS_PLACE)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
    )


def _session_detail(user, session_id):
    session = session_for_user(user, session_id)
    session = _sessions(user).get(pk=session.pk)
    registrations = _ranked(session.registrations.select_related("unit", "session")).order_by(
        "created_at", "pk"
    )
    if not can_manage(user, session.province_id):
        registrations = registrations.filter(pk__in=registrations_for_user(user).values("pk"))
    session.registrations_shown = list(registrations)
    return session


# ---------------------------------------------------------------- catalogue and sessions


@router.get("/outreach/courses", response=list[CourseOut], summary="The course catalogue")
@paginate(Pagination, page_size=100)
def list_courses(request, filters: Query[CourseFilters]):
    courses = courses_for_user(request.auth)
    if filters.kind:
        courses = courses.filter(kind=filters.kind)
    if filters.topic:
        courses = courses.filter(topic__code=filters.topic)
    return courses.order_by("title_fa", "pk")


@router.get("/outreach/sessions", response=list[SessionOut], summary="Course sessions, soonest first")
@paginate(Pagination, page_size=100)
def list_sessions(request, filters: Query[SessionFilters]):
    """`from` and `to` are dates (the session's local start day, both included)."""
    sessions = _sessions(request.auth)
    if filters.province:
        sessions = sessions.filter(province__code=filters.province)
    if filters.starts_from:
        start = timezone.make_aware(dt.datetime.combine(filters.starts_from, dt.time.min))
        sessions = sessions.filter(starts_at__gte=start)
    if filters.starts_to:
        end = timezone.make_aware(dt.datetime.combine(filters.starts_to + dt.timedelta(days=1), dt.time.min))
        sessions = sessions.filter(starts_at__lt=end)
    if filters.kind:
        sessions = sessions.filter(course__kind=filters.kind)
    if filters.status:
        sessions = sessions.filter(status=filters.status)
    return sessions.order_by("starts_at", "pk")


@router.get(
    "/outreach/sessions/{session_id}",
    response={200: SessionDetailOut, 404: Error},
    summary="One session, with the registrations you may see",
)
def get_session(request, session_id: str):
    return _session_detail(request.auth, session_id)


@router.post(
    "/outreach/sessions/{session_id}/registrations",
    response={201: RegistrationOut, **REFUSALS},
    summary="Register a person of a unit's staff (a full session: the waitlist)",
)
def register(request, session_id: str, payload: RegistrationIn):
    """`status` is `waitlisted` when the session is full (with `waitlist: false`: 400 `full`). 400
    `already_registered`, `wrong_state` (cancelled, completed or started), `not_eligible` (a renewal
    course without a certificate to renew), `invalid`; 403 for a unit that is not yours."""
    session = session_for_user(request.auth, session_id)
    unit = ProductionUnit.objects.filter(public_id=payload.unit).first()
    if unit is None:
        raise NotFound(Code.INVALID, _("No production unit has this identifier."), field="unit")
    registration = services.registration_create(
        actor=request.auth,
        session=session,
        unit=unit,
        full_name=payload.full_name,
        national_code=payload.national_code,
        waitlist=payload.waitlist,
    )
    return Status(201, registration)


@router.get(
    "/outreach/registrations",
    response=list[RegistrationOut],
    summary="Registrations visible to you (a unit: its staff's; the office: its sessions')",
)
@paginate(Pagination, page_size=100)
def list_registrations(request, filters: Query[RegistrationFilters]):
    registrations = _ranked(registrations_for_user(request.auth))
    if filters.session:
        registrations = registrations.filter(session__public_id=filters.session)
    if filters.status:
        registrations = registrations.filter(status=filters.status)
    return registrations.order_by("-created_at", "pk")


@router.post(
    "/outreach/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **REFUSALS},
    summary="Cancel a place or a waitlist place (the next person waiting is promoted)",
)
def cancel_registration(request, registration_id: str, payload: CancelIn):
    """400 `too_late` inside the notice period (the unit; the office may cancel any time), `wrong_state`."""
    registration = registration_for_user(request.auth, registration_id)
    return services.registration_cancel(actor=request.auth, registration=registration, reason=payload.reason)


@router.post(
    "/outreach/sessions/{session_id}/attendance",
    response={200: list[RegistrationOut], **REFUSALS},
    summary="Record who attended (the office, once the session has started)",
)
def record_attendance(request, session_id: str, payload: AttendanceIn):
    """Every place not named in `attended` is recorded absent; may be sent again until completion."""
    session = session_for_user(request.auth, session_id)
    return services.attendance_record(actor=request.auth, session=session, attended=payload.attended)


@router.post(
    "/outreach/sessions/{session_id}/complete",
    response={200: list[CertificateOut], **REFUSALS},
    summary="Complete a session that has ended and issue the attendees' certificates (the office)",
)
def complete_session(request, session_id: str):
    """400 `wrong_state` before the end, or while someone's attendance is not recorded."""
    session = session_for_user(request.auth, session_id)
    certificates = services.session_complete(actor=request.auth, session=session)
    return certificates_for_user(request.auth).filter(pk__in=[c.pk for c in certificates]).order_by("pk")


# ---------------------------------------------------------------- certificates


@router.get("/outreach/certificates", response=list[CertificateOut], summary="Certificates visible to you")
@paginate(Pagination, page_size=100)
def list_certificates(request, filters: Query[CertificateFilters]):
    """A unit: its staff's; the office: its province's units' and its sessions'."""
    certificates = certificates_for_user(request.auth)
    if filters.code:
        certificates = certificates.filter(
            code=certificate_services.clean_certificate_code(filters.code) or "-"
        )
    if filters.status:
        certificates = certificates.filter(status=filters.status)
    if filters.kind:
        certificates = certificates.filter(course__kind=filters.kind)
    return certificates.order_by("-issued_on", "-pk")


@router.get(
    "/outreach/certificates/{code}/pdf",
    response={200: None, 404: Error},
    summary="A certificate as PDF (?lang=en for English)",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}, "description": "The PDF"}}},
)
def certificate_pdf(request, code: str, lang: str = "fa"):
    certificate = certificate_for_user(request.auth, code)
    language = "en" if lang == "en" else "fa"
    url = request.build_absolute_uri(reverse("certificate_verify", args=[certificate.code]))
    response = HttpResponse(render_certificate(certificate, url, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}-{language}.pdf"'
    return response


@router.get(
    "/certificates/verify/{code}",
    response={200: CertificateVerificationOut, 404: Error, 429: Error},
    auth=None,
    summary="Verify a training certificate by its code (public)",
)
def verify_certificate(request, code: str):
    """Expired, renewed and revoked certificates are returned with `valid: false`; 404 `unknown_certificate`
    for a code no certificate has (or a malformed one)."""
    if over_limit(request, "verify", settings.HAMI_VERIFY_RATE):
        return Status(
            429, {"code": "rate_limited", "message": _("Too many requests; try again in a minute.")}
        )
    certificate = certificate_services.certificate_by_code(code)
    if certificate is None:
        raise NotFound(
            Code.UNKNOWN_CERTIFICATE,
            _("No training certificate has the code {code}; a verification code has 12 digits.").format(
                code=str(code)[:40]
            ),
        )
    return certificate_services.certificate_verification(certificate, today=timezone.localdate())
