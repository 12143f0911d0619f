"""Database constraints on role assignments and team membership."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from divert.accounts.models import RoleAssignment, TeamMembership

pytestmark = pytest.mark.django_db


def test_role_assignment_duplicate_refused(users):
    """A user holds each role at most once."""
    user = users["practitioner"]

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role="practitioner", granted_at=timezone.now())


def test_role_assignment_unknown_role_refused(users):
    """A role outside the role table is refused."""
    user = users["commissioner"]

    with pytest.raises(IntegrityError, match="role_valid"), transaction.atomic():
        RoleAssignment.objects.create(user=user, role="superuser", granted_at=timezone.now())


def test_role_assignment_second_role_accepted(users):
    """A user may hold several different roles."""
    user = users["admin"]

    RoleAssignment.objects.create(user=user, role="practitioner", granted_at=timezone.now())

    assert set(user.role_assignments.values_list("role", flat=True)) == {
        "administrator",
        "practitioner",
    }


def test_team_membership_duplicate_refused(service, users):
    """A user is a member of a team at most once (rejoining reopens the same row)."""
    user, team = users["practitioner"], service["teams"]["north"]

    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(user=user, team=team, joined_on=timezone.localdate())


def test_team_membership_left_before_joined_refused(service, users):
    """A member cannot leave a team before joining it."""
    joined = dt.date(2025, 6, 1)
    fields = {
        "user": users["service_manager"],
        "team": service["teams"]["north"],
        "joined_on": joined,
        "left_on": joined - dt.timedelta(days=1),
    }

    with pytest.raises(IntegrityError, match="team_membership_dates_ordered"), transaction.atomic():
        TeamMembership.objects.create(**fields)


def test_team_membership_left_on_joining_day_accepted(service, users):
    """Leaving on the day of joining is stored."""
    joined = dt.date(2025, 6, 1)
    fields = {
        "user": users["service_manager"],
        "team": service["teams"]["north"],
        "joined_on": joined,
        "left_on": joined,
    }

    membership = TeamMembership.objects.create(**fields)

    assert membership.left_on == joined
