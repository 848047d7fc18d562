"""GET /api/v1/sampling-plan: the ISO 2859-1 single sampling plan of a lot (public, no database)."""

from ninja import Router, Schema, Status

from hami.core.api import Error
from hami.labs.sampling import SamplingError, plan

router = Router(tags=["sampling"])


class SamplingPlanOut(Schema):
    code_letter: str  # ISO 2859-1 Table 1
    plan_code_letter: str  # the master-table row that gave the plan, after its arrows
    sample_size: int  # items to inspect (the whole lot when full_inspection)
    accept: int  # Ac
    reject: int  # Re
    full_inspection: bool  # the plan's sample size reached the lot size: inspect every item
    table_sample_size: int  # the sample size printed for plan_code_letter
    lot_size: int
    level: str
    aql: str  # as printed in the tables: "0.65", "1.0", "10"
    severity: str  # normal, tightened, reduced
    table: str  # 2-A, 2-B or 2-C
    edition: str


@router.get(
    "/sampling-plan",
    response={200: SamplingPlanOut, 422: Error},
    auth=None,
    summary="Single sampling plan by attributes, ISO 2859-1 (public)",
)
def sampling_plan(
    request,
    lot_size: str | None = None,
    level: str | None = None,
    aql: str | None = None,
    severity: str = "normal",
):
    """lot_size (items), level (S-1…S-4, I, II, III), aql (as in the tables, e.g. 1.0 or 0.65) and
    severity (normal, tightened, reduced). 422 {code, message, field} names the first bad one."""
    # Parameters are read as text and checked by the sampling module, so that every refusal
    # carries that module's message and field rather than a generic validation error.
    try:
        return plan(lot_size, level, aql, severity).as_dict()
    except SamplingError as exc:
        return Status(422, {"code": "invalid", "message": str(exc.message), "field": exc.field})
