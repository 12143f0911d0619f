"""Partners see only disclosures to their own agency, and only what the consent covers
(security.md A4; scenario 9)."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from conftest import make_user, sign_in_with_second_factor
from divert.accounts.roles import RoleName
from divert.audit.models import AuditEvent
from divert.cases.tests import factories
from divert.organisation.models import Agency
from divert.sharing import actions
from divert.sharing.models import ConsentDecision, Disclosure, Document
from divert.sharing.sections import SECTION_CODES

CANARY = {code: f"CANARY-{code.upper()}-7f3a" for code in SECTION_CODES}
SCOPABLE = sorted(SECTION_CODES - {"summary"})


def disclose(episode, author, agency, *, scope, basis="consent", withdraw=False):
    now = timezone.now()
    consent = None
    if basis == "consent":
        consent = ConsentDecision.objects.create(
            episode=episode,
            recipient_class=agency.recipient_class,
            purpose="charging_decision",
            decision="given",
            given_by="person",
            scope=list(scope),
            decided_at=now - dt.timedelta(hours=2),
            recorded_by=author,
        )
    document = Document.objects.create(
        episode=episode,
        kind="custody_advice_note",
        status="draft",
        content=dict(CANARY),
        drafted_at=now - dt.timedelta(hours=1),
        drafted_by=author,
    )
    disclosure = Disclosure.objects.create(
        episode=episode,
        agency=agency,
        purpose="charging_decision",
        lawful_basis=basis,
        consent=consent,
        document=document,
        created_at=now - dt.timedelta(minutes=30),
        created_by=author,
        shared_at=now - dt.timedelta(minutes=20),
        lawful_basis_detail="" if basis == "consent" else "Child at risk: s47 enquiry",
        approved_by=None if basis == "consent" else author,
        approved_at=None if basis == "consent" else now - dt.timedelta(minutes=25),
    )
    if withdraw:
        ConsentDecision.objects.create(
            episode=episode,
            recipient_class=agency.recipient_class,
            purpose="charging_decision",
            decision="withdrawn",
            given_by="parental_responsibility",
            given_by_name="Kayla's mother",
            scope=list(scope),
            decided_at=now,
            recorded_by=author,
        )
    return disclosure


class PartnerConsentScopeTests(TestCase):
    """Every combination of consent scopes: nothing outside the consent reaches the partner."""

    @classmethod
    def setUpTestData(cls):
        from divert.organisation.models import ForceArea, LDService, Provider, Site, Team

        provider = Provider.objects.create(name="Trust (synthetic)", ods_code="ZZ8")
        ld = LDService.objects.create(provider=provider, name="L&D")
        area = ForceArea.objects.create(code="area", name="Area Police", service=ld)
        site = Site.objects.create(
            service=ld, force_area=area, code="suite", name="Suite", site_type="custody_suite"
        )
        team = Team.objects.create(service=ld, name="Team")
        team.sites.set([site])
        cls.agency = Agency.objects.create(name="Area Police", recipient_class="police")
        cls.author = make_user("author", [RoleName.PRACTITIONER], team=team)
        cls.partner = make_user("officer", [RoleName.PARTNER], agency=cls.agency)
        cls.episode = factories.episode(cls.author, site=site, team=team)

    @settings(
        max_examples=2 ** len(SCOPABLE), deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(scope=st.sets(st.sampled_from(SCOPABLE)))
    def test_partner_sees_exactly_the_consented_sections(self, scope):
        """The page shows the summary and the consented sections, and no other section."""
        disclosure = disclose(self.episode, self.author, self.agency, scope=scope)
        client = sign_in_with_second_factor(self.client_class(), self.partner)

        html = client.get(f"/shared/{disclosure.pk}/").content.decode()

        for code in SECTION_CODES:
            shown = code == "summary" or code in scope
            assert (CANARY[code] in html) is shown, (code, scope)


@pytest.mark.django_db
def test_other_basis_shows_the_approved_document(service, users, client_for):
    """A safeguarding disclosure approved by a team leader shows the whole approved document."""
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    disclosure = disclose(
        episode,
        users["practitioner"],
        service["agencies"]["police"],
        scope=[],
        basis="safeguarding",
    )

    html = client_for("police").get(f"/shared/{disclosure.pk}/").content.decode()

    assert all(canary in html for canary in CANARY.values())


@pytest.mark.django_db
def test_partner_never_sees_another_agencys_disclosure(service, users, client_for):
    """The court cannot open or list a disclosure made to the police; the try is audited."""
    subject = factories.person(users["practitioner"], family_name="Quixwhistle")
    episode = factories.episode(
        users["practitioner"],
        subject=subject,
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    disclosure = disclose(
        episode, users["practitioner"], service["agencies"]["police"], scope=["needs"]
    )
    court = client_for("court")

    detail = court.get(f"/shared/{disclosure.pk}/")
    inbox = court.get("/shared/").content.decode()

    assert detail.status_code == 404
    assert episode.person.family_name not in inbox
    assert AuditEvent.objects.filter(action="denied", actor_id=users["court"].pk).exists()


@pytest.mark.django_db
def test_partner_cannot_open_the_clinical_record(service, users, client_for):
    """A police partner who received a disclosure still cannot open the episode or person."""
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    disclose(episode, users["practitioner"], service["agencies"]["police"], scope=["needs"])
    police = client_for("police")

    assert police.get(f"/episodes/{episode.pk}/").status_code == 403
    assert police.get(f"/people/{episode.person_id}/").status_code == 403


@pytest.mark.django_db
def test_withdrawn_consent_is_shown_on_earlier_disclosures(service, users, client_for):
    """When consent is withdrawn later, the partner sees the withdrawal on what they hold."""
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    disclosure = disclose(
        episode,
        users["practitioner"],
        service["agencies"]["police"],
        scope=["needs"],
        withdraw=True,
    )
    police = client_for("police")

    detail = police.get(f"/shared/{disclosure.pk}/").content.decode()
    inbox = police.get("/shared/").content.decode()

    assert "Consent withdrawn" in detail
    assert "Do not use it for any new decision" in detail
    assert "Consent withdrawn" in inbox


@pytest.mark.django_db
def test_acknowledging_receipt_once(service, users, client_for):
    """The receiving partner acknowledges once; a second try is refused; both are audited."""
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    disclosure = disclose(
        episode, users["practitioner"], service["agencies"]["police"], scope=["needs"]
    )
    police = client_for("police")

    police.post(f"/shared/{disclosure.pk}/acknowledge/")
    disclosure.refresh_from_db()

    assert disclosure.acknowledged_by == users["police"]
    with pytest.raises(Exception, match="already been acknowledged"):
        actions.acknowledge_disclosure(disclosure=disclosure, by=users["police"])
    assert AuditEvent.objects.filter(event="disclosure.acknowledged").count() == 1


@pytest.mark.django_db
def test_every_partner_view_is_audited(service, users, client_for):
    """Listing the inbox and opening a disclosure each write one audit event."""
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
    )
    disclosure = disclose(
        episode, users["practitioner"], service["agencies"]["police"], scope=["needs"]
    )
    police = client_for("police")
    before = AuditEvent.objects.count()

    police.get("/shared/")
    police.get(f"/shared/{disclosure.pk}/")

    assert AuditEvent.objects.count() == before + 2
    viewed = AuditEvent.objects.get(event="disclosure.viewed")
    assert viewed.person_id == episode.person_id
