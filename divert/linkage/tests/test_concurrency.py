"""Two people merging the same records at the same moment (PostgreSQL row locks)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from divert.cases.tests import factories
from divert.linkage import actions
from divert.linkage.models import PersonMerge
from divert.people.models import Person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one writer; no race to test"
    ),
]


def test_concurrent_merges_of_one_pair_leave_one_merge(users):
    """Two team leaders merge Lee into Leigh and Leigh into Lee at once: one merge wins, the
    other is refused, and the records stay consistent."""
    author = users["practitioner"]
    born = dt.date(1996, 5, 3)
    lee = factories.person(author, given_name="Lee", family_name="Marshall", date_of_birth=born)
    leigh = factories.person(author, given_name="Leigh", family_name="Marshall", date_of_birth=born)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def merge(survivor, merged, by):
        try:
            barrier.wait(timeout=10)
            actions.merge_people(survivor=survivor, merged=merged, by=by, reason="Same man here")
            outcomes.append("merged")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=merge, args=(lee, leigh, users["team_leader"])),
        threading.Thread(target=merge, args=(leigh, lee, users["service_manager"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["merged", "refused"]
    assert PersonMerge.objects.count() == 1
    assert Person.objects.current().filter(pk__in=[lee.pk, leigh.pk]).count() == 1
