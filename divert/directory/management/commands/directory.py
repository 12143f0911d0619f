"""``divert directory``: export and import the directory of services as CSV.

    divert directory export FILE            (``-`` for standard output)
    divert directory import FILE --by USERNAME [--dry-run]

The import is all-or-nothing: any problem is printed with its line and column, nothing is
written, and the command exits non-zero. Importing the same file again changes nothing.
``--by`` names the administrator the changes are audited against.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from divert.accounts.access import has_permission
from divert.accounts.models import User
from divert.accounts.permissions import Permission
from divert.directory import csvio


class Command(BaseCommand):
    help = "Export and import the directory of services as CSV."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
        export = commands.add_parser("export", help="Write every service to a CSV file.")
        export.add_argument("file", help="Path, or - for standard output.")
        load = commands.add_parser("import", help="Add and update services from a CSV file.")
        load.add_argument("file")
        load.add_argument("--by", required=True, help="Username of the administrator.")
        load.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "export":
            self._export(options["file"])
        else:
            self._import(options["file"], options["by"], options["dry_run"])

    def _export(self, file: str) -> None:
        if file == "-":
            count = csvio.export_csv(sys.stdout)
        else:
            with Path(file).open("w", encoding="utf-8", newline="") as out:
                count = csvio.export_csv(out)
        self.stderr.write(f"Exported {count} service(s)")

    def _import(self, file: str, username: str, dry_run: bool) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not has_permission(user, Permission.MANAGE_CONFIGURATION):
            raise CommandError(f"{username} is not an active administrator")
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        report = csvio.import_csv(text, by=user, dry_run=dry_run)
        for problem in report.errors:
            self.stdout.write(str(problem))
        if not report.is_ok:
            raise CommandError(report.summary())
        self.stdout.write(("Dry run: " if dry_run else "") + report.summary())
