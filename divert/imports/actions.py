"""``import_activity``: write a checked historic-activity file as ordinary Divert records.

This is the audited exception to one-action-one-record (ADR 0013): rows are bulk-inserted in
batches through ``core.bulk`` (``executemany`` on SQLite, ``COPY`` on PostgreSQL, as the seed
writes), without the per-record actions and their audit events, and the run writes one
``import.activity`` audit event with its counts and an ``ImportRun``. Everything is written in
one transaction, so a file is imported whole or not at all (``skip_invalid`` leaves out the
rows that failed their checks, which the caller writes to a rejects file).
"""

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from divert.accounts.models import User
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.cases.actions import age_and_pathway
from divert.cases.models import (
    Assessment,
    Competence,
    Episode,
    Need,
    Offer,
    OfferOutcome,
)
from divert.core import bulk, locks
from divert.imports import activity
from divert.imports.activity import Lookups, Row, Validation
from divert.imports.models import ImportedEpisode, ImportedPerson, ImportedReferral, ImportRun
from divert.linkage import frequencies
from divert.linkage.lookup import key_row, person_fields
from divert.linkage.models import PersonKey
from divert.linkage.normalise import normalise_record
from divert.organisation.models import Site, SiteType
from divert.people.models import Person
from divert.reporting import facts

BATCH_SIZE = 5000
LOOKUP_CHUNK = 5000
GILLICK_AGE = 16

# Where on the pathway a referral at each kind of site happens.
PATHWAY_POINT_FOR_SITE = {
    SiteType.CUSTODY_SUITE: "custody",
    SiteType.YOUTH_CUSTODY_SUITE: "custody",
    SiteType.VOLUNTARY_ATTENDANCE: "voluntary_attendance",
    SiteType.MAGISTRATES_COURT: "magistrates_court",
    SiteType.YOUTH_COURT: "youth_court",
    SiteType.CROWN_COURT: "crown_court",
    SiteType.COMMUNITY: "community",
    SiteType.VIRTUAL: "other",
}
# The source file does not say who identified a need, why an offer was not possible, or
# whether an under-16 was assessed for Gillick competence: these are the codes that say so.
IMPORTED_NEED_IDENTIFIED_BY = "ld_practitioner"
IMPORTED_NOT_POSSIBLE_REASON = "other"
IMPORTED_UNDER_16_COMPETENCE = Competence.NOT_ASSESSED

T = TypeVar("T")
Progress = Callable[[str, int], None]


class ImportRejectedError(Exception):
    """The file failed its checks; nothing was written."""

    def __init__(self, validation: Validation) -> None:
        super().__init__(f"{len(validation.errors)} problems")
        self.validation = validation


@dataclass
class ImportResult:
    validation: Validation
    dry_run: bool
    run: ImportRun | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_lookups(found: dict[str, set[str]]) -> Lookups:
    """Everything the checks and the writer need from the database, in a few bulk queries."""
    lookups = Lookups()
    sites = Site.objects.filter(code__in=found["site_code"]).prefetch_related("teams")
    for site in sites:
        teams = sorted(team.pk for team in site.teams.all())
        lookups.sites[site.code] = (site.pk, teams[0] if teams else None, site.site_type)
    for chunk in _chunks(sorted(found["person_ref"]), LOOKUP_CHUNK):
        for imported in ImportedPerson.objects.filter(person_ref__in=chunk).select_related(
            "person"
        ):
            lookups.imported_people[imported.person_ref] = imported.person
    for chunk in _chunks(sorted(found["nhs_number"]), LOOKUP_CHUNK):
        for person in Person.objects.current().filter(nhs_number__in=chunk):
            lookups.people_by_nhs[person.nhs_number or ""] = person
    for chunk in _chunks(sorted(found["pnc_id"]), LOOKUP_CHUNK):
        for person in Person.objects.current().filter(pnc_id__in=chunk).order_by("pk"):
            lookups.people_by_pnc.setdefault(person.pnc_id or "", []).append(person)
    for chunk in _chunks(sorted(found["episode_ref"]), LOOKUP_CHUNK):
        lookups.imported_episodes.update(
            ImportedEpisode.objects.filter(episode_ref__in=chunk).values_list(
                "episode_ref", flat=True
            )
        )
    return lookups


class _Numbers:
    """Next Divert IDs and episode references, read once under their locks, then counted on."""

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.zone = timezone.get_current_timezone()
        self.prefixes: dict[str, int] = {}
        if not dry_run:
            locks.serialise("person-local-id")
        last = Person.objects.aggregate(last=Max("local_id"))["last"]
        self.person = int(last.rsplit("-", 1)[1]) if last else 0

    def local_id(self) -> str:
        self.person += 1
        return f"DIV-{self.person:07d}"

    def episode_reference(self, received_at: dt.datetime) -> str:
        prefix = f"LD{timezone.localtime(received_at, self.zone).year % 100:02d}-"
        if prefix not in self.prefixes:
            if not self.dry_run:
                locks.serialise(f"episode-reference-{prefix}")
            last = Episode.objects.filter(reference__startswith=prefix).aggregate(
                last=Max("reference")
            )["last"]
            self.prefixes[prefix] = int(last.rsplit("-", 1)[1]) if last else 0
        self.prefixes[prefix] += 1
        return f"{prefix}{self.prefixes[prefix]:06d}"


class _Writer:
    def __init__(
        self,
        *,
        lookups: Lookups,
        by: User,
        now: dt.datetime,
        run: ImportRun | None,
        synthetic: bool = False,
    ) -> None:
        self.lookups = lookups
        self.synthetic = synthetic
        self.zone = timezone.get_current_timezone()
        self.by = by
        self.now = now
        self.run = run
        self.dry_run = run is None
        self.numbers = _Numbers(self.dry_run)
        self.person_ids: dict[str, int] = {}  # person_ref -> id, for refs seen in this run
        self.fake_id = 0
        self.ids = bulk.IdAllocator()
        self.tables: dict[type[Any], bulk.TableWriter] = {}
        self.counts = {
            "rows_written": 0,
            "rows_unchanged": 0,
            "people_created": 0,
            "people_matched": 0,
            "episodes_created": 0,
            "offers": 0,
            "needs": 0,
            "assessments": 0,
            "imported_referrals": 0,
        }

    def _person_for(
        self, row: Row, new_people: dict[str, Person], refs: list[ImportedPerson]
    ) -> int | None:
        """The person id for a row, or None when a new person (in ``new_people``) is needed."""
        ref = row.person_ref
        if ref in self.person_ids:
            return self.person_ids[ref]
        if ref in new_people:
            return None
        existing = self.lookups.imported_people.get(ref)
        if existing is not None:
            self.person_ids[ref] = existing.pk
            return existing.pk
        match = None
        if row.nhs_number:
            match = self.lookups.people_by_nhs.get(row.nhs_number)
        if match is None and row.pnc_id:
            match = (self.lookups.people_by_pnc.get(row.pnc_id) or [None])[0]
        if match is not None:
            self.counts["people_matched"] += 1
            self.person_ids[ref] = match.pk
            refs.append(bulk.new(ImportedPerson, person_ref=ref, person_id=match.pk, run=self.run))
            return match.pk
        new_people[ref] = bulk.new(
            Person,
            local_id=self.numbers.local_id(),
            nhs_number=row.nhs_number,
            pnc_id=row.pnc_id,
            given_name=row.given_name,
            family_name=row.family_name,
            date_of_birth=row.date_of_birth,
            gender_identity=row.gender_identity,
            ethnic_category=row.ethnic_category,
            postcode=row.postcode,
            is_synthetic=self.synthetic,
            created_at=self.now,
            created_by=self.by,
        )
        return None

    def _create(self, model: Any, rows: list[Any]) -> None:
        """Write the rows; people and episodes get their ids first, for the rows under them."""
        numbered = model in (Person, Episode)
        if self.dry_run:
            for row in rows:
                self.fake_id -= 1
                row.pk = self.fake_id
            return
        if numbered:
            for row, pk in zip(rows, self.ids.take(model, len(rows)), strict=True):
                row.pk = pk
        if model not in self.tables:
            self.tables[model] = bulk.TableWriter(model, include_pk=numbered)
        self.tables[model].write(rows)

    def write_chunk(self, rows: list[Row]) -> None:
        fresh = []
        for row in rows:
            if row.episode_ref in self.lookups.imported_episodes:
                self.counts["rows_unchanged"] += 1
            else:
                fresh.append(row)
        new_people: dict[str, Person] = {}
        refs: list[ImportedPerson] = []
        for row in fresh:
            self._person_for(row, new_people, refs)
        self._create(Person, list(new_people.values()))
        for ref, person in new_people.items():
            self.person_ids[ref] = person.pk
            refs.append(bulk.new(ImportedPerson, person_ref=ref, person_id=person.pk, run=self.run))
        keys = [
            key_row(person.pk, normalise_record(person_fields(person)))
            for person in new_people.values()
        ]
        self._create(PersonKey, keys)
        if not self.dry_run:
            frequencies.add_keys(keys)
        self._create(ImportedPerson, refs)
        self.counts["people_created"] += len(new_people)

        episodes = []
        for row in fresh:
            site_id, team_id, site_type = self.lookups.sites[row.site_code]
            new_person = new_people.get(row.person_ref)
            birth = new_person.date_of_birth if new_person else self._birth(row)
            age, pathway = age_and_pathway(birth, row.referral_received_at, self.zone)
            episodes.append(
                bulk.new(
                    Episode,
                    person_id=self.person_ids[row.person_ref],
                    reference=self.numbers.episode_reference(row.referral_received_at),
                    site_id=site_id,
                    team_id=team_id,
                    pathway_point=PATHWAY_POINT_FOR_SITE.get(site_type, "other"),
                    referral_source=row.referral_source,
                    referral_received_at=row.referral_received_at,
                    age_at_referral=age,
                    pathway=pathway,
                    closed_at=row.closed_at,
                    closure_reason=row.closure_reason if row.closed_at else "",
                    created_at=self.now,
                    created_by=self.by,
                )
            )
        self._create(Episode, episodes)
        self.counts["episodes_created"] += len(episodes)

        offers: list[Offer] = []
        needs: list[Need] = []
        assessments: list[Assessment] = []
        imported: list[ImportedEpisode] = []
        referrals: list[ImportedReferral] = []
        recorded = {"recorded_at": self.now, "recorded_by": self.by}
        for row, episode in zip(fresh, episodes, strict=True):
            if row.offer_outcome != OfferOutcome.NOT_OFFERED:
                is_under_16 = episode.age_at_referral < GILLICK_AGE
                offers.append(
                    bulk.new(
                        Offer,
                        episode_id=episode.pk,
                        offered_at=row.referral_received_at,
                        outcome=row.offer_outcome,
                        not_possible_reason=IMPORTED_NOT_POSSIBLE_REASON
                        if row.offer_outcome == OfferOutcome.NOT_POSSIBLE
                        else "",
                        competence=IMPORTED_UNDER_16_COMPETENCE if is_under_16 else "",
                        **recorded,
                    )
                )
            needs.extend(
                bulk.new(
                    Need,
                    episode_id=episode.pk,
                    category=code,
                    identified_by=IMPORTED_NEED_IDENTIFIED_BY,
                    **recorded,
                )
                for code in row.vulnerabilities
            )
            if row.assessed_at is not None:
                assessments.append(
                    bulk.new(
                        Assessment,
                        episode_id=episode.pk,
                        started_at=row.assessed_at,
                        completed_at=row.assessed_at,
                        **recorded,
                    )
                )
            imported.append(
                bulk.new(
                    ImportedEpisode,
                    episode_id=episode.pk,
                    episode_ref=row.episode_ref,
                    run=self.run,
                    screened_at=row.screened_at,
                    disclosed_at=row.disclosed_at,
                    cj_decision_at=row.cj_decision_at,
                )
            )
            referrals.extend(
                bulk.new(ImportedReferral, episode_id=episode.pk, category=category, status=status)
                for category, status in row.onward_referrals
            )
            self.lookups.imported_episodes.add(row.episode_ref)
        self._create(Offer, offers)
        self._create(Need, needs)
        self._create(Assessment, assessments)
        self._create(ImportedEpisode, imported)
        self._create(ImportedReferral, referrals)
        self.counts["offers"] += len(offers)
        self.counts["needs"] += len(needs)
        self.counts["assessments"] += len(assessments)
        self.counts["imported_referrals"] += len(referrals)
        self.counts["rows_written"] += len(fresh)

    def _birth(self, row: Row) -> dt.date:
        existing = self.lookups.imported_people.get(row.person_ref)
        if existing is None and row.nhs_number:
            existing = self.lookups.people_by_nhs.get(row.nhs_number)
        if existing is None and row.pnc_id:
            existing = (self.lookups.people_by_pnc.get(row.pnc_id) or [None])[0]
        if existing is not None:
            return existing.date_of_birth
        return row.date_of_birth  # a person created by an earlier chunk of this run


@transaction.atomic
def import_activity(
    *,
    path: Path,
    by: User,
    dry_run: bool = False,
    skip_invalid: bool = False,
    synthetic: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a historic-activity CSV and, unless it fails (or this is a dry run), write it.

    Raises ``ImportRejectedError`` (nothing written) when any row fails and ``skip_invalid`` is not
    set, and ``activity.FileError`` when the file cannot be read or its header is wrong.
    Imported people are real people (``is_synthetic`` False); ``synthetic`` is only for files
    Divert's own generator made (scripts/bench_import.py).
    """
    started = time.perf_counter()
    now = timezone.now()
    lookups = build_lookups(activity.scan_references(path))
    validation = activity.Validation()
    run = None
    if not dry_run:
        run = ImportRun.objects.create(
            file_name=path.name[:255],
            file_sha256=file_sha256(path),
            started_at=now,
            operator=by,
        )
    writer = _Writer(lookups=lookups, by=by, now=now, run=run, synthetic=synthetic)
    # Rows are written as they pass, in the one transaction: a file with a problem is refused
    # at the end and the transaction rolled back, so nothing of it is kept.
    rows = activity.check(path, lookups, validation, now=now, progress=progress)
    done = 0
    for chunk in _chunks(rows, BATCH_SIZE):
        if validation.errors and not skip_invalid:
            continue  # the file will be refused: check the rest, write no more
        writer.write_chunk(chunk)
        done += len(chunk)
        if progress and done // activity.PROGRESS_EVERY != (done - len(chunk)) // (
            activity.PROGRESS_EVERY
        ):
            progress("written" if run else "planned", done)
    if not validation.is_valid and not skip_invalid:
        raise ImportRejectedError(validation)
    if run is not None:
        # Rows went in by bulk insert, past the model signals that keep the KPI facts current.
        facts.refresh_people(
            Episode.objects.filter(imported__run=run).values_list("person_id", flat=True).distinct()
        )
    counts = {
        "rows_read": validation.rows_read,
        "rows_rejected": len(validation.invalid_lines),
        **writer.counts,
    }
    if run is not None:
        run.finished_at = timezone.now()
        run.rows_read = validation.rows_read
        run.episodes_created = counts["episodes_created"]
        run.people_created = counts["people_created"]
        run.rows_unchanged = counts["rows_unchanged"]
        run.rows_rejected = counts["rows_rejected"]
        run.save()
    auditor.record(
        event="import.activity",
        action=AuditEvent.Action.IMPORT,
        by=by,
        target=run,
        changes={
            "dry_run": dry_run,
            "skip_invalid": skip_invalid,
            "synthetic": synthetic,
            **counts,
        },
    )
    return ImportResult(
        validation=validation,
        dry_run=dry_run,
        run=run,
        counts=counts,
        seconds=time.perf_counter() - started,
    )
