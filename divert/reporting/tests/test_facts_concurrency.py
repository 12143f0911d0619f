"""Two writers re-deriving one person's KPI facts at once (PostgreSQL advisory locks)."""

import threading

import pytest
from django.db import connection, transaction

from divert.reporting import facts
from divert.reporting.models import EpisodeFact
from divert.reporting.tests.builders import Builder, utc

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one writer; no race to test"
    ),
]


def test_two_writes_to_one_persons_episodes_at_once_both_commit(users, service):
    """Two practitioners record offers on two episodes of one frequent attender at the same
    moment: each save re-derives all of the person's facts, and neither fails on the other's
    rows."""
    build = Builder(users, service)
    person = build.person()
    episodes = [build.episode(utc(2026, 3, day, 9), person=person) for day in (2, 3)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def record(episode, outcome):
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                build.offer(episode, outcome)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(episodes[0], "accepted")),
        threading.Thread(target=record, args=(episodes[1], "declined")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    rows = {row.episode_id: row for row in EpisodeFact.objects.all()}
    assert rows[episodes[0].pk].accepted
    assert rows[episodes[1].pk].declined
    assert facts.stale_count() == 0
