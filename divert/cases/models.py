"""An episode is one L&D involvement with a person, from referral to closure.

Everything recorded under it (offers, needs, assessments, contacts, tasks, outcomes) is its own
row with who recorded it and when, so the stage is derived from the record (see stages.py).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from divert.core import codelists
from divert.organisation.models import Site, Team
from divert.people.models import Person

USER = settings.AUTH_USER_MODEL
YOUTH_AGE_LIMIT = 18
MINIMUM_AGE = 10  # the age of criminal responsibility in England


class Pathway(models.TextChoices):
    YOUTH = "youth", "Youth (under 18 at referral)"
    ADULT = "adult", "Adult"


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def open(self) -> "EpisodeQuerySet":
        return self.filter(closed_at__isnull=True)

    def for_team(self, team: Team) -> "EpisodeQuerySet":
        return self.filter(team=team)

    def visible_to(self, user: Any) -> "EpisodeQuerySet":
        from divert.accounts import access

        return access.episodes_visible_to(user, self)

    def with_stage(self) -> "EpisodeQuerySet":
        from divert.cases.stages import annotate_stage

        return annotate_stage(self)  # type: ignore[return-value]


class Episode(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes")
    reference = models.CharField(max_length=20, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="episodes")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="episodes")
    pathway_point = models.CharField(max_length=32, choices=codelists.choices("pathway-point"))
    referral_source = models.CharField(
        "Source of referral", max_length=2, choices=codelists.choices("referral-source")
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_role = models.CharField(max_length=200, blank=True)
    referral_reason = models.TextField(blank=True)
    referral_received_at = models.DateTimeField()
    detained_at = models.DateTimeField(
        "Arrest or detention time",
        null=True,
        blank=True,
        help_text="Arrest time, or arrival at the police station for voluntary attendance.",
    )
    custody_record_number = models.CharField(max_length=40, blank=True)
    alleged_offence_category = models.CharField(
        max_length=40, choices=codelists.choices("alleged-offence-category"), blank=True
    )
    age_at_referral = models.PositiveSmallIntegerField()
    pathway = models.CharField(max_length=5, choices=Pathway.choices)
    allocated_to = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="allocated_episodes"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(
        max_length=40, choices=codelists.choices("closure-reason"), blank=True
    )
    closure_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-referral_received_at"]
        indexes = [
            models.Index(fields=["site", "referral_received_at"]),
            models.Index(fields=["team", "closed_at", "referral_received_at"]),
            models.Index(fields=["referral_received_at"]),
            models.Index(fields=["allocated_to", "closed_at"]),
            # The worklist: open episodes at the user's sites, newest referral first. Closed
            # episodes (most of them, and more every year) are not in it at all.
            models.Index(
                fields=["site", "-referral_received_at"],
                condition=Q(closed_at__isnull=True),
                name="episode_open_by_site",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_at_referral__gte=MINIMUM_AGE, age_at_referral__lte=120),
                name="episode_age_in_range",
            ),
            models.CheckConstraint(
                condition=(Q(pathway=Pathway.YOUTH) & Q(age_at_referral__lt=YOUTH_AGE_LIMIT))
                | (Q(pathway=Pathway.ADULT) & Q(age_at_referral__gte=YOUTH_AGE_LIMIT)),
                name="episode_pathway_matches_age",
            ),
            models.CheckConstraint(
                condition=Q(detained_at__isnull=True)
                | Q(detained_at__lte=F("referral_received_at")),
                name="episode_detention_before_referral",
            ),
            models.CheckConstraint(
                condition=(Q(closed_at__isnull=True) & Q(closure_reason=""))
                | (
                    Q(closed_at__isnull=False)
                    & ~Q(closure_reason="")
                    & Q(closed_at__gte=F("referral_received_at"))
                ),
                name="episode_closure_complete_and_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(allocated_to__isnull=True) | Q(allocated_at__isnull=False),
                name="episode_allocation_has_time",
            ),
            models.CheckConstraint(
                condition=Q(referral_source__in=codelists.codes("referral-source")),
                name="episode_referral_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(pathway_point__in=codelists.codes("pathway-point")),
                name="episode_pathway_point_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_youth(self) -> bool:
        return self.pathway == Pathway.YOUTH

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class EpisodeRecord(models.Model):
    """Common columns for rows recorded under an episode."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="%(class)ss")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class OfferOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    NOT_POSSIBLE = "not_possible", "Not possible now"
    NOT_OFFERED = "not_offered", "Not offered"


class Competence(models.TextChoices):
    NOT_APPLICABLE = "", "Not applicable (16 or over)"
    COMPETENT = "competent", "Gillick competent"
    NOT_COMPETENT = "not_competent", "Not Gillick competent"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class Offer(EpisodeRecord):
    """An offer of L&D support and the person's answer. An episode may have several."""

    offered_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=OfferOutcome.choices)
    not_possible_reason = models.CharField(
        max_length=40, choices=codelists.choices("not-possible-reason"), blank=True
    )
    reason_detail = models.TextField(blank=True)
    parent_carer_present = models.BooleanField(null=True, blank=True)
    parent_carer_name = models.CharField(max_length=200, blank=True)
    appropriate_adult_present = models.BooleanField(null=True, blank=True)
    appropriate_adult_name = models.CharField(max_length=200, blank=True)
    appropriate_adult_organisation = models.CharField(max_length=200, blank=True)
    competence = models.CharField(max_length=16, choices=Competence.choices, blank=True)
    youth_justice_worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["offered_at"]
        # The stage's "accepted an offer" test (stages.py), answered from the index alone.
        indexes = [
            models.Index(
                fields=["episode"],
                condition=Q(outcome=OfferOutcome.ACCEPTED),
                name="offer_accepted_by_episode",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=OfferOutcome.values), name="offer_outcome_valid"
            ),
            models.CheckConstraint(
                condition=~Q(outcome=OfferOutcome.NOT_POSSIBLE) | ~Q(not_possible_reason=""),
                name="offer_not_possible_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(outcome=OfferOutcome.NOT_POSSIBLE) | Q(not_possible_reason=""),
                name="offer_reason_only_when_not_possible",
            ),
        ]

    def __str__(self) -> str:
        return self.get_outcome_display()


class Need(EpisodeRecord):
    """A vulnerability or need identified during the episode, and who identified it."""

    category = models.CharField(max_length=40, choices=codelists.choices("vulnerability"))
    identified_by = models.CharField(max_length=40, choices=codelists.choices("identified-by"))
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "category"], name="need_unique_per_episode"),
            models.CheckConstraint(
                condition=Q(category__in=codelists.codes("vulnerability")),
                name="need_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class Assessment(EpisodeRecord):
    """A structured, trauma-informed assessment. Risk is a formulation, never a score."""

    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    presenting_needs = models.TextField(blank=True)
    history = models.TextField(blank=True)
    risk_to_self = models.TextField(blank=True)
    risk_to_others = models.TextField(blank=True)
    risk_from_others = models.TextField(blank=True)
    safeguarding_concern = models.BooleanField(default=False)
    safeguarding_referral_reference = models.CharField(max_length=100, blank=True)
    recommendations = models.TextField(blank=True)
    reasonable_adjustments = models.TextField(blank=True)
    urgent_actions = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["started_at"]
        # The stage's "assessed" test (stages.py), answered from the index alone.
        indexes = [
            models.Index(
                fields=["episode"],
                condition=Q(completed_at__isnull=False),
                name="assessment_done_by_episode",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(completed_at__gte=F("started_at")),
                name="assessment_completed_after_start",
            ),
            models.CheckConstraint(
                condition=Q(safeguarding_concern=True) | Q(safeguarding_referral_reference=""),
                name="assessment_safeguarding_reference_needs_concern",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.started_at:%Y-%m-%d}"


class Contact(EpisodeRecord):
    """Support given: in custody, at court, by phone, during bail, court accompaniment."""

    contact_type = models.CharField(max_length=32, choices=codelists.choices("contact-type"))
    occurred_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_type__in=codelists.codes("contact-type")),
                name="contact_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__lte=24 * 60),
                name="contact_duration_at_most_a_day",
            ),
        ]

    def __str__(self) -> str:
        return self.get_contact_type_display()


class Task(EpisodeRecord):
    """A reminder on the worklist, such as 'check attendance at first appointment'."""

    title = models.CharField(max_length=200)
    due_on = models.DateField()
    assigned_to = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on"]
        indexes = [models.Index(fields=["assigned_to", "completed_at", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(completed_at__isnull=True) & Q(completed_by__isnull=True))
                | (Q(completed_at__isnull=False) & Q(completed_by__isnull=False)),
                name="task_completion_has_author",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PoliceOutcome(EpisodeRecord):
    """The police decision, as reported by the force. Youth and adult lists differ."""

    outcome_list = models.CharField(max_length=5, choices=Pathway.choices)
    outcome = models.CharField(max_length=40)
    decided_at = models.DateTimeField()
    reported_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(outcome_list=Pathway.YOUTH)
                    & Q(outcome__in=codelists.codes("police-outcome-youth"))
                )
                | (
                    Q(outcome_list=Pathway.ADULT)
                    & Q(outcome__in=codelists.codes("police-outcome-adult"))
                ),
                name="police_outcome_in_its_list",
            )
        ]

    def __str__(self) -> str:
        return self.outcome_display

    @property
    def outcome_display(self) -> str:
        return codelists.display(f"police-outcome-{self.outcome_list}", self.outcome)


class CourtHearing(EpisodeRecord):
    """A court hearing and its outcome; sentence type when sentenced."""

    court = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="hearings")
    hearing_on = models.DateField()
    outcome = models.CharField(
        max_length=40, choices=codelists.choices("court-outcome"), blank=True
    )
    sentence_type = models.CharField(
        max_length=40, choices=codelists.choices("sentence-type"), blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["hearing_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sentence_type="") | Q(outcome="sentenced"),
                name="court_sentence_only_when_sentenced",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(decided_at__isnull=False),
                name="court_outcome_has_decision_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.hearing_on}"
