"""The API of unit risk scores and the supervision instruction (issue 6, point 2):

- GET  /units/{public_id}/risk-score      a unit's current score, its components and what would lower it
- GET  /risk-scores?province=&tier=&county=  the current scores visible to you, highest first (paginated)
- POST /risk-scores/recompute             score every unit now (office staff, national admin)
- GET  /supervision/policy                the instruction in force, every setting (office, inspectors)
- PUT  /supervision/policy                adopt a new version (national admin)
"""

import datetime as dt
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from hami.core.api import Error
from hami.core.errors import Forbidden, NotFound
from hami.core.models import Role
from hami.core.pagination import Pagination
from hami.registry.access import unit_for_user
from hami.supervision import scoring
from hami.supervision.access import (
    may_read_policy,
    may_recompute,
    scores_for_user,
)
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import SupervisionPolicy, Tier, UnitScore
from hami.supervision.selectors import current_policy, unit_score
from hami.supervision.services.scores import policy_set, scores_recompute

router = Router(tags=["supervision-scores"])
REFUSALS = {400: Error, 403: Error, 404: Error}
# Roles that may see some score: the office, inspectors, national admins, a unit for itself.
_SCORE_READERS = {Role.NATIONAL_ADMIN, Role.OFFICE_STAFF, Role.INSPECTOR, Role.UNIT_REP}


class ScoresComponentOut(Schema):
    key: str
    raw: float | None = Field(description="the raw fact (a count, a level, days); null: never inspected")
    points: float
    weight: float
    detail: dict[str, int] | None = Field(None, description="what the raw value adds up, where it is a sum")


class ScoresHintOut(Schema):
    key: str
    gain: float = Field(description="how many points the score would lose")
    count: float | None


class ScoresRunOut(Schema):
    state: str
    as_of: dt.datetime
    finished_at: dt.datetime | None
    unit_count: int
    policy_version: int
    error: str


class ScoresUnitOut(Schema):
    unit: UUID
    unit_name: str
    province: str
    county: str
    score: float
    tier: Tier
    components: list[ScoresComponentOut]
    computed_at: dt.datetime | None
    policy_version: int

    @staticmethod
    def resolve_unit(obj: UnitScore):
        return obj.unit.public_id

    @staticmethod
    def resolve_unit_name(obj: UnitScore):
        return obj.unit.name

    @staticmethod
    def resolve_province(obj: UnitScore):
        return obj.province.code

    @staticmethod
    def resolve_county(obj: UnitScore):
        return obj.unit.county.code

    @staticmethod
    def resolve_computed_at(obj: UnitScore):
        return obj.run.finished_at

    @staticmethod
    def resolve_policy_version(obj: UnitScore):
        return obj.run.policy_version


class ScoresDetailOut(ScoresUnitOut):
    hints: list[ScoresHintOut]

    @staticmethod
    def resolve_hints(obj: UnitScore):
        return scoring.hints(obj.components)


class ScoresFilters(Schema):
    province: str | None = Field(None, max_length=40, description="a province code (national admins)")
    tier: Tier | None = None
    county: str | None = Field(None, max_length=60, description="a county code of the province")


@router.get(
    "/units/{public_id}/risk-score",
    response={200: ScoresDetailOut, 404: Error},
    summary="A unit's current risk score, its components and what would lower it",
)
def unit_risk_score(request, public_id: str):
    """For the unit's representative, office staff and inspectors of its province, national admins; 404
    `not_found` for anyone else, 404 `not_scored` when the unit has no score yet."""
    unit = unit_for_user(request.auth, public_id)
    score = unit_score(unit)
    if score is None:
        raise NotFound(Code.NOT_SCORED, _("This unit has no risk score yet."))
    score.unit = unit
    return score


@router.get("/risk-scores", response={200: list[ScoresUnitOut], 403: Error}, summary="Current risk scores")
@paginate(Pagination, page_size=50)
def list_risk_scores(request, filters: Query[ScoresFilters]):
    """Highest score first. Office staff and inspectors see their province, a unit representative its own
    units, national admins every province (narrowed by `province`)."""
    user = request.auth
    if not (user.is_national or user.role in _SCORE_READERS):
        raise Forbidden(Code.FORBIDDEN, _("Your role does not see risk scores."))
    scores = scores_for_user(user).select_related("unit", "unit__county", "province", "run")
    if filters.province:
        scores = scores.filter(province__code=filters.province)
    if filters.tier:
        scores = scores.filter(tier=filters.tier)
    if filters.county:
        scores = scores.filter(unit__county__code=filters.county)
    return scores.order_by("-score", "pk")


@router.post(
    "/risk-scores/recompute",
    response={200: ScoresRunOut, **REFUSALS},
    summary="Score every active unit now (office staff, national admin)",
)
def recompute_risk_scores(request):
    """Answers the finished run. 400 `scores_running` while another run is on, `scoring_failed` if it
    crashed (nothing was written: the previous scores stay current)."""
    if not may_recompute(request.auth):
        raise Forbidden(Code.FORBIDDEN, _("Only office staff or a national admin start a rescoring."))
    return scores_recompute(actor=request.auth)


class ScoresPolicyOut(Schema):
    version: int
    values: dict = Field(description="every setting: the version's values over the defaults")
    reason: str
    adopted_at: dt.datetime | None


class ScoresPolicyIn(Schema):
    values: dict = Field(description="the settings that differ from the defaults; the rest takes its default")
    reason: str = Field(max_length=300)


def _policy_out(row: SupervisionPolicy | None) -> dict:
    policy = current_policy()
    return {
        "version": policy.version,
        "values": policy.values,
        "reason": row.reason if row is not None else "",
        "adopted_at": row.created_at if row is not None else None,
    }


@router.get(
    "/supervision/policy",
    response={200: ScoresPolicyOut, 403: Error},
    summary="The supervision instruction in force",
)
def get_policy(request):
    if not may_read_policy(request.auth):
        raise Forbidden(Code.FORBIDDEN, _("Only office staff, inspectors and national admins read it."))
    return _policy_out(SupervisionPolicy.objects.order_by("-version").first())


@router.put(
    "/supervision/policy",
    response={200: ScoresPolicyOut, **REFUSALS},
    summary="Adopt a new version of the supervision instruction (national admin)",
)
def put_policy(request, payload: ScoresPolicyIn):
    """400 `invalid` with the setting as `field` (e.g. `weights.hazard`), `policy_unchanged`."""
    return _policy_out(policy_set(actor=request.auth, values=payload.values, reason=payload.reason))
