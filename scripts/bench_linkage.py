"""Measure record linkage: Divert's engine against Splink, and intake lookup latency.

Usage:
    .venv/bin/python scripts/bench_linkage.py quality [--sizes 20000 100000] [--no-splink]
    .venv/bin/python scripts/bench_linkage.py lookup [--people 1000000] [--skip-postgres]
    .venv/bin/python scripts/bench_linkage.py all      # both, then rewrite docs/benchmarks.md
    .venv/bin/python scripts/bench_linkage.py time-lookups DATABASE_URL [--code CHECKOUT]

quality: generated records (divert/linkage/evaluation.py, seed 1) with NHS numbers on 30% and
0% of records, de-duplicated by `divert people dedupe`'s engine and by Splink 4 (DuckDB),
each scored by pairwise precision, recall and F1 against the truth, and timed.

lookup: a scratch database (a temporary SQLite file, or PG_BENCH_URL, default
postgres://postgres@127.0.0.1:5432/divert_linkage_bench, created and dropped here; never
data/divert.sqlite3) is migrated, filled with synthetic people and their linkage keys by
bulk_create, and `find_candidates` is timed for returning people recorded with errors.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "benchmarks.md"
# The script rewrites only this block of docs/benchmarks.md (the latest run, at the end of the
# Linkage section); the measurements and analyses above it are kept as written.
START = "<!-- linkage-run:start -->"
END = "<!-- linkage-run:end -->"
SECTION_END = "<!-- linkage:end -->"
PG_URL = os.environ.get("PG_BENCH_URL", "postgres://postgres@127.0.0.1:5432/divert_linkage_bench")
RESULTS = ROOT / "bench-results" / "linkage.json"  # git-ignored


def setup_django(database_url: str = "sqlite:///:memory:") -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "divert.config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-not-secret")
    import django

    django.setup()


# ----- quality -------------------------------------------------------------------------------


def run_divert(dataset) -> tuple[list[str], float, int | None]:
    from divert.linkage import dedupe

    started = time.perf_counter()
    result = dedupe.dedupe(dataset.rows, progress=False)
    return result.person_ids, time.perf_counter() - started, result.reviews


def run_divert_corroborated(dataset) -> tuple[list[str], float, int | None]:
    from divert.linkage import dedupe

    started = time.perf_counter()
    result = dedupe.dedupe(dataset.rows, progress=False, corroborated_only=True)
    return result.person_ids, time.perf_counter() - started, result.reviews


def run_splink(dataset) -> tuple[list[str], float, int | None]:
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from divert.linkage.normalise import normalise_record

    rows = []
    for row in dataset.rows:
        record = normalise_record(row)  # the same cleaning, so only the linker differs
        rows.append(
            {
                "unique_id": row["record_id"],
                "given_name": record.given or None,
                "family_name": record.family or None,
                "dob": record.date_of_birth.isoformat() if record.date_of_birth else None,
                "nhs_number": record.nhs_number,
                "pnc_id": record.pnc_id,
                "postcode": record.postcode,
                "address": record.address or None,
            }
        )
    frame = pd.DataFrame(rows)
    started = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("nhs_number"),
            cl.LevenshteinAtThresholds("pnc_id", [1]),
            cl.PostcodeComparison("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("nhs_number"),
            block_on("pnc_id"),
            block_on("substr(family_name, 1, 3)", "substr(dob, 1, 4)"),
            block_on("given_name", "dob"),
            block_on("dob"),
            block_on("family_name", "postcode"),
            block_on("given_name", "family_name"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(frame, settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.999
    ).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    by_id = dict(
        zip(clusters["unique_id"].astype(str), clusters["cluster_id"].astype(str), strict=True)
    )
    return [by_id[row["record_id"]] for row in dataset.rows], seconds, None


def quality(sizes: list[int], splink: bool, seeds: list[int]) -> list[dict]:
    import logging

    logging.getLogger("splink").setLevel(logging.WARNING)
    from divert.linkage import evaluation

    results = []
    for seed, size, nhs_rate in (
        (seed, size, nhs_rate) for seed in seeds for size in sizes for nhs_rate in (0.3, 0.0)
    ):
        dataset = evaluation.generate(size, seed=seed, nhs_rate=nhs_rate)
        runners = [
            ("Divert", run_divert),
            ("Divert, corroborated only", run_divert_corroborated),
        ] + ([("Splink 4 (DuckDB)", run_splink)] if splink else [])
        for name, runner in runners:
            print(
                f"{name}: seed {seed}, {size:,} records, NHS number on {nhs_rate:.0%}...",
                flush=True,
            )
            load = os.getloadavg()[0]
            predicted, seconds, reviews = runner(dataset)
            scores = evaluation.cluster_scores(predicted, dataset.truth)
            result = {
                "linker": name,
                "seed": seed,
                "records": size,
                "nhs_rate": nhs_rate,
                "precision": scores.precision,
                "recall": scores.recall,
                "f1": scores.f1,
                "wrong_merges": scores.wrong_merges,
                "seconds": seconds,
                "reviews": reviews,
                "load": load,
            }
            print(f"  {result}", flush=True)
            results.append(result)
    return results


# ----- lookup latency ------------------------------------------------------------------------


FILLS = ROOT / "bench-results" / "linkage-fills.json"  # git-ignored: fill times of kept databases
QUERIES = ROOT / "bench-results" / "linkage-queries.json"  # its name takes people and lookups


def _fills() -> dict[str, float]:
    return json.loads(FILLS.read_text()) if FILLS.exists() else {}


def prepare_lookup() -> float | None:
    """Count the names of the bulk-filled keys (refresh_keys would have), unless a previous
    run did; returns seconds, None if kept.

    Counting again on every run rewrote the whole table just before the lookups were timed:
    on PostgreSQL (autovacuum off here) each run left a table's worth of dead rows, and the
    writes were still being flushed while the lookups ran.
    """
    from divert.linkage import frequencies
    from divert.linkage.models import PersonKey

    totals = frequencies.lookup_counts("", "", "")
    if totals.keys and totals.keys == PersonKey.objects.count():
        return None
    started = time.perf_counter()
    frequencies.rebuild()
    return time.perf_counter() - started


def bench_queries(
    generator, truth: list, people: int, queries: int
) -> tuple[list[tuple[str, dict]], list[dict]]:
    """Queries for returning people (with the Divert ID expected first) and for people not
    on record, as the generator records them, without NHS numbers (the hard case)."""

    def as_query(row: dict) -> dict:
        query = {k: str(v) if v is not None else "" for k, v in row.items() if k != "record_id"}
        query["nhs_number"] = ""
        return query

    pick = random.Random(2)  # noqa: S311 - sampling
    known = []
    for _ in range(queries):
        position = pick.randrange(len(truth))
        query = as_query(generator.record(truth[position], "query"))
        known.append((f"DIV-{position + 1:07d}", query))
    unknown = [
        as_query(generator.record(generator.person(people + number + 1), "query"))
        for number in range(queries // 2)
    ]
    return known, unknown


def warm_caches() -> None:
    """Read the lookup's tables and indexes into the operating system's cache, as steady use
    of a server would keep them. Each lookup reads a different corner of a million people's
    keys, so without this the first run after other work (another database, a fill) times
    the disk: on this shared machine the page cache is often emptied between runs."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT c.relname FROM pg_class c WHERE c.relkind IN ('r', 'i') "
                "AND c.relnamespace = 'public'::regnamespace AND (c.relname LIKE 'linkage%%' "
                "OR c.relname LIKE 'people%%' OR c.relname LIKE 'cases_episode%%')"
            )
            for (name,) in cursor.fetchall():
                cursor.execute("SELECT pg_prewarm(%s, 'read')", [name])
        return
    with open(connection.settings_dict["NAME"], "rb") as database:
        while database.read(1 << 24):
            pass


def analyse() -> None:
    """Give PostgreSQL statistics on what was just written, as autovacuum would on a server
    (it is off on this machine): without them, on a freshly filled database, a lookup took
    seconds instead of milliseconds (the planner knew nothing of a million rows)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def p50_p95_ms(timings: list[float]) -> tuple[float, float]:
    """The median and 95th percentile of lookup times in seconds, in milliseconds."""
    ordered = sorted(timings)
    return 1000 * ordered[len(ordered) // 2], 1000 * ordered[int(len(ordered) * 0.95)]


def lookup_worker(database_url: str, people: int, queries: int) -> dict:
    """Run inside a fresh process pointed at the scratch database.

    A database that already holds exactly ``people`` bench people (a kept one) is reused:
    the lookups are the ones generated after its fill (kept in bench-results/, else the
    generator is replayed without writing), and the fill time is the one recorded then.
    """
    setup_django(database_url)
    from django.utils import timezone

    from divert.accounts.models import User
    from divert.linkage import evaluation
    from divert.linkage.lookup import find_candidates, key_row
    from divert.linkage.models import PersonKey
    from divert.linkage.normalise import normalise_record
    from divert.people.models import Person

    generator = evaluation._Generator(seed=1, nhs_rate=0.3)
    filled = Person.objects.filter(local_id__startswith="DIV-").count()
    if filled not in (0, people):
        raise SystemExit(f"The scratch database holds {filled:,} bench people, not {people:,}")
    fill_key = f"{database_url} {people}"
    truth = []
    cached = QUERIES.with_name(f"linkage-queries-{people}-{queries}.json")
    if filled:
        if not cached.exists():
            for number in range(people):
                truth.append(generator.person(number + 1))
                generator.chance(0.5)
        fill_seconds = _fills().get(fill_key)  # None if filled by hand
    else:
        author = User.objects.create(username="bench")
        now = timezone.now()
        started = time.perf_counter()
        batch = 20_000
        for start in range(0, people, batch):
            rows = []
            for number in range(start, min(start + batch, people)):
                person = generator.person(number + 1)
                truth.append(person)
                rows.append(
                    Person(
                        local_id=f"DIV-{number + 1:07d}",
                        given_name=person.given_name,
                        family_name=person.family_name,
                        date_of_birth=person.date_of_birth,
                        nhs_number=person.nhs_number if generator.chance(0.5) else None,
                        pnc_id=person.pnc_id,
                        address_line=person.address_line,
                        postcode=person.postcode,
                        is_synthetic=True,
                        created_at=now,
                        created_by=author,
                    )
                )
            created = Person.objects.bulk_create(rows, batch_size=5000)
            keys = [
                key_row(p.pk, normalise_record({**p.__dict__, "record_id": str(p.pk)}))
                for p in created
            ]
            PersonKey.objects.bulk_create(keys, batch_size=5000)
            print(f"  {min(start + batch, people):,} people", flush=True, end="\r")
        fill_seconds = time.perf_counter() - started
        FILLS.parent.mkdir(exist_ok=True)
        FILLS.write_text(json.dumps({**_fills(), fill_key: fill_seconds}, indent=2))
    count_seconds = prepare_lookup()
    analyse()
    if cached.exists():
        known, unknown = json.loads(cached.read_text())
    else:
        known, unknown = bench_queries(generator, truth, people, queries)
        cached.parent.mkdir(exist_ok=True)
        cached.write_text(json.dumps([known, unknown]))
    os.sync()  # the fill's or the counts' writes are not flushed while lookups are timed
    warm_caches()
    for _, query in known[:20]:  # warm the connection
        find_candidates(query)
    load = os.getloadavg()[0]
    timings, hits, wrong_matches = [], 0, 0
    for expected, query in known:
        tick = time.perf_counter()
        candidates = find_candidates(query)
        timings.append(time.perf_counter() - tick)
        if candidates and candidates[0].person.local_id == expected:
            hits += 1
        elif candidates and candidates[0].decision == "match":
            wrong_matches += 1
    # People not on record: a first candidate decided "match" would be a false match.
    strangers, false_matches = len(unknown), 0
    for query in unknown:
        candidates = find_candidates(query)
        if candidates and candidates[0].decision == "match":
            false_matches += 1
    p50, p95 = p50_p95_ms(timings)
    scoped = scoped_lookups(known)
    return {
        **scoped,
        "people": people,
        "fill_seconds": fill_seconds,
        "count_seconds": count_seconds,
        "reused": bool(filled),
        "queries": queries,
        "p50_ms": p50,
        "p95_ms": p95,
        "top1": hits / queries,
        "wrong_matches": wrong_matches,
        "strangers": strangers,
        "false_matches": false_matches,
        "load": load,
        "load_after": os.getloadavg()[0],
    }


# Intake searches as the practitioner's service sees it: people seen by the service, and
# people on no episode yet. Of the bench people, every tenth (number ending 0) has an episode
# at the bench user's service and every tenth ending 1 at another service, out of scope.
SCOPE_SERVICE = "Bench L&D service"


def scope_fixture():
    """The bench user, in a team of the bench service, and the episodes that scope the
    search; made once per database (bulk, no signals: the KPI facts are not needed)."""
    from django.utils import timezone

    from divert.accounts.models import TeamMembership, User
    from divert.cases.models import Episode
    from divert.organisation.models import ForceArea, LDService, Provider, Site, Team
    from divert.people.models import Person

    user = User.objects.get(username="bench")
    if LDService.objects.filter(name=SCOPE_SERVICE).exists():
        return user
    provider = Provider.objects.create(name="Bench provider (synthetic)", ods_code="BENCH1")
    sites = []
    for number, name in enumerate((SCOPE_SERVICE, "Other L&D service")):
        service = LDService.objects.create(provider=provider, name=name)
        force = ForceArea.objects.create(code=f"bench-force-{number}", name=name, service=service)
        site = Site.objects.create(
            service=service,
            force_area=force,
            code=f"bench-site-{number}",
            name=f"{name} custody",
            site_type="custody_suite",
        )
        team = Team.objects.create(service=service, name=f"{name} team")
        sites.append((site, team))
    now = timezone.now()
    TeamMembership.objects.create(user=user, team=sites[0][1], joined_on=now.date())
    people_ids = Person.objects.filter(local_id__startswith="DIV-").values_list("pk", "local_id")
    episodes = []
    for pk, local_id in people_ids.iterator(chunk_size=20_000):
        ending = int(local_id[4:]) % 10
        if ending > 1:
            continue
        site, team = sites[ending]
        episodes.append(
            Episode(
                person_id=pk,
                reference=f"BENCH-{local_id[4:]}",
                site=site,
                team=team,
                pathway_point="custody",
                referral_source="P1",
                referral_received_at=now,
                age_at_referral=30,
                pathway="adult",
                created_at=now,
                created_by=user,
            )
        )
        if len(episodes) >= 20_000:
            Episode.objects.bulk_create(episodes, batch_size=5000)
            episodes = []
    Episode.objects.bulk_create(episodes, batch_size=5000)
    analyse()
    return user


def scoped_lookups(known: list[tuple[str, dict]]) -> dict:
    """The returning people's lookups as intake makes them: scoped to the bench user's
    service. Top-1 counts the people in scope; *leaks* counts any out-of-scope person shown."""
    from divert.cases.intake import service_scope
    from divert.linkage.lookup import find_candidates

    user = scope_fixture()
    timings, hits, in_scope, leaks = [], 0, 0, 0
    for expected, query in known:
        tick = time.perf_counter()
        candidates = find_candidates(query, people=service_scope(user))
        timings.append(time.perf_counter() - tick)
        if int(expected[4:]) % 10 == 1:
            leaks += any(c.person.local_id == expected for c in candidates)
            continue
        in_scope += 1
        hits += bool(candidates) and candidates[0].person.local_id == expected
    p50, p95 = p50_p95_ms(timings)
    return {
        "scoped_p50_ms": p50,
        "scoped_p95_ms": p95,
        "scoped_top1": hits / in_scope,
        "scoped_in_scope": in_scope,
        "scoped_leaks": leaks,
    }


def time_lookups(database_url: str, code: Path | None, people: int, queries: int) -> None:
    """Time unscoped lookups over a kept, filled database with the lookup code of another
    checkout (``code``, for example a worktree of an older commit), or of this one: 20
    warm-up lookups, then the bench's returning-people lookups once; prints p50 and p95.
    For comparing two versions side by side on the same databases in the same minutes."""
    if code is not None:
        sys.path.insert(0, str(code.resolve()))
    setup_django(database_url)
    from divert.linkage import lookup as lookups
    from divert.linkage import model as scoring

    cached = QUERIES.with_name(f"linkage-queries-{people}-{queries}.json")
    if not cached.exists():
        raise SystemExit(f"{cached} is missing: run `lookup` on this database first")
    known, _ = json.loads(cached.read_text())
    model = scoring.Model.load()
    for _, query in known[:20]:
        lookups.find_candidates(query, model=model)
    timings = []
    for _, query in known:
        tick = time.perf_counter()
        lookups.find_candidates(query, model=model)
        timings.append(time.perf_counter() - tick)
    p50, p95 = p50_p95_ms(timings)
    print(f"{lookups.__file__}: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(timings)} lookups")


def manage(database_url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SECRET_KEY": "bench-not-secret"}
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True
    )


def pg_admin(sql: str) -> None:
    import psycopg

    admin_url = urlparse(PG_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def pg_database_exists(name: str) -> bool:
    import psycopg

    admin_url = urlparse(PG_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def lookup(
    people: int,
    queries: int,
    *,
    sqlite: bool = True,
    postgres: bool = True,
    sqlite_path: Path | None = None,
    keep: bool = False,
) -> list[dict]:
    """Time lookups on each database; ``keep`` keeps (and reuses) the scratch databases."""
    results = []
    databases = (["SQLite"] if sqlite else []) + (["PostgreSQL"] if postgres else [])
    for database in databases:
        folder = None
        if database == "SQLite":
            if sqlite_path is None:
                folder = Path(tempfile.mkdtemp(prefix="divert-linkage-bench-"))
                path = folder / "bench.sqlite3"
            else:
                path = sqlite_path
            url = f"sqlite:///{path}"
        else:
            name = urlparse(PG_URL).path.lstrip("/")
            if not (keep and pg_database_exists(name)):
                pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
                pg_admin(f'CREATE DATABASE "{name}"')
            url = PG_URL
        manage(url, "migrate", "--no-input", "-v", "0")
        print(f"{database}: {people:,} people...", flush=True)
        done = subprocess.run(  # noqa: S603 - this script, in a fresh process
            [sys.executable, __file__, "lookup-worker", url, str(people), str(queries)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["database"] = database
        print(f"  {result}", flush=True)
        results.append(result)
        if database == "SQLite":
            if folder is not None:
                for item in folder.iterdir():
                    item.unlink()
                folder.rmdir()
        elif not keep:
            pg_admin(f'DROP DATABASE IF EXISTS "{urlparse(PG_URL).path.lstrip("/")}"')
    return results


# ----- report --------------------------------------------------------------------------------


def python_loop_seconds() -> float:
    """Seconds for a pure-Python loop of 10,000,000 additions, the best of three: this shared
    machine's speed moves from day to day and within a day (0.7 to 2.3 s seen), so a run's
    times are read beside it."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best


def machine() -> dict:
    kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    info = {
        "nproc": os.cpu_count(),
        "memory": f"{kib / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "loop_seconds": round(python_loop_seconds(), 2),
    }
    try:
        import splink

        info["splink"] = splink.__version__
    except ImportError:  # pragma: no cover - dev extra not installed
        info["splink"] = "not installed"
    return info


def current_commit() -> str:
    done = subprocess.run(  # noqa: S603, S607 - git, read-only
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def render(quality_results: list[dict], lookup_results: list[dict], info: dict) -> str:
    lines = [
        START,
        "### Latest run of `make bench-linkage`",
        "",
        "Written by the script; the sections above are the measurements kept by hand, with "
        "their commits, and the analyses.",
        "",
        f"scripts/bench_linkage.py, written {dt.datetime.now(dt.UTC):%d %B %Y}; "
        f"de-duplication measured at commit {info.get('quality_commit', 'unknown')}, lookups "
        f"at {info.get('lookup_commit', 'unknown')}. Machine: "
        f"{info['nproc']} CPUs, {info['memory']} memory, Python {info['python']}, SQLite "
        f"{info['sqlite']}, Splink {info['splink']} with DuckDB ({info['platform']}); a "
        "pure-Python loop of 10,000,000 additions took "
        f"{info.get('loop_seconds', 'an unmeasured number of')} s (the machine's speed, to "
        "read the times beside).",
        "",
        "#### De-duplication quality and time",
        "",
        "Generated records (`divert/linkage/evaluation.py`; its docstring lists the error "
        "rates and hard negatives). Divert's match threshold is at least 11 bits (chosen on "
        "seed 2 before issue #8), raised for each file until the model expects at most one "
        "pair of different people among the matches its weights decide "
        "(`model.file_match_threshold`). Pairwise precision, recall "
        "and F1 of the clusters; *wrong merges* counts clusters joining two true people (one "
        "per extra person). Divert trains on each file and its clusters are what it merges "
        "automatically, at the match threshold: pairs between the review and match "
        "thresholds are not merged and are not counted in its recall, they are listed for a "
        "person to decide (*pairs left for review*). Splink gets the same cleaned fields, "
        "similar comparisons and blocking, u by random sampling, m by EM on two blocking "
        "rules, and clusters at match probability 0.999. Seconds include training; Divert "
        "and Splink ran one after the other on the same data, so their times are comparable "
        "with each other within a row pair, less so across runs (load average column: the "
        "1-minute load average of this shared 2-CPU machine when the row started).",
        "",
        "| seed | records | NHS number on | linker | precision | recall | F1 | wrong merges "
        "| pairs left for review | seconds | load average |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in quality_results:
        reviews = "" if r.get("reviews") is None else f"{r['reviews']:,}"
        load = "" if r.get("load") is None else f"{r['load']:.1f}"
        lines.append(
            f"| {r.get('seed', 1)} | {r['records']:,} | {r['nhs_rate']:.0%} | {r['linker']} | "
            f"{r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | {r['wrong_merges']} | "
            f"{reviews} | {r['seconds']:.1f} | {load} |"
        )
    lines += ["", "#### Intake lookup latency", ""]
    if lookup_results:
        lines += [
            "`find_candidates` for returning people recorded with the generator's errors and no "
            "NHS number, against a scratch database of synthetic people with their linkage keys "
            "(PersonKey). Top-1 is the share where the right person is first; *false matches* "
            "counts lookups for people not on record whose first candidate was decided a match. "
            "*Scoped*: the same lookups as intake makes them, limited to the bench user's "
            "service (`intake.service_scope`; one person in ten has an episode there, one in "
            "ten only at another service); top-1 over the people in scope, *leaks* the "
            "lookups that showed a person seen only by the other service. "
            "Load average: the 1-minute load average of this shared 2-CPU machine as the "
            "lookups started.",
            "",
            "| database | people | lookups | p50 ms | p95 ms | top-1 | false matches "
            "| scoped p50 ms | scoped p95 ms | scoped top-1 | leaks | fill seconds "
            "| load average |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in lookup_results:
            fill = "" if r.get("fill_seconds") is None else f"{r['fill_seconds']:.0f}"
            false = (
                "" if r.get("strangers") is None else f"{r['false_matches']} of {r['strangers']}"
            )
            load = "" if r.get("load") is None else f"{r['load']:.1f}"
            scoped = (
                f"{r['scoped_p50_ms']:.1f} | {r['scoped_p95_ms']:.1f} | {r['scoped_top1']:.3f} "
                f"| {r['scoped_leaks']}"
                if "scoped_p50_ms" in r
                else " | | | "
            )
            lines.append(
                f"| {r['database']} | {r['people']:,} | {r['queries']} | {r['p50_ms']:.1f} | "
                f"{r['p95_ms']:.1f} | {r['top1']:.3f} | {false} | {scoped} | {fill} | {load} |"
            )
    else:
        lines.append("Not measured in this run.")
    lines += [
        "",
        "To reproduce:",
        "",
        "```sh",
        ".venv/bin/python scripts/bench_linkage.py all                # quality and lookups",
        ".venv/bin/python scripts/bench_linkage.py quality --sizes 20000 100000 --seeds 1 2",
        ".venv/bin/python scripts/bench_linkage.py lookup --people 1000000 "
        "--sqlite-path /tmp/lookup-1m.sqlite3 --keep   # keeps both scratch databases",
        "DJANGO_SECRET_KEY=x .venv/bin/divert people evaluate --records 100000 --seed 1 "
        "--nhs-rate 0   # also lists the missed true pairs by cause",
        "```",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    elif SECTION_END in text:
        before, after = text.split(SECTION_END, 1)
        text = before.rstrip("\n") + "\n\n" + section + "\n" + SECTION_END + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "lookup-worker":
        result = lookup_worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        print(json.dumps(result))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "time-lookups":
        timer = argparse.ArgumentParser(description=time_lookups.__doc__)
        timer.add_argument("database_url")
        timer.add_argument("--code", type=Path, help="checkout whose divert package to time")
        timer.add_argument("--people", type=int, default=1_000_000)
        timer.add_argument("--queries", type=int, default=200)
        options = timer.parse_args(sys.argv[2:])
        time_lookups(options.database_url, options.code, options.people, options.queries)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["quality", "lookup", "all", "report"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--sqlite-path", type=Path, help="SQLite scratch file to fill, or reuse if filled; kept"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL scratch database, reuse if filled"
    )
    parser.add_argument(
        "--no-doc", action="store_true", help="print the results, leave docs/benchmarks.md alone"
    )
    options = parser.parse_args()
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if options.what in ("quality", "all"):
        setup_django()
        stored["quality"] = quality(options.sizes, not options.no_splink, options.seeds)
        stored["quality_commit"] = current_commit()
    if options.what in ("lookup", "all"):
        stored["lookup"] = lookup(
            options.people,
            options.queries,
            sqlite=not options.skip_sqlite,
            postgres=not options.skip_postgres,
            sqlite_path=options.sqlite_path,
            keep=options.keep,
        )
        stored["lookup_commit"] = current_commit()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(stored, indent=2))
    info = {**machine(), **{k: v for k, v in stored.items() if k.endswith("_commit")}}
    section = render(stored.get("quality", []), stored.get("lookup", []), info)
    print(section)
    if options.no_doc:
        return
    write_doc(section)
    print(f"Wrote {DOC.relative_to(ROOT)} (results kept in {RESULTS.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
