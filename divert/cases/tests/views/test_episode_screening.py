"""The episode timeline shows a screening's band and flags in words, from the version used."""

import pytest

from divert.cases.tests import factories
from divert.screening import actions as screening
from divert.screening.models import InstrumentVersion

pytestmark = pytest.mark.django_db


def test_timeline_shows_band_label_and_item_nine_flag(users, service, client_for):
    """A PHQ-9 scoring 10 with item 9 at 1 shows 'Moderate' and the item-9 follow-up flag."""
    author = users["practitioner"]
    episode = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    phq9 = InstrumentVersion.objects.get(slug="phq-9", version=1)
    administration = screening.start_administration(
        episode=episode, instrument_version=phq9, by=author
    )
    answers = {f"q{n}": "1" for n in range(1, 10)} | {"q1": "2", "q10": "somewhat_difficult"}
    screening.save_answers(administration=administration, answers=answers, by=author)
    screening.complete_administration(administration=administration, by=author)

    html = client_for("practitioner").get(f"/episodes/{episode.pk}/").content.decode()

    assert "Score 10 - Moderate" in html
    assert "Item 9 (thoughts of self-harm) answered above zero" in html
