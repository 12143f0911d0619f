"""What a historic-activity import brought in, beside the records it created.

An import writes ordinary records (people, episodes, offers, needs, assessments, closures) so
that every page and report treats past activity like live activity. The few facts a CSV row
carries that have no natural home in the live record — a screening with no instrument, an onward
referral known only by category, a disclosure without its document — are kept here, one row per
episode or referral, and the reporting engine reads them beside the live rows.

``episode_ref`` and ``person_ref`` are the source system's references: they make a re-import of
the same file change nothing, and let a second file add episodes to people already imported.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from divert.cases.models import Episode
from divert.core import codelists
from divert.people.models import Person

USER = settings.AUTH_USER_MODEL


class ImportRun(models.Model):
    """One run of `divert import activity` that wrote something (dry runs leave no row)."""

    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    operator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    rows_read = models.PositiveIntegerField(default=0)
    episodes_created = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import of {self.file_name} at {self.started_at:%Y-%m-%d %H:%M}"


class ImportedPerson(models.Model):
    """The source system's person reference, mapped to the Divert person it became or matched."""

    person_ref = models.CharField(max_length=64, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="import_refs")
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="people")

    def __str__(self) -> str:
        return self.person_ref


class ImportedEpisode(models.Model):
    """An imported episode's source reference and the milestones with no live-record home."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="imported")
    episode_ref = models.CharField(max_length=64, unique=True)
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="episodes")
    screened_at = models.DateTimeField(null=True, blank=True)
    disclosed_at = models.DateTimeField(
        null=True, blank=True, help_text="First disclosure to a criminal-justice decision-maker."
    )
    cj_decision_at = models.DateTimeField(
        null=True, blank=True, help_text="The criminal-justice decision the disclosure informed."
    )

    def __str__(self) -> str:
        return self.episode_ref


class ImportedReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    ATTENDED = "attended", "Attended first appointment"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class ImportedReferral(models.Model):
    """An onward referral known only by the category of service and its last status."""

    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="imported_referrals"
    )
    category = models.CharField(max_length=40, choices=codelists.choices("service-category"))
    status = models.CharField(max_length=16, choices=ImportedReferralStatus.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportedReferralStatus.values),
                name="imported_referral_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(category__in=codelists.codes("service-category")),
                name="imported_referral_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.get_status_display()})"
