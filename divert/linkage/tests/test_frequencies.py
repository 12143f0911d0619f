"""The name counts behind the intake lookup's term frequencies stay equal to a fresh count."""

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from divert.cases.tests import factories
from divert.linkage import actions, frequencies, lookup
from divert.linkage.models import NameFrequency, PersonKey
from divert.people import actions as people_actions

pytestmark = pytest.mark.django_db


def stored() -> Counter[tuple[str, str]]:
    """The stored counts (Counter equality ignores zeros; assert_in_step checks for them)."""
    rows = NameFrequency.objects.values_list("kind", "value", "count")
    return Counter({(kind, value): count for kind, value, count in rows})


def assert_in_step() -> None:
    assert stored() == frequencies.counts_from_keys()
    assert not NameFrequency.objects.filter(count__lte=0).exists()


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def twins(author):
    """Two people sharing a family name, made through the people actions."""
    born = dt.date(1990, 6, 14)
    return (
        factories.person(author, given_name="Lee", family_name="Marshall", date_of_birth=born),
        factories.person(
            author,
            given_name="Leigh",
            family_name="Marshall",
            date_of_birth=born,
            nhs_number="9434765919",
        ),
    )


def test_creating_people_counts_their_names(twins):
    """Each new person's given, family and whole name is counted once."""
    assert_in_step()
    assert NameFrequency.objects.get(kind="family", value="marshall").count == 2
    assert NameFrequency.objects.get(kind="given", value="lee").count == 1


def test_an_alias_counts_its_names_too(twins, author):
    """An alias is a key row of its own, so its names are counted beside the person's."""
    people_actions.add_alias(person=twins[0], by=author, given_name="Lenny", family_name="Marsh")

    assert_in_step()
    assert NameFrequency.objects.get(kind="family", value="marsh").count == 1
    assert NameFrequency.objects.get(kind="family", value="marshall").count == 2
    assert frequencies.lookup_counts("", "", "")[:2] == (3, 2)  # keys, people


def test_refreshing_unchanged_keys_writes_no_counts(twins):
    """Rewriting the same keys moves no count, and the lookup's counts are untouched."""
    with CaptureQueriesContext(connection) as queries:
        lookup.refresh_keys([twins[0].pk, twins[1].pk])

    assert not any("namefrequency" in q["sql"].lower() for q in queries.captured_queries)
    assert_in_step()


def test_merge_and_unmerge_keep_the_counts_in_step(twins, users):
    """Merging drops the merged person's keys and adds an alias; unmerging restores both."""
    survivor, merged = twins[1], twins[0]
    before = stored()

    merge = actions.merge_people(
        survivor=survivor, merged=merged, by=users["team_leader"], reason="Same person, checked"
    )

    assert_in_step()
    actions.unmerge_people(merge=merge, by=users["team_leader"], reason="Twins after all")
    assert_in_step()
    assert stored() == before


def test_a_name_no_key_carries_any_more_is_removed(twins):
    """A count that reaches zero is deleted rather than kept at zero."""
    frequencies.apply_changes(Counter({("given", "lee"): 1}), Counter())

    assert not NameFrequency.objects.filter(kind="given", value="lee").exists()


def test_keys_written_in_bulk_are_counted_by_add_keys(twins):
    """Keys written outside refresh_keys (the historic import) are counted by add_keys."""
    key = PersonKey.objects.get(person=twins[0])
    key.pk = None
    key.given_name, key.given_root = "lenny", "leonard"
    key.save()

    frequencies.add_keys([key])

    assert_in_step()


def test_rebuild_recounts_everything(twins):
    """A rebuild replaces whatever was stored with a fresh count."""
    NameFrequency.objects.all().delete()
    NameFrequency.objects.create(kind="given", value="nobody", count=7)

    names = frequencies.rebuild()

    assert names == len(frequencies.counts_from_keys())
    assert_in_step()


def test_lookup_counts_reads_one_query_of_stored_counts(twins):
    """A lookup's totals and three name counts come from one query on NameFrequency, none on
    PersonKey."""
    with CaptureQueriesContext(connection) as queries:
        counts = frequencies.lookup_counts("leigh", "marshall", "lee")

    assert counts == (2, 2, 1, 2, 2)  # Lee and Leigh share the root "lee"
    assert len(queries.captured_queries) == 1
    assert "linkage_personkey" not in queries.captured_queries[0]["sql"]


@pytest.mark.parametrize(
    "names",
    [("leigh", "marshall", "lee"), ("zebedee", "quinn", "zebedee"), ("", "", ""), ("lee", "", "")],
)
def test_lookup_count_sql_selects_the_same_counts_as_lookup_counts(twins, names):
    """Selected as columns of another statement, the subqueries give lookup_counts'
    numbers, blank and unknown names included."""
    columns = frequencies.lookup_count_sql(*names)
    sql = ", ".join(column for column, _ in columns)
    params = [value for _, values in columns for value in values]

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql} FROM linkage_personkey", params)  # noqa: S608
        row = cursor.fetchone()

    assert frequencies.LookupCounts(*row) == frequencies.lookup_counts(*names)


def test_lookup_counts_of_an_unknown_or_blank_name_are_zero(twins):
    """A name on no key counts zero, as does a blank one; the totals are still read."""
    assert frequencies.lookup_counts("zebedee", "quinn", "zebedee") == (2, 2, 0, 0, 0)
    assert frequencies.lookup_counts("", "", "") == (2, 2, 0, 0, 0)
