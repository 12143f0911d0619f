"""Every screening page, for every role: practitioners and team leaders in the episode's team
record; service managers read results only; another team gets 404; commissioners, partners,
IG without a grant and administrators get 403 or 404; nobody signed out gets in."""

import pytest

from divert.cases.models import Need
from divert.cases.tests import factories
from divert.screening.models import Administration
from divert.screening.tests.views.pages import PHQ9_MODERATE_WITH_ITEM_9

pytestmark = pytest.mark.django_db

RECORDERS = {"practitioner": 200, "team_leader": 200}
NOT_RECORDERS = {
    "other_practitioner": 404,
    "service_manager": 403,
    "commissioner": 403,
    "police": 403,
    "court": 403,
    "ig": 403,
    "admin": 403,
    "anonymous": 302,
}
READERS = {"practitioner": 200, "team_leader": 200, "service_manager": 200}
NOT_READERS = {
    "other_practitioner": 404,
    "ig": 404,  # may read records, but only with a grant for the person
    "commissioner": 403,
    "police": 403,
    "court": 403,
    "admin": 403,
    "anonymous": 302,
}


@pytest.fixture
def pages(service, users, administer):
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    unfinished = administer(episode, "gad-7", complete=False)
    done = administer(episode, "phq-9", PHQ9_MODERATE_WITH_ITEM_9)
    base = f"/episodes/{episode.pk}/screening/"
    return {
        "choose": base,
        "answer": f"{base}{unfinished.pk}/",
        "result": f"{base}{done.pk}/result/",
        "override": f"{base}{done.pk}/override/",
        "need": f"{base}{done.pk}/need/",
    }


@pytest.mark.parametrize("page", ["choose", "answer", "override"])
@pytest.mark.parametrize(("role", "status"), [*RECORDERS.items(), *NOT_RECORDERS.items()])
def test_recording_pages_by_role(pages, client_for, page, role, status):
    """The pages that record need RECORD_CLINICAL and the episode on the user's caseload."""
    response = client_for(role).get(pages[page])

    assert response.status_code == status
    if status == 302:
        assert "/accounts/sign-in/" in response["Location"]


@pytest.mark.parametrize(("role", "status"), [*READERS.items(), *NOT_READERS.items()])
def test_result_page_by_role(pages, client_for, role, status):
    """The result needs VIEW_RECORDS and the episode in the user's scope."""
    response = client_for(role).get(pages["result"])

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), list(NOT_RECORDERS.items()))
def test_writes_refused_to_everyone_else(pages, client_for, published, role, status):
    """Starting, answering, overriding and recording the need are refused and change nothing."""
    client = client_for(role)
    before = Administration.objects.count()

    responses = [
        client.post(pages["choose"], {"instrument": published["phq-9"].pk}),
        client.post(pages["answer"], {"q1": "1", "action": "save"}),
        client.post(pages["override"], {"band": "severe", "reason": "x"}),
        client.post(pages["need"]),
    ]

    assert [response.status_code for response in responses] == [status] * 4
    assert Administration.objects.count() == before
    assert not Administration.objects.exclude(override_band="").exists()
    assert not Need.objects.exists()
    assert not Administration.objects.filter(answers__link_id="q1", is_complete=False).exists()


def test_record_need_answers_post_only(pages, client):
    """Recording the need is a POST; a GET is refused."""
    assert client.get(pages["need"]).status_code == 405
