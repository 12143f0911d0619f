"""``divert instruments``: list, show, check, score and publish screening instrument definitions.

    divert instruments list
    divert instruments show phq-9 [--version 1] [--json | --fhir]
    divert instruments check path/to/v1.yaml
    divert instruments score phq-9 --answers '{"q1": "2", "q2": "1"}' [--version 1]
    divert instruments sync

``list``, ``show``, ``check`` and ``score`` read the files only (no database). ``check`` prints
every problem, each naming its item, and exits non-zero. ``score`` prints the result as JSON.
``sync`` publishes new files into the database and refuses a changed published version.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from divert.screening import fhir, registry, scoring
from divert.screening.schema import DefinitionError


class Command(BaseCommand):
    help = "List, show, check, score and publish screening instrument definitions."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
        commands.add_parser("list", help="Every definition file, as JSON.")
        show = commands.add_parser("show", help="One definition.")
        show.add_argument("slug")
        show.add_argument("--version", type=int, help="Default: the latest version.")
        show.add_argument("--json", action="store_true", help="The full definition as JSON.")
        show.add_argument("--fhir", action="store_true", help="As a FHIR R4 Questionnaire.")
        check = commands.add_parser("check", help="Validate a definition file.")
        check.add_argument("file")
        score = commands.add_parser("score", help="Score answers given as a JSON object.")
        score.add_argument("slug")
        score.add_argument("--answers", required=True, help='JSON, e.g. {"q1": "2"}')
        score.add_argument("--version", type=int, help="Default: the latest version.")
        commands.add_parser("sync", help="Publish new definition files into the database.")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"_{options['subcommand']}")
        handler(options)

    def _print_json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))

    def _get(self, slug: str, version: int | None) -> registry.LoadedDefinition:
        try:
            return registry.get(slug, version)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None

    def _list(self, options: dict[str, Any]) -> None:
        self._print_json(
            [
                {
                    "slug": loaded.definition.slug,
                    "version": loaded.definition.version,
                    "title": loaded.definition.title,
                    "short_title": loaded.definition.short_title,
                    "administration": loaded.definition.administration,
                    "scoring": loaded.definition.scoring,
                    "items": len(loaded.definition.items),
                    "licence": loaded.definition.licence,
                    "wording": loaded.definition.wording,
                    "file": str(loaded.path.relative_to(registry.INSTRUMENTS_DIR)),
                    "checksum": loaded.checksum,
                }
                for loaded in registry.load_all()
            ]
        )

    def _show(self, options: dict[str, Any]) -> None:
        loaded = self._get(options["slug"], options["version"])
        definition = loaded.definition
        if options["fhir"]:
            self._print_json(fhir.questionnaire(definition))
            return
        if options["json"]:
            self._print_json(loaded.as_json() | {"checksum": loaded.checksum})
            return
        lines = [
            f"{definition.title} ({definition.label})",
            f"Licence: {definition.licence}. {definition.licence_note}",
            f"Wording: {definition.wording}. {definition.wording_note}".rstrip(),
            f"Administered: {definition.administration}; "
            f"looking back: {definition.lookback or '-'}",
            f"Scoring: {definition.scoring}",
        ]
        lines += [f"  band {b.min}-{b.max}: {b.label}" for b in definition.bands]
        for item in definition.items:
            lines.append(f"{item.prefix or '-':>3} {item.link_id}: {item.text}")
            for option in item.options:
                score = "" if option.score is None else f" [{option.score}]"
                lines.append(f"      {option.code}: {option.display}{score}")
        self.stdout.write("\n".join(lines))

    def _check(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            loaded = registry.load_file(path)
        except DefinitionError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(f"{path}: {len(exc.errors)} problem(s)") from None
        self._print_json(
            {
                "file": str(path),
                "valid": True,
                "slug": loaded.definition.slug,
                "version": loaded.definition.version,
                "items": len(loaded.definition.items),
                "checksum": loaded.checksum,
            }
        )

    def _score(self, options: dict[str, Any]) -> None:
        definition = self._get(options["slug"], options["version"]).definition
        try:
            answers = json.loads(options["answers"])
        except json.JSONDecodeError as exc:
            raise CommandError(f"--answers is not valid JSON: {exc}") from None
        if not isinstance(answers, dict):
            raise CommandError('--answers must be a JSON object, e.g. {"q1": "2"}')
        try:
            result = scoring.score(definition, answers)
        except scoring.InvalidAnswersError as exc:
            for link_id, message in exc.errors.items():
                self.stderr.write(f"{link_id}: {message}")
            raise CommandError(f"{len(exc.errors)} invalid answer(s)") from None
        self._print_json(
            {"instrument": definition.slug, "version": definition.version, **result.as_dict()}
        )

    def _sync(self, options: dict[str, Any]) -> None:
        try:
            report = registry.sync_instruments()
        except registry.PublishedVersionChangedError as exc:
            raise CommandError(str(exc)) from None
        self._print_json(report)
