"""The API of what a unit and an office do in licensing; the same services as the pages."""

import datetime as dt
from typing import Literal
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from hami.core.api import Error
from hami.core.errors import HamiError
from hami.core.pagination import Pagination
from hami.licensing.access import (
    application_for_user,
    applications_for_user,
    licence_for_user,
    licences_for_user,
)
from hami.licensing.error_codes import LicensingErrorCode
from hami.licensing.models import ApplicationState, DecisionKind, Deficiency, LicenceState, SanctionReason
from hami.licensing.selectors import lead_time_days, queue, step_times
from hami.licensing.services import applications as services
from hami.licensing.services.committee import committee_decide, licence_sanction
from hami.licensing.services.keys import mark_payload
from hami.licensing.services.licences import licence_amend
from hami.registry.access import units_for_user
from hami.registry.models import Product
from hami.standards.models import Standard

router = Router(tags=["licensing"])


class StepOut(Schema):
    state: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    working_days: int
    due_on: dt.date | None
    late: bool


class DeficiencyOut(Schema):
    id: int
    text: str
    answer: str
    answered_at: dt.datetime | None


class ApplicationOut(Schema):
    id: UUID
    number: str
    kind: str
    track: str
    state: ApplicationState
    unit: UUID
    product: int
    standard: str
    due_on: dt.date | None
    overdue: bool = False
    submitted_at: dt.datetime | None
    closed_at: dt.datetime | None
    test_outcome: str
    licence: UUID | None

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id

    @staticmethod
    def resolve_product(obj):
        return obj.product_id

    @staticmethod
    def resolve_standard(obj):
        return obj.standard.code

    @staticmethod
    def resolve_licence(obj):
        return obj.licence.public_id if obj.licence_id else None


class ApplicationDetailOut(ApplicationOut):
    lead_time_working_days: int | None
    steps: list[StepOut]
    deficiencies: list[DeficiencyOut]

    @staticmethod
    def resolve_lead_time_working_days(obj):
        return lead_time_days(obj)

    @staticmethod
    def resolve_steps(obj):
        return step_times(obj)

    @staticmethod
    def resolve_deficiencies(obj):
        return list(obj.deficiencies.all())


class ApplicationIn(Schema):
    product: int
    standard: int
    renews_licence: UUID | None = None


class ActionIn(Schema):
    reason: str = ""
    note: str = ""
    deficiencies: list[str] = []
    passed: bool | None = None
    grant: bool | None = None
    members_present: list[str] = []


class AnswerIn(Schema):
    answer: str


class LicenceOut(Schema):
    id: UUID
    number: str
    tracking_code: str
    state: LicenceState
    unit: UUID
    standard: str
    product: str
    brand: str
    issued_on: dt.date
    expires_on: dt.date

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.public_id

    @staticmethod
    def resolve_standard(obj):
        return obj.standard.code

    @staticmethod
    def resolve_product(obj):
        return obj.current.product_name

    @staticmethod
    def resolve_brand(obj):
        return obj.current.brand

    @staticmethod
    def resolve_issued_on(obj):
        return obj.current.issued_on


class LicenceDetailOut(LicenceOut):
    qr_payload: str | None

    @staticmethod
    def resolve_qr_payload(obj):
        try:
            return mark_payload(obj)
        except HamiError:  # the office has no signing key yet
            return None


class SanctionIn(Schema):
    kind: Literal["suspend", "reinstate", "revoke"]
    sanction_reason: str | None = None  # a code from the catalogue
    reason: str
    members_present: list[str]


class ApplicationFilters(Schema):
    state: ApplicationState | None = None
    open_only: bool = True


@router.get("/licensing/applications", response=list[ApplicationOut], summary="Applications visible to you")
@paginate(Pagination, page_size=50)
def list_applications(request, filters: Query[ApplicationFilters]):
    """Overdue first, then by due date."""
    applications = applications_for_user(request.auth).select_related("licence")
    if filters.state:
        applications = applications.filter(state=filters.state)
    elif filters.open_only:
        applications = applications.filter(closed_at__isnull=True)
    return queue(applications)


@router.post(
    "/licensing/applications",
    response={201: ApplicationDetailOut, 400: Error, 403: Error},
    summary="Start an application (a draft) for a product and standard",
)
def create_application(request, payload: ApplicationIn):
    """Prefilled from the registry; `renews_licence` makes it a renewal that keeps the tracking code."""
    product = Product.objects.filter(unit__in=units_for_user(request.auth), pk=payload.product).first()
    standard = Standard.objects.filter(pk=payload.standard).first()
    if product is None or standard is None:
        raise Http404(_("No such product or standard is visible to you."))
    licence = licence_for_user(request.auth, payload.renews_licence) if payload.renews_licence else None
    application = services.application_create(actor=request.auth, product=product, standard=standard,
                                              site=product.site, licence=licence)  # fmt: skip
    return Status(201, application)


@router.get(
    "/licensing/applications/{application_id}", response=ApplicationDetailOut, summary="One application"
)
def get_application(request, application_id: str):
    return application_for_user(request.auth, application_id)


ACTIONS = ("submit", "withdraw", "return", "accept", "audit-done", "tests", "decide")


@router.post(
    "/licensing/applications/{application_id}/{action}",
    response={200: ApplicationDetailOut, 400: Error, 403: Error},
    summary="Move an application one step (submit, withdraw, return, accept, audit-done, tests, decide)",
)
def act(request, application_id: str, action: str, payload: ActionIn):
    """The same checks as the pages: 400 `wrong_state` from the wrong step, 403 for the wrong role."""
    application = application_for_user(request.auth, application_id)
    actor = request.auth
    if action == "submit":
        services.application_submit(actor=actor, application=application)
    elif action == "withdraw":
        services.application_withdraw(actor=actor, application=application, reason=payload.reason)
    elif action == "return":
        services.application_return(actor=actor, application=application, deficiencies=payload.deficiencies)
    elif action == "accept":
        services.application_accept(actor=actor, application=application)
    elif action == "audit-done":
        services.application_audit_done(actor=actor, application=application, note=payload.note)
    elif action == "tests":
        if payload.passed is None:
            raise HamiError(LicensingErrorCode.INVALID, _("Say whether the tests passed."), field="passed")
        services.application_record_tests(actor=actor, application=application, passed=payload.passed,
                                          note=payload.note)  # fmt: skip
    elif action == "decide":
        if payload.grant is None:
            raise HamiError(LicensingErrorCode.INVALID, _("Say whether to grant or refuse."), field="grant")
        committee_decide(actor=actor, application=application, grant=payload.grant, reason=payload.reason,
                         members_present=payload.members_present)  # fmt: skip
    else:
        raise Http404(_("No such action."))
    return application_for_user(actor, application_id)


@router.post(
    "/licensing/applications/{application_id}/deficiencies/{deficiency_id}",
    response={200: ApplicationDetailOut, 400: Error, 403: Error},
    summary="Answer one deficiency",
)
def answer(request, application_id: str, deficiency_id: int, payload: AnswerIn):
    application = application_for_user(request.auth, application_id)
    deficiency = Deficiency.objects.filter(application=application, pk=deficiency_id).first()
    if deficiency is None:
        raise Http404(_("No such deficiency."))
    services.deficiency_answer(actor=request.auth, deficiency=deficiency, answer=payload.answer)
    return application


class LicenceFilters(Schema):
    state: LicenceState | None = None
    expiring_within_days: int | None = None


@router.get("/licensing/licences", response=list[LicenceOut], summary="The licence register visible to you")
@paginate(Pagination, page_size=50)
def list_licences(request, filters: Query[LicenceFilters]):
    licences = licences_for_user(request.auth)
    if filters.state:
        licences = licences.filter(state=filters.state)
    if filters.expiring_within_days is not None:
        today = timezone.localdate()
        days = max(0, min(filters.expiring_within_days, 3650))
        licences = licences.filter(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=days))
    return licences.order_by("expires_on", "pk")


@router.get(
    "/licensing/licences/{licence_id}", response=LicenceDetailOut, summary="One licence and its QR payload"
)
def get_licence(request, licence_id: str):
    return licence_for_user(request.auth, licence_id)


@router.post(
    "/licensing/licences/{licence_id}/sanction",
    response={200: LicenceDetailOut, 400: Error, 403: Error},
    summary="Suspend, reinstate or revoke (a Marks Committee decision)",
)
def sanction(request, licence_id: str, payload: SanctionIn):
    licence = licence_for_user(request.auth, licence_id)
    reason = None
    if payload.sanction_reason:
        reason = SanctionReason.objects.filter(code=payload.sanction_reason, active=True).first()
        if reason is None:
            raise HamiError(
                LicensingErrorCode.INVALID, _("Not a reason in the catalogue."), field="sanction_reason"
            )
    licence_sanction(
        actor=request.auth,
        licence=licence,
        kind=DecisionKind(payload.kind),
        reason=payload.reason,
        members_present=payload.members_present,
        sanction_reason=reason,
    )
    return get_licence(request, licence_id)


class AmendIn(Schema):
    reason: str = Field(max_length=300)
    product_name: str | None = Field(None, max_length=255)
    brand: str | None = Field(None, max_length=120)
    model: str | None = Field(None, max_length=120)


@router.post(
    "/licensing/licences/{licence_id}/amend",
    response={200: LicenceDetailOut, 400: Error, 403: Error},
    summary="Amend what a licence says (a new version; the history stays)",
)
def amend(request, licence_id: str, payload: AmendIn):
    licence = licence_for_user(request.auth, licence_id)
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    reason = changes.pop("reason")
    licence_amend(actor=request.auth, licence=licence, reason=reason, **changes)
    return licence_for_user(request.auth, licence_id)
