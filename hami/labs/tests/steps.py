"""Steps of the testing flow that many tests take on the way to what they check (not tests themselves):
place samples with labs, answer an order, report every result."""

import threading

from django.db import connections

from conftest import make_user
from hami.core.errors import HamiError
from hami.core.models import Role
from hami.labs.models import LabMembership, Sample, TestOrder
from hami.labs.services.orders import assignment_confirm, assignment_propose, order_accept
from hami.labs.services.results import result_report
from hami.labs.services.samples import sample_take

GOOD = {"5.1": ("3.4", "%", "0.1"), "5.2": ("0.01", "mg/kg", "0.002"), "6.1": "pass"}
BAD_LEAD = {**GOOD, "5.2": ("0.05", "mg/kg", "0.002")}


def staff_of(lab, username: str):
    user = make_user(username, Role.LAB_STAFF)
    LabMembership.objects.create(user=user, lab=lab)
    return user


def take(actor, product, standard, *, seal="SL-2", lot_size=1200, origin="factory", **extra) -> Sample:
    return sample_take(
        actor=actor,
        product=product,
        standard=standard,
        origin=origin,
        lot_size=lot_size,
        seal_number=seal,
        **extra,
    )


def place(officer, samples=None, **options) -> list[TestOrder]:
    """Propose and confirm an assignment of the waiting tests of `samples` (default: all)."""
    batch = assignment_propose(
        actor=officer,
        province=officer.province,
        samples=samples if samples is not None else Sample.objects.all(),
        **options,
    )
    return assignment_confirm(actor=officer, batch=batch)


def report_all(user, order: TestOrder, results=GOOD) -> TestOrder:
    """Accept the order and report every one of its tests from `results` (clause → result)."""
    order_accept(actor=user, order=order)
    for item in order.items.select_related("requirement"):
        given = results[item.requirement.clause]
        if isinstance(given, str):
            result_report(actor=user, item=item, outcome=given)
        else:
            value, unit, uncertainty = given
            result_report(actor=user, item=item, value=value, unit=unit, uncertainty=uncertainty)
    return order


def at_once(*calls) -> list:
    """Run the calls in threads that start together (each on its own connection); what each returned or
    the code of the HamiError it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = []

    def run(call):
        try:
            barrier.wait()
            outcomes.append(call())
        except HamiError as exc:
            outcomes.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
