"""The append-only, hash-chained audit trail: the one way to write an AuditEvent, and its check."""

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from hami.core.models import AuditEvent, EventType, Province, User

GENESIS_HASH = "0" * 64
# Any fixed number: the key of PostgreSQL's transaction-scoped advisory lock that serializes appends.
_CHAIN_LOCK_KEY = 727_2025


def _key() -> bytes:
    return (getattr(settings, "HAMI_AUDIT_KEY", None) or settings.SECRET_KEY).encode()


def _jsonable(details: dict[str, Any] | None) -> dict[str, Any]:
    return json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))


def compute_hash(event: AuditEvent) -> str:
    payload = json.dumps(
        [
            event.seq,
            event.occurred_at.isoformat(),
            event.actor_id,
            event.actor_label,
            event.event_type,
            event.object_type,
            event.object_id,
            event.province_id,
            event.reason,
            event.details,
            event.prev_hash,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hmac.new(_key(), payload.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Change:
    """One state change to record: what happened to which object."""

    event_type: EventType
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    province: Province | None = None
    reason: str = ""
    details: dict[str, Any] | None = None


def _chain_head() -> tuple[int, str]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # On SQLite the IMMEDIATE transaction already holds the database's write lock.
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, GENESIS_HASH)


def audit_many(*, actor: User | None, changes: Iterable[Change]) -> list[AuditEvent]:
    """Append one event per change, chained, in the caller's transaction. Raises RuntimeError outside one."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit events are written inside the service's transaction")
    seq, prev_hash = _chain_head()
    now = timezone.now()
    events = []
    for change in changes:
        seq += 1
        obj = change.obj
        event = AuditEvent(
            seq=seq,
            occurred_at=now,
            actor=actor,
            actor_label=actor.get_username() if actor else "system",
            event_type=change.event_type,
            object_type=change.object_type or (obj._meta.label_lower if obj is not None else ""),
            object_id=change.object_id or (str(obj.pk) if obj is not None else ""),
            province=change.province,
            reason=change.reason,
            details=_jsonable(change.details),
            prev_hash=prev_hash,
        )
        event.hash = compute_hash(event)
        prev_hash = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    return events


def audit(
    *,
    actor: User | None,
    event_type: EventType,
    obj: models.Model | None = None,
    province: Province | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction."""
    change = Change(
        event_type=event_type,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        province=province,
        reason=reason,
        details=details,
    )
    return audit_many(actor=actor, changes=[change])[0]


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # "edited", "deleted", "inserted"
    message: str


def verify_chain(chunk_size: int = 5000) -> Iterator[Problem]:
    """Walk the whole chain once and yield every event that was edited, inserted or deleted."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    before_prev = None  # the hash two rows back, to tell an inserted row from an edited one
    with transaction.atomic():
        for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
            if event.seq != expected_seq:
                yield Problem(
                    event.seq,
                    "deleted",
                    f"events {expected_seq}..{event.seq - 1} are missing before event {event.seq}",
                )
            own_hash_ok = hmac.compare_digest(compute_hash(event), event.hash)
            if event.prev_hash != prev_hash and event.prev_hash == before_prev:
                yield Problem(event.seq - 1, "inserted", f"event {event.seq - 1} was inserted into the chain")
            elif event.prev_hash != prev_hash and event.seq == expected_seq:
                yield Problem(
                    event.seq, "deleted", f"the event before {event.seq} is not the one it was chained to"
                )
            if not own_hash_ok:
                yield Problem(
                    event.seq, "edited", f"event {event.seq} does not match its hash (edited or forged)"
                )
            before_prev, prev_hash = prev_hash, event.hash
            expected_seq = event.seq + 1
