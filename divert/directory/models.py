"""A directory of services people are referred on to, after the Open Referral UK shape."""

from django.db import models
from django.db.models import F, Q

from divert.core import codelists
from divert.organisation.models import ForceArea


class DirectoryOrganisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DirectoryService(models.Model):
    """A service someone can be referred to: treatment, housing, debt advice, youth services."""

    organisation = models.ForeignKey(
        DirectoryOrganisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    categories = models.JSONField(
        default=list, help_text="Codes from the service-category code list."
    )
    eligibility = models.TextField(
        blank=True, help_text="Who the service is for, in words (Open Referral UK eligibility)."
    )
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    areas_served = models.ManyToManyField(
        ForceArea,
        related_name="directory_services",
        blank=True,
        help_text="Police force areas served; none means everywhere.",
    )
    area_description = models.CharField(
        max_length=200, blank=True, help_text="The area served in words, e.g. local authorities."
    )
    hours = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    referral_route = models.TextField(blank=True)
    is_self_referral_accepted = models.BooleanField(default=False)
    accessibility = models.TextField(blank=True)
    languages = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="directory_service_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="directory_service_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def category_labels(self) -> list[str]:
        return [codelists.display("service-category", code) for code in self.categories]
