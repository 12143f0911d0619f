"""Consent and sharing pages under an episode, and the approval queue: each role gets what the
role matrix says, forms show the NHS.UK error summary, reads are audited, and the PDF a partner
downloads after the whole workflow holds only what consent covers."""

import datetime as dt

import pytest
from django.utils import timezone

from divert.audit.models import AuditEvent
from divert.cases import actions as case_actions
from divert.cases.tests import factories
from divert.sharing import actions
from divert.sharing.models import ConsentDecision, Disclosure, Document, DocumentStatus
from divert.sharing.tests.test_pdf import page_texts

pytestmark = pytest.mark.django_db

RISK = "CANARY-RISK-9f3a"
ADJUSTMENT = "Explain each step; allow breaks every 30 minutes"


@pytest.fixture
def episode(service, users):
    author = users["practitioner"]
    subject = factories.person(author, given_name="Mark", family_name="Veteranson")
    episode = factories.episode(
        author,
        subject=subject,
        site=service["sites"]["north-court"],
        team=service["teams"]["north"],
    )
    case_actions.record_need(
        episode=episode, by=author, category="mental_health", identified_by="ld_practitioner"
    )
    case_actions.record_assessment(
        episode=episode,
        by=author,
        started_at=episode.referral_received_at,
        recommendations="Community order with treatment requirements",
        reasonable_adjustments=ADJUSTMENT,
        risk_to_others=RISK,
    )
    return episode


def base(episode):
    return f"/episodes/{episode.pk}/sharing/"


def give_consent(episode, users, **kw):
    return actions.record_consent(
        episode=episode,
        by=users["practitioner"],
        recipient_class=kw.pop("recipient_class", "court"),
        purpose="sentencing_or_psr",
        decision=kw.pop("decision", "given"),
        scope=kw.pop("scope", ["needs", "recommendations", "reasonable_adjustments"]),
        **kw,
    )


def submitted(episode, users):
    document = actions.draft_document(
        episode=episode,
        by=users["practitioner"],
        kind="court_report",
        recipient_class="court",
        purpose="sentencing_or_psr",
        summary="Seen in the court cells.",
    )
    return actions.submit_document(document=document, by=users["practitioner"])


def decided_at_fields(moment):
    local = timezone.localtime(moment)
    return {
        "decided_at_day": local.day,
        "decided_at_month": local.month,
        "decided_at_year": local.year,
        "decided_at_time": f"{local:%H:%M}",
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("practitioner", 200),
        ("team_leader", 200),
        ("service_manager", 200),
        ("other_practitioner", 404),
        ("commissioner", 403),
        ("police", 403),
        ("anonymous", 302),
    ],
)
def test_overview_by_role(episode, client_for, role, status):
    """The episode's team and the service manager read it; another team gets 404."""
    response = client_for(role).get(base(episode))

    assert response.status_code == status


def test_overview_read_is_audited_once(episode, users, client_for):
    client = client_for("practitioner")
    before = AuditEvent.objects.count()

    client.get(base(episode))

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(event="sharing.viewed")
    assert (event.person_id, event.actor_id) == (episode.person_id, users["practitioner"].pk)


def test_record_consent_through_the_form(episode, client_for):
    """Consent given to the court for sentencing, with its scope, then shown as current."""
    client = client_for("practitioner")

    response = client.post(
        f"{base(episode)}consent/",
        {
            "recipient_class": "court",
            "purpose": "sentencing_or_psr",
            "decision": "given",
            "given_by": "person",
            "scope": ["needs", "reasonable_adjustments"],
            **decided_at_fields(timezone.now()),
        },
    )

    assert response.status_code == 302
    decision = ConsentDecision.objects.get()
    assert decision.scope == ["needs", "reasonable_adjustments"]
    page = client.get(base(episode)).content.decode()
    assert "Court or judiciary" in page
    assert "Needs and vulnerabilities, Reasonable adjustments" in page


def test_consent_form_errors_use_the_error_summary(episode, client_for):
    """Given with nothing in scope: the error summary links to the scope question."""
    response = client_for("practitioner").post(
        f"{base(episode)}consent/",
        {
            "recipient_class": "court",
            "purpose": "sentencing_or_psr",
            "decision": "given",
            "given_by": "person",
            **decided_at_fields(timezone.now()),
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_scope"' in html
    assert "Select what the person agreed may be shared" in html
    assert not ConsentDecision.objects.exists()


def test_draft_through_the_form_leaves_out_what_consent_excludes(episode, users, client_for):
    give_consent(episode, users)
    client = client_for("practitioner")

    response = client.post(
        f"{base(episode)}documents/new/",
        {
            "kind": "court_report",
            "recipient_class": "court",
            "purpose": "sentencing_or_psr",
            "summary": "Seen in the court cells before sentencing.",
        },
    )

    document = Document.objects.get()
    assert response.status_code == 302
    html = client.get(f"{base(episode)}documents/{document.pk}/").content.decode()
    assert ADJUSTMENT in html
    assert RISK not in html
    assert "Risk summary" in html  # listed under "Left out"


def test_document_page_read_is_audited(episode, users, client_for):
    document = submitted(episode, users)

    client_for("team_leader").get(f"{base(episode)}documents/{document.pk}/")

    event = AuditEvent.objects.get(event="document.viewed")
    assert event.target_id == str(document.pk)
    assert event.person_id == episode.person_id


def test_team_leader_approves_from_the_page(episode, users, client_for):
    document = submitted(episode, users)
    client = client_for("team_leader")

    page = client.get(f"{base(episode)}documents/{document.pk}/").content.decode()
    client.post(f"{base(episode)}documents/{document.pk}/approve/")

    assert "Approve the document" in page
    document.refresh_from_db()
    assert document.status == DocumentStatus.APPROVED


def test_self_approval_from_the_page_is_refused(episode, users, client_for):
    """A team leader's own draft shows no approve button, and a forged POST changes nothing."""
    document = actions.draft_document(
        episode=episode,
        by=users["team_leader"],
        kind="court_report",
        recipient_class="court",
        purpose="sentencing_or_psr",
        summary="Seen in the court cells.",
    )
    actions.submit_document(document=document, by=users["team_leader"])
    client = client_for("team_leader")

    page = client.get(f"{base(episode)}documents/{document.pk}/").content.decode()
    response = client.post(f"{base(episode)}documents/{document.pk}/approve/", follow=True)

    assert "Approve the document" not in page
    assert "You cannot approve a document you drafted" in page
    assert "You drafted this document" in response.content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED


def test_return_with_a_reason(episode, users, client_for):
    document = submitted(episode, users)

    client_for("team_leader").post(
        f"{base(episode)}documents/{document.pk}/return/",
        {"reason": "Add the date of the next hearing"},
    )

    document.refresh_from_db()
    assert document.status == DocumentStatus.RETURNED
    page = client_for("practitioner").get(f"{base(episode)}documents/{document.pk}/")
    assert "Add the date of the next hearing" in page.content.decode()


def test_share_without_consent_shows_why(episode, users, client_for):
    document = submitted(episode, users)
    actions.approve_document(document=document, by=users["team_leader"])
    court = users["court"].agency

    response = client_for("team_leader").post(
        f"{base(episode)}documents/{document.pk}/share/",
        {"agency": court.pk, "purpose": "sentencing_or_psr", "lawful_basis": "consent"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "No consent to share with Court or judiciary" in html
    assert not Disclosure.objects.exists()


def test_whole_workflow_partner_pdf_holds_only_what_consent_covers(episode, users, client_for):
    """Consent (needs, recommendations, adjustments) -> draft -> approve -> share -> the court
    partner's PDF has the adjustments and not the risk text; the police cannot open it."""
    give_consent(episode, users)
    document = submitted(episode, users)
    actions.approve_document(document=document, by=users["team_leader"])
    court = users["court"].agency
    client_for("team_leader").post(
        f"{base(episode)}documents/{document.pk}/share/",
        {"agency": court.pk, "purpose": "sentencing_or_psr", "lawful_basis": "consent"},
    )
    disclosure = Disclosure.objects.get()

    response = client_for("court").get(f"/shared/{disclosure.pk}/pdf/")
    police = client_for("police").get(f"/shared/{disclosure.pk}/pdf/")

    text = " ".join(page_texts(response.content))
    assert response.status_code == 200
    assert "Mark Veteranson" in text
    assert "Explain each step" in text
    assert "Community order with treatment requirements" in text
    assert RISK not in text
    assert "Risk summary" not in text
    assert police.status_code == 404


def test_record_decision_time(episode, users, client_for):
    give_consent(episode, users, decided_at=timezone.now() - dt.timedelta(hours=1))
    document = submitted(episode, users)
    actions.approve_document(document=document, by=users["team_leader"])
    disclosure = actions.share_document(
        document=document,
        by=users["team_leader"],
        agency=users["court"].agency,
        purpose="sentencing_or_psr",
    )
    moment = timezone.now()
    fields = {
        key.replace("decided_at", "cj_decision_at"): value
        for key, value in decided_at_fields(moment).items()
    }

    client_for("practitioner").post(f"{base(episode)}disclosures/{disclosure.pk}/decision/", fields)

    disclosure.refresh_from_db()
    assert disclosure.cj_decision_at is not None
    page = client_for("practitioner").get(base(episode)).content.decode()
    assert "Shared before the decision" in page or "Shared after the decision" in page


def test_approval_queue_lists_the_teams_submitted_documents(service, episode, users, client_for):
    """Submitted documents on the team's episodes, not drafts, not another team's."""
    mine = submitted(episode, users)
    actions.draft_document(
        episode=episode,
        by=users["practitioner"],
        kind="custody_advice_note",
        recipient_class="police",
        purpose="charging_decision",
        summary="Draft only.",
    )
    south = factories.episode(
        users["other_practitioner"],
        site=service["sites"]["south-custody"],
        team=service["teams"]["south"],
    )
    theirs = actions.draft_document(
        episode=south,
        by=users["other_practitioner"],
        kind="court_report",
        recipient_class="court",
        purpose="sentencing_or_psr",
        summary="South team.",
    )
    actions.submit_document(document=theirs, by=users["other_practitioner"])

    html = client_for("team_leader").get("/shared/approvals/").content.decode()

    assert f"/documents/{mine.pk}/" in html
    assert f"/documents/{theirs.pk}/" not in html
    assert html.count("/documents/") == 1
    event = AuditEvent.objects.get(event="document.approvals_listed")
    assert event.changes == {"document_ids": [mine.pk]}


@pytest.mark.parametrize(
    ("role", "status"),
    [("team_leader", 200), ("practitioner", 403), ("court", 403), ("anonymous", 302)],
)
def test_approval_queue_by_role(client_for, role, status):
    assert client_for(role).get("/shared/approvals/").status_code == status


def test_episode_page_links_to_consent_and_sharing(episode, client_for):
    html = client_for("practitioner").get(f"/episodes/{episode.pk}/").content.decode()

    assert f'href="/episodes/{episode.pk}/sharing/"' in html


def test_withdrawal_is_shown_to_the_partner_on_the_earlier_disclosure(episode, users, client_for):
    """Shared on consent, then consent withdrawn: the court's page and PDF say so."""
    give_consent(episode, users, decided_at=timezone.now() - dt.timedelta(hours=1))
    document = submitted(episode, users)
    actions.approve_document(document=document, by=users["team_leader"])
    disclosure = actions.share_document(
        document=document,
        by=users["team_leader"],
        agency=users["court"].agency,
        purpose="sentencing_or_psr",
    )
    give_consent(episode, users, decision="withdrawn")
    court = client_for("court")

    page = court.get(f"/shared/{disclosure.pk}/").content.decode()
    pdf = " ".join(page_texts(court.get(f"/shared/{disclosure.pk}/pdf/").content))

    assert "Consent withdrawn" in page
    assert "Consent withdrawn" in pdf
