"""Serialise writers that read-then-write a shared value (reference numbers, the audit chain).

PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback. SQLite: its
IMMEDIATE transactions already allow one writer at a time, so nothing more is needed.
"""

import zlib

from django.db import connection


def serialise(name: str) -> None:
    """Hold the named lock until the current transaction ends. Call inside ``atomic()``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
