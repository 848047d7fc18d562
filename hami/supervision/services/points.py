"""Negative points (امتیاز منفی): given by the instruction's table (policy "points": per finding severity, a
missed deadline, a repeated finding), counted until they expire (policy "points_expiry_days")."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, User
from hami.registry.models import ProductionUnit
from hami.supervision.access import may_decide_ladder
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import Finding, LadderDecision, NegativePoint
from hami.supervision.policy import Policy
from hami.supervision.selectors import current_policy

MAX_POINTS = 1000  # one award; the column is a small integer


@transaction.atomic
def points_award(
    *,
    actor: User | None,
    unit: ProductionUnit,
    points: int,
    reason: str,
    finding: Finding | None = None,
    decision: LadderDecision | None = None,
    today: dt.date | None = None,
    policy: Policy | None = None,
) -> NegativePoint:
    """Give the unit `points` negative points for `reason` (a key of the instruction's "points"), counting
    until today + points_expiry_days. `actor` None is the system (the overdue run). Raises Forbidden (not
    office staff of the province or national admin), HamiError(INVALID)."""
    if actor is not None and not may_decide_ladder(actor, unit.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only office staff of the unit's province give negative points."))
    policy = policy or current_policy()
    if reason not in policy["points"]:
        raise HamiError(Code.INVALID, _("Choose a reason from the instruction's table."), field="reason")
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= MAX_POINTS:
        raise HamiError(
            Code.INVALID,
            _("Points are a whole number from 1 to {limit}.").format(limit=MAX_POINTS),
            field="points",
        )
    if finding is not None and finding.unit_id != unit.pk:
        raise HamiError(Code.INVALID, _("The finding is not this unit's."), field="finding")
    today = today or timezone.localdate()
    award = NegativePoint.objects.create(
        unit=unit,
        province_id=unit.province_id,
        points=points,
        reason=reason,
        finding=finding,
        decision=decision,
        awarded_on=today,
        expires_on=today + dt.timedelta(days=int(policy["points_expiry_days"])),
    )
    audit(
        actor=actor,
        event_type=EventType.POINTS_AWARDED,
        obj=award,
        province=unit.province,
        reason=reason,
        details={
            "unit": unit.national_id,
            "points": points,
            "finding": str(finding.public_id) if finding is not None else None,
            "decision": str(decision.public_id) if decision is not None else None,
            "expires_on": award.expires_on,
        },
    )
    return award
