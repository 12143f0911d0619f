"""Episodes built through actions, so tests only reach states the application can reach."""

import datetime as dt

from django.utils import timezone

from divert.cases import actions
from divert.people import actions as people_actions


def person(
    by, *, given_name="Sam", family_name="Tester", date_of_birth=dt.date(1990, 5, 17), **details
):
    return people_actions.create_person(
        by=by,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        **details,
    )


def episode(by, *, site, team, subject=None, received_at=None, **details):
    subject = subject or person(by)
    received_at = received_at or timezone.now() - dt.timedelta(hours=2)
    return actions.open_episode(
        by=by,
        person=subject,
        site=site,
        team=team,
        referral_source="E1",
        pathway_point="custody",
        referral_received_at=received_at,
        **details,
    )


def born_years_ago(years, *, days=30):
    """A date of birth ``years`` (and ``days``) before today: a person of that age now."""
    today = timezone.localdate()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - dt.timedelta(days=days)


def youth_episode(by, *, site, team, age=15, **details):
    """An episode for a child of ``age`` at referral (youth pathway)."""
    subject = person(
        by, given_name="Kayla", family_name="Youngperson", date_of_birth=born_years_ago(age)
    )
    return episode(by, site=site, team=team, subject=subject, **details)


def other_service_site(code="elsewhere"):
    """A custody suite, and the team covering it, of a second L&D service (its own provider
    and force area): someone seen only there is outside the first service's scope."""
    from divert.organisation.models import ForceArea, LDService, Provider, Site, SiteType, Team

    provider = Provider.objects.create(
        name=f"{code.title()} NHS Trust (synthetic)", ods_code=f"Z{code[:7].upper()}"
    )
    service = LDService.objects.create(provider=provider, name=f"{code.title()} L&D")
    area = ForceArea.objects.create(code=code, name=f"{code.title()} Police", service=service)
    site = Site.objects.create(
        service=service,
        force_area=area,
        code=f"{code}-custody",
        name=f"{code.title()} custody",
        site_type=SiteType.CUSTODY_SUITE,
    )
    team = Team.objects.create(service=service, name=f"{code.title()} team")
    team.sites.set([site])
    return site, team
