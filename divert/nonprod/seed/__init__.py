"""``divert seed``: a reproducible, entirely SYNTHETIC two-force L&D service.

``seed_demo_data`` builds the reference service (provider, force areas, sites, teams, agencies,
staff and persona logins, directory, placeholder instruments), the nine scenario people from
shared/product/scenarios.md and a population of synthetic people and episodes whose mix follows
the published figures (RAND Europe 2021: 88% with at least one vulnerability, 71% mental health,
about half drug or alcohol misuse).

Rows are written in bulk (``core.bulk``) in batches, a chunk of episodes at a time, inside one
transaction. This is the one place in Divert that writes domain rows without going through the
per-row actions and their audit events: it is a bulk generator of synthetic data, and writes a
single ``demo.seeded`` audit event with the counts instead.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model, Q

from divert.accounts.models import RoleAssignment, TeamMembership, User
from divert.audit import auditor
from divert.cases.models import (
    Assessment,
    Contact,
    CourtHearing,
    Episode,
    Need,
    Offer,
    PoliceOutcome,
    Task,
)
from divert.core.bulk import TableWriter
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.nonprod.seed import reference, scenarios
from divert.nonprod.seed.instruments import PLACEHOLDER_NOTE
from divert.nonprod.seed.population import Generator
from divert.organisation.models import (
    Agency,
    ForceArea,
    LDService,
    OpeningHours,
    Provider,
    Site,
    Team,
)
from divert.people.models import Alert, Alias, Person
from divert.referrals.models import OnwardReferral, ReferralStatusChange
from divert.reporting import facts
from divert.screening.models import Administration, Answer, InstrumentVersion
from divert.sharing.models import ConsentDecision, Disclosure, Document

__all__ = [
    "DEFAULT_EPISODES",
    "DEFAULT_SEED",
    "DEFAULT_YEARS",
    "SCENARIO_PEOPLE",
    "SeedResult",
    "demo_data_exists",
    "reset_demo_data",
    "seed_demo_data",
]

SCENARIO_PEOPLE = scenarios.SCENARIO_PEOPLE
DEFAULT_SEED = 20261126
DEFAULT_YEARS = 2
# A two-force service like the reference one sees about 3,000 referrals a year.
EPISODES_PER_YEAR = 3000
DEFAULT_EPISODES = EPISODES_PER_YEAR * DEFAULT_YEARS
CHUNK_EPISODES = 5000
BATCH_SIZE = 5000

# Insert order: every model after the models its foreign keys point at.
WRITE_ORDER: list[type[Model]] = [
    Person,
    Alias,
    Alert,
    Episode,
    Offer,
    Need,
    Assessment,
    Contact,
    Task,
    PoliceOutcome,
    CourtHearing,
    Administration,
    Answer,
    ConsentDecision,
    Document,
    OnwardReferral,
    ReferralStatusChange,
    Disclosure,
]


class Batch:
    """Rows waiting to be written, per model; ``flush`` writes them in dependency order.

    Primary keys are handed out as rows are added, so a child row can point at its parent
    before either is written. Rows go to the database through ``core.bulk.TableWriter``
    (``executemany`` on a prepared INSERT on SQLite, ``COPY`` on PostgreSQL) rather than
    ``bulk_create``, which would put a million episodes well past twenty minutes. The seed
    runs alone on a demo database, so ids simply count on from the highest in each table.
    """

    def __init__(self) -> None:
        self.rows: dict[type[Model], list[Model]] = {model: [] for model in WRITE_ORDER}
        self.counts: dict[str, int] = {model._meta.label: 0 for model in WRITE_ORDER}
        self.next_id: dict[type[Model], int] = {}
        self.writers = {model: TableWriter(model) for model in WRITE_ORDER}
        for model in WRITE_ORDER:
            highest = model._default_manager.aggregate(highest=Max("pk"))["highest"] or 0
            self.next_id[model] = highest + 1

    def add(self, row: Model) -> None:
        model = type(row)
        if row.pk is None:
            row.pk = self.next_id[model]
            self.next_id[model] += 1
        self.rows[model].append(row)

    def flush(self) -> None:
        for model in WRITE_ORDER:
            rows = self.rows[model]
            if rows:
                self.writers[model].write(rows)
                self.counts[model._meta.label] += len(rows)
                rows.clear()

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids written here."""
        statements = connection.ops.sequence_reset_sql(no_style(), WRITE_ORDER)
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def _drop_foreign_keys() -> list[tuple[str, str, str]]:
    """On PostgreSQL, set aside the foreign keys of the tables the seed fills.

    Each foreign key is otherwise checked row by row at commit (Django makes them deferred):
    at a million episodes that is some forty million index probes, and the commit alone took
    longer than writing the rows. Adding the constraints back afterwards checks every row in
    one pass per constraint, inside the same transaction, so nothing unchecked is committed.
    SQLite's deferred checks are a counter and cost little, so it keeps them.
    """
    if connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in WRITE_ORDER]
    with connection.cursor() as cursor:
        # Run the checks queued by --reset's deletes now: a table with pending checks
        # cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) "
            "ORDER BY 1, 2",
            [tables],
        )
        constraints = [tuple(row) for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    return constraints


def _restore_foreign_keys(constraints: list[tuple[str, str, str]]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    reset: dict[str, int] = field(default_factory=dict)


def demo_data_exists() -> bool:
    return (
        Person.objects.filter(is_synthetic=True).exists()
        or Provider.objects.filter(ods_code=reference.PROVIDER_ODS_CODE).exists()
    )


def _refresh_linkage_keys() -> int:
    """Index the seeded people for intake matching, as the people actions do one at a time,
    then recount the lookup's name frequencies (a reset deleted keys in bulk)."""
    from divert.linkage import frequencies
    from divert.linkage.lookup import refresh_keys

    ids = list(Person.objects.filter(is_synthetic=True).values_list("pk", flat=True))
    written = sum(refresh_keys(ids[start : start + 5000]) for start in range(0, len(ids), 5000))
    frequencies.rebuild()
    return written


def _raw_delete(queryset: Any) -> int:
    return queryset._raw_delete(queryset.db)


def reset_demo_data() -> dict[str, int]:
    """Delete what a previous seed wrote: synthetic people and everything under them, then the
    demo service's configuration and users. Rows other apps keep about these (for example
    linkage decisions) are deleted through the ORM first, so their own rules apply.
    """
    people = Person.objects.filter(is_synthetic=True)
    episodes = Episode.objects.filter(person__is_synthetic=True)
    users = User.objects.filter(email__endswith=f"@{reference.DEMO_EMAIL_DOMAIN}")
    providers = Provider.objects.filter(ods_code=reference.PROVIDER_ODS_CODE)
    services = LDService.objects.filter(provider__in=providers)
    sites = Site.objects.filter(service__in=services)
    directory_names = [spec.name for spec in reference.DIRECTORY]
    organisation_names = sorted({spec.organisation for spec in reference.DIRECTORY})
    agency_names = [spec.name for spec in reference.AGENCIES]
    deleted: dict[str, int] = {}

    owned = {
        Person: people,
        Episode: episodes,
        User: users,
        Site: sites,
        Agency: Agency.objects.filter(name__in=agency_names),
        DirectoryService: DirectoryService.objects.filter(name__in=directory_names),
    }
    known = set(WRITE_ORDER) | {
        User,
        RoleAssignment,
        TeamMembership,
        Provider,
        LDService,
        ForceArea,
        Site,
        Team,
        OpeningHours,
        Agency,
        DirectoryService,
        DirectoryOrganisation,
        InstrumentVersion,
    }
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        if model in known or model._meta.auto_created or model._meta.db_table not in tables:
            continue
        for fk in model._meta.get_fields():
            target = getattr(fk, "related_model", None)
            if fk.many_to_one and target in owned:
                rows = model._default_manager.filter(**{f"{fk.name}__in": owned[target]})
                count = rows.count()
                if count:
                    rows.delete()
                    deleted[model._meta.label] = deleted.get(model._meta.label, 0) + count

    # Children first; raw deletes skip Django's in-memory cascade, which would take hours at a
    # million episodes.
    episode_ids = episodes.values("id")
    referral_ids = OnwardReferral.objects.filter(episode_id__in=episode_ids).values("id")
    administration_ids = Administration.objects.filter(episode_id__in=episode_ids).values("id")
    steps = [
        (ReferralStatusChange, Q(referral_id__in=referral_ids)),
        (Answer, Q(administration_id__in=administration_ids)),
        (Disclosure, Q(episode_id__in=episode_ids)),
        (OnwardReferral, Q(episode_id__in=episode_ids)),
        (ConsentDecision, Q(episode_id__in=episode_ids)),
        (Document, Q(episode_id__in=episode_ids)),
        (Administration, Q(episode_id__in=episode_ids)),
        (CourtHearing, Q(episode_id__in=episode_ids)),
        (PoliceOutcome, Q(episode_id__in=episode_ids)),
        (Task, Q(episode_id__in=episode_ids)),
        (Contact, Q(episode_id__in=episode_ids)),
        (Assessment, Q(episode_id__in=episode_ids)),
        (Need, Q(episode_id__in=episode_ids)),
        (Offer, Q(episode_id__in=episode_ids)),
        (Episode, Q(person__is_synthetic=True)),
        (Alias, Q(person__is_synthetic=True)),
        (Alert, Q(person__is_synthetic=True)),
    ]
    for model, condition in steps:
        deleted[model._meta.label] = _raw_delete(model._default_manager.filter(condition))
    Person.objects.filter(is_synthetic=True).update(merged_into=None)
    deleted[Person._meta.label] = _raw_delete(Person.objects.filter(is_synthetic=True))

    through = DirectoryService.areas_served.through
    _raw_delete(through.objects.filter(directoryservice__name__in=directory_names))
    deleted["directory.DirectoryService"] = _raw_delete(
        DirectoryService.objects.filter(name__in=directory_names)
    )
    _raw_delete(
        DirectoryOrganisation.objects.filter(name__in=organisation_names, services__isnull=True)
    )
    placeholder = InstrumentVersion.objects.filter(
        definition__note=PLACEHOLDER_NOTE, administrations__isnull=True
    )
    deleted["screening.InstrumentVersion"] = _raw_delete(placeholder)
    _raw_delete(RoleAssignment.objects.filter(user__in=users))
    _raw_delete(TeamMembership.objects.filter(user__in=users))
    deleted["accounts.User"] = _raw_delete(users)
    Team.sites.through.objects.filter(team__service__in=services).delete()
    _raw_delete(Team.objects.filter(service__in=services))
    _raw_delete(OpeningHours.objects.filter(site__in=sites))
    _raw_delete(sites)
    _raw_delete(Agency.objects.filter(name__in=agency_names))
    _raw_delete(ForceArea.objects.filter(service__in=services))
    _raw_delete(services)
    _raw_delete(providers)
    return {label: count for label, count in deleted.items() if count}


def seed_demo_data(
    *,
    episodes: int = DEFAULT_EPISODES,
    years: int = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    now: dt.datetime,
    reset: bool = False,
    progress: Callable[[int], None] | None = None,
    on_phase: Callable[[str, int], None] | None = None,
) -> SeedResult:
    """Write the demo data. ``now`` anchors every timestamp; the caller truncates it."""
    started = time.perf_counter()
    rng = Random(seed)  # nosec B311 - reproducible synthetic data, not security
    result = SeedResult()
    with transaction.atomic():
        if reset:
            result.reset = reset_demo_data()
        ref = reference.build(rng, now, years)
        batch = Batch()
        foreign_keys = _drop_foreign_keys()
        generator = Generator(rng=rng, ref=ref, now=now, years=years, batch=batch)
        flushed = [0]

        def flush_people() -> None:
            # Write the people planned so far; keep only their primary keys in memory.
            batch.flush()
            for rec in generator.people[flushed[0] :]:
                rec.pk = rec.model.pk
                rec.model = None
            flushed[0] = len(generator.people)

        scenarios.plan(generator)
        scenario_episodes = len(generator.slots)
        recent = max(3, min(8, episodes // 1000))
        random_episodes = max(0, episodes - scenario_episodes - recent)
        if on_phase:
            on_phase("people", random_episodes)
        generator.plan_random_people(random_episodes, flush_people)
        generator.plan_recent_custody(recent)
        flush_people()

        generator.slots.sort(key=lambda slot: (slot.at, slot.order))
        slots = generator.slots
        generator.slots = []
        if on_phase:
            on_phase("episodes", len(slots))
        for start in range(0, len(slots), CHUNK_EPISODES):
            chunk = slots[start : start + CHUNK_EPISODES]
            for slot in chunk:
                if slot.key and slot.key[0] != "random":
                    scenarios.build(generator, slot)
                else:
                    generator.build_episode(slot)
            batch.flush()
            if progress:
                progress(len(chunk))
        batch.finish()
        _restore_foreign_keys(foreign_keys)
        counts = dict(batch.counts)
        counts["linkage.PersonKey"] = _refresh_linkage_keys()
        counts["reporting.EpisodeFact"] = facts.refresh_all()
        counts.update(ref.counts)
        result.counts = counts
        auditor.record(
            event="demo.seeded",
            action="import",
            by=ref.users["demo-admin"],
            changes={
                "seed": seed,
                "episodes": episodes,
                "years": years,
                "now": now.isoformat(),
                "reset": bool(reset),
                "counts": counts,
            },
        )
    result.seconds = time.perf_counter() - started
    return result
