"""Rows written straight to the tables, for tests of reads (scoring, plans, pages). Tests of writes go
through the services."""

import datetime as dt

import factory
from django.utils import timezone

from hami.core.models import Province, Role, User
from hami.registry.tests.factories import UnitFactory
from hami.supervision import models as m


class InspectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"inspector-{n}")
    role = Role.INSPECTOR
    province = factory.LazyFunction(lambda: Province.objects.get(code="qazvin"))


class ChecklistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Checklist

    code = factory.Sequence(lambda n: f"checklist-{n}")
    name_fa = factory.Sequence(lambda n: f"فهرست بازرسی {n}")
    name_en = factory.Sequence(lambda n: f"Checklist {n}")


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ChecklistItem

    checklist = factory.SubFactory(ChecklistFactory)
    code = factory.Sequence(lambda n: f"item-{n}")
    text_fa = factory.Sequence(lambda n: f"مورد {n}")
    text_en = factory.Sequence(lambda n: f"Item {n}")
    order = factory.Sequence(int)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Inspection

    unit = factory.SubFactory(UnitFactory)
    province = factory.LazyAttribute(lambda o: o.unit.province)
    county = factory.LazyAttribute(lambda o: o.unit.county)
    inspector = factory.SubFactory(InspectorFactory)
    scheduled_on = factory.LazyFunction(lambda: timezone.localdate())
    kind = m.InspectionKind.ROUTINE


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Finding

    inspection = factory.SubFactory(InspectionFactory, state=m.InspectionState.DONE)
    unit = factory.LazyAttribute(lambda o: o.inspection.unit)
    province = factory.LazyAttribute(lambda o: o.inspection.province)
    severity = m.FindingSeverity.MAJOR
    text = "The in-house test records of the last month are missing."
    created_by = factory.LazyAttribute(lambda o: o.inspection.inspector)


class CorrectiveActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CorrectiveAction

    finding = factory.SubFactory(FindingFactory)
    unit = factory.LazyAttribute(lambda o: o.finding.unit)
    province = factory.LazyAttribute(lambda o: o.finding.province)
    text = "Keep the test record book daily, signed by the QC manager."
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    state = m.ActionState.ACCEPTED
    proposed_by = factory.LazyAttribute(lambda o: o.finding.created_by)


class LadderDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.LadderDecision

    unit = factory.SubFactory(UnitFactory)
    province = factory.LazyAttribute(lambda o: o.unit.province)
    step = m.Step.ADVICE
    previous_step = m.Step.NONE
    trigger = m.Trigger.FINDING
    reason = "A major finding on the last visit."
