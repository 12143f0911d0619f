"""Time the review queue's batch search, and measure what it queues, on generated records.

Usage: .venv/bin/python scripts/bench_find_duplicates.py [--records 10000] [--seed 1]

Each generated record (divert/linkage/evaluation.py, known truth, the documented error rates)
becomes one Person in a scratch SQLite file (a temporary folder; never data/divert.sqlite3),
with invalid identifiers left blank as an action would refuse them. ``find_duplicates`` is then
timed, and the pairs it queues are compared with the truth: of the pairs of records that are
one person, how many are queued (recall), and of the queued pairs, how many are one person
(precision). Prints one JSON line; writes nothing else.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="divert-find-duplicates-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SECRET_KEY="bench-not-secret",  # noqa: S106 - a scratch database
        DJANGO_SETTINGS_MODULE="divert.config.settings",
    )
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        check=True,
    )
    import django

    django.setup()
    from django.utils import timezone

    from divert.accounts.models import User
    from divert.linkage import actions, evaluation
    from divert.linkage.lookup import refresh_keys
    from divert.linkage.models import DuplicateCandidate
    from divert.people import identifiers
    from divert.people.models import Person

    dataset = evaluation.generate(args.records, seed=args.seed)
    author = User.objects.create(username="bench")
    now = timezone.now()
    rows, truth = [], []
    for number, (row, person_id) in enumerate(zip(dataset.rows, dataset.truth, strict=True)):
        try:
            born = dt.date.fromisoformat(row.get("date_of_birth") or "")
        except ValueError:
            continue
        nhs = identifiers.normalise_nhs_number(row.get("nhs_number") or "")
        pnc = identifiers.normalise_pnc_id(row.get("pnc_id") or "")
        rows.append(
            Person(
                local_id=f"DIV-{number + 1:07d}",
                given_name=row.get("given_name") or "Unknown",
                family_name=row.get("family_name") or "Unknown",
                date_of_birth=born,
                nhs_number=nhs if identifiers.is_valid_nhs_number(nhs) else None,
                pnc_id=pnc if pnc and _valid_pnc(identifiers, pnc) else None,
                address_line=row.get("address_line") or "",
                postcode=(row.get("postcode") or "")[:8],
                is_synthetic=True,
                created_at=now,
                created_by=author,
            )
        )
        truth.append(person_id)
    # One current record per NHS number: later records with a repeated number keep none.
    seen: set[str] = set()
    for person in rows:
        if person.nhs_number in seen:
            person.nhs_number = None
        elif person.nhs_number:
            seen.add(person.nhs_number)
    created = Person.objects.bulk_create(rows, batch_size=5000)
    ids = [p.pk for p in created]
    for start in range(0, len(ids), 5000):
        refresh_keys(ids[start : start + 5000])
    owner = dict(zip(ids, truth, strict=True))

    started = time.perf_counter()
    run = actions.find_duplicates(by=author)
    seconds = time.perf_counter() - started

    queued = list(DuplicateCandidate.objects.values_list("first_id", "second_id", "band"))
    true_queued = sum(owner[a] == owner[b] for a, b, _ in queued)
    match_band = [(a, b) for a, b, band in queued if band == "match"]
    counts: dict[str, int] = {}
    for person_id in truth:
        counts[person_id] = counts.get(person_id, 0) + 1
    true_pairs = sum(n * (n - 1) // 2 for n in counts.values())
    print(
        json.dumps(
            {
                "records": args.records,
                "people_compared": run.people_compared,
                "pairs_scored": run.pairs_scored,
                "queued": len(queued),
                "queued_match_band": len(match_band),
                "true_pairs": true_pairs,
                "recall": round(true_queued / true_pairs, 4) if true_pairs else None,
                "precision": round(true_queued / len(queued), 4) if queued else None,
                "match_band_precision": round(
                    sum(owner[a] == owner[b] for a, b in match_band) / len(match_band), 4
                )
                if match_band
                else None,
                "seconds": round(seconds, 1),
            }
        )
    )


def _valid_pnc(identifiers, value: str) -> bool:
    try:
        identifiers.validate_pnc_id(value)
    except Exception:  # noqa: BLE001 - any refusal means "leave it blank"
        return False
    return True


if __name__ == "__main__":
    main()
