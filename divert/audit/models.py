"""The audit trail: append-only, hash-chained, no foreign keys, identifiers only.

Each event stores the hash of the event before it, so an edited, inserted or deleted row breaks
the chain and ``divert audit verify`` finds it. The database refuses UPDATE and DELETE on this
table (triggers in migration 0002).
"""

from django.db import models


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        SEARCH = "search", "Searched"
        EXPORT = "export", "Exported"
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Sign-in failed"
        LOGOUT = "logout", "Signed out"
        DENIED = "denied", "Access denied"
        IMPORT = "import", "Imported"
        BREAK_GLASS = "break_glass", "Break-glass access"

    sequence = models.BigIntegerField(unique=True, help_text="1, 2, 3... with no gaps.")
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_roles = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    event = models.CharField(max_length=80, help_text="What happened, e.g. 'episode.viewed'.")
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)
    route = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Break-glass reason or request reference.")
    changes = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["person_id", "occurred_at"]),
            models.Index(fields=["actor_id", "occurred_at"]),
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["occurred_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.sequence} {self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.event}"
        )
