"""The application state machine: who may move an application from which state to which. No Django.

    draft ──submit──▶ submitted ──return──▶ returned ──resubmit──▶ submitted
                          │
                          ├─accept (normal track)──▶ audit ──audit done──▶ testing
                          └─accept (fast track: no factory audit)──────▶ testing
    testing ──results recorded──▶ ready ──committee──▶ granted | refused
    any open state ──withdraw (the unit)──▶ withdrawn

docs/licensing.md draws the same table.
"""

from enum import StrEnum


class Party(StrEnum):
    UNIT = "unit"  # a representative of the applying unit
    OFFICE = "office"  # office staff of the unit's province, or a national admin
    INSPECTOR = "inspector"  # an inspector of the unit's province (or office staff)
    COMMITTEE = "committee"  # a Marks Committee decision recorded by office staff


DRAFT, SUBMITTED, RETURNED = "draft", "submitted", "returned"
AUDIT, TESTING, READY = "audit", "testing", "ready"
GRANTED, REFUSED, WITHDRAWN = "granted", "refused", "withdrawn"
OPEN = (DRAFT, SUBMITTED, RETURNED, AUDIT, TESTING, READY)
FINAL = (GRANTED, REFUSED, WITHDRAWN)

TRANSITIONS: dict[tuple[str, str], Party] = {
    (DRAFT, SUBMITTED): Party.UNIT,
    (RETURNED, SUBMITTED): Party.UNIT,
    (SUBMITTED, RETURNED): Party.OFFICE,
    (SUBMITTED, AUDIT): Party.OFFICE,
    (SUBMITTED, TESTING): Party.OFFICE,  # fast track only
    (AUDIT, TESTING): Party.INSPECTOR,
    (TESTING, READY): Party.OFFICE,
    (READY, GRANTED): Party.COMMITTEE,
    (READY, REFUSED): Party.COMMITTEE,
    **{(state, WITHDRAWN): Party.UNIT for state in OPEN},
}


def party_for(source: str, target: str) -> Party | None:
    """Who may make this move, or None if the move does not exist."""
    return TRANSITIONS.get((source, target))


def next_states(source: str) -> list[str]:
    return [target for (state, target) in TRANSITIONS if state == source]
