"""``divert demo_logins``: print the demo URL and the persona logins (demo mode only)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from divert.accounts.models import User
from divert.accounts.roles import RoleName
from divert.nonprod.personas import PERSONAS

URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "Print the demo address and the demo logins (one per role). Demo mode only."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("demo_logins runs only in demo mode (DIVERT_DEMO_MODE=1).")
        password = settings.DEMO_PASSWORD
        existing = set(
            User.objects.filter(username__in=[p.username for p in PERSONAS]).values_list(
                "username", flat=True
            )
        )
        rows = [
            (
                persona.username,
                ", ".join(RoleName(role).label for role in persona.roles),
                f"{persona.first_name} {persona.last_name} - {persona.job_title}",
            )
            for persona in PERSONAS
        ]
        widths = [max(len(row[i]) for row in rows + [("Username", "Role", "Who")]) for i in (0, 1)]
        line = "=" * 72
        write = self.stdout.write
        write(line)
        write(f"Divert demo: {URL}")
        write("ALL DATA IS SYNTHETIC: every person and record is generated, none is real.")
        write(line)
        write(f"{'Username':<{widths[0]}}  {'Role':<{widths[1]}}  Who")
        write(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 3}")
        for username, role, who in rows:
            missing = "" if username in existing else "  (not seeded yet: run `divert seed`)"
            write(f"{username:<{widths[0]}}  {role:<{widths[1]}}  {who}{missing}")
        write("")
        write(f"Password for every demo login: {password}")
        write(line)
