"""Serialise writers that read-then-write a shared value (reference numbers, the audit chain).

PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback. SQLite: its
IMMEDIATE transactions already allow one writer at a time, so nothing more is needed.
"""

import zlib
from collections.abc import Iterable

from django.db import connection


def _key(name: str) -> int:
    return zlib.crc32(name.encode())


def serialise(name: str, *, shared: bool = False) -> None:
    """Hold the named lock until the current transaction ends. Call inside ``atomic()``.

    ``shared`` holders run side by side and only exclude an exclusive holder of the same name.
    """
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [_key(name)])


def serialise_many(names: Iterable[str]) -> None:
    """Hold every named lock until the transaction ends, taken in one order (no deadlock)."""
    keys = sorted({_key(name) for name in names})
    if connection.vendor == "postgresql" and keys:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys]
            )
