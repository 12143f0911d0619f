import pytest

from divert.cases.tests import factories

pytestmark = pytest.mark.django_db


def test_pages_render_for_practitioner(service, users, client_for):
    """The home, caseload, episode and person pages render for a practitioner on the caseload."""
    practitioner = users["practitioner"]
    ep = factories.episode(
        practitioner, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    client = client_for("practitioner")

    for url in ["/", "/episodes/", f"/episodes/{ep.pk}/", f"/people/{ep.person_id}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Sam Tester" in client.get(f"/episodes/{ep.pk}/").content.decode()
