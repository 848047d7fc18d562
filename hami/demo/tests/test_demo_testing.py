"""The demo's conformity-testing data follows the rules the labs services enforce, and leaves work for
each persona. The demo is built once for the module (a small province) and rolled back at the end."""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from hami.core.audit import verify_chain
from hami.core.models import EventType, Province, User
from hami.demo.builder import build_demo
from hami.labs import decision, units, workflow
from hami.labs.access import orders_for_user, samples_for_user
from hami.labs.models import (
    OPEN_ORDER_STATES,
    Conflict,
    CustodyStep,
    InspectionCompany,
    Lab,
    LabEvent,
    LabStatus,
    OrderState,
    Sample,
    ScopeLine,
    TestItem,
    TestOrder,
    TestReport,
)
from hami.labs.selectors import capacity_map, week_start
from hami.labs.services.orders import waiting_tests
from hami.labs.services.samples import LAB_CHAIN, STEP_ORDER

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        summary = build_demo(seed=23, units=700, other_units=5)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def qazvin(demo):
    return Province.objects.get(code="qazvin")


def _order_day(order: TestOrder) -> dt.date:
    return timezone.localdate(order.created_at)


def test_capacity_map_shows_some_gaps_but_covers_most_requirements(demo, qazvin):
    rows = capacity_map(qazvin)
    gaps = [row for row in rows if row.gap]
    assert rows and gaps
    assert len(gaps) <= 0.08 * len(rows)
    assert demo.gaps == len(gaps) and demo.testing_requirements == len(rows)
    # Capacities and prices are those of real labs.
    assert not ScopeLine.objects.exclude(price__range=(500_000, 30_000_000)).exists()
    assert not ScopeLine.objects.exclude(turnaround_days__range=(2, 20)).exists()
    assert not ScopeLine.objects.exclude(weekly_capacity__range=(5, 200)).exists()


def test_every_order_item_is_in_its_labs_scope_at_its_price(demo):
    lines = {(line.lab_id, line.requirement_id): line.price for line in ScopeLine.objects.filter(active=True)}
    items = list(TestItem.objects.values_list("order__lab_id", "requirement_id", "price"))
    assert items
    assert all(lines.get((lab, requirement)) == price for lab, requirement, price in items)


def test_no_order_goes_to_a_lab_in_conflict_or_not_accredited_when_sent(demo):
    conflicts = set(Conflict.objects.values_list("lab_id", "unit_id"))
    assert conflicts
    approved_at = dict(LabEvent.objects.filter(to_status=LabStatus.APPROVED).values_list("lab_id", "at"))
    today = timezone.localdate()
    for order in TestOrder.objects.select_related("lab", "sample"):
        assert (order.lab_id, order.sample.unit_id) not in conflicts
        assert order.lab.accredited(_order_day(order)), order.number
        assert order.lab.accreditation_expiry >= today  # a lab whose accreditation lapsed gets none
        assert approved_at[order.lab_id] < order.created_at
        assert order.sample.taken_at < order.created_at


def test_labs_stay_within_their_weekly_capacity(demo):
    capacity = {(line.lab_id, line.requirement_id): line.weekly_capacity for line in ScopeLine.objects.all()}
    used: dict[tuple, int] = {}
    live = TestItem.objects.exclude(order__state__in=[OrderState.REJECTED, OrderState.CANCELLED])
    for lab, requirement, created_at in live.values_list(
        "order__lab_id", "requirement_id", "order__created_at"
    ):
        key = (lab, requirement, week_start(timezone.localdate(created_at)))
        used[key] = used.get(key, 0) + 1
    assert all(count <= capacity[key[:2]] for key, count in used.items())


def test_labs_are_in_every_standing_with_a_consistent_history(demo):
    today = timezone.localdate()
    labs = list(Lab.objects.prefetch_related("events"))
    assert len(labs) == 40
    statuses = {lab.status for lab in labs}
    assert {LabStatus.APPROVED, LabStatus.DOCUMENT_REVIEW, LabStatus.FIXING} <= statuses
    lapsed = [lab for lab in labs if lab.status == LabStatus.APPROVED and lab.accreditation_expiry < today]
    assert lapsed and not TestOrder.objects.filter(lab__in=lapsed).exists()
    for lab in labs:
        events = list(lab.events.all())
        assert events[0].to_status == LabStatus.APPLIED and events[-1].to_status == lab.status
        assert lab.status_since == events[-1].at
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status
            assert workflow.party_for(after.from_status, after.to_status) is not None
            assert after.at >= before.at
        if lab.status == LabStatus.FIXING:
            assert lab.fix_by > today and lab.fixing_from in workflow.REVIEW_STEPS
        if lab.status not in (LabStatus.APPROVED, LabStatus.SUSPENDED):
            assert not lab.scope.exists()


def test_two_approved_inspection_companies_with_scopes_and_staff(demo):
    companies = list(InspectionCompany.objects.prefetch_related("categories", "memberships__user"))
    assert len(companies) == 2
    for company in companies:
        assert company.status == "approved" and company.categories.exists() and company.memberships.exists()
    company_user = User.objects.get(username="company")
    assert any(m.user == company_user for c in companies for m in c.memberships.all())
    # A company samples only the products of its scope.
    for sample in Sample.objects.filter(company__isnull=False).select_related("product", "company"):
        assert sample.company.categories.filter(pk=sample.product.category_id).exists()


def test_some_samples_do_not_conform_and_verdicts_follow_the_results(demo):
    decided = list(
        Sample.objects.filter(decided_at__isnull=False).prefetch_related("orders__items__requirement")
    )
    failed = [s for s in decided if s.conformity == decision.Conformity.DOES_NOT_CONFORM]
    assert 0.02 <= len(failed) / len(decided) <= 0.2
    assert demo.not_conforming == len(failed)
    for sample in decided:
        live = [o for o in sample.orders.all() if o.state not in (OrderState.REJECTED, OrderState.CANCELLED)]
        assert all(o.state == OrderState.REPORTED for o in live)
        items = [item for order in live for item in order.items.all()]
        assessed = decision.overall((item.pk, item.requirement.severity, item.verdict) for item in items)
        assert (sample.verdict, sample.conformity) == (assessed.verdict, assessed.conformity)
        assert sample.lot_accepted is assessed.conforms
        assert sample.state in (CustodyStep.TESTED, CustodyStep.RETAINED, CustodyStep.DISPOSED)


def test_results_are_judged_as_the_results_service_judges_them(demo):
    reported = TestItem.objects.filter(reported_at__isnull=False).select_related(
        "requirement", "order__sample__standard"
    )
    for item in reported:
        requirement, rule = item.requirement, item.order.sample.standard.decision_rule
        if requirement.limit_kind == "pass_fail":
            expected = decision.verdict(requirement.limit_kind, None, None, rule, outcome=item.outcome)
        else:
            value, u = units.check_result(
                item.value,
                item.uncertainty,
                item.unit,
                requirement.unit,
                uncertainty_may_exceed_value=True,
                requirement_low=requirement.low,
            )
            expected = decision.verdict(
                requirement.limit_kind, requirement.low, requirement.high, rule, value, u
            )
        assert item.verdict == expected


def test_reports_are_issued_for_reported_orders_and_amended_by_new_versions(demo):
    for order in TestOrder.objects.prefetch_related("reports", "items__requirement"):
        reports = sorted(order.reports.all(), key=lambda r: r.version)
        assert bool(reports) == (order.state == OrderState.REPORTED)
        if not reports:
            continue
        latest = reports[-1]
        values = {i["clause"]: i["value"] for i in latest.content["items"]}
        assert values == {
            item.requirement.clause: None if item.value is None else f"{item.value.normalize():f}"
            for item in order.items.all()
        }
        assert latest.content["number"] == latest.number == f"{order.number}-R{latest.version}"
        for earlier, later in itertools.pairwise(reports):
            assert later.amends_id == earlier.pk and later.reason
    assert (
        TestReport.objects.filter(version=1).count()
        == demo.reports - TestReport.objects.filter(version__gt=1).count()
    )


def test_the_chain_of_custody_follows_its_steps(demo):
    for sample in Sample.objects.prefetch_related("custody"):
        events = list(sample.custody.all())
        assert events[0].step == CustodyStep.TAKEN and events[0].lab_id is None
        last: dict[int, str] = {}
        for event in events[1:]:  # each lab's portion follows its own chain
            assert event.step in LAB_CHAIN[last.get(event.lab_id)]
            last[event.lab_id] = event.step
        live = set(
            sample.orders.exclude(state__in=["rejected", "cancelled"]).values_list("lab_id", flat=True)
        )
        considered = [step for lab_id, step in last.items() if lab_id in live] or list(last.values())
        assert sample.state == (min(considered, key=STEP_ORDER.index) if considered else CustodyStep.TAKEN)
        assert events[-1].at <= timezone.now()


def test_each_persona_has_work(demo, qazvin):
    # The office: samples whose tests wait for a lab.
    waiting = Sample.objects.filter(province=qazvin, orders__isnull=True)
    assert waiting.exists() and waiting_tests(waiting)
    # The lab: an approved, accredited lab with orders to accept and orders with some results.
    lab_user = User.objects.get(username="lab")
    lab = Lab.objects.get(memberships__user=lab_user)
    assert lab.accredited()
    assert orders_for_user(lab_user).filter(state__in=OPEN_ORDER_STATES).exists()
    assert TestOrder.objects.filter(state=OrderState.SENT).exists()
    partial = [
        order
        for order in TestOrder.objects.filter(state=OrderState.ACCEPTED).prefetch_related("items")
        if 0 < sum(item.reported_at is not None for item in order.items.all()) < order.items.count()
    ]
    assert partial
    # The company: samples it took whose orders are sent, still to hand over to the lab.
    company_user = User.objects.get(username="company")
    assert (
        samples_for_user(company_user).filter(state=CustodyStep.TAKEN, orders__state=OrderState.SENT).exists()
    )


def test_every_sample_and_report_has_its_audit_event(demo):
    from hami.core.models import AuditEvent

    taken = set(
        AuditEvent.objects.filter(event_type=EventType.SAMPLE_TAKEN).values_list("object_id", flat=True)
    )
    assert taken == {str(pk) for pk in Sample.objects.values_list("pk", flat=True)}
    issued = AuditEvent.objects.filter(event_type__in=[EventType.REPORT_ISSUED, EventType.REPORT_AMENDED])
    assert issued.count() == TestReport.objects.count()
    assert list(verify_chain()) == []
