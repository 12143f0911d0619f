"""Database constraints on consent decisions, documents and disclosures."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from divert.cases.tests import factories
from divert.sharing.models import ConsentDecision, Disclosure, Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def approver(users):
    return users["team_leader"]


@pytest.fixture
def episode(service, author):
    return factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )


def consent_fields(episode, author, **overrides):
    fields = {
        "episode": episode,
        "recipient_class": "police",
        "purpose": "charging_decision",
        "decision": "given",
        "given_by": "person",
        "scope": ["needs"],
        "decided_at": timezone.now(),
        "recorded_by": author,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def consent(episode, author):
    return ConsentDecision.objects.create(**consent_fields(episode, author))


def test_consent_decision_unknown_decision_refused(episode, author):
    """A consent decision other than given, refused or withdrawn is refused."""
    fields = consent_fields(episode, author, decision="maybe")

    with pytest.raises(IntegrityError, match="consent_decision_valid"), transaction.atomic():
        ConsentDecision.objects.create(**fields)


def test_consent_by_parental_responsibility_unnamed_refused(episode, author):
    """Consent given by someone with parental responsibility must name them."""
    fields = consent_fields(episode, author, given_by="parental_responsibility")

    with (
        pytest.raises(IntegrityError, match="consent_parental_responsibility_named"),
        transaction.atomic(),
    ):
        ConsentDecision.objects.create(**fields)


def test_consent_by_parental_responsibility_named_accepted(episode, author):
    """Consent given by a named person with parental responsibility is stored."""
    fields = consent_fields(
        episode, author, given_by="parental_responsibility", given_by_name="Pat Example"
    )

    consent = ConsentDecision.objects.create(**fields)

    assert consent.pk is not None


def document_fields(episode, author, **overrides):
    fields = {
        "episode": episode,
        "kind": "custody_advice_note",
        "drafted_at": timezone.now() - dt.timedelta(hours=1),
        "drafted_by": author,
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize("missing", ["approved_at", "approved_by"])
def test_document_approved_without_approval_details_refused(episode, author, approver, missing):
    """An approved document must record who approved it and when."""
    fields = document_fields(
        episode, author, status="approved", approved_at=timezone.now(), approved_by=approver
    )
    fields[missing] = None

    with pytest.raises(IntegrityError, match="document_approval_recorded"), transaction.atomic():
        Document.objects.create(**fields)


def test_document_approved_by_its_drafter_refused(episode, author):
    """A document cannot be approved by the person who drafted it."""
    fields = document_fields(
        episode, author, status="approved", approved_at=timezone.now(), approved_by=author
    )

    with pytest.raises(IntegrityError, match="document_not_self_approved"), transaction.atomic():
        Document.objects.create(**fields)


def test_document_approved_by_someone_else_accepted(episode, author, approver):
    """A document approved by someone other than its drafter is stored."""
    fields = document_fields(
        episode, author, status="approved", approved_at=timezone.now(), approved_by=approver
    )

    document = Document.objects.create(**fields)

    assert document.approved_by == approver


def disclosure_fields(episode, author, agency, **overrides):
    fields = {
        "episode": episode,
        "agency": agency,
        "purpose": "charging_decision",
        "lawful_basis": "consent",
        "created_at": timezone.now() - dt.timedelta(hours=1),
        "created_by": author,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def police(service):
    return service["agencies"]["police"]


def test_disclosure_consent_basis_without_consent_refused(episode, author, police):
    """A disclosure made on consent must point to the consent decision."""
    fields = disclosure_fields(episode, author, police, lawful_basis="consent")

    with (
        pytest.raises(IntegrityError, match="disclosure_consent_basis_names_consent"),
        transaction.atomic(),
    ):
        Disclosure.objects.create(**fields)


def test_disclosure_consent_basis_with_consent_accepted(episode, author, police, consent):
    """A disclosure made on a recorded consent is stored without further approval."""
    fields = disclosure_fields(episode, author, police, lawful_basis="consent", consent=consent)

    disclosure = Disclosure.objects.create(**fields)

    assert disclosure.consent == consent


def test_disclosure_other_basis_without_detail_refused(episode, author, approver, police):
    """A disclosure on a basis other than consent must explain that basis."""
    fields = disclosure_fields(
        episode,
        author,
        police,
        lawful_basis="safeguarding",
        approved_by=approver,
        approved_at=timezone.now(),
    )

    with (
        pytest.raises(IntegrityError, match="disclosure_other_basis_explained_and_approved"),
        transaction.atomic(),
    ):
        Disclosure.objects.create(**fields)


def test_disclosure_other_basis_without_approver_refused(episode, author, police):
    """A disclosure on a basis other than consent must be approved."""
    fields = disclosure_fields(
        episode,
        author,
        police,
        lawful_basis="safeguarding",
        lawful_basis_detail="Immediate risk to a child in the household.",
    )

    with (
        pytest.raises(IntegrityError, match="disclosure_other_basis_explained_and_approved"),
        transaction.atomic(),
    ):
        Disclosure.objects.create(**fields)


def test_disclosure_other_basis_explained_and_approved_accepted(episode, author, approver, police):
    """A disclosure on another basis, explained and approved, is stored."""
    fields = disclosure_fields(
        episode,
        author,
        police,
        lawful_basis="safeguarding",
        lawful_basis_detail="Immediate risk to a child in the household.",
        approved_by=approver,
        approved_at=timezone.now(),
    )

    disclosure = Disclosure.objects.create(**fields)

    assert disclosure.pk is not None


def test_disclosure_shared_before_created_refused(episode, author, police, consent):
    """A disclosure cannot be shared before it was created."""
    created = timezone.now() - dt.timedelta(hours=1)
    fields = disclosure_fields(
        episode,
        author,
        police,
        consent=consent,
        created_at=created,
        shared_at=created - dt.timedelta(minutes=1),
    )

    with (
        pytest.raises(IntegrityError, match="disclosure_shared_after_created"),
        transaction.atomic(),
    ):
        Disclosure.objects.create(**fields)


def test_disclosure_acknowledged_before_shared_refused(episode, author, police, consent):
    """A disclosure cannot be acknowledged before it was shared."""
    created = timezone.now() - dt.timedelta(hours=1)
    shared = created + dt.timedelta(minutes=10)
    fields = disclosure_fields(
        episode,
        author,
        police,
        consent=consent,
        created_at=created,
        shared_at=shared,
        acknowledged_at=shared - dt.timedelta(minutes=1),
    )

    with (
        pytest.raises(IntegrityError, match="disclosure_acknowledged_after_shared"),
        transaction.atomic(),
    ):
        Disclosure.objects.create(**fields)


def test_disclosure_acknowledged_but_never_shared_refused(episode, author, police, consent):
    """A disclosure that was never shared cannot be acknowledged."""
    fields = disclosure_fields(
        episode, author, police, consent=consent, acknowledged_at=timezone.now()
    )

    with (
        pytest.raises(IntegrityError, match="disclosure_acknowledged_after_shared"),
        transaction.atomic(),
    ):
        Disclosure.objects.create(**fields)


def test_disclosure_shared_then_acknowledged_accepted(episode, author, police, consent):
    """A disclosure shared after creation and acknowledged after sharing is stored."""
    created = timezone.now() - dt.timedelta(hours=1)
    fields = disclosure_fields(
        episode,
        author,
        police,
        consent=consent,
        created_at=created,
        shared_at=created + dt.timedelta(minutes=10),
        acknowledged_at=created + dt.timedelta(minutes=20),
    )

    disclosure = Disclosure.objects.create(**fields)

    assert Disclosure.objects.for_agency(police).get() == disclosure


# Constraints added with the consent and document workflow (issue #6, ADR 0015).


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("recipient_class", "neighbour", "consent_recipient_class_valid"),
        ("purpose", "curiosity", "consent_purpose_valid"),
        ("given_by", "somebody", "consent_given_by_valid"),
    ],
)
def test_consent_decision_outside_its_code_list_refused(episode, author, field, value, constraint):
    """Recipient class, purpose and who decided must come from their lists."""
    fields = consent_fields(episode, author, given_by_name="Named", **{field: value})

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        ConsentDecision.objects.create(**fields)


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"status": "published"}, "document_status_valid"),
        ({"kind": "novel"}, "document_kind_valid"),
        ({"status": "submitted"}, "document_submission_recorded"),
        ({"status": "returned", "returned_at": timezone.now()}, "document_return_explained"),
    ],
)
def test_document_state_without_its_details_refused(
    episode, author, approver, overrides, constraint
):
    """Unknown statuses and kinds are refused; submitted needs a time, returned a reason."""
    if "returned_at" in overrides:
        overrides = {**overrides, "returned_by": approver}
    fields = document_fields(episode, author, **overrides)

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Document.objects.create(**fields)


def test_document_returned_by_its_drafter_refused(episode, author):
    fields = document_fields(
        episode,
        author,
        status="returned",
        returned_at=timezone.now(),
        returned_by=author,
        return_reason="Mine",
    )

    with pytest.raises(IntegrityError, match="document_not_self_returned"), transaction.atomic():
        Document.objects.create(**fields)


def test_disclosure_other_basis_naming_a_consent_refused(
    episode, author, approver, police, consent
):
    """A disclosure without consent cannot point at a consent decision."""
    fields = disclosure_fields(
        episode,
        author,
        police,
        lawful_basis="safeguarding",
        lawful_basis_detail="Adult at risk",
        consent=consent,
        approved_by=approver,
        approved_at=timezone.now(),
    )

    with (
        pytest.raises(IntegrityError, match="disclosure_other_basis_names_no_consent"),
        transaction.atomic(),
    ):
        Disclosure.objects.create(**fields)


def test_disclosure_approver_without_time_refused(episode, author, approver, police):
    fields = disclosure_fields(
        episode,
        author,
        police,
        lawful_basis="court_order",
        lawful_basis_detail="Order of 1 May",
        approved_by=approver,
    )

    with pytest.raises(IntegrityError, match="disclosure_approval_recorded"), transaction.atomic():
        Disclosure.objects.create(**fields)


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("lawful_basis", "convenience", "disclosure_lawful_basis_valid"),
        ("purpose", "curiosity", "disclosure_purpose_valid"),
    ],
)
def test_disclosure_outside_its_code_list_refused(
    episode, author, approver, police, field, value, constraint
):
    overrides = {
        "lawful_basis": "court_order",
        "lawful_basis_detail": "Order of 1 May",
        "approved_by": approver,
        "approved_at": timezone.now(),
        field: value,
    }
    fields = disclosure_fields(episode, author, police, **overrides)

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Disclosure.objects.create(**fields)
