"""The episode page leads to screening and back: a next step, and each screening on the
timeline with its flags and a link to its result."""

import pytest

from divert.cases import actions as case_actions
from divert.screening.tests.views.pages import PHQ9_MODERATE_WITH_ITEM_9, main_text, result_url

pytestmark = pytest.mark.django_db

ITEM_9_FLAG = "Item 9 (thoughts of self-harm) answered above zero: clinician follow-up today"


def test_episode_page_offers_screening_once_the_offer_is_accepted(client, episode, practitioner):
    """Awaiting screening, the first next step is to screen with a questionnaire."""
    case_actions.record_offer(episode=episode, by=practitioner, outcome="accepted")

    html = client.get(f"/episodes/{episode.pk}/").content.decode()

    steps = html[html.index("Next steps") : html.index("Record something else")]
    assert f'href="/episodes/{episode.pk}/screening/"' in steps
    assert "Screen with a questionnaire" in steps


def test_episode_page_timeline_links_each_screening(client, client_for, episode, administer):
    """A completed screening links to its result (for readers too); one in progress shows the
    item-9 flag its answers already raise, and links to carry on."""
    done = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)
    unfinished = administer(episode, "phq-9", {"q9": "3"}, complete=False)

    practitioner_page = client.get(f"/episodes/{episode.pk}/")
    reader_page = client_for("service_manager").get(f"/episodes/{episode.pk}/")

    html = practitioner_page.content.decode()
    assert f'href="{result_url(done)}">See the screening result' in html
    assert f'href="{result_url(unfinished)}">Open this screening' in html
    assert main_text(practitioner_page).count(f"Flag: {ITEM_9_FLAG}") == 2
    assert "(in progress)" in main_text(practitioner_page)
    assert f'href="{result_url(done)}"' in reader_page.content.decode()
