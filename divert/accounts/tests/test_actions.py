"""Account actions: creating users, granting roles and joining teams, each audited."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from divert.accounts import actions
from divert.accounts.models import RoleAssignment, TeamMembership, User
from divert.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-passphrase-0123"


def last_event_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def new_user(username="newstarter", **details):
    fields = {"first_name": "New", "last_name": "Starter", "password": PASSWORD, "by": None}
    return actions.create_user(username=username, **(fields | details))


def test_create_user_password_hashed(db):
    """A password is stored only as a hash that checks against the original."""

    user = new_user()

    stored = User.objects.get(pk=user.pk)
    assert PASSWORD not in stored.password
    assert stored.check_password(PASSWORD)


def test_create_user_without_password_unusable(db):
    """A user created without a password cannot sign in with one until it is set."""

    user = new_user(password=None)

    assert User.objects.get(pk=user.pk).has_usable_password() is False


def test_create_user_duplicate_username_refused(db):
    """Two users cannot share a username; the error is keyed 'username'."""
    new_user()

    with pytest.raises(ValidationError) as error:
        new_user()

    assert set(error.value.message_dict) == {"username"}
    assert User.objects.filter(username="newstarter").count() == 1


def test_create_user_writes_one_audit_event(users):
    """Creating a user writes one audit event naming the creator and the new user."""
    admin = users["admin"]
    before = last_event_id()

    user = new_user(by=admin)

    events = list(AuditEvent.objects.filter(id__gt=before))
    assert len(events) == 1
    assert (events[0].event, events[0].actor_id, events[0].target_id) == (
        "user.created",
        admin.pk,
        str(user.pk),
    )


def test_grant_role_recorded_with_granter(users):
    """Granting a role records who granted it and when, and the user's roles update at once."""
    user, admin = users["commissioner"], users["admin"]
    assert user.role_names == {"commissioner"}  # fills the per-instance cache

    assignment = actions.grant_role(user=user, role="practitioner", by=admin)

    assert (assignment.granted_by, assignment.granted_at is not None) == (admin, True)
    assert user.role_names == {"commissioner", "practitioner"}


def test_grant_role_twice_keeps_one_assignment(users):
    """Granting a role the user already holds does not duplicate it."""
    user = users["practitioner"]

    actions.grant_role(user=user, role="practitioner", by=users["admin"])

    assert RoleAssignment.objects.filter(user=user, role="practitioner").count() == 1


def test_grant_role_unknown_refused(users):
    """An unknown role is refused and nothing is written."""
    user = users["commissioner"]
    before = last_event_id()

    with pytest.raises(ValueError, match="superuser"):
        actions.grant_role(user=user, role="superuser", by=users["admin"])

    assert list(user.role_assignments.values_list("role", flat=True)) == ["commissioner"]
    assert not AuditEvent.objects.filter(id__gt=before).exists()


def test_grant_role_writes_one_audit_event(users):
    """Granting a role writes one audit event recording the role."""
    before = last_event_id()

    actions.grant_role(user=users["commissioner"], role="ig_officer", by=users["admin"])

    events = list(AuditEvent.objects.filter(id__gt=before))
    assert len(events) == 1
    assert (events[0].actor_id, events[0].changes) == (users["admin"].pk, {"role": "ig_officer"})


def test_add_to_team_joins_today(service, users):
    """Joining a team starts a current membership from today."""
    user, team = users["service_manager"], service["teams"]["south"]

    membership = actions.add_to_team(user=user, team=team, by=users["admin"])

    assert membership.left_on is None
    assert membership.joined_on is not None
    assert team in user.teams.all()


def test_add_to_team_rejoining_reopens_membership(service, users):
    """Rejoining a team after leaving it reopens the one membership row."""
    user, team = users["practitioner"], service["teams"]["north"]
    TeamMembership.objects.filter(user=user, team=team).update(left_on=timezone.localdate())

    actions.add_to_team(user=user, team=team, by=users["admin"])

    memberships = TeamMembership.objects.filter(user=user, team=team)
    assert [m.left_on for m in memberships] == [None]


def test_add_to_team_writes_one_audit_event(service, users):
    """Joining a team writes one audit event recording the team."""
    team = service["teams"]["south"]
    before = last_event_id()

    actions.add_to_team(user=users["service_manager"], team=team, by=users["admin"])

    events = list(AuditEvent.objects.filter(id__gt=before))
    assert len(events) == 1
    assert events[0].changes == {"team_id": team.pk}
