"""The supervision API: the Safety Gate risk level as reference data (no sign-in needed)."""

from ninja import Router, Schema

from hami.core.api import Error
from hami.core.errors import HamiError
from hami.supervision import safety_gate
from hami.supervision.error_codes import SupervisionErrorCode

router = Router(tags=["supervision-risk"])


class RiskLevelOut(Schema):
    risk_level: str
    band: str
    severity: int
    probability: float


@router.get(
    "/risk-level",
    response={200: RiskLevelOut, 400: Error},
    auth=None,
    summary="The Safety Gate risk level for a severity (1–4) and an overall probability",
)
def risk_level(request, severity: str = "", probability: str = ""):
    """`probability` may be a decimal (0.001), a fraction (1/1000) or a percentage (0.1%). Answers 400
    {code, message, field} for a severity outside 1–4 or a probability outside (0, 1] or unreadable."""
    try:
        level_severity = safety_gate.check_severity(severity)
        exact = safety_gate.to_fraction(probability)
    except safety_gate.RiskInputError as exc:
        raise HamiError(SupervisionErrorCode(exc.code), str(exc.message), field=exc.field) from exc
    band = safety_gate.band(exact)
    return {
        "risk_level": band.level(level_severity).value,
        "band": band.label,
        "severity": level_severity,
        "probability": float(exact),
    }
