"""``divert import activity FILE.csv --by USERNAME``: bring a service's past activity in.

See docs/how-to/import-historic-activity.md. Problems are printed one a line as
"line N, column C: problem"; the command exits non-zero and writes nothing when any row fails,
unless --skip-invalid is given.
"""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from divert.accounts.models import User
from divert.imports import activity
from divert.imports.actions import ImportRejectedError, import_activity


class Command(BaseCommand):
    help = "Import historic activity (one CSV row per episode) as ordinary Divert records."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
        run = commands.add_parser("activity", help="Import a historic-activity CSV file.")
        run.add_argument("file", help="UTF-8 CSV with the header the how-to lists.")
        run.add_argument("--by", required=True, help="Username of the operator (audited).")
        run.add_argument(
            "--dry-run", action="store_true", help="Check the file and count; write nothing."
        )
        run.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Write the valid rows and put the others in a rejects file.",
        )
        run.add_argument(
            "--synthetic",
            action="store_true",
            help="Mark the people created as synthetic: only for files Divert's own generator "
            "made (scripts/bench_import.py), never for real data.",
        )
        run.add_argument(
            "--rejects",
            default=None,
            help="Where --skip-invalid writes the rejected rows (default FILE.rejects.csv).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            by = User.objects.get(username=options["by"], is_active=True)
        except User.DoesNotExist as error:
            raise CommandError(f"No active user with the username {options['by']!r}") from error
        if options["rejects"] and not options["skip_invalid"]:
            raise CommandError("--rejects needs --skip-invalid")
        started = time.perf_counter()
        verbosity = options["verbosity"]

        def progress(phase: str, rows: int) -> None:
            if verbosity:
                rate = rows / max(time.perf_counter() - started, 1e-9)
                self.stderr.write(f"{phase} {rows:,} rows ({rate:,.0f} rows/s)")

        try:
            result = import_activity(
                path=path,
                by=by,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                synthetic=options["synthetic"],
                progress=progress,
            )
        except activity.FileError as error:
            raise CommandError(f"{path} is not an activity file:\n{error}") from error
        except ImportRejectedError as rejected:
            errors = rejected.validation.errors
            for problem in errors:
                self.stderr.write(activity.format_error(problem))
            lines = len(rejected.validation.invalid_lines)
            raise CommandError(
                f"Nothing imported: {len(errors):,} problems on {lines:,} of "
                f"{rejected.validation.rows_read:,} rows. Correct the file, or use "
                "--skip-invalid to import the valid rows."
            ) from None
        validation = result.validation
        if validation.errors:
            for problem in validation.errors:
                self.stderr.write(activity.format_error(problem))
            rejects = Path(options["rejects"] or f"{path}.rejects.csv")
            if not result.dry_run:
                activity.write_rejects(path, rejects, validation)
                self.stderr.write(
                    f"{len(validation.invalid_lines):,} rejected rows written to {rejects}"
                )
        counts = result.counts
        verb = "Would import" if result.dry_run else "Imported"
        self.stdout.write(
            f"{verb} {path.name}: {counts['rows_read']:,} rows read, "
            f"{counts['episodes_created']:,} episodes and {counts['people_created']:,} people "
            f"created ({counts['people_matched']:,} people matched), "
            f"{counts['rows_unchanged']:,} rows already imported, "
            f"{counts['rows_rejected']:,} rejected, in {result.seconds:.1f} s"
        )
