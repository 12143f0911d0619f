"""The role x route matrix (security.md A1/A2): every URL pattern, requested as every role.

Each route declares what each role gets: ``ALLOW`` (a 2xx page), ``DENY`` (403 or 404), or
``LOGIN`` (a redirect to sign in). The test fails on an unexpected allow, an unexpected deny, or
a route that is not in the table, so a new view cannot ship without a decision about who may
open it.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from divert.accounts import actions as account_actions
from divert.audit.models import AuditEvent
from divert.cases import actions
from divert.cases.tests import factories
from divert.people import actions as people_actions
from divert.screening import actions as screening
from divert.screening import registry
from divert.screening.models import InstrumentVersion

ALLOW, DENY, LOGIN = "allow", "deny", "login"
ROLES = [
    "anonymous",
    "practitioner",
    "other_practitioner",
    "team_leader",
    "service_manager",
    "commissioner",
    "police",
    "court",
    "ig",
    "admin",
]
STAFF_ONLY = {role: ALLOW for role in ROLES if role != "anonymous"} | {"anonymous": LOGIN}
PUBLIC = {role: ALLOW for role in ROLES}
CLINICAL_CASELOAD = {
    "anonymous": LOGIN,
    "practitioner": ALLOW,
    "other_practitioner": DENY,
    "team_leader": ALLOW,
    "service_manager": ALLOW,
    "commissioner": DENY,
    "police": DENY,
    "court": DENY,
    "ig": DENY,
    "admin": DENY,
}
CASELOAD_LIST = CLINICAL_CASELOAD | {"other_practitioner": ALLOW}
IG_ONLY = {role: DENY for role in ROLES} | {"anonymous": LOGIN, "ig": ALLOW}
# Recording under an episode: clinical roles in the episode's team (service managers and IG
# read, but do not record).
CLINICAL_WRITE = CLINICAL_CASELOAD | {"service_manager": DENY}
# Intake searches the whole service, so any practitioner or team leader in a team may start it.
INTAKE = CLINICAL_WRITE | {"other_practitioner": ALLOW}
PARTNERS = {role: DENY for role in ROLES} | {"anonymous": LOGIN, "police": ALLOW, "court": ALLOW}
# Duplicate review: team leaders and service managers (MERGE_PEOPLE).
MERGERS = {role: DENY for role in ROLES} | {
    "anonymous": LOGIN,
    "team_leader": ALLOW,
    "service_manager": ALLOW,
}
# Document approval and sharing (#6): team leaders and service managers (APPROVE_DISCLOSURE).
APPROVERS = {role: DENY for role in ROLES} | {
    "anonymous": LOGIN,
    "team_leader": ALLOW,
    "service_manager": ALLOW,
}
# The directory of services (#6): read by clinical staff and administrators, kept by admins.
DIRECTORY_READ = {role: DENY for role in ROLES} | {
    "anonymous": LOGIN,
    "practitioner": ALLOW,
    "other_practitioner": ALLOW,
    "team_leader": ALLOW,
    "service_manager": ALLOW,
    "admin": ALLOW,
}
DIRECTORY_ADMIN = {role: DENY for role in ROLES} | {"anonymous": LOGIN, "admin": ALLOW}

# Route name -> expected outcome per role. Object routes are requested for an episode on the
# north team's caseload (the "practitioner" and "team_leader" fixtures are in that team).
EXPECTED: dict[str, dict[str, str]] = {
    "core:home": STAFF_ONLY,
    "core:about": PUBLIC,
    "core:healthz": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:logout": STAFF_ONLY,
    "accounts:two_factor_verify": STAFF_ONLY,
    "accounts:two_factor_setup": STAFF_ONLY,
    "accounts:change_password": STAFF_ONLY,
    "cases:caseload": CASELOAD_LIST,
    "cases:episode_detail": CLINICAL_CASELOAD,
    "people:person_detail": CLINICAL_CASELOAD,
    "people:break_glass": {
        role: ALLOW if role in {"practitioner", "other_practitioner", "team_leader"} else DENY
        for role in ROLES
    }
    | {"anonymous": LOGIN},
    "audit:ig_home": IG_ONLY,
    "audit:person_access": IG_ONLY,
    "audit:person_access_csv": IG_ONLY,
    "audit:access_reviews": IG_ONLY | {"team_leader": ALLOW},
    "audit:review_grant": IG_ONLY | {"team_leader": ALLOW},
    "cases:allocate": {role: DENY for role in ROLES}
    | {"anonymous": LOGIN, "team_leader": ALLOW, "service_manager": ALLOW},
    "cases:intake_search": INTAKE,
    "cases:intake_person": INTAKE,
    "cases:intake_referral": INTAKE,
    "cases:record_offer": CLINICAL_WRITE,
    "cases:correct_offer": CLINICAL_WRITE,
    "cases:record_needs": CLINICAL_WRITE,
    "cases:record_assessment": CLINICAL_WRITE,
    "cases:edit_assessment": CLINICAL_WRITE,
    "cases:record_contact": CLINICAL_WRITE,
    "cases:add_task": CLINICAL_WRITE,
    "cases:complete_task": CLINICAL_WRITE,
    "cases:record_police_outcome": CLINICAL_WRITE,
    "cases:record_court_hearing": CLINICAL_WRITE,
    "cases:close_episode": CLINICAL_WRITE,
    "cases:reopen_episode": CLINICAL_WRITE,
    "people:raise_alert": CLINICAL_WRITE,
    "people:end_alert": CLINICAL_WRITE,
    "screening:choose_instrument": CLINICAL_WRITE,
    "screening:answer": CLINICAL_WRITE,
    "screening:result": CLINICAL_CASELOAD,
    "screening:override": CLINICAL_WRITE,
    "screening:record_need": CLINICAL_WRITE,
    "sharing:inbox": PARTNERS,
    "sharing:disclosure_detail": PARTNERS | {"court": DENY},
    "sharing:acknowledge": PARTNERS | {"court": DENY},
    "sharing:document_pdf": CLINICAL_CASELOAD,
    "sharing:partner_document_pdf": PARTNERS | {"court": DENY},
    # Duplicate review, merge and unmerge (#8): MERGE_PEOPLE holders, for people in scope.
    "duplicates:queue": MERGERS,
    "duplicates:run": MERGERS,
    "duplicates:compare": MERGERS,
    "duplicates:merge": MERGERS,
    "duplicates:unmerge": MERGERS,
    # Directory of services and onward referrals (#6): clinical staff and administrators read
    # the directory (no personal data), administrators maintain it; referrals are recorded
    # under the episode like any clinical record.
    "directory:service_list": DIRECTORY_READ,
    "directory:service_detail": DIRECTORY_READ,
    "directory:add_service": DIRECTORY_ADMIN,
    "directory:edit_service": DIRECTORY_ADMIN,
    "directory:deactivate_service": DIRECTORY_ADMIN,
    "directory:reactivate_service": DIRECTORY_ADMIN,
    "directory:add_organisation": DIRECTORY_ADMIN,
    "directory:edit_organisation": DIRECTORY_ADMIN,
    "directory:import_csv": DIRECTORY_ADMIN,
    "directory:export_csv": DIRECTORY_ADMIN,
    "referrals:choose_need": CLINICAL_WRITE,
    "referrals:choose_service": CLINICAL_WRITE,
    "referrals:referral_detail": CLINICAL_CASELOAD,
    "referrals:change_status": CLINICAL_WRITE,
    # Reporting dashboards and downloads (#7): team leaders (their sites), service managers and
    # commissioners (suppressed); practitioners, partners, IG and administrators are refused.
    # The monthly return covers the whole service, so team leaders do not download it.
    "reporting:dashboard": {role: DENY for role in ROLES}
    | {"anonymous": LOGIN, "team_leader": ALLOW, "service_manager": ALLOW, "commissioner": ALLOW},
    "reporting:kpis_csv": {role: DENY for role in ROLES}
    | {"anonymous": LOGIN, "team_leader": ALLOW, "service_manager": ALLOW, "commissioner": ALLOW},
    "reporting:monthly_return": {role: DENY for role in ROLES}
    | {"anonymous": LOGIN, "service_manager": ALLOW, "commissioner": ALLOW},
    "reporting:monthly_return_csv": {role: DENY for role in ROLES}
    | {"anonymous": LOGIN, "service_manager": ALLOW, "commissioner": ALLOW},
    "reporting:monthly_return_xlsx": {role: DENY for role in ROLES}
    | {"anonymous": LOGIN, "service_manager": ALLOW, "commissioner": ALLOW},
    # Consent, documents and disclosures (issue #6): read by the episode's clinical team,
    # recorded by its practitioners and team leaders, approved and shared by those who may
    # approve disclosures (team leaders, service managers).
    "episode_sharing:overview": CLINICAL_CASELOAD,
    "episode_sharing:record_consent": CLINICAL_WRITE,
    "episode_sharing:draft_document": CLINICAL_WRITE,
    "episode_sharing:document_detail": CLINICAL_CASELOAD,
    "episode_sharing:revise_document": CLINICAL_WRITE,
    "episode_sharing:submit_document": CLINICAL_WRITE,
    "episode_sharing:approve_document": APPROVERS,
    "episode_sharing:return_document": APPROVERS,
    "episode_sharing:share_document": APPROVERS,
    "episode_sharing:record_decision": CLINICAL_WRITE,
    "sharing:approvals": APPROVERS,
}
# Routes that only answer POST are requested with POST (an empty form).
METHODS = {
    "audit:review_grant": "post",
    "sharing:acknowledge": "post",
    "cases:allocate": "post",
    "cases:complete_task": "post",
    "screening:record_need": "post",
    "duplicates:run": "post",
    "directory:deactivate_service": "post",
    "directory:reactivate_service": "post",
    "episode_sharing:submit_document": "post",
    "episode_sharing:approve_document": "post",
}


def all_route_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.extend(all_route_names(pattern, inner))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}{pattern.name}")
    return names


def test_route_table_covers_every_route():
    """Every named URL pattern has a row in the expectation table, and no row is stale."""
    routes = set(all_route_names())

    assert routes - set(EXPECTED) == set(), "routes missing from EXPECTED"
    assert set(EXPECTED) - routes == set(), "EXPECTED names routes that do not exist"


def test_every_route_is_named():
    """Unnamed routes would escape the matrix, so every pattern must have a name."""

    def walk(resolver):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern)
            else:
                yield pattern

    unnamed = [str(p.pattern) for p in walk(get_resolver()) if not p.name]

    assert unnamed == []


@pytest.fixture
def route_urls(service, users):
    from django.urls import reverse

    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    # A grant on a different person, so the matrix's own episode stays out of other teams' reach.
    glass_broken_for = factories.person(users["practitioner"], given_name="Glass")
    grant = account_actions.grant_access(
        user=users["other_practitioner"],
        person=glass_broken_for,
        kind="break_glass",
        reason="Seen in South custody tonight, says known to North team",
        by=users["other_practitioner"],
    )
    disclosure = share_with_police(episode, users)
    document = draft_document(episode, users)
    author = users["practitioner"]
    offer = actions.record_offer(episode=episode, by=author, outcome="accepted")
    assessment = actions.record_assessment(
        episode=episode, by=author, started_at=episode.referral_received_at
    )
    task = actions.add_task(
        episode=episode, by=author, title="Call back", due_on=timezone.localdate()
    )
    alert = people_actions.raise_alert(
        person=episode.person, by=author, category="other", description="Prefers phone calls"
    )
    # One screening in progress (the questions) and one completed, positive (result, override
    # and the suggested need).
    unfinished, screened = screening_on(episode, author)
    object_args = {
        "cases:episode_detail": [episode.pk],
        "cases:allocate": [episode.pk],
        "people:person_detail": [episode.person_id],
        "people:break_glass": [episode.person_id],
        "audit:person_access": [episode.person_id],
        "audit:person_access_csv": [episode.person_id],
        "audit:review_grant": [grant.pk],
        "sharing:disclosure_detail": [disclosure.pk],
        "sharing:acknowledge": [disclosure.pk],
        "sharing:document_pdf": [episode.pk, document.pk],
        "sharing:partner_document_pdf": [disclosure.pk],
        "cases:record_offer": [episode.pk],
        "cases:correct_offer": [episode.pk, offer.pk],
        "cases:record_needs": [episode.pk],
        "cases:record_assessment": [episode.pk],
        "cases:edit_assessment": [episode.pk, assessment.pk],
        "cases:record_contact": [episode.pk],
        "cases:add_task": [episode.pk],
        "cases:complete_task": [episode.pk, task.pk],
        "cases:record_police_outcome": [episode.pk],
        "cases:record_court_hearing": [episode.pk],
        "cases:close_episode": [episode.pk],
        "cases:reopen_episode": [episode.pk],
        "people:raise_alert": [episode.person_id],
        "people:end_alert": [episode.person_id, alert.pk],
        "screening:choose_instrument": [episode.pk],
        "screening:answer": [episode.pk, unfinished.pk],
        "screening:result": [episode.pk, screened.pk],
        "screening:override": [episode.pk, screened.pk],
        "screening:record_need": [episode.pk, screened.pk],
        **duplicate_review_args(author, service),
        **referral_route_args(episode, users, service),
        "reporting:monthly_return_csv": [f"{timezone.localdate():%Y-%m}"],
        "reporting:monthly_return_xlsx": [f"{timezone.localdate():%Y-%m}"],
        # Consent, documents and disclosures (issue #6).
        "episode_sharing:overview": [episode.pk],
        "episode_sharing:record_consent": [episode.pk],
        "episode_sharing:draft_document": [episode.pk],
        "episode_sharing:document_detail": [episode.pk, document.pk],
        "episode_sharing:revise_document": [episode.pk, document.pk],
        "episode_sharing:submit_document": [episode.pk, document.pk],
        "episode_sharing:approve_document": [episode.pk, document.pk],
        "episode_sharing:return_document": [episode.pk, document.pk],
        "episode_sharing:share_document": [episode.pk, document.pk],
        "episode_sharing:record_decision": [episode.pk, disclosure.pk],
    }
    return {name: reverse(name, args=object_args.get(name)) for name in EXPECTED}


def referral_route_args(episode, users, service):
    """A directory and a draft onward referral on the episode (#6)."""
    from divert.directory.tests.factories import directory
    from divert.referrals import actions as referral_actions

    listed = directory(users["admin"], service)["adult_drugs"]
    referral = referral_actions.create_referral(
        episode=episode, service=listed, by=users["practitioner"]
    )
    return {
        "directory:service_detail": [listed.pk],
        "directory:edit_service": [listed.pk],
        "directory:edit_organisation": [listed.organisation_id],
        "directory:deactivate_service": [listed.pk],
        "directory:reactivate_service": [listed.pk],
        "referrals:choose_need": [episode.pk],
        "referrals:choose_service": [episode.pk],
        "referrals:referral_detail": [episode.pk, referral.pk],
        "referrals:change_status": [episode.pk, referral.pk],
    }


def screening_on(episode, by):
    """A GAD-7 started and a PHQ-9 completed with a positive result, through the actions."""
    registry.sync_instruments()
    versions = {row.slug: row for row in InstrumentVersion.objects.filter(version=1)}
    unfinished = screening.start_administration(
        episode=episode, instrument_version=versions["gad-7"], by=by
    )
    screened = screening.start_administration(
        episode=episode, instrument_version=versions["phq-9"], by=by
    )
    screening.save_answers(
        administration=screened, answers={f"q{n}": "2" for n in range(1, 10)}, by=by
    )
    screening.complete_administration(administration=screened, by=by)
    return unfinished, screened


def share_with_police(episode, users):
    """A disclosure to the police agency, on consent, as the disclosures workflow will make."""
    from django.utils import timezone

    from divert.sharing.models import ConsentDecision, Disclosure

    consent = ConsentDecision.objects.create(
        episode=episode,
        recipient_class="police",
        purpose="charging_decision",
        decision="given",
        given_by="person",
        scope=["needs"],
        decided_at=timezone.now(),
        recorded_by=users["practitioner"],
    )
    return Disclosure.objects.create(
        episode=episode,
        agency=users["police"].agency,
        purpose="charging_decision",
        lawful_basis="consent",
        consent=consent,
        summary="Fit for interview with an appropriate adult.",
        created_at=timezone.now(),
        created_by=users["practitioner"],
        shared_at=timezone.now(),
    )


def draft_document(episode, users):
    """A drafted court report on the episode, as the disclosures workflow will make."""
    from divert.sharing.models import Document

    return Document.objects.create(
        episode=episode,
        kind="court_report",
        content={"summary": "Seen in the court cells."},
        drafted_at=timezone.now(),
        drafted_by=users["practitioner"],
    )


def outcome_of(response):
    if response.status_code in (301, 302) and "/accounts/sign-in/" in response["Location"]:
        return LOGIN
    if response.status_code in (403, 404):
        return DENY
    if 200 <= response.status_code < 400:
        return ALLOW
    return f"unexpected status {response.status_code}"


@pytest.mark.django_db
def test_role_route_matrix(route_urls, client_for):
    """Each role gets exactly the declared outcome on every route (V routes x R roles)."""
    mismatches = []
    cells = 0

    for role in ROLES:
        client = client_for(role)
        for name, url in route_urls.items():
            cells += 1
            got = outcome_of(getattr(client, METHODS.get(name, "get"))(url))
            if got != EXPECTED[name][role]:
                method = METHODS.get(name, "get").upper()
                expected = EXPECTED[name][role]
                mismatches.append(f"{role} {method} {name}: expected {expected}, got {got}")

    assert mismatches == []
    assert cells == len(EXPECTED) * len(ROLES)


def duplicate_review_args(author, service):
    """A queued pair and a standing merge, each of two people on the north caseload (#8)."""
    from divert.linkage import actions as linkage

    site, team = service["sites"]["north-custody"], service["teams"]["north"]

    def twin(given, family):
        person = factories.person(author, given_name=given, family_name=family)
        factories.episode(author, site=site, team=team, subject=person)
        return person

    twin("Lee", "Marshall"), twin("Leigh", "Marshall")
    kept, gone = twin("Jon", "Pickering"), twin("John", "Pickering")
    merge = linkage.merge_people(survivor=kept, merged=gone, by=author, reason="For the matrix")
    linkage.find_duplicates(by=author)
    from divert.linkage.models import DuplicateCandidate

    candidate = DuplicateCandidate.objects.get(first__given_name="Lee")
    return {
        "duplicates:compare": [candidate.pk],
        "duplicates:merge": [candidate.pk],
        "duplicates:unmerge": [merge.pk],
    }


# IDOR (security.md A2): every route that opens an object on a caseload, asked for by a
# practitioner in another team, answers 404 (not 403, so the record's existence is not
# revealed), for the real id and for guessed ids beside it, and each attempt leaves one
# ``denied`` audit row. The routes come from the table above, so a new object route is covered
# as soon as it is declared.

CASELOAD_OBJECT_ROUTES = sorted(
    name
    for name, expected in EXPECTED.items()
    if expected["practitioner"] == ALLOW and expected["other_practitioner"] == DENY
)


def guessed(url):
    """The same URL with every id moved on by 1,000: what someone walking ids would try."""
    return re.sub(r"/(\d+)/", lambda m: f"/{int(m.group(1)) + 1000}/", url)


def object_routes(route_urls):
    """The caseload routes whose URL carries an object id."""
    return [name for name in CASELOAD_OBJECT_ROUTES if re.search(r"/\d+/", route_urls[name])]


@pytest.mark.django_db
def test_there_are_object_routes_to_check(route_urls):
    assert len(object_routes(route_urls)) >= 30


@pytest.mark.django_db
def test_another_teams_objects_are_404_and_each_attempt_is_audited(route_urls, client_for, users):
    client = client_for("other_practitioner")
    actor = users["other_practitioner"].pk
    wrong = []
    checked = 0
    names = object_routes(route_urls)

    for name in names:
        url = route_urls[name]
        for attempt in (url, guessed(url)):
            before = AuditEvent.objects.filter(actor_id=actor, action="denied").count()
            response = getattr(client, METHODS.get(name, "get"))(attempt)
            after = AuditEvent.objects.filter(actor_id=actor, action="denied").count()
            checked += 1
            if response.status_code != 404:
                wrong.append(f"{name} {attempt}: status {response.status_code}")
            if after - before != 1:
                wrong.append(f"{name} {attempt}: {after - before} denied audit rows")

    assert wrong == []
    assert checked == 2 * len(names)
