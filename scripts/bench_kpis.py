"""Time the full KPI set on SQLite, PostgreSQL and DuckDB over the same synthetic data.

    .venv/bin/python scripts/bench_kpis.py --episodes 100000
    .venv/bin/python scripts/bench_kpis.py --episodes 1000000 --write docs/benchmarks.md

1. DuckDB generates N episodes and their fact rows in realistic proportions with bulk SQL
   (people, offers, screenings, assessments, needs, onward referrals and their status history,
   disclosures, and one episode in five as imported history with its imported facts), filling
   every column of the Django tables, and writes one Parquet file per table.
2. For SQLite and PostgreSQL, a child process migrates an empty database, loads the Parquet
   files (SQLite: executemany in one transaction; PostgreSQL: COPY), runs ANALYZE, then times
   ``compute_kpis`` over the whole data (median of --runs runs, after one warm-up run).
   Each database first builds the per-episode summary table (``reporting.facts.refresh_all``,
   timed), then times ``compute_kpis`` reading it, and runs the live statement once (which
   derives the same facts from the clinical tables inside the query) to check it agrees.
3. The same SQL (``kpis.facts_sql`` and ``kpis.build_sql`` with the DuckDB dialect) runs in
   DuckDB over views on the Parquet files; its numbers must equal the other two databases'.

PostgreSQL uses PG_BENCH_URL's server (default postgres://postgres@127.0.0.1:5432) and creates
and drops the database divert_bench_kpis.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("PG_BENCH_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("PG_BENCH_DB", "divert_bench_kpis")
START = "<!-- kpis:start -->"
END = "<!-- kpis:end -->"
AS_OF = dt.date(2026, 11, 1)
PERIOD = (dt.date(2023, 1, 1), dt.date(2026, 10, 31))
SPAN_SECONDS = 3 * 365 * 24 * 3600  # episodes spread over three years from 2023-01-01

# Table order for loading (foreign keys first).
TABLES = [
    "people_person",
    "cases_episode",
    "cases_offer",
    "screening_administration",
    "cases_assessment",
    "cases_need",
    "referrals_onwardreferral",
    "referrals_referralstatuschange",
    "sharing_disclosure",
    "imports_importedepisode",
    "imports_importedreferral",
]


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-kpis")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "divert.config.settings")
    import django

    django.setup()


# --- generation ----------------------------------------------------------------------------


def _generators(n: int) -> dict[str, tuple[str, dict[str, str]]]:
    """Per table: the FROM clause and an expression for each column we set (others default)."""
    people = max(1, int(n * 0.66))
    return {
        "people_person": (
            f"range(1, {people + 1}) t(i)",
            {
                "id": "i",
                "local_id": "'BENCH-' || i",
                "given_name": "'Synthetic'",
                "family_name": "'Person' || (i % 1000)",
                "date_of_birth": "DATE '1960-01-01' + CAST((i * 7919) % 18000 AS INTEGER)",
                "gender_identity": "['1', '2', 'X'][1 + (i % 3)]",
                "ethnic_category": "['A', 'B', 'C', 'H', 'M', 'Z', '99'][1 + (i % 7)]",
                "is_synthetic": "true",
                "merged_into_id": "CASE WHEN i % 100 = 50 THEN i - 1 END",
                "created_at": "TIMESTAMP '2022-12-01 00:00:00'",
                "created_by_id": "1",
            },
        ),
        "cases_episode": (
            "g",
            {
                "id": "i",
                "person_id": "person_id",
                "reference": "'BK' || i",
                "site_id": "site_id",
                "team_id": "1",
                "pathway_point": "'custody'",
                "referral_source": "'E1'",
                "referral_received_at": "ref_at",
                "age_at_referral": "age",
                "pathway": "CASE WHEN age < 18 THEN 'youth' ELSE 'adult' END",
                "created_at": "ref_at",
                "created_by_id": "1",
            },
        ),
        "cases_offer": (
            "g WHERE r1 < 95",
            {
                "episode_id": "i",
                "recorded_at": "ref_at + INTERVAL 30 MINUTE",
                "recorded_by_id": "1",
                "offered_at": "ref_at + INTERVAL 30 MINUTE",
                "outcome": "CASE WHEN r1 < 70 THEN 'accepted' WHEN r1 < 85 THEN 'declined' "
                "ELSE 'not_offered' END",
            },
        ),
        "screening_administration": (
            "g WHERE NOT is_imported AND ((r1 < 70 AND r2 < 85) OR r2 >= 97)",
            {
                "episode_id": "i",
                "instrument_version_id": "1",
                "started_at": "ref_at + INTERVAL 1 HOUR",
                "completed_at": "CASE WHEN r2 < 85 THEN screened_at END",
                "administered_by_id": "1",
                "is_complete": "r2 < 85",
                "flags": "'[]'",
            },
        ),
        "cases_assessment": (
            "g WHERE is_screened AND r3 < 60",
            {
                "episode_id": "i",
                "recorded_at": "screened_at + INTERVAL 2 HOUR",
                "recorded_by_id": "1",
                "started_at": "screened_at + INTERVAL 1 HOUR",
                "completed_at": "screened_at + INTERVAL 2 HOUR",
                "urgent_actions": "'[]'",
            },
        ),
        "cases_need": (
            "(SELECT *, 'mental_health' AS category FROM g WHERE is_screened AND r4 < 50 "
            "UNION ALL SELECT *, 'substance_misuse_drugs' FROM g WHERE is_screened AND r4 < 20)",
            {
                "episode_id": "i",
                "recorded_at": "screened_at",
                "recorded_by_id": "1",
                "category": "category",
                "identified_by": "'screening_instrument'",
            },
        ),
        "referrals_onwardreferral": (
            "g WHERE NOT is_imported AND is_assessed AND r5 < 50",
            {
                "id": "i",
                "episode_id": "i",
                "service_id": "1",
                "status": "live_status",
                "created_at": "screened_at + INTERVAL 3 HOUR",
                "created_by_id": "1",
            },
        ),
        "referrals_referralstatuschange": (
            "(SELECT *, 'sent' AS change, 0 AS step FROM g WHERE NOT is_imported AND is_assessed "
            "AND r5 < 50 AND live_status <> 'draft' UNION ALL SELECT *, live_status, 1 FROM g "
            "WHERE NOT is_imported AND is_assessed AND r5 < 50 "
            "AND live_status NOT IN ('draft', 'sent'))",
            {
                "referral_id": "i",
                "status": "change",
                "reason": "CASE WHEN change = 'declined' THEN 'Declined by the service' "
                "ELSE '' END",
                "changed_at": "screened_at + to_hours(CAST(3 + step * 72 AS BIGINT))",
                "changed_by_id": "1",
            },
        ),
        "sharing_disclosure": (
            "g WHERE NOT is_imported AND r7 < 30",
            {
                "episode_id": "i",
                "agency_id": "1",
                "purpose": "'charging_decision'",
                "lawful_basis": "'public_interest'",
                "lawful_basis_detail": "'Benchmark'",
                "created_at": "ref_at + INTERVAL 1 HOUR",
                "created_by_id": "1",
                "approved_at": "ref_at + INTERVAL 1 HOUR",
                "approved_by_id": "1",
                "shared_at": "shared_at",
                "cj_decision_at": "decided_at",
            },
        ),
        "imports_importedepisode": (
            "g WHERE is_imported",
            {
                "episode_id": "i",
                "episode_ref": "'IMP' || i",
                "run_id": "1",
                "screened_at": "CASE WHEN is_screened THEN screened_at END",
                "disclosed_at": "CASE WHEN r7 < 30 THEN shared_at END",
                "cj_decision_at": "CASE WHEN r7 < 30 THEN decided_at END",
            },
        ),
        "imports_importedreferral": (
            "g WHERE is_imported AND is_assessed AND r5 < 50",
            {
                "episode_id": "i",
                "category": "'mental_health'",
                "status": "CASE WHEN live_status = 'draft' THEN 'sent' ELSE live_status END",
            },
        ),
    }


def _base_table_sql(n: int) -> str:
    people = max(1, int(n * 0.66))
    return f"""
CREATE TABLE g AS
WITH raw AS (
    SELECT i,
           1 + CAST((i * 2654435761) % {people} AS BIGINT) AS person_id,
           1 + (i % 6) AS site_id,
           TIMESTAMP '2023-01-01 00:00:00'
               + to_seconds(CAST((i * {SPAN_SECONDS}) // {n} + (i * 7) % 3600 AS BIGINT))
               AS ref_at,
           (i * 2654435761) % 100 AS r1, (i * 40503 + 17) % 100 AS r2,
           (i * 69069 + 3) % 100 AS r3, (i * 1103515245 + 12345) % 100 AS r4,
           (i * 22695477 + 1) % 100 AS r5, (i * 134775813 + 1) % 100 AS r6,
           (i * 214013 + 2531011) % 100 AS r7, (i * 16807) % 100 AS r8,
           i % 5 = 0 AS is_imported
    FROM range(1, {n + 1}) t(i)
), aged AS (
    SELECT raw.*,
           year(ref_at) - year(p.date_of_birth)
             - CASE WHEN strftime(ref_at, '%m%d') < strftime(p.date_of_birth, '%m%d')
                    THEN 1 ELSE 0 END AS age
    FROM raw JOIN people_person p ON p.id = raw.person_id
)
SELECT aged.*,
       r1 < 70 AND r2 < 85 AS is_screened,
       r1 < 70 AND r2 < 85 AND r3 < 60 AS is_assessed,
       ref_at + to_hours(CAST(1 + r3 % 47 AS BIGINT)) AS screened_at,
       ref_at + to_hours(CAST(1 + r8 % 6 AS BIGINT)) AS shared_at,
       ref_at + to_hours(CAST(1 + r6 % 8 AS BIGINT)) AS decided_at,
       CASE WHEN r6 < 10 THEN 'draft' WHEN r6 < 30 THEN 'sent' WHEN r6 < 45 THEN 'accepted'
            WHEN r6 < 75 THEN 'attended' WHEN r6 < 90 THEN 'did_not_attend'
            ELSE 'declined' END AS live_status
FROM aged
"""


def _duck_type(field: Any) -> str:
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return "TIMESTAMP"
    if kind == "DateField":
        return "DATE"
    if kind == "BooleanField":
        return "BOOLEAN"
    if kind in ("DecimalField", "FloatField"):
        return "DOUBLE"
    if kind in ("ForeignKey", "OneToOneField") or "Integer" in kind or "AutoField" in kind:
        return "BIGINT"
    return "VARCHAR"


def _default_sql(field: Any) -> str:
    if field.null:
        return f"CAST(NULL AS {_duck_type(field)})"
    if field.has_default():
        value = field.get_default()
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, (list, dict)):
            return "'" + json.dumps(value) + "'"
        return "'" + str(value).replace("'", "''") + "'"
    if field.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField"):
        return "''"
    raise ValueError(f"{field.model.__name__}.{field.name} needs a value")


def _models_by_table() -> dict[str, Any]:
    from django.apps import apps

    return {m._meta.db_table: m for m in apps.get_models()}


def generate(n: int, out: Path) -> dict[str, int]:
    """Write one Parquet file per table into ``out``; return the row counts."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    models = _models_by_table()
    con = duckdb.connect()
    counts = {}
    gens = _generators(n)
    for table in TABLES:
        source, given = gens[table]
        fields = [f for f in models[table]._meta.concrete_fields]
        select = []
        for f in fields:
            expr = given.get(f.column)
            if expr is None and f.column == "id":
                expr = "row_number() OVER ()"
            select.append(f"CAST({expr or _default_sql(f)} AS {_duck_type(f)}) AS {f.column}")
        con.execute(f"CREATE TABLE {table} AS SELECT {', '.join(select)} FROM {source}")
        if table == "people_person":
            con.execute(_base_table_sql(n))
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        con.execute(f"COPY {table} TO '{out / (table + '.parquet')}' (FORMAT parquet)")
    con.close()
    return counts


# --- loading into SQLite / PostgreSQL ------------------------------------------------------------


def _reference_rows() -> None:
    """The configuration every generated row points at, with id 1 (or 1–6 for sites)."""
    from django.utils import timezone

    from divert.accounts.models import User
    from divert.directory.models import DirectoryOrganisation, DirectoryService
    from divert.imports.models import ImportRun
    from divert.organisation.models import Agency, ForceArea, LDService, Provider, Site, Team
    from divert.screening.models import InstrumentVersion

    assert InstrumentVersion.objects.filter(pk=1).exists()
    user = User.objects.create(id=1, username="bench")
    provider = Provider.objects.create(id=1, name="Bench trust", ods_code="BNCH")
    service = LDService.objects.create(id=1, provider=provider, name="Bench L&D")
    areas = [
        ForceArea.objects.create(id=k, code=f"area-{k}", name=f"Area {k}", service=service)
        for k in (1, 2)
    ]
    sites = [
        Site.objects.create(
            id=k,
            service=service,
            force_area=areas[k % 2],
            code=f"site-{k}",
            name=f"Site {k}",
            site_type="custody_suite",
        )
        for k in range(1, 7)
    ]
    team = Team.objects.create(id=1, service=service, name="Bench team")
    team.sites.set(sites)
    Agency.objects.create(id=1, name="Bench police", recipient_class="police", force_area=areas[0])
    org = DirectoryOrganisation.objects.create(id=1, name="Bench org")
    DirectoryService.objects.create(id=1, organisation=org, name="Bench service")
    ImportRun.objects.create(
        id=1, file_name="bench.csv", file_sha256="0" * 64, started_at=timezone.now(), operator=user
    )


def _load_sqlite(path: Path, parquet: Path) -> None:
    import sqlite3

    import duckdb

    duck = duckdb.connect()
    con = sqlite3.connect(path)
    # The CHECK constraints call REGEXP, which Django registers on its own connections.
    con.create_function(
        "REGEXP", 2, lambda pattern, value: value is not None and bool(re.search(pattern, value))
    )
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA foreign_keys = OFF")
    for table in TABLES:
        described = duck.execute(f"DESCRIBE SELECT * FROM '{parquet / table}.parquet'").fetchall()
        cols = [r[0] for r in described]
        types = {r[0]: r[1] for r in described}
        exprs = []
        for c in cols:
            if types[c].startswith("TIMESTAMP"):
                exprs.append(f"strftime({c}, '%Y-%m-%d %H:%M:%S')")
            elif types[c] == "BOOLEAN":
                exprs.append(f"CAST({c} AS INTEGER)")
            elif types[c] == "DATE":
                exprs.append(f"CAST({c} AS VARCHAR)")
            else:
                exprs.append(c)
        cursor = duck.execute(f"SELECT {', '.join(exprs)} FROM '{parquet / table}.parquet'")
        insert = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        while batch := cursor.fetchmany(50_000):
            con.executemany(insert, batch)
        con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()


def _load_postgres(parquet: Path) -> None:
    import duckdb
    from django.db import connection

    duck = duckdb.connect()
    with connection.cursor() as cursor:
        raw = cursor.connection
        raw.execute("SET TIME ZONE 'UTC'")
        for table in TABLES:
            csv_path = parquet / f"{table}.csv"
            duck.execute(
                f"COPY (SELECT * FROM '{parquet / table}.parquet') TO '{csv_path}' "
                "(FORMAT csv, HEADER false, FORCE_QUOTE *)"
            )
            cols = [r[0] for r in duck.execute(f"DESCRIBE '{parquet / table}.parquet'").fetchall()]
            copy_sql = f"COPY {table} ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv)"
            with raw.cursor() as pg, pg.copy(copy_sql) as copy, csv_path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            csv_path.unlink()
        raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _time_kpis(runs: int) -> dict[str, Any]:
    """Build the summary table, then time the KPI set read from it and, once, the live statement."""
    from django.db import connection

    from divert.reporting import facts, kpis

    started = time.perf_counter()
    facts.refresh_all()
    facts_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {kpis.FACTS_TABLE}")
    filters = kpis.Filters(date_from=PERIOD[0], date_to=PERIOD[1], as_of=AS_OF)
    if os.environ.get("BENCH_WARMUP", "1") == "1":
        kpis.compute_kpis(filters)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = kpis.compute_kpis(filters)
        times.append(time.perf_counter() - started)
    month_times = []
    for _ in range(runs if os.environ.get("BENCH_BREAKDOWN", "1") == "1" else 0):
        started = time.perf_counter()
        kpis.compute_breakdown(filters, "month")
        month_times.append(time.perf_counter() - started)
    live_seconds = None
    if os.environ.get("BENCH_LIVE", "1") == "1":
        started = time.perf_counter()
        live = kpis.compute_kpis(filters, source="live")
        live_seconds = time.perf_counter() - started
        if live != result:
            raise SystemExit("the summary table and the live statement disagree")
    return {
        "times": times,
        "median": statistics.median(times),
        "breakdown_month_median": statistics.median(month_times) if month_times else None,
        "facts_seconds": facts_seconds,
        "refresh_ms": _time_refresh(),
        "live_seconds": live_seconds,
        "result": result,
    }


def _time_refresh(samples: int = 100) -> tuple[float, float]:
    """What a write adds: re-deriving one person's facts (p50, p95 in ms), as a save does."""
    import random

    from django.db import transaction

    from divert.people.models import Person
    from divert.reporting import facts

    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picker = random.Random(7)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        with transaction.atomic():
            facts.refresh_people([picker.randint(1, top)])
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def child(database: str, parquet: Path, runs: int, workdir: Path) -> None:
    """Migrate, load and time one database; print one JSON line."""
    if database == "sqlite":
        path = workdir / "bench_kpis.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = f"{PG_SERVER}/{PG_DB}"
    _setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    _reference_rows()
    started = time.perf_counter()
    if database == "sqlite":
        connection.close()
        _load_sqlite(path, parquet)
    else:
        _load_postgres(parquet)
    load_seconds = time.perf_counter() - started
    timing = _time_kpis(runs)
    version = connection.cursor().connection.execute(
        "SELECT sqlite_version()" if database == "sqlite" else "SHOW server_version"
    )
    version_text = version.fetchone()[0]
    size = path.stat().st_size if database == "sqlite" else _pg_size(connection)
    print(
        "RESULT "
        + json.dumps(
            {
                "database": database,
                "version": version_text,
                "load_seconds": load_seconds,
                "size_bytes": size,
                **timing,
            },
            default=str,
        )
    )


def _pg_size(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(sql)


def time_duckdb(parquet: Path, runs: int) -> dict[str, Any]:
    import duckdb

    from divert.reporting import kpis

    con = duckdb.connect()
    for table in [*TABLES, "organisation_site", "organisation_forcearea"]:
        file = parquet / f"{table}.parquet"
        if file.exists():
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM '{file}'")
    filters = kpis.Filters(date_from=PERIOD[0], date_to=PERIOD[1], as_of=AS_OF)

    def execute(sql: str, params: Any) -> list[tuple[Any, ...]]:
        return con.execute(sql, list(params)).fetchall()

    def once(source: str = "table") -> dict[str, Any]:
        rows = kpis.run(filters, None, kpis.duckdb_dialect(), execute, source)
        return kpis.shape(rows, "all")

    started = time.perf_counter()
    d = kpis.duckdb_dialect()
    con.execute(f"CREATE TABLE {kpis.FACTS_TABLE} AS " + kpis.facts_sql(d, kpis.Scope()), d.params)
    facts_seconds = time.perf_counter() - started
    if os.environ.get("BENCH_WARMUP", "1") == "1":
        once()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = once()
        times.append(time.perf_counter() - started)
    live_seconds = None
    if os.environ.get("BENCH_LIVE", "1") == "1":
        started = time.perf_counter()
        live = once("live")
        live_seconds = time.perf_counter() - started
        if live != result:
            raise SystemExit("DuckDB: the summary table and the live statement disagree")
    return {
        "database": "duckdb",
        "version": duckdb.__version__,
        "times": times,
        "median": statistics.median(times),
        "facts_seconds": facts_seconds,
        "live_seconds": live_seconds,
        "result": result,
    }


def _numbers(result: dict[str, Any]) -> dict[str, Any]:
    """The KPI numbers with values rounded, for comparing engines."""
    out = {}
    for key, entry in result.items():
        value = entry["value"]
        out[key] = (entry["numerator"], entry["denominator"], round(value, 2) if value else value)
    return out


def _load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "–"


def write_doc(path: Path, n: int, counts: dict[str, int], results: list[dict[str, Any]]) -> None:
    """Replace (or add) this size's row in the KPI table of docs/benchmarks.md; keep the prose."""
    text = path.read_text(encoding="utf-8")
    by_db = {r["database"]: r for r in results}

    def cell(db: str) -> str:
        return f"{by_db[db]['median']:.3f} s" if db in by_db else "not run"

    ratio = (
        f"{by_db['postgresql']['median'] / by_db['duckdb']['median']:.1f}×"
        if "postgresql" in by_db and "duckdb" in by_db
        else "–"
    )

    def seconds(db: str, key: str) -> str:
        value = by_db.get(db, {}).get(key)
        return f"{value:.1f} s" if value is not None else "–"

    engines = ("sqlite", "postgresql", "duckdb")
    live = " / ".join(seconds(db, "live_seconds") for db in engines)
    build = " / ".join(seconds(db, "facts_seconds") for db in engines)
    loads = " / ".join(seconds(db, "load_seconds") for db in ("sqlite", "postgresql"))
    refresh = " / ".join(
        "{:.0f} (p95 {:.0f})".format(*by_db[db]["refresh_ms"]) if db in by_db else "–"
        for db in ("sqlite", "postgresql")
    )
    row = (
        f"| {n:,} | {sum(counts.values()):,} | {cell('sqlite')} | {cell('postgresql')} "
        f"| {cell('duckdb')} | {ratio} | {live} | {build} | {refresh} ms | {loads} "
        f"| {_load_average()} |"
    )
    head, rest = text.split(START, 1)
    section, tail = rest.split(END, 1)
    lines = section.split("\n")
    table = [k for k, line in enumerate(lines) if line.startswith("| ")]
    rows = [lines[k] for k in table[1:] if not lines[k].startswith(f"| {n:,} |")] + [row]
    rows.sort(key=lambda line: int(line.split("|")[1].strip().replace(",", "")))
    lines[table[0] + 2 : table[-1] + 1] = rows
    path.write_text(head + START + "\n".join(lines) + END + tail, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql,duckdb")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bench_kpis")
    parser.add_argument("--write", type=Path, help="Rewrite the KPI section of this file.")
    parser.add_argument(
        "--keep", action="store_true", help="Leave the PostgreSQL database for EXPLAIN afterwards."
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    parquet = args.workdir / f"parquet-{args.episodes}"
    if args.child:
        child(args.child, parquet, args.runs, args.workdir)
        return

    _setup_django(f"sqlite:///{args.workdir / 'unused.sqlite3'}")
    started = time.perf_counter()
    counts = generate(args.episodes, parquet)
    print(f"generated {sum(counts.values()):,} rows in {time.perf_counter() - started:.1f} s")
    print(json.dumps(counts))
    results = []
    for database in args.databases.split(","):
        if database == "duckdb":
            result = time_duckdb(parquet, args.runs)
        else:
            if database == "postgresql":
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
                _pg_admin(f"CREATE DATABASE {PG_DB}")
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--episodes",
                    str(args.episodes),
                    "--runs",
                    str(args.runs),
                    "--workdir",
                    str(args.workdir),
                    "--child",
                    database,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode or not line:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                raise SystemExit(f"{database} failed")
            result = json.loads(line[0][len("RESULT ") :])
            if database == "postgresql" and not args.keep:
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        results.append(result)
        summary = {k: v for k, v in result.items() if k != "result"}
        print(json.dumps(summary))
    numbers = {r["database"]: _numbers(r["result"]) for r in results}
    first = next(iter(numbers.values()))
    for database, values in numbers.items():
        if values != first:
            print(f"MISMATCH {database}: {values} != {first}", file=sys.stderr)
    print(json.dumps(first))
    if args.write:
        write_doc(args.write, args.episodes, counts, results)


if __name__ == "__main__":
    main()
