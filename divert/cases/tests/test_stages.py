"""The episode stage: the pure rule, and the one-query annotation agreeing with it."""

import datetime as dt

import pytest
from django.utils import timezone

from divert.cases import actions
from divert.cases.models import Episode
from divert.cases.stages import Stage, derive_stage
from divert.cases.tests import factories
from divert.screening.models import Administration, InstrumentVersion

# Columns: closed, completed assessment, complete screening, accepted offer, any offer.
STAGE_TABLE = [
    (False, False, False, False, False, Stage.NEW),
    (False, False, False, False, True, Stage.NOT_ENGAGED),
    (False, False, False, True, False, Stage.AWAITING_SCREENING),
    (False, False, False, True, True, Stage.AWAITING_SCREENING),
    (False, False, True, False, False, Stage.AWAITING_ASSESSMENT),
    (False, False, True, False, True, Stage.AWAITING_ASSESSMENT),
    (False, False, True, True, False, Stage.AWAITING_ASSESSMENT),
    (False, False, True, True, True, Stage.AWAITING_ASSESSMENT),
    (False, True, False, False, False, Stage.SUPPORT),
    (False, True, False, False, True, Stage.SUPPORT),
    (False, True, False, True, False, Stage.SUPPORT),
    (False, True, False, True, True, Stage.SUPPORT),
    (False, True, True, False, False, Stage.SUPPORT),
    (False, True, True, False, True, Stage.SUPPORT),
    (False, True, True, True, False, Stage.SUPPORT),
    (False, True, True, True, True, Stage.SUPPORT),
    (True, False, False, False, False, Stage.CLOSED),
    (True, False, False, False, True, Stage.CLOSED),
    (True, False, False, True, False, Stage.CLOSED),
    (True, False, False, True, True, Stage.CLOSED),
    (True, False, True, False, False, Stage.CLOSED),
    (True, False, True, False, True, Stage.CLOSED),
    (True, False, True, True, False, Stage.CLOSED),
    (True, False, True, True, True, Stage.CLOSED),
    (True, True, False, False, False, Stage.CLOSED),
    (True, True, False, False, True, Stage.CLOSED),
    (True, True, False, True, False, Stage.CLOSED),
    (True, True, False, True, True, Stage.CLOSED),
    (True, True, True, False, False, Stage.CLOSED),
    (True, True, True, False, True, Stage.CLOSED),
    (True, True, True, True, False, Stage.CLOSED),
    (True, True, True, True, True, Stage.CLOSED),
]


@pytest.mark.parametrize(
    ("is_closed", "assessed", "screened", "accepted", "offered", "expected"), STAGE_TABLE
)
def test_derive_stage_table(is_closed, assessed, screened, accepted, offered, expected):
    """The furthest step recorded decides the stage, closure first and a bare referral last."""

    stage = derive_stage(
        is_closed=is_closed,
        has_completed_assessment=assessed,
        has_screening=screened,
        has_accepted_offer=accepted,
        has_any_offer=offered,
    )

    assert stage == expected


def test_derive_stage_table_covers_every_combination():
    """The table above lists each of the 32 combinations exactly once."""

    combinations = {row[:5] for row in STAGE_TABLE}

    assert len(combinations) == len(STAGE_TABLE) == 32


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def instrument(db):
    return InstrumentVersion.objects.create(
        slug="test-instrument",
        version=1,
        title="Brief Jail Mental Health Screen",
        checksum="0" * 64,
        definition={"items": []},
        published_at=timezone.now() - dt.timedelta(days=30),
    )


def screen(episode, by, instrument, *, complete=True):
    """Record a screening directly: the screening engine's actions do not exist yet."""
    started = timezone.now() - dt.timedelta(minutes=20)
    return Administration.objects.create(
        episode=episode,
        instrument_version=instrument,
        started_at=started,
        completed_at=started + dt.timedelta(minutes=10) if complete else None,
        is_complete=complete,
        administered_by=by,
        outcome="refer",
    )


def assess(episode, by, *, complete=True):
    started = timezone.now() - dt.timedelta(minutes=5)
    return actions.record_assessment(
        episode=episode,
        by=by,
        started_at=started,
        completed_at=started + dt.timedelta(minutes=4) if complete else None,
    )


def accept(episode, by):
    return actions.record_offer(episode=episode, by=by, outcome="accepted")


BUILDS = {
    "new": (lambda ep, by, inst: None, Stage.NEW),
    "declined": (
        lambda ep, by, inst: actions.record_offer(episode=ep, by=by, outcome="declined"),
        Stage.NOT_ENGAGED,
    ),
    "not_possible": (
        lambda ep, by, inst: actions.record_offer(
            episode=ep, by=by, outcome="not_possible", not_possible_reason="intoxicated"
        ),
        Stage.NOT_ENGAGED,
    ),
    "accepted": (lambda ep, by, inst: accept(ep, by), Stage.AWAITING_SCREENING),
    "declined_then_accepted": (
        lambda ep, by, inst: [
            actions.record_offer(episode=ep, by=by, outcome="declined"),
            accept(ep, by),
        ],
        Stage.AWAITING_SCREENING,
    ),
    "screening_started": (
        lambda ep, by, inst: [accept(ep, by), screen(ep, by, inst, complete=False)],
        Stage.AWAITING_SCREENING,
    ),
    "screened": (
        lambda ep, by, inst: [accept(ep, by), screen(ep, by, inst)],
        Stage.AWAITING_ASSESSMENT,
    ),
    "assessment_started": (
        lambda ep, by, inst: [accept(ep, by), screen(ep, by, inst), assess(ep, by, complete=False)],
        Stage.AWAITING_ASSESSMENT,
    ),
    "assessed": (
        lambda ep, by, inst: [accept(ep, by), screen(ep, by, inst), assess(ep, by)],
        Stage.SUPPORT,
    ),
    "closed_new": (
        lambda ep, by, inst: actions.close_episode(episode=ep, by=by, reason="disengaged"),
        Stage.CLOSED,
    ),
    "closed_assessed": (
        lambda ep, by, inst: [
            accept(ep, by),
            screen(ep, by, inst),
            assess(ep, by),
            actions.close_episode(episode=ep, by=by, reason="completed_referred_on"),
        ],
        Stage.CLOSED,
    ),
}


@pytest.fixture
def built(service, author, instrument):
    """One episode per named build, each reached through actions."""
    north = {"site": service["sites"]["north-custody"], "team": service["teams"]["north"]}
    episodes = {}
    for name, (build, _) in BUILDS.items():
        episode = factories.episode(author, **north)
        build(episode, author, instrument)
        episodes[name] = episode.pk
    return episodes


def stage_from_rows(episode):
    """The stage derive_stage gives from the rows recorded under ``episode``."""
    return derive_stage(
        is_closed=episode.closed_at is not None,
        has_completed_assessment=episode.assessments.filter(completed_at__isnull=False).exists(),
        has_screening=episode.administrations.filter(is_complete=True).exists(),
        has_accepted_offer=episode.offers.filter(outcome="accepted").exists(),
        has_any_offer=episode.offers.exists(),
    )


def test_with_stage_matches_expected_stage_for_each_build(built):
    """Each episode built through actions has the stage its history implies."""

    stages = dict(Episode.objects.with_stage().values_list("pk", "stage"))

    assert {name: stages[pk] for name, pk in built.items()} == {
        name: expected for name, (_, expected) in BUILDS.items()
    }


def test_with_stage_agrees_with_derive_stage(built):
    """The database annotation and the pure rule agree for every episode."""

    annotated = {episode.pk: episode.stage for episode in Episode.objects.with_stage()}

    from_rows = {episode.pk: stage_from_rows(episode) for episode in Episode.objects.all()}
    assert annotated == from_rows
    assert len(annotated) == len(BUILDS)


def test_with_stage_single_query(built, django_assert_num_queries):
    """Stages for many episodes come from one query, however many episodes there are."""

    with django_assert_num_queries(1):
        stages = [episode.stage for episode in Episode.objects.with_stage()]

    assert len(stages) == len(BUILDS)
