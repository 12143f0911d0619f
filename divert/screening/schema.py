"""The shape of a screening instrument definition, validated with pydantic.

A definition is one YAML file, ``screening/instruments/<slug>/v<N>.yaml`` (ADR 0009). The models
below check each field; ``Definition``'s own validator then checks the definition as a whole:
unique ``link_id``s, ``enable_when`` pointing at an earlier item and a real option code, a
registered scoring function, a score on every option of a scored item, bands that cover the
possible range without gaps or overlaps, flags on scored items, and a real vulnerability code in
``suggests_need``. ``parse_definition`` turns pydantic's errors into messages that name the item
(``item q3: ...``) so that ``divert instruments check FILE`` can print them all.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from divert.core import codelists

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CODE_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
LINK_ID_PATTERN = r"^[a-z][a-z0-9_]*$"

ItemType = Literal["choice", "boolean", "integer", "text"]
Severity = Literal["none", "low", "moderate", "high", "severe"]
AnswerValue = str | int | bool

Code = Annotated[str, Field(min_length=1, max_length=60, pattern=CODE_PATTERN)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    # Unknown keys are errors (a typo must not be silently ignored); numbers given where a code
    # is expected (``code: 0``) become strings, so YAML authors need not quote every code.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Option(_Model):
    """One answer option: a stable code, what the person sees, and its score if scored."""

    code: Code
    display: Text
    score: int | None = None


class EnableWhen(_Model):
    """Show an item only when an earlier item has (``=``) or has not (``!=``) an answer."""

    question: Text
    operator: Literal["=", "!="]
    answer: AnswerValue


class Item(_Model):
    """One question, loosely following FHIR ``Questionnaire.item``."""

    link_id: Annotated[str, Field(min_length=1, max_length=60, pattern=LINK_ID_PATTERN)]
    prefix: str = ""
    type: ItemType
    text: Text
    help_text: str = ""
    required: bool = True
    scored: bool | None = None
    options: tuple[Option, ...] = ()
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: Literal["all", "any"] = "all"
    min_value: int | None = None
    max_value: int | None = None
    max_length: int = Field(default=2000, ge=1, le=10000)

    @property
    def is_scored(self) -> bool:
        """Choice items are scored unless they say ``scored: false``; other types never are."""
        return self.scored if self.scored is not None else self.type == "choice"

    @property
    def label(self) -> str:
        """How error messages and forms name the item: "question 3: Feeling tired…"."""
        return f"question {self.prefix}: {self.text}" if self.prefix else self.text

    def option(self, code: str) -> Option | None:
        for option in self.options:
            if option.code == code:
                return option
        return None

    def option_codes(self) -> list[str]:
        return [option.code for option in self.options]


class Band(_Model):
    """A score range (inclusive) with its label; ``positive`` gives the screening outcome."""

    code: Code
    min: int
    max: int
    label: Text
    severity: Severity
    positive: bool | None = None
    advice: str = ""


class FlagCondition(_Model):
    item: Text
    min_score: int


class FlagRule(_Model):
    """A flag raised whenever any condition holds, whatever the total or completeness."""

    code: Code
    text: Text
    when_any: Annotated[tuple[FlagCondition, ...], Field(min_length=1)]


class Definition(_Model):
    """One published version of an instrument."""

    slug: Annotated[str, Field(max_length=60, pattern=SLUG_PATTERN)]
    version: Annotated[int, Field(ge=1)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    short_title: Annotated[str, Field(min_length=1, max_length=40)]
    description: Text
    licence: Text
    licence_note: Text
    source: Text
    effective_date: dt.date
    lookback: str = ""
    administration: Literal["self", "clinician"]
    wording: Literal["published", "paraphrased", "withheld"]
    wording_note: str = ""
    instructions: str = ""
    scoring: Text
    prorate_max_missing: Annotated[int, Field(ge=0)] = 0
    bands: tuple[Band, ...] = ()
    flags: tuple[FlagRule, ...] = ()
    suggests_need: str | None = None
    items: Annotated[tuple[Item, ...], Field(min_length=1)]

    def item(self, link_id: str) -> Item | None:
        for item in self.items:
            if item.link_id == link_id:
                return item
        return None

    def band(self, code: str) -> Band | None:
        for band in self.bands:
            if band.code == code:
                return band
        return None

    def flag(self, code: str) -> FlagRule | None:
        for flag in self.flags:
            if flag.code == code:
                return flag
        return None

    @property
    def label(self) -> str:
        return f"{self.slug} v{self.version}"

    @model_validator(mode="after")
    def _check_whole_definition(self) -> "Definition":
        problems = definition_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self


class DefinitionError(ValueError):
    """A definition that does not validate; ``errors`` holds one message per problem."""

    def __init__(self, errors: list[str], source: str = "") -> None:
        self.errors = errors
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{len(errors)} problem(s):\n" + "\n".join(errors))


def parse_definition(raw: Any, source: str = "") -> Definition:
    """Validate ``raw`` (parsed YAML or stored JSON) or raise ``DefinitionError``."""
    if not isinstance(raw, Mapping):
        raise DefinitionError(["the file must be a mapping of fields to values"], source)
    try:
        return Definition.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(_format_errors(exc, raw), source) from None


def _format_errors(exc: ValidationError, raw: Mapping[str, Any]) -> list[str]:
    raw_items = raw.get("items")
    items = list(raw_items) if isinstance(raw_items, list | tuple) else []
    messages: list[str] = []
    for error in exc.errors():
        loc = list(error["loc"])
        if not loc and error["type"] == "value_error":
            messages.extend(str(error["ctx"]["error"]).splitlines())
            continue
        where = ""
        if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
            index = loc[1]
            entry = items[index] if index < len(items) else None
            link_id = entry.get("link_id") if isinstance(entry, Mapping) else None
            where = f"item {link_id}" if link_id else f"item #{index + 1}"
            loc = loc[2:]
        path = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in loc)
        path = path.replace(".[", "[")
        prefix = ": ".join(part for part in (where, path) if part)
        messages.append(f"{prefix}: {error['msg']}" if prefix else str(error["msg"]))
    return messages


def definition_problems(definition: Definition) -> list[str]:
    """Every whole-definition problem, each naming the item it is about."""
    problems: list[str] = []
    problems += _item_problems(definition)
    problems += _scoring_problems(definition)
    problems += _flag_problems(definition)
    need = definition.suggests_need
    if need is not None and need not in codelists.codes("vulnerability"):
        problems.append(
            f"suggests_need: {definition.suggests_need!r} is not a code in the "
            "vulnerability code list"
        )
    return problems


def _item_problems(definition: Definition) -> list[str]:
    problems: list[str] = []
    earlier: dict[str, Item] = {}
    for item in definition.items:
        name = f"item {item.link_id}"
        if item.link_id in earlier:
            problems.append(f"{name}: link_id is used by more than one item")
        codes = item.option_codes()
        if item.type == "choice":
            if len(codes) < 2:
                problems.append(f"{name}: a choice item needs at least two options")
            duplicates = sorted({code for code in codes if codes.count(code) > 1})
            if duplicates:
                problems.append(f"{name}: option codes repeat: {', '.join(duplicates)}")
        elif item.options:
            problems.append(f"{name}: only choice items have options")
        if item.scored and item.type != "choice":
            problems.append(f"{name}: only choice items can be scored")
        if item.is_scored:
            unscored = [option.code for option in item.options if option.score is None]
            if unscored:
                problems.append(
                    f"{name}: scored item has options without a score: {', '.join(unscored)}"
                )
        if item.type != "integer" and (item.min_value is not None or item.max_value is not None):
            problems.append(f"{name}: only integer items have min_value or max_value")
        for condition in item.enable_when:
            problems += _condition_problems(name, condition, earlier)
        earlier.setdefault(item.link_id, item)
    return problems


def _condition_problems(name: str, condition: EnableWhen, earlier: dict[str, Item]) -> list[str]:
    question = earlier.get(condition.question)
    if question is None:
        return [
            f"{name}: enable_when refers to {condition.question!r}, which is not an earlier item"
        ]
    if question.type == "choice" and str(condition.answer) not in question.option_codes():
        return [
            f"{name}: enable_when answer {condition.answer!r} is not an option code of "
            f"{question.link_id} ({', '.join(question.option_codes())})"
        ]
    if question.type == "boolean" and not isinstance(condition.answer, bool):
        return [f"{name}: enable_when answer for boolean {question.link_id} must be true or false"]
    if question.type == "integer" and (
        isinstance(condition.answer, bool) or not isinstance(condition.answer, int)
    ):
        return [f"{name}: enable_when answer for integer {question.link_id} must be a number"]
    if question.type == "text":
        return [f"{name}: enable_when cannot depend on free text ({question.link_id})"]
    return []


def _scoring_problems(definition: Definition) -> list[str]:
    # Imported here: scoring imports this module for the types it scores.
    from divert.screening import scoring

    rule = scoring.rule(definition.scoring)
    if rule is None:
        return [
            f"scoring: {definition.scoring!r} is not a registered scoring function "
            f"({', '.join(scoring.rule_names())})"
        ]
    problems = list(rule.check(definition)) if rule.check else []
    if definition.prorate_max_missing and not rule.prorates:
        problems.append(f"prorate_max_missing: scoring {rule.name!r} does not prorate")
    if not rule.has_total:
        if definition.bands:
            problems.append(f"bands: scoring {rule.name!r} gives no total, so it has no bands")
        return problems
    if definition.bands:
        problems += _band_problems(definition, scoring.possible_range(definition))
    if definition.suggests_need is not None and not any(band.positive for band in definition.bands):
        problems.append("suggests_need: no band is positive, so the need is never suggested")
    return problems


def _band_problems(definition: Definition, possible: tuple[int, int]) -> list[str]:
    problems: list[str] = []
    codes = [band.code for band in definition.bands]
    for code in sorted({code for code in codes if codes.count(code) > 1}):
        problems.append(f"bands: code {code!r} is used more than once")
    for band in definition.bands:
        if band.min > band.max:
            problems.append(f"band {band.code}: min {band.min} is above max {band.max}")
    ordered = sorted(definition.bands, key=lambda band: band.min)
    low, high = possible
    if ordered[0].min != low:
        problems.append(
            f"band {ordered[0].code}: the lowest band starts at {ordered[0].min} but the lowest "
            f"possible score is {low}"
        )
    if ordered[-1].max != high:
        problems.append(
            f"band {ordered[-1].code}: the highest band ends at {ordered[-1].max} but the highest "
            f"possible score is {high}"
        )
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.min <= before.max:
            problems.append(f"bands {before.code} and {after.code} overlap")
        elif after.min != before.max + 1:
            problems.append(
                f"bands {before.code} and {after.code} leave a gap between "
                f"{before.max} and {after.min}"
            )
    return problems


def _flag_problems(definition: Definition) -> list[str]:
    problems: list[str] = []
    codes = [flag.code for flag in definition.flags]
    for code in sorted({code for code in codes if codes.count(code) > 1}):
        problems.append(f"flags: code {code!r} is used more than once")
    for flag in definition.flags:
        for condition in flag.when_any:
            item = definition.item(condition.item)
            if item is None:
                problems.append(f"flag {flag.code}: refers to {condition.item!r}, not an item")
            elif not item.is_scored:
                problems.append(f"flag {flag.code}: item {item.link_id} is not scored")
            else:
                scores = [option.score for option in item.options if option.score is not None]
                if scores and not min(scores) < condition.min_score <= max(scores):
                    problems.append(
                        f"flag {flag.code}: item {item.link_id} min_score {condition.min_score} "
                        f"must be above {min(scores)} and at most {max(scores)}"
                    )
    return problems
