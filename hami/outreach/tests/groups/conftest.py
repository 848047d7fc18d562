"""Fixtures of the working-group tests: a Qazvin food group (ISIC division 10) run by the Qazvin office,
chaired by the representative of a second Qazvin unit, with `unit_rep`'s unit as a plain member, an
expert as secretary and an approved lab; a unit rep whose unit is not in it; a Tehran group."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_user
from hami.core.identifiers import make_legal_id
from hami.core.models import AuditEvent, Notification, Role
from hami.labs.models import Lab, LabMembership, LabStatus
from hami.outreach.models import ActionItem, Meeting, Member, Proposal, ProposalStep, WorkingGroup
from hami.outreach.services import groups as services
from hami.registry.models import ProductionUnit, UnitMembership


def make_unit(county, first_ten: str, name: str, isic: str) -> ProductionUnit:
    return ProductionUnit.objects.create(
        national_id=make_legal_id(first_ten), name_fa=name, province=county.province, county=county, isic=isic
    )


def rep_of(unit: ProductionUnit, username: str):
    user = make_user(username, Role.UNIT_REP)
    UnitMembership.objects.create(user=user, unit=unit)
    return user


def make_approved_lab(county, name: str) -> Lab:
    return Lab.objects.create(
        name_fa=name,
        province=county.province,
        county=county,
        status=LabStatus.APPROVED,
        accreditation_number="NACI-9",
        accreditation_body="مرکز ملی تأیید صلاحیت",
        accreditation_expiry=timezone.localdate() + dt.timedelta(days=365),
    )


@pytest.fixture
def dairy_unit(qazvin_county) -> ProductionUnit:
    return make_unit(qazvin_county, "1038028400", "لبنیات پگاه قزوین", "1050")


@pytest.fixture
def chair_rep(dairy_unit):
    return rep_of(dairy_unit, "chair-rep")


@pytest.fixture
def bakery_unit(qazvin_county) -> ProductionUnit:
    return make_unit(qazvin_county, "1038028411", "نان ماشینی البرز", "1071")


@pytest.fixture
def other_rep(bakery_unit):
    """A Qazvin unit representative whose unit is not in the group."""
    return rep_of(bakery_unit, "other-rep")


@pytest.fixture
def expert(db):
    return make_user("expert", Role.ADVISOR)


@pytest.fixture
def group_lab(qazvin_county) -> Lab:
    return make_approved_lab(qazvin_county, "آزمایشگاه مواد غذایی قزوین")


@pytest.fixture
def group_lab_user(group_lab):
    user = make_user("group-lab-user", Role.LAB_STAFF)
    LabMembership.objects.create(user=user, lab=group_lab)
    return user


@pytest.fixture
def group(qazvin_officer, qazvin) -> WorkingGroup:
    return services.group_save(
        actor=qazvin_officer,
        name_fa="کارگروه صنایع غذایی قزوین",
        name_en="Qazvin food industry group",
        isic="10",
        province=qazvin,
        purpose="کیفیت فراورده‌های غذایی استان",
    )


@pytest.fixture
def chair(group, qazvin_officer, dairy_unit, chair_rep) -> Member:
    return services.member_add(actor=qazvin_officer, group=group, kind="unit", unit=dairy_unit, role="chair")


@pytest.fixture
def plain_member(group, qazvin_officer, qazvin_unit, unit_rep) -> Member:
    """`unit_rep`'s unit, a plain member."""
    return services.member_add(actor=qazvin_officer, group=group, kind="unit", unit=qazvin_unit)


@pytest.fixture
def secretary(group, qazvin_officer, expert) -> Member:
    return services.member_add(
        actor=qazvin_officer, group=group, kind="expert", user=expert, role="secretary"
    )


@pytest.fixture
def lab_member(group, qazvin_officer, group_lab, group_lab_user) -> Member:
    return services.member_add(actor=qazvin_officer, group=group, kind="lab", lab=group_lab)


@pytest.fixture
def staffed(chair, plain_member, secretary, lab_member):
    """The group with its four members: chair (dairy unit), member (qazvin_unit), secretary, lab."""
    return {"chair": chair, "member": plain_member, "secretary": secretary, "lab": lab_member}


@pytest.fixture
def tehran_group(tehran_officer, tehran) -> WorkingGroup:
    return services.group_save(
        actor=tehran_officer, name_fa="کارگروه سیمان تهران", isic="2394", province=tehran, purpose="سیمان"
    )


def soon(hours: int = 48) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


@pytest.fixture
def meeting(group, staffed, qazvin_officer) -> Meeting:
    return services.meeting_schedule(
        actor=qazvin_officer,
        group=group,
        starts_at=soon(),
        mode="in_person",
        venue="اداره کل استاندارد قزوین، سالن جلسات",
        agenda="۱. آزمون‌هایی که در استان انجام نمی‌شود",
    )


def started(meeting: Meeting, hours: int = 1) -> Meeting:
    """Move a meeting's start into the past (as time passing would)."""
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=hours))
    meeting.refresh_from_db()
    return meeting


def state() -> dict:
    """Everything a refused call must leave as it was."""
    through = Meeting.attendees.through
    return {
        "groups": list(
            WorkingGroup.objects.order_by("pk").values_list(
                "pk", "name_fa", "isic", "status", "province_id", "purpose"
            )
        ),
        "members": list(Member.objects.order_by("pk").values_list("pk", "role", "is_active", "display_name")),
        "meetings": list(Meeting.objects.order_by("pk").values_list("pk", "status", "minutes", "starts_at")),
        "attendees": list(through.objects.order_by("pk").values_list("meeting_id", "member_id")),
        "actions": list(ActionItem.objects.order_by("pk").values_list("pk", "state", "note", "done_on")),
        "proposals": list(Proposal.objects.order_by("pk").values_list("pk", "state", "outcome")),
        "steps": ProposalStep.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notices": Notification.objects.count(),
    }


@pytest.fixture
def unchanged():
    """`with unchanged(): ...` asserts that the block changed nothing at all."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = state()
        yield
        assert state() == before

    return check
