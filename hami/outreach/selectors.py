"""Reads of the clinics that take more than one queryset: the topic a referral goes to (through the
standard or the product category of what failed), and whether a unit has priority on a topic.

A unit has priority on a topic while it holds an OPEN referral on that topic (a failed test or a
supervision finding sent it there) or while its standing puts it on the fast track
(`ProductionUnit.fast_track`, written by registry/incentives). Priority matters only during a slot's
priority window (`Slot.priority_until`, HAMI_CLINIC_PRIORITY_HOURS after publishing).
"""

from collections import defaultdict
from collections.abc import Iterable

from hami.outreach.models import Referral, ReferralStatus, Topic
from hami.registry.models import ProductionUnit
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
