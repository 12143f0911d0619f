"""Intake lookup: which people already known to the service might this referral be?

``find_candidates`` blocks in the database on ``PersonKey`` (one row per current person and
per alias, each key column indexed), reading the candidates' key rows (each person and alias
already normalised) and the name counts in the same statement, then compares and scores the
few hundred candidates in Python with the same code as batch de-duplication, and explains
each.

``refresh_keys(person_ids)`` rewrites the keys of those people, and moves the name counts
(``NameFrequency``, see ``frequencies.py``) by the names it removed and wrote. People actions
call it after creating a person or adding an alias, and the linkage actions after a merge or
unmerge (a merged-away person loses their keys).
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL

from divert.linkage import explain as explaining
from divert.linkage import frequencies
from divert.linkage import model as scoring
from divert.linkage.compare import RecordTable
from divert.linkage.dedupe import MIN_RECORDS_TO_TRAIN, score_pairs
from divert.linkage.models import PersonKey
from divert.linkage.normalise import (
    FIELDS,
    NormalisedRecord,
    is_weak_date_of_birth,
    normalise_record,
)
from divert.people.models import Alias, Person

# At most this many people are scored per lookup; blocking normally proposes far fewer.
MAX_CANDIDATES = 500


# The Person fields a lookup compares: the record's fields without its id.
SCORED_FIELDS = tuple(name for name in FIELDS if name != "record_id")


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
    return record_variants(
        person_fields(person),
        (
            (alias.given_name, alias.family_name, alias.date_of_birth, alias.kind)
            for alias in aliases
        ),
    )


AliasFields = tuple[str, str, dt.date | None, str]  # given_name, family_name, date_of_birth, kind


def record_variants(
    fields: Mapping[str, Any], aliases: Iterable[AliasFields]
) -> list[NormalisedRecord]:
    """``person_variants`` from plain values: a person's fields and their aliases' fields."""
    variants = [normalise_record(fields)]
    for given, family, born, kind in aliases:
        alias_fields = {
            **fields,
            "given_name": given or fields["given_name"],
            "family_name": family or fields["family_name"],
            "date_of_birth": born or fields["date_of_birth"],
        }
        variants.append(normalise_record(alias_fields, variant=kind))
    return variants


def key_row(person_id: int, record: NormalisedRecord, alias_id: int | None = None) -> PersonKey:
    given, family, root = record.given[:100], record.family[:100], record.given_root[:100]
    return PersonKey(
        person_id=person_id,
        alias_id=alias_id,
        given_name=given,
        family_name=family,
        given_phonetic=record.given_phonetic[:40],
        family_phonetic=record.family_phonetic[:40],
        given_root=root,
        date_of_birth=record.date_of_birth,
        date_of_birth_swapped=record.date_of_birth_swapped,
        nhs_number=record.nhs_number,
        pnc_id=record.pnc_id,
        postcode=record.postcode or "",
        postcode_district=record.postcode_district or "",
        family_parts=" ".join(record.family_parts),
        address=record.address,
        # A name cut to fit its column is normalised afresh at lookup time instead.
        is_compared=(given, family, root) == (record.given, record.family, record.given_root),
    )


def fill_compared_fields(key_model: type[models.Model] = PersonKey, batch: int = 2000) -> int:
    """Fill ``family_parts`` and ``address`` of keys written before those columns existed,
    from their person and alias (``key_model`` for migrations); returns keys filled."""
    keys = key_model._default_manager.filter(is_compared=False).order_by("pk")
    filled = 0
    last = 0
    while True:
        rows = list(
            keys.filter(pk__gt=last).values_list(
                "pk",
                "given_name",
                "family_name",
                "given_root",
                "person__family_name",
                "alias__family_name",
                "person__address_line",
            )[:batch]
        )
        if not rows:
            return filled
        changed = []
        for pk, given, family, root, person_family, alias_family, address_line in rows:
            record = normalise_record(
                {"family_name": alias_family or person_family, "address_line": address_line}
            )
            # A name of the column's full length may have been cut: left to the lookup.
            if len(given) < 100 and len(family) < 100 and len(root) < 100:
                changed.append((pk, " ".join(record.family_parts), record.address))
        _write_compared_fields(key_model, changed)
        filled += len(changed)
        last = rows[-1][0]


def _write_compared_fields(
    key_model: type[models.Model], changed: list[tuple[int, str, str]]
) -> None:
    """Write (pk, family_parts, address) to these keys and mark them compared: one UPDATE
    from a list of values (SQLite 3.33 and PostgreSQL alike). ``bulk_update`` writes a CASE
    per column over the whole batch, which filled about 1,500 keys a second on PostgreSQL."""
    if not changed:
        return
    quote = connection.ops.quote_name
    table = quote(key_model._meta.db_table)
    rows = ", ".join(["(%s, %s, %s)"] * len(changed))
    # Identifiers come from the model, quoted by the backend; the values are bound.
    sql = (
        f"WITH v(pk, parts, address) AS (VALUES {rows}) "  # noqa: S608  # nosec B608
        f"UPDATE {table} SET {quote('family_parts')} = v.parts, {quote('address')} = v.address, "
        f"{quote('is_compared')} = %s FROM v WHERE {table}.{quote('id')} = v.pk"
    )
    params = [value for row in changed for value in row]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, True])


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
    added = frequencies.count_names(frequencies.key_names(rows))
    frequencies.apply_changes(removed, added)
    return len(rows)


# A block whose key many people share (a common family name in a postcode district, a common
# whole name) is read nearest date of birth first, this many people on each side of the
# query's date; without a date (or with a 1 January placeholder), twice this many in index
# order. Every other block is read up to BLOCK_CAP rows.
NEAREST_PER_SIDE = 25
BLOCK_CAP = 100


@dataclass(frozen=True)
class Block:
    """One indexed lookup on PersonKey: columns equal to values, perhaps born within a range.

    ``broad`` blocks are capped nearest the query's date of birth (``NEAREST_PER_SIDE`` each
    side); the others at ``BLOCK_CAP`` rows. Every block has an index that starts with its
    equal columns (and goes on to ``date_of_birth`` where the block has a date range or is
    broad), so each is one index range scan, read in date order where that matters.
    """

    equals: tuple[tuple[str, Any], ...]
    born_from: dt.date | None = None
    born_to: dt.date | None = None
    broad: bool = False


def blocks(record: NormalisedRecord) -> list[Block]:
    """The same keys as batch blocking, each a separate indexed lookup."""
    found = []
    dob = record.date_of_birth
    if record.nhs_number:
        found.append(Block((("nhs_number", record.nhs_number),)))
    if record.pnc_id:
        found.append(Block((("pnc_id", record.pnc_id),)))
    if dob:
        first, last = dt.date(dob.year, 1, 1), dt.date(dob.year, 12, 31)
        if record.family_phonetic:
            found.append(
                Block((("family_phonetic", record.family_phonetic),), first, last, broad=True)
            )
        if record.given_phonetic:
            found.append(Block((("given_phonetic", record.given_phonetic),), dob, dob))
            # Names the other way round.
            found.append(
                Block((("family_phonetic", record.given_phonetic),), first, last, broad=True)
            )
        if record.given_root:
            found.append(Block((("given_root", record.given_root),), dob, dob))
        if not record.date_of_birth_is_weak:
            found.append(Block((), dob, dob))
            found.append(Block((("date_of_birth_swapped", dob),)))
    if record.family and record.postcode_district:
        found.append(
            Block(
                (("family_name", record.family), ("postcode_district", record.postcode_district)),
                broad=True,
            )
        )
    if record.given_root and record.postcode:
        found.append(Block((("given_root", record.given_root), ("postcode", record.postcode))))
    if record.given_root and record.family_phonetic:
        found.append(
            Block(
                (("given_root", record.given_root), ("family_phonetic", record.family_phonetic)),
                broad=True,
            )
        )
    return found


def blocking_sql(record: NormalisedRecord) -> tuple[str, list[Any]]:
    """One UNION of the blocks' index scans, each with its own LIMIT; ("", []) if none.

    An OR of the blocks would make the database gather every row of every block before any
    limit applies: thousands for a common name. Separate scans, each capped (the broad ones
    nearest the query's date of birth, in index order), read a few hundred index entries at
    most, on SQLite and PostgreSQL alike.
    """
    quote = connection.ops.quote_name
    table = quote(PersonKey._meta.db_table)
    person = quote("person_id")
    dob_column = quote("date_of_birth")
    nearest = record.date_of_birth if not record.date_of_birth_is_weak else None
    selects: list[str] = []
    params: list[Any] = []

    def scan(conditions: list[str], values: list[Any], order: str, cap: int) -> None:
        where = " AND ".join(conditions)
        number = len(selects)
        # Identifiers come from the model, quoted by the backend; values are bound.
        selects.append(
            f"SELECT {person} FROM (SELECT {person} FROM {table} WHERE {where}{order} "  # noqa: S608  # nosec B608
            f"LIMIT {cap:d}) AS b{number}"
        )
        params.extend(values)

    adapt = connection.ops.adapt_datefield_value
    for block in blocks(record):
        conditions = [f"{quote(column)} = %s" for column, _ in block.equals]
        values = [adapt(v) if isinstance(v, dt.date) else v for _, v in block.equals]
        if block.born_from is not None:
            conditions.append(f"{dob_column} BETWEEN %s AND %s")
            values += [adapt(block.born_from), adapt(block.born_to)]
        if not block.broad:
            scan(conditions, values, "", BLOCK_CAP)
        elif nearest is None:
            scan(conditions, values, "", 2 * NEAREST_PER_SIDE)
        else:
            after = [*conditions, f"{dob_column} >= %s"]
            before = [*conditions, f"{dob_column} < %s"]
            scan(after, [*values, adapt(nearest)], f" ORDER BY {dob_column}", NEAREST_PER_SIDE)
            scan(
                before,
                [*values, adapt(nearest)],
                f" ORDER BY {dob_column} DESC",
                NEAREST_PER_SIDE,
            )
    return " UNION ".join(selects), params


def candidate_sql(record: NormalisedRecord) -> tuple[str, list[Any]]:
    """The blocks' people as one subquery (at most ``MAX_CANDIDATES``); ("", []) if none."""
    sql, params = blocking_sql(record)
    if not sql:
        return "", []
    person = connection.ops.quote_name("person_id")
    # The SQL is built from quoted model identifiers; values are bound.
    return (
        f"SELECT {person} FROM ({sql}) AS blocked LIMIT {MAX_CANDIDATES:d}",  # noqa: S608  # nosec B608
        params,
    )


def candidate_ids(record: NormalisedRecord) -> list[int]:
    """The people whose keys share a block with ``record`` (at most ``MAX_CANDIDATES``)."""
    sql, params = candidate_sql(record)
    if not sql:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class Scope:
    """Which people a lookup may find, as an SQL condition on a person's id.

    ``{person}`` in ``condition`` stands for the id column; ``params`` are its bound values.
    A QuerySet scope works too, but the ORM takes longer to compile one with subqueries
    (several milliseconds for intake's) than the database takes to run the whole lookup,
    so the intake builds this instead (``cases.intake.service_scope``), tested against its
    QuerySet twin.
    """

    condition: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Candidate:
    person: Person
    weight: float
    probability: float
    decision: str  # "match", "review" or "non-match"
    rule: str
    evidence: tuple[explaining.Evidence, ...]


def find_candidates(
    query_fields: Mapping[str, Any],
    *,
    limit: int = 10,
    people: "models.QuerySet[Person] | Scope | None" = None,
    model: scoring.Model | None = None,
) -> list[Candidate]:
    """People who may be the person described, most likely first, each with its reasons.

    ``query_fields`` uses the CSV column names (given_name, family_name, date_of_birth as a
    date or YYYY-MM-DD, nhs_number, pnc_id, address_line, postcode). ``people`` narrows the
    search, as a QuerySet (for example ``Person.objects.visible_to(user)``) or a ``Scope``;
    by default every current person is searched. Two different valid NHS numbers rule a person out.
    """
    model = model or scoring.Model.load()
    query = normalise_record({"record_id": "query", **query_fields})
    found, counts = _candidate_records(people, query)
    if not found or counts is None:
        return []
    records = [query, *(record for _, record in found)]
    owners = [person_id for person_id, _ in found]
    table = RecordTable(records)
    pairs = len(owners)
    i = np.zeros(pairs, dtype=np.int64)
    j = np.arange(1, pairs + 1, dtype=np.int64)
    # Name shares are per record (score_pairs indexes them by i, the query, record 0); the
    # explanation needs them per pair. Both carry the query's shares.
    shares_per_record = None
    pair_frequencies = None
    if counts.keys >= MIN_RECORDS_TO_TRAIN:
        shares_per_record = (
            np.full(len(records), counts.given / counts.keys),
            np.full(len(records), counts.family / counts.keys),
            np.full(len(records), counts.whole / counts.keys),
        )
        pair_frequencies = tuple(column[i] for column in shares_per_record)
    scored = score_pairs(
        table,
        i,
        j,
        model,
        prior=model.lookup_prior(counts.people),
        frequencies=shares_per_record,
        use_frequencies=shares_per_record is not None,
    )
    best: dict[int, int] = {}
    for k, person_id in enumerate(owners):
        if scored.rule[k] == scoring.RULE_NHS_DIFFERENT:
            continue
        current = best.get(person_id)
        if current is None or _rank(scored, k) > _rank(scored, current):
            best[person_id] = k
    ranked = sorted(best.values(), key=lambda k: _rank(scored, k), reverse=True)[:limit]
    # Already through the scope, in the statement that found them.
    shown = _people([owners[k] for k in ranked])
    contributions = model.contributions(scored.levels)
    adjustments = (
        model.term_frequency_adjustments(scored.levels, *pair_frequencies)
        if pair_frequencies is not None
        else (np.zeros(pairs), np.zeros(pairs))
    )
    results = []
    for k in ranked:
        if owners[k] not in shown:  # merged since it was scored
            continue
        rule = int(scored.rule[k])
        results.append(
            Candidate(
                person=shown[owners[k]],
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


KEY_FIELDS = (
    "alias_id",
    "given_name",
    "family_name",
    "given_phonetic",
    "family_phonetic",
    "given_root",
    "date_of_birth",
    "nhs_number",
    "pnc_id",
    "postcode",
    "postcode_district",
    "family_parts",
    "address",
    "is_compared",
)
ALIAS_FIELDS = ("given_name", "family_name", "date_of_birth", "kind")
# The person columns a candidate row carries: what is compared, and whether merged away.
CANDIDATE_FIELDS = ("id", *SCORED_FIELDS, "merged_into_id")
CANDIDATE_AT = {name: position for position, name in enumerate(CANDIDATE_FIELDS)}
ID_AT, MERGED_INTO_AT = CANDIDATE_AT["id"], CANDIDATE_AT["merged_into_id"]
GIVEN_NAME_AT, FAMILY_NAME_AT = CANDIDATE_AT["given_name"], CANDIDATE_AT["family_name"]
PERSON_FIELDS = tuple(Person._meta.concrete_fields)
PERSON_ATTNAMES = [field.attname for field in PERSON_FIELDS]
PERSON_COLUMNS = tuple(field.get_col(Person._meta.db_table) for field in PERSON_FIELDS)


def _people(ids: list[int]) -> dict[int, Person]:
    """The current people with these ids, by id: one statement written here (the ORM took
    about 1 ms to compile ``in_bulk``), each value through the backend's and the field's
    converters as the ORM would load it (on SQLite, for example, a timestamp becomes an aware
    datetime)."""
    if not ids:
        return {}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in PERSON_FIELDS)
    marks = ", ".join(["%s"] * len(ids))
    # Identifiers come from the model, quoted by the backend; the ids are bound.
    sql = (
        f"SELECT {columns} FROM {quote(Person._meta.db_table)} "  # noqa: S608  # nosec B608
        f"WHERE {quote('id')} IN ({marks}) AND {quote('merged_into_id')} IS NULL"
    )
    # Only the columns that have converters on this backend (on PostgreSQL, none).
    converters = []
    for position, (field, column) in enumerate(zip(PERSON_FIELDS, PERSON_COLUMNS, strict=True)):
        found = [
            *connection.ops.get_db_converters(column),
            *field.get_db_converters(connection),  # type: ignore[attr-defined]
        ]
        if found:
            converters.append((position, column, found))
    people = {}
    for row in _fetch(sql, ids):
        values = list(row)
        for position, column, field_converters in converters:
            for converter in field_converters:
                values[position] = converter(values[position], column, connection)
        person = Person.from_db(connection.alias, PERSON_ATTNAMES, values)
        people[person.pk] = person
    return people


def _candidate_records(
    people: "models.QuerySet[Person] | Scope | None", query: NormalisedRecord
) -> tuple[list[tuple[int, NormalisedRecord]], frequencies.LookupCounts | None]:
    """The candidates ``people`` (a QuerySet or a ``Scope``) lets through (every person if
    None), one record per person
    and per alias (by person, the person before their aliases), and the name counts the
    lookup weighs: one query.

    The blocking UNION is a subquery of it and the counts are uncorrelated scalar subqueries
    (``frequencies.lookup_count_sql``): each round trip to PostgreSQL costs more
    than the rows, and a lookup used to make three of them here. Every row carries the same
    counts; with no candidate there are no rows and no counts are needed.

    The statement is written here rather than built by the ORM, whose compiling of the
    joined key and alias columns took longer than PostgreSQL took to run it. A ``Scope`` is
    one more condition; a QuerySet scope is compiled by the ORM as a subquery over the
    blocked people only, so the database checks it for the hundred or so candidates rather
    than the whole table.

    Each record is built from the person's key row, which holds it already normalised
    (``key_row``), rather than normalising a hundred or so people on every lookup. A key
    written before the key held all of it (``is_compared`` false) is normalised from the
    person and alias fields the same row carries.

    Plain values, not model instances: a lookup scores a hundred or so people and shows ten
    (``_people``), and every person column on every candidate row cost more to send and
    read (2.5-3 ms at a million people on PostgreSQL) than fetching the ten. Merged-away people
    (who have no keys, unless a refresh is pending) are dropped here rather than by
    ``merged_into IS NULL`` in SQL: PostgreSQL without statistics on people_person reads
    the whole merged_into index for it (40 ms at a million people).
    """
    blocked, params = candidate_sql(query)
    if not blocked:
        return [], None
    scope = None
    if isinstance(people, Scope):
        scope = people
        params = [*params, *scope.params]
    elif people is not None:
        subquery = people.filter(pk__in=RawSQL(blocked, params)).order_by().values("pk")  # noqa: S611  # nosec B611 - values bound
        try:
            blocked, scope_params = subquery.query.sql_with_params()
        except EmptyResultSet:  # a scope that can hold no one
            return [], None
        params = list(scope_params)
    counts = frequencies.lookup_count_sql(query.given, query.family, query.given_root)
    # The counts are selected before the WHERE clause, so their values are bound first.
    values = [value for _, count_values in counts for value in count_values]
    sql = _records_sql(blocked, [sql for sql, _ in counts], scope)
    rows = _fetch(sql, [*values, *params])
    keys_at = len(CANDIDATE_FIELDS)
    aliases_at = keys_at + len(KEY_FIELDS)
    counts_at = aliases_at + len(ALIAS_FIELDS)
    found: list[tuple[int, int, NormalisedRecord]] = []
    row: tuple[Any, ...] = ()
    for row in rows:
        fields = row[:keys_at]
        if fields[MERGED_INTO_AT] is not None:  # merged away, the keys not yet refreshed
            continue
        person_id, alias_id, is_compared = fields[ID_AT], row[keys_at], row[aliases_at - 1]
        alias = row[aliases_at:counts_at]
        if is_compared:
            record = _key_record(person_id, fields, row[keys_at:aliases_at], alias)
        else:
            record = _person_record(person_id, fields, alias, alias_id)
        found.append((person_id, -1 if alias_id is None else alias_id, record))
    stored = frequencies.LookupCounts(*row[counts_at:]) if row else None
    # By id: equal weights rank in the same order every time.
    found.sort(key=lambda item: item[:2])
    return [(person_id, record) for person_id, _, record in found], stored


def _records_sql(blocked: str, counts: list[str], scope: Scope | None = None) -> str:
    """The candidates' person, key and alias columns and the counts, for people in
    ``blocked`` (a subquery of person ids) who meet ``scope``'s condition (if any); column
    names from the models, quoted."""
    quote = connection.ops.quote_name

    def column(model: type[models.Model], name: str) -> str:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.column:
            raise TypeError(f"{model.__name__}.{name} is not a column")
        return quote(field.column)

    def columns(model: type[models.Model], alias: str, names: Iterable[str]) -> list[str]:
        return [f"{alias}.{column(model, name)}" for name in names]

    selected = [
        *columns(Person, "p", CANDIDATE_FIELDS),
        *columns(PersonKey, "k", KEY_FIELDS),
        *columns(Alias, "a", ALIAS_FIELDS),
        *counts,
    ]
    person_id, alias_id = column(PersonKey, "person"), column(PersonKey, "alias")
    # Identifiers come from the models, quoted by the backend; values are bound.
    return (
        f"SELECT {', '.join(selected)} "  # noqa: S608  # nosec B608
        f"FROM {quote(PersonKey._meta.db_table)} k "
        f"INNER JOIN {quote(Person._meta.db_table)} p ON p.{quote('id')} = k.{person_id} "
        f"LEFT OUTER JOIN {quote(Alias._meta.db_table)} a ON a.{quote('id')} = k.{alias_id} "
        f"WHERE k.{person_id} IN ({blocked})"
        + (f" AND ({scope.condition.format(person=f'k.{person_id}')})" if scope else "")
    )


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Rows of a raw statement. Its columns are plain column references, so SQLite's
    declared types still turn dates and booleans into Python values (Django registers the
    converters)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _key_record(
    person_id: int, person: tuple[Any, ...], key: tuple[Any, ...], alias: tuple[Any, ...]
) -> NormalisedRecord:
    """The record ``normalise_record`` would give, read from a key row and the names it was
    written from (shown in explanations as recorded)."""
    given_name, family_name = person[GIVEN_NAME_AT], person[FAMILY_NAME_AT]
    (
        alias_id,
        given,
        family,
        given_phonetic,
        family_phonetic,
        given_root,
        born,
        nhs_number,
        pnc_id,
        postcode,
        district,
        family_parts,
        address,
        _,
    ) = key
    if alias_id is not None:
        given_name, family_name = alias[0] or given_name, alias[1] or family_name
    return NormalisedRecord(
        record_id=str(person_id),
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        given=given,
        family=family,
        family_parts=tuple(family_parts.split()),
        given_phonetic=given_phonetic,
        family_phonetic=family_phonetic,
        given_root=given_root,
        date_of_birth=born,
        date_of_birth_is_weak=bool(born and is_weak_date_of_birth(born)),
        nhs_number=nhs_number,
        pnc_id=pnc_id,
        postcode=postcode or None,
        postcode_district=district or None,
        address=address,
        variant=alias[3] if alias_id is not None else "",
    )


def _person_record(
    person_id: int, person: tuple[Any, ...], alias: tuple[Any, ...], alias_id: int | None
) -> NormalisedRecord:
    """The record normalised afresh from the person's (and alias's) fields."""
    fields = {name: person[CANDIDATE_AT[name]] for name in SCORED_FIELDS}
    fields["record_id"] = str(person_id)
    fields["nhs_number"] = fields["nhs_number"] or ""
    fields["pnc_id"] = fields["pnc_id"] or ""
    aliases = [alias] if alias_id is not None else []
    return record_variants(fields, aliases)[-1]


def _rank(scored: Any, k: int) -> tuple[int, float]:
    """Decided matches first, then reviews, then the rest; by weight within each."""
    return (-int(scored.decision[k]), float(scored.weights[k]))
