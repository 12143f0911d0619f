"""Choosing a screening questionnaire on an episode starts an administration."""

import pytest

from divert.audit.models import AuditEvent
from divert.cases import actions as case_actions
from divert.screening.models import Administration
from divert.screening.tests.views.pages import main_text

pytestmark = pytest.mark.django_db


def choose_url(episode):
    return f"/episodes/{episode.pk}/screening/"


def test_choose_instrument_lists_latest_published_versions(client, episode, published):
    """Each instrument shows its title, what it screens for, its time period and its licence
    note in small print, with one start button each; the page writes one access event."""
    before = AuditEvent.objects.count()

    response = client.get(choose_url(episode))

    assert response.status_code == 200
    text = main_text(response)
    assert "Patient Health Questionnaire (PHQ-9)" in text
    assert "Screens for Mental health" in text
    assert "Time period last 2 weeks" in text
    assert "No permission is required to reproduce" in text
    html = response.content.decode()
    assert html.count('name="instrument"') == len(published)
    assert f'value="{published["audit"].pk}"' in html
    assert 'class="nhsuk-body-s nhsuk-u-secondary-text-colour' in html
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("sequence")
    assert (event.event, event.target_id) == ("episode.viewed", str(episode.pk))


def test_choose_instrument_starts_an_administration(client, episode, published, practitioner):
    """Choosing PHQ-9 starts an administration of that exact version and opens its questions."""
    response = client.post(choose_url(episode), {"instrument": published["phq-9"].pk})

    administration = Administration.objects.get(episode=episode)
    assert response.status_code == 302
    assert response["Location"] == f"/episodes/{episode.pk}/screening/{administration.pk}/"
    assert administration.instrument_version == published["phq-9"]
    assert administration.administered_by == practitioner
    assert AuditEvent.objects.filter(event="screening.started").count() == 1


def test_choose_instrument_unknown_instrument_refused(client, episode, published):
    """An instrument id that is not listed starts nothing and says so."""
    response = client.post(choose_url(episode), {"instrument": "999999"}, follow=True)

    assert Administration.objects.count() == 0
    assert "Choose one of the instruments listed" in main_text(response)


def test_choose_instrument_closed_episode_starts_nothing(client, episode, published, practitioner):
    """A closed episode offers no questionnaire, and a forced start is refused with the reason."""
    case_actions.close_episode(episode=episode, by=practitioner, reason="other")

    page = client.get(choose_url(episode))
    forced = client.post(choose_url(episode), {"instrument": published["phq-9"].pk}, follow=True)

    assert "This episode is closed" in main_text(page)
    assert 'name="instrument"' not in page.content.decode()
    assert Administration.objects.count() == 0
    assert "Reopen it before recording more" in main_text(forced)


def test_choose_instrument_lists_screening_in_progress(client, episode, administer):
    """A screening started but not completed is offered to continue."""
    administration = administer(episode, "gad-7", complete=False)

    html = client.get(choose_url(episode)).content.decode()

    assert f'href="/episodes/{episode.pk}/screening/{administration.pk}/"' in html
    assert "Continue the Generalised Anxiety Disorder" in html
