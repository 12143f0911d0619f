"""Consent to share, disclosures to partner agencies, and the documents shared.

Consent is recorded as immutable decisions; the current consent for a recipient class and
purpose is the latest decision. A disclosure relies on a consent, or on another recorded
lawful basis with a team leader's approval.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from divert.cases.models import Episode
from divert.core import codelists
from divert.organisation.models import Agency

USER = settings.AUTH_USER_MODEL


class ConsentDecisionKind(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentGivenBy(models.TextChoices):
    PERSON = "person", "The person"
    PARENTAL_RESPONSIBILITY = "parental_responsibility", "A person with parental responsibility"


class ConsentDecision(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="consents")
    recipient_class = models.CharField(max_length=32, choices=codelists.choices("recipient-class"))
    purpose = models.CharField(max_length=40, choices=codelists.choices("disclosure-purpose"))
    decision = models.CharField(max_length=10, choices=ConsentDecisionKind.choices)
    given_by = models.CharField(max_length=32, choices=ConsentGivenBy.choices)
    given_by_name = models.CharField(
        max_length=200, blank=True, help_text="Name of the person with parental responsibility."
    )
    scope = models.JSONField(
        default=list, blank=True, help_text="Sections of the record that may be shared, e.g. needs."
    )
    decided_at = models.DateTimeField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [models.Index(fields=["episode", "recipient_class", "purpose", "decided_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ConsentDecisionKind.values), name="consent_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(given_by=ConsentGivenBy.PERSON) | ~Q(given_by_name=""),
                name="consent_parental_responsibility_named",
            ),
            models.CheckConstraint(
                condition=Q(given_by__in=ConsentGivenBy.values), name="consent_given_by_valid"
            ),
            models.CheckConstraint(
                condition=Q(recipient_class__in=codelists.codes("recipient-class")),
                name="consent_recipient_class_valid",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=codelists.codes("disclosure-purpose")),
                name="consent_purpose_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.recipient_class}/{self.purpose}"


class DocumentKind(models.TextChoices):
    COURT_REPORT = "court_report", "Court report"
    CUSTODY_ADVICE_NOTE = "custody_advice_note", "Custody advice note"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting approval"
    RETURNED = "returned", "Returned for changes"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: Any) -> "DocumentQuerySet":
        """Documents on the episodes the user may open (staff only; partners see disclosures)."""
        return self.filter(episode__in=Episode.objects.visible_to(user))


class Document(models.Model):
    """A report generated from the record. ``content`` is the snapshot the PDF is built from."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    status = models.CharField(
        max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    content = models.JSONField(default=dict)
    recipient_class = models.CharField(
        max_length=32,
        choices=codelists.choices("recipient-class"),
        blank=True,
        help_text="Who the document is written for; with the purpose, picks the consent.",
    )
    purpose = models.CharField(
        max_length=40, choices=codelists.choices("disclosure-purpose"), blank=True
    )
    drafted_at = models.DateTimeField()
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["drafted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.APPROVED)
                | (Q(approved_at__isnull=False) & Q(approved_by__isnull=False)),
                name="document_approval_recorded",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("drafted_by")),
                name="document_not_self_approved",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="document_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.SUBMITTED) | Q(submitted_at__isnull=False),
                name="document_submission_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.RETURNED)
                | (
                    Q(returned_at__isnull=False)
                    & Q(returned_by__isnull=False)
                    & ~Q(return_reason="")
                ),
                name="document_return_explained",
            ),
            models.CheckConstraint(
                condition=Q(returned_by__isnull=True) | ~Q(returned_by=F("drafted_by")),
                name="document_not_self_returned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    def for_agency(self, agency: Agency) -> "DisclosureQuerySet":
        return self.filter(agency=agency, shared_at__isnull=False)

    def visible_to(self, user: Any) -> "DisclosureQuerySet":
        """Partners: what was shared with their own agency. Clinical staff: their episodes'."""
        from divert.accounts.access import has_permission
        from divert.accounts.permissions import Permission

        if has_permission(user, Permission.VIEW_PARTNER_INBOX):
            if user.agency_id is None:
                return self.none()
            return self.for_agency(user.agency)
        if has_permission(user, Permission.VIEW_RECORDS):
            return self.filter(episode__in=Episode.objects.visible_to(user))
        return self.none()


class Disclosure(models.Model):
    """Information shared with a partner agency, and whether it reached them before the decision."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="disclosures")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="disclosures")
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_role = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=40, choices=codelists.choices("disclosure-purpose"))
    lawful_basis = models.CharField(max_length=32, choices=codelists.choices("lawful-basis"))
    consent = models.ForeignKey(
        ConsentDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    lawful_basis_detail = models.TextField(blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    cj_decision_at = models.DateTimeField("Criminal-justice decision time", null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "shared_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(lawful_basis="consent") | Q(consent__isnull=False),
                name="disclosure_consent_basis_names_consent",
            ),
            models.CheckConstraint(
                condition=Q(lawful_basis="consent")
                | (~Q(lawful_basis_detail="") & Q(approved_by__isnull=False)),
                name="disclosure_other_basis_explained_and_approved",
            ),
            models.CheckConstraint(
                condition=Q(shared_at__isnull=True) | Q(shared_at__gte=F("created_at")),
                name="disclosure_shared_after_created",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True)
                | (Q(shared_at__isnull=False) & Q(acknowledged_at__gte=F("shared_at"))),
                name="disclosure_acknowledged_after_shared",
            ),
            models.CheckConstraint(
                condition=Q(lawful_basis__in=codelists.codes("lawful-basis")),
                name="disclosure_lawful_basis_valid",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=codelists.codes("disclosure-purpose")),
                name="disclosure_purpose_valid",
            ),
            models.CheckConstraint(
                condition=Q(lawful_basis="consent") | Q(consent__isnull=True),
                name="disclosure_other_basis_names_no_consent",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="disclosure_approval_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Disclosure to {self.agency}"

    @property
    def was_shared_before_decision(self) -> bool | None:
        if self.shared_at is None or self.cj_decision_at is None:
            return None
        return self.shared_at <= self.cj_decision_at


def current_consent(episode_id: int, recipient_class: str, purpose: str) -> ConsentDecision | None:
    """The latest consent decision for one recipient class and purpose, if any."""
    return (
        ConsentDecision.objects.filter(
            episode_id=episode_id, recipient_class=recipient_class, purpose=purpose
        )
        .order_by("-decided_at", "-id")
        .first()
    )
