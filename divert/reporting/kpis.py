"""The KPI engine: every KPI of issue #7 in one SQL statement, on SQLite, PostgreSQL or DuckDB.

The statement reads each fact table once, grouped by episode, and LEFT JOINs those per-episode
summaries onto the episodes of the period (no correlated subqueries). Re-presentation uses one
LEAD() window over (person, referral time). The medians are percentile_cont on PostgreSQL,
median() on DuckDB, and on SQLite the middle row(s) of the sorted hours by ROW_NUMBER().
docs/adr/0012-kpi-definitions.md states every edge-case choice; definitions/kpis.yaml says
the same in plain English.

Public API (the dashboards build on it; keep it stable):

    Filters(date_from, date_to, as_of=None, site_codes=(), force_area_codes=(), age_group=None)
    compute_kpis(filters) -> {key: {"numerator", "denominator", "value", "by_age_group"}}
    compute_breakdown(filters, by) -> [{"group", "label", "kpis"}]
    definitions() -> [Definition]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from divert.reporting.definitions import KPI_KEYS, Definition
from divert.reporting.definitions import definitions as _definitions

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
YOUTH_AGE_LIMIT = 18
RE_PRESENTATION_DAYS = 365
AGE_GROUPS = ("youth", "adult")
BREAKDOWNS = ("site", "force_area", "month", "gender_identity", "ethnic_category")

# The column each KPI's numerator and denominator come from in the aggregate row.
_RATES = {
    "offer_acceptance": ("accepted", "answered"),
    "screened": ("screened", "accepted"),
    "assessed": ("assessed", "screened"),
    "with_vulnerability": ("vulnerable", "screened"),
    "referred_onward": ("onward", "assessed"),
    "first_appointment_attended": ("attended", "attended_or_not"),
    "shared_before_decision": ("shared_in_time", "both_times"),
    "re_presentation_12m": ("re_presented", "followed_up"),
}
_SUMS = (
    "accepted",
    "answered",
    "screened",
    "assessed",
    "vulnerable",
    "onward",
    "attended",
    "attended_or_not",
    "shared_in_time",
    "both_times",
    "re_presented",
    "followed_up",
)


def definitions() -> list[Definition]:
    """Every KPI definition (title, numerator, denominator, unit, description, why it matters)."""
    return _definitions()


@dataclass(frozen=True)
class Filters:
    """Which episodes the KPIs count: referred on a local (UK) date in [date_from, date_to]."""

    date_from: dt.date
    date_to: dt.date
    as_of: dt.date | None = None
    site_codes: tuple[str, ...] = ()
    force_area_codes: tuple[str, ...] = ()
    age_group: str | None = None  # "youth" or "adult"

    def __post_init__(self) -> None:
        if self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")
        if self.age_group not in (None, *AGE_GROUPS):
            raise ValueError(f"age_group must be one of {AGE_GROUPS} or None")


def local_midnight(day: dt.date) -> dt.datetime:
    """The UTC instant at which ``day`` begins in Europe/London."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON).astimezone(UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """The Europe/London calendar date of an instant."""
    return moment.astimezone(LONDON).date()


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each month from start's month to end's month."""
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


# --- SQL dialects ------------------------------------------------------------------------------


@dataclass
class Dialect:
    """The few places where SQLite, PostgreSQL and DuckDB spell things differently."""

    name: str
    placeholder: str
    adapt: Callable[[Any], Any]
    params: list[Any] = field(default_factory=list)

    def param(self, value: Any) -> str:
        self.params.append(self.adapt(value) if isinstance(value, dt.datetime) else value)
        return self.placeholder

    def hours(self, later: str, earlier: str) -> str:
        if self.name == "sqlite":
            return f"((julianday({later}) - julianday({earlier})) * 24.0)"
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"

    def median(self, expr: str) -> str:
        if self.name == "postgresql":
            return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {expr})"
        if self.name == "duckdb":
            return f"median({expr})"
        return "NULL"


def django_dialect() -> Dialect:
    from django.db import connection

    name = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    return Dialect(name=name, placeholder="%s", adapt=connection.ops.adapt_datetimefield_value)


def duckdb_dialect() -> Dialect:
    """Parquet holds naive UTC timestamps; parameters are passed the same way."""
    return Dialect(
        name="duckdb",
        placeholder="?",
        adapt=lambda value: value.astimezone(UTC).replace(tzinfo=None),
    )


def _earliest(a: str, b: str) -> str:
    return f"(CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL OR {a} <= {b} THEN {a} ELSE {b} END)"


def _group_sql(by: str | None, filters: Filters, d: Dialect) -> str:
    """The grouping expression over a fact row ``f`` (and the site ``s`` and force area ``fa``)."""
    if by is None:
        return "'all'"
    if by == "site":
        return "s.code"
    if by == "force_area":
        return "fa.code"
    if by == "gender_identity":
        return "f.gender_identity"
    if by == "ethnic_category":
        return "f.ethnic_category"
    if by == "month":
        months = months_between(filters.date_from, filters.date_to)
        whens = " ".join(
            f"WHEN f.referral_received_at < {d.param(local_midnight(nxt))} THEN '{m:%Y-%m}'"
            for m, nxt in zip(months, [*months[1:], None], strict=True)
            if nxt is not None
        )
        last = f"'{months[-1]:%Y-%m}'"
        return f"(CASE {whens} ELSE {last} END)" if whens else last
    raise ValueError(f"Unknown breakdown {by!r}; choose from {BREAKDOWNS}")


# --- Per-episode facts -------------------------------------------------------------------------

# The columns of reporting_episodefact, in the order the facts statement yields them.
FACT_COLUMNS = (
    "episode_id",
    "referral_received_at",
    "person_key",
    "is_youth",
    "site_id",
    "gender_identity",
    "ethnic_category",
    "accepted",
    "declined",
    "screened_at",
    "has_assessment",
    "has_need",
    "onward_referrals",
    "attended",
    "did_not_attend",
    "shared_at",
    "decided_at",
    "next_referral_at",
    "previous_referral_at",
    "previous_same_age_referral_at",
)


@dataclass
class Scope:
    """Which episodes a facts statement derives.

    ``where`` is a condition on the episode ``e`` and ``lead_where`` one on ``e2``, the
    episodes whose referral times give each episode's next referral; each is called once per
    use, so its bound values land in ``d.params`` in text order. ``None`` means every episode.
    """

    where: Callable[[Dialect], str] | None = None
    lead_where: Callable[[Dialect], str] | None = None


def fact_ctes(d: Dialect, scope: Scope) -> list[str]:
    """CTEs ending in ``src``: one row per episode in scope with the FACT_COLUMNS.

    Each fact table is read once, grouped by episode, and LEFT JOINed onto the episodes; the
    next referral is one LEAD() window over (person after merges, referral time, id).
    """

    def scoped(table_alias: str) -> tuple[str, str]:
        """The join to the episode and the condition, for a fact table aliased ``table_alias``."""
        if scope.where is None:
            return "", "1 = 1"
        return f"JOIN cases_episode e ON e.id = {table_alias}.episode_id", scope.where(d)

    ep_where = scope.where(d) if scope.where else "1 = 1"
    ctes = [
        f"""ep AS (
    SELECT e.id, e.referral_received_at, COALESCE(m2.id, m1.id, p.id) AS person_key,
           (e.age_at_referral < {YOUTH_AGE_LIMIT}) AS is_youth, e.site_id,
           p.gender_identity, p.ethnic_category
    FROM cases_episode e
    JOIN people_person p ON p.id = e.person_id
    LEFT JOIN people_person m1 ON m1.id = p.merged_into_id
    LEFT JOIN people_person m2 ON m2.id = m1.merged_into_id
    WHERE {ep_where}
)"""  # nosec B608
    ]
    join, where = scoped("o")
    ctes.append(
        f"""offer AS (
    SELECT o.episode_id,
           MAX(CASE WHEN o.outcome = 'accepted' THEN 1 ELSE 0 END) AS acc,
           MAX(CASE WHEN o.outcome = 'declined' THEN 1 ELSE 0 END) AS dec
    FROM cases_offer o {join}
    WHERE {where}
    GROUP BY o.episode_id
)"""  # nosec B608
    )
    join, where = scoped("a")
    ctes.append(
        f"""scr AS (
    SELECT a.episode_id, MIN(a.completed_at) AS at
    FROM screening_administration a {join}
    WHERE a.is_complete AND {where}
    GROUP BY a.episode_id
)"""  # nosec B608
    )
    join, where = scoped("x")
    ctes.append(
        f"""asm AS (
    SELECT x.episode_id FROM cases_assessment x {join}
    WHERE x.completed_at IS NOT NULL AND {where} GROUP BY x.episode_id
)"""  # nosec B608
    )
    join, where = scoped("n")
    ctes.append(
        f"""need AS (
    SELECT n.episode_id FROM cases_need n {join}
    WHERE {where} GROUP BY n.episode_id
)"""  # nosec B608
    )
    hist_join, where = scoped("h0")
    if hist_join:
        hist_join = "JOIN referrals_onwardreferral h0 ON h0.id = c.referral_id " + hist_join
    ctes.append(
        f"""hist AS (
    SELECT c.referral_id,
           MAX(CASE WHEN c.status = 'attended' THEN 1 ELSE 0 END) AS att,
           MAX(CASE WHEN c.status = 'did_not_attend' THEN 1 ELSE 0 END) AS dna
    FROM referrals_referralstatuschange c {hist_join}
    WHERE c.status IN ('attended', 'did_not_attend') AND {where}
    GROUP BY c.referral_id
)"""  # nosec B608
    )
    join, where = scoped("r")
    ctes.append(
        f"""rf AS (
    SELECT r.episode_id, COUNT(*) AS n,
           SUM(CASE WHEN r.status = 'attended' OR COALESCE(h.att, 0) = 1 THEN 1 ELSE 0 END)
               AS att,
           SUM(CASE WHEN r.status = 'attended' OR COALESCE(h.att, 0) = 1 THEN 0
                    WHEN r.status = 'did_not_attend' OR COALESCE(h.dna, 0) = 1 THEN 1
                    ELSE 0 END) AS dna
    FROM referrals_onwardreferral r {join}
    LEFT JOIN hist h ON h.referral_id = r.id
    WHERE r.status <> 'draft' AND {where}
    GROUP BY r.episode_id
)"""  # nosec B608
    )
    join, where = scoped("i")
    ctes.append(
        f"""irf AS (
    SELECT i.episode_id, COUNT(*) AS n,
           SUM(CASE WHEN i.status = 'attended' THEN 1 ELSE 0 END) AS att,
           SUM(CASE WHEN i.status = 'did_not_attend' THEN 1 ELSE 0 END) AS dna
    FROM imports_importedreferral i {join}
    WHERE {where}
    GROUP BY i.episode_id
)"""  # nosec B608
    )
    join, where = scoped("x")
    ctes.append(
        f"""dis AS (
    SELECT x.episode_id, MIN(x.shared_at) AS shared_at, MIN(x.cj_decision_at) AS decided_at
    FROM sharing_disclosure x {join}
    WHERE (x.shared_at IS NOT NULL OR x.cj_decision_at IS NOT NULL) AND {where}
    GROUP BY x.episode_id
)"""  # nosec B608
    )
    lead_where = scope.lead_where(d) if scope.lead_where else "1 = 1"
    # One row per episode (the GROUP BY lets SQLite index the join; the window gives one row
    # per episode anyway).
    ctes.append(
        f"""rp AS (
    SELECT w.id, MIN(w.next_at) AS next_at, MIN(w.prev_at) AS prev_at,
           MIN(w.prev_same_age_at) AS prev_same_age_at
    FROM (
        SELECT e2.id,
               LEAD(e2.referral_received_at) OVER person_order AS next_at,
               LAG(e2.referral_received_at) OVER person_order AS prev_at,
               LAG(e2.referral_received_at) OVER (
                   PARTITION BY COALESCE(q2.id, q1.id, q.id),
                                (e2.age_at_referral < {YOUTH_AGE_LIMIT})
                   ORDER BY e2.referral_received_at, e2.id
               ) AS prev_same_age_at
        FROM cases_episode e2
        JOIN people_person q ON q.id = e2.person_id
        LEFT JOIN people_person q1 ON q1.id = q.merged_into_id
        LEFT JOIN people_person q2 ON q2.id = q1.merged_into_id
        WHERE {lead_where}
        WINDOW person_order AS (
            PARTITION BY COALESCE(q2.id, q1.id, q.id) ORDER BY e2.referral_received_at, e2.id
        )
    ) w WHERE w.next_at IS NOT NULL OR w.prev_at IS NOT NULL
    GROUP BY w.id
)"""  # nosec B608
    )
    ctes.append(
        f"""src AS (
    SELECT ep.id AS episode_id, ep.referral_received_at, ep.person_key, ep.is_youth,
           ep.site_id, ep.gender_identity, ep.ethnic_category,
           (COALESCE(offer.acc, 0) = 1) AS accepted,
           (COALESCE(offer.dec, 0) = 1) AS declined,
           {_earliest("scr.at", "ie.screened_at")} AS screened_at,
           (asm.episode_id IS NOT NULL) AS has_assessment,
           (need.episode_id IS NOT NULL) AS has_need,
           COALESCE(rf.n, 0) + COALESCE(irf.n, 0) AS onward_referrals,
           COALESCE(rf.att, 0) + COALESCE(irf.att, 0) AS attended,
           COALESCE(rf.dna, 0) + COALESCE(irf.dna, 0) AS did_not_attend,
           {_earliest("dis.shared_at", "ie.disclosed_at")} AS shared_at,
           {_earliest("dis.decided_at", "ie.cj_decision_at")} AS decided_at,
           rp.next_at AS next_referral_at,
           rp.prev_at AS previous_referral_at,
           rp.prev_same_age_at AS previous_same_age_referral_at
    FROM ep
    LEFT JOIN offer ON offer.episode_id = ep.id
    LEFT JOIN scr ON scr.episode_id = ep.id
    LEFT JOIN imports_importedepisode ie ON ie.episode_id = ep.id
    LEFT JOIN asm ON asm.episode_id = ep.id
    LEFT JOIN need ON need.episode_id = ep.id
    LEFT JOIN rf ON rf.episode_id = ep.id
    LEFT JOIN irf ON irf.episode_id = ep.id
    LEFT JOIN dis ON dis.episode_id = ep.id
    LEFT JOIN rp ON rp.id = ep.id
)"""  # nosec B608
    )
    return ctes


def facts_sql(d: Dialect, scope: Scope) -> str:
    """SELECT the FACT_COLUMNS of every episode in scope (what reporting_episodefact holds)."""
    ctes = fact_ctes(d, scope)
    return "WITH " + ",\n".join(ctes) + "\nSELECT " + ", ".join(FACT_COLUMNS) + " FROM src"  # nosec B608


# --- The KPI statement -------------------------------------------------------------------------

FACTS_TABLE = "reporting_episodefact"


def build_sql(
    filters: Filters,
    by: str | None,
    d: Dialect,
    *,
    final: str = "kpis",
    source: str = "table",
    scan: bool = False,
) -> str:
    """The KPI statement. Parameters accumulate in ``d.params`` in placeholder order.

    The text is built from fixed fragments of this module; every value from a filter goes in as
    a bound parameter through ``d.param``, which is why the f-strings carry ``nosec B608``.

    ``source`` picks where the per-episode facts come from: "table" reads
    reporting_episodefact (kept current by ``reporting.facts``; what the pages use), "live"
    derives them from the clinical tables in the same statement (the reference the tests and
    ``divert report facts --check`` compare the table against).

    ``final`` picks the last SELECT: "kpis" (the aggregates) or "episodes" (one row of flags
    per episode, for the cohort export).

    ``scan`` (SQLite only) reads the table without its referral-time index: SQLite has no
    histogram to tell that a period covering most of the data is cheaper to scan (see
    ``wide_period``).
    """
    as_of = filters.as_of or dt.datetime.now(LONDON).date()
    start = local_midnight(filters.date_from)
    end = local_midnight(filters.date_to + dt.timedelta(days=1))
    # Followed up: referred on a local date at least 365 days before as_of.
    cutoff = local_midnight(as_of - dt.timedelta(days=RE_PRESENTATION_DAYS - 1))
    # Later episodes count up to the end of the as-of day, and at most 366 days past the period.
    window_end = min(
        local_midnight(as_of + dt.timedelta(days=1)),
        end + dt.timedelta(days=RE_PRESENTATION_DAYS + 1),
    )
    has_follow_up = cutoff > start

    ctes: list[str] = []
    if source == "live":
        ctes = fact_ctes(
            d,
            Scope(
                where=lambda d: (
                    f"e.referral_received_at >= {d.param(start)} "
                    f"AND e.referral_received_at < {d.param(end)}"
                ),
                lead_where=lambda d: (
                    f"e2.referral_received_at >= {d.param(start)} "
                    f"AND e2.referral_received_at < {d.param(window_end)}"
                ),
            ),
        )
        relation = "src"
    elif source == "table":
        relation = FACTS_TABLE
    else:
        raise ValueError(f"Unknown source {source!r}")
    hint = " NOT INDEXED" if scan and d.name == "sqlite" and source == "table" else ""

    needs_site = bool(filters.site_codes or filters.force_area_codes) or by in (
        "site",
        "force_area",
    )
    site_join = (
        "JOIN organisation_site s ON s.id = f.site_id "
        "JOIN organisation_forcearea fa ON fa.id = s.force_area_id"
        if needs_site
        else ""
    )
    # Parameters are positional: build the fragments in the order they appear in the text.
    group = _group_sql(by, filters, d)
    if has_follow_up:
        followed_up = f"CASE WHEN f.referral_received_at < {d.param(cutoff)} THEN 1 ELSE 0 END"
        days = d.hours("f.next_referral_at", "f.referral_received_at")
        re_presented = (
            f"CASE WHEN f.referral_received_at < {d.param(cutoff)} "
            f"AND f.next_referral_at < {d.param(window_end)} "
            f"AND {days} <= {RE_PRESENTATION_DAYS * 24} THEN 1 ELSE 0 END"
        )
    else:
        followed_up = re_presented = "0"
    # Distinct people without a sort. When only the period and age group select episodes, and
    # the breakdown (if any) is by month, an episode is its person's first in its group exactly
    # when the person's previous referral (in the same age group, for a per-age count) is
    # before the group's start: the period's start, or the month's. Site filters and the other
    # breakdowns count distinct person_key instead.
    people_by_sum = (
        by in (None, "month") and not filters.site_codes and not filters.force_area_codes
    )
    firsts = ""
    if people_by_sum:

        def first(column: str) -> str:
            return f"CASE WHEN {column} IS NULL OR {column} < f.group_start THEN 1 ELSE 0 END"

        same_age = "f.previous_same_age_referral_at"
        first_age = first(same_age)
        first_all = first(same_age if filters.age_group else "f.previous_referral_at")
        firsts = f",\n           {first_age} AS first_age, {first_all} AS first_all"
        # The group's start beside each row: a derived table, so the CASE is written once.
        if by == "month":
            months = months_between(filters.date_from, filters.date_to)
            whens = " ".join(
                f"WHEN r.referral_received_at < {d.param(local_midnight(nxt))} "
                f"THEN {d.param(start if i == 0 else local_midnight(m))}"
                for i, (m, nxt) in enumerate(zip(months, months[1:], strict=False))
            )
            last = start if len(months) == 1 else local_midnight(months[-1])
            group_start = f"CASE {whens} ELSE {d.param(last)} END" if whens else d.param(last)
        else:
            group_start = d.param(start)
        relation = f"(SELECT r.*, {group_start} AS group_start FROM {relation} r{hint})"  # nosec B608
        hint = ""
    where = [
        f"f.referral_received_at >= {d.param(start)}",
        f"f.referral_received_at < {d.param(end)}",
    ]
    if filters.site_codes:
        where.append(f"s.code IN ({', '.join(d.param(c) for c in filters.site_codes)})")
    if filters.force_area_codes:
        codes = ", ".join(d.param(c) for c in filters.force_area_codes)
        where.append(f"fa.code IN ({codes})")
    if filters.age_group == "youth":
        where.append("f.is_youth")
    elif filters.age_group == "adult":
        where.append("NOT f.is_youth")
    screened = "(f.accepted AND f.screened_at IS NOT NULL)"
    assessed = f"({screened} AND f.has_assessment)"
    ctes.append(
        f"""facts AS {"MATERIALIZED" if d.name == "sqlite" else "NOT MATERIALIZED"} (
    SELECT f.episode_id AS id, {group} AS grp,
           f.is_youth AS youth, f.person_key,
           CASE WHEN f.accepted THEN 1 ELSE 0 END AS accepted,
           CASE WHEN f.accepted OR f.declined THEN 1 ELSE 0 END AS answered,
           CASE WHEN {screened} THEN 1 ELSE 0 END AS screened,
           CASE WHEN {screened}
                THEN {d.hours("f.screened_at", "f.referral_received_at")} END AS screen_hours,
           CASE WHEN {assessed} THEN 1 ELSE 0 END AS assessed,
           CASE WHEN {screened} AND f.has_need THEN 1 ELSE 0 END AS vulnerable,
           CASE WHEN {assessed} AND f.onward_referrals > 0 THEN 1 ELSE 0 END AS onward,
           f.attended AS attended,
           f.attended + f.did_not_attend AS attended_or_not,
           CASE WHEN f.shared_at IS NOT NULL AND f.decided_at IS NOT NULL
                     AND f.shared_at <= f.decided_at THEN 1 ELSE 0 END AS shared_in_time,
           CASE WHEN f.shared_at IS NOT NULL AND f.decided_at IS NOT NULL
                THEN 1 ELSE 0 END AS both_times,
           {followed_up} AS followed_up, {re_presented} AS re_presented{firsts}
    FROM {relation} f{hint} {site_join}
    WHERE {" AND ".join(where)}
)"""  # nosec B608
    )
    head = "WITH " + ",\n".join(ctes) + "\n"
    if final == "episodes":
        return (
            head + "SELECT id, accepted, screened, assessed, vulnerable, onward, attended, "
            "attended_or_not - attended, shared_in_time, both_times, re_presented, followed_up "
            "FROM facts ORDER BY id"  # nosec B608
        )
    sums = ", ".join(f"SUM({c}) AS {c}" for c in _SUMS)
    parts = []
    age = "CASE WHEN youth THEN 'youth' ELSE 'adult' END"

    def both_levels(template: str) -> str:
        """A per-group SELECT at both levels: each age group, then the group's "all" row."""
        return (
            template.format(age=age, group="grp, youth")
            + " UNION ALL "
            + template.format(age="'all'", group="grp")
        )

    if people_by_sum:
        parts.append(
            f"agg AS (SELECT grp, {age} AS age_group, COUNT(*) AS referrals, "
            f"SUM(first_age) AS people, SUM(first_all) AS people_all, {sums} "
            "FROM facts GROUP BY grp, youth)"  # nosec B608
        )
        counts = (
            f"SELECT grp, age_group, referrals, people, {', '.join(_SUMS)} FROM agg "
            "UNION ALL SELECT grp, 'all', SUM(referrals), SUM(people_all), "  # nosec B608
            + ", ".join(f"SUM({c})" for c in _SUMS)
            + " FROM agg GROUP BY grp"
        )
    else:
        select = (
            "SELECT grp, {age} AS age_group, COUNT(*) AS referrals, "
            f"COUNT(DISTINCT person_key) AS people, {sums} "
            "FROM facts GROUP BY {group}"  # nosec B608
        )
        counts = both_levels(select)
    parts.append(f"cnt AS ({counts})")
    if d.name != "sqlite":
        # One sort for both levels: (group, age group) and the group's "all" row.
        medians = (
            "SELECT grp, CASE WHEN GROUPING(youth) = 1 THEN 'all' "
            "WHEN youth THEN 'youth' ELSE 'adult' END AS age_group, "
            f"{d.median('screen_hours')} AS median_hours "
            "FROM facts WHERE screen_hours IS NOT NULL "
            "GROUP BY GROUPING SETS ((grp, youth), (grp))"  # nosec B608
        )
    else:
        # SQLite has no median aggregate: the middle one or two of the sorted hours, by window.
        middle = (
            "SELECT grp, {age} AS age_group, AVG(screen_hours) AS median_hours FROM ("
            " SELECT grp, youth, screen_hours,"
            " ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY screen_hours) AS rn,"
            " COUNT(*) OVER (PARTITION BY {group}) AS cnt"
            " FROM facts WHERE screen_hours IS NOT NULL) x"
            " WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY {group}"
        )
        medians = both_levels(middle)
    parts.append(f"med AS ({medians})")
    columns = ", ".join(f"c.{c}" for c in _COLUMNS[:-1])  # every column but the median
    return (
        head.rstrip("\n")
        + ",\n"
        + ",\n".join(parts)
        + f"\nSELECT {columns}, m.median_hours FROM cnt c "
        "LEFT JOIN med m ON m.grp = c.grp AND m.age_group = c.age_group"  # nosec B608
    )


_COLUMNS = ("grp", "age_group", "referrals", "people", *_SUMS, "median_hours")


def run(
    filters: Filters,
    by: str | None,
    d: Dialect,
    execute: Callable[[str, Sequence[Any]], list[tuple[Any, ...]]],
    source: str = "table",
    scan: bool = False,
) -> dict[tuple[str, str], dict[str, Any]]:
    """Run the statement with ``execute`` and return {(group, age group or 'all'): row}."""
    sql = build_sql(filters, by, d, source=source, scan=scan)
    rows = {(r[0], r[1]): dict(zip(_COLUMNS, r, strict=True)) for r in execute(sql, d.params)}
    return rows


# Above this share of the recorded time span, SQLite scans the summary table rather than
# walking its referral-time index: at 1,000,000 episodes the whole span took 2.3 s through
# the index and 0.2 s by scan, so the index wins only below about a tenth.
SCAN_ABOVE_SHARE = 0.1


def wide_period(filters: Filters) -> bool:
    """Whether the period covers more than SCAN_ABOVE_SHARE of the summary table's time span."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        # Both ends come from the index: no scan.
        cursor.execute(
            f"SELECT MIN(referral_received_at), MAX(referral_received_at) FROM {FACTS_TABLE}"  # nosec B608
        )
        low, high = cursor.fetchone()
    if low is None:
        return False
    low, high = (dt.datetime.fromisoformat(v).replace(tzinfo=UTC) for v in (low, high))
    start, end = local_midnight(filters.date_from), local_midnight(filters.date_to)
    span = (high - low).total_seconds()
    overlap = (min(high, end + dt.timedelta(days=1)) - max(low, start)).total_seconds()
    return span <= 0 or overlap > SCAN_ABOVE_SHARE * span


# PostgreSQL's memory for the statement's sorts (distinct people, medians): at 1,000,000
# episodes the default 4 MB spills them to disk (docs/benchmarks.md, KPIs).
WORK_MEM = "64MB"


def _django_execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _one(key: str, row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {}

    def count(column: str) -> int:
        return int(row.get(column) or 0)

    if key in ("referrals", "people"):
        n = count(key)
        return {"numerator": n, "denominator": None, "value": n}
    if key == "median_hours_to_screening":
        median = row.get("median_hours")
        value = round(float(median), 2) if median is not None and count("screened") else None
        return {"numerator": None, "denominator": count("screened"), "value": value}
    num_col, den_col = _RATES[key]
    numerator, denominator = count(num_col), count(den_col)
    return {
        "numerator": numerator,
        "denominator": denominator,
        "value": _rate(numerator, denominator),
    }


def shape(rows: dict[tuple[str, str], dict[str, Any]], group: str) -> dict[str, dict[str, Any]]:
    """One group's KPIs in the public shape, with the youth and adult split."""
    result = {}
    for key in KPI_KEYS:
        entry = _one(key, rows.get((group, "all")))
        entry["by_age_group"] = {age: _one(key, rows.get((group, age))) for age in AGE_GROUPS}
        result[key] = entry
    return result


def compute_kpis(filters: Filters, *, source: str = "table") -> dict[str, dict[str, Any]]:
    """Every KPI for the episodes the filters select, overall and by age group.

    ``source="live"`` derives the facts from the clinical tables instead of
    reporting_episodefact: slower, the reference for checking the table.
    """
    rows = run(filters, None, django_dialect(), _django_execute, source, wide_period(filters))
    return shape(rows, "all")


def _labels(by: str, filters: Filters, groups: set[str]) -> dict[str, str]:
    from divert.core import codelists
    from divert.organisation.models import ForceArea, Site

    if by == "site":
        return dict(Site.objects.filter(code__in=groups).values_list("code", "name"))
    if by == "force_area":
        return dict(ForceArea.objects.filter(code__in=groups).values_list("code", "name"))
    if by == "month":
        return {g: dt.date.fromisoformat(f"{g}-01").strftime("%B %Y") for g in groups}
    slug = by.replace("_", "-")
    return {g: codelists.display(slug, g) for g in groups}


def compute_breakdown(filters: Filters, by: str, *, source: str = "table") -> list[dict[str, Any]]:
    """Every KPI per site, force area, month, gender identity or ethnic category.

    Months cover the whole period (empty months included, so a chart over time has no gaps);
    the other breakdowns list the groups that have episodes, ordered by code.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"Unknown breakdown {by!r}; choose from {BREAKDOWNS}")
    rows = run(filters, by, django_dialect(), _django_execute, source, wide_period(filters))
    groups = {grp for grp, _ in rows}
    if by == "month":
        groups |= {f"{m:%Y-%m}" for m in months_between(filters.date_from, filters.date_to)}
    labels = _labels(by, filters, groups)
    return [
        {"group": g, "label": labels.get(g, g), "kpis": shape(rows, g)}
        for g in sorted(groups, key=str)
    ]
