"""Security events are logged (security.md D5), personal data never reaches the logs or the
audit payloads (D2), and no commissioner response carries a person identifier (A5).

The commissioner scan walks every route the role matrix lets a commissioner open, so a new
commissioner page is scanned as soon as it is added to ``tests/test_route_matrix.py``.
"""

import datetime as dt
import io
import json
import logging
import re
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, totp_code, totp_device
from divert.audit.models import AuditEvent
from divert.cases.tests import factories
from divert.people.identifiers import is_valid_nhs_number
from tests.test_route_matrix import ALLOW, EXPECTED, METHODS, route_urls  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

# Canary values: distinctive enough that any appearance outside the record is a leak.
CANARY_GIVEN, CANARY_FAMILY = "Quillon", "Zephyrwood"
CANARY_DOB = dt.date(1987, 2, 23)
CANARY_NHS = next(
    candidate
    for candidate in (f"999{n:07d}" for n in range(4_312_560, 4_400_000))
    if is_valid_nhs_number(candidate)
)
CANARY_PNC = "87/123456X"
DOB_FORMATS = ["1987-02-23", "23/02/1987", "23 February 1987", "23 Feb 1987"]


@pytest.fixture
def canary(service, users):
    """A person with canary identifiers and an episode on the north team's caseload."""
    person = factories.person(
        users["practitioner"],
        given_name=CANARY_GIVEN,
        family_name=CANARY_FAMILY,
        date_of_birth=CANARY_DOB,
        nhs_number=CANARY_NHS,
        pnc_id=CANARY_PNC,
    )
    episode = factories.episode(
        users["practitioner"],
        site=service["sites"]["north-custody"],
        team=service["teams"]["north"],
        subject=person,
    )
    return person, episode


def canary_strings(person):
    return [CANARY_GIVEN, CANARY_FAMILY, CANARY_NHS, person.local_id, *DOB_FORMATS]


def sign_in(client, username, *, address="10.9.0.1", password=PASSWORD):
    return client.post(
        "/accounts/sign-in/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def events():
    return list(AuditEvent.objects.order_by("sequence").values_list("event", flat=True))


# D5 ------------------------------------------------------------------------------------------


def test_every_security_event_in_the_inventory_is_logged(users, service, canary, client_for):
    """Sign-in success and failure, second factor success and failure, lockout, an
    authorisation failure, break-glass and an export each write their audit event, with who,
    from where and by which route."""
    person, _ = canary
    device = totp_device(users["practitioner"])

    client = Client()
    sign_in(client, "practitioner", password="not-the-password")
    sign_in(client, "practitioner")
    client.post("/accounts/two-factor/", {"token": totp_code(device)}, REMOTE_ADDR="10.9.0.1")
    wrong_code = Client()
    totp_device(users["service_manager"])
    sign_in(wrong_code, "service-manager")
    wrong_code.post("/accounts/two-factor/", {"token": "000000"}, REMOTE_ADDR="10.9.0.2")

    for attempt in range(6):
        sign_in(Client(), "team-leader", password="wrong", address=f"10.8.0.{attempt}")

    other = client_for("other_practitioner")
    other.get(reverse("people:person_detail", args=[person.pk]))
    other.post(
        reverse("people:break_glass", args=[person.pk]),
        {"reason": "Arrested in South custody tonight; says he is known to North team"},
    )
    client_for("ig").get(reverse("audit:person_access_csv", args=[person.pk]))

    logged = set(events())
    inventory = {
        "account.sign_in_failed",
        "account.signed_in",
        "account.second_factor_failed",
        "account.second_factor_verified",
        "account.locked_out",
        "person.denied",
        "access.break_glass",
        "audit.person_access_exported",
    }
    assert inventory <= logged, f"not logged: {sorted(inventory - logged)}"
    failed = AuditEvent.objects.filter(event="account.sign_in_failed").order_by("sequence")[0]
    assert failed.ip_address == "10.9.0.1"
    assert failed.route
    glass = AuditEvent.objects.get(event="access.break_glass")
    assert glass.actor_username == "other-practitioner"
    assert glass.person_id == person.pk
    assert "South custody" in glass.reason


# D2 ------------------------------------------------------------------------------------------


def test_no_personal_data_in_logs_or_audit_payloads(canary, client_for, caplog):
    """Exercise the person's record in every way a practitioner reads it; the canary name, date
    of birth, NHS number and local ID appear in no log record and in no audit row."""
    person, episode = canary
    caplog.set_level(logging.DEBUG)
    client = client_for("practitioner")
    client.get(reverse("people:person_detail", args=[person.pk]))
    client.get(reverse("cases:episode_detail", args=[episode.pk]))
    client.get(reverse("cases:caseload"))
    client.post(
        reverse("cases:intake_search"),
        {"nhs_number": CANARY_NHS, "given_name": CANARY_GIVEN, "family_name": CANARY_FAMILY},
    )
    client_for("other_practitioner").get(reverse("people:person_detail", args=[person.pk]))
    client_for("ig").get(reverse("audit:person_access_csv", args=[person.pk]))

    logs = "\n".join(record.getMessage() for record in caplog.records)
    audit = json.dumps(list(AuditEvent.objects.values()), default=str)  # every column of every row
    assert AuditEvent.objects.filter(person_id=person.pk).exists()
    for value in canary_strings(person):
        assert value not in logs, f"{value!r} found in a log record"
        assert value not in audit, f"{value!r} found in an audit row"


# A5 ------------------------------------------------------------------------------------------

NHS_LIKE = re.compile(r"(?<!\d)(\d{3}[ -]?\d{3}[ -]?\d{4})(?!\d)")


def response_text(response):
    """The text of an HTML, CSV or JSON response, or of every sheet of an Excel workbook."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # an .xlsx workbook is a zip of XML parts
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return "\n".join(
                workbook.read(name).decode("utf-8", "replace")
                for name in workbook.namelist()
                if name.endswith(".xml")
            )
    return content.decode("utf-8", "replace")


def test_commissioner_responses_carry_no_person_identifier(canary, route_urls, client_for):  # noqa: F811
    """Every route a commissioner may open, with a canary person and the matrix's own records
    in the database: no name, date of birth, NHS number, PNC ID or local ID in any response,
    and nothing that passes the NHS number check digit."""
    person, _ = canary
    client = client_for("commissioner")
    allowed = [name for name, row in EXPECTED.items() if row["commissioner"] == ALLOW]
    assert allowed, "the commissioner should be able to open at least the home page"

    scanned = 0
    for name in allowed:
        method = METHODS.get(name, "get")
        response = getattr(client, method)(route_urls[name])
        assert response.status_code < 400, name
        text = response_text(response)
        scanned += 1
        for value in [*canary_strings(person), CANARY_PNC]:
            assert value not in text, f"{value!r} in the commissioner's {name}"
        for match in NHS_LIKE.findall(text):
            digits = re.sub(r"\D", "", match)
            assert not is_valid_nhs_number(digits), f"NHS number {digits} in {name}"
        assert "DIV-" not in text, f"a local person ID in {name}"
    assert scanned == len(allowed)
