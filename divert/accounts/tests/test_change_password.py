"""Changing your own password (security.md B4/B6): the rules apply, mistakes are named on the
field, other sessions end, and each change or failed attempt is audited without the password."""

import pytest
from django.test import Client

from conftest import PASSWORD
from divert.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = "kettle-orchard-lantern-ninety"
URL = "/accounts/password/"


def change(client, current=PASSWORD, new=NEW, again=None):
    return client.post(
        URL,
        {"current_password": current, "new_password": new, "new_password_again": again or new},
    )


def test_change_password_and_stay_signed_in_here(client_for, users):
    client = client_for("practitioner")

    response = change(client)

    user = users["practitioner"]
    user.refresh_from_db()
    assert response.status_code == 302
    assert user.check_password(NEW)
    assert client.get("/episodes/").status_code == 200
    event = AuditEvent.objects.filter(event="account.password_changed").get()
    assert event.actor_id == user.pk
    assert NEW not in str(event.changes)
    assert PASSWORD not in str(event.changes)


def test_change_password_ends_the_other_sessions(client_for, users):
    elsewhere = client_for("practitioner")
    here = client_for("practitioner")

    change(here)

    assert elsewhere.get("/episodes/").status_code == 302
    assert "/accounts/sign-in/" in elsewhere.get("/episodes/")["Location"]


@pytest.mark.parametrize(
    ("current", "new", "again", "field", "message"),
    [
        ("wrong-password-entirely", NEW, None, "current_password", "current password is not"),
        (PASSWORD, "short-pw", None, "new_password", "at least 12 characters"),
        (PASSWORD, "password1234", None, "new_password", "too common"),
        (PASSWORD, NEW, NEW + "x", "new_password_again", "not the same"),
        (PASSWORD, PASSWORD, None, "new_password", "not just used"),
    ],
)
def test_bad_changes_are_named_on_the_field(client_for, users, current, new, again, field, message):
    response = change(client_for("practitioner"), current, new, again)

    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    assert f'href="#id_{field}"' in html
    assert message in html
    users["practitioner"].refresh_from_db()
    assert users["practitioner"].check_password(PASSWORD)


def test_a_wrong_current_password_is_audited(client_for, users):
    change(client_for("practitioner"), current="wrong-password-entirely")

    assert AuditEvent.objects.filter(
        event="account.password_change_failed", actor_id=users["practitioner"].pk
    ).exists()


def test_the_page_needs_the_second_factor(users):
    client = Client()
    client.post("/accounts/sign-in/", {"username": "practitioner", "password": PASSWORD})

    response = change(client)

    assert response.status_code in (302, 403)
    users["practitioner"].refresh_from_db()
    assert users["practitioner"].check_password(PASSWORD)
