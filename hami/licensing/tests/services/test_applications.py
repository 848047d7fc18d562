import datetime as dt

import pytest
from django.utils import timezone

from hami.core.audit import verify_chain
from hami.core.errors import Forbidden, HamiError
from hami.licensing.error_codes import LicensingErrorCode
from hami.licensing.models import Application, ApplicationState, Licence, LicenceState, StepVisit, Track
from hami.licensing.services.applications import (
    application_accept,
    application_audit_done,
    application_create,
    application_record_tests,
    application_return,
    application_submit,
    application_withdraw,
    deficiency_answer,
)
from hami.licensing.services.committee import committee_decide
from hami.licensing.tests.conftest import MEMBERS
from hami.registry.services import unit_set_fast_track
from hami.standards.tests.factories import StandardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(unit_rep, product, milk_standard):
    return application_create(actor=unit_rep, product=product, standard=milk_standard)


def _to_ready(application, unit_rep, officer, inspector):
    application_submit(actor=unit_rep, application=application)
    application_accept(actor=officer, application=application)
    application_audit_done(actor=inspector, application=application, note="ممیزی انجام شد")
    return application_record_tests(actor=officer, application=application, passed=True, note="قبول")


def test_draft_is_prefilled_from_the_registry(draft, product):
    assert draft.state == ApplicationState.DRAFT and draft.track == Track.NORMAL
    assert draft.unit == product.unit and draft.province.code == "qazvin"
    assert draft.number.startswith("QAZ-")


def test_the_whole_normal_path_grants_a_licence(
    draft, unit_rep, qazvin_officer, qazvin_inspector, qazvin_key
):
    _to_ready(draft, unit_rep, qazvin_officer, qazvin_inspector)
    decision = committee_decide(
        actor=qazvin_officer,
        application=draft,
        grant=True,
        reason="همه آزمون‌ها قبول",
        members_present=MEMBERS,
    )
    draft.refresh_from_db()
    licence = decision.licence
    assert draft.state == ApplicationState.GRANTED and draft.licence == licence
    assert licence.state == LicenceState.ACTIVE and len(licence.tracking_code) == 10
    assert licence.current.brand == "کیمیا" and licence.current.number == 1
    assert licence.expires_on == licence.current.issued_on.replace(year=licence.current.issued_on.year + 3)
    visited = list(StepVisit.objects.filter(application=draft).values_list("state", flat=True))
    assert visited == ["draft", "submitted", "audit", "testing", "ready", "granted"]
    assert list(verify_chain()) == []


def test_deficiencies_must_be_answered_before_resubmitting(draft, unit_rep, qazvin_officer):
    application_submit(actor=unit_rep, application=draft)
    application_return(actor=qazvin_officer, application=draft, deficiencies=["گواهی مسئول کنترل کیفیت", " "])
    draft.refresh_from_db()
    assert draft.state == ApplicationState.RETURNED and draft.deficiencies.count() == 1
    with pytest.raises(HamiError) as exc:
        application_submit(actor=unit_rep, application=draft)
    assert exc.value.code == LicensingErrorCode.UNANSWERED_DEFICIENCIES
    deficiency_answer(actor=unit_rep, deficiency=draft.deficiencies.get(), answer="پیوست شد")
    application_submit(actor=unit_rep, application=draft)
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED


def test_returning_needs_at_least_one_deficiency(draft, unit_rep, qazvin_officer):
    application_submit(actor=unit_rep, application=draft)
    with pytest.raises(HamiError):
        application_return(actor=qazvin_officer, application=draft, deficiencies=["", "  "])
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED


@pytest.mark.parametrize(
    ("move", "who"),
    [
        ("submit", "qazvin_officer"),
        ("accept", "unit_rep"),
        ("accept", "tehran_officer"),
        ("accept", "qazvin_inspector"),
        ("withdraw", "qazvin_officer"),
    ],
)
def test_moves_by_the_wrong_role_are_refused_and_change_nothing(request, draft, unit_rep, move, who):
    if move == "accept":
        application_submit(actor=unit_rep, application=draft)
    before = Application.objects.get(pk=draft.pk).state
    actor = request.getfixturevalue(who)
    service = {"submit": application_submit, "accept": application_accept, "withdraw": application_withdraw}[
        move
    ]
    with pytest.raises(Forbidden):
        service(actor=actor, application=draft)
    assert Application.objects.get(pk=draft.pk).state == before


def test_moves_from_the_wrong_state_are_refused_with_the_state_named(draft, qazvin_officer, qazvin_inspector):
    with pytest.raises(HamiError) as exc:
        application_accept(actor=qazvin_officer, application=draft)
    assert exc.value.code == LicensingErrorCode.WRONG_STATE
    with pytest.raises(HamiError):
        application_audit_done(actor=qazvin_inspector, application=draft)
    with pytest.raises(HamiError):
        committee_decide(
            actor=qazvin_officer, application=draft, grant=True, reason="x", members_present=MEMBERS
        )
    assert Application.objects.get(pk=draft.pk).state == ApplicationState.DRAFT


def test_unit_withdraws_but_not_after_the_decision(
    draft, unit_rep, qazvin_officer, qazvin_inspector, qazvin_key
):
    application_withdraw(actor=unit_rep, application=draft, reason="توقف تولید")
    draft.refresh_from_db()
    assert draft.state == ApplicationState.WITHDRAWN and draft.closed_at is not None
    with pytest.raises(HamiError):
        application_submit(actor=unit_rep, application=draft)


def test_refusal_creates_no_licence(draft, unit_rep, qazvin_officer, qazvin_inspector):
    _to_ready(draft, unit_rep, qazvin_officer, qazvin_inspector)
    committee_decide(
        actor=qazvin_officer, application=draft, grant=False, reason="مردود", members_present=MEMBERS
    )
    draft.refresh_from_db()
    assert draft.state == ApplicationState.REFUSED and not Licence.objects.exists()


def test_decision_needs_reasons_and_members(draft, unit_rep, qazvin_officer, qazvin_inspector):
    _to_ready(draft, unit_rep, qazvin_officer, qazvin_inspector)
    with pytest.raises(HamiError):
        committee_decide(
            actor=qazvin_officer, application=draft, grant=True, reason=" ", members_present=MEMBERS
        )
    with pytest.raises(HamiError):
        committee_decide(
            actor=qazvin_officer, application=draft, grant=True, reason="قبول", members_present=[]
        )
    assert Application.objects.get(pk=draft.pk).state == ApplicationState.READY


def test_second_decision_is_refused(draft, unit_rep, qazvin_officer, qazvin_inspector, qazvin_key):
    _to_ready(draft, unit_rep, qazvin_officer, qazvin_inspector)
    committee_decide(
        actor=qazvin_officer, application=draft, grant=True, reason="قبول", members_present=MEMBERS
    )
    with pytest.raises(HamiError) as exc:
        committee_decide(
            actor=qazvin_officer, application=draft, grant=False, reason="رد", members_present=MEMBERS
        )
    assert exc.value.code == LicensingErrorCode.ALREADY_DECIDED
    assert Licence.objects.count() == 1


def test_fast_track_skips_the_factory_audit(qazvin_officer, unit_rep, product, milk_standard):
    unit_set_fast_track(actor=qazvin_officer, unit=product.unit, enabled=True, reason="درجه کیفی الف")
    application = application_create(actor=unit_rep, product=product, standard=milk_standard)
    assert application.track == Track.FAST and application.fast_track_reason == "درجه کیفی الف"
    application_submit(actor=unit_rep, application=application)
    application_accept(actor=qazvin_officer, application=application)
    application.refresh_from_db()
    assert application.state == ApplicationState.TESTING


def test_standard_must_apply_to_the_product(unit_rep, product):
    with pytest.raises(HamiError) as exc:
        application_create(actor=unit_rep, product=product, standard=StandardFactory(number=389))
    assert exc.value.field == "standard"


def test_one_open_application_per_product_and_standard(draft, unit_rep, product, milk_standard):
    with pytest.raises(HamiError) as exc:
        application_create(actor=unit_rep, product=product, standard=milk_standard)
    assert exc.value.code == LicensingErrorCode.OPEN_APPLICATION_EXISTS


def test_others_cannot_apply_for_a_unit(tehran_officer, lab_user, product, milk_standard):
    for actor in (tehran_officer, lab_user):
        with pytest.raises(Forbidden):
            application_create(actor=actor, product=product, standard=milk_standard)
    assert not Application.objects.exists()


def test_each_step_gets_its_due_date_in_working_days(draft, unit_rep, monkeypatch):
    # Submitted on Wednesday 25 Nov 2026: three working days are Thu, (Fri off), Sat, Sun → 29 Nov.
    wednesday = timezone.make_aware(dt.datetime(2026, 11, 25, 10, 0))
    monkeypatch.setattr(timezone, "now", lambda: wednesday)
    application_submit(actor=unit_rep, application=draft)
    draft.refresh_from_db()
    assert draft.due_on == dt.date(2026, 11, 29)


# --- the QC manager's competence certificate (issue 5: training issues and renews it) ---------------


def _retire_qc_managers(unit):
    unit.qc_managers.update(is_active=False)  # a test shortcut: the registry has no "dismiss" service


def test_sending_without_a_qc_manager_is_refused_and_changes_nothing(draft, unit_rep, in_english):
    _retire_qc_managers(draft.unit)
    with pytest.raises(HamiError) as caught:
        application_submit(actor=unit_rep, application=draft)
    assert caught.value.code == LicensingErrorCode.QC_MANAGER_UNCERTIFIED
    assert "no QC manager" in caught.value.message
    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT and draft.submitted_at is None
    assert StepVisit.objects.filter(application=draft).count() == 1


def test_sending_with_an_expired_qc_certificate_names_the_expiry(draft, unit_rep, qazvin_officer, in_english):
    from hami.licensing.tests.conftest import appoint_qc_manager

    manager = appoint_qc_manager(draft.unit, qazvin_officer, expiry_days=-1)
    with pytest.raises(HamiError) as caught:
        application_submit(actor=unit_rep, application=draft)
    assert caught.value.code == "qc_manager_uncertified"
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert f"expired on {yesterday.isoformat()}" in caught.value.message
    assert manager.full_name in caught.value.message
    assert Application.objects.get(pk=draft.pk).state == ApplicationState.DRAFT


def test_a_certificate_valid_today_is_enough(draft, unit_rep, qazvin_officer):
    from hami.licensing.tests.conftest import appoint_qc_manager

    appoint_qc_manager(draft.unit, qazvin_officer, expiry_days=0)
    application_submit(actor=unit_rep, application=draft)
    assert Application.objects.get(pk=draft.pk).state == ApplicationState.SUBMITTED


def test_the_wrong_actor_hears_about_the_role_before_the_qc_manager(draft, qazvin_officer):
    _retire_qc_managers(draft.unit)
    with pytest.raises(Forbidden):
        application_submit(actor=qazvin_officer, application=draft)
