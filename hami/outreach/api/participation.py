import datetime as dt
from uuid import UUID

from django.utils import timezone
from ninja import Router, Schema

from hami.core.api import Error
from hami.outreach.participation import MAX_SCORE, WINDOW_DAYS, counts_for_units
from hami.registry.access import unit_for_user

router = Router(tags=["outreach-participation"])


class LineOut(Schema):
    key: str
    label: str
    count: int
    points: int


class ParticipationOut(Schema):
    unit: UUID
    since: dt.date
    until: dt.date
    score: int
    max_score: int
    lines: list[LineOut]


@router.get("/units/{public_id}/participation", response={200: ParticipationOut, 404: Error})
def unit_participation(request, public_id: UUID):
    """The unit's participation score over the last year, line by line (the unit, its office, national staff).
    404 when the unit is not visible to you."""
    unit = unit_for_user(request.auth, public_id)
    today = timezone.localdate()
    since = today - dt.timedelta(days=WINDOW_DAYS)
    participation = counts_for_units([unit.pk], since=since, today=today)[unit.pk]
    return {
        "unit": unit.public_id,
        "since": since,
        "until": today,
        "score": participation.score,
        "max_score": MAX_SCORE,
        "lines": [line.__dict__ for line in participation.lines],
    }
