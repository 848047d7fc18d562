"""A lab's application, approval, standing and scope (point 1): every move of hami/labs/workflow.py, who
may make it, the reasons and deadlines it needs, its history (LabEvent and the audit trail), and the
scope that lapses with the ISO/IEC 17025 accreditation."""

import datetime as dt

import pytest
from django.utils import timezone

from hami.core.audit import verify_chain
from hami.core.errors import Forbidden, HamiError
from hami.core.models import AuditEvent, EventType
from hami.labs.models import Conflict, ConflictKind, Lab, LabEvent, LabKind, LabStatus, ScopeLine
from hami.labs.selectors import usable_scope
from hami.labs.services.labs import (
    conflict_declare,
    lab_apply,
    lab_move,
    lab_set_accreditation,
    scope_line_set,
)
from hami.labs.tests.conftest import make_lab
from hami.labs.tests.steps import staff_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT_YEAR = TODAY + dt.timedelta(days=365)


@pytest.fixture
def applied(qazvin_officer, qazvin_county):
    return lab_apply(actor=qazvin_officer, name_fa="  آزمایشگاه   کیفیت  ", county=qazvin_county)


def _status(lab) -> str:
    lab.refresh_from_db()
    return lab.status


def _to_committee(lab, officer):
    for target in ("document_review", "assessment", "committee"):
        lab_move(actor=officer, lab=lab, target=target)
    return lab


# --- the application ------------------------------------------------------------------------------


def test_the_office_files_an_application_that_starts_at_applied(applied, qazvin_officer):
    assert applied.status == LabStatus.APPLIED and applied.kind == LabKind.COOPERATING
    assert applied.name_fa == "آزمایشگاه کیفیت" and applied.province.code == "qazvin"
    [event] = applied.events.all()
    assert (event.from_status, event.to_status, event.actor) == ("", "applied", qazvin_officer)
    assert AuditEvent.objects.filter(event_type=EventType.LAB_CREATED, object_id=str(applied.pk)).exists()


def test_a_lab_user_who_files_becomes_the_labs_member(qazvin_county):
    from conftest import make_user
    from hami.core.models import Role

    user = make_user("new-lab", Role.LAB_STAFF)
    lab = lab_apply(actor=user, name_fa="آزمایشگاه نو", county=qazvin_county, kind=LabKind.OFFICE)
    assert list(lab.memberships.values_list("user__username", flat=True)) == ["new-lab"]


def test_an_in_house_lab_names_its_unit_and_is_in_conflict_with_it(
    qazvin_officer, qazvin_county, qazvin_unit
):
    with pytest.raises(HamiError) as caught:
        lab_apply(actor=qazvin_officer, name_fa="آزمایشگاه داخلی", county=qazvin_county, kind="in_house")
    assert caught.value.field == "owner_unit"
    lab = lab_apply(
        actor=qazvin_officer,
        name_fa="آزمایشگاه داخلی",
        county=qazvin_county,
        kind=LabKind.IN_HOUSE,
        owner_unit=qazvin_unit,
    )
    assert lab.conflicts.get().kind == ConflictKind.OWNERSHIP and lab.conflicts.get().unit == qazvin_unit


@pytest.mark.parametrize(
    ("name", "kind", "field"), [("", "cooperating", "name_fa"), ("   ", "cooperating", "name_fa"),
                                ("آزمایشگاه", "mobile", "kind")]
)  # fmt: skip
def test_a_bad_application_is_refused_and_files_nothing(qazvin_officer, qazvin_county, name, kind, field):
    with pytest.raises(HamiError) as caught:
        lab_apply(actor=qazvin_officer, name_fa=name, county=qazvin_county, kind=kind)
    assert caught.value.field == field and caught.value.message
    assert not Lab.objects.exists()


def test_only_lab_staff_or_the_labs_own_office_file_applications(
    unit_rep, outsider, tehran_officer, qazvin_inspector, qazvin_county
):
    for actor in (unit_rep, outsider, tehran_officer, qazvin_inspector):
        with pytest.raises(Forbidden):
            lab_apply(actor=actor, name_fa="آزمایشگاه", county=qazvin_county)
    assert not Lab.objects.exists()


# --- the approval workflow ------------------------------------------------------------------------


def test_the_whole_approval_path_with_a_deficiency_then_suspension_reinstatement_revocation(
    applied, qazvin_officer, qazvin_county
):
    staff = staff_of(applied, "lab-staff")
    _to_committee(applied, qazvin_officer)
    fix_by = TODAY + dt.timedelta(days=30)
    lab_move(actor=qazvin_officer, lab=applied, target="fixing", reason="کالیبراسیون ترازو", fix_by=fix_by)
    applied.refresh_from_db()
    assert (applied.status, applied.fix_by, applied.fixing_from) == ("fixing", fix_by, "committee")
    lab_move(actor=staff, lab=applied, target="committee")  # the lab reports it fixed
    applied.refresh_from_db()
    assert (applied.status, applied.fix_by, applied.fixing_from) == ("committee", None, "")
    lab_set_accreditation(
        actor=qazvin_officer,
        lab=applied,
        number="NACI-17025-9",
        body="مرکز ملی تأیید صلاحیت",
        expiry=NEXT_YEAR,
    )
    assert lab_move(
        actor=qazvin_officer, lab=applied, target="approved", reason="کمیته فنی تأیید کرد"
    ).accredited()
    lab_move(actor=qazvin_officer, lab=applied, target="suspended", reason="شکایت مستند")
    assert not Lab.objects.get(pk=applied.pk).accredited()
    lab_move(actor=qazvin_officer, lab=applied, target="approved", reason="رفع شد")
    lab_move(actor=qazvin_officer, lab=applied, target="revoked", reason="تکرار تخلف")

    steps = [(e.from_status, e.to_status) for e in LabEvent.objects.filter(lab=applied)]
    assert steps == [
        ("", "applied"), ("applied", "document_review"), ("document_review", "assessment"),
        ("assessment", "committee"), ("committee", "fixing"), ("fixing", "committee"),
        ("committee", "approved"), ("approved", "suspended"), ("suspended", "approved"),
        ("approved", "revoked"),
    ]  # fmt: skip
    fixing = LabEvent.objects.get(lab=applied, to_status="fixing")
    assert fixing.fix_by == fix_by and fixing.reason == "کالیبراسیون ترازو" and fixing.actor == qazvin_officer
    assert LabEvent.objects.get(lab=applied, from_status="fixing").actor == staff
    moves = AuditEvent.objects.filter(event_type=EventType.LAB_STATUS_CHANGED, object_id=str(applied.pk))
    assert moves.count() == 9
    assert moves.get(details__to="revoked").reason == "تکرار تخلف"
    assert not list(verify_chain())


@pytest.mark.parametrize(
    ("source", "target"),
    [("applied", "approved"), ("applied", "committee"), ("document_review", "committee"),
     ("refused", "approved"), ("revoked", "approved"), ("approved", "committee"), ("suspended", "fixing")],
)  # fmt: skip
def test_a_move_outside_the_workflow_is_refused(qazvin_officer, qazvin_county, source, target):
    lab = make_lab(qazvin_county, "آزمایشگاه", status=source)
    with pytest.raises(HamiError) as caught:
        lab_move(actor=qazvin_officer, lab=lab, target=target, reason="دلیل", fix_by=TODAY + dt.timedelta(9))
    assert caught.value.code == "wrong_state"
    assert _status(lab) == source and not lab.events.exists()


@pytest.mark.parametrize("target", ["bogus", "", "APPROVED", "x" * 200])
def test_an_unknown_target_status_is_a_clear_refusal(applied, qazvin_officer, target):
    with pytest.raises(HamiError) as caught:
        lab_move(actor=qazvin_officer, lab=applied, target=target, reason="دلیل")
    assert caught.value.code == "wrong_state" and caught.value.message
    assert _status(applied) == "applied"


def test_decisions_need_a_reason(applied, qazvin_officer):
    _to_committee(applied, qazvin_officer)
    for target in ("approved", "refused", "fixing"):
        with pytest.raises(HamiError) as caught:
            lab_move(actor=qazvin_officer, lab=applied, target=target, reason="  ", fix_by=NEXT_YEAR)
        assert caught.value.field == "reason"
    assert _status(applied) == "committee"


def test_approval_needs_a_valid_accreditation(applied, qazvin_officer):
    _to_committee(applied, qazvin_officer)
    with pytest.raises(HamiError) as caught:
        lab_move(actor=qazvin_officer, lab=applied, target="approved", reason="قبول")
    assert caught.value.code == "not_accredited"
    lab_set_accreditation(
        actor=qazvin_officer, lab=applied, number="N-1", body="NACI", expiry=TODAY - dt.timedelta(days=1)
    )
    with pytest.raises(HamiError):
        lab_move(actor=qazvin_officer, lab=applied, target="approved", reason="قبول")
    assert _status(applied) == "committee"


@pytest.mark.parametrize("days", [None, 0, -5])
def test_time_to_fix_deficiencies_is_a_date_in_the_future(applied, qazvin_officer, days):
    lab_move(actor=qazvin_officer, lab=applied, target="document_review")
    fix_by = None if days is None else TODAY + dt.timedelta(days=days)
    with pytest.raises(HamiError) as caught:
        lab_move(actor=qazvin_officer, lab=applied, target="fixing", reason="نقص مدارک", fix_by=fix_by)
    assert caught.value.field == "fix_by"
    assert _status(applied) == "document_review"


def test_a_lab_back_from_fixing_returns_only_to_the_step_it_left(applied, qazvin_officer):
    staff = staff_of(applied, "lab-staff")
    lab_move(actor=qazvin_officer, lab=applied, target="document_review")
    lab_move(
        actor=qazvin_officer, lab=applied, target="fixing", reason="نقص", fix_by=TODAY + dt.timedelta(days=10)
    )
    for wrong in ("assessment", "committee"):
        with pytest.raises(HamiError):
            lab_move(actor=staff, lab=applied, target=wrong)
    lab_move(actor=staff, lab=applied, target="document_review")
    assert _status(applied) == "document_review"


def test_a_missed_deadline_lets_the_office_refuse_the_lab(applied, qazvin_officer):
    staff = staff_of(applied, "lab-staff")
    lab_move(actor=qazvin_officer, lab=applied, target="document_review")
    lab_move(actor=qazvin_officer, lab=applied, target="fixing", reason="نقص", fix_by=TODAY + dt.timedelta(1))
    with pytest.raises(Forbidden):
        lab_move(actor=staff, lab=applied, target="refused", reason="مهلت گذشت")
    lab_move(actor=qazvin_officer, lab=applied, target="refused", reason="مهلت گذشت")
    assert _status(applied) == "refused"


def test_only_the_labs_provincial_office_moves_it(
    applied, tehran_officer, qazvin_inspector, unit_rep, admin_user
):
    staff = staff_of(applied, "lab-staff")
    for actor in (tehran_officer, qazvin_inspector, unit_rep, staff):
        with pytest.raises(Forbidden):
            lab_move(actor=actor, lab=applied, target="document_review")
    assert _status(applied) == "applied"
    lab_move(actor=admin_user, lab=applied, target="document_review")  # a national admin may
    assert _status(applied) == "document_review"


def test_staff_of_another_lab_cannot_report_deficiencies_fixed(applied, qazvin_officer, qazvin_county):
    other = staff_of(make_lab(qazvin_county, "دیگری"), "other-lab")
    lab_move(actor=qazvin_officer, lab=applied, target="document_review")
    lab_move(actor=qazvin_officer, lab=applied, target="fixing", reason="نقص", fix_by=TODAY + dt.timedelta(5))
    with pytest.raises(Forbidden):
        lab_move(actor=other, lab=applied, target="document_review")
    assert _status(applied) == "fixing"


# --- accreditation and scope --------------------------------------------------------------------------


def test_recording_the_accreditation_keeps_before_and_after_in_the_audit(applied, qazvin_officer):
    lab_set_accreditation(actor=qazvin_officer, lab=applied, number="N-1", body="NACI", expiry=NEXT_YEAR)
    lab_set_accreditation(
        actor=qazvin_officer, lab=applied, number=" N-2 ", body="NACI", expiry=NEXT_YEAR, reason="تمدید"
    )
    applied.refresh_from_db()
    assert (applied.accreditation_number, applied.accreditation_expiry) == ("N-2", NEXT_YEAR)
    last = AuditEvent.objects.filter(event_type=EventType.LAB_ACCREDITATION_SET).order_by("-seq").first()
    assert last.details["before"][0] == "N-1" and last.details["after"][0] == "N-2" and last.reason == "تمدید"


@pytest.mark.parametrize(("number", "body", "field"), [("", "NACI", "number"), ("N-1", " ", "body")])
def test_an_accreditation_needs_its_number_and_body(applied, qazvin_officer, number, body, field):
    with pytest.raises(HamiError) as caught:
        lab_set_accreditation(actor=qazvin_officer, lab=applied, number=number, body=body, expiry=NEXT_YEAR)
    assert caught.value.field == field
    applied.refresh_from_db()
    assert applied.accreditation_expiry is None


def test_lab_staff_cannot_record_their_own_accreditation_or_scope(applied, requirements):
    staff = staff_of(applied, "lab-staff")
    with pytest.raises(Forbidden):
        lab_set_accreditation(actor=staff, lab=applied, number="N", body="B", expiry=NEXT_YEAR)
    with pytest.raises(Forbidden):
        scope_line_set(
            actor=staff, lab=applied, requirement=requirements[0], method="m", weekly_capacity=1, price=1,
            turnaround_days=1,
        )  # fmt: skip
    assert not ScopeLine.objects.exists()


def test_a_scope_line_is_added_then_changed_in_place(applied, qazvin_officer, requirements):
    fat = requirements[0]
    line = scope_line_set(
        actor=qazvin_officer, lab=applied, requirement=fat, method="INSO 384", weekly_capacity=20,
        price=1_500_000, turnaround_days=3,
    )  # fmt: skip
    again = scope_line_set(
        actor=qazvin_officer, lab=applied, requirement=fat, method="INSO 384", weekly_capacity=40,
        price=1_500_000, turnaround_days=3, active=False,
    )  # fmt: skip
    assert again.pk == line.pk and ScopeLine.objects.count() == 1
    line.refresh_from_db()
    assert (line.weekly_capacity, line.active) == (40, False)
    changes = AuditEvent.objects.filter(event_type=EventType.LAB_SCOPE_CHANGED).order_by("seq")
    assert [c.details["created"] for c in changes] == [True, False]


@pytest.mark.parametrize(
    ("field", "value"),
    [("weekly_capacity", -1), ("price", -5), ("turnaround_days", 0), ("weekly_capacity", True),
     ("price", 10**13), ("turnaround_days", "3"), ("method", "  ")],
)  # fmt: skip
def test_a_bad_scope_line_is_refused(applied, qazvin_officer, requirements, field, value):
    values = {"method": "INSO 384", "weekly_capacity": 10, "price": 100, "turnaround_days": 3, field: value}
    with pytest.raises(HamiError) as caught:
        scope_line_set(actor=qazvin_officer, lab=applied, requirement=requirements[0], **values)
    assert caught.value.field == field
    assert not ScopeLine.objects.exists()


def test_the_scope_lapses_with_the_accreditation(qazvin_county, requirements):
    lab = make_lab(qazvin_county, "آزمایشگاه", requirements=requirements)
    assert usable_scope().filter(lab=lab).count() == 3 and lab.accredited()
    lab.accreditation_expiry = TODAY - dt.timedelta(days=1)
    lab.save()
    assert not usable_scope().filter(lab=lab).exists() and not lab.accredited()
    assert not Lab.objects.accredited_on(TODAY).exists()
    # valid up to and including its expiry day
    assert usable_scope(TODAY - dt.timedelta(days=1)).filter(lab=lab).count() == 3


@pytest.mark.parametrize("status", ["suspended", "revoked", "committee", "fixing"])
def test_a_lab_not_approved_has_no_usable_scope(qazvin_county, requirements, status):
    lab = make_lab(qazvin_county, "آزمایشگاه", requirements=requirements, status=status)
    assert not usable_scope().filter(lab=lab).exists() and not lab.accredited()


def test_an_inactive_scope_line_is_not_usable(qazvin_county, requirements):
    lab = make_lab(qazvin_county, "آزمایشگاه", requirements=requirements)
    ScopeLine.objects.filter(lab=lab, requirement=requirements[0]).update(active=False)
    assert set(usable_scope().filter(lab=lab).values_list("requirement__clause", flat=True)) == {"5.2", "6.1"}


# --- conflicts --------------------------------------------------------------------------------------


def test_the_lab_declares_a_conflict_once_however_often_it_is_sent(applied, qazvin_unit, unit_rep):
    staff = staff_of(applied, "lab-staff")
    conflict_declare(actor=staff, lab=applied, unit=qazvin_unit, note="سهامدار مشترک")
    conflict_declare(actor=staff, lab=applied, unit=qazvin_unit, note="سهامدار مشترک")
    assert Conflict.objects.get().kind == ConflictKind.DECLARED
    with pytest.raises(Forbidden):
        conflict_declare(actor=unit_rep, lab=applied, unit=qazvin_unit)
