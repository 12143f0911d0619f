"""The demo seed's directory: every Open Referral UK field filled, RECONNECT and youth
services present, and the CSV round trip of the seeded directory changes nothing."""

import io
from io import StringIO

import pytest
from django.core.management import call_command

from divert.accounts.models import User
from divert.directory import csvio
from divert.directory.models import DirectoryService


@pytest.mark.django_db
def test_seed_directory_fills_the_new_fields_and_round_trips(settings):
    """Seeded services have eligibility, area, website and contact details; re-importing the
    exported directory leaves every service unchanged."""
    settings.DEMO_MODE = True
    call_command("seed", episodes=20, now="2026-11-26T09:00", stdout=StringIO(), stderr=StringIO())
    admin = User.objects.filter(role_assignments__role="administrator").first()
    out = io.StringIO()
    csvio.export_csv(out)

    report = csvio.import_csv(out.getvalue(), by=admin)

    services = DirectoryService.objects.all()
    assert services.filter(categories__icontains="reconnect").exists()
    assert services.filter(max_age=17, categories__icontains="youth_services").count() >= 3
    assert not services.filter(eligibility="").exists()
    assert not services.filter(website="").exists()
    assert not services.filter(area_description="").exists()
    assert services.filter(is_self_referral_accepted=True).exists()
    assert report.errors == []
    assert len(report.unchanged) == services.count()
