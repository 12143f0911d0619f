"""Reading amendments back: display values, comparison to the minute, and rebasing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from divert.cases import actions, amendments
from divert.cases.models import Assessment, Offer
from divert.cases.tests import factories

pytestmark = pytest.mark.django_db


def test_display_value_reads_like_the_page():
    """Codes show their display, booleans yes/no, blanks 'not recorded', text in quotes."""

    assert amendments.display_value(Offer, "outcome", "not_possible") == "Not possible now"
    assert amendments.display_value(Assessment, "safeguarding_concern", True) == "yes"
    assert amendments.display_value(Assessment, "history", "") == "not recorded"
    assert amendments.display_value(Assessment, "history", "Known") == "“Known”"
    assert (
        amendments.display_value(Assessment, "urgent_actions", ["section_136"])
        == "Section 136 detention"
    )


def test_comparable_ignores_seconds_and_time_zones():
    """A time typed to the minute equals the stored time with seconds, in any zone."""
    stored = dt.datetime(2025, 6, 1, 13, 5, 42, tzinfo=dt.UTC)
    typed = dt.datetime(2025, 6, 1, 14, 5, tzinfo=ZoneInfo("Europe/London"))  # 14:05 BST

    assert amendments.comparable(Assessment, "started_at", stored) == amendments.comparable(
        Assessment, "started_at", typed
    )
    assert amendments.comparable(Assessment, "started_at", stored.isoformat()) == (
        amendments.comparable(Assessment, "started_at", typed)
    )


def test_conflict_rebases_the_second_editors_changes(service, users):
    """The second editor's own changes survive; everything else takes the current value."""
    author = users["practitioner"]
    episode = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    assessment = actions.record_assessment(
        episode=episode, by=author, started_at=episode.referral_received_at, history="A"
    )
    actions.correct_assessment(
        assessment=assessment,
        by=author,
        changes={"history": "B"},
        reason="Correction",
        expected_version=1,
    )
    assessment.refresh_from_db()
    mine = {"history": "A", "recommendations": "Mine"}

    conflict = amendments.conflict(assessment, 1, mine, ["history", "recommendations"])

    assert conflict.rebased == {"history": "B", "recommendations": "Mine"}
    assert [change.field for change in conflict.their_changes] == ["history"]
    assert conflict.clashes == []
    assert conflict.version == 2
