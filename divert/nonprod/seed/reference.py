"""The demo service's configuration: provider, force areas, sites, teams, agencies, staff,
directory of services and (placeholder) screening instruments. All names are fictional except
the public bodies a real deployment would name (police forces, courts, CPS, probation).
"""

import datetime as dt
import string
from dataclasses import dataclass, field
from random import Random
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password

from divert.accounts.models import RoleAssignment, TeamMembership, User
from divert.accounts.roles import RoleName
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.nonprod import names
from divert.nonprod.personas import PERSONAS
from divert.nonprod.seed import instruments
from divert.organisation.models import (
    Agency,
    ForceArea,
    LDService,
    OpeningHours,
    Provider,
    Site,
    SiteType,
    Team,
)
from divert.screening.models import InstrumentVersion

PROVIDER_NAME = "North East Health and Justice NHS Trust (synthetic)"
PROVIDER_ODS_CODE = "ZZ1"
SERVICE_NAME = "Tees and Durham Liaison and Diversion Service (synthetic)"
# Every user the seed creates has an address at this domain; --reset finds them by it.
DEMO_EMAIL_DOMAIN = "demo.divert.example.org"

TEESSIDE_TEAM = "Teesside L&D team"
DURHAM_TEAM = "Durham and Darlington L&D team"
TEAM_FOR_AREA = {"cleveland": TEESSIDE_TEAM, "durham": DURHAM_TEAM}

FORCE_AREAS = [("cleveland", "Cleveland"), ("durham", "Durham")]


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    site_type: str
    area: str
    address: str
    postcode: str


SITES = [
    SiteSpec(
        "middlesbrough-custody",
        "Middlesbrough custody suite",
        SiteType.CUSTODY_SUITE,
        "cleveland",
        "Police custody suite, Middlesbrough (synthetic address)",
        "TS1 9ZZ",
    ),
    SiteSpec(
        "middlesbrough-youth-custody",
        "Middlesbrough youth custody suite",
        SiteType.YOUTH_CUSTODY_SUITE,
        "cleveland",
        "Youth custody suite, Middlesbrough (synthetic address)",
        "TS1 9ZY",
    ),
    SiteSpec(
        "durham-custody",
        "Durham custody suite",
        SiteType.CUSTODY_SUITE,
        "durham",
        "Police custody suite, Durham (synthetic address)",
        "DH1 9ZZ",
    ),
    SiteSpec(
        "darlington-custody",
        "Darlington custody suite",
        SiteType.CUSTODY_SUITE,
        "durham",
        "Police custody suite, Darlington (synthetic address)",
        "DL1 9ZZ",
    ),
    SiteSpec(
        "darlington-voluntary-attendance",
        "Darlington police station (voluntary attendance)",
        SiteType.VOLUNTARY_ATTENDANCE,
        "durham",
        "Interview suite, Darlington police station (synthetic address)",
        "DL1 9ZY",
    ),
    SiteSpec(
        "teesside-magistrates",
        "Teesside Magistrates' Court",
        SiteType.MAGISTRATES_COURT,
        "cleveland",
        "Magistrates' court, Middlesbrough (synthetic address)",
        "TS1 9ZX",
    ),
    SiteSpec(
        "teesside-youth-court",
        "Teesside Youth Court",
        SiteType.YOUTH_COURT,
        "cleveland",
        "Youth court, Middlesbrough (synthetic address)",
        "TS1 9ZW",
    ),
    SiteSpec(
        "newton-aycliffe-magistrates",
        "Newton Aycliffe Magistrates' Court",
        SiteType.MAGISTRATES_COURT,
        "durham",
        "County Durham and Darlington Magistrates' Court, Newton Aycliffe (synthetic address)",
        "DL5 9ZZ",
    ),
    SiteSpec(
        "durham-youth-court",
        "Durham Youth Court",
        SiteType.YOUTH_COURT,
        "durham",
        "Youth court, Durham (synthetic address)",
        "DH1 9ZY",
    ),
    SiteSpec(
        "teesside-crown-court",
        "Teesside Crown Court",
        SiteType.CROWN_COURT,
        "cleveland",
        "Crown Court, Middlesbrough (synthetic address)",
        "TS1 9ZV",
    ),
    SiteSpec(
        "teesside-community-base",
        "Teesside community base",
        SiteType.COMMUNITY,
        "cleveland",
        "L&D community base, Middlesbrough (synthetic address)",
        "TS1 9ZU",
    ),
    SiteSpec("virtual", "Virtual (telephone and video)", SiteType.VIRTUAL, "cleveland", "", ""),
]

# Hours as (weekdays, opens, closes); 00:00-00:00 is a full day.
_MIDNIGHT = dt.time(0, 0)
HOURS_BY_TYPE: dict[str, list[tuple[range, dt.time, dt.time]]] = {
    SiteType.CUSTODY_SUITE: [(range(7), _MIDNIGHT, _MIDNIGHT)],
    SiteType.YOUTH_CUSTODY_SUITE: [(range(7), _MIDNIGHT, _MIDNIGHT)],
    SiteType.VOLUNTARY_ATTENDANCE: [
        (range(5), dt.time(8, 0), dt.time(20, 0)),
        (range(5, 6), dt.time(9, 0), dt.time(17, 0)),
    ],
    SiteType.MAGISTRATES_COURT: [(range(5), dt.time(9, 0), dt.time(17, 0))],
    SiteType.YOUTH_COURT: [(range(5), dt.time(9, 0), dt.time(17, 0))],
    SiteType.CROWN_COURT: [(range(5), dt.time(9, 0), dt.time(17, 0))],
    SiteType.COMMUNITY: [(range(5), dt.time(9, 0), dt.time(17, 0))],
    SiteType.VIRTUAL: [(range(7), dt.time(8, 0), dt.time(20, 0))],
}


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    recipient_class: str
    area: str | None
    email: str


AGENCIES = [
    AgencySpec(
        "police-cleveland",
        "Cleveland Police",
        "police",
        "cleveland",
        "custody.liaison.cleveland@example.org",
    ),
    AgencySpec(
        "police-durham",
        "Durham Constabulary",
        "police",
        "durham",
        "custody.liaison.durham@example.org",
    ),
    AgencySpec(
        "court-cleveland",
        "Teesside Magistrates' Court",
        "court",
        "cleveland",
        "teesside.mc@example.org",
    ),
    AgencySpec(
        "court-durham",
        "County Durham and Darlington Magistrates' Court",
        "court",
        "durham",
        "durham.darlington.mc@example.org",
    ),
    AgencySpec(
        "crown-cleveland",
        "Teesside Crown Court",
        "court",
        "cleveland",
        "teesside.crown@example.org",
    ),
    AgencySpec("cps", "CPS North East", "cps", None, "cps.northeast@example.org"),
    AgencySpec(
        "probation",
        "Probation Service North East",
        "probation",
        None,
        "probation.northeast@example.org",
    ),
    AgencySpec(
        "yjs-cleveland",
        "South Tees Youth Justice Service",
        "youth_justice",
        "cleveland",
        "yjs.southtees@example.org",
    ),
    AgencySpec(
        "yjs-durham",
        "Durham Youth Justice Service",
        "youth_justice",
        "durham",
        "yjs.durham@example.org",
    ),
    AgencySpec(
        "defence",
        "Defence solicitors (duty solicitor scheme)",
        "defence",
        None,
        "duty.solicitors@example.org",
    ),
]


@dataclass(frozen=True)
class ServiceSpec:
    organisation: str
    name: str
    categories: tuple[str, ...]
    areas: tuple[str, ...]
    min_age: int | None
    max_age: int | None
    hours: str
    description: str


_BOTH = ("cleveland", "durham")
_OFFICE_HOURS = "Monday to Friday, 9am to 5pm"
_NHS_ORG = "North East Health and Justice NHS Trust (synthetic)"

DIRECTORY = [
    ServiceSpec(
        _NHS_ORG,
        "Middlesbrough and Redcar Community Mental Health Team (synthetic)",
        ("mental_health",),
        ("cleveland",),
        18,
        None,
        _OFFICE_HOURS,
        "Secondary mental health care for adults: assessment, care coordination.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "Stockton and Hartlepool Community Mental Health Team (synthetic)",
        ("mental_health",),
        ("cleveland",),
        18,
        None,
        _OFFICE_HOURS,
        "Secondary mental health care for adults.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "Durham and Darlington Community Mental Health Team (synthetic)",
        ("mental_health",),
        ("durham",),
        18,
        None,
        _OFFICE_HOURS,
        "Secondary mental health care for adults.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "Tees Crisis Resolution and Home Treatment Team (synthetic)",
        ("mental_health",),
        ("cleveland",),
        16,
        None,
        "24 hours, 7 days",
        "Urgent assessment and home treatment as an alternative to admission.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "County Durham Crisis Team (synthetic)",
        ("mental_health",),
        ("durham",),
        16,
        None,
        "24 hours, 7 days",
        "Urgent mental health assessment.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "Talking Therapies Tees and Durham (synthetic)",
        ("mental_health",),
        _BOTH,
        16,
        None,
        "Monday to Friday, 8am to 8pm",
        "Psychological therapies for anxiety and depression; self-referral accepted.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "Tees Valley CAMHS (synthetic)",
        ("mental_health", "youth_services"),
        ("cleveland",),
        10,
        17,
        _OFFICE_HOURS,
        "Child and adolescent mental health services.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "County Durham CAMHS (synthetic)",
        ("mental_health", "youth_services"),
        ("durham",),
        10,
        17,
        _OFFICE_HOURS,
        "Child and adolescent mental health services.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "Tees Community Learning Disability Team (synthetic)",
        ("learning_disability_autism",),
        ("cleveland",),
        18,
        None,
        _OFFICE_HOURS,
        "Health support for adults with a learning disability.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "Durham Community Learning Disability Team (synthetic)",
        ("learning_disability_autism",),
        ("durham",),
        18,
        None,
        _OFFICE_HOURS,
        "Health support for adults with a learning disability.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "Adult Autism and ADHD Assessment Service (synthetic)",
        ("learning_disability_autism",),
        _BOTH,
        18,
        None,
        _OFFICE_HOURS,
        "Diagnostic assessment and post-diagnostic support for adults.",
    ),
    ServiceSpec(
        _NHS_ORG,
        "RECONNECT North East (synthetic)",
        ("reconnect",),
        _BOTH,
        18,
        None,
        _OFFICE_HOURS,
        "Care after custody for people leaving prison with health needs.",
    ),
    ServiceSpec(
        "Teesside Recovery Service (synthetic)",
        "Teesside Recovery Service - Middlesbrough hub (synthetic)",
        ("drug_and_alcohol",),
        ("cleveland",),
        18,
        None,
        "Monday to Saturday, 9am to 5pm",
        "Drug and alcohol treatment, prescribing and recovery support.",
    ),
    ServiceSpec(
        "Teesside Recovery Service (synthetic)",
        "Teesside Recovery Service - Stockton and Hartlepool hub (synthetic)",
        ("drug_and_alcohol",),
        ("cleveland",),
        18,
        None,
        _OFFICE_HOURS,
        "Drug and alcohol treatment and recovery support.",
    ),
    ServiceSpec(
        "County Durham Drug and Alcohol Recovery (synthetic)",
        "County Durham Drug and Alcohol Recovery Service (synthetic)",
        ("drug_and_alcohol",),
        ("durham",),
        18,
        None,
        _OFFICE_HOURS,
        "Drug and alcohol treatment and recovery support.",
    ),
    ServiceSpec(
        "Young People's Substance Misuse Service (synthetic)",
        "Young People's Substance Misuse Service (synthetic)",
        ("drug_and_alcohol", "youth_services"),
        _BOTH,
        10,
        17,
        _OFFICE_HOURS,
        "Drug and alcohol support for young people.",
    ),
    ServiceSpec(
        "Tees Housing Options (synthetic)",
        "Tees Housing Options (synthetic)",
        ("housing",),
        ("cleveland",),
        16,
        None,
        _OFFICE_HOURS,
        "Homelessness prevention and housing advice.",
    ),
    ServiceSpec(
        "Durham Housing Solutions (synthetic)",
        "Durham Housing Solutions (synthetic)",
        ("housing",),
        ("durham",),
        16,
        None,
        _OFFICE_HOURS,
        "Homelessness prevention and housing advice.",
    ),
    ServiceSpec(
        "North East Debt and Benefits Advice (synthetic)",
        "North East Debt and Benefits Advice (synthetic)",
        ("debt_and_benefits",),
        _BOTH,
        18,
        None,
        _OFFICE_HOURS,
        "Free debt, benefits and money advice.",
    ),
    ServiceSpec(
        "Primary Care Access Team (synthetic)",
        "GP registration and primary care access support (synthetic)",
        ("gp_primary_care",),
        _BOTH,
        None,
        None,
        _OFFICE_HOURS,
        "Help to register with a GP, including people with no fixed abode.",
    ),
    ServiceSpec(
        "Youth Justice Health Partnership (synthetic)",
        "Youth justice health and wellbeing team - Teesside (synthetic)",
        ("youth_services",),
        ("cleveland",),
        10,
        17,
        _OFFICE_HOURS,
        "Health workers in the youth justice service.",
    ),
    ServiceSpec(
        "Youth Justice Health Partnership (synthetic)",
        "Youth justice health and wellbeing team - Durham (synthetic)",
        ("youth_services",),
        ("durham",),
        10,
        17,
        _OFFICE_HOURS,
        "Health workers in the youth justice service.",
    ),
    ServiceSpec(
        "Youth Justice Health Partnership (synthetic)",
        "Youth justice speech and language therapy (synthetic)",
        ("youth_services",),
        _BOTH,
        10,
        17,
        _OFFICE_HOURS,
        "Speech, language and communication assessment for young people.",
    ),
    ServiceSpec(
        "Tees Domestic Abuse Support (synthetic)",
        "Tees Domestic Abuse Support (synthetic)",
        ("domestic_abuse_support",),
        ("cleveland",),
        16,
        None,
        "24-hour helpline; outreach Monday to Friday",
        "Outreach, refuge and IDVA support.",
    ),
    ServiceSpec(
        "County Durham Domestic Abuse Service (synthetic)",
        "County Durham Domestic Abuse Service (synthetic)",
        ("domestic_abuse_support",),
        ("durham",),
        16,
        None,
        "24-hour helpline; outreach Monday to Friday",
        "Outreach, refuge and IDVA support.",
    ),
    ServiceSpec(
        "Veterans' Welfare North East (synthetic)",
        "Veterans' Welfare North East (synthetic)",
        ("veterans",),
        _BOTH,
        18,
        None,
        _OFFICE_HOURS,
        "Support for armed forces veterans and their families.",
    ),
    ServiceSpec(
        "Teesside Women's Centre (synthetic)",
        "Teesside Women's Centre (synthetic)",
        ("womens_services",),
        ("cleveland",),
        16,
        None,
        _OFFICE_HOURS,
        "Women's centre offering a female-specific pathway.",
    ),
    ServiceSpec(
        "Durham Women's Centre (synthetic)",
        "Durham Women's Centre (synthetic)",
        ("womens_services",),
        ("durham",),
        16,
        None,
        _OFFICE_HOURS,
        "Women's centre offering a female-specific pathway.",
    ),
    ServiceSpec(
        "Community Connections (synthetic)",
        "Community Connections (synthetic)",
        ("voluntary_sector",),
        _BOTH,
        16,
        None,
        _OFFICE_HOURS,
        "Befriending, peer support and activities to reduce isolation.",
    ),
    ServiceSpec(
        "Pathways to Work North East (synthetic)",
        "Pathways to Work North East (synthetic)",
        ("education_employment",),
        _BOTH,
        16,
        None,
        _OFFICE_HOURS,
        "Education, training and employment support.",
    ),
    ServiceSpec(
        "Local authority adult social care (synthetic)",
        "Adult social care front door (synthetic)",
        ("social_care",),
        _BOTH,
        18,
        None,
        _OFFICE_HOURS,
        "Care Act assessments and adult safeguarding.",
    ),
]

STAFF_JOB_TITLES = [
    "L&D nurse practitioner",
    "L&D nurse practitioner",
    "L&D nurse practitioner",
    "L&D practitioner (social worker)",
    "L&D practitioner (learning disability nurse)",
    "L&D practitioner (occupational therapist)",
    "Assistant practitioner",
    "Support, time and recovery worker",
    "L&D nurse practitioner (youth)",
    "L&D practitioner (youth)",
]


@dataclass
class StaffMember:
    user: User
    team: str
    left_on: dt.date | None = None


@dataclass
class Reference:
    """Lookups the population generator needs, built once per run."""

    provider: Provider
    service: LDService
    areas: dict[str, ForceArea]
    sites: dict[str, Site]
    teams: dict[str, Team]
    team_by_area: dict[str, Team]
    agencies: dict[str, Agency]
    users: dict[str, User]
    practitioners: dict[str, list[StaffMember]] = field(default_factory=dict)
    team_leaders: dict[str, list[User]] = field(default_factory=dict)
    services: dict[tuple[str, bool, str], list[DirectoryService]] = field(default_factory=dict)
    instruments: dict[str, InstrumentVersion] = field(default_factory=dict)
    partner_user_for_agency: dict[str, User] = field(default_factory=dict)
    scorer: Any = None  # instruments.Scorer
    counts: dict[str, int] = field(default_factory=dict)


def _username(first: str, last: str, taken: set[str]) -> str:
    base = f"{first[0]}.{last}".lower().replace("'", "")
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}{number}"
        number += 1
    taken.add(candidate)
    return candidate


def build(rng: Random, now: dt.datetime, years: int) -> Reference:
    # Staff joined before the earliest seeded episode (the frequent attender's go back 4 years).
    start_day = (now - dt.timedelta(days=365 * (max(years, 4) + 1))).date()
    provider = Provider.objects.create(name=PROVIDER_NAME, ods_code=PROVIDER_ODS_CODE)
    service = LDService.objects.create(provider=provider, name=SERVICE_NAME)
    areas = {
        code: ForceArea.objects.create(code=code, name=name, service=service)
        for code, name in FORCE_AREAS
    }
    sites = {}
    for spec in SITES:
        sites[spec.code] = Site.objects.create(
            service=service,
            force_area=areas[spec.area],
            code=spec.code,
            name=spec.name,
            site_type=spec.site_type,
            address=spec.address,
            postcode=spec.postcode,
        )
    OpeningHours.objects.bulk_create(
        OpeningHours(site=sites[spec.code], weekday=day, opens=opens, closes=closes)
        for spec in SITES
        for days, opens, closes in HOURS_BY_TYPE[spec.site_type]
        for day in days
    )
    teams = {
        TEESSIDE_TEAM: Team.objects.create(service=service, name=TEESSIDE_TEAM),
        DURHAM_TEAM: Team.objects.create(service=service, name=DURHAM_TEAM),
    }
    for spec in SITES:
        if spec.site_type == SiteType.VIRTUAL:
            teams[TEESSIDE_TEAM].sites.add(sites[spec.code])
            teams[DURHAM_TEAM].sites.add(sites[spec.code])
        else:
            teams[TEAM_FOR_AREA[spec.area]].sites.add(sites[spec.code])
    agencies = {}
    for agency in AGENCIES:
        agencies[agency.key] = Agency.objects.create(
            name=agency.name,
            recipient_class=agency.recipient_class,
            force_area=areas[agency.area] if agency.area else None,
            email=agency.email,
        )
    ref = Reference(
        provider=provider,
        service=service,
        areas=areas,
        sites=sites,
        teams=teams,
        team_by_area={area: teams[name] for area, name in TEAM_FOR_AREA.items()},
        agencies=agencies,
        users={},
    )
    _build_users(ref, rng, now, start_day)
    _build_directory(ref, rng, now)
    _build_instruments(ref, now, years)
    return ref


def _build_users(ref: Reference, rng: Random, now: dt.datetime, start_day: dt.date) -> None:
    # Argon2 is deliberately slow: hash the shared demo password once and reuse the hash. The
    # salt comes from the seeded generator so a re-run produces byte-identical rows.
    salt = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))
    password_hash = make_password(settings.DEMO_PASSWORD, salt=salt)
    agency_by_name = {agency.name: agency for agency in ref.agencies.values()}
    joined = dt.datetime.combine(start_day, dt.time(9, 0), tzinfo=dt.UTC)
    taken = {persona.username for persona in PERSONAS}
    users: list[User] = []
    roles: list[tuple[User, str]] = []
    memberships: list[tuple[User, str, dt.date | None]] = []
    for persona in PERSONAS:
        user = User(
            username=persona.username,
            first_name=persona.first_name,
            last_name=persona.last_name,
            email=f"{persona.username}@{DEMO_EMAIL_DOMAIN}",
            job_title=persona.job_title,
            agency=agency_by_name.get(persona.agency) if persona.agency else None,
            password=password_hash,
            date_joined=joined,
        )
        users.append(user)
        roles.extend((user, role) for role in persona.roles)
        if persona.team:
            memberships.append((user, persona.team, None))
            if "practitioner" in persona.roles:
                ref.practitioners.setdefault(persona.team, []).append(
                    StaffMember(user, persona.team)
                )
            if "team_leader" in persona.roles:
                ref.team_leaders.setdefault(persona.team, []).append(user)
        if persona.agency:
            ref.partner_user_for_agency[persona.agency] = user
    # Ten practitioners and one or two team leaders per team; one practitioner in each team left
    # a few months ago, so historic episodes show a name no longer on the team.
    for team_name, leaders in ((TEESSIDE_TEAM, 1), (DURHAM_TEAM, 2)):
        for number in range(10 + leaders):
            is_leader = number < leaders
            female = rng.random() < 0.7  # the nursing workforce is mostly women
            first = rng.choice(names.FEMALE_GIVEN_NAMES if female else names.MALE_GIVEN_NAMES)
            last = rng.choice(names.NORTH_EAST_FAMILY_NAMES)
            username = _username(first, last, taken)
            title = "L&D team leader" if is_leader else STAFF_JOB_TITLES[number - leaders]
            left_on = None
            if number == 10 + leaders - 1:
                left_on = (now - dt.timedelta(days=120 + rng.randrange(60))).date()
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                job_title=f"{title}, {team_name.replace(' L&D team', '')} team",
                password=password_hash,
                date_joined=joined,
                is_active=left_on is None,
            )
            users.append(user)
            roles.append((user, RoleName.TEAM_LEADER if is_leader else RoleName.PRACTITIONER))
            memberships.append((user, team_name, left_on))
            if is_leader:
                ref.team_leaders.setdefault(team_name, []).append(user)
            else:
                ref.practitioners.setdefault(team_name, []).append(
                    StaffMember(user, team_name, left_on)
                )
    User.objects.bulk_create(users)
    admin = next(user for user in users if user.username == "demo-admin")
    granted_at = joined
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            user=user,
            role=role,
            granted_at=granted_at,
            granted_by=None if user is admin else admin,
        )
        for user, role in roles
    )
    TeamMembership.objects.bulk_create(
        TeamMembership(user=user, team=ref.teams[team], joined_on=start_day, left_on=left_on)
        for user, team, left_on in memberships
    )
    ref.users = {user.username: user for user in users}
    ref.counts["users"] = len(users)


# Categories whose services in the demo take self-referrals (Open Referral UK referral route).
_SELF_REFERRAL = {
    "debt_and_benefits",
    "housing",
    "domestic_abuse_support",
    "veterans",
    "womens_services",
    "voluntary_sector",
    "education_employment",
    "gp_primary_care",
}


def _eligibility(spec: ServiceSpec) -> str:
    if spec.max_age is not None and spec.max_age < 18:  # noqa: PLR2004 - adulthood
        who = f"Children and young people aged {spec.min_age or 0} to {spec.max_age}"
    elif spec.min_age is not None and spec.min_age >= 18:  # noqa: PLR2004 - adulthood
        who = f"Adults aged {spec.min_age} and over"
    elif spec.min_age is not None:
        who = f"People aged {spec.min_age} and over"
    else:
        who = "People of any age"
    if "reconnect" in spec.categories:
        who += " leaving prison or an immigration removal centre with a health need"
    return who + "."


def _build_directory(ref: Reference, rng: Random, now: dt.datetime) -> None:
    organisations: dict[str, DirectoryOrganisation] = {}
    for spec in DIRECTORY:
        if spec.organisation not in organisations:
            slug = spec.organisation.lower().replace(" (synthetic)", "")
            slug = "".join(ch if ch.isalnum() else "-" for ch in slug).strip("-")
            number = len(organisations)
            organisations[spec.organisation] = DirectoryOrganisation(
                name=spec.organisation,
                description="Fictional organisation for demonstration data.",
                website=f"https://{slug[:40]}.example.org/",
                email=f"enquiries.{number + 1:02d}@example.org",
                phone=f"01632 961{number * 37 % 1000:03d}",
            )
    DirectoryOrganisation.objects.bulk_create(organisations.values())
    services = []
    for number, spec in enumerate(DIRECTORY):
        area_names = [dict(FORCE_AREAS)[area] for area in spec.areas]
        services.append(
            DirectoryService(
                organisation=organisations[spec.organisation],
                name=spec.name,
                description=spec.description,
                categories=list(spec.categories),
                eligibility=_eligibility(spec),
                min_age=spec.min_age,
                max_age=spec.max_age,
                area_description=" and ".join(area_names) or "Anywhere",
                hours=spec.hours,
                # Ofcom's drama range 01632 960000-960999 is never allocated to real lines.
                phone=f"01632 960{number * 31 % 1000:03d}",
                email=f"referrals.{number + 1:02d}@example.org",
                website=f"{organisations[spec.organisation].website}services/{number + 1}/",
                address=f"Unit {number + 1}, Example Business Park (synthetic)",
                referral_route="Secure email or telephone; self-referral where stated.",
                is_self_referral_accepted=bool(_SELF_REFERRAL & set(spec.categories)),
                accessibility="Step-free access; interpreters on request.",
                languages="English; interpreters for other languages and BSL on request",
                updated_at=now,
            )
        )
    DirectoryService.objects.bulk_create(services)
    through = DirectoryService.areas_served.through
    through.objects.bulk_create(
        through(directoryservice_id=service.pk, forcearea_id=ref.areas[area].pk)
        for service, spec in zip(services, DIRECTORY, strict=True)
        for area in spec.areas
    )
    for service, spec in zip(services, DIRECTORY, strict=True):
        for area in spec.areas:
            for youth in (True, False):
                age = 15 if youth else 30
                if spec.min_age is not None and age < spec.min_age:
                    continue
                if spec.max_age is not None and age > spec.max_age:
                    continue
                for category in spec.categories:
                    ref.services.setdefault((area, youth, category), []).append(service)
    ref.counts["directory_services"] = len(services)


def _build_instruments(ref: Reference, now: dt.datetime, years: int) -> None:
    # The engine's migration publishes the definitions; the newest version of each is used.
    # A stand-in is written only where none exists (see instruments.PLACEHOLDER_NOTE).
    existing: dict[str, InstrumentVersion] = {}
    row: InstrumentVersion | None
    for row in InstrumentVersion.objects.filter(slug__in=instruments.SLUGS).order_by("version"):
        existing[row.slug] = row
    published_at = now - dt.timedelta(days=365 * (years + 4))
    for slug in instruments.SLUGS:
        row = existing.get(slug)
        if row is None:
            definition = instruments.placeholder_definition(slug)
            row = InstrumentVersion.objects.create(
                slug=slug,
                version=1,
                title=definition["title"],
                checksum=instruments.checksum(definition),
                definition=definition,
                licence_note=instruments.PLACEHOLDER_NOTE,
                published_at=published_at,
            )
        ref.instruments[slug] = row
    ref.scorer = instruments.Scorer({slug: row.definition for slug, row in ref.instruments.items()})
