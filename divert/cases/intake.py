"""Intake: find the person a new referral is about, across the whole L&D service.

This is a deliberate, audited exception to caseload scoping (style.md house rule 2): a
practitioner taking a referral must be able to recognise someone known to another team, or
they would create a duplicate. It is a direct-care lookup, so:

- only holders of ``RECORD_CLINICAL`` reach it, and only after typing an identifier, or a
  family name with a date of birth (no browsing);
- people outside the searcher's caseload are shown with minimal identity only (name, date of
  birth and Divert ID), never their episodes or clinical record;
- the view writes one ``search`` audit event with the names of the fields used (not their
  values) and the ids of the people found.

Two sources of candidates are combined. Simple rules (identifiers, family name with date of
birth or its day/month swap, aliases) always run, so an exact identifier is never missed. The
linkage engine (``linkage.lookup.find_candidates``: phonetic and nickname-aware blocking and
Fellegi-Sunter scores) adds people the rules miss, such as a misspelt family name, and says how
likely each is to be the same person. Its evidence sentences replace the rules' reasons for the
people it scores; for people outside the caseload, identifier values are left out of them.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from divert.accounts.models import TeamMembership, User
from divert.cases.models import Episode
from divert.core.formatting import uk_date
from divert.linkage import lookup
from divert.organisation.models import LDService, Site, Team
from divert.people.models import Alias, Person

MAX_RESULTS = 20
# Candidates fetched before ranking: enough that the strongest are never cut off by the
# alphabetical order of many weak (name and date of birth) matches.
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Query:
    nhs_number: str = ""
    pnc_id: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None

    def fields_used(self) -> list[str]:
        return [name for name in self.__dataclass_fields__ if getattr(self, name)]


@dataclass
class Match:
    person: Person
    reasons: list[str] = field(default_factory=list)
    strength: float = 0
    on_caseload: bool = False
    likelihood: str = ""  # "likely" or "possible" when the linkage engine scored the person


def swapped(date_of_birth: dt.date | None) -> dt.date | None:
    """The same date with day and month swapped, when that is a different real date."""
    if date_of_birth is None or date_of_birth.day == date_of_birth.month:
        return None
    try:
        return date_of_birth.replace(month=date_of_birth.day, day=date_of_birth.month)
    except ValueError:
        return None


def similar_family_name(prefix: str, family_name: str) -> Q:
    """Case-insensitive: one name starts with the other, or both share the first 3 letters."""
    name = family_name.strip()
    if not name:
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}__istartswith": name})
    if len(name) >= 3:
        condition |= Q(**{f"{prefix}__istartswith": name[:3]})
    for length in range(2, min(len(name), 3)):
        condition |= Q(**{f"{prefix}__iexact": name[:length]})
    return condition


def _similar(a: str, b: str) -> bool:
    a, b = a.strip().casefold(), b.strip().casefold()
    if not a or not b:
        return False
    return a.startswith(b) or b.startswith(a) or (len(a) >= 3 and len(b) >= 3 and a[:3] == b[:3])


def service_people(user: User) -> QuerySet[Person]:
    """Current people known to the user's L&D service(s), whichever team saw them.

    People not yet on any episode (added at an intake that was not finished) are included, so
    they are found rather than added twice. Both tests are EXISTS on the episode's person
    index, so they stay cheap once the people are narrowed down by id.
    """
    services = LDService.objects.filter(
        teams__memberships__user=user, teams__memberships__left_on__isnull=True
    )
    at_service = Episode.objects.filter(person_id=OuterRef("pk"), site__service__in=services)
    any_episode = Episode.objects.filter(person_id=OuterRef("pk"))
    # scoped-query: allow (intake search; see the module docstring)
    return Person.objects.current().filter(Exists(at_service) | ~Exists(any_episode))


def service_scope(user: User) -> lookup.Scope:
    """``service_people`` as SQL for the linkage lookup, which runs on every pause in typing.

    A person is in scope when they have no episode, or at least one at a site of a service
    the user is a current member of (a team of it, not left). One correlated subquery on the
    episode's person index (the largest of 1 for a site of the user's services and 0 for
    another, or none at all), with the user's sites an uncorrelated subquery the database
    runs once. The ORM took about 5 ms to compile ``service_people`` into the lookup's
    statement; this costs nothing to build. Merged-away people are left to the lookup (it
    drops them). ``test_intake`` checks it selects the same people as ``service_people``.
    """
    quote = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    membership = TeamMembership._meta
    # Identifiers come from the models, quoted by the backend; the user's id is bound.
    sites = (
        f"SELECT s.{quote('id')} FROM {table(Site)} s "  # noqa: S608  # nosec B608
        f"INNER JOIN {table(Team)} t ON t.{quote('service_id')} = s.{quote('service_id')} "
        f"INNER JOIN {quote(membership.db_table)} m ON m.{quote('team_id')} = t.{quote('id')} "
        f"WHERE m.{quote('user_id')} = %s AND m.{quote('left_on')} IS NULL"
    )
    condition = (
        f"COALESCE((SELECT MAX(CASE WHEN e.{quote('site_id')} IN ({sites}) THEN 1 ELSE 0 END) "  # noqa: S608  # nosec B608
        f"FROM {table(Episode)} e WHERE e.{quote('person_id')} = {{person}}), 1) = 1"
    )
    return lookup.Scope(condition, (user.pk,))


def rule_candidate_ids(query: Query) -> QuerySet[Any]:
    """Ids of the people the simple rules could match: a union of indexed lookups.

    A superset: everyone with the identifier, or born on the date (or its swap), or with an
    alias born then. ``search`` applies the name rules to these few people only. Each lookup
    is its own SELECT so that each uses its own index (an OR of them, or a filter on
    ``merged_into`` beside them, can lead SQLite's planner to scan every person instead).
    """
    dates = [d for d in (query.date_of_birth, swapped(query.date_of_birth)) if d]
    # scoped-query: allow (intake search; see the module docstring)
    people = Person.objects.order_by()
    lookups: list[QuerySet[Any, Any]] = []
    if query.nhs_number:
        # The NHS number's unique index covers current people only.
        current = people.filter(nhs_number=query.nhs_number, merged_into__isnull=True)
        lookups.append(current.values("pk"))
    if query.pnc_id:
        lookups.append(people.filter(pnc_id=query.pnc_id).values("pk"))
    if dates and query.family_name:
        lookups.append(people.filter(date_of_birth__in=dates).values("pk"))
        aliases = Alias.objects.filter(date_of_birth__in=dates).order_by()
        lookups.append(aliases.values("person_id"))
    if not lookups:
        return people.none().values("pk")
    return lookups[0].union(*lookups[1:]) if len(lookups) > 1 else lookups[0]


def search(user: User, query: Query) -> list[Match]:
    """People matching ``query``, strongest first, each with the reasons it matched."""
    dates = [d for d in (query.date_of_birth, swapped(query.date_of_birth)) if d]
    condition = Q(pk__in=[])
    if query.nhs_number:
        condition |= Q(nhs_number=query.nhs_number)
    if query.pnc_id:
        condition |= Q(pnc_id=query.pnc_id)
    if dates and query.family_name:
        similar_alias = Alias.objects.filter(
            similar_family_name("family_name", query.family_name), person_id=OuterRef("pk")
        )
        condition |= Q(date_of_birth__in=dates) & (
            similar_family_name("family_name", query.family_name) | Q(Exists(similar_alias))
        )
        condition |= Q(Exists(similar_alias.filter(date_of_birth__in=dates)))
    people = list(
        service_people(user)
        .filter(pk__in=rule_candidate_ids(query))
        .filter(condition)
        .prefetch_related("aliases")
        .order_by("family_name", "given_name")[:MAX_CANDIDATES]
    )
    candidates = linked_candidates(user, query)
    caseload = set(
        Person.objects.visible_to(user)
        .filter(pk__in={p.pk for p in people} | {c.person.pk for c in candidates})
        .values_list("pk", flat=True)
    )
    found = {
        person.pk: explain(person, query, on_caseload=person.pk in caseload) for person in people
    }
    for candidate in candidates:
        match = found.get(candidate.person.pk)
        if match is None:
            match = found[candidate.person.pk] = Match(
                person=candidate.person, on_caseload=candidate.person.pk in caseload
            )
        add_evidence(match, candidate)
    matches = sorted(found.values(), key=lambda match: (-match.strength, match.person.family_name))
    return matches[:MAX_RESULTS]


def linked_candidates(user: User, query: Query) -> list[lookup.Candidate]:
    """The linkage engine's likely and possible matches among the service's people."""
    fields = {
        "given_name": query.given_name,
        "family_name": query.family_name,
        "date_of_birth": query.date_of_birth,
        "nhs_number": query.nhs_number,
        "pnc_id": query.pnc_id,
    }
    candidates = lookup.find_candidates(fields, limit=MAX_RESULTS, people=service_scope(user))
    return [candidate for candidate in candidates if candidate.decision != "non-match"]


def add_evidence(match: Match, candidate: lookup.Candidate) -> None:
    """The engine's agreeing evidence replaces the rules' reasons (aliases are kept)."""
    aliases = [reason for reason in match.reasons if reason.startswith("Also known as")]
    evidence = []
    for item in candidate.evidence:
        if item.weight <= 0:
            continue
        text = item.text
        if not match.on_caseload and item.field in {"nhs_number", "pnc_id"}:
            text = text.split(" (")[0]
        evidence.append(text)
    match.reasons = evidence + aliases
    match.likelihood = "likely" if candidate.decision == "match" else "possible"
    match.strength = max(match.strength, 0) + (100 if match.likelihood == "likely" else 40)
    match.strength += candidate.weight / 100


def explain(person: Person, query: Query, *, on_caseload: bool = False) -> Match:
    """Why ``person`` matched, in words a practitioner can check against the person."""
    match = Match(person=person, on_caseload=on_caseload)
    if query.nhs_number and person.nhs_number == query.nhs_number:
        match.reasons.append("NHS number matches")
        match.strength += 100
    if query.pnc_id and person.pnc_id == query.pnc_id:
        match.reasons.append("PNC ID matches")
        match.strength += 90
    if query.date_of_birth:
        if person.date_of_birth == query.date_of_birth:
            match.reasons.append("Date of birth matches")
            match.strength += 30
        elif person.date_of_birth == swapped(query.date_of_birth):
            match.reasons.append("Date of birth matches with day and month swapped")
            match.strength += 20
    if query.family_name:
        if person.family_name.casefold() == query.family_name.strip().casefold():
            match.reasons.append("Family name matches")
            match.strength += 20
        elif _similar(person.family_name, query.family_name):
            match.reasons.append("Family name is similar")
            match.strength += 10
    if query.given_name and _similar(person.given_name, query.given_name):
        match.reasons.append("Given name is similar")
        match.strength += 5
    dates = {query.date_of_birth, swapped(query.date_of_birth)} - {None}
    for alias in person.aliases.all():
        if not _similar(alias.family_name, query.family_name):
            continue
        if person.date_of_birth in dates or alias.date_of_birth in dates:
            name = f"{alias.given_name} {alias.family_name}".strip()
            born = f", born {uk_date(alias.date_of_birth)}" if alias.date_of_birth else ""
            match.reasons.append(f"Also known as {name}{born}")
            match.strength += 15
    return match


def audit_changes(query: Query, matches: list[Match]) -> dict[str, Any]:
    """What the audit event keeps: the names of the fields searched, never their values."""
    return {
        "fields": query.fields_used(),
        "result_person_ids": [match.person.pk for match in matches],
    }


def team_sites(user: User) -> list[Site]:
    """The active sites of the user's current teams: where they can open an episode."""
    return list(
        Site.objects.filter(
            teams__memberships__user=user,
            teams__memberships__left_on__isnull=True,
            is_active=True,
        )
        .distinct()
        .order_by("name")
    )


def team_for(user: User, site: Site) -> Team:
    """The user's current team that covers ``site`` (the first by name if several do)."""
    return Team.objects.filter(
        sites=site, memberships__user=user, memberships__left_on__isnull=True
    ).order_by("name")[0]
