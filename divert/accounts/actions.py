"""Account changes: creating users, granting roles, team membership. Each writes an audit event."""

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from divert.accounts.models import AccessGrant, RoleAssignment, TeamMembership, User
from divert.accounts.roles import RoleName
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.organisation.models import Agency, Team


@transaction.atomic
def create_user(
    *,
    username: str,
    first_name: str,
    last_name: str,
    password: str | None,
    by: User | None,
    email: str = "",
    job_title: str = "",
    agency: Agency | None = None,
) -> User:
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        agency=agency,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    auditor.record(event="user.created", action=AuditEvent.Action.CREATE, by=by, target=user)
    return user


@transaction.atomic
def grant_role(*, user: User, role: RoleName | str, by: User | None) -> RoleAssignment:
    role = RoleName(role)
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, defaults={"granted_at": timezone.now(), "granted_by": by}
    )
    user.__dict__.pop("_role_names", None)
    auditor.record(
        event="user.role_granted",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=user,
        changes={"role": role.value},
    )
    return assignment


@transaction.atomic
def add_to_team(*, user: User, team: Team, by: User | None) -> TeamMembership:
    membership, _ = TeamMembership.objects.update_or_create(
        user=user, team=team, defaults={"joined_on": timezone.localdate(), "left_on": None}
    )
    auditor.record(
        event="user.added_to_team",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=user,
        changes={"team_id": team.pk},
    )
    return membership


def _end_sessions(user: User) -> None:
    # Every session carries a hash that includes the epoch, so raising it ends them all.
    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


# Error messages (named so that bandit does not read a "password" key's text as a password).
WRONG_CURRENT = "Your current password is not right"
SAME_AS_CURRENT = "Choose a password you have not just used"


def change_password(*, user: User, current_password: str, new_password: str) -> None:
    """The user's own password change (security.md B4). The new password must pass every
    validator; changing it ends the user's other sessions (their auth hash includes the
    password). Writes ``account.password_changed``, or ``account.password_change_failed`` when
    the current password is wrong (kept: that check is outside the change's transaction)."""
    if not user.check_password(current_password):
        auditor.record(
            event="account.password_change_failed",
            action=AuditEvent.Action.LOGIN_FAILED,
            by=user,
            target=user,
        )
        raise ValidationError({"current_password": WRONG_CURRENT})
    if new_password == current_password:
        raise ValidationError({"new_password": SAME_AS_CURRENT})
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        auditor.record(
            event="account.password_changed",
            action=AuditEvent.Action.UPDATE,
            by=user,
            target=user,
        )


@transaction.atomic
def revoke_role(*, user: User, role: RoleName | str, by: User | None) -> None:
    """Remove a role; the user's sessions end at once so the change takes effect (A7)."""
    role = RoleName(role)
    RoleAssignment.objects.filter(user=user, role=role).delete()
    user.__dict__.pop("_role_names", None)
    _end_sessions(user)
    auditor.record(
        event="user.role_revoked",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=user,
        changes={"role": role.value},
    )


@transaction.atomic
def remove_from_team(*, user: User, team: Team, by: User | None) -> None:
    """End a team membership; the caseload it gave goes with it, sessions included."""
    TeamMembership.objects.filter(user=user, team=team, left_on__isnull=True).update(
        left_on=timezone.localdate()
    )
    _end_sessions(user)
    auditor.record(
        event="user.removed_from_team",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=user,
        changes={"team_id": team.pk},
    )


@transaction.atomic
def disable_user(*, user: User, by: User | None, reason: str) -> None:
    """Disable sign-in; existing sessions stop working at their next request."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    _end_sessions(user)
    auditor.record(
        event="user.disabled",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=user,
        changes={"reason_given": bool(reason.strip())},
    )


@transaction.atomic
def grant_access(
    *,
    user: User,
    person: Any,
    kind: str,
    reason: str,
    by: User,
    reference: str = "",
    request: Any = None,
) -> "AccessGrant":
    """Open one person's record to ``user`` for a limited time, with the reason on record.

    Break-glass needs the BREAK_GLASS permission; an IG request needs VIEW_AUDIT and a
    subject-access or investigation reference.
    """
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from divert.accounts.access import has_permission
    from divert.accounts.permissions import Permission

    kind = AccessGrant.Kind(kind)
    needed = (
        Permission.BREAK_GLASS if kind == AccessGrant.Kind.BREAK_GLASS else Permission.VIEW_AUDIT
    )
    if not has_permission(user, needed):
        raise PermissionDenied
    errors = {}
    if len(reason.strip()) < 10:
        errors["reason"] = "Say why you need to open this record (at least 10 characters)"
    if kind == AccessGrant.Kind.IG_REQUEST and not reference.strip():
        errors["reference"] = "Enter the subject-access or investigation reference"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    grant = AccessGrant.objects.create(
        kind=kind,
        user=user,
        person=person,
        reason=reason.strip(),
        reference=reference.strip(),
        granted_at=now,
        expires_at=now + dt.timedelta(hours=settings.ACCESS_GRANT_HOURS),
    )
    auditor.record(
        event=f"access.{kind.value}",
        action=AuditEvent.Action.BREAK_GLASS,
        by=by,
        target=grant,
        person_id=person.pk,
        reason=grant.reason if not grant.reference else f"{grant.reference}: {grant.reason}",
        request=request,
    )
    return grant


@transaction.atomic
def review_access_grant(*, grant: "AccessGrant", outcome: str, by: User, note: str = "") -> None:
    """Record a team leader's or IG officer's review of an access grant."""
    from django.core.exceptions import ValidationError

    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is not None:
        raise ValidationError("This access has already been reviewed")
    if grant.user_id == by.pk:
        raise ValidationError("Access cannot be reviewed by the person who used it")
    grant.review_outcome = AccessGrant.Review(outcome)
    grant.review_note = note
    grant.reviewed_at = timezone.now()
    grant.reviewed_by = by
    grant.save(update_fields=["review_outcome", "review_note", "reviewed_at", "reviewed_by"])
    auditor.record(
        event="access.reviewed",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=grant,
        person_id=grant.person_id,
        changes={"outcome": grant.review_outcome},
    )
