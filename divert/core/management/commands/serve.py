"""Serve Divert with waitress, a production-grade pure-Python WSGI server."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Divert over HTTP (put a TLS proxy in front in production)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--listen", default=None, help="host:port, default DIVERT_LISTEN")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve  # type: ignore[import-untyped]

        from divert.config.wsgi import application

        listen = options["listen"] or settings.LISTEN
        self.stdout.write(f"Divert is running on http://{listen}/ (Ctrl+C to stop)")
        if settings.DEMO_MODE:
            self.stdout.write("Demo mode: every person and record shown is synthetic.")
        serve(application, listen=listen, threads=options["threads"], ident="Divert")
