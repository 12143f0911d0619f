"""What leaves Divert as a file: KPI tables, the commissioner's monthly return, the cohort export.

The return is aggregate only and always passes through commissioner suppression. The cohort
export is person-level but pseudonymised: each person becomes an HMAC-SHA256 of their best
identifier keyed with DIVERT_COHORT_KEY (docs/reporting/cohort-data-dictionary.md).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import hashlib
import hmac
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from divert.reporting import kpis, suppression
from divert.reporting.definitions import by_key

KPI_COLUMNS = [
    "area_type",
    "area_code",
    "area_name",
    "age_group",
    "kpi",
    "title",
    "unit",
    "numerator",
    "denominator",
    "value",
    "suppressed",
]


def kpi_rows(
    result: dict[str, dict[str, Any]], *, area_type: str, area_code: str, area_name: str
) -> list[dict[str, Any]]:
    """Flatten one compute_kpis()/for_audience() result into rows (all, youth, adult)."""
    definitions = by_key()
    rows = []
    for key, entry in result.items():
        for age_group, values in [("all", entry), *entry["by_age_group"].items()]:
            rows.append(
                {
                    "area_type": area_type,
                    "area_code": area_code,
                    "area_name": area_name,
                    "age_group": age_group,
                    "kpi": key,
                    "title": definitions[key].title,
                    "unit": definitions[key].unit,
                    "numerator": values["numerator"],
                    "denominator": values["denominator"],
                    "value": values["value"],
                    "suppressed": " ".join(values.get("suppressed", [])),
                }
            )
    return rows


def to_csv(rows: Iterable[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row[c] for c in columns})
    return out.getvalue()


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """'2026-03' → (1 March 2026, 31 March 2026)."""
    if not re.fullmatch(r"\d{4}-\d{2}", month):
        raise ValueError("month must be YYYY-MM")
    year, number = (int(part) for part in month.split("-"))
    if not 1 <= number <= 12:
        raise ValueError("month must be YYYY-MM")
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


RETURN_COLUMNS = ["month", *KPI_COLUMNS]


def monthly_return(month: str, *, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """The commissioner's return: every KPI for the service, each force area and each site,
    overall and by age group, with commissioner suppression applied."""
    first, last = month_bounds(month)
    filters = kpis.Filters(date_from=first, date_to=last, as_of=as_of)
    rows = kpi_rows(
        suppression.for_audience(kpis.compute_kpis(filters), suppression.COMMISSIONER),
        area_type="service",
        area_code="all",
        area_name="Whole service",
    )
    for by in ("force_area", "site"):
        for group in suppression.for_audience(
            kpis.compute_breakdown(filters, by), suppression.COMMISSIONER
        ):
            rows += kpi_rows(
                group["kpis"], area_type=by, area_code=group["group"], area_name=group["label"]
            )
    return [{"month": month, **row} for row in rows]


def write_xlsx(path: Path, rows: list[dict[str, Any]], columns: list[str], title: str) -> None:
    """An Excel workbook: the rows on the first sheet, the KPI definitions on the second."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    definitions = workbook.create_sheet("Definitions")
    definitions.append(["kpi", "title", "numerator", "denominator", "unit", "description"])
    for d in kpis.definitions():
        definitions.append([d.key, d.title, d.numerator, d.denominator, d.unit, d.description])
    workbook.save(path)


# --- cohort ------------------------------------------------------------------------------------

COHORT_COLUMNS = [
    "person_pseudonym",
    "pseudonym_basis",
    "referral_on",
    "age_at_referral",
    "site_code",
    "offer_outcome",
    "is_screened",
    "is_assessed",
    "has_vulnerability",
    "has_onward_referral",
    "closed_on",
    "closure_reason",
]


class CohortKeyMissingError(RuntimeError):
    pass


def normalise_name(name: str) -> str:
    return re.sub(r"[^A-Z]", "", name.upper())


def pseudonym(
    key: bytes, *, nhs_number: str | None, pnc_id: str | None, names: tuple[str, str, dt.date]
) -> tuple[str, str]:
    """HMAC-SHA256 of the best identifier: NHS number, else PNC ID, else names and birth date."""
    if nhs_number:
        basis, value = "nhs_number", nhs_number
    elif pnc_id:
        basis, value = "pnc_id", pnc_id.upper()
    else:
        given, family, born = names
        basis = "name_dob"
        value = f"{normalise_name(family)}|{normalise_name(given)}|{born.isoformat()}"
    digest = hmac.new(key, f"{basis}:{value}".encode(), hashlib.sha256).hexdigest()
    return digest, basis


def cohort_rows(filters: kpis.Filters) -> list[dict[str, Any]]:
    """One pseudonymised row per episode referred in the period (merged people: the survivor)."""
    from divert.cases.models import Episode, OfferOutcome

    raw_key = settings.DIVERT_COHORT_KEY
    if not raw_key:
        raise CohortKeyMissingError(
            "DIVERT_COHORT_KEY is not set; see .env.example (the export must be keyed)."
        )
    key = raw_key.encode()
    dialect = kpis.django_dialect()
    sql = kpis.build_sql(filters, None, dialect, final="episodes")
    with connection.cursor() as cursor:
        cursor.execute(sql, dialect.params)
        flags = {row[0]: row for row in cursor.fetchall()}
    episodes = (
        Episode.objects.filter(pk__in=list(flags))
        .select_related("site", "person__merged_into__merged_into")
        .prefetch_related("offers")
        .order_by("referral_received_at", "pk")
    )
    rows = []
    for episode in episodes.iterator(chunk_size=2000):
        person = episode.person
        while person.merged_into is not None:
            person = person.merged_into
        digest, basis = pseudonym(
            key,
            nhs_number=person.nhs_number,
            pnc_id=person.pnc_id,
            names=(person.given_name, person.family_name, person.date_of_birth),
        )
        outcomes = {offer.outcome for offer in episode.offers.all()}
        offer_outcome = next(
            (o.value for o in OfferOutcome if o.value in outcomes),
            "",
        )
        flag = flags[episode.pk]
        rows.append(
            {
                "person_pseudonym": digest,
                "pseudonym_basis": basis,
                "referral_on": kpis.local_date(episode.referral_received_at).isoformat(),
                "age_at_referral": episode.age_at_referral,
                "site_code": episode.site.code,
                "offer_outcome": offer_outcome,
                "is_screened": bool(flag[2]),
                "is_assessed": bool(flag[3]),
                "has_vulnerability": bool(flag[4]),
                "has_onward_referral": bool(flag[5]),
                "closed_on": (
                    kpis.local_date(episode.closed_at).isoformat() if episode.closed_at else ""
                ),
                "closure_reason": episode.closure_reason,
            }
        )
    return rows
