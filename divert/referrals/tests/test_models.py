"""Database constraints on onward referrals and their status history."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from divert.cases.tests import factories
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.referrals.models import OnwardReferral, ReferralStatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def directory_service(db):
    organisation = DirectoryOrganisation.objects.create(name="Example Wellbeing (synthetic)")
    return DirectoryService.objects.create(
        organisation=organisation, name="Talking therapies", categories=["mental_health"]
    )


@pytest.fixture
def referral(service, author, directory_service):
    episode = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    return OnwardReferral.objects.create(
        episode=episode, service=directory_service, created_at=timezone.now(), created_by=author
    )


def test_onward_referral_unknown_status_refused(service, author, directory_service):
    """A referral status outside the list is refused."""
    episode = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    fields = {
        "episode": episode,
        "service": directory_service,
        "status": "lost",
        "created_at": timezone.now(),
        "created_by": author,
    }

    with pytest.raises(IntegrityError, match="referral_status_valid"), transaction.atomic():
        OnwardReferral.objects.create(**fields)


def test_onward_referral_defaults_to_draft(referral):
    """A new referral row starts as a draft."""

    stored = OnwardReferral.objects.get(pk=referral.pk)

    assert stored.status == "draft"


def test_referral_status_change_decline_without_reason_refused(referral, author):
    """A declined referral must record why it was declined."""
    fields = {
        "referral": referral,
        "status": "declined",
        "changed_at": timezone.now(),
        "changed_by": author,
    }

    with pytest.raises(IntegrityError, match="referral_decline_needs_reason"), transaction.atomic():
        ReferralStatusChange.objects.create(**fields)


def test_referral_status_change_decline_with_reason_accepted(referral, author):
    """A declined referral with a reason is stored."""
    fields = {
        "referral": referral,
        "status": "declined",
        "reason": "Outside the service's catchment area.",
        "changed_at": timezone.now(),
        "changed_by": author,
    }

    change = ReferralStatusChange.objects.create(**fields)

    assert change.pk is not None


def test_referral_status_change_other_status_without_reason_accepted(referral, author):
    """Statuses other than declined need no reason."""
    fields = {"referral": referral, "status": "sent", "changed_at": timezone.now()}

    change = ReferralStatusChange.objects.create(**fields, changed_by=author)

    assert change.reason == ""
