"""Screening administrations: which instrument version was used, the item answers and the score.

Definitions are YAML files published into ``InstrumentVersion`` by ``registry.sync_instruments``;
``actions`` start, answer, complete and override administrations; ``scoring`` scores them
(ADR 0009).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from divert.cases.models import Episode

USER = settings.AUTH_USER_MODEL


class InstrumentVersion(models.Model):
    """A published, immutable version of an instrument definition (checksum of its file)."""

    slug = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the definition file.")
    definition = models.JSONField()
    licence_note = models.TextField(blank=True)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["slug", "version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="instrument_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="instrument_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Administration(models.Model):
    """One use of an instrument with a person during an episode."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="administrations")
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="administrations"
    )
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    administered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    is_complete = models.BooleanField(default=False)
    total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    band = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(
        max_length=100, blank=True, help_text="Rule-based result, e.g. 'refer' for BJMHS."
    )
    flags = models.JSONField(default=list, blank=True)
    is_prorated = models.BooleanField(
        default=False, help_text="The total was prorated for unanswered items (e.g. CORE-10)."
    )
    override_band = models.CharField(max_length=100, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [
            models.Index(fields=["episode", "completed_at"]),
            # The stage's "screened" test (cases/stages.py), answered from the index alone.
            models.Index(
                fields=["episode"], condition=Q(is_complete=True), name="administration_done"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(completed_at__gte=F("started_at")),
                name="administration_completed_after_start",
            ),
            models.CheckConstraint(
                condition=Q(override_band="")
                | (~Q(override_reason="") & Q(overridden_by__isnull=False)),
                name="administration_override_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(override_band="") | Q(overridden_at__isnull=False),
                name="administration_override_has_time",
            ),
            models.CheckConstraint(
                condition=Q(is_complete=False) | Q(completed_at__isnull=False),
                name="administration_complete_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_version} on {self.episode}"


class Answer(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="answers"
    )
    link_id = models.CharField(max_length=60)
    value = models.JSONField(help_text="Option code, number, text or list, as the item type says.")
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "link_id"], name="answer_unique_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.link_id}={self.value}"
