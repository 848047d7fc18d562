"""Reads of the clinics that take more than one queryset: the topic a referral goes to (through the
standard or the product category of what failed), and whether a unit has priority on a topic.

A unit has priority on a topic while it holds an OPEN referral on that topic (a failed test or a
supervision finding sent it there) or while its standing puts it on the fast track
(`ProductionUnit.fast_track`, written by registry/incentives). Priority matters only during a slot's
priority window (`Slot.priority_until`, HAMI_CLINIC_PRIORITY_HOURS after publishing).

The working groups' reads are in the last section.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from hami.core.models import Role, User
from hami.labs.models import Lab, LabStatus
from hami.outreach.access import member_filter
from hami.outreach.models import (
    ActionItem,
    ActionState,
    GroupStatus,
    Member,
    Referral,
    ReferralStatus,
    Topic,
    WorkingGroup,
)
from hami.registry.models import ProductionUnit, UnitStatus
from hami.standards.models import ProductCategory, Standard

# The topic every referral falls back to (loaded by migration 0002_base_topics).
FALLBACK_TOPIC = "quality-control"
_FALLBACK_NAMES = ("استقرار و بهبود کنترل کیفیت", "Setting up and improving quality control")


def fallback_topic() -> Topic:
    """The `quality-control` topic. Migration 0002 loads it; if an admin deleted it, it is put back
    rather than letting the nightly referral job fail."""
    topic, _created = Topic.objects.get_or_create(
        code=FALLBACK_TOPIC, defaults={"name_fa": _FALLBACK_NAMES[0], "name_en": _FALLBACK_NAMES[1]}
    )
    return topic


def topic_for(standard: Standard | None = None, category: ProductCategory | None = None) -> Topic:
    """A topic that links the standard, else one that links the product category, else the fallback.
    When several topics link the same thing, the first by code wins (stable across runs)."""
    if standard is not None:
        topic = Topic.objects.filter(standards=standard).order_by("code").first()
        if topic is not None:
            return topic
    if category is not None:
        topic = Topic.objects.filter(categories=category).order_by("code").first()
        if topic is not None:
            return topic
    return fallback_topic()


def topic_maps(
    standard_ids: Iterable[int], category_ids: Iterable[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """`topic_for` for many at once, in two queries: standard id → topic id and category id → topic id
    (only those some topic links; the first topic by code, as `topic_for`)."""
    maps = []
    for through, column, ids in (
        (Topic.standards.through, "standard_id", set(standard_ids)),
        (Topic.categories.through, "productcategory_id", set(category_ids)),
    ):
        rows = (
            through.objects.filter(**{f"{column}__in": ids})
            .order_by("-topic__code")  # later rows overwrite earlier ones: the first code wins
            .values_list(column, "topic_id")
        )
        maps.append(dict(rows) if ids else {})
    return maps[0], maps[1]


def open_referral(unit: ProductionUnit, topic: Topic) -> Referral | None:
    """The unit's oldest open referral on the topic (the one a booking on that topic answers)."""
    return (
        Referral.objects.filter(unit=unit, topic=topic, status=ReferralStatus.OPEN)
        .order_by("created_at", "pk")
        .first()
    )


def has_priority(unit: ProductionUnit, topic: Topic) -> bool:
    """Whether the unit may book the topic's slots inside their priority window."""
    if unit.fast_track:
        return True
    return Referral.objects.filter(unit=unit, topic=topic, status=ReferralStatus.OPEN).exists()


def priority_topics(units: Iterable[ProductionUnit]) -> dict[int, set[int] | None]:
    """For each unit: the topics it has priority on, or None when it has priority on every topic (fast
    track). One query, for pages that show many slots to a representative of several units."""
    units = list(units)
    result: dict[int, set[int] | None] = {u.pk: None if u.fast_track else set() for u in units}
    rows = Referral.objects.filter(
        unit_id__in=[u.pk for u in units if not u.fast_track], status=ReferralStatus.OPEN
    ).values_list("unit_id", "topic_id")
    grouped: dict[int, set[int]] = defaultdict(set)
    for unit_id, topic_id in rows:
        grouped[unit_id].add(topic_id)
    for unit_id, topics in grouped.items():
        result[unit_id] = topics
    return result


# ---------------------------------------------------------------- working groups
# The reads of services/groups.py: who a group's notices reach, who owns an action, overdue actions,
# the groups an office runs, and the units and labs to suggest as members.

# An action still to be done: neither done nor dropped (services/groups.py ACTION_MOVES leads out).
ACTION_LIVE = (ActionState.OPEN, ActionState.IN_PROGRESS)


def member_users(group: WorkingGroup, members: Iterable[Member] | None = None) -> QuerySet[User]:
    """The people a notice to the group (or to some of its members) reaches: the representatives of
    member units, the staff of member labs and the member people; active members and users only."""
    chosen = (
        Member.objects.filter(pk__in=[m.pk for m in members])
        if members is not None
        else group.members.filter(is_active=True)
    )
    chosen = list(chosen.values("unit_id", "lab_id", "user_id"))
    unit_ids = {row["unit_id"] for row in chosen if row["unit_id"]}
    lab_ids = {row["lab_id"] for row in chosen if row["lab_id"]}
    user_ids = {row["user_id"] for row in chosen if row["user_id"]}
    return (
        User.objects.filter(
            Q(pk__in=user_ids)
            | Q(unit_memberships__unit_id__in=unit_ids)
            | Q(lab_memberships__lab_id__in=lab_ids),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def is_action_owner(user: User, action: ActionItem) -> bool:
    """`user` stands for the member that owns the action (the person, a unit's rep, a lab's staff)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Member.objects.filter(pk=action.owner_id, is_active=True).filter(member_filter(user)).exists()


def overdue_actions(actions: QuerySet[ActionItem], today: dt.date | None = None) -> QuerySet[ActionItem]:
    """Actions past their due date and neither done nor dropped, of active groups, oldest first."""
    today = today or timezone.localdate()
    return (
        actions.filter(due_on__lt=today, state__in=ACTION_LIVE, group__status=GroupStatus.ACTIVE)
        .select_related("owner", "group")
        .order_by("due_on", "pk")
    )


def managed_groups(user: User) -> QuerySet[WorkingGroup]:
    """The groups the user's office runs: its province's (national staff: all)."""
    if not user.is_authenticated or not user.is_active:
        return WorkingGroup.objects.none()
    if user.is_national:
        return WorkingGroup.objects.all()
    if user.role == Role.OFFICE_STAFF and user.province_id:
        return WorkingGroup.objects.filter(province_id=user.province_id)
    return WorkingGroup.objects.none()


def suggested_units(group: WorkingGroup, limit: int = 20) -> QuerySet[ProductionUnit]:
    """Units of the group's sector (their ISIC starts with it) not in the group yet; a provincial group
    suggests its province's units."""
    units = ProductionUnit.objects.filter(isic__startswith=group.isic).exclude(status=UnitStatus.CLOSED)
    if group.province_id:
        units = units.filter(province_id=group.province_id)
    taken = group.members.filter(is_active=True, unit__isnull=False).values("unit_id")
    return units.exclude(pk__in=taken).select_related("county").order_by("name_fa", "pk")[:limit]


def suggested_labs(group: WorkingGroup, limit: int = 20) -> QuerySet[Lab]:
    """Approved labs that test for the sector: an active scope line under a standard of a product
    category whose ISIC starts with the group's sector; a provincial group suggests its province's."""
    labs = Lab.objects.filter(
        status=LabStatus.APPROVED,
        scope__active=True,
        scope__requirement__standard__categories__isic__startswith=group.isic,
    )
    if group.province_id:
        labs = labs.filter(province_id=group.province_id)
    taken = group.members.filter(is_active=True, lab__isnull=False).values("lab_id")
    ids = labs.exclude(pk__in=taken).values("pk").distinct()
    return Lab.objects.filter(pk__in=ids).select_related("county").order_by("name_fa", "pk")[:limit]
