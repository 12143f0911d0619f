"""Reading corrections back: "changed from X to Y by Z on date: reason", and edit conflicts.

``core.actions.amend`` writes one ``Amendment`` row per changed field and bumps the record's
``version`` once per save. So the saves made since version *v* are the latest
``current.version - v`` groups of rows (one group per save, sharing its timestamp), which is
what an editor who loaded version *v* has not seen.

Callers pass records they have already fetched through ``visible_to``.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db import models

from divert.core import codelists
from divert.core.formatting import uk_datetime
from divert.core.models import Amendment

NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str
    by: str
    at: dt.datetime
    reason: str

    @property
    def sentence(self) -> str:
        return (
            f"{self.label} changed from {self.old} to {self.new} by {self.by} "
            f"on {uk_datetime(self.at)}: {self.reason}"
        )


def _label(model: type[models.Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    return str(getattr(model_field, "verbose_name", name)).capitalize()


def _parse_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        return dt.datetime.fromisoformat(value)
    return None


def display_value(model: type[models.Model], name: str, value: Any) -> str:
    """A stored (JSON) or current value as a practitioner would read it."""
    model_field = model._meta.get_field(name)
    if value is None or value == "" or value == []:
        return NOT_RECORDED
    if isinstance(model_field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(model_field, models.DateTimeField):
        return uk_datetime(_parse_datetime(value))
    if name == "urgent_actions":
        return ", ".join(codelists.display("urgent-action", code) for code in value)
    choices = dict(getattr(model_field, "choices", None) or [])
    if choices:
        return str(choices.get(value, value))
    return f"“{value}”"


def comparable(model: type[models.Model], name: str, value: Any) -> Any:
    """A value reduced so that the form's and the database's versions compare equal: datetimes
    to the minute in UTC, lists as sorted tuples, blanks as ""."""
    if value is None or value == []:
        return ""
    if isinstance(model._meta.get_field(name), models.DateTimeField):
        moment = _parse_datetime(value)
        if moment is None:
            return ""
        return moment.astimezone(dt.UTC).replace(second=0, microsecond=0).isoformat()
    if isinstance(value, list | tuple):
        return tuple(sorted(value))
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def changed_fields(record: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``values`` that differs from ``record`` (ignoring seconds and blanks)."""
    model = type(record)
    return {
        name: value
        for name, value in values.items()
        if comparable(model, name, value) != comparable(model, name, getattr(record, name))
    }


def _rows(model: type[models.Model], ids: Iterable[int]) -> list[Amendment]:
    return list(
        Amendment.objects.filter(
            model_label=model._meta.label, object_id__in=[str(pk) for pk in ids]
        )
        .select_related("amended_by")
        .order_by("amended_at", "pk")
    )


def _change(model: type[models.Model], row: Amendment) -> Change:
    by = row.amended_by.get_full_name() or row.amended_by.username
    return Change(
        field=row.field,
        label=_label(model, row.field),
        old=display_value(model, row.field, row.old_value),
        new=display_value(model, row.field, row.new_value),
        by=by,
        at=row.amended_at,
        reason=row.reason,
    )


def history(model: type[models.Model], ids: Iterable[int]) -> dict[int, list[Change]]:
    """Each record's corrections, oldest first, in one query."""
    result: dict[int, list[Change]] = {}
    for row in _rows(model, ids):
        result.setdefault(int(row.object_id), []).append(_change(model, row))
    return result


@dataclass
class Conflict:
    """What another editor saved while this one was editing, and this editor's work rebased."""

    their_changes: list[Change]
    clashes: list[str]
    rebased: dict[str, Any]
    version: int


def conflict(
    current: models.Model, loaded_version: int, mine: dict[str, Any], fields: Sequence[str]
) -> Conflict:
    """Rebase ``mine`` (the submitted values, built on ``loaded_version``) onto ``current``.

    Fields this editor changed keep their values; every other field takes the current value, so
    saving again applies only this editor's changes on top of the other person's.
    """
    model = type(current)
    rows = _rows(model, [current.pk])  # type: ignore[list-item]
    saves = [list(group) for _, group in groupby(rows, key=lambda row: row.amended_at)]
    missed = current.version - loaded_version  # type: ignore[attr-defined]
    theirs = [row for save in saves[-missed:] for row in save] if missed > 0 else []
    loaded: dict[str, Any] = {name: getattr(current, name) for name in fields}
    for row in reversed(theirs):  # the earliest change to a field holds its loaded value
        if row.field in loaded:
            loaded[row.field] = row.old_value
    mine_changed = [
        name
        for name in fields
        if comparable(model, name, mine.get(name)) != comparable(model, name, loaded[name])
    ]
    their_fields = {row.field for row in theirs}
    clashes = [
        _label(model, name)
        for name in mine_changed
        if name in their_fields
        and comparable(model, name, mine.get(name))
        != comparable(model, name, getattr(current, name))
    ]
    rebased = {name: getattr(current, name) for name in fields}
    rebased.update({name: mine.get(name) for name in mine_changed})
    return Conflict(
        their_changes=[_change(model, row) for row in theirs],
        clashes=clashes,
        rebased=rebased,
        version=current.version,  # type: ignore[attr-defined]
    )
