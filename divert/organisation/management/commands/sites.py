"""``divert sites [--json]``: the configured sites, for whoever prepares an import file."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from divert.organisation.models import Site


class Command(BaseCommand):
    help = "List the configured sites: code, name, type and force area."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="As a JSON list.")

    def handle(self, *args: Any, **options: Any) -> None:
        sites = [
            {
                "code": site.code,
                "name": site.name,
                "type": site.site_type,
                "force_area": site.force_area.code,
                "force_area_name": site.force_area.name,
                "is_active": site.is_active,
            }
            for site in Site.objects.select_related("force_area").order_by("code")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(sites, indent=2))
            return
        for site in sites:
            self.stdout.write(
                f"{site['code']:24} {site['type']:22} {site['force_area']:16} {site['name']}"
            )
