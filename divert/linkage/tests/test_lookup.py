"""Intake lookup over the Person table, and the keys that make it fast."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from divert.cases.tests import factories
from divert.linkage.lookup import find_candidates, refresh_keys
from divert.linkage.models import PersonKey
from divert.linkage.normalise import normalise_record
from divert.people import actions
from divert.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def known(author):
    """A few people, built through actions, with their keys refreshed."""
    people = {
        "daniel": factories.person(
            author,
            given_name="Daniel",
            family_name="Okonkwo",
            date_of_birth=dt.date(1985, 3, 11),
            postcode="TS1 2AB",
            address_line="12 High Street",
        ),
        "brother": factories.person(
            author,
            given_name="Samuel",
            family_name="Okonkwo",
            date_of_birth=dt.date(1987, 9, 2),
            postcode="TS1 2AB",
            address_line="12 High Street",
        ),
        "other": factories.person(
            author, given_name="Margaret", family_name="Hughes", date_of_birth=dt.date(1960, 1, 5)
        ),
        "nhs": factories.person(
            author,
            given_name="Priya",
            family_name="Sharma",
            date_of_birth=dt.date(1979, 8, 23),
            nhs_number="9434765919",
        ),
    }
    refresh_keys(p.pk for p in people.values())
    return people


def test_find_candidates_returning_person_despite_nickname_and_swapped_date(known):
    """Danny born 03/11 is found as Daniel born 11/03, first, with the reasons in words."""
    candidates = find_candidates(
        {"given_name": "Danny", "family_name": "Okonkwo", "date_of_birth": "1985-11-03"}
    )

    top = candidates[0]
    assert top.person == known["daniel"]
    loaded = Person.objects.get(pk=known["daniel"].pk)
    for field in Person._meta.concrete_fields:  # built from the lookup's row, as if loaded
        assert getattr(top.person, field.attname) == getattr(loaded, field.attname), field.name
    assert top.person.created_at.tzinfo is not None
    assert not top.person._state.adding
    assert top.decision in {"match", "review"}
    sentences = [e.text for e in top.evidence]
    assert "Given name 'Danny' is a short form of 'Daniel'" in sentences
    assert any(s.startswith("Date of birth matches with day and month swapped") for s in sentences)


def test_find_candidates_ranks_the_person_above_a_sibling(known):
    """A sibling at the same address is listed below the person and not as a match."""
    candidates = find_candidates(
        {
            "given_name": "Daniel",
            "family_name": "Okonkwo",
            "date_of_birth": dt.date(1985, 3, 11),
            "postcode": "ts12ab",
        }
    )

    people = [c.person for c in candidates]
    assert people[0] == known["daniel"]
    sibling = candidates[people.index(known["brother"])]
    assert sibling.decision != "match"


def test_find_candidates_by_nhs_number_alone(known):
    """The same valid NHS number finds the person and is decided a match by rule."""
    candidates = find_candidates({"nhs_number": "943 476 5919", "given_name": "P"})

    assert candidates[0].person == known["nhs"]
    assert candidates[0].decision == "match"


def test_find_candidates_excludes_a_different_nhs_number(known):
    """Someone with another valid NHS number is never proposed."""
    candidates = find_candidates(
        {
            "given_name": "Priya",
            "family_name": "Sharma",
            "date_of_birth": "1979-08-23",
            "nhs_number": "4010232137",
        }
    )

    assert known["nhs"] not in [c.person for c in candidates]


def test_find_candidates_through_an_alias(known, author):
    """A person is found under an alias recorded for them."""
    actions.add_alias(person=known["other"], by=author, given_name="Peggy", family_name="Lomax")
    refresh_keys([known["other"].pk])

    candidates = find_candidates(
        {"given_name": "Peggy", "family_name": "Lomax", "date_of_birth": "1960-01-05"}
    )

    assert candidates[0].person == known["other"]
    assert any("alias" in e.text for e in candidates[0].evidence)


def test_find_candidates_leaves_out_a_merged_person_whose_keys_remain(known):
    """A person merged into another is never proposed, even before their keys are removed."""
    from divert.people.models import Person

    Person.objects.filter(pk=known["brother"].pk).update(merged_into=known["daniel"])

    candidates = find_candidates(
        {"given_name": "Samuel", "family_name": "Okonkwo", "date_of_birth": "1987-09-02"}
    )

    assert PersonKey.objects.filter(person=known["brother"]).exists()
    assert known["brother"] not in [c.person for c in candidates]


def test_find_candidates_nothing_to_search_on(known):
    """A query with nothing usable finds no one."""
    assert find_candidates({"given_name": ""}) == []


def test_find_candidates_respects_limit(known):
    """No more than ``limit`` candidates are returned."""
    candidates = find_candidates(
        {"given_name": "Daniel", "family_name": "Okonkwo", "postcode": "TS1 2AB"}, limit=1
    )

    assert len(candidates) == 1


def test_refresh_keys_one_row_per_person_and_alias(known, author):
    """Keys are rewritten, not added to: one row for the person and one per alias."""
    person = known["daniel"]
    actions.add_alias(person=person, by=author, given_name="Dan", kind="nickname")

    refresh_keys([person.pk])
    refresh_keys([person.pk])

    rows = PersonKey.objects.filter(person=person)
    assert rows.count() == 2
    main = rows.get(alias__isnull=True)
    assert main.family_phonetic
    assert main.date_of_birth_swapped == dt.date(1985, 11, 3)
    assert main.postcode_district == "TS1"


def _bulk_people(author, count):
    """``count`` people inserted in bulk (no actions: this is about volume), with their keys."""
    from django.utils import timezone

    from divert.people.models import Person

    given = ["Adam", "Beth", "Carl", "Dina", "Evan", "Fay", "Gus", "Hana", "Ivor", "Jade"]
    family = ["Moss", "Reid", "Hart", "Lowe", "Nash", "Pike", "Shaw", "Toms", "Vale", "Wood"]
    now = timezone.now()
    Person.objects.bulk_create(
        [
            Person(
                local_id=f"BULK-{n:07d}",
                given_name=given[n % 10],
                family_name=f"{family[(n // 10) % 10]}{n // 100}",
                date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=n * 7),
                created_at=now,
                created_by=author,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    refresh_keys(Person.objects.filter(local_id__startswith="BULK-").values_list("pk", flat=True))


def test_find_candidates_with_name_frequencies_from_many_keys(known, author):
    """With 2,500+ people the lookup uses name frequencies, and still ranks the person first."""
    _bulk_people(author, 2_500)
    assert PersonKey.objects.count() >= 2_500

    candidates = find_candidates(
        {"given_name": "Daniel", "family_name": "Okonkwo", "date_of_birth": "1985-03-11"}
    )

    assert candidates[0].person == known["daniel"]
    assert candidates[0].decision in {"match", "review"}
    assert any("Family name" in e.text for e in candidates[0].evidence)


def test_lookup_totals_follow_added_and_merged_people(known, author, users):
    """The prior's head count moves with every person added, and a merged-away person (who
    loses their keys) is not counted; aliases count as keys, not people."""
    from divert.linkage import actions as linkage_actions
    from divert.linkage.frequencies import lookup_counts

    before = lookup_counts("", "", "")
    _bulk_people(author, 50)
    actions.add_alias(person=known["daniel"], by=author, given_name="Dan")
    added = lookup_counts("", "", "")
    linkage_actions.merge_people(
        survivor=known["daniel"],
        merged=known["brother"],
        by=users["team_leader"],
        reason="Same person, checked",
    )

    after = lookup_counts("", "", "")

    assert (before.keys, before.people) == (4, 4)
    assert (added.keys, added.people) == (55, 54)
    assert after.people == 53
    assert after.keys == PersonKey.objects.count()


def _namesakes(author, count, *, born=dt.date(1985, 6, 15), prefix="NAME"):
    """``count`` people called Okafor in TS1, born a week apart either side of ``born``."""
    from django.utils import timezone

    from divert.people.models import Person

    now = timezone.now()
    people = Person.objects.bulk_create(
        [
            Person(
                local_id=f"{prefix}-{n:05d}",
                given_name=["Ada", "Ben", "Cal", "Dee"][n % 4],
                family_name="Okafor",
                date_of_birth=born + dt.timedelta(days=7 * (n - count // 2)),
                postcode="TS1 4XY",
                created_at=now,
                created_by=author,
            )
            for n in range(count)
        ]
    )
    refresh_keys(p.pk for p in people)
    return people


def test_a_common_block_is_read_nearest_the_date_of_birth_first(known, author, monkeypatch):
    """Many people sharing a family name and district: only those born nearest the query's
    date are read from that block, a few either side, not all of them."""
    from divert.linkage import lookup

    monkeypatch.setattr(lookup, "NEAREST_PER_SIDE", 3)
    born = dt.date(1985, 6, 15)
    people = _namesakes(author, 60, born=born)
    query = normalise_record(
        {"record_id": "q", "family_name": "Okafor", "postcode": "TS1 9ZZ", "date_of_birth": born}
    )

    ids = set(lookup.candidate_ids(query))

    by_distance = sorted(people, key=lambda p: (abs((p.date_of_birth - born).days), p.pk))
    assert {p.pk for p in by_distance[:5]} <= ids
    assert len(ids) < 20
    assert {p.pk for p in by_distance[-10:]}.isdisjoint(ids)


def test_find_candidates_query_count_does_not_grow_with_candidates(known, author):
    """Thirty candidates, some with aliases, cost the same queries as one: no query per
    person or alias."""

    query = {"given_name": "Ada", "family_name": "Okafor", "date_of_birth": "1985-06-15"}
    _namesakes(author, 1, prefix="ONE")
    with CaptureQueriesContext(connection) as one:
        assert len(find_candidates(query)) == 1
    for person in _namesakes(author, 30, prefix="MANY")[:5]:
        actions.add_alias(person=person, by=author, given_name="Adaeze")

    with CaptureQueriesContext(connection) as many:
        found = find_candidates(query)

    assert len(found) == 10
    assert len(many.captured_queries) == len(one.captured_queries)


def test_find_candidates_reads_candidates_and_name_counts_in_one_query(known):
    """Blocking, the candidates' fields and aliases, and the name counts are one statement;
    the only other query fetches the people shown."""
    query = {"given_name": "Danny", "family_name": "Okonkwo", "date_of_birth": "1985-11-03"}

    with CaptureQueriesContext(connection) as queries:
        found = find_candidates(query)

    assert found[0].person == known["daniel"]
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 2
    assert "linkage_personkey" in statements[0]
    assert "linkage_namefrequency" in statements[0]
    assert "linkage_personkey" not in statements[1]


def test_find_candidates_searches_only_the_people_in_scope(known):
    """A scope leaves out everyone else, even the best match; in one statement still."""
    query = {
        "given_name": "Danny",
        "family_name": "Okonkwo",
        "date_of_birth": "1985-11-03",
        "postcode": "TS1 2AB",
    }
    scope = Person.objects.exclude(pk=known["daniel"].pk)

    with CaptureQueriesContext(connection) as queries:
        found = find_candidates(query, people=scope)

    people = [candidate.person for candidate in found]
    assert known["daniel"] not in people
    assert known["brother"] in people
    assert len(queries.captured_queries) == 2
    assert find_candidates(query, people=Person.objects.none()) == []


def test_find_candidates_scoped_as_intake_scopes(known, author, service):
    """``service_scope``, as intake passes it: people seen by the user's service, or on no
    episode yet, are found; someone seen only by another service is not."""
    from divert.cases.intake import service_scope

    seen = factories.episode(
        author,
        subject=known["brother"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    site, team = factories.other_service_site()
    factories.episode(author, subject=known["daniel"], site=site, team=team)
    query = {
        "given_name": "Daniel",
        "family_name": "Okonkwo",
        "date_of_birth": "1985-03-11",
        "postcode": "TS1 2AB",
    }

    found = [c.person for c in find_candidates(query, people=service_scope(author))]

    assert known["daniel"] not in found
    assert seen.person in found
    assert known["daniel"] in [c.person for c in find_candidates(query)]


def test_find_candidates_without_name_counts_still_scores(known):
    """With the name counts gone (a database whose counts were never built) the lookup still
    finds the person, weighing names without term frequencies."""
    from divert.linkage.models import NameFrequency

    NameFrequency.objects.all().delete()

    found = find_candidates(
        {"given_name": "Daniel", "family_name": "Okonkwo", "date_of_birth": "1985-03-11"}
    )

    assert found[0].person == known["daniel"]


def test_blocking_reads_personkey_only_through_indexes(known):
    """Every block of a full query is an index scan (SQLite's plan; PostgreSQL's with
    sequential scans switched off, as its planner prefers them on a tiny test table)."""
    from divert.linkage import lookup

    query = normalise_record(
        {
            "record_id": "q",
            "given_name": "Daniel",
            "family_name": "Okonkwo",
            "date_of_birth": dt.date(1985, 3, 11),
            "nhs_number": "9434765919",
            "pnc_id": "96/123456K",
            "postcode": "TS1 2AB",
        }
    )
    sql, params = lookup.blocking_sql(query)
    assert sql.count(" UNION ") == len(lookup.blocks(query)) + 3  # broad blocks: two scans

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan
            assert plan.count("Index") >= len(lookup.blocks(query))
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            steps = [row[-1] for row in cursor.fetchall()]
            reads = [step for step in steps if "linkage_personkey" in step]
            assert reads
            assert all("USING INDEX" in s or "USING COVERING INDEX" in s for s in reads), reads
            assert not any("TEMP B-TREE FOR ORDER BY" in s for s in reads)


@pytest.fixture
def recorded(author):
    """A person with a double-barrelled name, a 1 January date, a PNC ID and an abbreviated
    address, under two aliases (one a previous name, one a nickname on another date)."""
    person = factories.person(
        author,
        given_name=" Lee-Ann ",
        family_name="Smith-MacDonald",
        date_of_birth=dt.date(1990, 1, 1),
        pnc_id="96/123456K",
        address_line="Flat 2, 12 High St",
        postcode="ts1 2ab",
    )
    actions.add_alias(person=person, by=author, family_name="O'Brien", kind="previous_name")
    actions.add_alias(
        person=person,
        by=author,
        given_name="Annie",
        date_of_birth=dt.date(1990, 3, 4),
        kind="nickname",
    )
    return person


def _records_of(person):
    from divert.linkage import lookup

    query = normalise_record(
        {"record_id": "q", "family_name": person.family_name, "pnc_id": person.pnc_id}
    )
    found, _ = lookup._candidate_records(Person.objects.all(), query)
    return [record for person_id, record in found if person_id == person.pk]


def test_candidate_records_read_from_keys_equal_the_person_normalised(recorded):
    """The records a lookup builds from key rows are those normalising the person and each
    alias gives, display names and alias kinds included."""
    from divert.linkage.lookup import person_variants

    expected = person_variants(recorded, recorded.aliases.order_by("pk"))

    assert PersonKey.objects.filter(person=recorded, is_compared=True).count() == 3
    assert _records_of(recorded) == expected
    assert expected[0].family_parts == ("smith", "mcdonald")
    assert expected[0].address == "flat 2 12 high street"
    assert [r.variant for r in expected] == ["", "previous_name", "nickname"]


def test_candidate_records_normalise_keys_written_before_the_compared_fields(recorded):
    """Keys without the compared fields (written before they existed) are normalised from
    the person and alias, to the same records."""
    from divert.linkage.lookup import person_variants

    PersonKey.objects.filter(person=recorded).update(is_compared=False, address="", family_parts="")

    assert _records_of(recorded) == person_variants(recorded, recorded.aliases.order_by("pk"))


def test_fill_compared_fields_fills_old_keys_as_refresh_keys_writes_them(recorded):
    """The data migration's fill gives old keys the values refresh_keys writes."""
    from divert.linkage.lookup import fill_compared_fields

    fields = ("alias_id", "family_parts", "address", "is_compared")
    written = set(PersonKey.objects.values_list(*fields))
    PersonKey.objects.update(is_compared=False, address="", family_parts="")

    filled = fill_compared_fields(batch=2)

    assert filled == 3
    assert set(PersonKey.objects.values_list(*fields)) == written
    assert fill_compared_fields() == 0


def test_key_row_of_a_name_cut_to_fit_is_left_to_the_lookup():
    """A name longer than its key column is not read back from the key: the cut value would
    compare differently."""
    from divert.linkage.lookup import key_row

    record = normalise_record({"record_id": "1", "given_name": "A" * 120, "family_name": "Lee"})

    assert not key_row(1, record).is_compared
    assert key_row(1, normalise_record({"record_id": "1", "given_name": "Ann"})).is_compared
