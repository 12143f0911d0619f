"""People known to the service: identity, demographics, aliases and alerts."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from divert.core import codelists
from divert.people import identifiers


class PersonQuerySet(models.QuerySet["Person"]):
    def current(self) -> "PersonQuerySet":
        """People who have not been merged into another record."""
        return self.filter(merged_into__isnull=True)

    def visible_to(self, user: Any) -> "PersonQuerySet":
        from divert.accounts import access

        return access.people_visible_to(user, self)


class Person(models.Model):
    """Someone L&D has worked with. A person has many episodes over the years."""

    local_id = models.CharField("Divert ID", max_length=20, unique=True)
    nhs_number = models.CharField(
        "NHS number",
        max_length=10,
        null=True,
        blank=True,
        validators=[identifiers.validate_nhs_number],
    )
    pnc_id = models.CharField(
        "PNC ID", max_length=14, null=True, blank=True, validators=[identifiers.validate_pnc_id]
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    date_of_birth_is_estimated = models.BooleanField(default=False)
    gender_identity = models.CharField(
        max_length=1, choices=codelists.choices("gender-identity"), default="X"
    )
    ethnic_category = models.CharField(
        max_length=2, choices=codelists.choices("ethnic-category"), default="99"
    )
    address_line = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    has_no_fixed_abode = models.BooleanField(default=False)
    gp_practice_code = models.CharField("GP practice ODS code", max_length=10, blank=True)
    gp_practice_name = models.CharField(max_length=200, blank=True)
    communication_needs = models.TextField(blank=True)
    interpreter_language = models.CharField(max_length=100, blank=True)
    ld_status = models.CharField(
        "Learning disability status",
        max_length=1,
        choices=codelists.choices("ld-status"),
        default="X",
    )
    autism_status = models.CharField(
        max_length=1, choices=codelists.choices("autism-status"), default="X"
    )
    is_synthetic = models.BooleanField(
        default=False, help_text="Generated demo or test data, never a real person."
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["pnc_id"]),
        ]
        constraints = [
            # One current record per NHS number; merged-away records keep theirs.
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=Q(nhs_number__isnull=False, merged_into__isnull=True),
                name="person_nhs_number_unique_current",
            ),
            models.CheckConstraint(
                condition=Q(nhs_number__isnull=True) | Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="person_nhs_number_ten_digits",
            ),
            models.CheckConstraint(
                condition=Q(pnc_id__isnull=True)
                | Q(pnc_id__regex=r"^([0-9]{2}|[0-9]{4})/[0-9]{1,7}[A-Z]$"),
                name="person_pnc_id_format",
            ),
            models.CheckConstraint(
                condition=~Q(given_name="") & ~Q(family_name=""), name="person_names_required"
            ),
            models.CheckConstraint(
                condition=Q(gender_identity__in=codelists.codes("gender-identity")),
                name="person_gender_identity_valid",
            ),
            models.CheckConstraint(
                condition=Q(ethnic_category__in=codelists.codes("ethnic-category")),
                name="person_ethnic_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(ld_status__in=codelists.codes("ld-status"))
                & Q(autism_status__in=codelists.codes("autism-status")),
                name="person_ld_autism_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="person_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.local_id})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Alias(models.Model):
    """Another name (or date of birth) the person has used or been recorded under."""

    class Kind(models.TextChoices):
        ALIAS = "alias", "Alias"
        NICKNAME = "nickname", "Nickname or short name"
        PREVIOUS_NAME = "previous_name", "Previous name"
        RECORDED_SPELLING = "recorded_spelling", "Spelling used in another record"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ALIAS)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "aliases"
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            # Intake search: an alias born on the date typed in (cases/intake.py).
            models.Index(fields=["date_of_birth"], name="alias_date_of_birth"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(given_name="") | ~Q(family_name="") | Q(date_of_birth__isnull=False),
                name="alias_not_empty",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class Alert(models.Model):
    """Something every practitioner must see wherever the person appears."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alerts")
    category = models.CharField(max_length=40, choices=codelists.choices("alert-category"))
    description = models.TextField()
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=codelists.codes("alert-category")),
                name="alert_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | (Q(ended_at__gte=models.F("raised_at")) & Q(ended_by__isnull=False)),
                name="alert_end_after_raise_with_author",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="alert_description_required"),
        ]

    def __str__(self) -> str:
        return self.get_category_display()
