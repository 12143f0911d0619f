"""Intake lookup: which people already known to the service might this referral be?

``find_candidates`` blocks in the database on ``PersonKey`` (one row per current person and
per alias, each key column indexed), then compares and scores the few hundred candidates in
Python with the same code as batch de-duplication, and explains each.

``refresh_keys(person_ids)`` rewrites the keys of those people, and moves the name counts
(``NameFrequency``, see ``frequencies.py``) by the names it removed and wrote. People actions
call it after creating a person or adding an alias, and the linkage actions after a merge or
unmerge (a merged-away person loses their keys).
"""

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Q

from divert.linkage import explain as explaining
from divert.linkage import frequencies
from divert.linkage import model as scoring
from divert.linkage.compare import RecordTable
from divert.linkage.dedupe import MIN_RECORDS_TO_TRAIN, score_pairs
from divert.linkage.models import PersonKey
from divert.linkage.normalise import NormalisedRecord, normalise_record
from divert.people.models import Alias, Person

# At most this many people are scored per lookup; blocking normally proposes far fewer.
MAX_CANDIDATES = 500


def person_fields(person: Person) -> dict[str, Any]:
    return {
        "record_id": str(person.pk),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "nhs_number": person.nhs_number or "",
        "pnc_id": person.pnc_id or "",
        "address_line": person.address_line,
        "postcode": person.postcode,
    }


def person_variants(person: Person, aliases: Iterable[Alias]) -> list[NormalisedRecord]:
    """The person as recorded, then once per alias (a blank alias field takes the person's)."""
    fields = person_fields(person)
    variants = [normalise_record(fields)]
    for alias in aliases:
        alias_fields = {
            **fields,
            "given_name": alias.given_name or person.given_name,
            "family_name": alias.family_name or person.family_name,
            "date_of_birth": alias.date_of_birth or person.date_of_birth,
        }
        variants.append(normalise_record(alias_fields, variant=alias.kind))
    return variants


def key_row(person_id: int, record: NormalisedRecord, alias_id: int | None = None) -> PersonKey:
    return PersonKey(
        person_id=person_id,
        alias_id=alias_id,
        given_name=record.given[:100],
        family_name=record.family[:100],
        given_phonetic=record.given_phonetic[:40],
        family_phonetic=record.family_phonetic[:40],
        given_root=record.given_root[:100],
        date_of_birth=record.date_of_birth,
        date_of_birth_swapped=record.date_of_birth_swapped,
        nhs_number=record.nhs_number,
        pnc_id=record.pnc_id,
        postcode=record.postcode or "",
        postcode_district=record.postcode_district or "",
    )


@transaction.atomic
def refresh_keys(person_ids: Iterable[int]) -> int:
    """Rewrite the keys of these people from Person and Alias; returns rows written."""
    ids = list(set(person_ids))
    removed = frequencies.names_of_people(ids)
    PersonKey.objects.filter(person_id__in=ids).delete()
    people = Person.objects.current().filter(pk__in=ids).prefetch_related("aliases")
    rows = []
    for person in people:
        aliases = list(person.aliases.all())
        variants = person_variants(person, aliases)
        rows.append(key_row(person.pk, variants[0]))
        for alias, variant in zip(aliases, variants[1:], strict=True):
            rows.append(key_row(person.pk, variant, alias.pk))
    PersonKey.objects.bulk_create(rows, batch_size=1000)
    added = frequencies.count_names((r.given_name, r.family_name, r.given_root) for r in rows)
    frequencies.apply_changes(removed, added)
    return len(rows)


def blocking_query(record: NormalisedRecord) -> Q | None:
    """The same keys as batch blocking, as one OR of indexed lookups."""
    parts = []
    dob = record.date_of_birth
    if record.nhs_number:
        parts.append(Q(nhs_number=record.nhs_number))
    if record.pnc_id:
        parts.append(Q(pnc_id=record.pnc_id))
    if dob:
        year = (dt.date(dob.year, 1, 1), dt.date(dob.year, 12, 31))
        if record.family_phonetic:
            parts.append(Q(family_phonetic=record.family_phonetic, date_of_birth__range=year))
        if record.given_phonetic:
            parts.append(Q(given_phonetic=record.given_phonetic, date_of_birth=dob))
            # Names the other way round.
            parts.append(Q(family_phonetic=record.given_phonetic, date_of_birth__range=year))
        if record.given_root:
            parts.append(Q(given_root=record.given_root, date_of_birth=dob))
        if not record.date_of_birth_is_weak:
            parts.append(Q(date_of_birth=dob))
            parts.append(Q(date_of_birth_swapped=dob))
    if record.family and record.postcode_district:
        parts.append(Q(family_name=record.family, postcode_district=record.postcode_district))
    if record.given_root and record.postcode:
        parts.append(Q(given_root=record.given_root, postcode=record.postcode))
    if record.given_root and record.family_phonetic:
        parts.append(Q(given_root=record.given_root, family_phonetic=record.family_phonetic))
    return reduce(or_, parts) if parts else None


@dataclass(frozen=True)
class Candidate:
    person: Person
    weight: float
    probability: float
    decision: str  # "match", "review" or "non-match"
    rule: str
    evidence: tuple[explaining.Evidence, ...]


# From this many rows up, PostgreSQL's own estimate of a table's size stands in for COUNT(*).
ESTIMATE_ROWS_FROM = 100_000


def row_count(model: type[models.Model]) -> int:
    """How many rows ``model``'s table holds, without reading the whole of a large table.

    The count feeds the lookup prior and the name shares, where a few per cent makes no
    difference to a weight, but COUNT(*) on PostgreSQL reads every row: at a million people,
    more time than the rest of the lookup. Once PostgreSQL's statistics (kept current by
    autovacuum) put the table above ``ESTIMATE_ROWS_FROM`` rows, their estimate is used.
    Smaller tables, and SQLite (whose plain COUNT(*) walks one narrow index), are counted.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table]
            )
            row = cursor.fetchone()
        if row and row[0] >= ESTIMATE_ROWS_FROM:
            return int(row[0])
    return model._default_manager.count()


def current_people() -> int:
    """People not merged into another record: all rows less the (few, indexed) merged ones."""
    return row_count(Person) - Person.objects.filter(merged_into__isnull=False).count()


# Counting a million rows takes tens of milliseconds on SQLite, longer than the rest of a
# lookup. The counts only set the prior and name shares, so they are reused while the
# highest key and person ids stay within 1% of those they were counted at, for up to
# ten minutes.
_TOTALS_SECONDS = 600.0
_totals_cache: dict[str, tuple[float, int, int, int, int]] = {}


def _totals() -> tuple[int, int]:
    """(rows in PersonKey, current people), counted at most every ten minutes."""
    highest_key = PersonKey.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    highest_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    alias = PersonKey.objects.db
    cached = _totals_cache.get(alias)
    if cached is not None:
        at, key_mark, person_mark, keys, people = cached
        if (
            time.monotonic() - at < _TOTALS_SECONDS
            and abs(highest_key - key_mark) <= key_mark // 100
            and abs(highest_person - person_mark) <= person_mark // 100
        ):
            return keys, people
    keys, people = row_count(PersonKey), current_people()
    _totals_cache[alias] = (time.monotonic(), highest_key, highest_person, keys, people)
    return keys, people


def _frequencies(record: NormalisedRecord, total: int) -> tuple[float, float, float]:
    given, family, whole = frequencies.name_counts(record.given, record.family, record.given_root)
    return given / total, family / total, whole / total


def find_candidates(
    query_fields: Mapping[str, Any],
    *,
    limit: int = 10,
    people: Any = None,
    model: scoring.Model | None = None,
) -> list[Candidate]:
    """People who may be the person described, most likely first, each with its reasons.

    ``query_fields`` uses the CSV column names (given_name, family_name, date_of_birth as a
    date or YYYY-MM-DD, nhs_number, pnc_id, address_line, postcode). ``people`` narrows the
    search (for example ``Person.objects.visible_to(user)``); by default every current
    person is searched. Two different valid NHS numbers rule a person out.
    """
    model = model or scoring.Model.load()
    query = normalise_record({"record_id": "query", **query_fields})
    condition = blocking_query(query)
    if condition is None:
        return []
    ids = list(
        PersonKey.objects.filter(condition)
        .values_list("person_id", flat=True)
        .distinct()[:MAX_CANDIDATES]
    )
    if not ids:
        return []
    queryset = people if people is not None else Person.objects.all()
    found = list(queryset.current().filter(pk__in=ids).prefetch_related("aliases"))
    records, owners = [query], []
    for person in found:
        for variant in person_variants(person, person.aliases.all()):
            records.append(variant)
            owners.append(person)
    table = RecordTable(records)
    pairs = len(owners)
    i = np.zeros(pairs, dtype=np.int64)
    j = np.arange(1, pairs + 1, dtype=np.int64)
    total, current_people = _totals()
    # Name shares are per record (score_pairs indexes them by i, the query, record 0); the
    # explanation needs them per pair. Both carry the query's shares.
    frequencies = None
    pair_frequencies = None
    if total >= MIN_RECORDS_TO_TRAIN:
        shares = _frequencies(query, total)
        frequencies = (
            np.full(len(records), shares[0]),
            np.full(len(records), shares[1]),
            np.full(len(records), shares[2]),
        )
        pair_frequencies = (frequencies[0][i], frequencies[1][i], frequencies[2][i])
    scored = score_pairs(
        table,
        i,
        j,
        model,
        prior=model.lookup_prior(current_people),
        frequencies=frequencies,
        use_frequencies=frequencies is not None,
    )
    best: dict[int, int] = {}
    for k, person in enumerate(owners):
        if scored.rule[k] == scoring.RULE_NHS_DIFFERENT:
            continue
        current = best.get(person.pk)
        if current is None or _rank(scored, k) > _rank(scored, current):
            best[person.pk] = k
    ranked = sorted(best.values(), key=lambda k: _rank(scored, k), reverse=True)[:limit]
    contributions = model.contributions(scored.levels)
    adjustments = (
        model.term_frequency_adjustments(scored.levels, *pair_frequencies)
        if pair_frequencies is not None
        else (np.zeros(pairs), np.zeros(pairs))
    )
    results = []
    for k in ranked:
        rule = int(scored.rule[k])
        results.append(
            Candidate(
                person=owners[k],
                weight=round(float(scored.weights[k]), 1),
                probability=float(scoring.probability(scored.weights[k])),
                decision=scoring.DECISIONS[int(scored.decision[k])],
                rule=scoring.RULE_TEXT.get(rule, ""),
                evidence=explaining.explain_levels(
                    query,
                    records[k + 1],
                    scored.levels[k],
                    contributions[k],
                    given_adjustment=float(adjustments[0][k]),
                    family_adjustment=float(adjustments[1][k]),
                ),
            )
        )
    return results


def _rank(scored: Any, k: int) -> tuple[int, float]:
    """Decided matches first, then reviews, then the rest; by weight within each."""
    return (-int(scored.decision[k]), float(scored.weights[k]))
