"""Fixtures for the screening pages: a signed-in practitioner and administrations built through
actions."""

import pytest

from divert.screening import actions


@pytest.fixture
def client(client_for):
    return client_for("practitioner")


@pytest.fixture
def administer(published, practitioner):
    """``administer(episode, "phq-9", answers, complete=True)``: started, answered, completed."""

    def _administer(episode, slug, answers=None, *, complete=True, by=None):
        by = by or practitioner
        administration = actions.start_administration(
            episode=episode, instrument_version=published[slug], by=by
        )
        if answers:
            actions.save_answers(administration=administration, answers=answers, by=by)
        if complete:
            actions.complete_administration(administration=administration, by=by)
        administration.refresh_from_db()
        return administration

    return _administer
