"""``divert report``: the KPIs, the commissioner's monthly return and the cohort export.

    divert report kpis --from 2026-04-01 --to 2026-06-30 [--as-of DATE] [--site CODE]
                       [--audience commissioner] --format json|csv --by USERNAME [--output FILE]
    divert report return --month 2026-06 --format csv|xlsx --output FILE --by USERNAME
    divert report cohort --from 2025-04-01 --to 2026-03-31 --output FILE --by USERNAME
    divert report facts --check|--rebuild --by USERNAME

Each run writes one audit event with the operator, the filters and counts only.
"""

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from divert.accounts.models import User
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.reporting import exports, facts, kpis, suppression


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "KPIs, the commissioner's monthly return and the pseudonymised cohort export."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
        report = commands.add_parser("kpis", help="Every KPI for a period, as JSON or CSV.")
        report.add_argument("--from", dest="date_from", required=True)
        report.add_argument("--to", dest="date_to", required=True)
        report.add_argument("--as-of", dest="as_of", help="Default: today.")
        report.add_argument("--site", action="append", default=[], help="A site code (repeat).")
        report.add_argument("--audience", choices=suppression.AUDIENCES, default="service")
        report.add_argument("--format", choices=("json", "csv"), default="json")
        report.add_argument("--output", help="Write here instead of standard output.")
        monthly = commands.add_parser("return", help="The commissioner's monthly return.")
        monthly.add_argument("--month", required=True, help="YYYY-MM")
        monthly.add_argument("--as-of", dest="as_of", help="Default: today.")
        monthly.add_argument("--format", choices=("csv", "xlsx"), required=True)
        monthly.add_argument("--output", required=True)
        cohort = commands.add_parser("cohort", help="Pseudonymised cohort for linkage.")
        cohort.add_argument("--from", dest="date_from", required=True)
        cohort.add_argument("--to", dest="date_to", required=True)
        cohort.add_argument("--output", required=True)
        table = commands.add_parser(
            "facts", help="Check or rebuild the per-episode summary table the KPIs read."
        )
        what = table.add_mutually_exclusive_group(required=True)
        what.add_argument(
            "--check", action="store_true", help="Count rows that differ; exit 1 if any do."
        )
        what.add_argument("--rebuild", action="store_true", help="Re-derive every row.")
        for sub in (report, monthly, cohort, table):
            sub.add_argument("--by", required=True, help="Username of the operator (audited).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            operator = User.objects.get(username=options["by"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {options['by']!r}") from None
        getattr(self, f"_{options['subcommand']}")(options, operator)

    def _filters(self, options: dict[str, Any], **extra: Any) -> kpis.Filters:
        try:
            return kpis.Filters(
                date_from=_date(options["date_from"]),
                date_to=_date(options["date_to"]),
                as_of=_date(options["as_of"]) if options.get("as_of") else None,
                **extra,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None

    def _facts(self, options: dict[str, Any], operator: User) -> None:
        if options["rebuild"]:
            written = facts.refresh_all()
            auditor.record(
                event="reporting.facts_rebuilt",
                action=AuditEvent.Action.UPDATE,
                by=operator,
                changes={"rows": written},
            )
            self.stdout.write(f"Rebuilt the KPI facts: {written} episodes.")
            return
        stale = facts.stale_count()
        if stale:
            raise CommandError(
                f"{stale} KPI fact rows differ from the clinical record; "
                "run `divert report facts --rebuild` and report this as a bug."
            )
        self.stdout.write("The KPI facts match the clinical record.")

    def _kpis(self, options: dict[str, Any], operator: User) -> None:
        filters = self._filters(options, site_codes=tuple(options["site"]))
        result = suppression.for_audience(kpis.compute_kpis(filters), options["audience"])
        if options["format"] == "json":
            text = json.dumps(result, indent=2) + "\n"
        else:
            rows = exports.kpi_rows(result, area_type="filter", area_code="", area_name="")
            text = exports.to_csv(rows, exports.KPI_COLUMNS)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
        auditor.record(
            event="report.kpis",
            action=AuditEvent.Action.EXPORT,
            by=operator,
            changes={
                "from": filters.date_from.isoformat(),
                "to": filters.date_to.isoformat(),
                "sites": list(filters.site_codes),
                "audience": options["audience"],
                "referrals": result["referrals"]["numerator"],
            },
        )

    def _return(self, options: dict[str, Any], operator: User) -> None:
        try:
            rows = exports.monthly_return(
                options["month"], as_of=_date(options["as_of"]) if options["as_of"] else None
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        path = Path(options["output"])
        if options["format"] == "csv":
            path.write_text(exports.to_csv(rows, exports.RETURN_COLUMNS), encoding="utf-8")
        else:
            exports.write_xlsx(path, rows, exports.RETURN_COLUMNS, "Return")
        auditor.record(
            event="report.return",
            action=AuditEvent.Action.EXPORT,
            by=operator,
            changes={"month": options["month"], "format": options["format"], "rows": len(rows)},
        )
        self.stdout.write(f"Wrote {len(rows)} rows to {path}")

    def _cohort(self, options: dict[str, Any], operator: User) -> None:
        filters = self._filters(options)
        try:
            rows = exports.cohort_rows(filters)
        except exports.CohortKeyMissingError as exc:
            raise CommandError(str(exc)) from None
        path = Path(options["output"])
        path.write_text(exports.to_csv(rows, exports.COHORT_COLUMNS), encoding="utf-8")
        auditor.record(
            event="report.cohort",
            action=AuditEvent.Action.EXPORT,
            by=operator,
            changes={
                "from": filters.date_from.isoformat(),
                "to": filters.date_to.isoformat(),
                "rows": len(rows),
                "people": len({row["person_pseudonym"] for row in rows}),
            },
        )
        self.stdout.write(f"Wrote {len(rows)} rows to {path}")
