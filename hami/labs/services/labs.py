"""Labs: application and approval (hami/labs/workflow.py), accreditation, scope and conflicts."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.models import County, EventType, Role, User
from hami.core.persian import normalize_text
from hami.labs import workflow
from hami.labs.access import is_lab_staff, is_office_for
from hami.labs.error_codes import LabsErrorCode
from hami.labs.models import (
    Conflict,
    ConflictKind,
    Lab,
    LabEvent,
    LabKind,
    LabMembership,
    LabStatus,
    ScopeLine,
)
from hami.registry.models import ProductionUnit
from hami.standards.models import Requirement


def _require_office(actor: User, lab: Lab) -> None:
    if not is_office_for(actor, lab.province_id):
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("Only the lab's provincial office may do this."))


def _require_lab_or_office(actor: User, lab: Lab) -> None:
    if not (is_office_for(actor, lab.province_id) or is_lab_staff(actor, lab)):
        raise Forbidden(
            LabsErrorCode.FORBIDDEN, _("Only the lab's staff or its provincial office may do this.")
        )


@transaction.atomic
def lab_apply(
    *,
    actor: User,
    name_fa: str,
    county: County,
    kind: str = LabKind.COOPERATING,
    name_en: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    owner_unit: ProductionUnit | None = None,
    accreditation_number: str = "",
    accreditation_body: str = "",
    accreditation_expiry: dt.date | None = None,
) -> Lab:
    """A lab's application for approval, filed by the office or by the lab's own staff user (who then
    becomes its member). The lab starts at `applied`; an in-house lab is in conflict with its unit."""
    if not (is_office_for(actor, county.province_id) or actor.role == Role.LAB_STAFF):
        raise Forbidden(
            LabsErrorCode.FORBIDDEN, _("Only lab staff or the provincial office file applications.")
        )
    name_fa = normalize_text(name_fa)
    if not name_fa:
        raise HamiError(LabsErrorCode.INVALID, _("Give the lab's name."), field="name_fa")
    if kind not in LabKind.values:
        raise HamiError(LabsErrorCode.INVALID, _("Choose the kind of lab."), field="kind")
    if kind == LabKind.IN_HOUSE and owner_unit is None:
        raise HamiError(
            LabsErrorCode.INVALID, _("An in-house lab names the unit it belongs to."), field="owner_unit"
        )
    lab = Lab.objects.create(
        name_fa=name_fa,
        name_en=normalize_text(name_en),
        kind=kind,
        province_id=county.province_id,
        county=county,
        address=normalize_text(address),
        phone=phone.strip(),
        email=email.strip(),
        owner_unit=owner_unit,
        accreditation_number=accreditation_number.strip(),
        accreditation_body=normalize_text(accreditation_body),
        accreditation_expiry=accreditation_expiry,
    )
    LabEvent.objects.create(lab=lab, to_status=LabStatus.APPLIED, actor=actor, reason=_("Application filed."))
    if actor.role == Role.LAB_STAFF:
        LabMembership.objects.create(user=actor, lab=lab)
    if owner_unit is not None:
        Conflict.objects.create(lab=lab, unit=owner_unit, kind=ConflictKind.OWNERSHIP)
    audit(actor=actor, event_type=EventType.LAB_CREATED, obj=lab, province=lab.province)
    return lab


@transaction.atomic
def lab_move(*, actor: User, lab: Lab, target: str, reason: str = "", fix_by: dt.date | None = None) -> Lab:
    """Move a lab along its approval workflow, or suspend, reinstate or revoke it.

    Sending it to `fixing` needs the date the deficiencies must be fixed by; a lab back from fixing
    returns to the step it came from. Decisions need a reason. Raises HamiError, Forbidden."""
    lab = Lab.objects.select_for_update().get(pk=lab.pk)
    source = lab.status
    party = workflow.party_for(source, target)
    if party is None or (
        source == workflow.FIXING and target in workflow.REVIEW_STEPS and target != lab.fixing_from
    ):
        # `target` comes from a form or a request: an unknown status is refused, not looked up.
        label = LabStatus(target).label if target in LabStatus.values else str(target)[:40]
        raise HamiError(
            LabsErrorCode.WRONG_STATE,
            _("A lab in status “{status}” cannot go to “{target}”.").format(
                status=LabStatus(source).label, target=label
            ),
            field="target",
        )
    if party == workflow.Party.LAB:
        _require_lab_or_office(actor, lab)
    else:
        _require_office(actor, lab)
    reason = normalize_text(reason)
    if (source, target) in workflow.NEEDS_REASON and not reason:
        raise HamiError(LabsErrorCode.INVALID, _("Write the reason for this decision."), field="reason")
    today = timezone.localdate()
    if target == workflow.FIXING:
        if fix_by is None or fix_by <= today:
            raise HamiError(
                LabsErrorCode.INVALID,
                _("Give a date in the future to fix the deficiencies by."),
                field="fix_by",
            )
        lab.fixing_from, lab.fix_by = source, fix_by
    else:
        lab.fixing_from, lab.fix_by = "", None
    if target == workflow.APPROVED and not (lab.accreditation_expiry and lab.accreditation_expiry >= today):
        raise HamiError(
            LabsErrorCode.NOT_ACCREDITED,
            _("Record a valid ISO/IEC 17025 accreditation before approving the lab."),
            field="accreditation_expiry",
        )
    lab.status, lab.status_since = target, timezone.now()
    lab.save(update_fields=["status", "status_since", "fixing_from", "fix_by", "updated_at"])
    LabEvent.objects.create(
        lab=lab, from_status=source, to_status=target, reason=reason, fix_by=fix_by, actor=actor
    )
    audit(
        actor=actor,
        event_type=EventType.LAB_STATUS_CHANGED,
        obj=lab,
        province=lab.province,
        reason=reason,
        details={"from": source, "to": target, "fix_by": fix_by.isoformat() if fix_by else None},
    )
    return lab


@transaction.atomic
def lab_set_accreditation(
    *, actor: User, lab: Lab, number: str, body: str, expiry: dt.date, reason: str = ""
) -> Lab:
    """Record the lab's ISO/IEC 17025 accreditation; its scope lapses with it (Lab.accredited)."""
    _require_office(actor, lab)
    number, body = number.strip(), normalize_text(body)
    if not number:
        raise HamiError(LabsErrorCode.INVALID, _("Give the accreditation number."), field="number")
    if not body:
        raise HamiError(LabsErrorCode.INVALID, _("Give the accreditation body."), field="body")
    before = [lab.accreditation_number, lab.accreditation_body, str(lab.accreditation_expiry or "")]
    lab.accreditation_number, lab.accreditation_body, lab.accreditation_expiry = number, body, expiry
    lab.save(
        update_fields=["accreditation_number", "accreditation_body", "accreditation_expiry", "updated_at"]
    )
    audit(
        actor=actor,
        event_type=EventType.LAB_ACCREDITATION_SET,
        obj=lab,
        province=lab.province,
        reason=normalize_text(reason),
        details={"before": before, "after": [number, body, expiry.isoformat()]},
    )
    return lab


@transaction.atomic
def scope_line_set(
    *,
    actor: User,
    lab: Lab,
    requirement: Requirement,
    method: str,
    weekly_capacity: int,
    price: int,
    turnaround_days: int,
    uncertainty_may_exceed_value: bool = False,
    active: bool = True,
) -> ScopeLine:
    """Add or change one test of the lab's accredited scope (the office keeps the scope)."""
    _require_office(actor, lab)
    method = normalize_text(method)
    if not method:
        raise HamiError(LabsErrorCode.INVALID, _("Give the test method."), field="method")
    for field, value, low in (
        ("weekly_capacity", weekly_capacity, 0),
        ("price", price, 0),
        ("turnaround_days", turnaround_days, 1),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < low or value > 10**12:
            raise HamiError(
                LabsErrorCode.INVALID,
                _("{field} must be a whole number of at least {low}.").format(field=field, low=low),
                field=field,
            )
    line, created = ScopeLine.objects.update_or_create(
        lab=lab,
        requirement=requirement,
        defaults={
            "method": method,
            "weekly_capacity": weekly_capacity,
            "price": price,
            "turnaround_days": turnaround_days,
            "uncertainty_may_exceed_value": uncertainty_may_exceed_value,
            "active": active,
        },
    )
    audit(
        actor=actor,
        event_type=EventType.LAB_SCOPE_CHANGED,
        obj=lab,
        province=lab.province,
        details={
            "requirement": requirement.pk,
            "created": created,
            "weekly_capacity": weekly_capacity,
            "price": price,
            "turnaround_days": turnaround_days,
            "active": active,
        },
    )
    return line


@transaction.atomic
def conflict_declare(*, actor: User, lab: Lab, unit: ProductionUnit, note: str = "") -> Conflict:
    """The lab (or the office) declares that the lab may not test this unit."""
    _require_lab_or_office(actor, lab)
    conflict, _created = Conflict.objects.get_or_create(
        lab=lab, unit=unit, defaults={"kind": ConflictKind.DECLARED, "note": normalize_text(note)}
    )
    audit(
        actor=actor,
        event_type=EventType.LAB_CONFLICT_DECLARED,
        obj=lab,
        province=lab.province,
        details={"unit": unit.pk, "note": conflict.note},
    )
    return conflict
