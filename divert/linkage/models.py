"""Blocking keys for people, kept in the database so an intake lookup is a few index seeks."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from divert.people.models import Alias, Person


class PersonKey(models.Model):
    """The linkage keys of one current person, or of one of their aliases.

    Derived data: ``divert.linkage.lookup.refresh_keys(person_ids)`` rewrites a person's rows
    from ``Person`` and ``Alias``. Merged-away people have no rows. Names are stored in their
    normalised forms (see ``linkage/normalise.py``), never shown.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="linkage_keys")
    alias = models.ForeignKey(
        Alias, on_delete=models.CASCADE, null=True, blank=True, related_name="linkage_keys"
    )
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    given_phonetic = models.CharField(max_length=40, blank=True)
    family_phonetic = models.CharField(max_length=40, blank=True)
    given_root = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_swapped = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, null=True, blank=True)
    pnc_id = models.CharField(max_length=10, null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    postcode_district = models.CharField(max_length=4, blank=True)
    # The rest of what a lookup compares, normalised when the keys are written, so that a
    # lookup builds each candidate from its key row instead of normalising it again.
    family_parts = models.TextField(blank=True, help_text="The family name's words, spaced")
    address = models.TextField(blank=True, help_text="Address words, abbreviations spelt out")
    is_compared = models.BooleanField(
        default=False,
        help_text="family_parts and address are filled (keys written before them are not)",
    )

    class Meta:
        indexes = [
            models.Index(fields=["nhs_number"], name="linkage_key_nhs"),
            models.Index(fields=["pnc_id"], name="linkage_key_pnc"),
            models.Index(fields=["family_phonetic", "date_of_birth"], name="linkage_key_fam_dob"),
            models.Index(fields=["given_phonetic", "date_of_birth"], name="linkage_key_giv_dob"),
            models.Index(fields=["date_of_birth"], name="linkage_key_dob"),
            models.Index(fields=["date_of_birth_swapped"], name="linkage_key_dob_swapped"),
            models.Index(fields=["given_root", "date_of_birth"], name="linkage_key_root_dob"),
            models.Index(fields=["given_root", "postcode"], name="linkage_key_root_postcode"),
            # Broad blocks, read nearest the query's date of birth first (lookup.blocking_sql).
            models.Index(
                fields=["family_name", "postcode_district", "date_of_birth"],
                name="linkage_key_fam_dist_dob",
            ),
            models.Index(
                fields=["given_root", "family_phonetic", "date_of_birth"],
                name="linkage_key_root_fam_dob",
            ),
        ]

    def __str__(self) -> str:
        return f"Linkage keys of person {self.person_id}"


class NameFrequency(models.Model):
    """How many ``PersonKey`` rows carry a name: the term frequencies an intake lookup weighs.

    Derived data, kept by ``divert.linkage.frequencies``: ``refresh_keys`` applies the change
    in counts of the keys it rewrites, so a lookup reads five indexed rows (three names and
    two totals) instead of counting a large table. ``divert people refresh-keys`` recounts it
    from ``PersonKey``.
    """

    class Kind(models.TextChoices):
        GIVEN = "given", "Given name"
        FAMILY = "family", "Family name"
        WHOLE = "whole", "Family name with the given name's root"
        KEYS = "keys", "All linkage keys (value blank)"
        PEOPLE = "people", "People with linkage keys, aliases not counted (value blank)"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    value = models.CharField(
        max_length=201, help_text="The normalised name; a whole name is family|given root"
    )
    count = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="linkage_name_frequency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} frequency"


class FindDuplicatesRun(models.Model):
    """One batch search for duplicate people across the whole record."""

    class Trigger(models.TextChoices):
        PAGE = "page", "Started from the review queue"
        COMMAND = "command", "Scheduled or command line"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    people_compared = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveIntegerField(default=0)
    candidates_proposed = models.PositiveIntegerField(default=0)
    pairs_already_decided = models.PositiveIntegerField(default=0)
    match_threshold = models.FloatField()
    review_threshold = models.FloatField()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Find duplicates at {self.started_at:%Y-%m-%d %H:%M}"


class PairQuerySet(models.QuerySet[Any]):
    def for_pair(self, a: int, b: int) -> "PairQuerySet":
        first, second = sorted((a, b))
        return self.filter(first_id=first, second_id=second)


class DuplicateCandidate(models.Model):
    """Two current people a batch run found likely to be one person, waiting for a decision.

    ``first`` is always the lower id. ``evidence`` holds codes and weights only (comparison,
    level, bits); the compare page words it from the current records.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a decision"
        NOT_SURE = "not_sure", "Not sure: needs someone else to look"
        DECIDED = "decided", "Decided"

    run = models.ForeignKey(FindDuplicatesRun, on_delete=models.PROTECT, related_name="candidates")
    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField(help_text="Match weight in bits, prior included")
    probability = models.FloatField()
    band = models.CharField(max_length=10, help_text="match or review, from the thresholds")
    rule = models.CharField(max_length=200, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    proposed_at = models.DateTimeField()

    objects = PairQuerySet.as_manager()

    class Meta:
        ordering = ["-weight"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="duplicate_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(band__in=["match", "review"]), name="duplicate_band_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Possible duplicate {self.first_id} and {self.second_id}"


class LinkDecision(models.Model):
    """A person's decision that two records are, or are not, the same person. Never changed:
    a later decision on the same pair is a new row, and the latest one counts."""

    class Outcome(models.TextChoices):
        SAME = "same", "The same person"
        DIFFERENT = "different", "Different people"
        NOT_SURE = "not_sure", "Not sure"

    first = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    candidate = models.ForeignKey(
        DuplicateCandidate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )

    objects = PairQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="link_decision_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["same", "different", "not_sure"]),
                name="link_decision_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["first", "second"], name="link_decision_pair")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.first_id} and {self.second_id}"


class PersonMerge(models.Model):
    """One merge of ``merged`` into ``survivor``, with everything needed to reverse it exactly.

    ``moved`` lists the ids of the rows moved to the survivor ({"episodes": [...], "aliases":
    [...], "alerts": [...], "import_refs": [...]}); ``survivor_before`` the survivor's fields
    the merge filled in (NHS number, PNC ID) as they were; ``alias_added`` the alias made from
    the merged record's own name and date of birth.
    """

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_ended")
    decision = models.ForeignKey(LinkDecision, on_delete=models.PROTECT, related_name="merges")
    rule = models.CharField(
        max_length=100,
        blank=True,
        help_text="The recorded rule that allowed an automatic merge; blank when a person "
        "decided (Divert has no automatic merge rule)",
    )
    reason = models.TextField()
    merged_at = models.DateTimeField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved = models.JSONField(default=dict, blank=True)
    survivor_before = models.JSONField(default=dict, blank=True)
    alias_added = models.ForeignKey(
        Alias, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unmerge_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(survivor=models.F("merged")), name="person_merge_two_people"
            ),
            models.CheckConstraint(
                condition=Q(unmerged_at__isnull=True)
                | (Q(unmerged_by__isnull=False) & ~Q(unmerge_reason="")),
                name="person_unmerge_has_author_and_reason",
            ),
            # One standing merge per merged-away person.
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(unmerged_at__isnull=True),
                name="person_merge_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"Person {self.merged_id} merged into {self.survivor_id}"
