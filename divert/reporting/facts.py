"""Keep ``EpisodeFact`` (one summary row per episode) equal to what the clinical tables say.

The KPI pages read reporting_episodefact in one scan instead of re-aggregating every fact
table on each request (ADR 0017). The rows are derived by ``kpis.fact_ctes``, the same SQL the
"live" KPI statement uses, so there is one definition of each fact.

How the table stays current:

- Saving or deleting any row a fact is derived from (episode, person, offer, screening,
  assessment, need, onward referral and its status history, disclosure, imported facts)
  re-derives the facts of that person's episodes, in the same transaction (``connect``).
  The unit is the person after merges, because an episode's next referral depends on the
  person's other episodes.
- Merge and unmerge move episodes with ``update()`` and then save the merged person: that
  save re-derives the clusters before and after (the pre-save hook notes the old one).
- Writes that bypass model signals altogether (bulk import, the demo seed) call
  ``refresh_people`` or ``refresh_all`` themselves.
- ``divert report facts --check`` counts rows that differ from a fresh derivation, and
  ``--rebuild`` rewrites the table; the KPI tests compare the table with the live statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from divert.core import locks
from divert.reporting import kpis

# Above this many people a refresh re-derives the whole table in one statement instead.
WHOLE_TABLE_ABOVE = 20_000
# People per statement (each appears ten times as a bound value).
CHUNK = 500
# The advisory lock a whole-table rebuild holds alone and per-person refreshes share.
LOCK = "episode-facts"


def _execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _in(column: str, ids: list[int]) -> Any:
    return lambda d: f"{column} IN ({', '.join(d.param(i) for i in ids)})"


def _insert(scope: kpis.Scope) -> int:
    d = kpis.django_dialect()
    columns = ", ".join(kpis.FACT_COLUMNS)
    sql = f"INSERT INTO {kpis.FACTS_TABLE} ({columns}) " + kpis.facts_sql(d, scope)
    return _execute(sql, d.params)


def _clusters(person_ids: set[int]) -> dict[int, set[int]]:
    """{root person: every person whose facts carry that root}, for the given people."""
    from divert.people.models import Person

    rows = Person.objects.filter(pk__in=person_ids).values_list(
        "pk", "merged_into_id", "merged_into__merged_into_id"
    )
    roots = {m2 or m1 or pk for pk, m1, m2 in rows}
    clusters: dict[int, set[int]] = {root: {root} for root in roots}
    # Two indexed lookups down the merge tree (one OR across the join would scan every person).
    children = dict(
        Person.objects.filter(merged_into_id__in=roots).values_list("pk", "merged_into_id")
    )
    grandchildren = (
        Person.objects.filter(merged_into_id__in=list(children)).values_list("pk", "merged_into_id")
        if children
        else []
    )
    for pk, parent in children.items():
        clusters[parent].add(pk)
    for pk, parent in grandchildren:
        clusters[children[parent]].add(pk)
    return clusters


@transaction.atomic
def refresh_people(person_ids: Iterable[int | None]) -> int:
    """Re-derive the facts of every episode of these people and of anyone merged with them.

    Returns the number of fact rows written. Call it after changing people's episodes or facts
    in a way that does not go through ``Model.save``/``delete`` (which ``connect`` covers).
    """
    from divert.cases.models import Episode
    from divert.reporting.models import EpisodeFact

    ids = {pk for pk in person_ids if pk is not None}
    if not ids:
        return 0
    if len(ids) > WHOLE_TABLE_ABOVE:
        return refresh_all()
    by_root = _clusters(ids)
    # Two writers re-deriving one person's facts at once would both delete and re-insert the
    # same rows; one waits for the other's commit instead. A whole-table rebuild waits for all.
    locks.serialise(LOCK, shared=True)
    locks.serialise_many(f"{LOCK}-{root}" for root in by_root)
    clusters = list(by_root.values())
    written = 0
    for start in range(0, len(clusters), CHUNK):
        # Whole clusters per statement, so the next-referral window sees every episode.
        members = sorted(set().union(*clusters[start : start + CHUNK]))
        for part in range(0, len(members), CHUNK):
            chunk = members[part : part + CHUNK]
            EpisodeFact.objects.filter(person_key__in=chunk).delete()
            EpisodeFact.objects.filter(
                episode__in=Episode.objects.filter(person_id__in=chunk).values("pk")
            ).delete()
        written += _insert(kpis.Scope(_in("e.person_id", members), _in("e2.person_id", members)))
    return written


@transaction.atomic
def refresh_all() -> int:
    """Rewrite the whole table from the clinical tables (after a bulk load, or to repair it)."""
    locks.serialise(LOCK)
    _execute(f"DELETE FROM {kpis.FACTS_TABLE}", [])  # nosec B608 - a constant table name
    return _insert(kpis.Scope())


def stale_count() -> int:
    """Rows that differ between the table and a fresh derivation (missing, extra or changed)."""
    d = kpis.django_dialect()
    columns = ", ".join(kpis.FACT_COLUMNS)
    head = "WITH " + ",\n".join(kpis.fact_ctes(d, kpis.Scope())) + "\n"
    table = f"SELECT {columns} FROM {kpis.FACTS_TABLE}"  # nosec B608 - constant names
    live = f"SELECT {columns} FROM src"  # nosec B608 - constant names
    sql = (
        head + f"SELECT (SELECT COUNT(*) FROM ({live} EXCEPT {table}) a) "
        f"+ (SELECT COUNT(*) FROM ({table} EXCEPT {live}) b)"  # nosec B608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, d.params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


# --- Keeping the table current on every model write ------------------------------------------

# Person fields the facts copy or depend on; a save naming none of them changes no fact.
_PERSON_FIELDS = {"merged_into", "gender_identity", "ethnic_category"}


def _episode_people(episode_ids: Iterable[int]) -> list[int | None]:
    from divert.cases.models import Episode

    return list(
        Episode.objects.filter(pk__in=list(episode_ids)).values_list("person_id", flat=True)
    )


def _people_of(instance: Model) -> list[int | None]:
    """The people whose facts a change to this row can change."""
    from divert.cases.models import Episode
    from divert.people.models import Person
    from divert.referrals.models import ReferralStatusChange

    if isinstance(instance, Episode):
        return [instance.person_id]
    if isinstance(instance, Person):
        return [instance.pk]
    if isinstance(instance, ReferralStatusChange):
        return list(
            Episode.objects.filter(referrals__pk=instance.referral_id).values_list(
                "person_id", flat=True
            )
        )
    return _episode_people([instance.episode_id])  # type: ignore[attr-defined]


def _person_matters(instance: Model, created: bool, fields: Iterable[str] | None) -> bool:
    return not created and (fields is None or bool(_PERSON_FIELDS & set(fields)))


def _before_person_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """Note whom the person was merged into before this save: unmerging changes that cluster."""
    from divert.people.models import Person

    if kwargs.get("raw") or not isinstance(instance, Person) or instance.pk is None:
        return
    if _person_matters(instance, False, kwargs.get("update_fields")):
        before = Person.objects.filter(pk=instance.pk).values_list("merged_into_id", flat=True)
        instance._facts_merged_into_before = next(iter(before), None)  # type: ignore[attr-defined]


def _on_save(sender: type[Model], instance: Model, created: bool, **kwargs: Any) -> None:
    from divert.people.models import Person

    if kwargs.get("raw"):
        return  # loading fixtures: rows arrive in any order
    people = _people_of(instance)
    if isinstance(instance, Person):
        if not _person_matters(instance, created, kwargs.get("update_fields")):
            return
        people.append(getattr(instance, "_facts_merged_into_before", None))
    refresh_people(people)


def _on_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    from divert.people.models import Person

    if isinstance(instance, Person):
        return  # a person with episodes cannot be deleted (PROTECT)
    # In a cascade the episode may already be gone: its people are then none, and the
    # episode's own delete signal refreshes them.
    refresh_people(_people_of(instance))


def sources() -> list[type[Model]]:
    """Every model a fact is derived from."""
    from divert.cases.models import Assessment, Episode, Need, Offer
    from divert.imports.models import ImportedEpisode, ImportedReferral
    from divert.people.models import Person
    from divert.referrals.models import OnwardReferral, ReferralStatusChange
    from divert.screening.models import Administration
    from divert.sharing.models import Disclosure

    return [
        Episode,
        Person,
        Offer,
        Administration,
        Assessment,
        Need,
        OnwardReferral,
        ReferralStatusChange,
        ImportedEpisode,
        ImportedReferral,
        Disclosure,
    ]


def connect() -> None:
    from divert.people.models import Person

    pre_save.connect(_before_person_save, sender=Person, dispatch_uid="facts-person-before")
    for model in sources():
        post_save.connect(_on_save, sender=model, dispatch_uid=f"facts-save-{model._meta.label}")
        post_delete.connect(
            _on_delete, sender=model, dispatch_uid=f"facts-delete-{model._meta.label}"
        )
