"""FHIR R4 export: a definition as a ``Questionnaire``, an administration as a
``QuestionnaireResponse``, as JSON-ready dicts.

Canonical URLs are ``https://divert.example/fhir/Questionnaire/<slug>`` with ``version`` N, so a
response points at ``https://divert.example/fhir/Questionnaire/<slug>|<N>``. Answer options are
``valueCoding`` in a code system per instrument; an option's score is the ``ordinalValue``
extension. The calculated total, band and outcome (and any override) travel as extensions on the
response. Nothing here validates at run time: the tests validate both resources with the
``fhir.resources`` models (ADR 0009).
"""

from typing import Any

from divert.screening import registry
from divert.screening.models import Administration
from divert.screening.schema import AnswerValue, Definition, Item

BASE = "https://divert.example/fhir"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
PERSON_ID_SYSTEM = f"{BASE}/sid/divert-id"
RESULT = f"{BASE}/StructureDefinition/screening-result"

ITEM_TYPES = {"choice": "choice", "boolean": "boolean", "integer": "integer", "text": "text"}


def questionnaire_url(slug: str) -> str:
    return f"{BASE}/Questionnaire/{slug}"


def canonical(definition: Definition) -> str:
    """The versioned canonical reference: ``…/Questionnaire/<slug>|<version>``."""
    return f"{questionnaire_url(definition.slug)}|{definition.version}"


def code_system(definition: Definition) -> str:
    return f"{BASE}/CodeSystem/screening-{definition.slug}-v{definition.version}"


def _name(definition: Definition) -> str:
    """A computer-friendly name (FHIR que-0: starts with a capital, letters, digits, _)."""
    cleaned = "".join(char if char.isalnum() else "_" for char in definition.short_title)
    return cleaned if cleaned[:1].isupper() else f"Q_{cleaned}"


def _coding(definition: Definition, item: Item, code: str) -> dict[str, Any]:
    option = item.option(code)
    coding = {"system": code_system(definition), "code": code}
    if option is not None:
        coding["display"] = option.display
    return coding


def _answer_value(definition: Definition, item: Item, value: AnswerValue) -> dict[str, Any]:
    if item.type == "choice":
        return {"valueCoding": _coding(definition, item, str(value))}
    if item.type == "boolean":
        return {"valueBoolean": bool(value)}
    if item.type == "integer":
        return {"valueInteger": int(value)}
    return {"valueString": str(value)}


def _enable_when(definition: Definition, item: Item) -> list[dict[str, Any]]:
    conditions = []
    for condition in item.enable_when:
        question = definition.item(condition.question)
        entry: dict[str, Any] = {"question": condition.question, "operator": condition.operator}
        if question is not None and question.type == "choice":
            entry["answerCoding"] = _coding(definition, question, str(condition.answer))
        elif isinstance(condition.answer, bool):
            entry["answerBoolean"] = condition.answer
        elif isinstance(condition.answer, int):
            entry["answerInteger"] = condition.answer
        else:
            entry["answerString"] = str(condition.answer)
        conditions.append(entry)
    return conditions


def _item(definition: Definition, item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "linkId": item.link_id,
        "text": item.text,
        "type": ITEM_TYPES[item.type],
        "required": item.required,
    }
    if item.prefix:
        entry["prefix"] = item.prefix
    if item.type == "text":
        entry["maxLength"] = item.max_length
    if item.enable_when:
        entry["enableWhen"] = _enable_when(definition, item)
        if len(item.enable_when) > 1:
            entry["enableBehavior"] = item.enable_behavior
    options = []
    for option in item.options:
        answer: dict[str, Any] = {"valueCoding": _coding(definition, item, option.code)}
        if option.score is not None and item.is_scored:
            answer["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option.score}]
        options.append(answer)
    if options:
        entry["answerOption"] = options
    return entry


def questionnaire(definition: Definition) -> dict[str, Any]:
    """The definition as a FHIR R4 ``Questionnaire``."""
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": f"{definition.slug}-v{definition.version}",
        "url": questionnaire_url(definition.slug),
        "version": str(definition.version),
        "name": _name(definition),
        "title": definition.title,
        "status": "active",
        "date": definition.effective_date.isoformat(),
        "publisher": "Divert",
        "description": definition.description,
        "purpose": f"Screening ({definition.administration}-administered). {definition.source}",
        "copyright": f"{definition.licence}. {definition.licence_note}",
        "subjectType": ["Patient"],
        "item": [_item(definition, item) for item in definition.items],
    }
    return resource


def _result_extensions(administration: Administration) -> list[dict[str, Any]]:
    extensions: list[dict[str, Any]] = []
    if administration.total is not None:
        extensions.append({"url": "total", "valueDecimal": float(administration.total)})
    for name in ("band", "outcome", "override_band"):
        value = getattr(administration, name)
        if value:
            extensions.append({"url": name, "valueCode": value})
    for flag in administration.flags:
        extensions.append({"url": "flag", "valueCode": flag})
    if administration.is_prorated:
        extensions.append({"url": "prorated", "valueBoolean": True})
    return extensions


def questionnaire_response(administration: Administration) -> dict[str, Any]:
    """An administration as a FHIR R4 ``QuestionnaireResponse`` (answers as ``valueCoding``)."""
    definition = registry.definition_of(administration.instrument_version)
    values = {answer.link_id: answer.value for answer in administration.answers.all()}
    items = []
    for item in definition.items:
        if item.link_id not in values:
            continue
        items.append(
            {
                "linkId": item.link_id,
                "text": item.text,
                "answer": [_answer_value(definition, item, values[item.link_id])],
            }
        )
    authored = administration.completed_at or administration.started_at
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": f"administration-{administration.pk}",
        "questionnaire": canonical(definition),
        "status": "completed" if administration.is_complete else "in-progress",
        "subject": {
            "identifier": {
                "system": PERSON_ID_SYSTEM,
                "value": administration.episode.person.local_id,
            }
        },
        "authored": authored.isoformat(),
        "item": items,
    }
    extensions = _result_extensions(administration)
    if extensions:
        resource["extension"] = [{"url": RESULT, "extension": extensions}]
    return resource
