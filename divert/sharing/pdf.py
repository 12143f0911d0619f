"""Court reports and custody advice notes as PDF, built from a document's content snapshot.

The file holds only what the recipient may read: ``sections.visible_sections`` picks the
sections the consent scope allows, and nothing else is ever handed to the layout, so a section
outside the consent is absent from the file rather than hidden in it.

The two kinds differ in title, purpose wording and section order:

- **Custody advice note**, for custody staff and the investigating officer before interview,
  charge or release: reasonable adjustments first (what custody should do now), then the
  summary, risks, needs, recommendations and the support arranged.
- **Court report**, for the bench, the prosecutor, the defence and probation writing a
  pre-sentence report: the summary, reasonable adjustments for the hearing, needs, the support
  arranged and risks, ending with the recommendations the court is asked to consider.

A disclosure without a document (a summary only) renders as "Information shared", in the order
of ``sections.SECTIONS``.

Every page carries the document kind, the person's name, date of birth and NHS number, the
OFFICIAL-SENSITIVE marking, the basis the information was shared under and "Page X of Y".
Reasonable adjustments are set in a shaded panel outlined in NHS blue so they are seen first.

Rendering is reproducible: ReportLab's invariant mode, a creation date taken from the record
(approval, else creation) and no clock or random value, so the same record gives the same bytes.
Accessibility: title, author, subject, language (en-GB), DisplayDocTitle, an outline of the
headings, real text in reading order (header, body, footer). ReportLab's open-source edition
writes no tagged structure tree (docs/adr/0010-pdf-library.md).
"""

import datetime as dt
import html
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import FrameBG

from divert.core import codelists
from divert.core.formatting import nhs_number, uk_date, uk_datetime
from divert.sharing.models import (
    ConsentDecisionKind,
    Disclosure,
    Document,
    DocumentKind,
    DocumentStatus,
    current_consent,
)
from divert.sharing.sections import SECTIONS, Section, visible_sections

# NHS identity colours (service-manual.nhs.uk/design-system/styles/colour).
NHS_BLUE = colors.HexColor("#005EB8")
NHS_DARK_BLUE = colors.HexColor("#003087")
NHS_TEXT = colors.HexColor("#212B32")
NHS_SECONDARY_TEXT = colors.HexColor("#4C6272")
NHS_PALE_BLUE = colors.HexColor("#E8F1F8")
NHS_GREY_BORDER = colors.HexColor("#D8DDE0")
NHS_RED = colors.HexColor("#D5281B")
NHS_PALE_RED = colors.HexColor("#FBEAE9")

MARKING = "OFFICIAL-SENSITIVE"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
BAND_HEIGHT = 16 * mm
TOP_MARGIN = BAND_HEIGHT + 22 * mm
BOTTOM_MARGIN = 24 * mm
REGULAR, BOLD, BOLD_ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-BoldOblique"
# Helvetica is one of the PDF standard fonts (nothing embedded) but shows only Windows-1252.
# Any other character (Ż, ő, ș in a name) is set in DejaVu Sans, embedded as a subset.
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FALLBACK = {REGULAR: "DivertFallback", BOLD: "DivertFallback-Bold"}
FALLBACK_FILES = {"DivertFallback": "DejaVuSans.ttf", "DivertFallback-Bold": "DejaVuSans-Bold.ttf"}


@dataclass(frozen=True)
class Layout:
    title: str
    purpose: str
    order: tuple[str, ...]


LAYOUTS: dict[str, Layout] = {
    DocumentKind.CUSTODY_ADVICE_NOTE: Layout(
        "Custody advice note",
        "Advice from the liaison and diversion service to custody staff and the investigating "
        "officer about this person's health and support needs, and the adjustments recommended "
        "while they are detained and interviewed. It is not a fitness-for-interview decision "
        "and not a diagnosis; decisions about detention and interview stay with custody.",
        (
            "reasonable_adjustments",
            "summary",
            "risk_summary",
            "needs",
            "recommendations",
            "onward_referrals",
        ),
    ),
    DocumentKind.COURT_REPORT: Layout(
        "Court report",
        "A report from the liaison and diversion service to inform the court's decisions, and "
        "probation's pre-sentence report, about this person's health and support needs. It "
        "describes needs found at assessment and the support arranged; it gives no opinion on "
        "guilt.",
        (
            "summary",
            "reasonable_adjustments",
            "needs",
            "onward_referrals",
            "risk_summary",
            "recommendations",
        ),
    ),
}
SHARED_INFORMATION = Layout(
    "Information shared",
    "Information from the liaison and diversion service, shared for the purpose stated below.",
    tuple(section.code for section in SECTIONS),
)


@dataclass(frozen=True)
class Sheet:
    """Everything one PDF shows, as plain values: the layout code reads nothing else."""

    layout: Layout
    service: str
    person_name: str
    date_of_birth: str
    nhs_number: str
    identity_rows: list[tuple[str, str]]
    sections: list[tuple[Section, str]]
    sign_off_rows: list[tuple[str, str]]
    shared_under: str
    created_at: dt.datetime
    subject: str
    notices: list[tuple[str, str]] = field(default_factory=list)


def render_document_pdf(document: Document, *, scope: list[str] | None) -> bytes:
    """The document as its author and approver see it, limited to ``scope`` when given."""
    content = dict(document.content or {})
    layout = LAYOUTS.get(document.kind, SHARED_INFORMATION)
    notices = _document_notices(document)
    if document.status == DocumentStatus.DRAFT:
        notices.append(
            (
                "Draft: not approved",
                "This document has not been approved by a team leader. Do not share it.",
            )
        )
    sheet = Sheet(
        layout=layout,
        service=_service_name(document.episode),
        **_person_header(content, document.episode),
        identity_rows=_identity_rows(content, document.episode),
        sections=_ordered(visible_sections(content, scope=scope), layout),
        sign_off_rows=_document_sign_off(document, content),
        shared_under="Not shared: a copy for the liaison and diversion team.",
        created_at=document.approved_at or document.drafted_at,
        subject=f"{layout.title} from the liaison and diversion service",
        notices=notices,
    )
    return build_pdf(sheet)


def render_disclosure_pdf(disclosure: Disclosure) -> bytes:
    """What was shared, as the recipient agency may read it: consent decides the sections.

    The same sections as the partner's page: on consent, the summary and the consent's scope;
    on another lawful basis (approved by a team leader), the whole approved document.
    """
    document = disclosure.document
    content: dict[str, Any] = dict(document.content or {}) if document else {}
    if disclosure.summary:
        content.setdefault("summary", disclosure.summary)
    consent = disclosure.consent
    if disclosure.lawful_basis == "consent":
        scope: list[str] | None = ["summary", *(consent.scope if consent else [])]
    else:
        scope = None
    layout = LAYOUTS.get(document.kind, SHARED_INFORMATION) if document else SHARED_INFORMATION
    purpose = codelists.display("disclosure-purpose", disclosure.purpose)
    sheet = Sheet(
        layout=layout,
        service=_service_name(disclosure.episode),
        **_person_header(content, disclosure.episode),
        identity_rows=_identity_rows(content, disclosure.episode) + _disclosure_rows(disclosure),
        sections=_ordered(visible_sections(content, scope=scope), layout),
        sign_off_rows=(_document_sign_off(document, content) if document else [])
        + _disclosure_sign_off(disclosure),
        shared_under=_shared_under(disclosure),
        created_at=disclosure.approved_at or disclosure.created_at,
        subject=f"{layout.title} shared with {disclosure.agency.name} for: {purpose}",
        notices=_withdrawal_notice(disclosure) + (_document_notices(document) if document else []),
    )
    return build_pdf(sheet)


# Values from the record. Snapshot keys may be missing on older rows: fall back to the live
# record, then to "Not recorded", never to an error.


def _text(value: Any, default: str = "Not recorded") -> str:
    return str(value).strip() if value not in (None, "") else default


def _iso_date(value: Any) -> str:
    if not value:
        return "Not recorded"
    try:
        return uk_date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _iso_datetime(value: Any) -> str:
    if not value:
        return "Not recorded"
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return uk_datetime(parsed)


def _snapshot(content: dict[str, Any], key: str) -> dict[str, Any]:
    value = content.get(key)
    return value if isinstance(value, dict) else {}


def _service_name(episode: Any) -> str:
    service = episode.site.service
    return f"{service.name}, {service.provider.name}"


def _person_header(content: dict[str, Any], episode: Any) -> dict[str, str]:
    person = _snapshot(content, "person")
    live = episode.person
    return {
        "person_name": _text(person.get("name") or live.full_name),
        "date_of_birth": _iso_date(person.get("date_of_birth") or live.date_of_birth),
        "nhs_number": nhs_number(person.get("nhs_number") or live.nhs_number) or "Not recorded",
    }


def _identity_rows(content: dict[str, Any], episode: Any) -> list[tuple[str, str]]:
    person = _snapshot(content, "person")
    seen = _snapshot(content, "episode")
    live = episode.person
    return [
        ("Name", _text(person.get("name") or live.full_name)),
        ("Date of birth", _iso_date(person.get("date_of_birth") or live.date_of_birth)),
        ("NHS number", nhs_number(person.get("nhs_number") or live.nhs_number) or "Not recorded"),
        ("PNC ID", _text(person.get("pnc_id") or live.pnc_id)),
        ("Divert ID", _text(person.get("local_id") or live.local_id)),
        ("Seen at", _text(seen.get("site") or episode.site.name)),
        (
            "Referral received",
            _iso_datetime(seen.get("referral_received_at") or episode.referral_received_at),
        ),
    ]


def _user_name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else "Not recorded"


def _with_title(name: str, job_title: str) -> str:
    return f"{name}, {job_title}" if job_title else name


def _document_sign_off(document: Document, content: dict[str, Any]) -> list[tuple[str, str]]:
    prepared = _snapshot(content, "prepared_by")
    drafter = document.drafted_by
    prepared_by = _with_title(
        _text(prepared.get("name") or _user_name(drafter)),
        str(prepared.get("job_title") or drafter.job_title or ""),
    )
    rows = [("Prepared by", f"{prepared_by}, on {uk_datetime(document.drafted_at)}")]
    if document.approved_by and document.approved_at:
        approver = _with_title(_user_name(document.approved_by), document.approved_by.job_title)
        rows.append(("Approved by", f"{approver}, on {uk_datetime(document.approved_at)}"))
    else:
        rows.append(("Approved by", "Not yet approved"))
    return rows


def _disclosure_rows(disclosure: Disclosure) -> list[tuple[str, str]]:
    recipient = ", ".join(
        part
        for part in (disclosure.recipient_name, disclosure.recipient_role, disclosure.agency.name)
        if part
    )
    return [
        ("Shared with", recipient),
        ("Purpose", codelists.display("disclosure-purpose", disclosure.purpose)),
        ("Basis for sharing", codelists.display("lawful-basis", disclosure.lawful_basis)),
    ]


def _disclosure_sign_off(disclosure: Disclosure) -> list[tuple[str, str]]:
    rows = []
    if disclosure.approved_by and disclosure.approved_at:
        approver = _with_title(_user_name(disclosure.approved_by), disclosure.approved_by.job_title)
        rows.append(
            ("Sharing approved by", f"{approver}, on {uk_datetime(disclosure.approved_at)}")
        )
    shared = (
        f"{_user_name(disclosure.created_by)}, on {uk_datetime(disclosure.shared_at)}"
        if disclosure.shared_at
        else "Not yet shared"
    )
    rows.append(("Shared by", shared))
    return rows


def _shared_under(disclosure: Disclosure) -> str:
    agency = disclosure.agency.name
    purpose = codelists.display("disclosure-purpose", disclosure.purpose).lower()
    consent = disclosure.consent
    if disclosure.lawful_basis == "consent" and consent is not None:
        who = consent.get_given_by_display().lower()
        return (
            f"Shared with {agency} under consent given by {who} on "
            f"{uk_date(consent.decided_at)}, for {purpose}."
        )
    basis = codelists.display("lawful-basis", disclosure.lawful_basis)
    approved = (
        f", approved by {_user_name(disclosure.approved_by)} on {uk_date(disclosure.approved_at)}"
        if disclosure.approved_by and disclosure.approved_at
        else ""
    )
    return f"Shared with {agency} without consent, on the basis: {basis}{approved}, for {purpose}."


def _withdrawal_notice(disclosure: Disclosure) -> list[tuple[str, str]]:
    recipient_class = disclosure.agency.recipient_class
    latest = current_consent(disclosure.episode_id, recipient_class, disclosure.purpose)
    if latest is None or latest.decision != ConsentDecisionKind.WITHDRAWN:
        return []
    return [
        (
            "Consent withdrawn",
            f"The person withdrew consent to share this information on "
            f"{uk_datetime(latest.decided_at)}. Do not use it for any new decision, and do not "
            f"pass it on.",
        )
    ]


def _document_notices(document: Document) -> list[tuple[str, str]]:
    if document.status != DocumentStatus.WITHDRAWN:
        return []
    return [
        (
            "Document withdrawn",
            "The liaison and diversion service withdrew this document. Do not use it for any "
            "decision, and do not pass it on.",
        )
    ]


def _ordered(sections: list[tuple[Section, str]], layout: Layout) -> list[tuple[Section, str]]:
    rank = {code: index for index, code in enumerate(layout.order)}
    return sorted(sections, key=lambda item: rank.get(item[0].code, len(rank)))


# Text that Helvetica cannot show is set in the fallback font, run by run.


@cache
def _register_fallback_fonts() -> None:
    for name, filename in FALLBACK_FILES.items():
        pdfmetrics.registerFont(TTFont(name, FONT_DIR / filename))


def _helvetica_can_show(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """``text`` cut into (font, run) pieces: Helvetica where it can, the fallback elsewhere."""
    _register_fallback_fonts()
    fallback = FALLBACK.get(font, FALLBACK[REGULAR])
    return [
        (font if shown else fallback, "".join(chars))
        for shown, chars in itertools.groupby(text, key=_helvetica_can_show)
    ]


def _markup(text: str, font: str) -> str:
    """Paragraph markup for plain ``text``: escaped, with fallback runs in their own font."""
    return "".join(
        html.escape(run, quote=False)
        if face == font
        else f'<font face="{face}">{html.escape(run, quote=False)}</font>'
        for face, run in _runs(text, font)
    )


def _width(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(run, face, size) for face, run in _runs(text, font))


def _draw(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """drawString with the fallback font for characters Helvetica cannot show."""
    line = canvas.beginText(x, y)
    for face, run in _runs(text, font):
        line.setFont(face, size)
        line.textOut(run)
    canvas.drawText(line)


def _draw_right(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    _draw(canvas, x - _width(text, font, size), y, text, font, size)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten ``text`` with an ellipsis to fit ``width``; identifiers never run into others."""
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# Layout.


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=REGULAR, fontSize=11, leading=15, textColor=NHS_TEXT, spaceAfter=6
    )
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=BOLD, fontSize=22, leading=27, spaceAfter=8
        ),
        "lead": ParagraphStyle("lead", parent=body, textColor=NHS_SECONDARY_TEXT, spaceAfter=10),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD,
            fontSize=15,
            leading=19,
            spaceBefore=12,
            spaceAfter=6,
            keepWithNext=1,
        ),
        "key": ParagraphStyle("key", parent=body, fontName=BOLD, fontSize=10, leading=13),
        "value": ParagraphStyle("value", parent=body, fontSize=10, leading=13, spaceAfter=0),
        "notice_heading": ParagraphStyle(
            "notice_heading",
            parent=body,
            fontName=BOLD,
            fontSize=15,
            leading=19,
            textColor=NHS_RED,  # large text (15 pt bold): 4.3:1 on the pale red passes AA
            spaceAfter=2,
            keepWithNext=1,
        ),
        "footer": ParagraphStyle(
            "footer", parent=body, fontSize=8, leading=10, textColor=NHS_SECONDARY_TEXT
        ),
        "header_right": ParagraphStyle(
            "header_right", parent=body, fontSize=9, leading=11, alignment=TA_RIGHT
        ),
    }


def _paragraphs(text: str, style: ParagraphStyle) -> list[Flowable]:
    return [
        Paragraph(_markup(line.strip(), style.fontName), style)
        for line in text.splitlines()
        if line.strip()
    ]


def _heading(text: str, style: ParagraphStyle) -> Paragraph:
    heading = Paragraph(_markup(text, style.fontName), style)
    heading.outline_title = text  # type: ignore[attr-defined]
    return heading


def _rows_table(rows: list[tuple[str, str]], styles: dict[str, ParagraphStyle]) -> Table:
    width = PAGE_WIDTH - 2 * MARGIN
    table = Table(
        [
            [
                Paragraph(_markup(key, BOLD), styles["key"]),
                Paragraph(_markup(value, REGULAR), styles["value"]),
            ]
            for key, value in rows
        ],
        colWidths=[48 * mm, width - 48 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, NHS_GREY_BORDER),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _panel(
    heading: str, text: str, styles: dict[str, ParagraphStyle], *, stripe: Any, fill: Any
) -> list[Flowable]:
    """A shaded, outlined panel, which may run across pages (one box per page)."""
    heading_style = styles["notice_heading"] if stripe == NHS_RED else styles["heading"]
    inner = ParagraphStyle("panel", parent=styles["body"], leftIndent=12, rightIndent=12)
    inner_heading = ParagraphStyle(
        "panel_heading", parent=heading_style, leftIndent=12, rightIndent=12, spaceBefore=8
    )
    return [
        Spacer(1, 10),
        FrameBG(color=fill, left=0, right=0, strokeColor=stripe, strokeWidth=1.5),
        _heading(heading, inner_heading),
        *_paragraphs(text, inner),
        Spacer(1, 4),
        FrameBG(start=False),
        Spacer(1, 8),
    ]


def _story(sheet: Sheet) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = [
        _heading(sheet.layout.title, styles["title"]),
        Paragraph(_markup(sheet.layout.purpose, REGULAR), styles["lead"]),
    ]
    for heading, text in sheet.notices:
        story += _panel(heading, text, styles, stripe=NHS_RED, fill=NHS_PALE_RED)
    story += [
        _heading("About this person", styles["heading"]),
        _rows_table(sheet.identity_rows, styles),
    ]
    for section, text in sheet.sections:
        if section.code == "reasonable_adjustments":
            story += _panel(section.title, text, styles, stripe=NHS_BLUE, fill=NHS_PALE_BLUE)
        else:
            story += [
                _heading(section.title, styles["heading"]),
                *_paragraphs(text, styles["body"]),
            ]
    if not sheet.sections:
        story.append(Paragraph("No further detail was shared.", styles["body"]))
    story.append(
        KeepTogether(
            [
                _heading("Prepared and approved", styles["heading"]),
                _rows_table(sheet.sign_off_rows, styles),
            ]
        )
    )
    return story


class _Template(BaseDocTemplate):
    """Adds each heading to the PDF outline (bookmarks), so readers can navigate by heading."""

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - ReportLab hook
        title = getattr(flowable, "outline_title", None)
        if title:
            key = f"h{self.seq.nextf('outline')}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=0)


def _draw_header(canvas: Canvas, sheet: Sheet, styles: dict[str, ParagraphStyle]) -> None:
    """The NHS band, then the marking, the kind and the person's identifiers (read in that
    order: the content stream follows the drawing order)."""
    canvas.saveState()
    top = PAGE_HEIGHT
    canvas.setFillColor(NHS_BLUE)
    canvas.rect(0, top - BAND_HEIGHT, PAGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
    # The NHS identity as text: a white box with the letters in NHS blue, at the top right.
    box_width, box_height = 22 * mm, 9 * mm
    box_x = PAGE_WIDTH - MARGIN - box_width
    box_y = top - BAND_HEIGHT / 2 - box_height / 2
    canvas.setFillColor(colors.white)
    canvas.rect(box_x, box_y, box_width, box_height, stroke=0, fill=1)
    canvas.setFillColor(NHS_BLUE)
    canvas.setFont(BOLD_ITALIC, 19)
    canvas.drawCentredString(box_x + box_width / 2, box_y + 2.2 * mm, "NHS")
    canvas.setFillColor(colors.white)
    service = _fit(sheet.service, BOLD, 11, box_x - MARGIN - 6 * mm)
    _draw(canvas, MARGIN, top - BAND_HEIGHT / 2 - 4, service, BOLD, 11)
    line_one, line_two = top - BAND_HEIGHT - 7 * mm, top - BAND_HEIGHT - 12.5 * mm
    right = PAGE_WIDTH - MARGIN
    canvas.setFillColor(NHS_TEXT)
    _draw_right(canvas, right, line_one, MARKING, BOLD, 10)
    _draw_right(canvas, right, line_two, sheet.layout.title, REGULAR, 9)
    available = PAGE_WIDTH - 2 * MARGIN - 45 * mm
    _draw(canvas, MARGIN, line_one, _fit(sheet.person_name, BOLD, 11, available), BOLD, 11)
    identifiers = f"Born {sheet.date_of_birth}    NHS number {sheet.nhs_number}"
    _draw(canvas, MARGIN, line_two, _fit(identifiers, REGULAR, 9, available), REGULAR, 9)
    canvas.setStrokeColor(NHS_GREY_BORDER)
    canvas.setLineWidth(0.75)
    canvas.line(MARGIN, line_two - 4 * mm, right, line_two - 4 * mm)
    canvas.restoreState()


def _draw_footer(
    canvas: Canvas, sheet: Sheet, styles: dict[str, ParagraphStyle], total_pages: int | None
) -> None:
    canvas.saveState()
    right = PAGE_WIDTH - MARGIN
    canvas.setStrokeColor(NHS_GREY_BORDER)
    canvas.setLineWidth(0.75)
    canvas.line(MARGIN, 19 * mm, right, 19 * mm)
    shared = Paragraph(_markup(sheet.shared_under, REGULAR), styles["footer"])
    _, height = shared.wrapOn(canvas, PAGE_WIDTH - 2 * MARGIN, 20 * mm)
    shared.drawOn(canvas, MARGIN, 18 * mm - 2 - height)
    canvas.setFillColor(NHS_TEXT)
    canvas.setFont(BOLD, 9)
    canvas.drawString(MARGIN, 8 * mm, MARKING)
    canvas.setFont(REGULAR, 9)
    total = str(total_pages) if total_pages else "?"
    canvas.drawRightString(right, 8 * mm, f"Page {canvas.getPageNumber()} of {total}")
    canvas.restoreState()


def _pdf_date(moment: dt.datetime) -> Callable[..., str]:
    utc = moment.astimezone(dt.UTC)
    stamp = f"D:{utc:%Y%m%d%H%M%S}+00'00'"
    return lambda *_: stamp


class _DatedCanvas(Canvas):
    """A canvas whose creation and modification dates are fixed, for reproducible files."""

    def __init__(self, *args: Any, created_at: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setDateFormatter(_pdf_date(created_at))


def _build_once(sheet: Sheet, total_pages: int | None) -> tuple[bytes, int]:
    styles = _styles()
    buffer = io.BytesIO()
    doc = _Template(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=f"{sheet.layout.title}: {sheet.person_name}",
        author=sheet.service,
        subject=sheet.subject,
        creator="Divert",
        producer="Divert (ReportLab)",
        lang="en-GB",
        displayDocTitle=True,
        invariant=1,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                id="page",
                frames=[frame],
                onPage=lambda canvas, _doc: _draw_header(canvas, sheet, styles),
                onPageEnd=lambda canvas, _doc: _draw_footer(canvas, sheet, styles, total_pages),
            )
        ]
    )
    doc.build(_story(sheet), canvasmaker=partial(_DatedCanvas, created_at=sheet.created_at))
    return buffer.getvalue(), doc.page


def build_pdf(sheet: Sheet) -> bytes:
    """Lay the sheet out twice: once to count the pages, then with "Page X of Y" filled in.

    The footer sits outside the body frame, so the second pass paginates exactly as the first.
    """
    _, pages = _build_once(sheet, None)
    data, pages_again = _build_once(sheet, pages)
    if pages_again != pages:  # pragma: no cover - the footer never changes the body's layout
        raise RuntimeError("PDF pagination changed between passes")
    return data
