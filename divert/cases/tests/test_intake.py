"""Intake search: the matching rules and the reasons given, scoped to the user's service."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F

from conftest import make_user
from divert.accounts.models import TeamMembership
from divert.accounts.roles import RoleName
from divert.cases import intake
from divert.cases.tests import factories
from divert.people import actions as people_actions

pytestmark = pytest.mark.django_db

BORN = dt.date(1990, 3, 7)


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def daniel(author, service):
    """Known to the south team only: outside the north practitioner's caseload."""
    person = factories.person(
        author,
        given_name="Daniel",
        family_name="Hargreaves",
        date_of_birth=BORN,
        nhs_number="9434765919",
        pnc_id="08/123456K",
    )
    factories.episode(
        author,
        subject=person,
        site=service["sites"]["south-custody"],
        team=service["teams"]["south"],
    )
    return person


def search(user, **fields):
    return intake.search(user, intake.Query(**fields))


def test_swapped_gives_the_other_reading_of_an_ambiguous_date():
    """7 March read the other way is 3 July; 13 March and 5 May have no other reading."""

    assert intake.swapped(dt.date(1990, 3, 7)) == dt.date(1990, 7, 3)
    assert intake.swapped(dt.date(1990, 3, 13)) is None
    assert intake.swapped(dt.date(1990, 5, 5)) is None
    assert intake.swapped(None) is None


def test_search_finds_by_nhs_number_across_the_service(author, daniel):
    """An exact NHS number finds someone known only to another team, and says why."""

    [match] = search(author, nhs_number="9434765919")

    assert match.person == daniel
    assert "NHS number matches" in match.reasons
    assert match.on_caseload is False


def test_search_finds_by_pnc_id(author, daniel):
    """An exact PNC ID finds the person."""

    [match] = search(author, pnc_id="08/123456K")

    assert match.reasons == ["PNC ID matches"]


def test_search_finds_swapped_date_and_misspelt_family_name(author, daniel):
    """'Hargraves' born 3 July finds Hargreaves born 7 March (first 3 letters, day/month)."""

    [match] = search(author, family_name="hargraves", date_of_birth=dt.date(1990, 7, 3))

    assert match.person == daniel
    assert match.likelihood == "likely"
    assert match.reasons == [
        "Date of birth matches with day and month swapped (03/07/1990 and 07/03/1990)",
        "Family names 'hargraves' and 'Hargreaves' are spelt almost the same",
    ]


def test_the_linkage_engine_finds_a_misspelling_the_rules_miss(author, daniel):
    """'Dan Hagreaves' (first three letters differ) born 3 July is still offered, as a person
    the engine scores, with the nickname and the swapped date as its evidence."""

    matches = search(
        author, given_name="Dan", family_name="Hagreaves", date_of_birth=dt.date(1990, 7, 3)
    )

    [match] = matches
    assert match.person == daniel
    assert match.likelihood in {"likely", "possible"}
    assert any("short form" in reason for reason in match.reasons)
    assert any("day and month swapped" in reason for reason in match.reasons)


def test_identifier_values_stay_hidden_for_people_outside_the_caseload(author, daniel):
    """A near-miss NHS number is explained without printing the other person's number."""

    matches = search(
        author,
        nhs_number="9434765911",  # one digit different (not a valid number, but typed)
        given_name="Daniel",
        family_name="Hargreaves",
        date_of_birth=BORN,
    )

    [match] = [m for m in matches if m.person == daniel]
    assert not any("943" in reason for reason in match.reasons)


def test_search_finds_a_family_name_prefix(author, daniel):
    """A short prefix of the family name with the right date of birth is enough."""

    [match] = search(author, family_name="Ha", date_of_birth=BORN)

    assert match.person == daniel


def test_search_needs_the_date_of_birth_with_a_name(author, daniel):
    """A similar name on a different date of birth is not a match."""

    assert search(author, family_name="Hargreaves", date_of_birth=dt.date(1991, 3, 7)) == []


def test_search_finds_an_alias(author, daniel):
    """A name the person has used before finds them, and the reason names it."""
    people_actions.add_alias(person=daniel, by=author, given_name="Danny", family_name="Smith")

    [match] = search(author, family_name="Smith", date_of_birth=BORN)

    assert match.person == daniel
    assert "Also known as Danny Smith" in match.reasons


def test_search_puts_identifier_matches_first(author, daniel):
    """An NHS number match outranks a name and date-of-birth match."""
    other = factories.person(author, given_name="Dan", family_name="Hargreaves", date_of_birth=BORN)

    matches = search(author, nhs_number="9434765919", family_name="Hargreaves", date_of_birth=BORN)

    assert [match.person for match in matches] == [daniel, other]


def test_search_marks_people_on_the_caseload(author, service):
    """People with an episode at the searcher's team's sites are marked as on the caseload."""
    episode = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )

    [match] = search(author, family_name="Tester", date_of_birth=episode.person.date_of_birth)

    assert match.on_caseload is True


def test_search_stays_within_the_users_service(author, users):
    """Someone known only to a different L&D service is not found."""
    site, team = factories.other_service_site("far")
    elsewhere = factories.person(author, family_name="Faraway", date_of_birth=BORN)
    factories.episode(author, subject=elsewhere, site=site, team=team)

    assert search(author, family_name="Faraway", date_of_birth=BORN) == []


def _in_sql_scope(scope):
    """Ids of the current people a lookup ``Scope`` lets through."""
    condition = scope.condition.format(person="p.id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id FROM people_person p WHERE p.merged_into_id IS NULL AND {condition}",  # noqa: S608
            list(scope.params),
        )
        return {row[0] for row in cursor.fetchall()}


def test_service_scope_lets_through_the_people_service_people_does(author, users, service):
    """The lookup's SQL scope and the QuerySet agree person by person: on no episode, at
    the user's service (either team), elsewhere only, at both; for a member, a user who has
    left their team, and one in no team."""
    away_site, away_team = factories.other_service_site("away")
    north = service["sites"]["north-custody"], service["teams"]["north"]
    south = service["sites"]["south-custody"], service["teams"]["south"]
    people = {name: factories.person(author, family_name=name) for name in "ABCDE"}
    factories.episode(author, subject=people["B"], site=north[0], team=north[1])
    factories.episode(author, subject=people["C"], site=south[0], team=south[1])
    factories.episode(author, subject=people["D"], site=away_site, team=away_team)
    factories.episode(author, subject=people["E"], site=away_site, team=away_team)
    factories.episode(author, subject=people["E"], site=north[0], team=north[1])
    leaver = make_user("leaver", [RoleName.PRACTITIONER], team=service["teams"]["north"])
    TeamMembership.objects.filter(user=leaver).update(left_on=F("joined_on"))
    loner = make_user("loner", [RoleName.PRACTITIONER])

    for user in (author, leaver, loner):
        expected = set(intake.service_people(user).values_list("pk", flat=True))
        assert _in_sql_scope(intake.service_scope(user)) == expected, user.username
    member = _in_sql_scope(intake.service_scope(author))
    assert {people[name].pk for name in "ABCE"} <= member
    assert people["D"].pk not in member
    assert people["B"].pk not in _in_sql_scope(intake.service_scope(loner))


def test_audit_changes_hold_field_names_not_values(author, daniel):
    """The audit record names the fields searched and the ids found, never what was typed."""
    query = intake.Query(family_name="Hargreaves", date_of_birth=BORN)

    changes = intake.audit_changes(query, intake.search(author, query))

    assert changes == {"fields": ["family_name", "date_of_birth"], "result_person_ids": [daniel.pk]}
    assert "Hargreaves" not in str(changes)
