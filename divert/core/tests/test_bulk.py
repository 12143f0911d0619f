"""The shared bulk writer: what it stores is what the ORM stores, and its ids never collide."""

import datetime as dt

import pytest
from django.db import transaction

from divert.core import bulk
from divert.linkage.models import PersonKey
from divert.people import actions as people_actions
from divert.people.models import Person

pytestmark = pytest.mark.django_db

CREATED_AT = dt.datetime(2024, 5, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)


def person_row(by, local_id, **values):
    return bulk.new(
        Person,
        local_id=local_id,
        given_name="Alex",
        family_name="Example",
        date_of_birth=dt.date(1990, 7, 14),
        created_at=CREATED_AT,
        created_by=by,
        **values,
    )


def create_person(by):
    return people_actions.create_person(
        by=by, given_name="Sam", family_name="Known", date_of_birth=dt.date(1985, 1, 2)
    )


def test_new_refuses_a_field_the_model_does_not_have():
    with pytest.raises(TypeError, match="Person has no field 'favourite_colour'"):
        bulk.new(Person, favourite_colour="green")


def test_table_writer_stores_what_the_orm_stores(users):
    """Dates, aware datetimes, NULLs, defaults and foreign keys read back as they were given."""
    by = users["admin"]
    rows = [
        person_row(by, "DIV-9000001", nhs_number="9434765919", is_synthetic=True),
        person_row(by, "DIV-9000002", postcode="TS1 2AB"),
    ]

    with transaction.atomic():
        for row, pk in zip(rows, bulk.IdAllocator().take(Person, 2), strict=True):
            row.pk = pk
        bulk.TableWriter(Person).write(rows)

    stored = {person.local_id: person for person in Person.objects.all()}
    first, second = stored["DIV-9000001"], stored["DIV-9000002"]
    assert (first.pk, second.pk) == (rows[0].pk, rows[1].pk)
    assert (first.nhs_number, first.pnc_id, first.is_synthetic) == ("9434765919", None, True)
    assert (second.nhs_number, second.postcode, second.is_synthetic) == (None, "TS1 2AB", False)
    assert first.date_of_birth == dt.date(1990, 7, 14)
    assert first.created_at == CREATED_AT
    assert first.created_by == by
    assert (first.gender_identity, first.ethnic_category, first.version) == ("X", "99", 1)


def test_table_writer_without_the_primary_key_lets_the_database_number_rows(users):
    person = create_person(users["admin"])
    keys = [bulk.new(PersonKey, person_id=person.pk, given_name=name) for name in ("a", "b")]

    with transaction.atomic():
        bulk.TableWriter(PersonKey, include_pk=False).write(keys)
    later = PersonKey.objects.create(person=person, given_name="c")

    ids = list(PersonKey.objects.filter(person=person).values_list("pk", flat=True))
    assert len(set(ids)) == len(ids) == 4  # the person's own key, a, b and c
    assert later.pk == max(ids)


def test_table_writer_writes_nothing_for_no_rows():
    with transaction.atomic():
        bulk.TableWriter(Person).write([])

    assert not Person.objects.exists()


def test_id_allocator_never_reuses_an_id_and_the_orm_carries_on_after_it(users):
    """Ids come after any the table has had, deleted ones too; later inserts come after them."""
    by = users["admin"]
    deleted = create_person(by)
    deleted_pk = deleted.pk
    Person.objects.filter(pk=deleted_pk).delete()

    with transaction.atomic():
        allocator = bulk.IdAllocator()
        first = allocator.take(Person, 2)
        second = allocator.take(Person, 1)
        rows = [person_row(by, f"DIV-900000{n}") for n in range(3)]
        for row, pk in zip(rows, first + second, strict=True):
            row.pk = pk
        bulk.TableWriter(Person).write(rows)
    later = create_person(by)

    assert min(first) > deleted_pk
    assert len(set(first + second)) == 3
    assert min(second) > max(first)
    assert later.pk > max(first + second)
    assert allocator.take(Person, 0) == []
