"""A clinician may override the calculated band (or outcome) with a reason; both are kept."""

import pytest

from divert.screening.tests.views.pages import (
    PHQ9_MODERATE_WITH_ITEM_9,
    compact,
    main_text,
    result_url,
)

pytestmark = pytest.mark.django_db


def override_url(administration):
    return result_url(administration).replace("/result/", "/override/")


def test_override_offers_the_other_bands(client, episode, administer):
    """The choices are the definition's bands except the calculated one."""
    administration = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)

    response = client.get(override_url(administration))

    html = compact(response)
    assert response.status_code == 200
    assert "The calculated result is Moderate, score 12 out of 27" in main_text(response)
    assert "Which band do you judge right?" in html
    for value in ("none_minimal", "mild", "moderately_severe", "severe"):
        assert f'name="band" type="radio" value="{value}"' in html
    assert 'value="moderate"' not in html


def test_override_needs_a_reason(client, episode, administer):
    """Without a reason nothing is overridden and the error summary asks for one."""
    administration = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)

    response = client.post(override_url(administration), {"band": "severe", "reason": "  "})

    html = compact(response)
    assert response.status_code == 200
    assert '<a href="#id_reason">Give the reason for overriding the calculated result</a>' in html
    administration.refresh_from_db()
    assert administration.override_band == ""


def test_override_needs_a_band(client, episode, administer):
    """Without a band the error summary asks for one."""
    administration = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)

    response = client.post(override_url(administration), {"reason": "Seen in person"})

    assert '<a href="#id_band">Select the band you judge right</a>' in compact(response)


def test_override_recorded_and_shown_with_who_and_why(client, episode, administer, practitioner):
    """The override, its reason and who made it show beside the calculated result."""
    administration = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)

    response = client.post(
        override_url(administration),
        {"band": "moderately_severe", "reason": "Not eating or sleeping for a week"},
        follow=True,
    )

    text = main_text(response)
    administration.refresh_from_db()
    assert (administration.override_band, administration.overridden_by) == (
        "moderately_severe",
        practitioner,
    )
    assert "Override recorded" in text
    assert "Clinician's result Moderately severe" in text
    assert "Calculated result Moderate" in text
    assert "Reason Not eating or sleeping for a week" in text
    assert f"Overridden by {practitioner.get_full_name()}" in text
    assert "Band Moderate" in text
    assert "Override the calculated result" not in text


def test_override_bjmhs_offers_the_other_outcome(client, episode, administer):
    """BJMHS has no bands: the override is of the referral outcome."""
    answers = {f"q{n}": "no" for n in range(1, 10)}
    administration = administer(episode, "bjmhs", answers)

    response = client.get(override_url(administration))

    html = compact(response)
    assert "Which outcome do you judge right?" in html
    assert 'name="band" type="radio" value="refer"' in html
    assert 'value="no_referral"' not in html


def test_override_only_once(client, episode, administer):
    """Once overridden, the override page goes back to the result: the reason stands."""
    administration = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)
    client.post(override_url(administration), {"band": "severe", "reason": "Seen in person"})

    response = client.post(
        override_url(administration), {"band": "mild", "reason": "Changed my mind"}, follow=True
    )

    administration.refresh_from_db()
    assert administration.override_band == "severe"
    assert "This result cannot be overridden" in main_text(response)


def test_override_before_completion_goes_to_the_questions(client, episode, administer):
    """An unfinished screening has no result to override."""
    administration = administer(episode, "phq-9", complete=False)

    response = client.get(override_url(administration), follow=True)

    assert response.redirect_chain[-1][0] == result_url(administration).replace("result/", "")
