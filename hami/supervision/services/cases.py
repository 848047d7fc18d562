"""Writes of market surveillance cases and complaints (issue 6, points 7 and 8).

A market case (MarketCase) is opened by the periodic run for a market sample that failed its test
(against the licence holder), or by an inspector who saw a product on sale with a mark whose tracking
code is unknown, expired, revoked or suspended (against the producer named):

    OPEN ──market_case_move──▶ INVESTIGATING
      └──────────── market_case_close (outcome, note) ─────────▶ CLOSED   (from OPEN or INVESTIGATING)

Closing with WITHDRAWN (withdrawal or seizure) or REFERRED (judiciary) is a coercive measure; the
ladder's coercive share counts those cases.

A complaint case (ComplaintCase) is made when the office triages a public complaint, or files one it
took by phone, letter or visit:

    RECEIVED ──complaint_investigate (a visit may be linked)──▶ INVESTIGATING
      └──────────── complaint_close (outcome, note) ─────────▶ CLOSED   (from RECEIVED or INVESTIGATING)

An UPHELD complaint counts in its unit's risk score (by its closed_at).
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hami.core.audit import Change, audit, audit_many
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, Role, User
from hami.core.persian import normalize_text, to_ascii_digits
from hami.labs.decision import Conformity
from hami.labs.models import SampleOrigin, TestReport
from hami.licensing.models import Complaint, Licence, LicenceState
from hami.licensing.services.complaints import complaint_file
from hami.licensing.tracking import clean_tracking_code
from hami.outreach.services.notices import notify_on_commit, unit_reps
from hami.registry.models import ProductionUnit
from hami.supervision.access import is_office, may_handle_cases
from hami.supervision.error_codes import SupervisionErrorCode as Code
from hami.supervision.models import (
    CaseKind,
    CaseOutcome,
    CaseState,
    ComplaintCase,
    ComplaintChannel,
    ComplaintOutcome,
    ComplaintPriority,
    Inspection,
    InspectionState,
    MarketCase,
    MarkStatus,
    TriageState,
)

# The verdicts on a product that open a case (hami/labs/decision.py; the same set sends a unit to a
# clinic in hami/outreach/services/referrals.py).
FAILED = (Conformity.DOES_NOT_CONFORM, Conformity.NOT_DEMONSTRATED)

# The market case's state machine: market_case_move's moves; closing is market_case_close's.
MARKET_MOVES: dict[str, set[str]] = {CaseState.OPEN: {CaseState.INVESTIGATING}}
COERCIVE_OUTCOMES = (CaseOutcome.WITHDRAWN, CaseOutcome.REFERRED)

# What a licence's state says about a mark carrying its tracking code; an active licence past its expiry
# date (the nightly run has not marked it yet) is expired too.
MARK_STATUS_OF_LICENCE = {
    LicenceState.EXPIRED: MarkStatus.EXPIRED,
    LicenceState.REVOKED: MarkStatus.REVOKED,
    LicenceState.SUSPENDED: MarkStatus.SUSPENDED,
}

MAX_NOTE = 4000
MAX_PLACE = 300  # MarketCase.place, .product_description
MAX_PRODUCER = 255  # MarketCase.producer_name


def _text(value, *, field: str, limit: int, required: str | None = None, multiline: bool = False) -> str:
    """Normalized text; HamiError(INVALID) naming the field when empty and `required`, or too long."""
    if multiline:
        text = "\n".join(normalize_text(line) for line in str(value or "").splitlines()).strip()
    else:
        text = normalize_text(str(value or ""))
    if required and not text:
        raise HamiError(Code.INVALID, required, field=field)
    if len(text) > limit:
        raise HamiError(Code.INVALID, _("Write at most {limit} characters.").format(limit=limit), field=field)
    return text


def _choice(value, choices, *, field: str, message: str) -> str:
    if value not in choices.values:
        raise HamiError(Code.INVALID, message, field=field)
    return value


def _in_site_language(build):
    """Notices are read later, in the site's language, whatever the actor's page was in."""
    with translation.override(settings.LANGUAGE_CODE):
        return build()


def market_case_link(case: MarketCase) -> str:
    return reverse("supervision:cases_market_detail", args=[case.public_id])


def complaint_link(complaint: Complaint) -> str:
    return reverse("supervision:cases_complaint_detail", args=[complaint.public_id])


def _tell_units_of_cases(cases: list[MarketCase], *, closed: bool) -> None:
    """After the commit, the representatives of each case's unit hear that it opened or closed."""
    cases = [case for case in cases if case.unit_id]
    if not cases:
        return
    reps = unit_reps({case.unit_id for case in cases})
    for case in cases:
        if closed:
            subject, body = _in_site_language(
                lambda case=case: (
                    _("Market surveillance case closed: {product}").format(product=case.product_description),
                    _("Outcome: {outcome}. {note}").format(
                        outcome=case.get_outcome_display(), note=case.outcome_note
                    ),
                )
            )
        else:
            subject, body = _in_site_language(
                lambda case=case: (
                    _("A market surveillance case is open about your product: {product}").format(
                        product=case.product_description
                    ),
                    _(
                        "{kind}. The standards office will investigate; see the case for what was found."
                    ).format(kind=case.get_kind_display()),
                )
            )
        notify_on_commit(reps.get(case.unit_id, []), subject=subject, body=body, link=market_case_link(case))


def _case_details(case: MarketCase) -> dict:
    return {
        "public_id": str(case.public_id),
        "kind": case.kind,
        "state": case.state,
        "unit": case.unit.national_id if case.unit_id else None,
        "licence": case.licence.number if case.licence_id else None,
        "tracking_code": case.tracking_code,
        "mark_status": case.mark_status,
        "outcome": case.outcome,
    }


# ---------------------------------------------------------------- market cases


def _pick_licence(candidates: list[dict], product_id: int) -> int | None:
    """The licence a failed market sample is held against: the one whose current version is for the
    sample's product, else an active one, else the newest (a licence in any state: a sample of a
    product on sale under a suspended licence is still the holder's)."""
    if not candidates:
        return None
    best = max(
        candidates,
        key=lambda c: (
            c["current__product_id"] == product_id,
            c["state"] == LicenceState.ACTIVE,
            c["created_at"],
        ),
    )
    return best["pk"]


@transaction.atomic
def market_cases_from_samples(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> int:
    """Open a FAILED_SAMPLE case for every market sample whose latest-version test report (issued since
    `since` and up to `until`, when given) says the product does not conform or conformity was not
    demonstrated, and that has no case yet (one case a sample). The case is against the sample's unit,
    with its licence for the sample's standard. Set-based: a fixed number of queries whatever the number
    of samples; idempotent, and safe to run in parallel. Returns how many cases it opened."""
    reports = TestReport.objects.filter(
        order__sample__origin=SampleOrigin.MARKET,
        order__sample__market_case__isnull=True,
        conformity__in=FAILED,
        amended_by__isnull=True,
    )
    if since is not None:
        reports = reports.filter(issued_at__gte=since)
    if until is not None:
        reports = reports.filter(issued_at__lte=until)
    rows = list(
        reports.order_by("issued_at", "pk").values(
            "pk",
            "order__sample_id",
            "order__sample__unit_id",
            "order__sample__province_id",
            "order__sample__standard_id",
            "order__sample__product_id",
            "order__sample__product__name",
            "order__sample__place",
        )
    )
    if not rows:
        return 0
    licences: dict[tuple[int, int], list[dict]] = {}
    for licence in Licence.objects.filter(
        unit_id__in={r["order__sample__unit_id"] for r in rows},
        standard_id__in={r["order__sample__standard_id"] for r in rows},
    ).values("pk", "unit_id", "standard_id", "state", "current__product_id", "created_at"):
        licences.setdefault((licence["unit_id"], licence["standard_id"]), []).append(licence)
    new, seen = [], set()
    for row in rows:
        sample_id = row["order__sample_id"]
        if sample_id in seen:  # two orders of one sample failed: one case, on the first report issued
            continue
        seen.add(sample_id)
        key = (row["order__sample__unit_id"], row["order__sample__standard_id"])
        new.append(
            MarketCase(
                province_id=row["order__sample__province_id"],
                kind=CaseKind.FAILED_SAMPLE,
                unit_id=row["order__sample__unit_id"],
                licence_id=_pick_licence(licences.get(key, []), row["order__sample__product_id"]),
                sample_id=sample_id,
                report_id=row["pk"],
                place=row["order__sample__place"][:MAX_PLACE],
                product_description=row["order__sample__product__name"][:MAX_PLACE],
            )
        )
    # A run in parallel may have opened some meanwhile (the sample is one-to-one): skip those; the
    # public ids tell which rows are ours.
    MarketCase.objects.bulk_create(new, ignore_conflicts=True)
    created = list(
        MarketCase.objects.filter(public_id__in=[case.public_id for case in new])
        .select_related("unit", "licence", "province", "sample", "report")
        .order_by("pk")
    )
    audit_many(
        actor=None,
        changes=[
            Change(
                event_type=EventType.MARKET_CASE_SAVED,
                obj=case,
                province=case.province,
                details={**_case_details(case), "sample": case.sample.code, "report": case.report.number},
            )
            for case in created
        ],
    )
    _tell_units_of_cases(created, closed=False)
    return len(created)


def _mark_status(licence: Licence | None, today: dt.date) -> str | None:
    """What is wrong with a mark carrying this licence's code; None for an active licence in date."""
    if licence is None:
        return MarkStatus.UNKNOWN
    if licence.state in MARK_STATUS_OF_LICENCE:
        return MARK_STATUS_OF_LICENCE[licence.state]
    if licence.expires_on < today:
        return MarkStatus.EXPIRED
    return None


@transaction.atomic
def market_case_report_mark(
    *,
    actor: User,
    tracking_code: str,
    place: str,
    product_description: str,
    producer_name: str = "",
    unit: ProductionUnit | None = None,
    as_printed: bool = False,
) -> MarketCase:
    """An inspector or officer saw a product on sale with a mark: a code no licence has, or an expired,
    revoked or suspended licence's, opens an INVALID_MARK case against the producer (the licence's unit
    when the code is known, else `unit`, else only `producer_name`). A code that is not well formed is
    refused as a likely typo unless `as_printed` says it is printed so. Reporting the same code at the
    same place while its case is open returns that case. The case goes to the actor's province (a
    national admin's: the unit's).
    Raises Forbidden, HamiError(MARK_VALID — nothing written, TRACKING_CODE_MALFORMED, INVALID)."""
    if not may_handle_cases(actor):
        raise Forbidden(
            Code.FORBIDDEN, _("Only inspectors and office staff, or a national admin, report marks.")
        )
    typed = to_ascii_digits(normalize_text(tracking_code or "")).strip()
    if not typed:
        raise HamiError(
            Code.INVALID, _("Type the tracking code printed with the mark."), field="tracking_code"
        )
    code = clean_tracking_code(typed)
    licence = None
    if code is None:
        if not as_printed:
            raise HamiError(
                Code.TRACKING_CODE_MALFORMED,
                _(
                    "This is not a well-formed tracking code (ten digits ending in a check digit): check "
                    "the digits. If it is printed like this on the product, say so and report it again."
                ),
                field="tracking_code",
            )
        code = typed.replace(" ", "").replace("-", "")[:40]
    else:
        licence = Licence.objects.select_related("unit__province").filter(tracking_code=code).first()
    status = _mark_status(licence, timezone.localdate())
    if status is None:
        raise HamiError(
            Code.MARK_VALID,
            _(
                "The mark is valid: tracking code {code} belongs to licence {number} of {unit}, which is "
                "active. No case was opened."
            ).format(code=code, number=licence.number, unit=licence.unit.name),
            field="tracking_code",
        )
    if licence is not None:
        unit = licence.unit  # the code names its holder, whoever the inspector thought made it
    place = _text(place, field="place", limit=MAX_PLACE, required=_("Say where the product was found."))
    product_description = _text(
        product_description,
        field="product_description",
        limit=MAX_PLACE,
        required=_("Describe the product (name, brand, model)."),
    )
    producer_name = _text(producer_name, field="producer_name", limit=MAX_PRODUCER)
    if unit is None and not producer_name:
        raise HamiError(
            Code.INVALID,
            _("Name the producer as written on the product, or choose its unit."),
            field="producer_name",
        )
    if actor.province_id and not actor.is_national:
        province = actor.province  # the office where the product is on sale takes the case
    elif unit is not None:
        province = unit.province
    else:
        raise HamiError(
            Code.INVALID, _("Choose the producer's unit: its office takes the case."), field="unit"
        )
    existing = (
        MarketCase.objects.filter(
            province=province, kind=CaseKind.INVALID_MARK, tracking_code=code, place=place
        )
        .exclude(state=CaseState.CLOSED)
        .first()
    )
    if existing is not None:  # the same report twice (a double tap on a slow phone network)
        return existing
    case = MarketCase.objects.create(
        province=province,
        kind=CaseKind.INVALID_MARK,
        unit=unit,
        producer_name=producer_name,
        licence=licence,
        tracking_code=code,
        mark_status=status,
        place=place,
        product_description=product_description,
        opened_by=actor,
    )
    audit(
        actor=actor,
        event_type=EventType.MARKET_CASE_SAVED,
        obj=case,
        province=province,
        details={**_case_details(case), "producer_name": producer_name, "place": place},
    )
    _tell_units_of_cases([case], closed=False)
    return case


def _locked_case(case: MarketCase) -> MarketCase:
    return (
        MarketCase.objects.select_for_update(of=("self",))
        .select_related("unit", "licence", "province")
        .get(pk=case.pk)
    )


@transaction.atomic
def market_case_move(*, actor: User, case: MarketCase, state: str) -> MarketCase:
    """Move a case along MARKET_MOVES (open → investigating), by the province's inspectors or office.
    Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    case = _locked_case(case)
    if not may_handle_cases(actor, case.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the inspectors and office of the case's province move it."))
    state = _choice(state, CaseState, field="state", message=_("Unknown state of a case."))
    if state not in MARKET_MOVES.get(case.state, set()):
        raise HamiError(
            Code.WRONG_STATE,
            _("A case that is “{current}” cannot be moved to “{target}”.").format(
                current=case.get_state_display(), target=CaseState(state).label
            ),
            field="state",
        )
    previous, case.state = case.state, state
    case.save(update_fields=["state", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.MARKET_CASE_SAVED,
        obj=case,
        province=case.province,
        details={**_case_details(case), "from": previous},
    )
    return case


@transaction.atomic
def market_case_close(*, actor: User, case: MarketCase, outcome: str, note: str) -> MarketCase:
    """The province's office closes an open or investigated case with its outcome and a note; WITHDRAWN
    and REFERRED are coercive measures. Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    case = _locked_case(case)
    if not is_office(actor, case.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the case's province closes it."))
    if case.state == CaseState.CLOSED:
        raise HamiError(Code.WRONG_STATE, _("The case is already closed."))
    outcome = _choice(outcome, CaseOutcome, field="outcome", message=_("Choose the outcome of the case."))
    note = _text(
        note, field="note", limit=MAX_NOTE, required=_("Write what was found and done."), multiline=True
    )
    previous = case.state
    case.state, case.outcome, case.outcome_note = CaseState.CLOSED, outcome, note
    case.closed_by, case.closed_at = actor, timezone.now()
    case.save(update_fields=["state", "outcome", "outcome_note", "closed_by", "closed_at", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.MARKET_CASE_SAVED,
        obj=case,
        province=case.province,
        reason=note,
        details={**_case_details(case), "from": previous, "coercive": outcome in COERCIVE_OUTCOMES},
    )
    _tell_units_of_cases([case], closed=True)
    return case


# ---------------------------------------------------------------- complaints


def _linked(unit: ProductionUnit | None, licence: Licence | None) -> ProductionUnit | None:
    """The unit a complaint is about: `unit`, else the licence's; the licence must be the unit's."""
    if licence is None:
        return unit
    if unit is None:
        return licence.unit
    if licence.unit_id != unit.pk:
        raise HamiError(
            Code.LICENCE_NOT_UNITS,
            _("Licence {number} is not this unit's.").format(number=licence.number),
            field="licence",
        )
    return unit


def _assignee(user: User | None, province_id: int) -> User | None:
    """Who investigates: office staff or an inspector of the case's province, or nobody yet."""
    if user is None:
        return None
    if not (
        user.is_active
        and user.role in (Role.OFFICE_STAFF, Role.INSPECTOR)
        and user.province_id == province_id
    ):
        raise HamiError(
            Code.INVALID,
            _("Assign the complaint to office staff or an inspector of its province."),
            field="assigned_to",
        )
    return user


def _complaint_details(case: ComplaintCase) -> dict:
    """What the audit trail keeps of a case: never the complainant's contact."""
    return {
        "complaint": str(case.complaint.public_id),
        "channel": case.channel,
        "state": case.state,
        "priority": case.priority,
        "unit": case.unit.national_id if case.unit_id else None,
        "licence": case.licence.number if case.licence_id else None,
        "assigned_to": case.assigned_to.username if case.assigned_to_id else None,
        "inspection": str(case.inspection.public_id) if case.inspection_id else None,
        "outcome": case.outcome,
    }


def _tell_assignee(case: ComplaintCase, actor: User) -> None:
    if case.assigned_to_id is None:
        return
    subject, body = _in_site_language(
        lambda: (
            _("A complaint is assigned to you"),
            _("Priority: {priority}. {text}").format(
                priority=case.get_priority_display(), text=case.complaint.text[:300]
            ),
        )
    )
    notify_on_commit(
        [case.assigned_to], subject=subject, body=body, link=complaint_link(case.complaint), skip=actor
    )


@transaction.atomic
def complaint_triage(
    *,
    actor: User,
    complaint: Complaint,
    priority: str,
    unit: ProductionUnit | None = None,
    licence: Licence | None = None,
    assigned_to: User | None = None,
) -> ComplaintCase:
    """The office takes a public complaint in hand: its case (channel public) in the complaint's
    province, linked to the unit and licence it is about (by default the licence the complaint was
    filed on). A complaint with an unknown tracking code has no province: a national admin triages it,
    and the unit named sets the province. Raises Forbidden, HamiError(ALREADY_TRIAGED,
    LICENCE_NOT_UNITS, WRONG_PROVINCE, INVALID)."""
    complaint = (
        Complaint.objects.select_for_update(of=("self",)).select_related("licence__unit").get(pk=complaint.pk)
    )
    if not is_office(actor, complaint.province_id) or (
        complaint.province_id is None and not actor.is_national
    ):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the complaint's province triages it."))
    if ComplaintCase.objects.filter(complaint=complaint).exists():
        raise HamiError(Code.ALREADY_TRIAGED, _("This complaint is already triaged."))
    if unit is None and licence is None:
        licence = complaint.licence
    unit = _linked(unit, licence)
    priority = _choice(priority, ComplaintPriority, field="priority", message=_("Choose the priority."))
    if complaint.province_id is not None:
        province = complaint.province
    elif unit is not None:
        province = unit.province
    else:
        raise HamiError(
            Code.INVALID,
            _(
                "The tracking code of this complaint is unknown: choose the unit it is about, so that "
                "its office takes it."
            ),
            field="unit",
        )
    if unit is not None and unit.province_id != province.pk:
        raise HamiError(
            Code.WRONG_PROVINCE, _("This unit belongs to another province than the complaint."), field="unit"
        )
    try:
        with transaction.atomic():
            case = ComplaintCase.objects.create(
                complaint=complaint,
                province=province,
                channel=ComplaintChannel.PUBLIC,
                unit=unit,
                licence=licence,
                priority=priority,
                assigned_to=_assignee(assigned_to, province.pk),
                triaged_by=actor,
            )
    except IntegrityError as exc:  # triaged meanwhile by someone whose transaction began first
        raise HamiError(Code.ALREADY_TRIAGED, _("This complaint is already triaged.")) from exc
    audit(
        actor=actor,
        event_type=EventType.COMPLAINT_TRIAGED,
        obj=case,
        province=province,
        details={**_complaint_details(case), "step": "triaged"},
    )
    _tell_assignee(case, actor)
    return case


@transaction.atomic
def complaint_file_by_office(
    *,
    actor: User,
    text: str,
    contact: str,
    unit: ProductionUnit | None,
    priority: str,
    licence: Licence | None = None,
    assigned_to: User | None = None,
) -> ComplaintCase:
    """The office records a complaint it took by phone, letter or visit: the licensing Complaint and its
    case (channel office) in one transaction, in the unit's province.
    Raises Forbidden, HamiError(INVALID, LICENCE_NOT_UNITS, WRONG_PROVINCE)."""
    if not is_office(actor):
        raise Forbidden(Code.FORBIDDEN, _("Only office staff, or a national admin, file complaints."))
    unit = _linked(unit, licence)
    if unit is None:
        raise HamiError(Code.INVALID, _("Choose the unit the complaint is about."), field="unit")
    if not is_office(actor, unit.province_id):
        raise HamiError(
            Code.WRONG_PROVINCE,
            _("This unit belongs to another province; its office takes the complaint."),
            field="unit",
        )
    priority = _choice(priority, ComplaintPriority, field="priority", message=_("Choose the priority."))
    assigned_to = _assignee(assigned_to, unit.province_id)
    contact = _text(contact, field="contact", limit=200)
    complaint = complaint_file(
        licence=licence,
        tracking_code=licence.tracking_code if licence else "",
        text=text,
        contact=contact,
        province=unit.province,
        actor=actor,
    )
    case = ComplaintCase.objects.create(
        complaint=complaint,
        province=unit.province,
        channel=ComplaintChannel.OFFICE,
        unit=unit,
        licence=licence,
        priority=priority,
        assigned_to=assigned_to,
        triaged_by=actor,
    )
    audit(
        actor=actor,
        event_type=EventType.COMPLAINT_TRIAGED,
        obj=case,
        province=unit.province,
        details={**_complaint_details(case), "step": "filed"},
    )
    _tell_assignee(case, actor)
    return case


def _locked_complaint_case(case: ComplaintCase) -> ComplaintCase:
    return (
        ComplaintCase.objects.select_for_update(of=("self",))
        .select_related("complaint", "unit", "licence", "province", "assigned_to", "inspection")
        .get(pk=case.pk)
    )


@transaction.atomic
def complaint_investigate(
    *, actor: User, case: ComplaintCase, inspection: Inspection | None = None
) -> ComplaintCase:
    """Start investigating a received complaint, linking the visit that checks it if there is one (a
    later call links another visit). The visit must be at the complaint's unit. Raises Forbidden,
    HamiError(INVALID, WRONG_STATE)."""
    case = _locked_complaint_case(case)
    if not is_office(actor, case.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the complaint's province handles it."))
    if case.state == TriageState.CLOSED:
        raise HamiError(Code.WRONG_STATE, _("The complaint is closed."))
    if case.state == TriageState.INVESTIGATING and inspection is None:
        raise HamiError(Code.WRONG_STATE, _("The complaint is already under investigation."))
    if inspection is not None:
        if case.unit_id is None or inspection.unit_id != case.unit_id:
            raise HamiError(
                Code.INVALID, _("Link a visit to the unit the complaint is about."), field="inspection"
            )
        if inspection.state == InspectionState.CANCELLED:
            raise HamiError(Code.INVALID, _("This visit was cancelled."), field="inspection")
    previous = case.state
    case.state, case.inspection = TriageState.INVESTIGATING, inspection or case.inspection
    case.save(update_fields=["state", "inspection", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.COMPLAINT_TRIAGED,
        obj=case,
        province=case.province,
        details={**_complaint_details(case), "step": "investigating", "from": previous},
    )
    return case


@transaction.atomic
def complaint_close(*, actor: User, case: ComplaintCase, outcome: str, note: str) -> ComplaintCase:
    """Close a complaint with its outcome (upheld, not upheld, not for the office) and a note. An upheld
    complaint needs its unit (it counts in the unit's risk score, and the unit is told).
    Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    case = _locked_complaint_case(case)
    if not is_office(actor, case.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the complaint's province handles it."))
    if case.state == TriageState.CLOSED:
        raise HamiError(Code.WRONG_STATE, _("The complaint is already closed."))
    outcome = _choice(
        outcome, ComplaintOutcome, field="outcome", message=_("Choose the outcome of the complaint.")
    )
    note = _text(note, field="note", limit=MAX_NOTE, required=_("Write why, in a few words."), multiline=True)
    if outcome == ComplaintOutcome.UPHELD and case.unit_id is None:
        raise HamiError(
            Code.INVALID, _("An upheld complaint must name the unit it is about."), field="outcome"
        )
    previous = case.state
    case.state, case.outcome, case.outcome_note = TriageState.CLOSED, outcome, note
    case.closed_by, case.closed_at = actor, timezone.now()
    case.save(update_fields=["state", "outcome", "outcome_note", "closed_by", "closed_at", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.COMPLAINT_TRIAGED,
        obj=case,
        province=case.province,
        reason=note,
        details={**_complaint_details(case), "step": "closed", "from": previous},
    )
    if outcome == ComplaintOutcome.UPHELD:
        subject, body = _in_site_language(
            lambda: (
                _("A complaint about your unit was upheld"),
                _("{note} An upheld complaint counts in your unit's risk score.").format(note=note),
            )
        )
        notify_on_commit(
            unit_reps([case.unit_id])[case.unit_id],
            subject=subject,
            body=body,
            link=reverse("supervision:cases_unit", args=[case.unit.public_id]),
        )
    return case
