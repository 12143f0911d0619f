"""Consent enforcement and the document workflow, in the actions layer (ADR 0015).

No disclosure without a current "given" consent for the agency's recipient class and the
purpose, or another lawful basis with a justification and a team leader's approval; refused,
withdrawn, expired and mismatched consents are refused; nobody approves their own draft.
"""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from divert.audit.models import AuditEvent
from divert.cases import actions as case_actions
from divert.cases.models import Episode
from divert.cases.tests import factories
from divert.sharing import actions
from divert.sharing.models import Disclosure, DocumentStatus

pytestmark = pytest.mark.django_db

SENTENCING = "sentencing_or_psr"


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def leader(users):
    return users["team_leader"]


@pytest.fixture
def episode(service, author):
    episode = factories.episode(
        author, site=service["sites"]["north-court"], team=service["teams"]["north"]
    )
    case_actions.record_need(
        episode=episode, by=author, category="mental_health", identified_by="ld_practitioner"
    )
    case_actions.record_assessment(
        episode=episode,
        by=author,
        started_at=episode.referral_received_at,
        presenting_needs="Flashbacks since leaving the army",
        recommendations="Community order with a mental health treatment requirement",
        reasonable_adjustments="Short questions; breaks every 30 minutes",
        risk_to_self="CANARY-RISK-TO-SELF",
    )
    return episode


@pytest.fixture
def court(service):
    return service["agencies"]["court"]


def consent(episode, by, *, decision="given", recipient_class="court", purpose=SENTENCING, **kw):
    kw.setdefault("scope", ["needs", "recommendations", "reasonable_adjustments"])
    return actions.record_consent(
        episode=episode,
        by=by,
        recipient_class=recipient_class,
        purpose=purpose,
        decision=decision,
        **kw,
    )


def draft(episode, by, **kw):
    kw.setdefault("kind", "court_report")
    kw.setdefault("recipient_class", "court")
    kw.setdefault("purpose", SENTENCING)
    kw.setdefault("summary", "Seen in the court cells before the hearing.")
    return actions.draft_document(episode=episode, by=by, **kw)


def approved(episode, author, leader, **kw):
    document = draft(episode, author, **kw)
    actions.submit_document(document=document, by=author)
    return actions.approve_document(document=document, by=leader)


def field_errors(error):
    return error.value.message_dict


# Consent.


def test_record_consent_given_keeps_scope_in_section_order(episode, author):
    """A given consent stores its scope in the fixed section order and is audited by code."""
    decision = consent(episode, author, scope=["reasonable_adjustments", "needs"])

    assert decision.scope == ["needs", "reasonable_adjustments"]
    event = AuditEvent.objects.get(event="consent.recorded")
    assert event.changes["decision"] == "given"
    assert event.changes["recipient_class"] == "court"


def test_record_consent_given_needs_a_scope(episode, author):
    """Consent with nothing in scope is refused on the scope field."""
    with pytest.raises(ValidationError) as error:
        consent(episode, author, scope=[])

    assert "scope" in field_errors(error)


def test_record_consent_refused_has_no_scope(episode, author):
    """A refusal covers nothing, whatever was ticked."""
    decision = consent(episode, author, decision="refused", scope=["needs"])

    assert decision.scope == []


def test_withdrawal_needs_a_given_consent(episode, author):
    """Nothing to withdraw: refused on the decision field."""
    with pytest.raises(ValidationError) as error:
        consent(episode, author, decision="withdrawn")

    assert "decision" in field_errors(error)


def test_parental_responsibility_only_for_a_young_person_and_named(service, author, episode):
    """An adult decides for themselves; a parent's decision for a child names the parent."""
    youth = factories.youth_episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )

    with pytest.raises(ValidationError) as adult:
        consent(episode, author, given_by="parental_responsibility", given_by_name="Ann Smith")
    with pytest.raises(ValidationError) as unnamed:
        consent(youth, author, given_by="parental_responsibility")
    decision = consent(
        youth, author, given_by="parental_responsibility", given_by_name="Ann Youngperson"
    )

    assert "given_by" in field_errors(adult)
    assert "given_by_name" in field_errors(unnamed)
    assert decision.given_by_name == "Ann Youngperson"


def test_decision_earlier_than_the_current_one_is_refused(episode, author):
    """A decision dated before the current one would not become current, so it is refused."""
    consent(episode, author)

    with pytest.raises(ValidationError) as error:
        consent(
            episode,
            author,
            decision="withdrawn",
            decided_at=episode.referral_received_at + dt.timedelta(minutes=1),
        )

    assert "decided_at" in field_errors(error)


def test_decision_in_the_future_is_refused(episode, author):
    with pytest.raises(ValidationError) as error:
        consent(episode, author, decided_at=timezone.now() + dt.timedelta(hours=1))

    assert "decided_at" in field_errors(error)


# Documents.


def test_draft_composes_only_what_consent_covers(episode, author):
    """With consent to needs, recommendations and adjustments, the risk summary is left out of
    the document's content entirely."""
    consent(episode, author)

    document = draft(episode, author)

    assert document.content["sections"] == [
        "summary",
        "needs",
        "recommendations",
        "reasonable_adjustments",
    ]
    assert "Mental health" in document.content["needs"]
    assert "Flashbacks since leaving the army" in document.content["needs"]
    assert "risk_summary" not in document.content
    assert "CANARY-RISK-TO-SELF" not in str(document.content)
    assert document.content["person"]["name"] == episode.person.full_name


def test_draft_asking_for_a_section_outside_consent_is_refused(episode, author):
    consent(episode, author)

    with pytest.raises(ValidationError) as error:
        draft(episode, author, sections=["needs", "risk_summary"])

    assert "sections" in field_errors(error)


def test_draft_without_consent_may_hold_every_section(episode, author):
    """Without consent the draft can be shared only on an approved lawful basis, so it may
    hold everything; the team leader approves it as a whole."""
    document = draft(episode, author)

    assert "risk_summary" in document.content


def test_draft_needs_a_summary(episode, author):
    with pytest.raises(ValidationError) as error:
        draft(episode, author, summary="  ")

    assert "summary" in field_errors(error)


def test_document_state_transitions(episode, author, leader):
    """draft -> submitted -> returned (reason) -> draft (revised) -> submitted -> approved."""
    consent(episode, author)
    document = draft(episode, author)

    actions.submit_document(document=document, by=author)
    returned = actions.return_document(
        document=document, by=leader, reason="Add the hearing date to the summary"
    )
    revised = actions.revise_document(
        document=document, by=author, summary="Seen before the hearing on 14 March."
    )
    actions.submit_document(document=document, by=author)
    final = actions.approve_document(document=document, by=leader)

    assert returned.status == DocumentStatus.RETURNED
    assert returned.return_reason == "Add the hearing date to the summary"
    assert revised.status == DocumentStatus.DRAFT
    assert revised.content["summary"] == "Seen before the hearing on 14 March."
    assert final.status == DocumentStatus.APPROVED
    assert final.approved_by == leader
    assert len(final.pdf_sha256) == 64
    events = list(
        AuditEvent.objects.filter(event__startswith="document.")
        .order_by("sequence")
        .values_list("event", flat=True)
    )
    assert events == [
        "document.drafted",
        "document.submitted",
        "document.returned",
        "document.revised",
        "document.submitted",
        "document.approved",
    ]


@pytest.mark.parametrize("step", ["approve", "return"])
def test_reviewing_a_document_that_is_not_submitted_is_refused(episode, author, leader, step):
    document = draft(episode, author)
    review = {
        "approve": lambda: actions.approve_document(document=document, by=leader),
        "return": lambda: actions.return_document(document=document, by=leader, reason="Not yet"),
    }[step]

    with pytest.raises(ValidationError, match="Only a document awaiting approval"):
        review()


def test_approved_document_cannot_be_resubmitted_or_revised(episode, author, leader):
    document = approved(episode, author, leader)

    with pytest.raises(ValidationError):
        actions.submit_document(document=document, by=author)
    with pytest.raises(ValidationError):
        actions.revise_document(document=document, by=author, summary="Changed")


def test_self_approval_is_refused(episode, leader):
    """A team leader who drafted a document cannot approve or return it."""
    document = draft(episode, leader)
    actions.submit_document(document=document, by=leader)

    with pytest.raises(ValidationError, match="You drafted this document"):
        actions.approve_document(document=document, by=leader)
    with pytest.raises(ValidationError, match="You drafted this document"):
        actions.return_document(document=document, by=leader, reason="Change it")


def test_practitioner_cannot_approve(episode, author, users):
    document = draft(episode, author)
    actions.submit_document(document=document, by=author)

    with pytest.raises(ValidationError, match="Only a team leader"):
        actions.approve_document(document=document, by=users["other_practitioner"])


def test_return_needs_a_reason(episode, author, leader):
    document = draft(episode, author)
    actions.submit_document(document=document, by=author)

    with pytest.raises(ValidationError) as error:
        actions.return_document(document=document, by=leader, reason="")

    assert "reason" in field_errors(error)


def test_only_the_author_revises(episode, author, leader, users):
    document = draft(episode, author)

    with pytest.raises(ValidationError, match="Only the person who drafted"):
        actions.revise_document(document=document, by=leader, summary="Mine now")


# Sharing: consent enforcement.


def share(document, by, agency, **kw):
    kw.setdefault("purpose", SENTENCING)
    return actions.share_document(document=document, by=by, agency=agency, **kw)


def test_share_on_given_consent(episode, author, leader, court):
    """Consent to the court for sentencing: shared now, naming the consent, audited by id."""
    decision = consent(episode, author)
    document = approved(episode, author, leader)

    disclosure = share(document, leader, court, recipient_name="District Judge")

    assert disclosure.consent == decision
    assert disclosure.lawful_basis == "consent"
    assert disclosure.shared_at is not None
    assert disclosure.approved_by is None
    event = AuditEvent.objects.get(event="disclosure.shared")
    assert event.changes["consent_id"] == decision.pk
    assert "District Judge" not in str(event.changes)


def test_no_disclosure_without_consent(episode, author, leader, court):
    document = approved(episode, author, leader)

    with pytest.raises(ValidationError) as error:
        share(document, leader, court)

    assert "No consent to share" in field_errors(error)["lawful_basis"][0]
    assert not Disclosure.objects.exists()


def test_refused_consent_stops_disclosure(episode, author, leader, court):
    consent(episode, author, decision="refused")
    document = approved(episode, author, leader)

    with pytest.raises(ValidationError) as error:
        share(document, leader, court)

    assert "refused" in field_errors(error)["lawful_basis"][0]


def test_withdrawn_consent_stops_further_disclosures(episode, author, leader, court):
    """The first disclosure goes; after withdrawal, the next one is refused."""
    consent(episode, author, decided_at=timezone.now() - dt.timedelta(minutes=30))
    document = approved(episode, author, leader)
    share(document, leader, court)
    consent(episode, author, decision="withdrawn")

    with pytest.raises(ValidationError) as error:
        share(document, leader, court)

    assert "withdrawn" in field_errors(error)["lawful_basis"][0]
    assert Disclosure.objects.count() == 1


def test_expired_consent_stops_disclosure(episode, author, leader, court):
    # Referred three days ago, so consent decided then can have expired yesterday at any hour.
    episode.referral_received_at = timezone.now() - dt.timedelta(days=3)
    Episode.objects.filter(pk=episode.pk).update(referral_received_at=episode.referral_received_at)
    consent(
        episode,
        author,
        decided_at=episode.referral_received_at + dt.timedelta(minutes=5),
        expires_on=timezone.localdate() - dt.timedelta(days=1),
    )
    document = approved(episode, author, leader)

    with pytest.raises(ValidationError) as error:
        share(document, leader, court)

    assert "expired" in field_errors(error)["lawful_basis"][0]


def test_consent_for_another_recipient_class_does_not_count(episode, author, leader, court):
    """Consent to share with probation does not let L&D share with the court."""
    consent(episode, author, recipient_class="probation")
    document = approved(episode, author, leader, recipient_class="probation")

    with pytest.raises(ValidationError):
        share(document, leader, court)


def test_consent_for_another_purpose_does_not_count(episode, author, leader, court):
    """Consent for bail does not cover sentencing."""
    consent(episode, author, purpose="bail")
    document = approved(episode, author, leader)

    with pytest.raises(ValidationError):
        share(document, leader, court)


def test_lawful_basis_needs_a_justification(episode, author, leader, court):
    document = approved(episode, author, leader)

    with pytest.raises(ValidationError) as error:
        share(document, leader, court, lawful_basis="safeguarding")

    assert "lawful_basis_detail" in field_errors(error)


def test_lawful_basis_with_justification_and_team_leader_approval(episode, author, leader, court):
    """Refused consent, then a court order: shared, with the team leader's approval recorded."""
    consent(episode, author, decision="refused")
    document = approved(episode, author, leader)

    disclosure = share(
        document, leader, court, lawful_basis="court_order", lawful_basis_detail="Order of 1 May"
    )

    assert disclosure.consent is None
    assert disclosure.approved_by == leader
    assert disclosure.approved_at == disclosure.shared_at


def test_practitioner_cannot_share(episode, author, leader, court):
    """Sharing is a team leader's act, even on consent (their approval is the record)."""
    consent(episode, author)
    document = approved(episode, author, leader)

    with pytest.raises(ValidationError, match="Only a team leader"):
        share(document, author, court)
    with pytest.raises(ValidationError, match="Only a team leader"):
        share(document, author, court, lawful_basis="safeguarding", lawful_basis_detail="Risk")


def test_author_cannot_approve_sharing_without_consent(episode, users, court):
    """A team leader cannot approve sharing their own document without consent."""
    leader, other = users["team_leader"], users["service_manager"]
    document = approved(episode, leader, other)

    with pytest.raises(ValidationError) as error:
        share(document, leader, court, lawful_basis="public_interest", lawful_basis_detail="Risk")

    assert "lawful_basis" in field_errors(error)


def test_unapproved_document_cannot_be_shared(episode, author, leader, court):
    consent(episode, author)
    document = draft(episode, author)
    actions.submit_document(document=document, by=author)

    with pytest.raises(ValidationError, match="Only an approved document"):
        share(document, leader, court)


# The criminal-justice decision.


def test_record_cj_decision_measures_shared_before_decision(episode, author, leader, court):
    consent(episode, author)
    disclosure = share(approved(episode, author, leader), leader, court)

    updated = actions.record_cj_decision(
        disclosure=disclosure, by=author, decided_at=timezone.now()
    )

    assert updated.was_shared_before_decision is True
    event = AuditEvent.objects.get(event="disclosure.decision_recorded")
    assert event.changes == {"was_shared_before_decision": True}
    with pytest.raises(ValidationError):
        actions.record_cj_decision(disclosure=disclosure, by=author, decided_at=timezone.now())


def test_cj_decision_in_the_future_is_refused(episode, author, leader, court):
    consent(episode, author)
    disclosure = share(approved(episode, author, leader), leader, court)

    with pytest.raises(ValidationError) as error:
        actions.record_cj_decision(
            disclosure=disclosure, by=author, decided_at=timezone.now() + dt.timedelta(days=1)
        )

    assert "cj_decision_at" in field_errors(error)


def test_every_consent_scope_composes_exactly_its_sections(episode, author):
    """All 2^5 consent scopes: the draft holds the summary and exactly the consented sections
    that have text on the record, and nothing else (security.md A4, at the composition step)."""
    case_actions.record_assessment(
        episode=episode,
        by=author,
        started_at=episode.referral_received_at,
        recommendations="CANARY-RECOMMENDATIONS",
        reasonable_adjustments="CANARY-ADJUSTMENTS",
        risk_to_others="CANARY-RISK",
    )
    recorded = {"needs", "recommendations", "reasonable_adjustments", "risk_summary"}
    mismatches = []

    for size in range(1, len(actions.SCOPE_CODES) + 1):
        for scope in itertools.combinations(actions.SCOPE_CODES, size):
            consent(episode, author, scope=list(scope))
            document = draft(episode, author)
            expected = {"summary"} | (set(scope) & recorded)
            present = {
                code for code in expected | set(actions.SCOPE_CODES) if code in document.content
            }
            if present != expected:
                mismatches.append((scope, sorted(present)))

    assert mismatches == []
