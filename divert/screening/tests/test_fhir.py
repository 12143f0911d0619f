"""FHIR export: every definition as a Questionnaire and an administration as a
QuestionnaireResponse, validated with the ``fhir.resources`` models (R4B, whose Questionnaire and
QuestionnaireResponse match R4)."""

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from divert.screening import actions, fhir, registry
from divert.screening.tests.definitions import SHIPPED


@pytest.mark.parametrize("slug", SHIPPED)
def test_questionnaire_valid_fhir(slug):
    """Each definition exports as a valid Questionnaire with its canonical URL and version."""
    definition = registry.get(slug).definition

    resource = Questionnaire.model_validate(fhir.questionnaire(definition))

    assert resource.url == f"https://divert.example/fhir/Questionnaire/{slug}"
    assert resource.version == str(definition.version)
    assert [item.linkId for item in resource.item] == [i.link_id for i in definition.items]


def test_questionnaire_scores_and_skip_rules_exported():
    """Option scores travel as ordinalValue and the AUDIT skip rule as enableWhen."""
    resource = fhir.questionnaire(registry.get("audit").definition)

    q4 = next(item for item in resource["item"] if item["linkId"] == "q4")
    q9 = next(item for item in resource["item"] if item["linkId"] == "q9")
    assert q4["enableBehavior"] == "any"
    assert q4["enableWhen"][0]["question"] == "q2"
    assert q4["enableWhen"][0]["operator"] == "!="
    assert q4["enableWhen"][0]["answerCoding"]["code"] == "0"
    assert [option["extension"][0]["valueDecimal"] for option in q9["answerOption"]] == [0, 2, 4]
    assert q9["answerOption"][2]["extension"][0]["url"] == fhir.ORDINAL_VALUE


@pytest.mark.django_db
def test_questionnaire_response_valid_fhir(episode, published, practitioner):
    """A completed administration exports as a valid QuestionnaireResponse with valueCoding
    answers, pointing at the exact questionnaire version."""
    administration = actions.start_administration(
        episode=episode, instrument_version=published["ciwa-ar"], by=practitioner
    )
    answers = {f"q{n}": "1" for n in range(1, 11)} | {"pulse": 96}
    actions.save_answers(administration=administration, answers=answers, by=practitioner)
    actions.complete_administration(administration=administration, by=practitioner)
    administration.refresh_from_db()

    data = fhir.questionnaire_response(administration)
    resource = QuestionnaireResponse.model_validate(data)

    assert resource.questionnaire == "https://divert.example/fhir/Questionnaire/ciwa-ar|2"
    assert resource.status == "completed"
    q1 = next(item for item in resource.item if item.linkId == "q1")
    assert q1.answer[0].valueCoding.code == "1"
    assert q1.answer[0].valueCoding.system == fhir.code_system(registry.get("ciwa-ar").definition)
    pulse = next(item for item in resource.item if item.linkId == "pulse")
    assert pulse.answer[0].valueInteger == 96
    result = {ext["url"]: ext for ext in data["extension"][0]["extension"]}
    assert result["total"]["valueDecimal"] == 10
    assert result["band"]["valueCode"] == "moderate"
    assert data["subject"]["identifier"]["value"] == episode.person.local_id


@pytest.mark.django_db
def test_questionnaire_response_in_progress_valid_fhir(episode, published, practitioner):
    """A started administration exports as an in-progress response with text answers."""
    administration = actions.start_administration(
        episode=episode, instrument_version=published["bjmhs"], by=practitioner
    )
    actions.save_answers(
        administration=administration,
        answers={"q1": "no", "q9": "yes", "q9_reason": "Withdrawn"},
        by=practitioner,
    )

    resource = QuestionnaireResponse.model_validate(fhir.questionnaire_response(administration))

    assert resource.status == "in-progress"
    reason = next(item for item in resource.item if item.linkId == "q9_reason")
    assert reason.answer[0].valueString == "Withdrawn"
