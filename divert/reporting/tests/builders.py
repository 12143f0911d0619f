"""Small hand-built datasets for the KPI tests.

Episodes are opened through ``cases.actions.open_episode`` (so age and pathway are the
application's own). The fact rows under them (offers, screenings, assessments, needs, onward
referrals and their history, disclosures, imported facts) are written directly with exact
times, because the KPIs read rows and their timestamps and these tests need instants that the
recording actions would stamp with "now"; the reporting engine never writes.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from divert.cases.actions import open_episode
from divert.cases.models import Assessment, Episode, Need, Offer
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.imports.models import ImportedEpisode, ImportedReferral, ImportRun
from divert.people.actions import create_person
from divert.people.models import Person
from divert.referrals.models import OnwardReferral, ReferralStatusChange
from divert.screening.models import Administration, InstrumentVersion
from divert.sharing.models import Disclosure

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


class Builder:
    def __init__(self, users: dict[str, Any], service: dict[str, Any]) -> None:
        self.by = users["practitioner"]
        self.service = service
        self._people = 0
        self._run: ImportRun | None = None
        self._directory: DirectoryService | None = None

    def person(self, *, born: dt.date = dt.date(1990, 5, 17), **details: Any) -> Person:
        self._people += 1
        return create_person(
            by=self.by,
            given_name="Synthetic",
            family_name="Person" + "".join(chr(65 + int(d)) for d in str(self._people)),
            date_of_birth=born,
            **details,
        )

    def episode(
        self,
        at: dt.datetime,
        *,
        person: Person | None = None,
        site: str = "north-custody",
        born: dt.date = dt.date(1990, 5, 17),
    ) -> Episode:
        team = "south" if site.startswith("south") else "north"
        return open_episode(
            by=self.by,
            person=person or self.person(born=born),
            site=self.service["sites"][site],
            team=self.service["teams"][team],
            referral_source="E1",
            pathway_point="custody",
            referral_received_at=at,
        )

    def offer(self, episode: Episode, outcome: str, *, after: dt.timedelta = HOUR) -> Offer:
        when = episode.referral_received_at + after
        return Offer.objects.create(
            episode=episode, recorded_at=when, recorded_by=self.by, offered_at=when, outcome=outcome
        )

    def screening(
        self, episode: Episode, *, after: dt.timedelta, complete: bool = True
    ) -> Administration:
        when = episode.referral_received_at + after
        return Administration.objects.create(
            episode=episode,
            instrument_version=InstrumentVersion.objects.order_by("pk").first(),
            started_at=when - dt.timedelta(minutes=20),
            completed_at=when if complete else None,
            is_complete=complete,
            administered_by=self.by,
        )

    def assessment(self, episode: Episode, *, complete: bool = True) -> Assessment:
        when = episode.referral_received_at + 8 * HOUR
        return Assessment.objects.create(
            episode=episode,
            recorded_at=when,
            recorded_by=self.by,
            started_at=when,
            completed_at=when if complete else None,
        )

    def need(self, episode: Episode, category: str = "mental_health") -> Need:
        return Need.objects.create(
            episode=episode,
            recorded_at=episode.referral_received_at + HOUR,
            recorded_by=self.by,
            category=category,
            identified_by="ld_practitioner",
        )

    def directory_service(self) -> DirectoryService:
        if self._directory is None:
            organisation = DirectoryOrganisation.objects.create(name="Synthetic charity")
            self._directory = DirectoryService.objects.create(
                organisation=organisation, name="Synthetic talking therapies"
            )
        return self._directory

    def referral(self, episode: Episode, *history: str) -> OnwardReferral:
        """An onward referral whose status went through ``history`` (the last is current)."""
        when = episode.referral_received_at + 10 * HOUR
        referral = OnwardReferral.objects.create(
            episode=episode,
            service=self.directory_service(),
            status=history[-1] if history else "draft",
            created_at=when,
            created_by=self.by,
        )
        for step, status in enumerate(history):
            ReferralStatusChange.objects.create(
                referral=referral,
                status=status,
                reason="Declined by the service" if status == "declined" else "",
                changed_at=when + step * HOUR,
                changed_by=self.by,
            )
        return referral

    def disclosure(
        self, episode: Episode, *, shared: dt.timedelta | None, decided: dt.timedelta | None
    ) -> Disclosure:
        base = episode.referral_received_at
        return Disclosure.objects.create(
            episode=episode,
            agency=self.service["agencies"]["police"],
            purpose="charging_decision",
            lawful_basis="public_interest",
            lawful_basis_detail="Synthetic test",
            created_at=base,
            created_by=self.by,
            approved_at=base,
            approved_by=self.by,
            shared_at=base + shared if shared is not None else None,
            cj_decision_at=base + decided if decided is not None else None,
        )

    def imported(self, episode: Episode, **times: dt.timedelta) -> ImportedEpisode:
        """Mark an episode as imported, with its imported times (offsets from referral)."""
        if self._run is None:
            self._run = ImportRun.objects.create(
                file_name="history.csv",
                file_sha256="0" * 64,
                started_at=timezone.now(),
                operator=self.by,
            )
        base = episode.referral_received_at
        return ImportedEpisode.objects.create(
            episode=episode,
            episode_ref=f"REF-{episode.pk}",
            run=self._run,
            **{name: base + offset for name, offset in times.items()},
        )

    def imported_referral(self, episode: Episode, status: str) -> ImportedReferral:
        return ImportedReferral.objects.create(
            episode=episode, category="mental_health", status=status
        )

    def merge(self, person: Person, into: Person) -> None:
        person.merged_into = into
        person.save(update_fields=["merged_into"])
