"""Onward referrals from an episode to a directory service, with an immutable status history."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from divert.cases.models import Episode, Need
from divert.directory.models import DirectoryService

USER = settings.AUTH_USER_MODEL


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    APPOINTMENT_BOOKED = "appointment_booked", "First appointment booked"
    ATTENDED = "attended", "Attended first appointment"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CLOSED = "closed", "Closed"


class OnwardReferral(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(
        DirectoryService, on_delete=models.PROTECT, related_name="referrals"
    )
    need = models.ForeignKey(
        Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    status = models.CharField(
        max_length=20,
        choices=ReferralStatus.choices,
        default=ReferralStatus.DRAFT,
        help_text="Current status; changed only by referral actions, which add a status row.",
    )
    first_appointment_at = models.DateTimeField(null=True, blank=True)
    was_supported_to_first_appointment = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(
        default=0, help_text="Raised by every status change, so two people cannot both move it."
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.get_status_display()})"


class ReferralStatusChange(models.Model):
    referral = models.ForeignKey(
        OnwardReferral, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(reason=""),
                name="referral_decline_needs_reason",
            )
        ]

    def __str__(self) -> str:
        return self.get_status_display()
