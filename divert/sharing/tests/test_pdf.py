"""Court reports and custody advice notes as PDF, read back with pypdf: what consent excludes is
absent, every page carries the person's identifiers, and the same record gives the same bytes."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.utils import timezone
from pypdf import PdfReader

from divert.cases.tests import factories
from divert.sharing.models import ConsentDecision, Disclosure, Document
from divert.sharing.pdf import render_disclosure_pdf, render_document_pdf
from divert.sharing.sections import SECTION_CODES

pytestmark = pytest.mark.django_db

CANARY = {code: f"CANARY-{code.upper()}-5e1b" for code in SECTION_CODES}
NHS_NUMBER = "9434765919"
APPROVED_AT = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC)


def snapshot_content(episode, author, **texts):
    """Document.content as drafting writes it: one text per section plus the snapshots."""
    person = episode.person
    return {
        **CANARY,
        **texts,
        "person": {
            "name": person.full_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "nhs_number": person.nhs_number,
            "pnc_id": person.pnc_id,
            "local_id": person.local_id,
        },
        "episode": {
            "site": episode.site.name,
            "referral_received_at": episode.referral_received_at.isoformat(),
        },
        "prepared_by": {"name": author.get_full_name(), "job_title": "Liaison practitioner"},
    }


def approved_document(episode, author, approver, *, kind="court_report", content=None):
    return Document.objects.create(
        episode=episode,
        kind=kind,
        status="approved",
        content=content if content is not None else snapshot_content(episode, author),
        drafted_at=APPROVED_AT - dt.timedelta(hours=2),
        drafted_by=author,
        approved_at=APPROVED_AT,
        approved_by=approver,
    )


def share(episode, author, agency, *, document, scope, basis="consent", approver=None):
    """A disclosure of ``document`` to ``agency``, on consent covering ``scope`` or on another
    lawful basis approved by ``approver``, as the disclosures workflow records it."""
    consent = None
    if basis == "consent":
        consent = ConsentDecision.objects.create(
            episode=episode,
            recipient_class=agency.recipient_class,
            purpose="sentencing_or_psr",
            decision="given",
            given_by="person",
            scope=list(scope),
            decided_at=APPROVED_AT - dt.timedelta(hours=3),
            recorded_by=author,
        )
    return Disclosure.objects.create(
        episode=episode,
        agency=agency,
        purpose="sentencing_or_psr",
        lawful_basis=basis,
        consent=consent,
        document=document,
        created_at=APPROVED_AT + dt.timedelta(minutes=5),
        created_by=author,
        shared_at=APPROVED_AT + dt.timedelta(minutes=10),
        lawful_basis_detail="" if basis == "consent" else "Adult at risk: section 42 enquiry",
        approved_by=None if basis == "consent" else approver,
        approved_at=None if basis == "consent" else APPROVED_AT + dt.timedelta(minutes=6),
    )


def page_texts(data):
    """Each page's text, with line breaks and runs of spaces as single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def author(users):
    return users["practitioner"]


@pytest.fixture
def approver(users):
    return users["team_leader"]


@pytest.fixture
def episode(service, author):
    subject = factories.person(
        author, given_name="Mark", family_name="Veteranson", nhs_number=NHS_NUMBER
    )
    return factories.episode(
        author,
        subject=subject,
        site=service["sites"]["north-court"],
        team=service["teams"]["north"],
    )


@pytest.fixture
def court(service):
    return service["agencies"]["court"]


def test_disclosure_pdf_leaves_out_what_consent_excludes(episode, author, approver, court):
    """Consent without the risk summary: every other consented section is in the file, and the
    risk summary's text and heading are on no page."""
    scope = ["needs", "recommendations", "reasonable_adjustments", "onward_referrals"]
    document = approved_document(episode, author, approver)
    disclosure = share(episode, author, court, document=document, scope=scope)

    texts = page_texts(render_disclosure_pdf(disclosure))
    text = "\n".join(texts)

    assert "Mark Veteranson" in text
    for code in [*scope, "summary"]:
        assert CANARY[code] in text, code
    assert all(CANARY["risk_summary"] not in page for page in texts)
    assert "Risk summary" not in text


def test_disclosure_pdf_on_another_basis_holds_the_whole_approved_document(
    episode, author, approver, court
):
    """A disclosure approved on a lawful basis other than consent carries every section."""
    document = approved_document(episode, author, approver)
    disclosure = share(
        episode, author, court, document=document, scope=[], basis="safeguarding", approver=approver
    )

    text = "\n".join(page_texts(render_disclosure_pdf(disclosure)))

    assert all(canary in text for canary in CANARY.values())
    assert "without consent, on the basis: Safeguarding" in text
    assert "section 42" not in text  # the justification stays in the record, not the file


def test_disclosure_pdf_is_byte_identical_when_rendered_again(episode, author, approver, court):
    """The PDF is reproducible from the disclosure record."""
    document = approved_document(episode, author, approver)
    disclosure = share(episode, author, court, document=document, scope=["needs"])

    first = render_disclosure_pdf(disclosure)
    second = render_disclosure_pdf(Disclosure.objects.get(pk=disclosure.pk))

    assert first == second
    assert render_document_pdf(document, scope=None) == render_document_pdf(document, scope=None)


def test_disclosure_pdf_dated_from_the_record(episode, author, approver, court):
    """The creation date is the record's (approval, else creation), not the time of rendering."""
    document = approved_document(episode, author, approver)
    disclosure = share(episode, author, court, document=document, scope=["needs"])

    metadata = PdfReader(io.BytesIO(render_disclosure_pdf(disclosure))).metadata

    assert metadata["/CreationDate"] == "D:20260314093500+00'00'"


def test_pdf_paginates_with_identifiers_on_every_page(episode, author, approver, court):
    """Long content runs to several pages; each says "Page X of Y" and carries the person's
    name, date of birth, NHS number and the OFFICIAL-SENSITIVE marking."""
    long_needs = "\n".join(
        f"Need {n}: sleeps badly and misses appointments without reminders." for n in range(160)
    )
    content = snapshot_content(episode, author, needs=long_needs)
    document = approved_document(episode, author, approver, content=content)
    disclosure = share(episode, author, court, document=document, scope=list(SECTION_CODES))

    texts = page_texts(render_disclosure_pdf(disclosure))

    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
        assert "Mark Veteranson" in text
        assert "Born 17 May 1990" in text
        assert "NHS number 943 476 5919" in text
        assert "OFFICIAL-SENSITIVE" in text
        assert "Court report" in text
    assert "Need 159:" in texts[-1] or "Need 159:" in texts[-2]


def test_pdf_metadata_for_assistive_technology(episode, author, approver, court):
    """Title, author, subject, language en-GB and DisplayDocTitle are set; headings are in the
    outline."""
    document = approved_document(episode, author, approver, kind="custody_advice_note")
    disclosure = share(episode, author, court, document=document, scope=["needs"])

    reader = PdfReader(io.BytesIO(render_disclosure_pdf(disclosure)))
    root = reader.trailer["/Root"]

    assert reader.metadata.title == "Custody advice note: Mark Veteranson"
    assert reader.metadata.author == "Test L&D service, Test Health NHS Trust (synthetic)"
    assert "shared with North Magistrates' Court" in reader.metadata.subject
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert [item.title for item in reader.outline][:2] == [
        "Custody advice note",
        "About this person",
    ]


def test_pdf_names_who_prepared_approved_and_shared(episode, author, approver, court):
    """The sign-off names the drafter (from the snapshot), the approver and the basis."""
    document = approved_document(episode, author, approver)
    disclosure = share(episode, author, court, document=document, scope=["needs"])

    text = "\n".join(page_texts(render_disclosure_pdf(disclosure)))

    assert "Practitioner Tester, Liaison practitioner, on 14 March 2026 at 07:30" in text
    assert "Team-Leader Tester, on 14 March 2026 at 09:30" in text
    assert "Shared with North Magistrates' Court under consent given by the person" in text


def test_pdf_section_order_differs_by_kind(episode, author, approver):
    """A custody advice note leads with reasonable adjustments; a court report ends with the
    recommendations."""
    note = approved_document(episode, author, approver, kind="custody_advice_note")
    report = approved_document(episode, author, approver, kind="court_report")

    note_text = "\n".join(page_texts(render_document_pdf(note, scope=None)))
    report_text = "\n".join(page_texts(render_document_pdf(report, scope=None)))

    assert note_text.index(CANARY["reasonable_adjustments"]) < note_text.index(CANARY["summary"])
    assert report_text.index(CANARY["summary"]) < report_text.index(
        CANARY["reasonable_adjustments"]
    )
    assert report_text.index(CANARY["risk_summary"]) < report_text.index(CANARY["recommendations"])


def test_document_pdf_scope_limits_sections(episode, author, approver):
    """render_document_pdf with a scope gives only those sections."""
    document = approved_document(episode, author, approver)

    text = "\n".join(page_texts(render_document_pdf(document, scope=["summary", "needs"])))

    assert CANARY["needs"] in text
    assert CANARY["summary"] in text
    assert all(CANARY[code] not in text for code in SECTION_CODES - {"summary", "needs"})


def test_draft_document_pdf_says_not_approved(episode, author):
    """A draft renders with a warning not to share it, and no approver."""
    document = Document.objects.create(
        episode=episode,
        kind="court_report",
        content=snapshot_content(episode, author),
        drafted_at=APPROVED_AT,
        drafted_by=author,
    )

    text = "\n".join(page_texts(render_document_pdf(document, scope=None)))

    assert "Draft: not approved" in text
    assert "Not yet approved" in text
    assert "Not shared" in text


def test_withdrawn_document_pdf_says_so(episode, author, approver, court):
    """A document withdrawn after sharing carries a notice in the partner's PDF."""
    document = approved_document(episode, author, approver)
    disclosure = share(episode, author, court, document=document, scope=["needs"])
    document.status = "withdrawn"
    document.save()

    text = " ".join(page_texts(render_disclosure_pdf(disclosure)))

    assert "Document withdrawn" in text
    assert "Do not use it for any decision" in text


def test_pdf_without_snapshot_falls_back_to_the_record(episode, author, approver):
    """An older row with sections only (no person, episode or prepared_by snapshot) renders
    with the person's details from the record."""
    content = {"summary": "Seen in the court cells.", "person": "not a dict"}
    document = approved_document(episode, author, approver, content=content)

    text = "\n".join(page_texts(render_document_pdf(document, scope=None)))

    assert "Mark Veteranson" in text
    assert "NHS number 943 476 5919" in text
    assert "North Magistrates' Court" in text
    assert "Practitioner Tester" in text


def test_pdf_with_unparseable_snapshot_dates_still_renders(episode, author, approver):
    """Bad ISO dates in a snapshot are shown as written rather than failing the download."""
    content = snapshot_content(episode, author)
    content["person"]["date_of_birth"] = "17/05/1990"
    content["episode"]["referral_received_at"] = "2026-03-14T08:00:00"
    document = approved_document(episode, author, approver, content=content)

    text = "\n".join(page_texts(render_document_pdf(document, scope=None)))

    assert "Born 17/05/1990" in text
    assert "14 March 2026 at 08:00" in text


def test_summary_only_disclosure_renders_as_information_shared(episode, author, court):
    """A disclosure without a document renders its summary under "Information shared"."""
    disclosure = share(episode, author, court, document=None, scope=["needs"])
    disclosure.summary = "Fit for the hearing with breaks every hour."
    disclosure.save()

    text = "\n".join(page_texts(render_disclosure_pdf(disclosure)))

    assert "Information shared" in text
    assert "Fit for the hearing with breaks every hour." in text


def test_withdrawn_consent_is_shown_in_the_pdf(episode, author, approver, court):
    """After the person withdraws consent, the PDF of an earlier disclosure says so."""
    document = approved_document(episode, author, approver)
    disclosure = share(episode, author, court, document=document, scope=["needs"])
    ConsentDecision.objects.create(
        episode=episode,
        recipient_class="court",
        purpose="sentencing_or_psr",
        decision="withdrawn",
        given_by="person",
        scope=["needs"],
        decided_at=timezone.now(),
        recorded_by=author,
    )

    text = "\n".join(page_texts(render_disclosure_pdf(disclosure)))

    assert "Consent withdrawn" in text
    assert "Do not use it for any new decision" in text


def test_section_text_with_markup_characters_is_kept_as_text(episode, author, approver):
    """Angle brackets and ampersands in a practitioner's text are shown, not parsed."""
    content = snapshot_content(episode, author, needs="Alcohol <daily> & cannabis")
    document = approved_document(episode, author, approver, content=content)

    text = "\n".join(page_texts(render_document_pdf(document, scope=None)))

    assert "Alcohol <daily> & cannabis" in text


def test_name_outside_windows_1252_is_printed_exactly(service, author, approver):
    """A name Helvetica cannot show (Ż, ę, ș) is set in the fallback font, never as boxes."""
    subject = factories.person(author, given_name="Żaneta", family_name="Łęcka-Ștefan")
    episode = factories.episode(
        author,
        subject=subject,
        site=service["sites"]["north-court"],
        team=service["teams"]["north"],
    )
    document = approved_document(episode, author, approver)

    texts = page_texts(render_document_pdf(document, scope=None))

    assert all("Żaneta Łęcka-Ștefan" in text for text in texts)


SAMPLE = {
    "summary": "Mark was seen in the court cells before his hearing. He agreed to talk to the "
    "liaison and diversion practitioner and consented to this report going to the court.",
    "needs": "Post-traumatic stress disorder after military service, with nightmares.\n"
    "Daily alcohol use, about 12 units a day; AUDIT score 24.",
    "recommendations": "A community order with a mental health treatment requirement and an "
    "alcohol treatment requirement.",
    "reasonable_adjustments": "Explain each step of the hearing in plain words.\n"
    "Allow short breaks; raised voices distress him.",
    "risk_summary": "Risk to self when drinking heavily.",
    "onward_referrals": "Referred to the veterans' mental health service and the local drug "
    "and alcohol service.",
}


def test_sample_pdf_renders_to_an_image(episode, author, approver, court, tmp_path):
    """A sample court report written to disk opens in poppler (pdftoppm) as well as in pypdf.
    (Open the PNG to look at the layout when changing it.)"""
    content = snapshot_content(episode, author, **SAMPLE)
    document = approved_document(episode, author, approver, content=content)
    disclosure = share(episode, author, court, document=document, scope=list(SECTION_CODES))
    path = tmp_path / "sample.pdf"

    path.write_bytes(render_disclosure_pdf(disclosure))

    assert "Reasonable adjustments" in page_texts(path.read_bytes())[0]
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    subprocess.run(  # noqa: S603 - fixed arguments, a file this test wrote
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    assert list(tmp_path.glob("page*.png"))
