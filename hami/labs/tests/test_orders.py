"""Test orders (points 6, 7): the office's assignment through the solver — accredited labs only, their
remaining weekly capacity, conflicts of interest, rotation across batches, an explanation for every
placement and the shortages of an infeasible batch — then the lab accepts or rejects each order once,
however often it clicks."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType, Notification
from hami.labs.models import AssignmentBatch, Lab, OrderState, Sample, ScopeLine, TestItem, TestOrder
from hami.labs.selectors import used_this_week, week_start
from hami.labs.services.orders import (
    assignment_confirm,
    assignment_propose,
    order_accept,
    order_reject,
    placement_from_json,
    waiting_tests,
)
from hami.labs.services.results import result_report
from hami.labs.tests.conftest import make_lab
from hami.labs.tests.steps import at_once, place, staff_of, take
from hami.standards.models import LimitKind
from hami.standards.tests.factories import RequirementFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def propose(officer, **options) -> AssignmentBatch:
    return assignment_propose(
        actor=officer, province=officer.province, samples=Sample.objects.all(), **options
    )


def labs_of(batch) -> set[int]:
    return {p["lab"] for p in batch.report["placements"].values()}


@pytest.fixture
def order(qazvin_officer, sample, cheap_lab, dear_lab) -> TestOrder:
    [order] = place(qazvin_officer)
    return order


# --- assignment --------------------------------------------------------------------------------------


def test_orders_are_numbered_priced_and_due_after_the_turnaround(order, cheap_lab, requirements):
    assert order.number == f"TO-{timezone.now().year}-000001" and order.state == OrderState.SENT
    assert order.due_on == TODAY + dt.timedelta(days=5) and order.province.code == "qazvin"
    assert sorted(order.items.values_list("price", flat=True)) == [1_000_000] * 3
    assert set(order.explanation) == {f"{order.sample_id}:{r.pk}" for r in requirements}


def test_every_placement_is_explained_with_the_labs_not_chosen(qazvin_officer, sample, cheap_lab, dear_lab):
    batch = propose(qazvin_officer)
    for key, data in batch.report["placements"].items():
        placement = placement_from_json(key, data)
        assert placement.lab == cheap_lab.pk and placement.cost.price == 1_000_000
        assert {alt.lab: alt.reason for alt in placement.alternatives} == {dear_lab.pk: "more_expensive"}
        lines = placement.explain({cheap_lab.pk: "ارزان", dear_lab.pk: "گران"})
        assert lines and all(isinstance(line, str) and line for line in lines)
    assert batch.feasible and batch.total_cost == Decimal(batch.report["orders"][0]["cost"])
    assert not TestOrder.objects.exists()  # a proposal sends nothing


@pytest.mark.parametrize("how", ["lapsed", "suspended", "revoked", "no_expiry", "inactive_scope"])
def test_only_labs_with_a_valid_accreditation_get_tests(qazvin_officer, sample, cheap_lab, dear_lab, how):
    if how == "lapsed":
        cheap_lab.accreditation_expiry = TODAY - dt.timedelta(days=1)
    elif how == "no_expiry":
        cheap_lab.accreditation_expiry = None
    elif how == "inactive_scope":
        ScopeLine.objects.filter(lab=cheap_lab).update(active=False)
    else:
        cheap_lab.status = how
    cheap_lab.save()
    assert labs_of(propose(qazvin_officer)) == {dear_lab.pk}


def test_a_lab_takes_no_more_than_its_weekly_capacity(
    qazvin_officer, qazvin_inspector, product, milk_standard, qazvin_county, requirements, dear_lab
):
    cheap = make_lab(qazvin_county, "ارزان با ظرفیت یک", price=1_000, capacity=1, requirements=requirements)
    take(qazvin_inspector, product, milk_standard, seal="A")
    take(qazvin_inspector, product, milk_standard, seal="B")
    batch = propose(qazvin_officer)
    for requirement in requirements:
        chosen = [p["lab"] for k, p in batch.report["placements"].items() if k.endswith(f":{requirement.pk}")]
        assert sorted(chosen) == sorted([cheap.pk, dear_lab.pk])


def test_capacity_used_by_this_weeks_orders_is_gone_until_an_order_is_rejected(
    qazvin_officer, qazvin_inspector, product, milk_standard, qazvin_county, requirements, dear_lab
):
    cheap = make_lab(qazvin_county, "ارزان با ظرفیت یک", price=1_000, capacity=1, requirements=requirements)
    cheap_staff = staff_of(cheap, "cheap-staff")
    first = take(qazvin_inspector, product, milk_standard, seal="A")
    [order] = place(qazvin_officer)
    assert order.lab == cheap
    assert used_this_week() == {(cheap.pk, r.pk): 1 for r in requirements}
    take(qazvin_inspector, product, milk_standard, seal="B")
    assert labs_of(propose(qazvin_officer)) == {dear_lab.pk}
    order_reject(actor=cheap_staff, order=order, reason="دستگاه جذب اتمی خراب است")
    assert used_this_week() == {}
    assert len(waiting_tests(Sample.objects.filter(pk=first.pk))) == 3  # its tests wait again


def test_the_week_starts_on_saturday():
    saturday = dt.date(2025, 3, 22)
    assert [week_start(saturday + dt.timedelta(days=n)) for n in range(7)] == [saturday] * 7
    assert week_start(saturday - dt.timedelta(days=1)) == saturday - dt.timedelta(days=7)


def test_a_lab_never_tests_a_unit_it_is_related_to(
    qazvin_officer, sample, qazvin_unit, qazvin_county, requirements, dear_lab
):
    own = make_lab(qazvin_county, "آزمایشگاه کارخانه", price=1, requirements=requirements)
    own.owner_unit = qazvin_unit  # an in-house lab: no Conflict row needed
    own.save()
    batch = propose(qazvin_officer)
    assert labs_of(batch) == {dear_lab.pk}
    reasons = {
        alt["lab"]: alt["reason"] for p in batch.report["placements"].values() for alt in p["alternatives"]
    }
    assert reasons[own.pk] == "conflict"


def test_rotation_moves_a_product_to_another_lab_across_batches(
    qazvin_officer, qazvin_inspector, product, milk_standard, cheap_lab, dear_lab
):
    chosen = []
    for n in range(3):
        take(qazvin_inspector, product, milk_standard, seal=f"S-{n}")
        [order] = place(qazvin_officer, rotation_limit=2)
        chosen.append(order.lab)
    assert chosen == [cheap_lab, cheap_lab, dear_lab]
    take(qazvin_inspector, product, milk_standard, seal="S-9")
    batch = propose(qazvin_officer, rotation_limit=2)
    assert labs_of(batch) == {cheap_lab.pk}  # the run of cheap_lab was broken


def test_an_infeasible_batch_names_the_requirements_that_lack_a_lab(
    qazvin_officer, sample, cheap_lab, milk_standard, requirements
):
    orphan = RequirementFactory(
        standard=milk_standard,
        clause="7.1",
        title_fa="آفلاتوکسین",
        limit_kind=LimitKind.MAX,
        low=None,
        high=Decimal("5"),
        unit="µg/kg",
    )
    batch = propose(qazvin_officer)
    assert not batch.feasible
    [shortage] = batch.report["shortages"]
    assert shortage["requirement"] == orphan.pk and shortage["demand"] == 1
    assert shortage["eligible_capacity"] == 0 and shortage["without_eligible_lab"] == [
        f"{sample.pk}:{orphan.pk}"
    ]
    assert batch.report["placements"][f"{sample.pk}:{orphan.pk}"]["unplaced"] == "no_offer"
    [order] = assignment_confirm(actor=qazvin_officer, batch=batch)  # what can be placed is sent
    assert order.items.count() == 3
    assert [r.clause for _s, r in waiting_tests(Sample.objects.all())] == ["7.1"]


def test_a_batch_short_of_capacity_reports_demand_against_capacity(
    qazvin_officer, qazvin_inspector, product, milk_standard, qazvin_county, requirements
):
    make_lab(qazvin_county, "تنها آزمایشگاه", capacity=1, requirements=requirements)
    for seal in ("A", "B", "C"):
        take(qazvin_inspector, product, milk_standard, seal=seal)
    batch = propose(qazvin_officer)
    assert not batch.feasible
    shortages = {s["requirement"]: s for s in batch.report["shortages"]}
    assert set(shortages) == {r.pk for r in requirements}
    assert {
        (s["demand"], s["eligible_capacity"], s["placed"], len(s["unplaced"])) for s in shortages.values()
    } == {(3, 1, 1, 2)}


def test_only_the_provinces_office_assigns(
    sample, cheap_lab, tehran_officer, qazvin_inspector, lab_user, qazvin
):
    for actor in (tehran_officer, qazvin_inspector, lab_user):
        with pytest.raises(Forbidden):
            assignment_propose(actor=actor, province=qazvin, samples=Sample.objects.all())
    with pytest.raises(HamiError) as caught:  # its own province has nothing waiting
        assignment_propose(
            actor=tehran_officer, province=tehran_officer.province, samples=Sample.objects.all()
        )
    assert caught.value.code == "nothing_to_assign"
    assert not AssignmentBatch.objects.exists()


def test_tests_already_ordered_are_not_proposed_again(order, qazvin_officer):
    with pytest.raises(HamiError) as caught:
        propose(qazvin_officer)
    assert caught.value.code == "nothing_to_assign"


# --- confirming a proposal ---------------------------------------------------------------------------


def test_confirming_notifies_the_labs_staff_and_happens_once(
    qazvin_officer, sample, cheap_lab, cheap_lab_user
):
    batch = propose(qazvin_officer)
    [order] = assignment_confirm(actor=qazvin_officer, batch=batch)
    with pytest.raises(HamiError) as caught:
        assignment_confirm(actor=qazvin_officer, batch=batch)
    assert caught.value.code == "wrong_state"
    assert TestOrder.objects.count() == 1 and TestItem.objects.count() == 3
    notice = Notification.objects.get(user=cheap_lab_user)
    assert order.number in notice.subject and str(order.public_id) in notice.link
    assert AuditEvent.objects.get(event_type=EventType.ASSIGNMENT_CONFIRMED).details["orders"] == [
        order.number
    ]


def test_two_proposals_for_the_same_tests_send_them_once(qazvin_officer, sample, cheap_lab):
    first, second = propose(qazvin_officer), propose(qazvin_officer)
    assignment_confirm(actor=qazvin_officer, batch=first)
    with pytest.raises(HamiError) as caught:
        assignment_confirm(actor=qazvin_officer, batch=second)
    assert caught.value.code == "wrong_state"
    assert TestOrder.objects.count() == 1
    second.refresh_from_db()
    assert second.confirmed_at is None


@pytest.mark.parametrize("change", ["lapsed", "suspended", "scope_withdrawn"])
def test_a_lab_that_lost_its_accreditation_meanwhile_receives_nothing(
    qazvin_officer, sample, cheap_lab, change
):
    batch = propose(qazvin_officer)
    if change == "lapsed":
        Lab.objects.filter(pk=cheap_lab.pk).update(accreditation_expiry=TODAY - dt.timedelta(days=1))
    elif change == "suspended":
        Lab.objects.filter(pk=cheap_lab.pk).update(status="suspended")
    else:
        ScopeLine.objects.filter(lab=cheap_lab).update(active=False)
    with pytest.raises(HamiError) as caught:
        assignment_confirm(actor=qazvin_officer, batch=batch)
    assert caught.value.code == ("not_in_scope" if change == "scope_withdrawn" else "not_accredited")
    assert not TestOrder.objects.exists()
    batch.refresh_from_db()
    assert batch.confirmed_at is None


def test_only_the_batchs_office_confirms_it(
    qazvin_officer, tehran_officer, sample, cheap_lab, cheap_lab_user
):
    batch = propose(qazvin_officer)
    for actor in (tehran_officer, cheap_lab_user):
        with pytest.raises(Forbidden):
            assignment_confirm(actor=actor, batch=batch)
    assert not TestOrder.objects.exists()


# --- the lab answers ----------------------------------------------------------------------------------


def test_accepting_twice_accepts_once(order, cheap_lab_user):
    order_accept(actor=cheap_lab_user, order=order)
    again = order_accept(actor=cheap_lab_user, order=order)
    assert again.state == OrderState.ACCEPTED and TestOrder.objects.get().state == OrderState.ACCEPTED
    assert AuditEvent.objects.filter(event_type=EventType.ORDER_ACCEPTED).count() == 1


def test_only_the_labs_own_staff_answer_its_order(order, qazvin_officer, lab_user, unit_rep, dear_lab):
    other = staff_of(dear_lab, "dear-staff")
    for actor in (qazvin_officer, lab_user, unit_rep, other):
        with pytest.raises(Forbidden):
            order_accept(actor=actor, order=order)
        with pytest.raises(Forbidden):
            order_reject(actor=actor, order=order, reason="نه")
    assert TestOrder.objects.get().state == OrderState.SENT


@pytest.mark.parametrize(
    "change", [{"accreditation_expiry": TODAY - dt.timedelta(days=1)}, {"status": "suspended"}]
)
def test_a_lab_whose_accreditation_lapsed_cannot_take_the_order(order, cheap_lab, cheap_lab_user, change):
    Lab.objects.filter(pk=cheap_lab.pk).update(**change)
    with pytest.raises(HamiError) as caught:
        order_accept(actor=cheap_lab_user, order=order)
    assert caught.value.code == "not_accredited"
    assert TestOrder.objects.get().state == OrderState.SENT


def test_rejecting_needs_a_reason_and_happens_once(order, cheap_lab_user, qazvin_officer):
    with pytest.raises(HamiError) as caught:
        order_reject(actor=cheap_lab_user, order=order, reason="   ")
    assert caught.value.field == "reason"
    order_reject(actor=cheap_lab_user, order=order, reason="  ظرفیت   تکمیل است ")
    order_reject(actor=cheap_lab_user, order=order, reason="ظرفیت تکمیل است")
    order.refresh_from_db()
    assert (order.state, order.reject_reason) == (OrderState.REJECTED, "ظرفیت تکمیل است")
    assert AuditEvent.objects.filter(event_type=EventType.ORDER_REJECTED).count() == 1
    assert Notification.objects.filter(user=qazvin_officer, body="ظرفیت تکمیل است").count() == 1
    with pytest.raises(HamiError) as caught:
        order_accept(actor=cheap_lab_user, order=order)
    assert caught.value.code == "wrong_state"


def test_an_order_with_results_cannot_be_rejected(order, cheap_lab_user, requirements):
    order_accept(actor=cheap_lab_user, order=order)
    result_report(actor=cheap_lab_user, item=order.items.get(requirement=requirements[2]), outcome="pass")
    with pytest.raises(HamiError) as caught:
        order_reject(actor=cheap_lab_user, order=order, reason="دیر شد")
    assert caught.value.code == "wrong_state"
    assert TestOrder.objects.get().state == OrderState.ACCEPTED


def test_a_rejected_orders_tests_go_to_another_batch(
    order, cheap_lab_user, qazvin_officer, dear_lab, cheap_lab
):
    order_reject(actor=cheap_lab_user, order=order, reason="دستگاه خراب")
    Lab.objects.filter(pk=cheap_lab.pk).update(status="suspended")
    [again] = place(qazvin_officer)
    assert again.lab == dear_lab and again.sample == order.sample and again.pk != order.pk
    assert TestOrder.objects.count() == 2


# --- two people at once (PostgreSQL row locks) ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_confirmations_at_once_send_the_orders_once(request):
    from hami.core.divisions import load_divisions
    from hami.core.models import County, Province

    load_divisions(Province, County)
    officer = request.getfixturevalue("qazvin_officer")
    request.getfixturevalue("sample")
    request.getfixturevalue("cheap_lab")
    batch = propose(officer)
    outcomes = at_once(*(lambda: assignment_confirm(actor=officer, batch=batch) for _ in range(2)))
    assert sorted(map(str, outcomes))[-1] == "wrong_state" and TestOrder.objects.count() == 1
    assert connection.vendor == "postgresql"


def test_tests_a_lab_rejected_wait_for_the_next_batch_even_after_another_lab_tested_its_part(
    qazvin_officer, sample, cheap_lab, cheap_lab_user, requirements, qazvin_county
):
    from hami.labs.services.orders import waiting_samples
    from hami.labs.services.samples import custody_record

    *_tested, label = requirements
    ScopeLine.objects.filter(lab=cheap_lab, requirement=label).delete()
    label_lab = make_lab(qazvin_county, "آزمایشگاه برچسب", requirements=[label])
    label_staff = staff_of(label_lab, "label-staff")
    orders = assignment_confirm(actor=qazvin_officer, batch=propose(qazvin_officer))
    by_lab = {order.lab_id: order for order in orders}
    order_reject(actor=label_staff, order=by_lab[label_lab.pk], reason="دستگاه خراب است")
    for step, extra in (("sent", {}), ("received", {"seal_intact": True}), ("tested", {})):
        actor = qazvin_officer if step == "sent" else cheap_lab_user
        custody_record(actor=actor, sample=sample, step=step, lab=cheap_lab, **extra)
    waiting = waiting_tests(waiting_samples(Sample.objects.all()))
    assert [(s.pk, r.pk) for s, r in waiting] == [(sample.pk, label.pk)]
    batch = propose(qazvin_officer)
    assert list(batch.report["placements"]) == [f"{sample.pk}:{label.pk}"]
