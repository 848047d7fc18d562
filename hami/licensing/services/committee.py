"""The Marks Committee (کمیته علائم): meetings, agendas, and the decisions that grant, refuse,
suspend, reinstate and revoke."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, Province, User
from hami.licensing import workflow
from hami.licensing.access import acts_as
from hami.licensing.error_codes import LicensingErrorCode
from hami.licensing.models import (
    AgendaItem,
    Application,
    ApplicationState,
    CommitteeMeeting,
    Decision,
    DecisionKind,
    Licence,
    LicenceState,
    SanctionReason,
)
from hami.licensing.services.applications import close_application
from hami.licensing.services.licences import licence_issue


def _check_office(actor: User, province_id: int) -> None:
    if not acts_as(actor, workflow.Party.OFFICE, province_id=province_id, unit_id=0):
        raise Forbidden(
            LicensingErrorCode.FORBIDDEN, _("Only office staff of this province record committee work.")
        )


def _members(members: list[str]) -> list[str]:
    names = [m.strip() for m in members if m and m.strip()]
    if not names:
        raise HamiError(LicensingErrorCode.INVALID, _("Name the members present."), field="members_present")
    return names


@transaction.atomic
def meeting_create(
    *, actor: User, province: Province, held_on: dt.date, members: list[str], applications: list[Application]
) -> CommitteeMeeting:
    """A meeting with an agenda of applications ready for decision. Raises Forbidden, HamiError."""
    _check_office(actor, province.pk)
    not_ready = [
        a.number for a in applications if a.state != ApplicationState.READY or a.province_id != province.pk
    ]
    if not_ready:
        raise HamiError(
            LicensingErrorCode.WRONG_STATE,
            _("Not ready for the committee: {numbers}.").format(numbers=", ".join(not_ready)),
            field="applications",
        )
    meeting = CommitteeMeeting.objects.create(
        province=province, held_on=held_on, members=_members(members), created_by=actor
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, application=a, position=i) for i, a in enumerate(applications, start=1)
    )
    audit(
        actor=actor,
        event_type=EventType.COMMITTEE_MEETING_CREATED,
        obj=meeting,
        province=province,
        details={"held_on": held_on, "applications": [a.number for a in applications]},
    )
    return meeting


@transaction.atomic
def committee_decide(
    *,
    actor: User,
    application: Application,
    grant: bool,
    reason: str,
    members_present: list[str],
    meeting: CommitteeMeeting | None = None,
) -> Decision:
    """Grant (creating or renewing the licence) or refuse, all at once or not at all.

    The application row is locked first, so of two officers deciding at the same moment the second
    waits, then finds the application decided. Raises Forbidden, HamiError(WRONG_STATE /
    ALREADY_DECIDED / INVALID)."""
    if not reason.strip():
        raise HamiError(LicensingErrorCode.INVALID, _("Give the reasons for the decision."), field="reason")
    members = _members(members_present)
    locked = Application.objects.select_for_update().select_related("province", "unit", "product", "standard")
    application = locked.get(pk=application.pk)
    _check_office(actor, application.province_id)
    if application.state in (ApplicationState.GRANTED, ApplicationState.REFUSED):
        raise HamiError(LicensingErrorCode.ALREADY_DECIDED, _("This application has already been decided."))
    kind = DecisionKind.GRANT if grant else DecisionKind.REFUSE
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                meeting=meeting,
                kind=kind,
                application=application,
                reason=reason.strip(),
                members_present=members,
                decided_by=actor,
            )
    except IntegrityError as exc:  # the unique constraint, should a lock ever be bypassed
        raise HamiError(
            LicensingErrorCode.ALREADY_DECIDED, _("This application has already been decided.")
        ) from exc
    close_application(actor=actor, application=application, granted=grant, reason=reason.strip())
    if grant:
        licence = licence_issue(actor=actor, application=application)
        decision.licence = licence
        decision.save(update_fields=["licence", "updated_at"])
        if application.licence_id is None:
            application.licence = licence
            application.save(update_fields=["licence", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.DECISION_RECORDED,
        obj=application,
        province=application.province,
        reason=reason.strip(),
        details={"decision": kind, "members_present": members, "licence": decision.licence_id},
    )
    return decision


# Which sanction moves a licence from which states to which (responsive regulation: suspension can
# be lifted, revocation cannot).
SANCTIONS = {
    DecisionKind.SUSPEND: ({LicenceState.ACTIVE}, LicenceState.SUSPENDED, EventType.LICENCE_SUSPENDED),
    DecisionKind.REINSTATE: ({LicenceState.SUSPENDED}, LicenceState.ACTIVE, EventType.LICENCE_REINSTATED),
    DecisionKind.REVOKE: (
        {LicenceState.ACTIVE, LicenceState.SUSPENDED},
        LicenceState.REVOKED,
        EventType.LICENCE_REVOKED,
    ),
}


@transaction.atomic
def licence_sanction(
    *,
    actor: User,
    licence: Licence,
    kind: DecisionKind,
    reason: str,
    members_present: list[str],
    sanction_reason: SanctionReason | None = None,
    meeting: CommitteeMeeting | None = None,
) -> Decision:
    """Suspend, reinstate or revoke by committee decision; public at once (verification reads the state).

    Suspension and revocation need a reason from the catalogue. Raises Forbidden, HamiError."""
    if kind not in SANCTIONS:
        raise HamiError(LicensingErrorCode.INVALID, _("Not a sanction."), field="kind")
    sources, target, event = SANCTIONS[kind]
    licence = Licence.objects.select_for_update().select_related("province").get(pk=licence.pk)
    _check_office(actor, licence.province_id)
    if licence.state not in sources:
        raise HamiError(
            LicensingErrorCode.WRONG_STATE,
            _("A licence that is “{state}” cannot be changed this way.").format(
                state=LicenceState(licence.state).label
            ),
        )
    if kind != DecisionKind.REINSTATE and (sanction_reason is None or not sanction_reason.active):
        raise HamiError(
            LicensingErrorCode.INVALID, _("Choose a reason from the catalogue."), field="sanction_reason"
        )
    if not reason.strip():
        raise HamiError(LicensingErrorCode.INVALID, _("Give the reasons for the decision."), field="reason")
    decision = Decision.objects.create(
        meeting=meeting,
        kind=kind,
        licence=licence,
        sanction_reason=sanction_reason,
        reason=reason.strip(),
        members_present=_members(members_present),
        decided_by=actor,
    )
    previous = licence.state
    licence.state = target
    licence.save(update_fields=["state", "updated_at"])
    audit(
        actor=actor,
        event_type=event,
        obj=licence,
        province=licence.province,
        reason=reason.strip(),
        details={"from": previous, "to": target, "sanction_reason": getattr(sanction_reason, "code", None)},
    )
    return decision
