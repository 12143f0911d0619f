"""Administering an instrument through actions: start, answer, complete, override."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from divert.audit.models import AuditEvent
from divert.cases import actions as case_actions
from divert.core.models import Amendment
from divert.screening import actions
from divert.screening.models import Administration, InstrumentVersion

pytestmark = pytest.mark.django_db

PHQ9_MODERATE = {f"q{n}": "1" for n in range(1, 10)} | {"q1": "3", "q2": "2"}  # 3+2+7×1 = 12


def administer(episode, instrument, by, answers, *, complete=True):
    administration = actions.start_administration(
        episode=episode, instrument_version=instrument, by=by
    )
    actions.save_answers(administration=administration, answers=answers, by=by)
    if complete:
        actions.complete_administration(administration=administration, by=by)
    administration.refresh_from_db()
    return administration


def events(administration):
    return list(
        AuditEvent.objects.filter(
            target_type="screening.Administration", target_id=str(administration.pk)
        )
        .order_by("sequence")
        .values_list("event", flat=True)
    )


def test_start_administration_records_version_and_audits(episode, published, practitioner):
    """Starting records the exact instrument version, who and when, with one audit event."""
    administration = actions.start_administration(
        episode=episode, instrument_version=published["phq-9"], by=practitioner
    )

    assert administration.instrument_version == published["phq-9"]
    assert administration.administered_by == practitioner
    assert administration.is_complete is False
    event = AuditEvent.objects.get(event="screening.started")
    assert event.target_id == str(administration.pk)
    assert event.person_id == episode.person_id
    assert event.changes == {
        "episode_id": episode.pk,
        "instrument_version_id": published["phq-9"].pk,
    }


def test_complete_administration_stores_scores_and_result(episode, published, practitioner):
    """Completing scores with the version used and stores item scores, total, band and flags."""
    answers = PHQ9_MODERATE | {"q10": "somewhat_difficult"}

    administration = administer(episode, published["phq-9"], practitioner, answers)

    assert administration.is_complete is True
    assert administration.completed_at is not None
    assert (administration.total, administration.band, administration.outcome) == (
        Decimal(12),
        "moderate",
        "positive",
    )
    assert administration.flags == ["phq9_item9_positive"]
    scores = dict(administration.answers.values_list("link_id", "score"))
    assert scores["q1"] == 3
    assert scores["q10"] is None
    assert events(administration) == [
        "screening.started",
        "screening.answers_saved",
        "screening.completed",
    ]


def test_complete_administration_audit_holds_identifiers_only(episode, published, practitioner):
    """No audit event carries answers, scores, bands, flags or reasons."""
    administration = administer(episode, published["phq-9"], practitioner, PHQ9_MODERATE)
    actions.override_result(
        administration=administration, band="severe", reason="Seen in person", by=practitioner
    )

    for event in AuditEvent.objects.filter(event__startswith="screening."):
        assert set(event.changes) == {"episode_id", "instrument_version_id"}
        assert event.reason == ""


def test_complete_administration_incomplete_refused(episode, published, practitioner):
    """A screening with an enabled required item unanswered cannot be completed."""
    administration = administer(
        episode, published["phq-9"], practitioner, {"q1": "1", "q2": "1"}, complete=False
    )

    with pytest.raises(ValidationError) as caught:
        actions.complete_administration(administration=administration, by=practitioner)

    assert set(caught.value.message_dict) == {f"q{n}" for n in range(3, 10)}
    assert caught.value.message_dict["q3"] == [
        "Answer question 3: Trouble falling or staying asleep, or sleeping too much"
    ]
    administration.refresh_from_db()
    assert administration.is_complete is False


def test_complete_administration_prorated_core10_accepted(episode, published, practitioner):
    """CORE-10 with one item unanswered completes with a prorated score."""
    answers = {f"q{n}": "2" for n in range(1, 10)}  # 9 items, each scoring 2: 10 × 18 / 9 = 20

    administration = administer(episode, published["core-10"], practitioner, answers)

    assert administration.is_complete is True
    assert administration.is_prorated is True
    assert administration.total == Decimal(20)


def test_complete_administration_audit_skip_removes_disabled_answers(
    episode, published, practitioner
):
    """AUDIT Q1 "never" completes without Q2-8; answers saved to them are removed."""
    answers = {"q1": "0", "q4": "3", "q9": "no", "q10": "yes_last_year"}

    administration = administer(episode, published["audit"], practitioner, answers)

    assert administration.total == Decimal(4)
    assert sorted(administration.answers.values_list("link_id", flat=True)) == [
        "q1",
        "q10",
        "q9",
    ]


def test_complete_administration_bjmhs_outcome(episode, published, practitioner):
    """BJMHS stores its rule-based outcome and no total."""
    answers = {f"q{n}": "no" for n in range(1, 10)} | {"q8": "yes"}

    administration = administer(episode, published["bjmhs"], practitioner, answers)

    assert (administration.total, administration.band, administration.outcome) == (
        None,
        "",
        "refer",
    )


def test_save_answers_invalid_refused_by_item(episode, published, practitioner):
    """Unknown items and invalid option codes are refused, keyed by the item."""
    administration = actions.start_administration(
        episode=episode, instrument_version=published["gad-7"], by=practitioner
    )

    with pytest.raises(ValidationError) as caught:
        actions.save_answers(
            administration=administration, answers={"q1": "9", "q42": "1"}, by=practitioner
        )

    assert set(caught.value.message_dict) == {"q1", "q42"}
    assert administration.answers.count() == 0


def test_save_answers_blank_removes_answer(episode, published, practitioner):
    """Saving a blank answer removes the earlier one; other answers stay."""
    administration = administer(
        episode, published["gad-7"], practitioner, {"q1": "1", "q2": "2"}, complete=False
    )

    actions.save_answers(administration=administration, answers={"q1": ""}, by=practitioner)

    assert dict(administration.answers.values_list("link_id", "value")) == {"q2": "2"}


def test_save_answers_after_completion_refused(episode, published, practitioner):
    """A completed screening's answers cannot change."""
    administration = administer(episode, published["phq-9"], practitioner, PHQ9_MODERATE)

    with pytest.raises(ValidationError, match="complete"):
        actions.save_answers(administration=administration, answers={"q1": "0"}, by=practitioner)


def test_complete_administration_twice_refused(episode, published, practitioner):
    """A screening is completed once."""
    administration = administer(episode, published["phq-9"], practitioner, PHQ9_MODERATE)

    with pytest.raises(ValidationError, match="already complete"):
        actions.complete_administration(administration=administration, by=practitioner)


@pytest.mark.parametrize("step", ["start", "save", "complete", "override"])
def test_actions_closed_episode_refused(episode, published, practitioner, step):
    """Nothing is recorded on a closed episode, even through a stale episode object."""
    instrument = published["phq-9"]
    administration = administer(
        episode, instrument, practitioner, PHQ9_MODERATE, complete=step == "override"
    )
    case_actions.close_episode(episode=episode, by=practitioner, reason="other")
    calls = {
        "start": lambda: actions.start_administration(
            episode=administration.episode, instrument_version=instrument, by=practitioner
        ),
        "save": lambda: actions.save_answers(
            administration=administration, answers={"q1": "0"}, by=practitioner
        ),
        "complete": lambda: actions.complete_administration(
            administration=administration, by=practitioner
        ),
        "override": lambda: actions.override_result(
            administration=administration, band="severe", reason="Seen", by=practitioner
        ),
    }

    with pytest.raises(ValidationError, match="episode is closed"):
        calls[step]()


def test_start_administration_placeholder_definition_refused(episode, practitioner):
    """An instrument row that is not a valid definition cannot be used."""
    row = InstrumentVersion.objects.create(
        slug="not-real",
        version=1,
        title="Not real",
        checksum="0" * 64,
        definition={"items": []},
        published_at=episode.referral_received_at,
    )

    with pytest.raises(ValidationError) as caught:
        actions.start_administration(episode=episode, instrument_version=row, by=practitioner)

    assert "instrument_version" in caught.value.message_dict
    assert not Administration.objects.exists()


def test_override_result_stores_band_reason_and_author(episode, published, practitioner, users):
    """A clinician's band replaces the calculated one for display, with reason and author."""
    administration = administer(episode, published["phq-9"], practitioner, PHQ9_MODERATE)

    actions.override_result(
        administration=administration,
        band="moderately_severe",
        reason="  Presentation in interview  ",
        by=users["team_leader"],
    )

    administration.refresh_from_db()
    assert administration.band == "moderate"
    assert administration.override_band == "moderately_severe"
    assert administration.override_reason == "Presentation in interview"
    assert administration.overridden_by == users["team_leader"]
    assert events(administration)[-1] == "screening.overridden"


def test_a_second_override_keeps_the_first_in_the_amendment_history(
    episode, published, practitioner, users
):
    """Overriding again replaces the clinician's band; the first override, its author and its
    time stay readable as amendments, and the calculated result never changes."""
    administration = administer(episode, published["phq-9"], practitioner, PHQ9_MODERATE)
    actions.override_result(
        administration=administration, band="mild", reason="Grieving", by=practitioner
    )
    administration.refresh_from_db()
    first_at = administration.overridden_at
    assert first_at is not None

    actions.override_result(
        administration=administration,
        band="moderately_severe",
        reason="Seen again after release",
        by=users["team_leader"],
    )

    administration.refresh_from_db()
    assert administration.band == "moderate"
    assert administration.override_band == "moderately_severe"
    assert administration.overridden_by == users["team_leader"]
    assert administration.overridden_at >= first_at
    history = {
        row.field: (row.old_value, row.new_value)
        for row in Amendment.objects.filter(object_id=str(administration.pk))
    }
    assert history["override_band"] == ("mild", "moderately_severe")
    assert history["override_reason"] == ("Grieving", "Seen again after release")
    assert history["overridden_by"][0] == practitioner.pk
    assert "overridden_at" in history


@pytest.mark.parametrize(
    ("band", "reason", "field"),
    [
        ("severe", "  ", "reason"),
        ("enormous", "Seen", "band"),
        ("moderate", "Seen", "band"),
    ],
)
def test_override_result_invalid_refused(episode, published, practitioner, band, reason, field):
    """An override needs a reason and a band of the instrument that differs from the result."""
    administration = administer(episode, published["phq-9"], practitioner, PHQ9_MODERATE)

    with pytest.raises(ValidationError) as caught:
        actions.override_result(
            administration=administration, band=band, reason=reason, by=practitioner
        )

    assert field in caught.value.message_dict


def test_override_result_bjmhs_outcome(episode, published, practitioner):
    """For BJMHS, which has no bands, the override is one of its outcomes."""
    answers = {f"q{n}": "no" for n in range(1, 10)}
    administration = administer(episode, published["bjmhs"], practitioner, answers)

    actions.override_result(
        administration=administration, band="refer", reason="Distressed", by=practitioner
    )

    administration.refresh_from_db()
    assert (administration.outcome, administration.override_band) == ("no_referral", "refer")


def test_override_result_before_completion_refused(episode, published, practitioner):
    """Only a completed result can be overridden."""
    administration = administer(
        episode, published["phq-9"], practitioner, {"q1": "1"}, complete=False
    )

    with pytest.raises(ValidationError, match="Complete the screening"):
        actions.override_result(
            administration=administration, band="severe", reason="Seen", by=practitioner
        )


def test_override_result_core10_has_nothing_to_override(episode, published, practitioner):
    """CORE-10 has no bands or outcomes, so there is nothing to override."""
    answers = {f"q{n}": "2" for n in range(1, 11)}
    administration = administer(episode, published["core-10"], practitioner, answers)

    with pytest.raises(ValidationError) as caught:
        actions.override_result(
            administration=administration, band="severe", reason="Seen", by=practitioner
        )

    assert "no bands or outcomes" in caught.value.message_dict["band"][0]
