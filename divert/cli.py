"""The ``divert`` command: Django's management commands under one friendly name.

``divert seed --episodes 500`` is ``python manage.py seed --episodes 500``; ``divert serve``
runs the WSGI server; ``divert`` alone lists the commands.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "divert.config.settings")
    from django.core.management import execute_from_command_line

    argv = sys.argv[1:]
    if not argv:
        argv = ["help"]
    execute_from_command_line(["divert", *argv])


if __name__ == "__main__":
    main()
