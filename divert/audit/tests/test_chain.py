"""The audit trail is a gap-free hash chain the database will not let anyone edit."""

import contextlib

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from divert.audit import auditor, chain
from divert.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def append(count, **extra):
    return [
        auditor.record(event=f"test.event{i}", action="view", by=None, **extra)
        for i in range(count)
    ]


@contextlib.contextmanager
def append_only_triggers_disabled():
    """Simulate someone with direct database access bypassing the app's protections."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            else:
                cursor.execute(
                    "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
                    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); "
                    "END"
                )


def test_events_form_a_gap_free_chain():
    """Sequence numbers run 1..N and each event links to the hash of the one before."""
    events = append(5)

    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].previous_hash == chain.GENESIS_HASH
    assert all(b.previous_hash == a.row_hash for a, b in zip(events, events[1:], strict=False))


def test_verify_passes_on_an_untouched_trail(capsys):
    """`divert audit verify` reports an intact trail and the number of events checked."""
    append(3, changes={"ids": [1, 2], "note": "é"})

    call_command("audit", "verify")

    assert "intact: 3 events" in capsys.readouterr().out


def test_update_refused_by_the_database():
    """The database refuses UPDATE on audit events, even through raw SQL."""
    append(1)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_username = 'someone-else'")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's test runner empties tables with DELETE"
)
def test_delete_refused_by_postgresql():
    """PostgreSQL refuses DELETE on audit events."""
    append(1)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")


def test_verify_detects_an_edited_row():
    """Changing any hashed field of a stored event breaks the chain at that event."""
    events = append(4)

    with append_only_triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET person_id = 99 WHERE sequence = %s", [events[2].sequence]
        )

    with pytest.raises(CommandError, match="broken in 1 places"):
        call_command("audit", "verify")


def test_verify_detects_a_removed_row():
    """A missing event shows as a gap and a broken link."""
    append(4)

    with append_only_triggers_disabled(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 2")
        else:
            cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 2")
    problems = list(
        chain.verify(
            AuditEvent.objects.order_by("sequence")
            .values(*chain.HASHED_FIELDS, "row_hash")
            .iterator()
        )
    )

    assert [p.sequence for p in problems] == [3, 3]
