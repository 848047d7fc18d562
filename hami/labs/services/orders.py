"""Test orders: the office places a batch of samples' tests with labs (hami/labs/assignment.py), confirms
it, and the labs accept or reject their orders."""

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hami.core.audit import audit
from hami.core.errors import Forbidden, HamiError
from hami.core.jalali import format_date
from hami.core.models import EventType, Province, User
from hami.core.notify import notify
from hami.core.numbering import next_number
from hami.core.persian import normalize_text
from hami.labs import assignment as solver
from hami.labs.access import is_lab_staff, is_office_for
from hami.labs.error_codes import LabsErrorCode
from hami.labs.models import (
    AssignmentBatch,
    Conflict,
    CustodyStep,
    Lab,
    OrderState,
    Sample,
    TestItem,
    TestOrder,
)
from hami.labs.selectors import LIVE_ORDER, usable_scope, used_this_week


def waiting_samples(samples):
    """Samples that may still have tests without a lab: not decided, not disposed of. A sample whose
    order a lab rejected stays here until its tests are placed again."""
    return samples.filter(decided_at__isnull=True).exclude(state=CustodyStep.DISPOSED)


def _key(sample_id: int, requirement_id: int) -> str:
    return f"{sample_id}:{requirement_id}"


def waiting_tests(samples) -> list[tuple[Sample, object]]:
    """(sample, requirement) pairs of these samples with no live order yet: what a batch places."""
    samples = list(samples.select_related("standard", "unit", "unit__county", "site__county"))
    ordered = set(
        TestItem.objects.filter(LIVE_ORDER, order__sample__in=samples).values_list(
            "order__sample_id", "requirement_id"
        )
    )
    pairs = []
    requirements_by_standard: dict[int, list] = {}
    for sample in samples:
        requirements = requirements_by_standard.get(sample.standard_id)
        if requirements is None:
            requirements = list(sample.standard.requirements.order_by("clause"))
            requirements_by_standard[sample.standard_id] = requirements
        pairs.extend((sample, r) for r in requirements if (sample.pk, r.pk) not in ordered)
    return pairs


def _history(pairs, rotation_limit: int) -> dict[tuple[int, int], list[int]]:
    """(unit, product) → labs of that product's earlier orders, oldest first (one entry per order)."""
    groups = {(s.unit_id, s.product_id) for s, _r in pairs}
    if not groups:
        return {}
    rows = (
        TestOrder.objects.filter(sample__unit_id__in={u for u, _p in groups})
        .exclude(state__in=[OrderState.REJECTED, OrderState.CANCELLED])
        .order_by("created_at", "pk")
        .values_list("sample__unit_id", "sample__product_id", "lab_id")
    )
    history: dict[tuple[int, int], list[int]] = defaultdict(list)
    for unit_id, product_id, lab_id in rows:
        if (unit_id, product_id) in groups:
            history[(unit_id, product_id)].append(lab_id)
    return {group: labs[-rotation_limit:] for group, labs in history.items()}


def _placement_json(placement: solver.Placement) -> dict:
    return {
        "lab": placement.lab,
        "cost": dataclasses.asdict(placement.cost) if placement.cost else None,
        "alternatives": [
            {**dataclasses.asdict(alt), "cost": dataclasses.asdict(alt.cost) if alt.cost else None}
            for alt in placement.alternatives
        ],
        "unplaced": placement.unplaced.value if placement.unplaced else None,
        "order_cost": placement.order_cost,
        "order_size": placement.order_size,
    }


def placement_from_json(key: str, data: dict) -> solver.Placement:
    """A stored placement back as the solver's object, to explain it in the reader's language."""
    sample_id, requirement_id = (int(part) for part in key.split(":"))
    item = solver.Item(key=key, sample=sample_id, requirement=requirement_id, unit=0, product=0)
    alternatives = tuple(
        solver.Alternative(
            **{
                **alt,
                "reason": solver.Reason(alt["reason"]),
                "cost": solver.Cost(**alt["cost"]) if alt["cost"] else None,
            }
        )
        for alt in data["alternatives"]
    )
    return solver.Placement(
        item=item,
        lab=data["lab"],
        cost=solver.Cost(**data["cost"]) if data["cost"] else None,
        alternatives=alternatives,
        unplaced=solver.Unplaced(data["unplaced"]) if data["unplaced"] else None,
        order_cost=data["order_cost"],
        order_size=data["order_size"],
    )


@transaction.atomic
def assignment_propose(
    *,
    actor: User,
    province: Province,
    samples,
    weights: solver.Weights = solver.DEFAULT_WEIGHTS,
    rotation_limit: int = 3,
    today: dt.date | None = None,
) -> AssignmentBatch:
    """Solve the placement of every waiting test of these samples (of the province) and store the
    proposal with its explanation; nothing is sent until the office confirms it."""
    if not is_office_for(actor, province.pk):
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("Only the provincial office assigns tests to labs."))
    today = today or timezone.localdate()
    samples = waiting_samples(samples.filter(province=province))
    pairs = waiting_tests(samples)
    if not pairs:
        raise HamiError(LabsErrorCode.NOTHING_TO_ASSIGN, _("No test of these samples is waiting for a lab."))
    requirement_ids = {r.pk for _s, r in pairs}
    lines = list(
        usable_scope(today).filter(requirement_id__in=requirement_ids).select_related("lab", "lab__county")
    )
    used = used_this_week(today)
    offers = [
        solver.Offer(
            lab=line.lab_id,
            requirement=line.requirement_id,
            capacity=max(0, line.weekly_capacity - used.get((line.lab_id, line.requirement_id), 0)),
            price=line.price,
            turnaround_days=line.turnaround_days,
        )
        for line in lines
    ]
    labs = {line.lab_id: line.lab for line in lines}
    unit_ids = {s.unit_id for s, _r in pairs}
    conflicts = set(
        Conflict.objects.filter(unit_id__in=unit_ids, lab_id__in=labs).values_list("lab_id", "unit_id")
    )
    conflicts |= {(lab.pk, lab.owner_unit_id) for lab in labs.values() if lab.owner_unit_id in unit_ids}
    items = []
    for sample, requirement in pairs:
        county = sample.site.county if sample.site_id else sample.unit.county
        items.append(
            solver.Item(
                key=_key(sample.pk, requirement.pk),
                sample=sample.pk,
                requirement=requirement.pk,
                unit=sample.unit_id,
                product=sample.product_id,
                location=county.location,
            )
        )
    result = solver.assign_labs(
        items,
        [solver.Lab(id=lab.pk, location=lab.county.location) for lab in labs.values()],
        offers,
        conflicts=conflicts,
        history=_history(pairs, rotation_limit),
        weights=weights,
        rotation_limit=rotation_limit,
    )
    report = {
        "placements": {p.item.key: _placement_json(p) for p in result.placements},
        "shortages": [
            {
                "requirement": s.requirement,
                "demand": s.demand,
                "eligible_capacity": s.eligible_capacity,
                "placed": s.placed,
                "unplaced": list(s.unplaced),
                "without_eligible_lab": list(s.without_eligible_lab),
            }
            for s in result.shortages
        ],
        "orders": [
            {"sample": o.sample, "lab": o.lab, "items": list(o.items), "cost": o.items_cost + o.fixed_cost}
            for o in result.orders
        ],
        "stats": {
            "variables": result.stats.pair_variables + result.stats.order_variables,
            "integer": result.stats.integer,
            "seconds": round(result.stats.build_seconds + result.stats.solve_seconds, 3),
        },
    }
    batch = AssignmentBatch.objects.create(
        province=province,
        created_by=actor,
        weights=dataclasses.asdict(weights),
        rotation_limit=rotation_limit,
        feasible=result.feasible,
        total_cost=Decimal(result.total_cost),
        report=report,
    )
    audit(
        actor=actor,
        event_type=EventType.ASSIGNMENT_PROPOSED,
        obj=batch,
        province=province,
        details={
            "items": len(items),
            "orders": len(result.orders),
            "unplaced": len(result.unplaced),
            "total_cost": result.total_cost,
        },
    )
    return batch


@transaction.atomic
def assignment_confirm(
    *, actor: User, batch: AssignmentBatch, today: dt.date | None = None
) -> list[TestOrder]:
    """Send the proposal's orders to the labs. Refused if the batch was already confirmed, or if a lab
    lost its accreditation or a test got ordered meanwhile (propose again then)."""
    batch = AssignmentBatch.objects.select_for_update().get(pk=batch.pk)
    if not is_office_for(actor, batch.province_id):
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("Only the provincial office assigns tests to labs."))
    if batch.confirmed_at is not None:
        raise HamiError(LabsErrorCode.WRONG_STATE, _("These orders were already sent."))
    today = today or timezone.localdate()
    planned = batch.report["orders"]
    lab_ids = {order["lab"] for order in planned}
    labs = {lab.pk: lab for lab in Lab.objects.filter(pk__in=lab_ids)}
    lapsed = [lab.name for lab in labs.values() if not lab.accredited(today)]
    if lapsed:
        raise HamiError(
            LabsErrorCode.NOT_ACCREDITED,
            _("These labs can no longer receive orders: {labs}. Propose the assignment again.").format(
                labs="، ".join(lapsed)
            ),
        )
    sample_ids = {order["sample"] for order in planned}
    samples = {s.pk: s for s in Sample.objects.select_for_update().filter(pk__in=sample_ids)}
    taken = set(
        TestItem.objects.filter(LIVE_ORDER, order__sample_id__in=sample_ids).values_list(
            "order__sample_id", "requirement_id"
        )
    )
    prices = {
        (line.lab_id, line.requirement_id): line for line in usable_scope(today).filter(lab_id__in=lab_ids)
    }
    now = timezone.now()
    orders = []
    for planned_order in planned:
        sample, lab = samples[planned_order["sample"]], labs[planned_order["lab"]]
        requirement_ids = [int(key.split(":")[1]) for key in planned_order["items"]]
        if any((sample.pk, rid) in taken for rid in requirement_ids):
            raise HamiError(
                LabsErrorCode.WRONG_STATE,
                _("Some of these tests were ordered meanwhile. Propose the assignment again."),
            )
        lines = [prices.get((lab.pk, rid)) for rid in requirement_ids]
        if any(line is None for line in lines):
            raise HamiError(
                LabsErrorCode.NOT_IN_SCOPE,
                _(
                    "{lab} is no longer accredited for some of these tests. Propose the assignment again."
                ).format(lab=lab.name),
            )
        prefix = f"TO-{now.year}-"
        order = TestOrder.objects.create(
            number=next_number(TestOrder, prefix),
            sample=sample,
            lab=lab,
            province_id=batch.province_id,
            batch=batch,
            due_on=today + dt.timedelta(days=max(line.turnaround_days for line in lines)),
            explanation={key: batch.report["placements"][key] for key in planned_order["items"]},
        )
        TestItem.objects.bulk_create(
            TestItem(order=order, requirement_id=line.requirement_id, price=line.price) for line in lines
        )
        orders.append(order)
        for membership in lab.memberships.select_related("user"):
            notify(
                user=membership.user,
                subject=_("New test order {number}").format(number=order.number),
                body=_("{count} tests of sample {code}, due {due}.").format(
                    count=len(lines), code=sample.code, due=format_date(order.due_on)
                ),
                link=reverse("labs:order_detail", args=[order.public_id]),
            )
    batch.confirmed_at = now
    batch.save(update_fields=["confirmed_at", "updated_at"])
    audit(
        actor=actor,
        event_type=EventType.ASSIGNMENT_CONFIRMED,
        obj=batch,
        province=batch.province,
        details={"orders": [o.number for o in orders]},
    )
    return orders


def _lab_order(actor: User, order: TestOrder) -> TestOrder:
    order = TestOrder.objects.select_for_update().select_related("lab", "sample").get(pk=order.pk)
    if not is_lab_staff(actor, order.lab):
        raise Forbidden(LabsErrorCode.FORBIDDEN, _("Only the lab's staff answer its orders."))
    return order


@transaction.atomic
def order_accept(*, actor: User, order: TestOrder) -> TestOrder:
    """The lab takes the order. Accepting an order already accepted changes nothing (a second click)."""
    order = _lab_order(actor, order)
    if order.state == OrderState.ACCEPTED:
        return order
    if order.state != OrderState.SENT:
        raise HamiError(
            LabsErrorCode.WRONG_STATE,
            _("An order in state “{state}” cannot be accepted.").format(state=order.get_state_display()),
        )
    if not order.lab.accredited():
        raise HamiError(
            LabsErrorCode.NOT_ACCREDITED, _("The lab's accreditation has lapsed; it cannot take orders.")
        )
    order.state, order.state_since = OrderState.ACCEPTED, timezone.now()
    order.save(update_fields=["state", "state_since", "updated_at"])
    audit(actor=actor, event_type=EventType.ORDER_ACCEPTED, obj=order, province=order.province)
    return order


@transaction.atomic
def order_reject(*, actor: User, order: TestOrder, reason: str) -> TestOrder:
    """The lab declines the order with a reason; its tests wait for the next assignment batch."""
    order = _lab_order(actor, order)
    reason = normalize_text(reason)
    if not reason:
        raise HamiError(LabsErrorCode.INVALID, _("Write why the lab cannot take the order."), field="reason")
    if order.state == OrderState.REJECTED:
        return order
    if (
        order.state not in (OrderState.SENT, OrderState.ACCEPTED)
        or order.items.filter(reported_at__isnull=False).exists()
    ):
        raise HamiError(LabsErrorCode.WRONG_STATE, _("An order with results cannot be rejected."))
    order.state, order.state_since, order.reject_reason = OrderState.REJECTED, timezone.now(), reason
    order.save(update_fields=["state", "state_since", "reject_reason", "updated_at"])
    audit(actor=actor, event_type=EventType.ORDER_REJECTED, obj=order, province=order.province, reason=reason)
    if order.batch_id:
        notify(
            user=order.batch.created_by,
            subject=_("Order {number} rejected by {lab}").format(number=order.number, lab=order.lab.name),
            body=reason,
            link=reverse("labs:order_detail", args=[order.public_id]),
        )
    return order
