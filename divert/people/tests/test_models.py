"""Database constraints on people, aliases and alerts (SQLite and PostgreSQL alike)."""

import datetime as dt
import itertools

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from divert.people.models import Alert, Alias, Person

pytestmark = pytest.mark.django_db

_local_ids = itertools.count(1)


@pytest.fixture
def author(users):
    return users["practitioner"]


def person_fields(author, **overrides):
    fields = {
        "local_id": f"TEST-{next(_local_ids):07d}",
        "given_name": "Alex",
        "family_name": "Example",
        "date_of_birth": dt.date(1990, 1, 1),
        "created_at": timezone.now(),
        "created_by": author,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def person(author):
    return Person.objects.create(**person_fields(author))


def test_person_valid_row_accepted(author):
    """A person with valid identifiers and codes is stored."""
    fields = person_fields(
        author,
        nhs_number="9434765919",
        pnc_id="08/123456K",
        gender_identity="2",
        ethnic_category="A",
        ld_status="U",
        autism_status="1",
    )

    person = Person.objects.create(**fields)

    assert Person.objects.get(pk=person.pk).nhs_number == "9434765919"


def test_person_nhs_number_duplicate_among_current_refused(author):
    """Two current (not merged) people cannot share an NHS number."""
    Person.objects.create(**person_fields(author, nhs_number="9434765919"))
    duplicate = person_fields(author, nhs_number="9434765919")

    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(**duplicate)


def test_person_nhs_number_on_merged_away_record_accepted(author):
    """A record merged into another keeps its NHS number alongside the surviving record."""
    survivor = Person.objects.create(**person_fields(author, nhs_number="9434765919"))

    merged = Person.objects.create(
        **person_fields(author, nhs_number="9434765919", merged_into=survivor)
    )
    second_merged = Person.objects.create(
        **person_fields(author, nhs_number="9434765919", merged_into=survivor)
    )

    assert Person.objects.filter(nhs_number="9434765919").count() == 3
    assert list(Person.objects.current().filter(nhs_number="9434765919")) == [survivor]
    assert {merged.merged_into_id, second_merged.merged_into_id} == {survivor.pk}


def test_person_without_nhs_number_many_accepted(author):
    """Many people may have no NHS number recorded."""
    Person.objects.create(**person_fields(author))

    Person.objects.create(**person_fields(author))

    assert Person.objects.filter(nhs_number__isnull=True).count() == 2


@pytest.mark.parametrize("value", ["943476591X", "943476591", "943 476 59", "", "١٢٣٤٥٦٧٨٩٠"])
def test_person_nhs_number_not_ten_digits_refused(author, value):
    """A stored NHS number must be exactly ten ASCII digits (blank is not allowed; use null)."""
    fields = person_fields(author, nhs_number=value)

    with pytest.raises(IntegrityError, match="person_nhs_number_ten_digits"), transaction.atomic():
        Person.objects.create(**fields)


@pytest.mark.parametrize("value", ["AB/123456K", "08/12345678K", "08/123456", "08/123456k", ""])
def test_person_pnc_id_bad_format_refused(author, value):
    """A stored PNC ID must be normalised year/serial plus upper-case check letter."""
    fields = person_fields(author, pnc_id=value)

    with pytest.raises(IntegrityError, match="person_pnc_id_format"), transaction.atomic():
        Person.objects.create(**fields)


@pytest.mark.parametrize("value", ["08/123456K", "2008/0123456K"])
def test_person_pnc_id_good_format_accepted(author, value):
    """A PNC ID with a 2- or 4-digit year is stored."""
    fields = person_fields(author, pnc_id=value)

    person = Person.objects.create(**fields)

    assert person.pnc_id == value


@pytest.mark.parametrize("blank", ["given_name", "family_name"])
def test_person_blank_name_refused(author, blank):
    """A person needs both a given name and a family name."""
    fields = person_fields(author, **{blank: ""})

    with pytest.raises(IntegrityError, match="person_names_required"), transaction.atomic():
        Person.objects.create(**fields)


@pytest.mark.parametrize("value", ["9", "M", "0", ""])
def test_person_invalid_gender_identity_refused(author, value):
    """A gender identity code outside the MHSDS list is refused."""
    fields = person_fields(author, gender_identity=value)

    with pytest.raises(IntegrityError, match="person_gender_identity_valid"), transaction.atomic():
        Person.objects.create(**fields)


@pytest.mark.parametrize("value", ["I", "O", "Q", "T", "ZZ", ""])
def test_person_invalid_ethnic_category_refused(author, value):
    """An ethnic category code outside the NHS Data Dictionary list is refused."""
    fields = person_fields(author, ethnic_category=value)

    with pytest.raises(IntegrityError, match="person_ethnic_category_valid"), transaction.atomic():
        Person.objects.create(**fields)


@pytest.mark.parametrize(("field", "value"), [("ld_status", "9"), ("autism_status", "Y")])
def test_person_invalid_ld_or_autism_status_refused(author, field, value):
    """A learning disability or autism status outside its list is refused."""
    fields = person_fields(author, **{field: value})

    with pytest.raises(IntegrityError, match="person_ld_autism_status_valid"), transaction.atomic():
        Person.objects.create(**fields)


def test_person_merged_into_self_refused(author):
    """A person cannot be merged into themselves."""
    fields = person_fields(author, id=987654321, merged_into_id=987654321)

    with pytest.raises(IntegrityError, match="person_not_merged_into_self"), transaction.atomic():
        Person.objects.create(**fields)


def test_person_duplicate_local_id_refused(author, person):
    """Two people cannot share a Divert ID."""
    fields = person_fields(author, local_id=person.local_id)

    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(**fields)


def test_alias_empty_refused(person, author):
    """An alias with no given name, family name or date of birth is refused."""
    fields = {"person": person, "recorded_at": timezone.now(), "recorded_by": author}

    with pytest.raises(IntegrityError, match="alias_not_empty"), transaction.atomic():
        Alias.objects.create(**fields)


@pytest.mark.parametrize(
    "details",
    [{"given_name": "Lex"}, {"family_name": "Sample"}, {"date_of_birth": dt.date(1991, 1, 1)}],
)
def test_alias_with_one_detail_accepted(person, author, details):
    """An alias with just a given name, a family name or a date of birth is stored."""
    fields = {"person": person, "recorded_at": timezone.now(), "recorded_by": author, **details}

    alias = Alias.objects.create(**fields)

    assert alias.pk is not None


def alert_fields(person, author, **overrides):
    fields = {
        "person": person,
        "category": "medical",
        "description": "Epilepsy: check medication on arrival.",
        "raised_at": timezone.now() - dt.timedelta(days=1),
        "raised_by": author,
    }
    fields.update(overrides)
    return fields


def test_alert_unknown_category_refused(person, author):
    """An alert category outside the code list is refused."""
    fields = alert_fields(person, author, category="gossip")

    with pytest.raises(IntegrityError, match="alert_category_valid"), transaction.atomic():
        Alert.objects.create(**fields)


def test_alert_blank_description_refused(person, author):
    """An alert must say what it is about."""
    fields = alert_fields(person, author, description="")

    with pytest.raises(IntegrityError, match="alert_description_required"), transaction.atomic():
        Alert.objects.create(**fields)


def test_alert_ended_without_author_refused(person, author):
    """An ended alert must record who ended it."""
    fields = alert_fields(person, author, ended_at=timezone.now())

    with (
        pytest.raises(IntegrityError, match="alert_end_after_raise_with_author"),
        transaction.atomic(),
    ):
        Alert.objects.create(**fields)


def test_alert_ended_before_raised_refused(person, author):
    """An alert cannot end before it was raised."""
    raised = timezone.now() - dt.timedelta(days=1)
    fields = alert_fields(
        person,
        author,
        raised_at=raised,
        ended_at=raised - dt.timedelta(minutes=1),
        ended_by=author,
    )

    with (
        pytest.raises(IntegrityError, match="alert_end_after_raise_with_author"),
        transaction.atomic(),
    ):
        Alert.objects.create(**fields)


def test_alert_ended_with_author_accepted(person, author):
    """An alert ended after it was raised, with who ended it, is stored."""
    fields = alert_fields(person, author, ended_at=timezone.now(), ended_by=author)

    alert = Alert.objects.create(**fields)

    assert alert.ended_by == author
