"""The demo-data generator: reproducible, realistic in its mix, and safe to re-run."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Exists, OuterRef
from django.test import RequestFactory

from divert.accounts.models import RoleAssignment, TeamMembership, User
from divert.audit.models import AuditEvent
from divert.cases.models import Episode, Need, Offer
from divert.nonprod.personas import PERSONAS
from divert.nonprod.seed import SCENARIO_PEOPLE
from divert.organisation.models import Site, Team
from divert.people.identifiers import is_valid_nhs_number, is_valid_pnc_id
from divert.people.models import Alert, Person
from divert.referrals.models import OnwardReferral
from divert.reporting import facts
from divert.reporting.models import EpisodeFact
from divert.screening.models import Administration
from divert.sharing.models import ConsentDecision, Disclosure

NOW = "2026-11-26T09:00"


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    """The seed's --reset and demo_logins belong to demo mode."""
    settings.DEMO_MODE = True


def seed(**options) -> str:
    out = StringIO()
    options.setdefault("now", NOW)
    call_command("seed", stdout=out, stderr=StringIO(), verbosity=1, **options)
    return out.getvalue()


def fingerprint() -> tuple:
    people = sorted(
        Person.objects.values_list(
            "local_id", "given_name", "family_name", "date_of_birth", "nhs_number", "pnc_id"
        )
    )
    episodes = sorted(
        Episode.objects.values_list(
            "reference",
            "site__code",
            "referral_received_at",
            "person__local_id",
            "closure_reason",
            "allocated_to__username",
        )
    )
    needs = sorted(Need.objects.values_list("episode__reference", "category"))
    return people, episodes, needs


@pytest.mark.django_db
def test_seed_small_run_builds_the_service():
    """A small seed writes the two-force service, staff and synthetic people."""
    output = seed(episodes=300)

    assert "ALL DATA IS SYNTHETIC" in output
    assert Episode.objects.count() == 300
    assert not Person.objects.filter(is_synthetic=False).exists()
    assert (
        Team.objects.get(name="Teesside L&D team")
        .sites.filter(code="middlesbrough-custody")
        .exists()
    )
    assert Site.objects.filter(force_area__code="durham").count() >= 5
    assert AuditEvent.objects.filter(event="demo.seeded").count() == 1
    # Bulk-written rows: the seed re-derives the KPI facts itself.
    assert EpisodeFact.objects.count() == 300
    assert facts.stale_count() == 0


@pytest.mark.django_db
def test_seed_same_seed_is_reproducible():
    """The same seed and options give the same people, episodes and needs after a reset."""
    seed(episodes=300)
    first = fingerprint()

    seed(episodes=300, reset=True)

    assert fingerprint() == first


@pytest.mark.django_db
def test_seed_different_seed_differs():
    seed(episodes=300)
    first = fingerprint()

    seed(episodes=300, reset=True, seed=7)

    assert fingerprint()[0] != first[0]
    assert fingerprint()[1] != first[1]


@pytest.mark.django_db
def test_seed_reset_leaves_the_lookup_name_counts_in_step():
    """A reseed deletes keys in bulk and writes new ones; the lookup's counts match them."""
    from collections import Counter

    from divert.linkage import frequencies
    from divert.linkage.models import NameFrequency

    seed(episodes=300)
    seed(episodes=300, reset=True, seed=7)

    stored = NameFrequency.objects.values_list("kind", "value", "count")
    assert Counter({(kind, value): n for kind, value, n in stored}) == (
        frequencies.counts_from_keys()
    )


@pytest.mark.django_db
def test_seed_distributions_follow_the_published_mix():
    """Vulnerability shares among screened episodes are close to RAND's figures (88/71/52%)."""
    seed(episodes=2000)
    episodes = Episode.objects.all()
    screened = episodes.filter(
        Exists(Administration.objects.filter(episode=OuterRef("pk"), is_complete=True))
    )
    total = screened.count()

    def share(**need_filter) -> float:
        need = Need.objects.filter(episode=OuterRef("pk"), **need_filter)
        return screened.filter(Exists(need)).count() / total

    assert 0.80 <= share() <= 0.95
    assert 0.60 <= share(category="mental_health") <= 0.80
    substance = ["substance_misuse_drugs", "substance_misuse_alcohol"]
    assert 0.40 <= share(category__in=substance) <= 0.62
    assert 0.07 <= episodes.filter(pathway="youth").count() / episodes.count() <= 0.20
    offered = episodes.filter(
        Exists(Offer.objects.filter(episode=OuterRef("pk"), outcome__in=["accepted", "declined"]))
    )
    accepted = offered.filter(
        Exists(Offer.objects.filter(episode=OuterRef("pk"), outcome="accepted"))
    )
    assert 0.83 <= accepted.count() / offered.count() <= 0.95


@pytest.mark.django_db
def test_seed_identifiers_are_synthetic_and_valid():
    """NHS numbers come from the 999 synthetic range and pass Modulus 11; PNC IDs are valid."""
    seed(episodes=2000)
    people = Person.objects.all()
    numbers = list(people.exclude(nhs_number=None).values_list("nhs_number", flat=True))
    pnc_ids = list(people.exclude(pnc_id=None).values_list("pnc_id", flat=True))

    assert all(number.startswith("999") and is_valid_nhs_number(number) for number in numbers)
    assert len(numbers) == len(set(numbers))
    assert 0.55 <= len(numbers) / people.count() <= 0.8
    assert all(is_valid_pnc_id(pnc) for pnc in pnc_ids)
    assert people.filter(is_synthetic=True).count() == people.count()


@pytest.mark.django_db
def test_seed_every_scenario_person_exists():
    seed(episodes=300)

    for given, family in SCENARIO_PEOPLE:
        assert Person.objects.filter(given_name=given, family_name=family).exists(), given
    daniel = Person.objects.get(given_name="Daniel", family_name="Robson")
    danny = Person.objects.get(given_name="Danny", family_name="Robson")
    assert (danny.date_of_birth.day, danny.date_of_birth.month) == (
        daniel.date_of_birth.month,
        daniel.date_of_birth.day,
    )
    lee_episodes = Episode.objects.filter(person__family_name__in=["Marshall", "Marshal"])
    assert lee_episodes.filter(person__given_name__in=["Lee", "Leigh"]).count() >= 11
    kayla = Episode.objects.get(person__given_name="Kayla", person__family_name="Henderson")
    assert list(kayla.offers.values_list("outcome", flat=True)) == ["declined", "accepted"]
    assert kayla.pathway == "youth"
    assert ConsentDecision.objects.filter(episode=kayla, decision="withdrawn").exists()
    jordan = Episode.objects.get(person__given_name="Jordan", person__family_name="Bell")
    assert jordan.age_at_referral == 17
    assert jordan.pathway == "youth"
    aisha = Person.objects.get(given_name="Aisha", family_name="Khan")
    assert Alert.objects.filter(person=aisha, category="communication_needs").exists()
    assert Disclosure.objects.filter(
        episode__person=daniel,
        agency__name="Cleveland Police",
        acknowledged_by__username="demo-police",
    ).exists()


@pytest.mark.django_db
def test_seed_gives_the_practitioner_work():
    """demo-practitioner has open episodes, and Middlesbrough custody had referrals today."""
    seed(episodes=300)
    practitioner = User.objects.get(username="demo-practitioner")

    assert Episode.objects.filter(allocated_to=practitioner, closed_at=None).count() >= 3
    assert (
        Episode.objects.visible_to(practitioner)
        .filter(site__code="middlesbrough-custody", referral_received_at__gte="2026-11-25T09:00Z")
        .exists()
    )
    assert OnwardReferral.objects.filter(status="attended").exists()


@pytest.mark.django_db
def test_seed_if_empty_is_a_no_op_the_second_time():
    seed(episodes=300)
    before = (Person.objects.count(), Episode.objects.count(), User.objects.count())

    output = seed(episodes=300, if_empty=True)

    assert "nothing to do" in output
    assert (Person.objects.count(), Episode.objects.count(), User.objects.count()) == before


@pytest.mark.django_db
def test_seed_refuses_to_seed_twice_without_reset():
    seed(episodes=300)

    with pytest.raises(CommandError, match="already exists"):
        seed(episodes=300)


@pytest.mark.django_db
def test_seed_reset_needs_demo_mode_or_force(settings):
    settings.DEMO_MODE = False
    seed(episodes=300, force=True, reset=True)

    with pytest.raises(CommandError, match="DIVERT_DEMO_MODE"):
        seed(episodes=300, reset=True)


@pytest.mark.django_db
def test_seed_demo_users_have_their_roles_and_the_demo_password(settings):
    seed(episodes=300)

    for persona in PERSONAS:
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=persona.username, password=settings.DEMO_PASSWORD)
        assert user is not None, persona.username
        roles = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        assert roles == set(persona.roles)
        if persona.team:
            assert TeamMembership.objects.filter(user=user, team__name=persona.team).exists()
        if persona.agency:
            assert user.agency.name == persona.agency


@pytest.mark.django_db
def test_demo_logins_prints_the_logins(settings):
    seed(episodes=300)
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    assert "ALL DATA IS SYNTHETIC" in text
    assert settings.DEMO_PASSWORD in text
    assert all(persona.username in text for persona in PERSONAS)


def test_demo_logins_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False

    with pytest.raises(CommandError, match="demo mode"):
        call_command("demo_logins", stdout=StringIO())


@pytest.mark.django_db
def test_seed_scores_agree_with_the_instrument_engine():
    """Stored answers, re-scored by divert.screening, give the stored total, band and flags."""
    from divert.screening import registry, scoring

    seed(episodes=1000)
    administrations = (
        Administration.objects.filter(is_complete=True, answers__isnull=False)
        .distinct()
        .select_related("instrument_version")
        .prefetch_related("answers")
    )

    checked = 0
    for administration in administrations:
        definition = registry.definition_of(administration.instrument_version)
        answers = {answer.link_id: answer.value for answer in administration.answers.all()}
        result = scoring.score(definition, answers)
        assert result.complete, (administration.instrument_version.slug, result.missing)
        assert result.total == administration.total
        assert result.band == administration.band
        assert result.outcome == administration.outcome
        assert [flag.code for flag in result.flags] == administration.flags
        for answer in administration.answers.all():
            expected = result.item_scores.get(answer.link_id)
            assert answer.score == (None if expected is None else expected)
        checked += 1
    assert checked >= 50
