"""Shared fixtures: a small service built through actions, and a signed-in client per role."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from divert.accounts import actions as account_actions
from divert.accounts.roles import RoleName
from divert.organisation.models import (
    Agency,
    ForceArea,
    LDService,
    Provider,
    Site,
    SiteType,
    Team,
)

# Examples touch the database; on a shared two-core machine one can take longer than
# Hypothesis's 200 ms default, which is a flaky failure rather than a finding.
hypothesis_settings.register_profile("divert", deadline=None)
hypothesis_settings.load_profile("divert")

PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 - test-only


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def service(db):
    """Two teams covering two force areas, each with a custody suite and a court."""
    provider = Provider.objects.create(name="Test Health NHS Trust (synthetic)", ods_code="ZZ9")
    ld = LDService.objects.create(provider=provider, name="Test L&D service")
    north = ForceArea.objects.create(code="north", name="North Police", service=ld)
    south = ForceArea.objects.create(code="south", name="South Police", service=ld)
    sites = {
        "north-custody": Site.objects.create(
            service=ld,
            force_area=north,
            code="north-custody",
            name="North custody suite",
            site_type=SiteType.CUSTODY_SUITE,
        ),
        "north-court": Site.objects.create(
            service=ld,
            force_area=north,
            code="north-court",
            name="North Magistrates' Court",
            site_type=SiteType.MAGISTRATES_COURT,
        ),
        "south-custody": Site.objects.create(
            service=ld,
            force_area=south,
            code="south-custody",
            name="South custody suite",
            site_type=SiteType.CUSTODY_SUITE,
        ),
    }
    north_team = Team.objects.create(service=ld, name="North team")
    north_team.sites.set([sites["north-custody"], sites["north-court"]])
    south_team = Team.objects.create(service=ld, name="South team")
    south_team.sites.set([sites["south-custody"]])
    police = Agency.objects.create(name="North Police", recipient_class="police", force_area=north)
    court = Agency.objects.create(name="North Magistrates' Court", recipient_class="court")
    return {
        "ld": ld,
        "sites": sites,
        "teams": {"north": north_team, "south": south_team},
        "agencies": {"police": police, "court": court},
    }


def make_user(username, roles, *, team=None, agency=None):
    user = account_actions.create_user(
        username=username,
        first_name=username.title(),
        last_name="Tester",
        password=PASSWORD,
        by=None,
        agency=agency,
    )
    for role in roles:
        account_actions.grant_role(user=user, role=role, by=None)
    if team is not None:
        account_actions.add_to_team(user=user, team=team, by=None)
    return user


@pytest.fixture
def users(service):
    teams, agencies = service["teams"], service["agencies"]
    return {
        "practitioner": make_user("practitioner", [RoleName.PRACTITIONER], team=teams["north"]),
        "other_practitioner": make_user(
            "other-practitioner", [RoleName.PRACTITIONER], team=teams["south"]
        ),
        "team_leader": make_user("team-leader", [RoleName.TEAM_LEADER], team=teams["north"]),
        "service_manager": make_user("service-manager", [RoleName.SERVICE_MANAGER]),
        "commissioner": make_user("commissioner", [RoleName.COMMISSIONER]),
        "police": make_user("police", [RoleName.PARTNER], agency=agencies["police"]),
        "court": make_user("court", [RoleName.PARTNER], agency=agencies["court"]),
        "ig": make_user("ig", [RoleName.IG_OFFICER]),
        "admin": make_user("admin", [RoleName.ADMINISTRATOR]),
    }


def totp_device(user):
    """A confirmed authenticator for ``user``; ``totp_code(device)`` gives its current code."""
    return TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def totp_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_second_factor(client, user):
    """Signed in and past two-factor, as after a real sign-in with a TOTP code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(users):
    def _client(role):
        client = Client()
        if role != "anonymous":
            sign_in_with_second_factor(client, users[role])
        return client

    return _client


@pytest.fixture
def referral_time():
    return timezone.now() - dt.timedelta(hours=3)
