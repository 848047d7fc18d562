"""Referrals: a failed test, a supervision finding or an officer sends a unit to a clinic on a topic.

    OPEN ──booked──▶ BOOKED ──session held──▶ COMPLETED
     ▲  ◀─booking cancelled, moved away or no-show─┘
     └── close (office, with a reason) ──▶ CLOSED          (from OPEN)

An open referral gives the unit priority on the topic's slots (hami/outreach/selectors.py). One referral
per (source, source_ref, unit): running the nightly job again, or supervision calling twice for one
finding, refers the unit once.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from hami.core.audit import Change, audit, audit_many
from hami.core.errors import Forbidden, HamiError
from hami.core.models import EventType, Role, User
from hami.labs.decision import Conformity
from hami.labs.models import TestReport
from hami.outreach import selectors
from hami.outreach.access import can_manage
from hami.outreach.error_codes import OutreachErrorCode as Code
from hami.outreach.models import Referral, ReferralSource, ReferralStatus, Topic
from hami.outreach.services.notices import notify_on_commit, unit_reps
from hami.outreach.services.text import clean_text
from hami.registry.models import ProductionUnit
from hami.standards.models import ProductCategory, Standard

# The verdicts on a product that send its unit to a clinic (hami/labs/decision.py).
FAILED = (Conformity.DOES_NOT_CONFORM, Conformity.NOT_DEMONSTRATED)


def may_refer(user: User, unit: ProductionUnit) -> bool:
    """The office and the inspectors of the unit's province (national staff anywhere) refer units."""
    if can_manage(user, unit.province_id):
        return True
    return user.is_authenticated and user.role == Role.INSPECTOR and user.province_id == unit.province_id


def _link(referral: Referral) -> str:
    return reverse("outreach:referral_detail", args=[referral.public_id])


def _tell_referred_units(referrals: list[Referral]) -> None:
    """After the commit, the representatives of each referred unit hear of its referral."""
    reps = unit_reps({referral.unit_id for referral in referrals})
    for referral in referrals:
        notify_on_commit(
            reps[referral.unit_id],
            subject=_("Your unit is referred to a clinic on “{topic}”").format(topic=referral.topic.name),
            body=_("{reason} Book a consultation slot on this topic; referred units book first.").format(
                reason=referral.reason
            ),
            link=_link(referral),
        )


@transaction.atomic
def referral_create(
    *,
    actor: User | None = None,
    unit: ProductionUnit,
    source: str,
    source_ref: str,
    reason: str,
    topic: Topic | None = None,
    standard: Standard | None = None,
    category: ProductCategory | None = None,
) -> Referral:
    """Refer the unit to a clinic on `topic`, else the topic of the standard or product category, else
    `quality-control`. Idempotent on (source, source_ref, unit): the existing referral is returned.
    `actor` None is the system (a nightly job). Raises Forbidden, HamiError(INVALID)."""
    if actor is not None and not may_refer(actor, unit):
        raise Forbidden(Code.FORBIDDEN, _("Only the office or inspectors of the unit's province refer it."))
    if source not in ReferralSource.values:
        raise HamiError(Code.INVALID, _("Unknown source of the referral."), field="source")
    source_ref = clean_text(
        source_ref, limit=64, field="source_ref", required=_("Give what refers the unit.")
    )
    existing = Referral.objects.filter(source=source, source_ref=source_ref, unit=unit).first()
    if existing is not None:
        return existing
    reason = clean_text(
        reason, limit=4000, field="reason", required=_("Write why the unit is referred."), multiline=True
    )
    topic = topic or selectors.topic_for(standard, category)
    try:
        with transaction.atomic():  # a concurrent call for the same source wins; answer with its referral
            referral = Referral.objects.create(
                unit=unit, topic=topic, source=source, source_ref=source_ref, reason=reason, created_by=actor
            )
    except IntegrityError:
        return Referral.objects.get(source=source, source_ref=source_ref, unit=unit)
    audit(
        actor=actor,
        event_type=EventType.REFERRAL_CREATED,
        obj=referral,
        province=unit.province,
        reason=reason,
        details={"unit": unit.national_id, "topic": topic.code, "source": source, "source_ref": source_ref},
    )
    _tell_referred_units([referral])
    return referral


@transaction.atomic
def referrals_from_failed_tests(*, since: dt.datetime) -> int:
    """One referral (source TEST_REPORT, source_ref the report's number) for every test report issued
    since `since` that is the latest version of its order's report and says the product does not
    conform or conformity was not demonstrated; a unit already referred for any version of that
    order's report is skipped. The topic comes from the sample's standard, else its product category,
    else `quality-control`. Set-based: a handful of queries whatever the number. Returns how many."""
    reports = list(
        TestReport.objects.filter(issued_at__gte=since, conformity__in=FAILED, amended_by__isnull=True)
        .order_by("issued_at", "pk")
        .values(
            "number",
            "order_id",
            "conformity",
            "order__sample__unit_id",
            "order__sample__standard_id",
            "order__sample__standard__number",
            "order__sample__product__category_id",
            "order__sample__product__name",
        )
    )
    if not reports:
        return 0
    # Numbers of every version of these orders' reports: a referral for an earlier version counts.
    versions = TestReport.objects.filter(order_id__in={r["order_id"] for r in reports}).values_list(
        "order_id", "number"
    )
    number_to_order = {number: order_id for order_id, number in versions}
    referred = {
        (number_to_order[ref], unit_id)
        for ref, unit_id in Referral.objects.filter(
            source=ReferralSource.TEST_REPORT, source_ref__in=list(number_to_order)
        ).values_list("source_ref", "unit_id")
    }
    by_standard, by_category = selectors.topic_maps(
        {r["order__sample__standard_id"] for r in reports},
        {r["order__sample__product__category_id"] for r in reports},
    )
    fallback = selectors.fallback_topic()
    labels = dict(Conformity.choices)
    new = []
    for report in reports:
        key = (report["order_id"], report["order__sample__unit_id"])
        if key in referred:
            continue
        referred.add(key)
        topic_id = (
            by_standard.get(report["order__sample__standard_id"])
            or by_category.get(report["order__sample__product__category_id"])
            or fallback.pk
        )
        reason = _("Test report {number} on {product}: {verdict}.").format(
            number=report["number"],
            product=report["order__sample__product__name"],
            verdict=labels[report["conformity"]],
        )
        new.append(
            Referral(
                unit_id=report["order__sample__unit_id"],
                topic_id=topic_id,
                source=ReferralSource.TEST_REPORT,
                source_ref=report["number"],
                reason=reason,
            )
        )
    # A run in parallel may have written some meanwhile: skip those; the public ids tell which rows are ours.
    Referral.objects.bulk_create(new, ignore_conflicts=True)
    created = list(
        Referral.objects.filter(public_id__in=[r.public_id for r in new]).select_related(
            "topic", "unit__province"
        )
    )
    audit_many(
        actor=None,
        changes=[
            Change(
                event_type=EventType.REFERRAL_CREATED,
                obj=referral,
                province=referral.unit.province,
                reason=referral.reason,
                details={
                    "unit": referral.unit.national_id,
                    "topic": referral.topic.code,
                    "source": referral.source,
                    "source_ref": referral.source_ref,
                },
            )
            for referral in created
        ],
    )
    _tell_referred_units(created)
    return len(created)


@transaction.atomic
def referral_close(*, actor: User, referral: Referral, reason: str) -> Referral:
    """The office closes an open referral without a session, with a reason. Closing twice changes
    nothing. Raises Forbidden, HamiError(INVALID, WRONG_STATE)."""
    referral = Referral.objects.select_for_update().select_related("unit", "topic").get(pk=referral.pk)
    if not can_manage(actor, referral.unit.province_id):
        raise Forbidden(Code.FORBIDDEN, _("Only the office of the unit's province closes its referrals."))
    reason = clean_text(reason, limit=300, field="reason", required=_("Write why the referral is closed."))
    if referral.status == ReferralStatus.CLOSED:
        return referral
    if referral.status == ReferralStatus.BOOKED:
        raise HamiError(
            Code.WRONG_STATE,
            _("A clinic session is booked for this referral; cancel the booking first or let it be held."),
        )
    if referral.status != ReferralStatus.OPEN:
        raise HamiError(
            Code.WRONG_STATE,
            _("A referral in state “{state}” cannot be closed.").format(state=referral.get_status_display()),
        )
    referral.status, referral.closed_reason = ReferralStatus.CLOSED, reason
    referral.save(update_fields=["status", "closed_reason", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.REFERRAL_CLOSED,
        obj=referral,
        province=referral.unit.province,
        reason=reason,
    )
    notify_on_commit(
        unit_reps([referral.unit_id])[referral.unit_id],
        subject=_("Referral closed: {topic}").format(topic=referral.topic.name),
        body=reason,
        link=_link(referral),
    )
    return referral
