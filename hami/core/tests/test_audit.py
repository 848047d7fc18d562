import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from hami.core.audit import GENESIS_HASH, audit, verify_chain
from hami.core.models import AuditEvent, EventType

pytestmark = pytest.mark.django_db


def _record(n: int, actor=None) -> list[AuditEvent]:
    events = []
    with transaction.atomic():
        for i in range(n):
            event = audit(
                actor=actor,
                event_type=EventType.UNIT_UPDATED,
                object_type="x",
                object_id=str(i),
                details={"i": i, "name": "کارخانه"},
            )
            events.append(event)
    return events


def _raw(sql: str, params=()) -> None:
    """Tamper as someone with database access would: bypassing the ORM and, on PostgreSQL, the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_events_are_chained_from_genesis(admin_user):
    first, second, third = _record(3, admin_user)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.actor_label == "admin"


def test_intact_chain_verifies(capsys):
    _record(5)
    assert list(verify_chain()) == []
    call_command("audit_verify")
    assert "intact: 5 events" in capsys.readouterr().out


def test_orm_refuses_to_update_or_delete_an_event():
    (event,) = _record(1)
    event.reason = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_edited_event_is_reported():
    _record(4)
    _raw("UPDATE core_auditevent SET details = %s WHERE seq = 2", ['{"i": 99}'])
    problems = list(verify_chain())
    assert [(p.seq, p.kind) for p in problems] == [(2, "edited")]
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_deleted_event_is_reported():
    _record(4)
    _raw("DELETE FROM core_auditevent WHERE seq = 3")
    assert ("deleted", 4) in {(p.kind, p.seq) for p in verify_chain()}


def test_inserted_event_is_reported():
    events = _record(3)
    # A forger appends a row that links to the last hash but cannot compute the keyed hash.
    _raw(
        "INSERT INTO core_auditevent (seq, occurred_at, actor_label, event_type, object_type, object_id,"
        " reason, details, prev_hash, hash)"
        " VALUES (4, %s, 'forger', 'unit.updated', 'x', '9', '', '{}', %s, %s)",
        [events[-1].occurred_at, events[-1].hash, "f" * 64],
    )
    assert [(p.seq, p.kind) for p in verify_chain()] == [(4, "edited")]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_trigger_refuses_update():
    from django.db.utils import ProgrammingError

    _record(1)
    refused = pytest.raises(ProgrammingError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = 'x'")
