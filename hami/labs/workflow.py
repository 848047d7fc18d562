"""A lab's approval and standing: who may move a lab from which status to which. No Django.

    applied ──review──▶ document_review ──visit──▶ assessment ──to committee──▶ committee
                              │                        │                           │
                              └──────── deficiencies (a date to fix them by) ──────┤
                                               ▼                                   ├─approve──▶ approved
                                            fixing ──fixed──▶ back to the step     └─refuse───▶ refused
                                               └──deadline missed──▶ refused
    approved ──suspend──▶ suspended ──reinstate──▶ approved
    approved | suspended ──revoke──▶ revoked

The lab applies and reports its deficiencies fixed; the office does the rest (the technical
committee's decisions are recorded by office staff). docs/labs.md draws the same table.
"""

from enum import StrEnum


class Party(StrEnum):
    LAB = "lab"  # staff of the lab
    OFFICE = "office"  # office staff of the lab's province, or a national admin


APPLIED, DOCUMENT_REVIEW, ASSESSMENT = "applied", "document_review", "assessment"
COMMITTEE, FIXING = "committee", "fixing"
APPROVED, REFUSED, SUSPENDED, REVOKED = "approved", "refused", "suspended", "revoked"
REVIEW_STEPS = (DOCUMENT_REVIEW, ASSESSMENT, COMMITTEE)

TRANSITIONS: dict[tuple[str, str], Party] = {
    (APPLIED, DOCUMENT_REVIEW): Party.OFFICE,
    (DOCUMENT_REVIEW, ASSESSMENT): Party.OFFICE,
    (ASSESSMENT, COMMITTEE): Party.OFFICE,
    **{(step, FIXING): Party.OFFICE for step in REVIEW_STEPS},
    # back from fixing to the step the lab came from: checked against Lab.fixing_from
    **{(FIXING, step): Party.LAB for step in REVIEW_STEPS},
    (FIXING, REFUSED): Party.OFFICE,  # the time granted ran out
    (COMMITTEE, APPROVED): Party.OFFICE,
    (COMMITTEE, REFUSED): Party.OFFICE,
    (APPROVED, SUSPENDED): Party.OFFICE,
    (SUSPENDED, APPROVED): Party.OFFICE,  # reinstatement
    (APPROVED, REVOKED): Party.OFFICE,
    (SUSPENDED, REVOKED): Party.OFFICE,
}

# Moves that are a person's decision and need a written reason.
NEEDS_REASON = {
    (COMMITTEE, APPROVED),
    (COMMITTEE, REFUSED),
    (FIXING, REFUSED),
    (APPROVED, SUSPENDED),
    (SUSPENDED, APPROVED),
    (APPROVED, REVOKED),
    (SUSPENDED, REVOKED),
    *((step, FIXING) for step in REVIEW_STEPS),
}


def party_for(source: str, target: str) -> Party | None:
    """Who may make this move, or None if the move does not exist."""
    return TRANSITIONS.get((source, target))


def next_states(source: str) -> list[str]:
    return [target for (state, target) in TRANSITIONS if state == source]
