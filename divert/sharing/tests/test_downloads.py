"""PDF downloads: scoped like the record they come from, audited once, named without personal
data and never cached."""

import pytest

from divert.audit.models import AuditEvent
from divert.cases.tests import factories
from divert.sharing.pdf import render_disclosure_pdf
from divert.sharing.sections import SECTION_CODES
from divert.sharing.tests.test_pdf import CANARY, approved_document, page_texts, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def episode(service, author):
    subject = factories.person(author, given_name="Daniel", family_name="Custodyperson")
    return factories.episode(
        author,
        subject=subject,
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )


@pytest.fixture
def document(episode, author, users):
    return approved_document(episode, author, users["team_leader"], kind="custody_advice_note")


@pytest.fixture
def police(service):
    return service["agencies"]["police"]


def staff_url(episode, document):
    return f"/shared/episodes/{episode.pk}/documents/{document.pk}/pdf/"


def test_document_pdf_downloads_for_the_episode_team(episode, document, client_for):
    """The practitioner gets the whole document as an attachment named by id, not cached."""
    response = client_for("practitioner").get(staff_url(episode, document))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="document-{document.pk}.pdf"'
    assert response["Cache-Control"] == "no-store"
    text = " ".join(page_texts(response.content))
    assert "Daniel Custodyperson" in text
    assert all(canary in text for canary in CANARY.values())


def test_document_pdf_download_is_audited_once(episode, document, client_for, users):
    """One export event names the document and the person, with no name or clinical text."""
    client = client_for("practitioner")
    before = AuditEvent.objects.count()

    client.get(staff_url(episode, document))

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(event="document.downloaded")
    assert event.action == "export"
    assert event.actor_id == users["practitioner"].pk
    assert event.person_id == episode.person_id
    assert event.target_id == str(document.pk)
    assert "Custodyperson" not in str(event.changes)


def test_document_pdf_from_another_team_is_404_and_audited(episode, document, client_for, users):
    """A practitioner in another team gets 404, and the attempt is recorded."""
    response = client_for("other_practitioner").get(staff_url(episode, document))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        event="episode.denied", actor_id=users["other_practitioner"].pk
    ).exists()
    assert not AuditEvent.objects.filter(event="document.downloaded").exists()


def test_document_pdf_under_the_wrong_episode_is_404(
    service, episode, document, author, client_for
):
    """A document id under another (visible) episode's address is not found."""
    other = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )

    response = client_for("practitioner").get(staff_url(other, document))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(event="document.denied").exists()


def test_partner_pdf_holds_only_the_consented_sections(
    episode, document, author, police, client_for
):
    """The police download what was shared: the consented sections, not the risk summary."""
    scope = sorted(SECTION_CODES - {"risk_summary", "summary"})
    disclosure = share(episode, author, police, document=document, scope=scope)

    response = client_for("police").get(f"/shared/{disclosure.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="disclosure-{disclosure.pk}.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    texts = page_texts(response.content)
    assert all(CANARY[code] in " ".join(texts) for code in [*scope, "summary"])
    assert all(CANARY["risk_summary"] not in text for text in texts)
    assert response.content == render_disclosure_pdf(disclosure)


def test_partner_pdf_download_is_audited_once(episode, document, author, police, client_for, users):
    """One export event per download, naming the disclosure and the person."""
    disclosure = share(episode, author, police, document=document, scope=["needs"])
    client = client_for("police")
    before = AuditEvent.objects.count()

    client.get(f"/shared/{disclosure.pk}/pdf/")

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(event="disclosure.downloaded")
    assert (event.action, event.actor_id, event.person_id, event.target_id) == (
        "export",
        users["police"].pk,
        episode.person_id,
        str(disclosure.pk),
    )


def test_partner_pdf_for_another_agency_is_404_and_audited(
    episode, document, author, police, client_for, users
):
    """The court cannot download what was shared with the police."""
    disclosure = share(episode, author, police, document=document, scope=["needs"])

    response = client_for("court").get(f"/shared/{disclosure.pk}/pdf/")

    assert response.status_code == 404
    assert AuditEvent.objects.filter(event="disclosure.denied", actor_id=users["court"].pk).exists()


def test_partner_pdf_not_yet_shared_is_404(episode, document, author, police, client_for):
    """A disclosure addressed to the police but not yet shared cannot be downloaded."""
    disclosure = share(episode, author, police, document=document, scope=["needs"])
    disclosure.shared_at = None
    disclosure.save()

    response = client_for("police").get(f"/shared/{disclosure.pk}/pdf/")

    assert response.status_code == 404


def test_partner_pdf_is_refused_to_staff(episode, document, author, police, client_for):
    """Clinical staff use the document download, not the partner's (403)."""
    disclosure = share(episode, author, police, document=document, scope=["needs"])

    response = client_for("practitioner").get(f"/shared/{disclosure.pk}/pdf/")

    assert response.status_code == 403


def test_partner_disclosure_page_links_to_the_pdf(episode, document, author, police, client_for):
    """The partner's disclosure page offers the PDF download."""
    disclosure = share(episode, author, police, document=document, scope=["needs"])

    html = client_for("police").get(f"/shared/{disclosure.pk}/").content.decode()

    assert f'href="/shared/{disclosure.pk}/pdf/"' in html
    assert "Download the document (PDF)" in html
