"""Time ``divert seed`` on SQLite and PostgreSQL and write the results into docs/benchmarks.md.

Usage: .venv/bin/python scripts/bench_seed.py [--large 1000000] [--skip-postgres]

Each case runs in a fresh database: a temporary SQLite file, or a PostgreSQL database created
and dropped here (PG_BENCH_URL, default postgres://postgres@127.0.0.1:5432/divert_bench).
Migrations are not timed; the seed command is, from process start to exit.
"""

import argparse
import datetime as dt
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- seeding:start -->"
END = "<!-- seeding:end -->"
NOW = "2026-11-26T09:00"
PG_URL = os.environ.get("PG_BENCH_URL", "postgres://postgres@127.0.0.1:5432/divert_bench")

# Runs a command and reports its peak resident memory (KiB) on the last line of stderr.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print('maxrss', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def manage(database_url: str, *args: str, measure: bool = False) -> tuple[float, str, int]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "bench-not-secret",
        "DIVERT_DEMO_MODE": "1",
    }
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    if measure:
        command = [sys.executable, "-c", MEASURE, *command]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        command, env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(args)}")
    rss = re.search(r"maxrss (\d+)", done.stderr)
    return seconds, done.stdout, int(rss.group(1)) if rss else 0


def pg_admin(sql: str) -> None:
    import psycopg

    parts = urlparse(PG_URL)
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def pg_version() -> str:
    import psycopg

    parts = urlparse(PG_URL)
    with psycopg.connect(parts._replace(path="/postgres").geturl()) as conn:
        return str(conn.execute("show server_version").fetchone()[0])


def pg_size() -> int:
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        return int(conn.execute("select pg_database_size(current_database())").fetchone()[0])


def run_case(database: str, episodes: int | None) -> dict:
    args = ["seed", "--now", NOW, "-v", "2"]
    if episodes:
        args += ["--episodes", str(episodes)]
    if database == "SQLite":
        folder = tempfile.mkdtemp(prefix="divert-bench-")
        path = Path(folder) / "bench.sqlite3"
        url = f"sqlite:///{path}"
    else:
        name = urlparse(PG_URL).path.lstrip("/")
        pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        pg_admin(f'CREATE DATABASE "{name}"')
        url = PG_URL
    manage(url, "migrate", "--no-input", "-v", "0")
    print(f"{database}: seeding {episodes or 'default'} episodes...", flush=True)
    seconds, output, rss = manage(url, *args, measure=True)
    load = os.getloadavg()[1]  # other work on the machine skews the times: record it
    inner = re.search(
        r"Done in ([\d.]+) s: ([\d,]+) people, ([\d,]+) episodes, ([\d,]+) rows", output
    )
    if database == "SQLite":
        size = sum(p.stat().st_size for p in path.parent.iterdir())
        for p in path.parent.iterdir():
            p.unlink()
        path.parent.rmdir()
    else:
        size = pg_size()
        pg_admin(f'DROP DATABASE IF EXISTS "{urlparse(PG_URL).path.lstrip("/")}"')
    result = {
        "database": database,
        "episodes": int(inner.group(3).replace(",", "")),
        "people": int(inner.group(2).replace(",", "")),
        "rows": int(inner.group(4).replace(",", "")),
        "seed_seconds": float(inner.group(1)),
        "wall_seconds": seconds,
        "size": size,
        "rss_mib": rss / 1024,
        "load": load,
        "command": "divert seed --now " + NOW + (f" --episodes {episodes}" if episodes else ""),
    }
    print(f"  {result}", flush=True)
    return result


def machine() -> dict:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "nproc": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
    }


def render(results: list[dict], info: dict) -> str:
    lines = [
        START,
        "## Seeding",
        "",
        "`divert seed` builds the synthetic demo service (scripts/bench_seed.py, "
        f"run {dt.datetime.now(dt.UTC):%d %B %Y}). Each case starts from a freshly migrated, empty "
        "database; the time is the whole command, from process start to exit (the seed's own "
        "figure, without Django start-up, in brackets).",
        "",
        f"Machine: {info['nproc']} CPUs (`nproc`), {info['memory']} memory, Python "
        f"{info['python']}, SQLite {info['sqlite']}"
        + (f", PostgreSQL {info['postgres']}" if info.get("postgres") else "")
        + f" on the same machine ({info['platform']}).",
        "",
        "| database | episodes | people | rows written | seconds | database size | peak memory "
        "| load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['episodes']:,} | {r['people']:,} | {r['rows']:,} | "
            f"{r['wall_seconds']:.1f} ({r['seed_seconds']:.1f}) | "
            f"{r['size'] / 1024 / 1024:,.0f} MiB | {r['rss_mib']:,.0f} MiB | {r['load']:.1f} |"
        )
    lines += [
        "",
        "Load is the machine's 5-minute load average when the case finished; above the CPU "
        "count, other work shared the machine and the times are longer than on an idle one.",
        "",
        "Rows are every table the seed writes (people, episodes, offers, needs, screening "
        "administrations and a sample of their answers, assessments, contacts, tasks, "
        "outcomes, hearings, referrals and their status history, consents, documents, "
        "disclosures), plus the service configuration.",
        "",
        "To reproduce:",
        "",
        "```sh",
        "make setup",
        ".venv/bin/python scripts/bench_seed.py            # SQLite and PostgreSQL, "
        "default demo and 1,000,000 episodes",
        ".venv/bin/python scripts/bench_seed.py --skip-postgres --large 100000",
        "# one case by hand:",
        "DIVERT_DEMO_MODE=1 DJANGO_SECRET_KEY=x DATABASE_URL=sqlite:////tmp/bench.sqlite3 "
        ".venv/bin/divert migrate",
        "DIVERT_DEMO_MODE=1 DJANGO_SECRET_KEY=x DATABASE_URL=sqlite:////tmp/bench.sqlite3 "
        f".venv/bin/divert seed --now {NOW} --episodes 1000000",
        "```",
        "",
        f"PostgreSQL runs use `{PG_URL}` (set PG_BENCH_URL to change it); the database is "
        "created and dropped by the script.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    if DOC.exists():
        text = DOC.read_text(encoding="utf-8")
    else:
        text = "# Benchmarks\n\nMeasured performance of Divert's heavier operations.\n\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=1_000_000, help="episodes in the big case")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print, do not edit the doc")
    options = parser.parse_args()
    info = machine()
    databases = ["SQLite"]
    if not options.skip_postgres:
        info["postgres"] = pg_version()
        databases.append("PostgreSQL")
    results = []
    for database in databases:
        for episodes in (None, options.large):
            results.append(run_case(database, episodes))
    section = render(results, info)
    print(section)
    if not options.no_write:
        write_doc(section)
        print(f"Wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
