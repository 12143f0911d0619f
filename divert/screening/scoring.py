"""Score answers against a definition: pure functions, registered by name (ADR 0009).

``score(definition, answers)`` is the one entry point. Answers map ``link_id`` to an option code
(choice), ``True``/``False`` (boolean), a whole number (integer) or a string (text). The engine:

1. checks every answer is for a known item and is a valid value (``InvalidAnswersError`` names the
   item otherwise);
2. works out which items are enabled, in order, from each item's ``enable_when`` (a condition on
   an item that is unanswered or itself disabled is false). Answers to disabled items are ignored,
   and a disabled item is never "missing": this is how the AUDIT skip rule and the FAST stop
   rules work;
3. lists the enabled required items with no answer (``missing``);
4. calls the definition's registered scoring function for the total (or a rule-based outcome);
5. finds the band (``min <= total < next band's min``), the outcome (``positive``/``negative``
   from the band), the flags and the suggested need.

A missing answer never gives a silently lower score: ``total`` is ``None`` unless the instrument
defines prorating (``prorated_sum``) and few enough items are missing. Flags are raised from the
answers given, whether or not the rest are complete (PHQ-9 item 9).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from divert.screening.schema import AnswerValue, Band, Definition, Item

Answers = Mapping[str, AnswerValue | None]

POSITIVE = "positive"
NEGATIVE = "negative"
REFER = "refer"
NO_REFERRAL = "no_referral"
POSITIVE_OUTCOMES = frozenset({POSITIVE, REFER})


@dataclass(frozen=True)
class Flag:
    code: str
    text: str


@dataclass(frozen=True)
class Result:
    """What an administration scored. ``band`` is the band code, ``band_label`` its label."""

    total: Decimal | None
    band: str
    band_label: str
    outcome: str
    flags: tuple[Flag, ...]
    complete: bool
    missing: tuple[str, ...]
    prorated: bool
    item_scores: Mapping[str, int] = field(default_factory=dict)
    suggests_need: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the total as a whole number where it is one."""
        total: int | float | None = None
        if self.total is not None:
            total = int(self.total) if self.total == self.total.to_integral() else float(self.total)
        return {
            "total": total,
            "band": self.band or None,
            "band_label": self.band_label or None,
            "outcome": self.outcome or None,
            "flags": [{"code": flag.code, "text": flag.text} for flag in self.flags],
            "complete": self.complete,
            "missing": list(self.missing),
            "prorated": self.prorated,
            "item_scores": dict(self.item_scores),
            "suggests_need": self.suggests_need or None,
        }


class InvalidAnswersError(ValueError):
    """Answers that do not fit the definition; ``errors`` maps each ``link_id`` to a message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


@dataclass(frozen=True)
class Context:
    """What a scoring function sees: enabled items, their answers, and what is missing."""

    definition: Definition
    enabled: tuple[Item, ...]
    answers: Mapping[str, AnswerValue]
    missing: tuple[str, ...]

    def item_scores(self) -> dict[str, int]:
        """Each answered, enabled, scored item's score, taken from the option in the definition."""
        scores: dict[str, int] = {}
        for item in self.enabled:
            if not item.is_scored or item.link_id not in self.answers:
                continue
            option = item.option(str(self.answers[item.link_id]))
            if option is not None and option.score is not None:
                scores[item.link_id] = option.score
        return scores


@dataclass(frozen=True)
class Scored:
    """A scoring function's answer; ``outcome`` None means "take it from the band"."""

    total: Decimal | None
    prorated: bool = False
    outcome: str | None = None


ScoringFunction = Callable[[Context], Scored]
DefinitionCheck = Callable[[Definition], list[str]]


@dataclass(frozen=True)
class ScoringRule:
    name: str
    function: ScoringFunction
    has_total: bool = True
    prorates: bool = False
    outcomes: tuple[str, ...] = ()
    check: DefinitionCheck | None = None


_RULES: dict[str, ScoringRule] = {}


def register(
    name: str,
    *,
    has_total: bool = True,
    prorates: bool = False,
    outcomes: tuple[str, ...] = (),
    check: DefinitionCheck | None = None,
) -> Callable[[ScoringFunction], ScoringFunction]:
    """Register a scoring function under ``name``, the value of ``scoring:`` in a definition."""

    def decorator(function: ScoringFunction) -> ScoringFunction:
        if name in _RULES:
            raise ValueError(f"scoring function {name!r} is already registered")
        _RULES[name] = ScoringRule(name, function, has_total, prorates, outcomes, check)
        return function

    return decorator


def rule(name: str) -> ScoringRule | None:
    return _RULES.get(name)


def rule_names() -> list[str]:
    return sorted(_RULES)


def possible_range(definition: Definition) -> tuple[int, int]:
    """Lowest and highest total if every scored item were answered."""
    low = high = 0
    for item in definition.items:
        scores = [option.score for option in item.options if option.score is not None]
        if item.is_scored and scores:
            low += min(scores)
            high += max(scores)
    return low, high


def outcomes(definition: Definition) -> tuple[str, ...]:
    """The outcome codes a definition can give (for overrides of rule-based instruments)."""
    registered = rule(definition.scoring)
    if registered is not None and registered.outcomes:
        return registered.outcomes
    if any(band.positive is not None for band in definition.bands):
        return (POSITIVE, NEGATIVE)
    return ()


# -- Answers and enable_when -----------------------------------------------------------------


def validate_answers(definition: Definition, answers: Answers) -> dict[str, AnswerValue]:
    """The answers with blanks dropped, or ``InvalidAnswersError`` naming each bad item."""
    errors: dict[str, str] = {}
    clean: dict[str, AnswerValue] = {}
    for link_id, value in answers.items():
        item = definition.item(link_id)
        if item is None:
            errors[link_id] = f"{link_id!r} is not a question in {definition.label}"
            continue
        if value is None or value == "":
            continue
        problem, normalised = _check_value(item, value)
        if problem:
            errors[link_id] = f"{problem} ({item.label})"
        else:
            clean[link_id] = normalised
    if errors:
        raise InvalidAnswersError(errors)
    return clean


def _check_value(item: Item, value: AnswerValue) -> tuple[str, AnswerValue]:
    if item.type == "choice":
        code = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(code, str) or item.option(code) is None:
            return f"{value!r} is not an answer option: use one of {item.option_codes()}", value
        return "", code
    if item.type == "boolean":
        if not isinstance(value, bool):
            return f"{value!r} is not true or false", value
        return "", value
    if item.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{value!r} is not a whole number", value
        if item.min_value is not None and value < item.min_value:
            return f"{value} is below the lowest allowed, {item.min_value}", value
        if item.max_value is not None and value > item.max_value:
            return f"{value} is above the highest allowed, {item.max_value}", value
        return "", value
    if not isinstance(value, str):
        return f"{value!r} is not text", value
    if len(value) > item.max_length:
        return f"the answer is longer than {item.max_length} characters", value
    return "", value


def enabled_items(definition: Definition, answers: Mapping[str, AnswerValue]) -> tuple[Item, ...]:
    """The items to ask, in order. A condition on an unanswered or disabled item is false."""
    enabled: list[Item] = []
    seen: dict[str, AnswerValue] = {}
    for item in definition.items:
        if _is_enabled(item, seen, definition):
            enabled.append(item)
            if item.link_id in answers:
                seen[item.link_id] = answers[item.link_id]
    return tuple(enabled)


def _is_enabled(item: Item, seen: Mapping[str, AnswerValue], definition: Definition) -> bool:
    if not item.enable_when:
        return True
    results = []
    for condition in item.enable_when:
        if condition.question not in seen:
            results.append(False)
            continue
        value = seen[condition.question]
        question = definition.item(condition.question)
        expected = condition.answer
        if question is not None and question.type == "choice":
            value, expected = str(value), str(expected)
        equal = value == expected
        results.append(equal if condition.operator == "=" else not equal)
    return all(results) if item.enable_behavior == "all" else any(results)


# -- The engine -------------------------------------------------------------------------------


def score(definition: Definition, answers: Answers) -> Result:
    """Score ``answers`` with the definition's registered function (see the module docstring)."""
    registered = rule(definition.scoring)
    if registered is None:
        raise ValueError(f"{definition.label}: scoring {definition.scoring!r} is not registered")
    clean = validate_answers(definition, answers)
    enabled = enabled_items(definition, clean)
    enabled_ids = {item.link_id for item in enabled}
    active = {link_id: value for link_id, value in clean.items() if link_id in enabled_ids}
    missing = tuple(
        item.link_id for item in enabled if item.required and item.link_id not in active
    )
    context = Context(definition, enabled, active, missing)
    scored = registered.function(context)
    band = _band_for(definition, scored.total)
    outcome = scored.outcome
    if outcome is None:
        outcome = "" if band is None or band.positive is None else _positive(band.positive)
    suggests = definition.suggests_need if outcome in POSITIVE_OUTCOMES else None
    return Result(
        total=scored.total,
        band=band.code if band else "",
        band_label=band.label if band else "",
        outcome=outcome,
        flags=_flags(definition, context),
        complete=not missing,
        missing=missing,
        prorated=scored.prorated,
        item_scores=context.item_scores(),
        suggests_need=suggests or "",
    )


def _positive(is_positive: bool) -> str:
    return POSITIVE if is_positive else NEGATIVE


def band_for(definition: Definition, total: Decimal | int | None) -> Band | None:
    """The band holding ``total``: ``min <= total < next band's min`` (so 10.5 is in 0-10)."""
    return _band_for(definition, None if total is None else Decimal(total))


def _band_for(definition: Definition, total: Decimal | None) -> Band | None:
    if total is None or not definition.bands:
        return None
    ordered = sorted(definition.bands, key=lambda band: band.min)
    if total < ordered[0].min or total > ordered[-1].max:
        return None
    chosen = ordered[0]
    for band in ordered:
        if total >= band.min:
            chosen = band
    return chosen


def _flags(definition: Definition, context: Context) -> tuple[Flag, ...]:
    scores = context.item_scores()
    raised = []
    for flag in definition.flags:
        if any(
            scores.get(condition.item, condition.min_score - 1) >= condition.min_score
            for condition in flag.when_any
        ):
            raised.append(Flag(flag.code, flag.text))
    return tuple(raised)


# -- Registered scoring functions -------------------------------------------------------------


@register("sum")
def sum_scores(context: Context) -> Scored:
    """Sum of the enabled items' option scores (reverse-keyed and unequal scores live in the
    definition's options). Any enabled required item unanswered: no total."""
    if context.missing:
        return Scored(total=None)
    return Scored(total=Decimal(sum(context.item_scores().values())))


@register("prorated_sum", prorates=True)
def prorated_sum(context: Context) -> Scored:
    """Sum of item scores; with at most ``prorate_max_missing`` scored items unanswered, the
    total is prorated to the full item count: ``items × sum ÷ answered``, rounded half-up to one
    decimal place. For CORE-10 (10 items, at most 1 missing) this is the clinical score,
    10 × the mean of the answered items. More missing: no total."""
    scored_items = [item for item in context.enabled if item.is_scored]
    scores = context.item_scores()
    answered = len(scores)
    unanswered = len(scored_items) - answered
    total = Decimal(sum(scores.values()))
    if unanswered == 0 and not context.missing:
        return Scored(total=total)
    if answered == 0 or unanswered > context.definition.prorate_max_missing:
        return Scored(total=None)
    if len(context.missing) > unanswered:
        # A required unscored item is unanswered: prorating only makes up for scored items.
        return Scored(total=None)
    prorated = (total * len(scored_items) / answered).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return Scored(total=prorated, prorated=True)


BJMHS_SYMPTOMS = ("q1", "q2", "q3", "q4", "q5", "q6")
BJMHS_SINGLE = ("q7", "q8", "q9")


def _check_bjmhs(definition: Definition) -> list[str]:
    problems = []
    for link_id in BJMHS_SYMPTOMS + BJMHS_SINGLE:
        item = definition.item(link_id)
        if item is None:
            problems.append(f"item {link_id}: scoring 'bjmhs' needs this item")
        elif item.type != "choice" or set(item.option_codes()) != {"yes", "no"}:
            problems.append(f"item {link_id}: scoring 'bjmhs' needs options 'yes' and 'no'")
    return problems


@register("bjmhs", has_total=False, outcomes=(REFER, NO_REFERRAL), check=_check_bjmhs)
def bjmhs(context: Context) -> Scored:
    """Brief Jail Mental Health Screen: no total. Refer when 2 or more of items 1-6 are "yes",
    or item 7 (current medication), item 8 (past hospital admission) or item 9 (the
    practitioner believes referral is needed) is "yes". When answers are missing the outcome is
    "refer" only if the answers given already meet a rule (more answers cannot undo it),
    otherwise empty."""
    answers = context.answers
    symptoms = sum(1 for link_id in BJMHS_SYMPTOMS if answers.get(link_id) == "yes")
    refer = symptoms >= 2 or any(answers.get(link_id) == "yes" for link_id in BJMHS_SINGLE)
    if refer:
        return Scored(total=None, outcome=REFER)
    return Scored(total=None, outcome="" if context.missing else NO_REFERRAL)
