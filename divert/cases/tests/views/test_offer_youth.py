"""The offer form's youth rules: who was present for under-18s, and Gillick competence for
under-16s who accept (the action enforces it; the form shows the question only when asked)."""

import datetime as dt

import pytest
from django.utils import timezone

from divert.cases.models import Episode
from divert.cases.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def north(service):
    return {"site": service["sites"]["north-custody"], "team": service["teams"]["north"]}


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def client(client_for):
    return client_for("practitioner")


def offered(**extra):
    local = timezone.localtime(timezone.now() - dt.timedelta(minutes=5))
    return {
        "offered_at_day": local.day,
        "offered_at_month": local.month,
        "offered_at_year": local.year,
        "offered_at_time": f"{local:%H:%M}",
        **extra,
    }


def test_adult_offer_has_no_youth_questions(client, author, north):
    """Adults are not asked about appropriate adults, parents or competence."""
    episode = factories.episode(author, **north)

    html = client.get(f"/episodes/{episode.pk}/offer/").content.decode()

    assert "appropriate adult" not in html.lower()
    assert "Gillick" not in html


def test_seventeen_year_old_is_asked_who_was_present_but_not_competence(client, author, north):
    """16 and 17-year-olds get the youth questions, but Gillick applies only under 16."""
    episode = factories.youth_episode(author, age=17, **north)

    html = client.get(f"/episodes/{episode.pk}/offer/").content.decode()

    assert "Was an appropriate adult present?" in html
    assert "Was a parent or carer present?" in html
    assert "Youth justice worker" in html
    assert "Gillick" not in html


def test_under_sixteen_accepting_needs_gillick_competence(client, author, north):
    """A 15-year-old's acceptance without a competence answer is refused, on that question."""
    episode = factories.youth_episode(author, age=15, **north)

    html = client.post(
        f"/episodes/{episode.pk}/offer/", offered(outcome="accepted")
    ).content.decode()

    assert "There is a problem" in html
    assert 'href="#id_competence"' in html
    assert "Record whether this under-16 is competent to consent (Gillick)" in html
    assert not episode.offers.exists()


def test_under_sixteen_declines_then_accepts_with_an_appropriate_adult(client, author, north):
    """Declined first, then accepted with the appropriate adult and Gillick competence: both
    offers are kept and the episode moves on."""
    episode = factories.youth_episode(author, age=15, **north)
    aa = {
        "appropriate_adult_present": "yes",
        "appropriate_adult_name": "Jo Adult",
        "appropriate_adult_organisation": "Council appropriate adult service",
    }

    client.post(f"/episodes/{episode.pk}/offer/", offered(outcome="declined", **aa))
    client.post(
        f"/episodes/{episode.pk}/offer/",
        offered(
            outcome="accepted",
            competence="competent",
            parent_carer_present="yes",
            parent_carer_name="Mum",
            **aa,
        ),
    )

    outcomes = list(episode.offers.order_by("pk").values_list("outcome", flat=True))
    accepted = episode.offers.get(outcome="accepted")
    assert outcomes == ["declined", "accepted"]
    assert accepted.competence == "competent"
    assert accepted.appropriate_adult_name == "Jo Adult"
    assert accepted.parent_carer_present is True
    assert Episode.objects.with_stage().get(pk=episode.pk).stage == "awaiting_screening"


def test_present_needs_a_name_and_absent_drops_it(client, author, north):
    """'Present: yes' needs the name; 'no' discards any name left in the hidden box."""
    episode = factories.youth_episode(author, age=16, **north)

    refused = client.post(
        f"/episodes/{episode.pk}/offer/",
        offered(outcome="declined", appropriate_adult_present="yes"),
    ).content.decode()
    client.post(
        f"/episodes/{episode.pk}/offer/",
        offered(outcome="declined", parent_carer_present="no", parent_carer_name="Left over"),
    )

    assert "Enter the appropriate adult&#39;s name" in refused
    offer = episode.offers.get()
    assert (offer.parent_carer_present, offer.parent_carer_name) == (False, "")
