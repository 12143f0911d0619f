from django.conf import settings
from django.db import models
from django.db.models import Q


class CodeList(models.Model):
    """A loaded version of a code list file (see divert/core/codelists/)."""

    slug = models.SlugField(max_length=64)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    source = models.TextField()
    description = models.TextField(blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="codelist_slug_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class Code(models.Model):
    code_list = models.ForeignKey(CodeList, on_delete=models.CASCADE, related_name="entries")
    code = models.CharField(max_length=64)
    display = models.CharField(max_length=200)
    group = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField()

    class Meta:
        ordering = ["code_list", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="code_unique_in_list")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display}"


class Amendment(models.Model):
    """A correction to a recorded item: what it said before, what it says now, who and why.

    Rows are immutable; the record's history is the list of its amendments.
    """

    model_label = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    field = models.CharField(max_length=100)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    reason = models.TextField()
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField()

    class Meta:
        ordering = ["-amended_at"]
        indexes = [models.Index(fields=["model_label", "object_id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_reason_required")
        ]

    def __str__(self) -> str:
        return f"{self.model_label}#{self.object_id}.{self.field}"
