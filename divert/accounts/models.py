from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac

from divert.accounts.permissions import Permission
from divert.accounts.roles import ROLES, RoleName
from divert.organisation.models import Agency, Team


class User(AbstractUser):
    """A person who signs in. Roles and team membership decide what they may see."""

    job_title = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="For partner users: the one agency whose disclosures they receive.",
    )
    session_epoch = models.PositiveIntegerField(
        default=0,
        help_text="Raised to end every session of the user (disabled, role removed).",
    )
    teams: "models.ManyToManyField[Team, TeamMembership]" = models.ManyToManyField(
        Team, through="TeamMembership", related_name="members"
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> set[str]:
        """Role names; cached on the instance because every permission check reads them."""
        cached = self.__dict__.get("_role_names")
        if cached is None:
            cached = set(self.role_assignments.values_list("role", flat=True)) if self.pk else set()
            self.__dict__["_role_names"] = cached
        return cached

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Sessions carry this hash; including the epoch lets an action end them all at once.
        key_salt = "divert.accounts.User.session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def has_divert_permission(self, permission: Permission) -> bool:
        return any(permission in ROLES[RoleName(name)].permissions for name in self.role_names)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=RoleName.choices)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique"),
            models.CheckConstraint(condition=Q(role__in=RoleName.values), name="role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


class TeamMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="team_membership_unique"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="team_membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class AccessGrantQuerySet(models.QuerySet["AccessGrant"]):
    def active(self) -> "AccessGrantQuerySet":
        from django.utils import timezone

        return self.filter(expires_at__gt=timezone.now())


class AccessGrant(models.Model):
    """Access to one person's record outside the usual rules, with the reason recorded.

    Break-glass: a practitioner opens a record outside their caseload (flagged to their team
    leader and to IG). IG request: an IG officer opens a record against a subject-access or
    investigation reference.
    """

    class Kind(models.TextChoices):
        BREAK_GLASS = "break_glass", "Break-glass"
        IG_REQUEST = "ig_request", "Information governance request"

    class Review(models.TextChoices):
        APPROPRIATE = "appropriate", "Appropriate"
        INAPPROPRIATE = "inappropriate", "Not appropriate: follow up"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_grants")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="access_grants"
    )
    reason = models.TextField()
    reference = models.CharField(
        max_length=100, blank=True, help_text="Subject-access or investigation reference."
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_outcome = models.CharField(max_length=20, choices=Review.choices, blank=True)
    review_note = models.TextField(blank=True)

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "person", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="access_grant_reason_required"),
            models.CheckConstraint(
                condition=~Q(kind="ig_request") | ~Q(reference=""),
                name="access_grant_ig_request_needs_reference",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")),
                name="access_grant_expires_after_granted",
            ),
            models.CheckConstraint(
                condition=(Q(reviewed_at__isnull=True) & Q(review_outcome=""))
                | (
                    Q(reviewed_at__isnull=False)
                    & ~Q(review_outcome="")
                    & Q(reviewed_by__isnull=False)
                ),
                name="access_grant_review_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.user} on person {self.person_id}"
