"""Onward referral pages: the need, the service search, the referral and its status moves,
who may open them, and one access event per page that shows the person."""

import pytest

from divert.audit.models import AuditEvent
from divert.cases import actions as case_actions
from divert.cases.tests import factories
from divert.directory.tests import factories as directory_factories
from divert.referrals import actions
from divert.referrals.models import OnwardReferral
from divert.referrals.models import ReferralStatus as S

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def episode(author, service):
    return factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )


@pytest.fixture
def built(users, service):
    return directory_factories.directory(users["admin"], service)


@pytest.fixture
def need(episode, author):
    return case_actions.record_need(
        episode=episode,
        by=author,
        category="substance_misuse_alcohol",
        identified_by="ld_practitioner",
    )


@pytest.fixture
def referral(episode, built, author, need):
    return actions.create_referral(
        episode=episode, service=built["adult_drugs"], need=need, by=author
    )


def base(episode):
    return f"/episodes/{episode.pk}/referrals/"


def test_choose_need_lists_the_episodes_needs(client_for, episode, need):
    """Step 1 offers the recorded needs and "not for a recorded need"."""

    html = client_for("practitioner").get(base(episode) + "new/").content.decode()

    assert "Substance misuse - alcohol" in html
    assert "Not for a recorded need" in html


def test_choose_service_filters_by_need_area_and_age(client_for, episode, need, built):
    """An adult in the north with an alcohol need sees the north adult and national services,
    not the youth or housing ones."""

    html = (
        client_for("practitioner")
        .get(base(episode) + f"new/service/?need={need.pk}")
        .content.decode()
    )

    assert built["adult_drugs"].name in html
    assert built["national_drugs"].name in html
    assert "Young People" not in html
    assert "Housing" not in html.split("2 services")[1]
    assert html.index(built["adult_drugs"].name) < html.index(built["national_drugs"].name)


def test_choose_service_post_makes_a_draft_referral(client_for, episode, need, built):
    """Choosing a service makes a draft referral for the need and opens it."""

    response = client_for("practitioner").post(
        base(episode) + "new/service/", {"need": need.pk, "service": built["adult_drugs"].pk}
    )

    referral = OnwardReferral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == base(episode) + f"{referral.pk}/"
    assert (referral.need, referral.service, referral.status) == (
        need,
        built["adult_drugs"],
        S.DRAFT,
    )


def test_choose_service_need_from_another_episode_refused(
    client_for, episode, built, author, service
):
    """A need id from another episode sends the user back to choose again."""
    other = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
    foreign = case_actions.record_need(
        episode=other, by=author, category="accommodation", identified_by="ld_practitioner"
    )

    response = client_for("practitioner").post(
        base(episode) + "new/service/", {"need": foreign.pk, "service": built["adult_drugs"].pk}
    )

    assert response.status_code == 302
    assert not OnwardReferral.objects.exists()


def test_referral_detail_shows_history_and_next_moves(client_for, episode, referral):
    """The referral page shows the status, the history and the moves a draft can make."""

    html = client_for("practitioner").get(base(episode) + f"{referral.pk}/").content.decode()

    assert "Draft" in html
    assert "Mark as sent" in html
    assert "Close the referral" in html
    assert "Mark as accepted" not in html


def test_referral_detail_read_only_for_service_manager(client_for, episode, referral):
    """A service manager reads the referral but is offered no moves."""

    response = client_for("service_manager").get(base(episode) + f"{referral.pk}/")

    assert response.status_code == 200
    assert "Mark as sent" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("practitioner", 200),
        ("team_leader", 200),
        ("other_practitioner", 404),
        ("commissioner", 403),
        ("police", 403),
        ("admin", 403),
        ("anonymous", 302),
    ],
)
def test_referral_detail_by_role(client_for, episode, referral, role, status):
    """Only the episode's team (and service-wide readers) open the referral."""

    response = client_for(role).get(base(episode) + f"{referral.pk}/")

    assert response.status_code == status


def test_referral_from_another_episode_is_404(client_for, episode, referral, author, service):
    """A referral id under the wrong episode is not found."""
    other = factories.episode(
        author, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )

    response = client_for("practitioner").get(base(other) + f"{referral.pk}/")

    assert response.status_code == 404


def test_simple_move_posted_from_the_referral_page(client_for, episode, referral):
    """ "Mark as sent" moves the referral and adds the chase task."""

    response = client_for("practitioner").post(
        base(episode) + f"{referral.pk}/status/", {"to": "sent", "version": referral.version}
    )

    referral.refresh_from_db()
    assert response.status_code == 302
    assert referral.status == S.SENT
    assert episode.tasks.filter(title__startswith="Chase a response").exists()


def test_decline_without_reason_shows_the_error_summary(client_for, episode, referral, author):
    """Declining asks for the reason; without one the NHS.UK error summary names it."""
    referral = actions.change_status(referral=referral, by=author, to=S.SENT, expected_version=0)
    client = client_for("practitioner")
    form = client.get(base(episode) + f"{referral.pk}/status/?to=declined").content.decode()

    response = client.post(
        base(episode) + f"{referral.pk}/status/",
        {"to": "declined", "version": referral.version, "reason": ""},
    )

    html = response.content.decode()
    assert "Why did the service decline the referral?" in form
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_reason"' in html
    assert html.count("Give the reason the service declined the referral") == 2


def test_appointment_booked_through_the_form(client_for, episode, referral, author):
    """Booking takes the appointment date and time from the NHS.UK date input."""
    referral = actions.change_status(referral=referral, by=author, to=S.SENT, expected_version=0)
    referral = actions.change_status(
        referral=referral, by=author, to=S.ACCEPTED, expected_version=1
    )

    client_for("practitioner").post(
        base(episode) + f"{referral.pk}/status/",
        {
            "to": "appointment_booked",
            "version": referral.version,
            "first_appointment_at_day": "1",
            "first_appointment_at_month": "6",
            "first_appointment_at_year": "2030",
            "first_appointment_at_time": "10:30",
        },
    )

    referral.refresh_from_db()
    assert referral.status == S.APPOINTMENT_BOOKED
    assert referral.first_appointment_at.year == 2030


def test_stale_move_refused_with_a_message(client_for, episode, referral, users):
    """A move made from a page loaded before someone else's move changes nothing."""
    actions.change_status(referral=referral, by=users["team_leader"], to=S.SENT, expected_version=0)
    client = client_for("practitioner")

    response = client.post(
        base(episode) + f"{referral.pk}/status/",
        {"to": "closed", "version": 0, "reason": "Sent in error"},
        follow=True,
    )

    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert "Someone else changed this referral" in response.content.decode()


def test_refused_move_redirects_without_change(client_for, episode, referral):
    """A move the machine does not allow is refused."""

    response = client_for("practitioner").post(
        base(episode) + f"{referral.pk}/status/", {"to": "attended", "version": 0}
    )

    referral.refresh_from_db()
    assert response.status_code == 302
    assert referral.status == S.DRAFT


@pytest.mark.parametrize(
    ("path", "event"),
    [
        ("new/", "episode.viewed"),
        ("new/service/", "episode.viewed"),
        ("{referral}/", "referral.viewed"),
        ("{referral}/status/?to=closed", "referral.viewed"),
    ],
)
def test_each_page_writes_exactly_one_access_event(
    client_for, episode, referral, users, path, event
):
    """Every referral page that shows the person writes one access event for them."""
    client = client_for("practitioner")
    before = AuditEvent.objects.count()

    client.get(base(episode) + path.format(referral=referral.pk))

    assert AuditEvent.objects.count() == before + 1
    row = AuditEvent.objects.latest("sequence")
    assert (row.event, row.person_id, row.actor_id) == (
        event,
        episode.person_id,
        users["practitioner"].pk,
    )


def test_episode_page_shows_the_referral_and_the_next_step(client_for, episode, referral):
    """The episode timeline links the referral; "Refer on to a service" is offered."""

    html = client_for("practitioner").get(f"/episodes/{episode.pk}/").content.decode()

    assert f"Onward referral: {referral.service.name}" in html
    assert base(episode) + f"{referral.pk}/" in html
    assert "Refer on to a service" in html
