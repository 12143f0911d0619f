"""``divert seed``: build the synthetic demo service (see divert/nonprod/seed/)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from divert.nonprod import seed as demo

PROGRESS_THRESHOLD = 20_000


def _now(value: str | None) -> dt.datetime:
    if value:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                "--now must be an ISO date and time, like 2026-11-26T09:00"
            ) from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)
    # The one reading of the clock: every timestamp in the data set is derived from it.
    return dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)


class Command(BaseCommand):
    help = (
        "Build an entirely SYNTHETIC demo L&D service (two force areas, staff, directory, "
        "people and episodes). The same --seed and options give the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--episodes",
            type=int,
            default=None,
            help=f"Number of episodes (default {demo.EPISODES_PER_YEAR} a year of --years).",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=demo.DEFAULT_YEARS,
            help="Spread referrals over this many years before now (default 2).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"Random seed (default {demo.DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--now",
            default=None,
            help="Anchor time as ISO date-time (default: the current hour, UTC).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if demo data already exists.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete previously seeded data first (needs DIVERT_DEMO_MODE or --force).",
        )
        parser.add_argument("--force", action="store_true", help="Allow --reset outside demo mode.")

    def handle(self, *args: Any, **options: Any) -> None:
        years = options["years"]
        if years < 1:
            raise CommandError("--years must be at least 1")
        episodes = options["episodes"]
        if episodes is None:
            episodes = demo.EPISODES_PER_YEAR * years
        if episodes < 1:
            raise CommandError("--episodes must be at least 1")
        verbosity = options["verbosity"]
        exists = demo.demo_data_exists()
        if options["if_empty"] and exists:
            if verbosity:
                self.stdout.write("Demo data already exists; nothing to do (--if-empty).")
            return
        if options["reset"] and not (settings.DEMO_MODE or options["force"]):
            raise CommandError(
                "--reset deletes data: it runs only with DIVERT_DEMO_MODE=1 or with --force."
            )
        if exists and not options["reset"]:
            raise CommandError(
                "Demo data already exists. Use --reset to replace it, or --if-empty to keep it."
            )
        now = _now(options["now"])
        bar: Any = None
        on_phase: Callable[[str, int], None] | None = None
        progress: Callable[[int], None] | None = None
        if verbosity and episodes >= PROGRESS_THRESHOLD:
            from tqdm import tqdm

            def show_phase(name: str, total: int) -> None:
                nonlocal bar
                if bar is not None:
                    bar.close()
                if name == "people":
                    self.stderr.write(f"Planning people for {total:,} episodes...")
                    return
                bar = tqdm(total=total, unit="episode", desc="Episodes", file=self.stderr)

            def show_progress(done: int) -> None:
                if bar is not None:
                    bar.update(done)

            on_phase, progress = show_phase, show_progress
        if verbosity:
            self.stdout.write(
                f"Seeding SYNTHETIC demo data: {episodes:,} episodes over {years} years, "
                f"seed {options['seed']}, now {now:%Y-%m-%d %H:%M} UTC"
            )
        result = demo.seed_demo_data(
            episodes=episodes,
            years=years,
            seed=options["seed"],
            now=now,
            reset=options["reset"],
            progress=progress,
            on_phase=on_phase,
        )
        if bar is not None:
            bar.close()
        if verbosity:
            if result.reset:
                removed = sum(result.reset.values())
                self.stdout.write(f"Deleted {removed:,} previously seeded rows.")
            counts = result.counts
            rows = sum(counts.values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Done in {result.seconds:.1f} s: {counts['people.Person']:,} people, "
                    f"{counts['cases.Episode']:,} episodes, {rows:,} rows. ALL DATA IS SYNTHETIC."
                )
            )
            if verbosity > 1:
                for label, count in sorted(counts.items()):
                    self.stdout.write(f"  {label:32} {count:>12,}")
