"""Database constraints on loaded code lists and amendments."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from divert.core.models import Amendment, Code, CodeList

pytestmark = pytest.mark.django_db


def test_codelist_duplicate_slug_and_version_refused():
    """The same version of a code list cannot be loaded twice."""
    loaded = CodeList.objects.get(slug="ethnic-category")

    with pytest.raises(IntegrityError), transaction.atomic():
        CodeList.objects.create(
            slug=loaded.slug, version=loaded.version, title="Copy", source="Test"
        )


def test_codelist_new_version_accepted():
    """A new version of a code list is stored beside the loaded one."""
    loaded = CodeList.objects.get(slug="ethnic-category")

    CodeList.objects.create(slug=loaded.slug, version="2021-census", title="Copy", source="Test")

    assert CodeList.objects.filter(slug="ethnic-category").count() == 2


def test_code_duplicate_in_list_refused():
    """A code appears at most once in a code list version."""
    code_list = CodeList.objects.get(slug="ethnic-category")

    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(code_list=code_list, code="A", display="Copy", sort_order=99)


def test_amendment_without_reason_refused(users):
    """An amendment must record a reason."""
    fields = {
        "model_label": "people.Person",
        "object_id": "1",
        "field": "given_name",
        "old_value": "Sam",
        "new_value": "Samuel",
        "reason": "",
        "amended_by": users["practitioner"],
        "amended_at": timezone.now(),
    }

    with pytest.raises(IntegrityError, match="amendment_reason_required"), transaction.atomic():
        Amendment.objects.create(**fields)
