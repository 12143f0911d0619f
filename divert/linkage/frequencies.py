"""Name frequencies for the intake lookup, kept as counts beside the keys they count.

An intake lookup weighs an exact name match by how common the name is (term frequency): the
share of ``PersonKey`` rows with that given name, that family name, and that family name
with that given-name root. Its prior needs how many people there are. Counting these at
lookup time reads more of the table the larger it grows, so ``NameFrequency`` keeps the
counts, with two totals (all keys, and people: keys that are not an alias), and a lookup
reads a handful of indexed rows in one query.

The counts move with the keys: ``refresh_keys`` passes the names of the keys it deletes and
writes to ``apply_changes``; bulk writers of keys (the historic-activity import) pass the
keys they add to ``add_keys``, and deleting keys any other way goes through ``delete_keys``.
``rebuild`` recounts everything from ``PersonKey`` (``divert people refresh-keys`` does), and
``counts_from_keys`` is the truth tests compare against.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from django.db import connection, models
from django.db.models import Count, Q

from divert.linkage.models import NameFrequency, PersonKey

Kind = NameFrequency.Kind
NameKey = tuple[str, str]  # (kind, value)
KeyNames = tuple[str, str, str, int | None]  # given_name, family_name, given_root, alias_id
SEPARATOR = "|"
BATCH = 500
ALL_KEYS: NameKey = (Kind.KEYS.value, "")
ALL_PEOPLE: NameKey = (Kind.PEOPLE.value, "")


class LookupCounts(NamedTuple):
    keys: int
    people: int
    given: int
    family: int
    whole: int


def whole_name(family: str, given_root: str) -> str:
    return f"{family}{SEPARATOR}{given_root}"


def names_of(given: str, family: str, given_root: str) -> list[NameKey]:
    """The counted names of one key row (blank names are not counted)."""
    names = []
    if given:
        names.append((Kind.GIVEN.value, given))
    if family:
        names.append((Kind.FAMILY.value, family))
        if given_root:
            names.append((Kind.WHOLE.value, whole_name(family, given_root)))
    return names


def count_names(rows: Iterable[KeyNames]) -> Counter[NameKey]:
    """Counts of the names in key rows, with the two totals."""
    counts: Counter[NameKey] = Counter()
    for given, family, root, alias_id in rows:
        counts.update(names_of(given, family, root))
        counts[ALL_KEYS] += 1
        if alias_id is None:
            counts[ALL_PEOPLE] += 1
    return counts


def key_names(keys: Iterable[PersonKey]) -> Iterator[KeyNames]:
    for key in keys:
        yield key.given_name, key.family_name, key.given_root, key.alias_id


KEY_NAME_FIELDS = ("given_name", "family_name", "given_root", "alias_id")


def names_of_people(person_ids: Iterable[int]) -> Counter[NameKey]:
    """Counts of the names in these people's current keys."""
    keys = PersonKey.objects.filter(person_id__in=list(person_ids))
    return count_names(keys.values_list(*KEY_NAME_FIELDS))


def apply_changes(removed: Counter[NameKey], added: Counter[NameKey]) -> int:
    """Move the counts by ``added - removed``; returns the names whose count changed.

    One upsert adds each change to the stored count (inserting names seen for the first
    time) and names no key carries any more are deleted. Rows are written in (kind, value)
    order, so concurrent refreshes take their row locks in the same order.
    """
    changes = {name: added[name] - removed[name] for name in added.keys() | removed.keys()}
    changes = {name: change for name, change in changes.items() if change}
    if not changes:
        return 0
    ordered = sorted(changes.items())
    table = connection.ops.quote_name(NameFrequency._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), BATCH):
            chunk = ordered[start : start + BATCH]
            rows = ", ".join(["(%s, %s, %s)"] * len(chunk))
            # The table name comes from the model, quoted by the backend; values are bound.
            cursor.execute(
                f"INSERT INTO {table} (kind, value, count) VALUES {rows} "  # noqa: S608  # nosec B608
                f"ON CONFLICT (kind, value) DO UPDATE SET count = {table}.count + excluded.count",
                [item for (kind, value), change in chunk for item in (kind, value, change)],
            )
    if any(change < 0 for change in changes.values()):
        NameFrequency.objects.filter(count__lte=0).delete()
    return len(changes)


def delete_keys(keys: "models.QuerySet[PersonKey]") -> int:
    """Delete these keys and uncount their names; returns the keys deleted.

    Anything other than ``refresh_keys`` that removes keys (deleting an alias cascades to its
    keys) goes through here first, or the counts drift until the next ``rebuild``.
    """
    removed = count_names(keys.values_list(*KEY_NAME_FIELDS))
    deleted, _ = keys.delete()
    apply_changes(removed, Counter())
    return deleted


def add_keys(keys: Iterable[PersonKey]) -> int:
    """Count the names of keys written in bulk, outside ``refresh_keys``."""
    added = count_names(key_names(keys))
    return apply_changes(Counter(), added)


def counts_from_keys(key_model: type[models.Model] = PersonKey) -> Counter[NameKey]:
    """Every name's count, counted afresh in the database (``key_model`` for migrations)."""
    keys = key_model._default_manager.all()
    counts: Counter[NameKey] = Counter()
    for kind, fields, condition in (
        (Kind.GIVEN, ("given_name",), ~Q(given_name="")),
        (Kind.FAMILY, ("family_name",), ~Q(family_name="")),
        (Kind.WHOLE, ("family_name", "given_root"), ~Q(family_name="") & ~Q(given_root="")),
    ):
        grouped = keys.filter(condition).values(*fields).annotate(n=Count("pk")).order_by()
        for row in grouped.values_list(*fields, "n"):
            value = row[0] if len(fields) == 1 else whole_name(row[0], row[1])
            counts[(kind.value, value)] = row[-1]
    total = keys.count()
    if total:
        counts[ALL_KEYS] = total
        counts[ALL_PEOPLE] = keys.filter(alias__isnull=True).count()
    return counts


def rebuild(
    key_model: type[models.Model] = PersonKey, frequency_model: type[models.Model] = NameFrequency
) -> int:
    """Recount every name from the keys; returns the names stored."""
    counts = counts_from_keys(key_model)
    frequency_model._default_manager.all().delete()
    frequency_model._default_manager.bulk_create(
        (
            frequency_model(kind=kind, value=value, count=count)
            for (kind, value), count in counts.items()
        ),
        batch_size=2000,
    )
    return len(counts)


def _wanted(given: str, family: str, given_root: str) -> dict[str, NameKey | None]:
    """The stored count behind each ``LookupCounts`` field (None: a blank name counts 0)."""
    return {
        "keys": ALL_KEYS,
        "people": ALL_PEOPLE,
        "given": (Kind.GIVEN.value, given) if given else None,
        "family": (Kind.FAMILY.value, family) if family else None,
        "whole": (Kind.WHOLE.value, whole_name(family, given_root))
        if family and given_root
        else None,
    }


def lookup_count_sql(given: str, family: str, given_root: str) -> list[tuple[str, list[str]]]:
    """``lookup_counts`` as columns another statement can select: one scalar subquery (SQL
    and its parameters) per ``LookupCounts`` field, in order.

    The subqueries do not depend on the outer row, so each is evaluated once per statement
    (an InitPlan on PostgreSQL; SQLite runs a non-correlated subquery once): the intake
    lookup reads its candidates and the counts in one round trip instead of two. Raw SQL,
    because five ORM ``Subquery`` expressions took longer to compile (over 1 ms) than the
    database took to run the whole statement.
    """
    quote = connection.ops.quote_name
    table = quote(NameFrequency._meta.db_table)
    # Identifiers come from the model, quoted by the backend; values are bound.
    stored = (
        f"COALESCE((SELECT {quote('count')} FROM {table} "  # noqa: S608  # nosec B608
        f"WHERE {quote('kind')} = %s AND {quote('value')} = %s), 0)"
    )
    return [
        (stored, list(name)) if name is not None else ("0", [])
        for name in _wanted(given, family, given_root).values()
    ]


def lookup_counts(given: str, family: str, given_root: str) -> LookupCounts:
    """How many keys and people there are, and how many keys carry this given name, this
    family name, and the two together: one query."""
    wanted = _wanted(given, family, given_root)
    names = [name for name in wanted.values() if name is not None]
    # Two IN lists read the (kind, value) index as one OR would, and cost less to build; the
    # few extra combinations they match are dropped here.
    rows = NameFrequency.objects.filter(
        kind__in={kind for kind, _ in names}, value__in={value for _, value in names}
    ).values_list("kind", "value", "count")
    found = {(kind, value): count for kind, value, count in rows}
    return LookupCounts(
        **{field: found.get(name, 0) if name else 0 for field, name in wanted.items()}
    )
