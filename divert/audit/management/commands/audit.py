"""``divert audit verify``: walk the audit hash chain and report any break."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from divert.audit import chain
from divert.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks the hash chain over every audit event."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        fields = [*chain.HASHED_FIELDS, "row_hash"]
        rows = AuditEvent.objects.order_by("sequence").values(*fields).iterator(chunk_size=5000)
        count = 0

        def counted() -> Any:
            nonlocal count
            for row in rows:
                count += 1
                yield row

        breaks = list(chain.verify(counted()))
        for problem in breaks[:50]:
            self.stderr.write(f"event {problem.sequence}: {problem.problem}")
        if breaks:
            raise CommandError(
                f"The audit trail is broken in {len(breaks)} places ({count} events)."
            )
        self.stdout.write(f"The audit trail is intact: {count} events verified.")
