"""What the screening pages show: the instruments to choose from, the questions still to ask,
and a completed administration's result, all worded from the exact version used.

Bands, outcomes and flags are stored as codes; their labels come from the definition of the
version the administration used (ADR 0009), never from today's file.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms

from divert.cases.fields import NHSForm
from divert.cases.models import Episode
from divert.core import codelists
from divert.core.formatting import uk_datetime
from divert.core.models import Amendment
from divert.screening import registry, scoring
from divert.screening.forms import ScreeningForm, form_class
from divert.screening.models import Administration, Answer, InstrumentVersion
from divert.screening.schema import AnswerValue, Definition, DefinitionError, Item

# Outcome codes in words. Band-based outcomes are "positive"/"negative"; BJMHS gives a referral.
OUTCOME_LABELS = {
    scoring.POSITIVE: "Positive screen",
    scoring.NEGATIVE: "Negative screen",
    scoring.REFER: "Refer for a fuller assessment",
    scoring.NO_REFERRAL: "No referral needed",
}

# Shown on every result: screening supports clinical judgement, it never predicts risk.
NOT_A_PREDICTION = (
    "Screening results support clinical judgement. They are not a prediction of suicide or "
    "self-harm risk, and must not be used on their own to decide who gets care (NICE NG225)."
)

ADMINISTERED_BY = {
    "self": "The person (self-report)",
    "clinician": "The practitioner",
}


# A sentence ends at a full stop followed by a capital (so "0 to 3 (total 0 to 27)." ends one).
FIRST_SENTENCE = re.compile(r"(.+?\.)\s+(?=[A-Z])", re.S)


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _number(value: Decimal) -> str:
    """12.00 → "12", 10.50 → "10.5"."""
    return f"{value.normalize():f}"


# -- Choosing an instrument --------------------------------------------------------------------


@dataclass(frozen=True)
class Instrument:
    """A published instrument version that a practitioner can start."""

    version: InstrumentVersion
    definition: Definition

    @property
    def summary(self) -> str:
        """The description's first sentence: what the instrument asks about."""
        return self._description_parts()[0]

    @property
    def more(self) -> str:
        """The rest of the description: scoring, cut-offs and cautions."""
        return self._description_parts()[1]

    def _description_parts(self) -> tuple[str, str]:
        match = FIRST_SENTENCE.match(self.definition.description)
        if match is None:
            return self.definition.description, ""
        return match.group(1), self.definition.description[match.end() :]

    @property
    def screens_for(self) -> str:
        need = self.definition.suggests_need
        return codelists.display("vulnerability", need) if need else ""

    @property
    def answered_by(self) -> str:
        return ADMINISTERED_BY[self.definition.administration]


def published_instruments() -> list[Instrument]:
    """The latest published version of each instrument, by short title. A row that is not a
    usable definition (a demo-seed placeholder never replaced) is left out."""
    latest: dict[str, Instrument] = {}
    for row in InstrumentVersion.objects.order_by("slug", "version"):
        try:
            definition = registry.definition_of(row)
        except DefinitionError:
            continue
        latest[row.slug] = Instrument(row, definition)
    return sorted(latest.values(), key=lambda item: item.definition.short_title.lower())


# -- Answering ---------------------------------------------------------------------------------


def shown_items(definition: Definition, answers: Mapping[str, AnswerValue]) -> tuple[Item, ...]:
    """The questions to show while answering: every item the answers so far do not rule out.

    ``scoring.enabled_items`` is strict (a condition on an unanswered item is false), which is
    right for scoring and saving but would hide AUDIT questions 2 to 8 until question 1 is
    answered. Here a condition on an unanswered question is "not known yet", so the question
    stays on the page until an answer rules it out (AUDIT question 1 "Never" removes 2 to 8).
    Where every controlling question is answered this agrees with ``enabled_items``.
    """
    state: dict[str, bool | None] = {}
    for item in definition.items:
        state[item.link_id] = _item_state(item, state, answers, definition)
    return tuple(item for item in definition.items if state[item.link_id] is not False)


def _item_state(
    item: Item,
    state: Mapping[str, bool | None],
    answers: Mapping[str, AnswerValue],
    definition: Definition,
) -> bool | None:
    """True: asked; False: ruled out; None: depends on a question not answered yet."""
    if not item.enable_when:
        return True
    results: list[bool | None] = []
    for condition in item.enable_when:
        asked = state.get(condition.question)
        if asked is False:
            results.append(False)
            continue
        if condition.question not in answers:
            results.append(None)
            continue
        value, expected = answers[condition.question], condition.answer
        question = definition.item(condition.question)
        if question is not None and question.type == "choice":
            value, expected = str(value), str(expected)
        holds = (value == expected) if condition.operator == "=" else (value != expected)
        # Answered, but the question itself may yet be skipped: a "yes" is only a "maybe".
        results.append(None if holds and asked is None else holds)
    if item.enable_behavior == "any":
        if True in results:
            return True
        return False if all(result is False for result in results) else None
    if False in results:
        return False
    return True if all(results) else None


def _list_in_words(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _numbers_in_words(names: list[str]) -> list[str]:
    """["2", "3", "4", "9"] → ["2 to 4", "9"]: runs of consecutive question numbers."""
    runs: list[list[str]] = []
    for name in names:
        previous = runs[-1][-1] if runs else ""
        if name.isdigit() and previous.isdigit() and int(name) == int(previous) + 1:
            runs[-1].append(name)
        else:
            runs.append([name])
    return [run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs]


class AnswerFormMixin(NHSForm):
    """Renders a generated screening form with the NHS.UK macros (``cases/components/fields``):
    one fieldset per question, the number and question as its legend, the time period as the
    hint, and only the questions the answers so far do not rule out."""

    definition: Definition
    initial_answers: Mapping[str, AnswerValue] = {}  # replaced per instance, never mutated

    def answers_so_far(self) -> dict[str, AnswerValue]:
        if self.is_bound and hasattr(self, "cleaned_data"):
            return {
                link_id: value
                for link_id, value in self.cleaned_data.items()
                if value is not None and value != ""
            }
        return dict(self.initial_answers)

    def shown(self) -> list[Item]:
        shown = {item.link_id for item in shown_items(self.definition, self.answers_so_far())}
        return [
            item
            for item in self.definition.items
            if item.link_id in shown or (self.is_bound and item.link_id in self.errors)
        ]

    def skipped_text(self) -> str:
        """The questions ruled out by earlier answers, in words, or ""."""
        shown = {item.link_id for item in self.shown()}
        skipped = [item for item in self.definition.items if item.link_id not in shown]
        if not skipped:
            return ""
        names = [item.prefix or f"“{item.text}”" for item in skipped]
        noun = "Question" if len(names) == 1 else "Questions"
        verb = "is" if len(names) == 1 else "are"
        listed = _list_in_words(_numbers_in_words(names))
        return f"{noun} {listed} {verb} not asked because of the answers given so far."

    def top_level_fields(self) -> list[str]:
        return [item.link_id for item in self.shown()]

    def _label(self, name: str) -> str:
        item = self.definition.item(name)
        if item is None:
            return super()._label(name)
        return f"{item.prefix}. {item.text}" if item.prefix else item.text

    def _hint(self, name: str) -> dict[str, str] | None:
        item = self.definition.item(name)
        parts = [item.help_text] if item and item.help_text else []
        if item and item.type != "text" and self.definition.lookback:
            parts.append(f"Time period: {self.definition.lookback}.")
        return {"text": " ".join(parts)} if parts else None

    def all_answers(self) -> dict[str, AnswerValue | None]:
        """Every item's answer for ``actions.save_answers``: None clears an answer that was
        left blank or that the answers now rule out. Call after ``is_valid()``."""
        values: dict[str, AnswerValue | None] = {}
        for item in self.definition.items:
            value = self.cleaned_data.get(item.link_id)
            values[item.link_id] = None if value is None or value == "" else value
        return values


def _initial(definition: Definition, answers: Mapping[str, AnswerValue]) -> dict[str, Any]:
    """Stored answers as the form's initial values (yes/no radios carry "true"/"false")."""
    initial: dict[str, Any] = {}
    for link_id, value in answers.items():
        item = definition.item(link_id)
        if item is not None and item.type == "boolean":
            initial[link_id] = "true" if value else "false"
        else:
            initial[link_id] = value
    return initial


def stored_answers(administration: Administration) -> dict[str, AnswerValue]:
    return {
        answer.link_id: answer.value
        for answer in administration.answers.all()
        if isinstance(answer.value, str | int | bool)
    }


@dataclass
class AnswerSheet:
    """An administration in progress: its definition and the answers saved so far."""

    administration: Administration
    definition: Definition
    answers: dict[str, AnswerValue]

    @classmethod
    def load(cls, administration: Administration) -> "AnswerSheet":
        return cls(
            administration,
            registry.definition_of(administration.instrument_version),
            stored_answers(administration),
        )

    @property
    def requires_every_answer(self) -> bool:
        """Prorating instruments (CORE-10) may complete with an item unanswered: the engine,
        not the form, then decides whether enough is answered (and names what is missing)."""
        return not self.definition.prorate_max_missing

    def form(self, data: Any = None, *, completing: bool = False) -> ScreeningForm:
        generated = form_class(self.definition)
        cls: type[Any] = type(
            generated.__name__, (AnswerFormMixin, generated), {"__module__": __name__}
        )
        form: Any = cls(
            data,
            initial=_initial(self.definition, self.answers),
            require_complete=completing and self.requires_every_answer,
        )
        form.initial_answers = self.answers
        return form  # type: ignore[no-any-return]

    def flags(self) -> list[str]:
        """Flags the answers saved so far already raise (PHQ-9 item 9), before completion."""
        result = scoring.score(self.definition, self.answers)
        return [flag.text for flag in result.flags]


# -- The result --------------------------------------------------------------------------------


def _row(key: str, value: str) -> dict[str, Any]:
    return {"key": {"text": key}, "value": {"text": value}}


def answer_text(item: Item, answer: Answer | None) -> str:
    if answer is None:
        return ""
    value = answer.value
    if item.type == "choice":
        option = item.option(str(value))
        text = option.display if option else str(value)
    elif item.type == "boolean":
        text = "Yes" if value else "No"
    else:
        text = str(value)
    if answer.score is not None:
        text += f" (scores {_number(answer.score)})"
    return text


@dataclass
class ResultPresenter:
    """A completed (or, for readers, an in-progress) administration as the result page shows it."""

    administration: Administration
    definition: Definition
    answers: dict[str, Answer] = field(default_factory=dict)
    recorded_needs: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, administration: Administration, episode: Episode) -> "ResultPresenter":
        return cls(
            administration,
            registry.definition_of(administration.instrument_version),
            {answer.link_id: answer for answer in administration.answers.all()},
            set(episode.needs.values_list("category", flat=True)),
        )

    @property
    def is_complete(self) -> bool:
        return self.administration.is_complete

    def band_label(self, code: str) -> str:
        band = self.definition.band(code)
        if band is not None:
            return band.label
        return OUTCOME_LABELS.get(code, code)

    def total_text(self) -> str:
        total = self.administration.total
        if total is None:
            return ""
        _, highest = scoring.possible_range(self.definition)
        text = f"{_number(total)} out of {highest}"
        if self.administration.is_prorated:
            text += " (prorated for an unanswered item)"
        return text

    def calculated_band(self) -> str:
        return self.band_label(self.administration.band) if self.administration.band else ""

    def band_advice(self) -> str:
        band = self.definition.band(self.administration.band)
        return band.advice if band else ""

    def outcome_text(self) -> str:
        return OUTCOME_LABELS.get(self.administration.outcome, self.administration.outcome)

    def flags(self) -> list[str]:
        """Every flag, in words. Before completion, the flags the answers so far raise."""
        if not self.is_complete:
            answers = {link_id: a.value for link_id, a in self.answers.items()}
            return [flag.text for flag in scoring.score(self.definition, answers).flags]
        texts = []
        for code in self.administration.flags:
            rule = self.definition.flag(code)
            texts.append(rule.text if rule else code)
        return texts

    def summary_rows(self) -> list[dict[str, Any]]:
        a = self.administration
        rows = [
            _row("Instrument", f"{a.instrument_version.title}, version {self.definition.version}")
        ]
        if not self.is_complete:
            rows.append(_row("Status", "In progress: not completed yet"))
            rows.append(_row("Started", uk_datetime(a.started_at)))
            return rows
        if a.total is not None:
            rows.append(_row("Score", self.total_text()))
        if a.band:
            rows.append(_row("Band", self.calculated_band()))
        if a.outcome:
            rows.append(_row("Outcome", self.outcome_text()))
        count = len(a.flags)
        rows.append(_row("Flags", f"{count} (shown above)" if count else "None raised"))
        rows.append(
            _row("Completed", f"{uk_datetime(a.completed_at)} by {_name(a.administered_by)}")
        )
        return rows

    def override_rows(self) -> list[dict[str, Any]]:
        a = self.administration
        if not a.override_band:
            return []
        return [
            _row("Clinician's result", self.band_label(a.override_band)),
            _row("Calculated result", self.calculated_band() or self.outcome_text()),
            _row("Reason", a.override_reason),
            _row("Overridden by", self._overridden_text()),
            *self._earlier_override_rows(),
        ]

    def _overridden_text(self) -> str:
        a = self.administration
        when = f" on {uk_datetime(a.overridden_at)}" if a.overridden_at else ""
        return f"{_name(a.overridden_by)}{when}"

    def _earlier_override_rows(self) -> list[dict[str, Any]]:
        """Overrides that a later one replaced, from the amendment history."""
        a = self.administration
        rows = Amendment.objects.filter(
            model_label=a._meta.label,
            object_id=str(a.pk),
            field__in=["override_band", "override_reason"],
        ).select_related("amended_by")
        changes: dict[Any, dict[str, Any]] = {}
        for row in rows.order_by("amended_at", "id"):
            changes.setdefault(row.amended_at, {"by": row.amended_by})[row.field] = row.old_value
        earlier = []
        for amended_at, change in changes.items():
            band = change.get("override_band")
            label = self.band_label(band) if band else "the same result"
            reason = change.get("override_reason")
            because = f" (reason given: {reason})" if reason else ""
            earlier.append(
                _row(
                    "Earlier override",
                    f"{label}{because}, replaced on {uk_datetime(amended_at)} "
                    f"by {_name(change['by'])}",
                )
            )
        return earlier

    def answer_rows(self) -> list[dict[str, Any]]:
        answers = {link_id: a.value for link_id, a in self.answers.items()}
        asked = {item.link_id for item in scoring.enabled_items(self.definition, answers)}
        rows = []
        for item in self.definition.items:
            key = f"{item.prefix}. {item.text}" if item.prefix else item.text
            answer = self.answers.get(item.link_id)
            if answer is not None:
                value = answer_text(item, answer)
            elif item.link_id not in asked:
                value = "Not asked (skipped because of an earlier answer)"
            else:
                value = "Not answered"
            rows.append(_row(key, value))
        return rows

    # The need a positive result suggests.

    def effective_outcome(self) -> str:
        """The outcome after any clinician override: an overriding band's positive/negative,
        or the overriding outcome itself (BJMHS)."""
        a = self.administration
        if not a.override_band:
            return a.outcome
        band = self.definition.band(a.override_band)
        if band is None:
            return a.override_band
        if band.positive is None:
            return ""
        return scoring.POSITIVE if band.positive else scoring.NEGATIVE

    def suggested_need(self) -> str:
        if not self.is_complete or not self.definition.suggests_need:
            return ""
        if self.effective_outcome() not in scoring.POSITIVE_OUTCOMES:
            return ""
        return self.definition.suggests_need

    def suggested_need_display(self) -> str:
        code = self.suggested_need()
        return codelists.display("vulnerability", code) if code else ""

    def need_is_recorded(self) -> bool:
        return self.suggested_need() in self.recorded_needs

    def need_note(self) -> str:
        """Kept with the recorded need: which screen suggested it."""
        a = self.administration
        result = self.band_label(a.override_band) if a.override_band else self.calculated_band()
        parts = [self.definition.short_title]
        if a.total is not None:
            parts.append(f"score {_number(a.total)}")
        if result or a.outcome:
            parts.append(result or self.outcome_text())
        return f"Suggested by screening: {', '.join(parts)} ({uk_datetime(a.completed_at)})"

    # The clinician override.

    def override_choices(self) -> list[tuple[str, str]]:
        """The bands (or, for rule-based instruments, outcomes) other than the calculated one."""
        a = self.administration
        calculated = a.band or a.outcome
        if self.definition.bands:
            codes = [band.code for band in self.definition.bands]
        else:
            codes = list(scoring.outcomes(self.definition))
        return [(code, self.band_label(code)) for code in codes if code != calculated]

    def can_override(self) -> bool:
        return (
            self.is_complete
            and not self.administration.override_band
            and bool(self.override_choices())
        )

    def override_noun(self) -> str:
        return "band" if self.definition.bands else "outcome"


class OverrideForm(NHSForm):
    """A clinician's band (or outcome) in place of the calculated one, with the reason."""

    band = forms.ChoiceField(widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why are you overriding the calculated result?",
        help_text="Say what you saw or heard that the score does not reflect. This is kept "
        "with the result.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Give the reason for overriding the calculated result"},
    )

    def __init__(self, *args: Any, result: ResultPresenter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        noun = result.override_noun()
        band = self.fields["band"]
        band.label = f"Which {noun} do you judge right?"
        band.choices = result.override_choices()  # type: ignore[attr-defined]
        band.error_messages = {
            "required": f"Select the {noun} you judge right",
            "invalid_choice": f"Select one of the {noun}s listed",
        }
