"""Reporting's one table: a narrow summary row per episode that the KPIs read in one scan.

``EpisodeFact`` holds, for each episode, what the KPI definitions need and nothing a person
could be recognised by (no names, identifiers or free text): when it was referred, at which
site, the person's root id after merges, age group, gender and ethnic codes, and the first
time or presence of each pathway step. ``reporting.facts`` derives the rows from the clinical
tables with one SQL statement and keeps them current (ADR 0017); nothing else writes here.
"""

from django.db import models

from divert.cases.models import Episode
from divert.organisation.models import Site


class EpisodeFact(models.Model):
    # No database constraint: while a cascade deletes an episode's rows, their delete signals
    # re-derive the person's facts before the episode itself goes; the episode's own delete
    # signal then removes the row by person_key (see reporting.facts).
    episode = models.OneToOneField(
        Episode,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="fact",
        db_constraint=False,
    )
    referral_received_at = models.DateTimeField()
    # The person after following merges (two levels, as merge allows): re-presentation and
    # distinct people count this id. Not a foreign key: it names a cluster, not a row to join.
    person_key = models.BigIntegerField()
    is_youth = models.BooleanField()
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    gender_identity = models.CharField(max_length=1)
    ethnic_category = models.CharField(max_length=2)
    accepted = models.BooleanField()
    declined = models.BooleanField()
    screened_at = models.DateTimeField(null=True)
    has_assessment = models.BooleanField()
    has_need = models.BooleanField()
    onward_referrals = models.PositiveIntegerField()
    attended = models.PositiveIntegerField()
    did_not_attend = models.PositiveIntegerField()
    shared_at = models.DateTimeField(null=True)
    decided_at = models.DateTimeField(null=True)
    # The same person's next referral (by time, then episode id), however far ahead.
    next_referral_at = models.DateTimeField(null=True)
    # The same person's previous referral, and previous referral in the same age group (youth
    # or adult): an episode whose previous one falls before the period is the person's first
    # in it, which counts distinct people with a sum instead of a sort (kpis.build_sql).
    previous_referral_at = models.DateTimeField(null=True)
    previous_same_age_referral_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["referral_received_at"], name="episodefact_referred"),
            models.Index(fields=["person_key"], name="episodefact_person"),
        ]

    def __str__(self) -> str:
        return f"Facts of episode {self.episode_id}"
