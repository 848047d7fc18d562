"""The seeded general checklist, the national admin's checklists and the choice of the most specific one."""

import datetime as dt

import pytest

from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType
from hami.licensing.models import Licence, LicenceVersion
from hami.registry.tests.factories import ProductFactory
from hami.standards.tests.factories import StandardFactory
from hami.supervision.models import Checklist, ChecklistItem
from hami.supervision.services.checklists import checklist_for, checklist_item_save, checklist_save

pytestmark = pytest.mark.django_db


def licence_for(unit, standard, *, scheme="5", state="active", actor):
    product = ProductFactory(unit=unit)
    licence = Licence.objects.create(
        number=f"L-{Licence.objects.count() + 1}",
        tracking_code=f"{Licence.objects.count() + 1:010d}",
        unit=unit,
        standard=standard,
        province=unit.province,
        state=state,
        expires_on=dt.date(2030, 1, 1),
    )
    version = LicenceVersion.objects.create(
        licence=licence,
        number=1,
        product=product,
        product_name=product.name,
        brand=product.brand,
        scheme=scheme,
        issued_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2030, 1, 1),
        reason="granted",
        created_by=actor,
    )
    licence.current = version
    licence.save(update_fields=["current"])
    return licence


def test_the_general_checklist_is_seeded_with_the_issues_items_in_both_languages():
    general = Checklist.objects.get(code="general")
    codes = list(general.items.values_list("code", flat=True))
    for code in [
        "qc-manager-present",
        "qc-manager-certificate",
        "production-records",
        "test-records",
        "test-frequency",
        "calibration",
        "raw-materials",
        "mark-use",
        "storage",
        "nonconforming-product",
        "complaints",
        "labels",
    ]:
        assert code in codes
    assert general.standard is None and general.scheme == "" and general.active
    assert all(item.text_fa and item.text_en for item in general.items.all())
    assert general.items.get(code="mark-use").severity == "critical"  # a false mark


def test_a_unit_without_licences_gets_the_general_checklist(qazvin_unit):
    assert checklist_for(qazvin_unit).code == "general"


def test_standard_beats_scheme_beats_general(qazvin_unit, admin_user):
    dairy = StandardFactory()
    other = StandardFactory()
    licence_for(qazvin_unit, dairy, scheme="5", actor=admin_user)
    by_scheme = checklist_save(actor=admin_user, code="scheme-5", name_fa="طرح ۵", scheme="5")
    assert checklist_for(qazvin_unit) == by_scheme
    by_standard = checklist_save(actor=admin_user, code="dairy", name_fa="لبنیات", standard=dairy)
    checklist_save(actor=admin_user, code="other", name_fa="دیگر", standard=other)
    assert checklist_for(qazvin_unit) == by_standard
    both = checklist_save(actor=admin_user, code="dairy-5", name_fa="لبنیات ۵", standard=dairy, scheme="5")
    assert checklist_for(qazvin_unit) == both
    checklist_save(actor=admin_user, code="dairy-3", name_fa="لبنیات ۳", standard=dairy, scheme="3")
    assert checklist_for(qazvin_unit) == both  # a checklist for another scheme of the standard is not it


def test_inactive_checklists_and_inactive_licences_do_not_count(qazvin_unit, admin_user):
    dairy = StandardFactory()
    licence_for(qazvin_unit, dairy, state="suspended", actor=admin_user)
    checklist_save(actor=admin_user, code="dairy", name_fa="لبنیات", standard=dairy)
    assert checklist_for(qazvin_unit).code == "general"
    general = Checklist.objects.get(code="general")
    checklist_save(actor=admin_user, checklist=general, code="general", name_fa=general.name_fa, active=False)
    assert checklist_for(qazvin_unit) is None


@pytest.mark.parametrize("persona", ["qazvin_officer", "qazvin_inspector", "unit_rep", "outsider"])
def test_only_the_national_admin_keeps_checklists(request, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        checklist_save(actor=actor, code="x", name_fa="ایکس")
    general = Checklist.objects.get(code="general")
    with pytest.raises(Forbidden):
        checklist_item_save(actor=actor, checklist=general, code="x", text_fa="ایکس")
    assert not Checklist.objects.filter(code="x").exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"code": "Not A Slug"}, "code"),
        ({"code": "general"}, "code"),
        ({"name_fa": "  "}, "name_fa"),
        ({"scheme": "9"}, "scheme"),
    ],
)
def test_a_bad_checklist_is_refused_with_its_field(admin_user, change, field):
    before = Checklist.objects.count()
    with pytest.raises(HamiError) as refused:
        checklist_save(actor=admin_user, **{"code": "ok", "name_fa": "خوب", **change})
    assert refused.value.field == field
    assert Checklist.objects.count() == before


def test_items_are_added_and_edited_with_an_audit_event(admin_user):
    checklist = checklist_save(actor=admin_user, code="cement", name_fa="سیمان")
    first = checklist_item_save(
        actor=admin_user, checklist=checklist, code="kiln", text_fa="کوره", severity="minor"
    )
    second = checklist_item_save(actor=admin_user, checklist=checklist, code="bags", text_fa="کیسه")
    assert second.order > first.order
    checklist_item_save(
        actor=admin_user,
        checklist=checklist,
        item=first,
        code="ignored",
        text_fa="کوره دوار",
        severity="critical",
    )
    first.refresh_from_db()
    assert (first.code, first.text_fa, first.severity) == ("kiln", "کوره دوار", "critical")
    assert AuditEvent.objects.filter(event_type=EventType.CHECKLIST_SAVED).count() == 4
    with pytest.raises(HamiError) as refused:
        checklist_item_save(actor=admin_user, checklist=checklist, code="kiln", text_fa="دوباره")
    assert refused.value.field == "code"
    with pytest.raises(HamiError) as refused:
        checklist_item_save(actor=admin_user, checklist=checklist, code="x", text_fa="ایکس", severity="fatal")
    assert refused.value.field == "severity"
    assert ChecklistItem.objects.filter(checklist=checklist).count() == 2


def test_the_general_checklist_stays_general(admin_user):
    general = Checklist.objects.get(code="general")
    with pytest.raises(HamiError):
        checklist_save(actor=admin_user, checklist=general, code="general", name_fa="x", scheme="5")
