"""Time ``divert import activity`` on SQLite and PostgreSQL; results go to docs/benchmarks.md.

Usage:
    .venv/bin/python scripts/bench_import.py [--rows 100000] [--large 1000000]
        [--skip-sqlite] [--skip-postgres] [--results FILE] [--write]

Each case runs in a fresh database (a temporary SQLite file, or a PostgreSQL database created and
dropped here: PG_BENCH_URL, default postgres://postgres@127.0.0.1:5432/divert_bench_import),
migrated and given the demo service's sites, teams and users by ``divert seed --episodes 1``.
The CSV is made by this script's own generator: every person in it is SYNTHETIC (NHS numbers in
the 999 test range), and the import runs with ``--synthetic``. The import is timed from process
start to exit; a second, identical run times the re-import (every row already imported).
``--large`` adds a case of that many rows on each database, PostgreSQL first. ``--results``
keeps every result in a JSON-lines file, so cases run separately (the 1,000,000-row ones take a
while) end up in one table.
"""

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_seed import machine, manage, pg_admin, pg_version  # noqa: E402

# Reports the child's CPU seconds and peak memory (KiB) on stderr: on a shared machine the wall
# time mostly measures the other work, the CPU time measures the import.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print('cpu', usage.ru_utime + usage.ru_stime, file=sys.stderr)\n"
    "print('maxrss', usage.ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measured(database_url: str, *args: str) -> tuple[float, str, float, int]:
    """Wall seconds, stdout, CPU seconds and peak memory (KiB) of one manage.py command."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SECRET_KEY": "bench-not-secret"}
    command = [sys.executable, "-c", MEASURE, sys.executable, str(ROOT / "manage.py"), *args]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        command, env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr[-5000:])
        raise SystemExit(f"failed: {' '.join(args)}")
    cpu = float(re.search(r"^cpu ([\d.]+)", done.stderr, re.M).group(1))
    rss = int(re.search(r"^maxrss (\d+)", done.stderr, re.M).group(1))
    return seconds, done.stdout, cpu, rss


ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- import:start -->"
END = "<!-- import:end -->"
NOW = "2026-11-26T09:00"
OPERATOR = "demo-admin"
PG_URL = os.environ.get("PG_BENCH_URL", "postgres://postgres@127.0.0.1:5432/divert_bench_import")

COLUMNS = [
    "episode_ref",
    "person_ref",
    "nhs_number",
    "pnc_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "gender_identity",
    "ethnic_category",
    "postcode",
    "site_code",
    "referral_source",
    "referral_received_at",
    "offer_outcome",
    "screened_at",
    "assessed_at",
    "vulnerabilities",
    "onward_referrals",
    "disclosed_at",
    "cj_decision_at",
    "closed_at",
    "closure_reason",
]
GIVEN = ["Alex", "Sam", "Jordan", "Casey", "Robin", "Charlie", "Jamie", "Morgan", "Taylor", "Kim"]
FAMILY = ["Synthetic", "Example", "Testcase", "Sample", "Fictional", "Madeup", "Dummy", "Mock"]
VULNERABILITIES = [
    "mental_health",
    "learning_disability",
    "autism",
    "adhd",
    "substance_misuse_drugs",
    "substance_misuse_alcohol",
    "suicide_self_harm",
    "trauma",
    "accommodation",
    "financial",
]
CATEGORIES = ["mental_health", "drug_and_alcohol", "housing", "debt_and_benefits", "other"]
STATUSES = ["sent", "accepted", "declined", "attended", "did_not_attend"]
SOURCES = ["E1", "E2", "A1", "M1", "G1"]


def test_nhs_number(serial: int) -> str:
    """A Modulus 11 valid NHS number in the 999 range reserved for testing, or "" when this
    serial has no valid check digit (so no two people share one)."""
    digits = f"999{serial % 1_000_000:06d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
    check = (11 - total % 11) % 11
    return "" if check == 10 else digits + str(check)


def generate(path: Path, rows: int, sites: list[str], seed: int = 7) -> None:
    """One CSV row per episode; about two episodes for every three people come back again."""
    rng = random.Random(seed)
    end = dt.datetime(2026, 10, 31, tzinfo=dt.UTC)
    span = 5 * 365 * 24 * 3600
    people = max(1, int(rows * 0.66))
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for n in range(rows):
            p = n if n < people else rng.randrange(people)
            person = random.Random(p)  # the same details every time this person appears
            born = dt.date(1950, 1, 1) + dt.timedelta(days=person.randrange(365 * 58))
            received = end - dt.timedelta(seconds=rng.randrange(span))
            if (received.date() - born).days < 11 * 366:
                received = dt.datetime(born.year + 12, 6, 1, 10, tzinfo=dt.UTC)
            outcome = rng.choices(
                ["accepted", "declined", "not_possible", "not_offered"], [70, 15, 10, 5]
            )[0]
            screened = assessed = disclosed = decided = closed = ""
            vulnerabilities = referrals = reason = ""

            def later(hours: float, base: dt.datetime = received) -> str:
                return (base + dt.timedelta(hours=hours)).isoformat()

            if outcome == "accepted" and rng.random() < 0.9:
                screened = later(rng.uniform(0.5, 30))
                if rng.random() < 0.7:
                    assessed = later(rng.uniform(31, 200))
                    chosen = rng.sample(VULNERABILITIES, rng.randint(0, 3))
                    vulnerabilities = ";".join(chosen)
                    if rng.random() < 0.6:
                        referrals = ";".join(
                            f"{rng.choice(CATEGORIES)}:{rng.choice(STATUSES)}"
                            for _ in range(rng.randint(1, 2))
                        )
            if rng.random() < 0.4:
                disclosed = later(rng.uniform(1, 20))
                decided = later(rng.uniform(1, 40))
            if rng.random() < 0.8:
                closed = later(rng.uniform(200, 2000))
                if closed > end.isoformat():
                    closed = ""
                else:
                    reason = rng.choice(["completed_referred_on", "completed_no_further_need"])
            out.writerow(
                [
                    f"SYN-E{n:08d}",
                    f"SYN-P{p:08d}",
                    test_nhs_number(p) if person.random() < 0.5 else "",
                    f"{70 + p % 30}/{p % 10_000_000}{chr(65 + p % 26)}"
                    if person.random() < 0.4
                    else "",
                    person.choice(GIVEN),
                    person.choice(FAMILY),
                    born.isoformat(),
                    person.choice(["1", "2", "X"]),
                    person.choice(["A", "B", "C", "J", "M", "99"]),
                    "",
                    rng.choice(sites),
                    rng.choice(SOURCES),
                    received.isoformat(),
                    outcome,
                    screened,
                    assessed,
                    vulnerabilities,
                    referrals,
                    disclosed,
                    decided,
                    closed,
                    reason,
                ]
            )


REIMPORT = True


def run_case(database: str, rows: int, folder: Path) -> dict:
    if database == "SQLite":
        path = folder / "bench.sqlite3"
        url = f"sqlite:///{path}"
    else:
        name = urlparse(PG_URL).path.lstrip("/")
        pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        pg_admin(f'CREATE DATABASE "{name}"')
        url = PG_URL
    manage(url, "migrate", "--no-input", "-v", "0")
    manage(url, "seed", "--now", NOW, "--episodes", "1", "-v", "0")
    _, sites_json, _ = manage(url, "sites", "--json")
    sites = [site["code"] for site in json.loads(sites_json)]
    data = folder / f"activity-{rows}.csv"
    if not data.exists():
        print(f"generating {rows:,} SYNTHETIC rows...", flush=True)
        generate(data, rows, sites)
    print(f"{database}: importing {rows:,} rows...", flush=True)
    # --skip-invalid: the seed's few scenario people have random 999 NHS numbers, and a
    # generated person who happens to share one (with another date of birth) is rightly refused.
    command = ["import", "activity", str(data), "--by", OPERATOR, "--synthetic", "--skip-invalid"]
    load_start = os.getloadavg()[0]
    seconds, output, cpu, rss = measured(url, *command)
    load = os.getloadavg()[1]  # the 5-minute average as the import ends
    counts = re.search(
        r"([\d,]+) rows read, ([\d,]+) episodes and ([\d,]+) people created.* in ([\d.]+) s",
        output,
    )
    again, again_output, again_cpu = 0.0, "", 0.0
    if REIMPORT:
        again, again_output, again_cpu, _ = measured(url, *command)
    unchanged = re.search(r"([\d,]+) rows already imported", again_output)
    if database == "SQLite":
        size = sum(p.stat().st_size for p in folder.glob("bench.sqlite3*"))
        for p in folder.glob("bench.sqlite3*"):
            p.unlink()
    else:
        size = pg_size_of(url)
        pg_admin(f'DROP DATABASE IF EXISTS "{urlparse(PG_URL).path.lstrip("/")}"')
    number = lambda text: int(text.replace(",", ""))  # noqa: E731
    result = {
        "database": database,
        "rows": number(counts.group(1)),
        "episodes": number(counts.group(2)),
        "people": number(counts.group(3)),
        "inner_seconds": float(counts.group(4)),
        "wall_seconds": seconds,
        "cpu_seconds": cpu,
        "reimport_seconds": again,
        "reimport_cpu": again_cpu,
        "unchanged": number(unchanged.group(1)) if unchanged else 0,
        "file_mib": data.stat().st_size / 1024 / 1024,
        "size": size,
        "rss_mib": rss / 1024,
        "load": load,
        "load_start": load_start,
    }
    print("result", json.dumps(result), flush=True)
    return result


def pg_size_of(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute("select pg_database_size(current_database())").fetchone()[0])


def render(results: list[dict], info: dict, missing: str) -> str:
    lines = [
        START,
        "## Historic-activity import",
        "",
        "`divert import activity` over a SYNTHETIC CSV from scripts/bench_import.py's own "
        f"generator (run {dt.datetime.now(dt.UTC):%d %B %Y}). Each case starts from a freshly "
        "migrated database holding only the demo service's configuration; the time is the whole "
        "command, from process start to exit (the import's own figure in brackets): two reads "
        "of the file (the references, then the checks with each row written as it passes), the "
        "bulk lookups, and the writes (core.bulk: executemany on SQLite, COPY on PostgreSQL) in "
        "one transaction. CPU seconds are the import process's own (user and system; the database "
        "server's work on PostgreSQL is not in them). The re-import is the same file again, "
        "every row already imported.",
        "",
        f"Machine: {info['nproc']} CPUs (`nproc`), {info['memory']} memory, Python "
        f"{info['python']}, SQLite {info['sqlite']}"
        + (f", PostgreSQL {info['postgres']}" if info.get("postgres") else "")
        + " on the same machine, shared with other work (load column).",
        "",
        "| database | rows | people | file | wall s (import's own) | CPU s | rows/s of CPU "
        "| re-import wall s (CPU s) | database size | peak memory "
        "| load (1 min at start, 5 min at end) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['rows']:,} | {r['people']:,} | {r['file_mib']:,.0f} MiB | "
            f"{r['wall_seconds']:.1f} ({r['inner_seconds']:.1f}) | {r['cpu_seconds']:.1f} | "
            f"{r['rows'] / r['cpu_seconds']:,.0f} | "
            f"{r['reimport_seconds']:.1f} ({r['reimport_cpu']:.1f}) | "
            f"{r['size'] / 1024 / 1024:,.0f} MiB | {r['rss_mib']:,.0f} MiB | "
            f"{r.get('load_start', r['load']):.1f}, {r['load']:.1f} |"
        )
    lines += [
        "",
        "Each row writes an episode, an ImportedEpisode, usually an offer, and on average about "
        "one need, half an assessment and half an imported referral; two rows in three bring a "
        "new person (with their intake lookup key).",
    ]
    if missing:
        lines += ["", missing]
    lines += [
        "",
        "To reproduce: `make bench-import` (100,000 rows on both databases), or "
        "`.venv/bin/python scripts/bench_import.py --rows 100000 --large 1000000 --write` "
        "(PG_BENCH_URL names the PostgreSQL database to create and drop).",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    text = DOC.read_text()
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END) + "\n", section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def load_results(path: Path | None) -> list[dict]:
    if path is None or not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def keep_result(path: Path | None, result: dict) -> None:
    if path is not None:
        with path.open("a") as handle:
            handle.write(json.dumps(result) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--large", type=int, default=0, help="Also this many rows on each database."
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-rows", action="store_true", help="Run only the --large cases.")
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help="JSON-lines file: results are added to it, and --write renders all of them.",
    )
    parser.add_argument("--write", action="store_true", help="Rewrite docs/benchmarks.md.")
    parser.add_argument("--note", default="", help="A sentence added under the table.")
    parser.add_argument("--no-reimport", action="store_true", help="Skip the re-import run.")
    args = parser.parse_args()
    global REIMPORT  # noqa: PLW0603 - a script-wide switch
    REIMPORT = not args.no_reimport
    info = machine()
    if not args.skip_postgres:
        info["postgres"] = pg_version()
    cases = []
    if not args.skip_rows:
        cases += [("SQLite", args.rows), ("PostgreSQL", args.rows)]
    if args.large:
        cases += [("PostgreSQL", args.large), ("SQLite", args.large)]
    skipped = {"SQLite": args.skip_sqlite, "PostgreSQL": args.skip_postgres}
    results = []
    with tempfile.TemporaryDirectory(prefix="divert-bench-import-") as folder:
        for database, rows in cases:
            if not skipped[database]:
                result = run_case(database, rows, Path(folder))
                keep_result(args.results, result)
                results.append(result)
    if args.write:
        if args.results is not None:
            kept = {(r["database"], r["rows"]): r for r in load_results(args.results)}
            order = {"SQLite": 0, "PostgreSQL": 1}
            results = sorted(kept.values(), key=lambda r: (r["rows"], order[r["database"]]))
            if any(r["database"] == "PostgreSQL" for r in results) and "postgres" not in info:
                info["postgres"] = pg_version()
        write_doc(render(results, info, args.note))


if __name__ == "__main__":
    main()
