"""The API of the enforcement ladder, negative points and the coercive share (points 6 and 9):

- GET /units/{public_id}/ladder: the unit's step, decisions, active points, the way back down, and for the
  office the proposed next move;
- POST /units/{public_id}/ladder/decisions: the office's decision (the same service as the page);
- GET /supervision/coercive-share?province=&from=&to=: measures by Jalali month (YYYY-MM) and province.

Refusals are {code, message, field}."""

import datetime as dt
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from hami.core.api import Error
from hami.core.errors import HamiError
from hami.core.models import Province
from hami.licensing.models import Licence, SanctionReason
from hami.registry.access import unit_for_user
from hami.supervision.access import may_decide_ladder, measure_provinces_for_user
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import Finding, Step
from hami.supervision.selectors_ladder import (
    MonthError,
    coercive_share,
    default_range,
    parse_month,
    unit_ladder,
)
from hami.supervision.services.ladder import ladder_decide, way_back_text

router = Router(tags=["supervision-ladder"])


# ---------------------------------------------------------------- schemas


class LadderDecisionOut(Schema):
    id: UUID = Field(alias="public_id")
    step: int
    step_label: str
    previous_step: int
    trigger: str
    reason: str
    coercive: bool
    market_withdrawal: bool
    judiciary: bool
    licence: str | None
    referral: UUID | None
    findings: list[UUID]
    automatic: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_step_label(obj):
        return str(Step(obj.step).label)

    @staticmethod
    def resolve_licence(obj):
        return obj.licence.number if obj.licence_id else None

    @staticmethod
    def resolve_referral(obj):
        return obj.referral.public_id if obj.referral_id else None

    @staticmethod
    def resolve_findings(obj):
        return [finding.public_id for finding in obj.findings.all()]

    @staticmethod
    def resolve_automatic(obj):
        return obj.decided_by_id is None


class LadderPointOut(Schema):
    points: int
    reason: str
    finding: UUID | None
    awarded_on: dt.date
    expires_on: dt.date

    @staticmethod
    def resolve_finding(obj):
        return obj.finding.public_id if obj.finding_id else None


class LadderWayBackOut(Schema):
    target: int | None
    final: bool
    open_findings: int
    live_actions: int
    clean_from: dt.date | None
    clean_days: int
    clean_on: dt.date | None
    ready: bool
    needs_office: bool
    text: str


class LadderProposalOut(Schema):
    step: int
    trigger: str
    reasons: dict[str, int]


class LadderOut(Schema):
    unit: UUID
    step: int
    step_label: str
    points_total: int
    points: list[LadderPointOut]
    way_back: LadderWayBackOut
    proposal: LadderProposalOut | None
    decisions: list[LadderDecisionOut]


class LadderDecisionIn(Schema):
    step: int
    trigger: str = Field(..., max_length=20)
    reason: str = Field(..., max_length=4000)
    findings: list[UUID] = Field(default_factory=list, max_length=200)
    licence: UUID | None = None
    sanction_reason: str | None = Field(None, max_length=60)
    members_present: list[str] = Field(default_factory=list, max_length=30)
    market_withdrawal: bool = False
    judiciary: bool = False


class CoerciveCellOut(Schema):
    measures: int
    coercive: int
    advisory: int
    share: float | None


class CoerciveProvinceCellOut(CoerciveCellOut):
    province: str


class CoerciveMonthOut(CoerciveCellOut):
    month: str
    first_day: dt.date
    last_day: dt.date
    provinces: list[CoerciveProvinceCellOut]


class CoerciveShareOut(Schema):
    first_month: str
    last_month: str
    provinces: list[CoerciveProvinceCellOut]
    months: list[CoerciveMonthOut]
    total: CoerciveCellOut


class CoerciveShareFilters(Schema):
    province: str | None = Field(None, max_length=40)
    start: str | None = Field(None, alias="from", max_length=10)
    end: str | None = Field(None, alias="to", max_length=10)


# ---------------------------------------------------------------- endpoints


def _ladder_body(unit, *, office: bool) -> dict:
    state = unit_ladder(unit, today=timezone.localdate(), office=office)
    way = state.way_back
    proposal = state.proposal
    return {
        "unit": unit.public_id,
        "step": int(state.step),
        "step_label": str(Step(state.step).label),
        "points_total": state.points_total,
        "points": state.points,
        "way_back": {
            "target": int(way.target) if way.target is not None else None,
            "final": way.final,
            "open_findings": way.open_findings,
            "live_actions": way.live_actions,
            "clean_from": way.clean_from,
            "clean_days": way.clean_days,
            "clean_on": way.clean_on,
            "ready": way.ready,
            "needs_office": way.needs_office,
            "text": way_back_text(way),
        },
        "proposal": (
            {"step": int(proposal.step), "trigger": str(proposal.trigger), "reasons": dict(proposal.reasons)}
            if proposal is not None
            else None
        ),
        "decisions": state.decisions,
    }


@router.get(
    "/units/{public_id}/ladder",
    response={200: LadderOut, 404: Error},
    summary="A unit's step on the enforcement ladder, its decisions, points and the way back down",
)
def unit_ladder_get(request, public_id: str):
    """For the unit's representatives, the province's office and inspectors, national staff; the proposed next
    move only for the office. 404 when the unit is not visible to you."""
    unit = unit_for_user(request.auth, public_id)
    return _ladder_body(unit, office=may_decide_ladder(request.auth, unit.province_id))


@router.post(
    "/units/{public_id}/ladder/decisions",
    response={201: LadderDecisionOut, 400: Error, 403: Error, 404: Error},
    summary="Decide a unit's step on the enforcement ladder (office staff)",
)
def unit_ladder_decide(request, public_id: str, payload: LadderDecisionIn):
    """Moves the unit by the ladder's rules and carries out the step (referral, points, tightened sampling,
    suspension, revocation, reinstatement). 400 {code, message, field} for a refused move or bad input,
    403 for anyone but office staff of the province or national staff."""
    user = request.auth
    unit = unit_for_user(user, public_id)
    findings = list(
        Finding.objects.filter(unit=unit, public_id__in=payload.findings).select_related("licence")
    )
    if len(findings) != len(set(payload.findings)):
        raise HamiError(Code.INVALID, _("A finding named is not one of this unit's."), field="findings")
    licence = None
    if payload.licence is not None:
        licence = Licence.objects.filter(unit=unit, public_id=payload.licence).first()
        if licence is None:
            raise HamiError(Code.INVALID, _("The licence is not this unit's."), field="licence")
    sanction_reason = None
    if payload.sanction_reason:
        sanction_reason = SanctionReason.objects.filter(code=payload.sanction_reason, active=True).first()
        if sanction_reason is None:
            raise HamiError(Code.INVALID, _("Choose a reason from the catalogue."), field="sanction_reason")
    decision = ladder_decide(
        actor=user,
        unit=unit,
        step=payload.step,
        trigger=payload.trigger,
        reason=payload.reason,
        findings=findings,
        licence=licence,
        sanction_reason=sanction_reason,
        members_present=payload.members_present,
        market_withdrawal=payload.market_withdrawal,
        judiciary=payload.judiciary,
    )
    return Status(201, decision)


def _month(text: str | None, field: str, default):
    if not text:
        return default
    try:
        return parse_month(text, field)
    except MonthError as exc:
        raise HamiError(
            Code.BAD_MONTH, _("Write the month as a Jalali YYYY-MM, such as 1404-07."), field=field
        ) from exc


@router.get(
    "/supervision/coercive-share",
    response={200: CoerciveShareOut, 400: Error, 403: Error},
    summary="The share of coercive measures by Jalali month and province (the plan's measure)",
)
def coercive_share_get(request, filters: Query[CoerciveShareFilters]):
    """`from` and `to` are Jalali months (YYYY-MM; default the last twelve months), `province` a province code
    (office staff: their own only; national staff: any, or none for every province). 400 for a malformed
    month, a range over five years or ending before it starts, an unknown province; 403 for other roles."""
    user = request.auth
    measure_provinces_for_user(user)  # 403 before any 400 for a role that may not read it
    default_first, default_last = default_range(timezone.localdate())
    first = _month(filters.start, "from", default_first)
    last = _month(filters.end, "to", default_last)
    province = None
    if filters.province:
        province = Province.objects.filter(code=filters.province).first()
        if province is None:
            raise HamiError(Code.INVALID, _("No province has this code."), field="province")
    provinces = measure_provinces_for_user(user, province)
    if last < first:
        raise HamiError(Code.BAD_MONTH, _("The range ends before it starts."), field="to")
    try:
        share = coercive_share(first=first, last=last, provinces=provinces)
    except ValueError as exc:
        raise HamiError(Code.BAD_MONTH, _("Ask for at most five years at a time."), field="from") from exc
    codes = {province.pk: province.code for province in share.provinces}

    def cells(by_province: dict) -> list[dict]:
        return [{"province": codes[pk], **cell.as_dict()} for pk, cell in by_province.items() if pk in codes]

    return {
        "first_month": share.first,
        "last_month": share.last,
        "provinces": cells(share.by_province),
        "months": [
            {
                "month": row.key,
                "first_day": row.first,
                "last_day": row.last,
                **row.total.as_dict(),
                "provinces": [
                    {"province": codes[pk], **cell.as_dict()}
                    for pk, cell in row.provinces.items()
                    if pk in codes
                ],
            }
            for row in share.months
        ],
        "total": share.total.as_dict(),
    }
