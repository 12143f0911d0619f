"""People actions: creating a person with checked identifiers, aliases and alerts, with audit."""

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from divert.audit.models import AuditEvent
from divert.people import actions
from divert.people.models import Alert, Person

pytestmark = pytest.mark.django_db

GIVEN_NAME = "Zebedee"
FAMILY_NAME = "Quixwhistle"
ALIAS_GIVEN_NAME = "Marmaduke"
ALIAS_FAMILY_NAME = "Fennimore"


@pytest.fixture
def author(users):
    return users["practitioner"]


def create(author, **details):
    fields = {
        "given_name": GIVEN_NAME,
        "family_name": FAMILY_NAME,
        "date_of_birth": dt.date(1990, 5, 17),
        **details,
    }
    return actions.create_person(by=author, **fields)


@pytest.mark.parametrize("nhs_number", ["9434765918", "943476591", "94347659AB", "1234567890"])
def test_create_person_invalid_nhs_number_refused(author, nhs_number):
    """An NHS number that fails the length or Modulus 11 check is refused, keyed 'nhs_number'."""

    with pytest.raises(ValidationError) as error:
        create(author, nhs_number=nhs_number)

    assert set(error.value.message_dict) == {"nhs_number"}
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(event="person.created").exists()


def test_create_person_nhs_number_with_spaces_stored_as_digits(author):
    """An NHS number typed 3-3-4 with spaces is stored as ten digits."""

    person = create(author, nhs_number="943 476 5919")

    assert Person.objects.get(pk=person.pk).nhs_number == "9434765919"


def test_create_person_blank_nhs_number_stored_as_null(author):
    """A blank NHS number is stored as 'not known' (null), so many people can lack one."""
    create(author, nhs_number="")

    second = create(author, nhs_number="")

    assert second.nhs_number is None
    assert Person.objects.filter(nhs_number__isnull=True).count() == 2


def test_create_person_lowercase_pnc_id_normalised(author):
    """A PNC ID with a lower-case check letter and spaces is stored normalised."""

    person = create(author, pnc_id=" 08/123456k ")

    assert Person.objects.get(pk=person.pk).pnc_id == "08/123456K"


@pytest.mark.parametrize("pnc_id", ["123456K", "AB/123456K", "08/123456"])
def test_create_person_invalid_pnc_id_refused(author, pnc_id):
    """A PNC ID in the wrong format is refused, keyed 'pnc_id'."""

    with pytest.raises(ValidationError) as error:
        create(author, pnc_id=pnc_id)

    assert set(error.value.message_dict) == {"pnc_id"}


def test_create_person_postcode_normalised(author):
    """A postcode is stored upper-case with one space."""

    person = create(author, postcode="ts12ab")

    assert Person.objects.get(pk=person.pk).postcode == "TS1 2AB"


def test_create_person_names_trimmed(author):
    """Leading and trailing spaces are removed from names."""

    person = create(author, given_name="  Sam ", family_name=" Tester  ")

    assert (person.given_name, person.family_name) == ("Sam", "Tester")


def test_create_person_blank_given_name_refused(author):
    """A person needs a given name."""

    with pytest.raises(ValidationError) as error:
        create(author, given_name="   ")

    assert "given_name" in error.value.message_dict


def test_create_person_invalid_ethnic_category_refused(author):
    """An ethnic category outside the list is refused, keyed by the field."""

    with pytest.raises(ValidationError) as error:
        create(author, ethnic_category="I")

    assert "ethnic_category" in error.value.message_dict


def test_create_person_local_ids_distinct_and_formatted(author):
    """Each person gets a distinct Divert ID of the form DIV-0000001."""

    ids = [create(author).local_id for _ in range(3)]

    assert len(set(ids)) == 3
    assert all(re.fullmatch(r"DIV-\d{7}", local_id) for local_id in ids)


def test_add_alias_empty_refused(author):
    """An alias with no name and no date of birth is refused."""
    person = create(author)

    with pytest.raises(ValidationError):
        actions.add_alias(person=person, by=author)

    assert not person.aliases.exists()


def test_raise_alert_unknown_category_refused(author):
    """An alert category outside the list is refused, keyed 'category'."""
    person = create(author)

    with pytest.raises(ValidationError) as error:
        actions.raise_alert(person=person, by=author, category="gossip", description="Unknown")

    assert "category" in error.value.message_dict


def test_end_alert_records_who_and_why(author):
    """Ending an alert records when, by whom and why."""
    person = create(author)
    alert = actions.raise_alert(
        person=person, by=author, category="medical", description="Epilepsy"
    )

    actions.end_alert(alert=alert, by=author, reason="Resolved")

    stored = Alert.objects.get(pk=alert.pk)
    assert stored.ended_at is not None
    assert (stored.ended_by, stored.end_reason) == (author, "Resolved")


def test_end_alert_twice_refused(author):
    """An alert that has ended cannot be ended again."""
    person = create(author)
    alert = actions.raise_alert(
        person=person, by=author, category="medical", description="Epilepsy"
    )
    actions.end_alert(alert=alert, by=author, reason="Resolved")

    with pytest.raises(ValidationError, match="already ended"):
        actions.end_alert(alert=alert, by=author, reason="Again")

    assert Alert.objects.get(pk=alert.pk).end_reason == "Resolved"


@pytest.fixture
def named_person(author):
    person = create(author, nhs_number="9434765919")
    alert = actions.raise_alert(
        person=person, by=author, category="medical", description=f"{GIVEN_NAME} has epilepsy."
    )
    return {"person": person, "alert": alert}


PERSON_ACTIONS = {
    "create_person": lambda ctx, by: create(by),
    "add_alias": lambda ctx, by: actions.add_alias(
        person=ctx["person"],
        by=by,
        given_name=ALIAS_GIVEN_NAME,
        family_name=ALIAS_FAMILY_NAME,
        date_of_birth=dt.date(1991, 1, 1),
    ),
    "raise_alert": lambda ctx, by: actions.raise_alert(
        person=ctx["person"],
        by=by,
        category="risk_to_staff",
        description=f"{GIVEN_NAME} {FAMILY_NAME} assaulted staff.",
    ),
    "end_alert": lambda ctx, by: actions.end_alert(
        alert=ctx["alert"], by=by, reason=f"{GIVEN_NAME} no longer at risk."
    ),
}


@pytest.mark.parametrize("name", sorted(PERSON_ACTIONS))
def test_person_action_writes_one_audit_event_without_names(author, named_person, name):
    """Each people action writes exactly one audit event naming the actor and person only."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    result = PERSON_ACTIONS[name](named_person, author)

    events = list(AuditEvent.objects.filter(id__gt=last))
    assert len(events) == 1
    event = events[0]
    expected_person = result.pk if name == "create_person" else named_person["person"].pk
    assert (event.actor_id, event.actor_username) == (author.pk, author.username)
    assert event.person_id == expected_person
    row = json.dumps(model_to_dict(event), default=str).lower()
    for name_part in [GIVEN_NAME, FAMILY_NAME, ALIAS_GIVEN_NAME, ALIAS_FAMILY_NAME, "9434765919"]:
        assert name_part.lower() not in row


def test_create_person_duplicate_nhs_number_keyed_error(author):
    """A second current person with the same NHS number is refused with an error on that field."""
    create(author, nhs_number="9434765919")

    with pytest.raises(ValidationError) as excinfo:
        create(author, nhs_number="943 476 5919", given_name="Other")

    assert "nhs_number" in excinfo.value.message_dict


def test_create_person_future_date_of_birth_refused(author):
    """A date of birth after today is refused (security.md C6)."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as excinfo:
        create(author, date_of_birth=tomorrow)

    assert "date_of_birth" in excinfo.value.message_dict


@pytest.mark.parametrize("value", ["٩٤٣٤٧٦٥٩١٩", "９４３４７６５９１９"])
def test_create_person_non_ascii_digits_refused_on_the_field(author, value):
    """Digits from other scripts are not an NHS number, and the error names the field."""
    with pytest.raises(ValidationError) as excinfo:
        create(author, nhs_number=value)

    assert "nhs_number" in excinfo.value.message_dict


def test_create_person_and_alias_keep_lookup_keys_current(author):
    """A new person, and each alias added, can be found by the intake lookup straight away."""
    from divert.linkage.lookup import find_candidates

    person = create(author, given_name="Daniel", family_name="Whitlock")
    actions.add_alias(person=person, by=author, given_name="Danny", family_name="Whitlow")

    found = find_candidates(
        {"given_name": "Danny", "family_name": "Whitlow", "date_of_birth": "1990-05-17"}
    )

    assert found
    assert found[0].person.pk == person.pk
