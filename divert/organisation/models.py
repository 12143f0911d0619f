"""The shape of an L&D service: provider, service, force areas, sites, teams, partner agencies.

All of it is configuration held as rows, so another L&D service in England is set up with data,
not code.
"""

from django.db import models
from django.db.models import F, Q

from divert.core import codelists


class Provider(models.Model):
    """The NHS trust or organisation that runs the L&D service."""

    name = models.CharField(max_length=200)
    ods_code = models.CharField("ODS code", max_length=10, unique=True)

    def __str__(self) -> str:
        return self.name


class LDService(models.Model):
    """One liaison and diversion service (MHSDS team type D02)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    team_type_code = models.CharField(max_length=3, default="D02")

    class Meta:
        verbose_name = "L&D service"
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="ldservice_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ForceArea(models.Model):
    """A police force area the service covers (for example Cleveland, Durham)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    service = models.ForeignKey(LDService, on_delete=models.PROTECT, related_name="force_areas")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SiteType(models.TextChoices):
    CUSTODY_SUITE = "custody_suite", "Custody suite"
    YOUTH_CUSTODY_SUITE = "youth_custody_suite", "Youth custody suite"
    VOLUNTARY_ATTENDANCE = "voluntary_attendance", "Voluntary attendance"
    MAGISTRATES_COURT = "magistrates_court", "Magistrates' court"
    YOUTH_COURT = "youth_court", "Youth court"
    CROWN_COURT = "crown_court", "Crown Court"
    COMMUNITY = "community", "Community"
    VIRTUAL = "virtual", "Virtual"


class Site(models.Model):
    """A place L&D works: a custody suite, a court, a community base."""

    service = models.ForeignKey(LDService, on_delete=models.PROTECT, related_name="sites")
    force_area = models.ForeignKey(ForceArea, on_delete=models.PROTECT, related_name="sites")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    site_type = models.CharField(max_length=32, choices=SiteType.choices)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(site_type__in=SiteType.values), name="site_type_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_court(self) -> bool:
        return self.site_type in {
            SiteType.MAGISTRATES_COURT,
            SiteType.YOUTH_COURT,
            SiteType.CROWN_COURT,
        }


class OpeningHours(models.Model):
    """When L&D staff are on a site; a site open 24/7 has seven 00:00-24:00 rows."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["site", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")) | Q(closes="00:00"),
                name="opening_hours_close_after_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Team(models.Model):
    """A team of practitioners; its sites define its caseload."""

    service = models.ForeignKey(LDService, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    sites = models.ManyToManyField(Site, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A criminal-justice or other partner receiving disclosures (one agency per partner user)."""

    name = models.CharField(max_length=200, unique=True)
    recipient_class = models.CharField(max_length=32, choices=codelists.choices("recipient-class"))
    force_area = models.ForeignKey(
        ForceArea, on_delete=models.PROTECT, null=True, blank=True, related_name="agencies"
    )
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_class__in=codelists.codes("recipient-class")),
                name="agency_recipient_class_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name
