"""Benchmark the practitioner's pages on a seeded service (issue #5; issue #8's intake lookup).

Builds a scratch database per engine, seeds N synthetic episodes with `divert seed`, then,
signed in as the demo practitioner through Django's test client (the whole request: middleware,
view, queries, template), times:

- the worklist (`/episodes/`, the default filters);
- intake search, a POST of a seeded person's family name with one letter changed and their date
  of birth with day and month swapped (the linkage engine and the exact rules both run);
- the episode page of a random episode on the practitioner's caseload;
- the person page of that episode's person.

Each page is requested R times after one warm-up; the table gives median and p95 wall time, the
median CPU time of this process, and the number of SQL queries of the last request.

Usage: .venv/bin/python scripts/bench_pages.py [--episodes 100000] [--requests 50]
       [--databases sqlite,postgresql] [--name divert_bench_pages] [--reuse]
       [--write docs/benchmarks.md]

``--name`` names the scratch databases (SQLite ``/tmp/<name>-<episodes>.sqlite3``, PostgreSQL
``<name>_<episodes>``), so two checkouts can benchmark side by side; ``--reuse`` measures one
seeded earlier (after migrating it).
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_NAME = "divert_bench_pages"
START, END = "<!-- pages:start -->", "<!-- pages:end -->"
NOW = "2026-11-26T09:00"


def environment(database: str, episodes: int, name: str = PG_NAME) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="divert.config.settings")
    env.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
    env["DIVERT_DEMO_MODE"] = "1"
    env["DIVERT_ALLOWED_HOSTS"] = "testserver"
    if database == "sqlite":
        stem = "divert-bench-pages" if name == PG_NAME else name
        path = Path(tempfile.gettempdir()) / f"{stem}-{episodes}.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}_{episodes}"
    return env


def build(database: str, episodes: int, env: dict[str, str]) -> float:
    """A fresh database seeded with ``episodes``; returns the seconds the seed took."""
    if database == "sqlite":
        path = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        pg = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", name], check=True)
        subprocess.run(["createdb", *pg, name], check=True)
    divert = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*divert, "migrate", "-v0"], check=True, env=env)
    started = time.perf_counter()
    subprocess.run(
        [*divert, "seed", "--now", NOW, "--episodes", str(episodes), "-v0"], check=True, env=env
    )
    return time.perf_counter() - started


def warm(connection: Any) -> None:
    """Read the whole database into the operating system's cache, as a busy server's would be.

    Without it the first requests read index pages from disk one by one, and on a shared
    machine's virtual disk a single cold query can take seconds.
    """
    if connection.vendor == "sqlite":
        with open(connection.settings_dict["NAME"], "rb") as database:
            while database.read(1 << 24):
                pass
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT sum(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
        )


def measure(requests: int, *, warm_first: bool = False) -> dict[str, dict[str, float]]:
    """Runs inside a child process whose environment selects the database."""
    import django

    django.setup()
    from django.db import connection

    if warm_first:
        warm(connection)
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from divert.accounts.models import User
    from divert.cases.models import Episode
    from divert.people.models import Person

    user = User.objects.get(username="demo-practitioner")
    client = Client()
    client.force_login(user)
    rng = random.Random(7)
    episodes = list(
        Episode.objects.visible_to(user)
        .order_by("pk")
        .values_list("pk", "person_id", "person__family_name", "person__date_of_birth")[:5000]
    )

    def misspelt(name: str) -> str:
        at = rng.randrange(1, len(name)) if len(name) > 2 else 0
        return name[:at] + ("e" if name[at] != "e" else "a") + name[at + 1 :]

    def search_data() -> dict[str, str]:
        _, _, family, born = rng.choice(episodes)
        day, month = (born.month, born.day) if born.day <= 12 else (born.day, born.month)
        return {
            "family_name": misspelt(family),
            "date_of_birth_day": str(day),
            "date_of_birth_month": str(month),
            "date_of_birth_year": str(born.year),
        }

    pages = {
        "worklist": lambda: client.get(reverse("cases:caseload")),
        "intake search": lambda: client.post(reverse("cases:intake_search"), search_data()),
        "episode page": lambda: client.get(
            reverse("cases:episode_detail", args=[rng.choice(episodes)[0]])
        ),
        "person page": lambda: client.get(
            reverse("people:person_detail", args=[rng.choice(episodes)[1]])
        ),
    }
    results = {}
    for name, request in pages.items():
        assert request().status_code == 200, name
        times, cpu = [], []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = request()
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, name
        times.sort()
        results[name] = {
            "median": statistics.median(times),
            "p95": times[max(0, round(0.95 * len(times)) - 1)],
            "cpu": statistics.median(cpu),
            "queries": len(queries),
        }
    visible = Episode.objects.visible_to(user)
    results["_data"] = {
        "episodes": Episode.objects.count(),
        "caseload": visible.count(),
        "open": visible.filter(closed_at__isnull=True).count(),
        "people": Person.objects.count(),
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--name", default=PG_NAME, help="scratch database name (prefix)")
    parser.add_argument("--reuse", action="store_true", help="measure an existing seeded database")
    parser.add_argument("--write", type=Path, help="rewrite the pages section of this file")
    parser.add_argument(
        "--warm", action="store_true", help="read the database into the OS cache first"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests, warm_first=args.warm)))
        return
    rows: list[str] = []
    sizes: list[str] = []
    for database in args.databases.split(","):
        env = environment(database, args.episodes, args.name)
        if args.reuse:
            seconds = None
            manage = [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"]
            subprocess.run(manage, check=True, env=env)
        else:
            seconds = build(database, args.episodes, env)
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--requests",
                str(args.requests),
                *(["--warm"] if args.warm else []),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if child.returncode:
            sys.exit(f"{database}: measuring failed\n{child.stderr}")
        results = json.loads(child.stdout.strip().splitlines()[-1])
        load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
        data = results.pop("_data")
        for page, figures in results.items():
            rows.append(
                f"| {database} | {data['episodes']:,} | {page} | {figures['median']:.0f} ms "
                f"| {figures['p95']:.0f} ms | {figures['cpu']:.0f} ms | {figures['queries']} "
                f"| {load} |"
            )
        seeded = f"seeded in {seconds:.0f} s" if seconds else "reused"
        print(f"{database}: {seeded}, {data}", *rows[-4:], sep="\n", file=sys.stderr)
        sizes.append(
            f"{database}: {data['episodes']:,} episodes, {data['people']:,} people; the demo "
            f"practitioner's caseload {data['caseload']:,} episodes, {data['open']:,} open"
        )
    table = "\n".join(
        [
            "| database | episodes | page | median | p95 | CPU (median) | queries "
            "| load (1 / 5 / 15 min) |",
            "|---|---:|---|---:|---:|---:|---:|---|",
            *rows,
        ]
    )
    print(table)
    if args.write:
        section = (
            f"{START}\n## Practitioner pages\n\n"
            f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, run "
            f"{time.strftime('%d %B %Y')}. Command: `.venv/bin/python scripts/bench_pages.py "
            f"--episodes {args.episodes} --requests {args.requests} --databases "
            f"{args.databases}{' --warm' if args.warm else ''}`. Data: {'; '.join(sizes)}. "
            "Each request is the whole Django "
            "request through the test client as the demo practitioner (middleware, view, "
            "queries, template), after one warm-up. Intake search posts a seeded person's family "
            "name with one letter changed and the date of birth read the other way round, so "
            "the linkage engine does its work. CPU is the benchmark process's own CPU time per "
            "request (on SQLite it includes the database's work; on PostgreSQL the server's "
            "is not in it). Load is `/proc/loadavg` at the end of each database's run: above "
            "the CPU count, other work shared the machine and the wall times stretch.\n\n"
            f"{table}\n{END}"
        )
        text = args.write.read_text() if args.write.exists() else "# Benchmarks\n"
        if START in text:
            head, rest = text.split(START, 1)
            text = head + section + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        args.write.write_text(text)


if __name__ == "__main__":
    main()
