"""``divert people``: find duplicate people in a file, and measure linkage on synthetic data.

    divert people dedupe INPUT.csv --output OUTPUT.csv [--pairs PAIRS.csv]
    divert people evaluate --records 20000 --seed 1 [--nhs-rate 0.3]
    divert people train --records 50000 --seed 1 --output divert/linkage/data/model.json
    divert people find-duplicates [--as USERNAME]

``dedupe`` reads record_id and any of given_name, family_name, date_of_birth (YYYY-MM-DD),
nhs_number, pnc_id, address_line and postcode, and writes record_id,person_id. It reads no
database and writes none: the file's records are compared with each other only.
"""

import argparse
import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from divert.linkage import dedupe as batch
from divert.linkage import evaluation
from divert.linkage import model as scoring


def _thresholds(options: dict[str, Any]) -> scoring.Thresholds | None:
    match, review = options.get("match_threshold"), options.get("review_threshold")
    if match is None and review is None:
        return None
    default = scoring.default_thresholds()
    try:
        return scoring.Thresholds(
            match=default.match if match is None else match,
            review=default.review if review is None else review,
        )
    except ValueError as error:
        raise CommandError(str(error)) from error


def _add_thresholds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--match-threshold",
        type=float,
        help="match weight (bits) at or above which a pair is a match "
        "(default from data/model.json); dedupe raises it for a large file until at most "
        "one wrong merge is expected",
    )
    parser.add_argument(
        "--review-threshold",
        type=float,
        help="match weight at or above which a pair goes to review (default from model.json)",
    )


def _add_corroborated_only(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corroborated-only",
        action="store_true",
        help="merge only records that share an identifier or an address as well; a match on "
        "the names and date of birth alone goes to review (fewer merges, none of two "
        "namesakes born the same day)",
    )


class Command(BaseCommand):
    help = "Find the same person across records: dedupe a CSV file, evaluate, train."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        dedupe = commands.add_parser("dedupe", help="give each record of a CSV file a person ID")
        dedupe.add_argument("input", type=Path, help="CSV file with a record_id column")
        dedupe.add_argument("--output", type=Path, required=True, help="record_id,person_id CSV")
        dedupe.add_argument(
            "--pairs",
            type=Path,
            help="also write the match and review pairs with weights (a refused join is a review)",
        )
        dedupe.add_argument("--model", type=Path, help="use these parameters, do not train")
        dedupe.add_argument(
            "--no-train", action="store_true", help="use data/model.json, do not train"
        )
        dedupe.add_argument("--seed", type=int, default=0, help="seed for u sampling")
        _add_corroborated_only(dedupe)
        _add_thresholds(dedupe)

        evaluate = commands.add_parser(
            "evaluate", help="generate records with known truth, de-duplicate them and measure"
        )
        evaluate.add_argument("--records", type=int, default=20_000)
        evaluate.add_argument("--seed", type=int, default=0)
        evaluate.add_argument(
            "--nhs-rate", type=float, default=0.3, help="share of records with an NHS number"
        )
        evaluate.add_argument("--lookups", type=int, default=2000, help="lookups of each kind")
        evaluate.add_argument(
            "--write-data", type=Path, help="also write the generated records and truth here"
        )
        _add_corroborated_only(evaluate)
        _add_thresholds(evaluate)

        train = commands.add_parser(
            "train", help="fit parameters on generated records and write them as JSON"
        )
        train.add_argument("--records", type=int, default=50_000)
        train.add_argument("--seed", type=int, default=1)
        train.add_argument("--nhs-rate", type=float, default=0.3)
        train.add_argument("--output", type=Path, default=scoring.DEFAULT_MODEL)
        _add_thresholds(train)

        commands.add_parser(
            "refresh-keys",
            help="rebuild the intake lookup keys and name counts for every current person",
        )

        find = commands.add_parser(
            "find-duplicates",
            help="queue likely duplicate people for review (for a scheduler; merges nothing)",
        )
        find.add_argument(
            "--as",
            dest="username",
            help="the user the run is recorded against (default: none, a scheduled run)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {
            "dedupe": self.dedupe,
            "evaluate": self.evaluate,
            "train": self.train,
            "refresh-keys": self.refresh_keys,
            "find-duplicates": self.find_duplicates,
        }[options["subcommand"]]
        handler(options)

    def find_duplicates(self, options: dict[str, Any]) -> None:
        from divert.accounts.models import User
        from divert.linkage import actions
        from divert.linkage.models import FindDuplicatesRun

        by = None
        if options.get("username"):
            by = User.objects.filter(username=options["username"], is_active=True).first()
            if by is None:
                raise CommandError(f"No active user {options['username']!r}")
        run = actions.find_duplicates(by=by, trigger=FindDuplicatesRun.Trigger.COMMAND)
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
        self.stdout.write(
            f"People compared: {run.people_compared:,}\n"
            f"Pairs scored: {run.pairs_scored:,}\n"
            f"Waiting for review: {run.candidates_proposed:,} "
            f"(already decided, not proposed: {run.pairs_already_decided:,})\n"
            f"Seconds: {seconds:.1f}"
        )

    def refresh_keys(self, options: dict[str, Any]) -> None:
        from divert.linkage import frequencies
        from divert.linkage.lookup import refresh_keys
        from divert.people.models import Person

        ids = list(Person.objects.current().values_list("pk", flat=True))
        written = 0
        for start in range(0, len(ids), 5000):
            written += refresh_keys(ids[start : start + 5000])
        names = frequencies.rebuild()
        self.stdout.write(
            f"Lookup keys rebuilt: {len(ids)} people, {written} keys, {names} name counts."
        )

    def dedupe(self, options: dict[str, Any]) -> None:
        path: Path = options["input"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            rows = batch.read_records(path)
        except batch.InputError as error:
            raise CommandError(str(error)) from error
        model = None
        if options["model"]:
            model = scoring.Model.load(options["model"])
        elif options["no_train"]:
            model = scoring.Model.load()
        result = batch.dedupe(
            rows,
            model=model,
            thresholds=_thresholds(options),
            seed=options["seed"],
            corroborated_only=options["corroborated_only"],
        )
        batch.write_clusters(options["output"], result.record_ids, result.person_ids)
        if options["pairs"]:
            self._write_pairs(options["pairs"], result)
        self.stdout.write(result.summary())
        self.stdout.write(f"Wrote {options['output']}")

    def _write_pairs(self, path: Path, result: batch.DedupeResult) -> None:
        scored = result.scored
        assert scored is not None
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["record_id_1", "record_id_2", "match_weight", "decision", "rule"])
            refused = set(result.refused_pairs.tolist())
            for k in (scored.decision <= 1).nonzero()[0].tolist():
                decision = scoring.DECISIONS[int(scored.decision[k])]
                reason = scoring.RULE_TEXT.get(int(scored.rule[k]), "")
                if k in refused:
                    decision, reason = scoring.REVIEW, batch.REFUSED_JOIN
                writer.writerow(
                    [
                        result.record_ids[scored.i[k]],
                        result.record_ids[scored.j[k]],
                        f"{scored.weights[k]:.2f}",
                        decision,
                        reason,
                    ]
                )

    def evaluate(self, options: dict[str, Any]) -> None:
        if options["records"] < 10:
            raise CommandError("Generate at least 10 records")
        if not 0 <= options["nhs_rate"] <= 1:
            raise CommandError("--nhs-rate is a share between 0 and 1")
        result = evaluation.evaluate(
            options["records"],
            seed=options["seed"],
            nhs_rate=options["nhs_rate"],
            thresholds=_thresholds(options),
            lookups=options["lookups"],
            corroborated_only=options["corroborated_only"],
        )
        if options["write_data"]:
            folder: Path = options["write_data"]
            folder.mkdir(parents=True, exist_ok=True)
            dataset = evaluation.generate(
                options["records"], seed=options["seed"], nhs_rate=options["nhs_rate"]
            )
            evaluation.write_dataset(dataset, folder)
        self.stdout.write(result.summary())

    def train(self, options: dict[str, Any]) -> None:
        dataset = evaluation.generate(
            options["records"], seed=options["seed"], nhs_rate=options["nhs_rate"]
        )
        result = batch.dedupe(dataset.rows, train=True, thresholds=_thresholds(options))
        assert result.model is not None
        result.model.notes = (
            f"Fitted by `divert people train --records {options['records']} --seed "
            f"{options['seed']} --nhs-rate {options['nhs_rate']}` on synthetic records."
        )
        result.model.save(options["output"])
        self.stdout.write(f"Wrote {options['output']}")
