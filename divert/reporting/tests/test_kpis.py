"""Every KPI on small hand-built datasets with known answers (docs/adr/0012-kpi-definitions.md).

Every test here also checks the two ways the KPIs are computed: from the summary table the
pages read and live from the clinical tables must agree, and the table must match a fresh
derivation (``_both_sources``).
"""

import datetime as dt

import pytest

from divert.reporting import facts, kpis
from divert.reporting.definitions import KPI_KEYS
from divert.reporting.tests.builders import HOUR, Builder, utc

pytestmark = pytest.mark.django_db


def first_half_2026(**extra):
    return kpis.Filters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 30), **extra)


YEAR_2026 = first_half_2026()


@pytest.fixture
def build(users, service):
    return Builder(users, service)


@pytest.fixture(autouse=True)
def _both_sources(monkeypatch):
    """Answer from reporting_episodefact, after checking it against the live statement."""
    table_kpis, table_breakdown = kpis.compute_kpis, kpis.compute_breakdown

    def compute_kpis(filters, **kwargs):
        result = table_kpis(filters)
        assert result == table_kpis(filters, source="live")
        return result

    def compute_breakdown(filters, by, **kwargs):
        result = table_breakdown(filters, by)
        assert result == table_breakdown(filters, by, source="live")
        return result

    monkeypatch.setattr(kpis, "compute_kpis", compute_kpis)
    monkeypatch.setattr(kpis, "compute_breakdown", compute_breakdown)
    yield
    assert facts.stale_count() == 0


def nums(entry):
    return entry["numerator"], entry["denominator"], entry["value"]


@pytest.fixture
def funnel(build):
    """Six episodes in May 2026 walking the pathway; see each comment for what it adds."""
    at = utc(2026, 5, 4, 9)
    e1 = build.episode(at)  # accepted, screened at +2 h, assessed, a need, referred, in time
    build.offer(e1, "accepted")
    build.screening(e1, after=2 * HOUR)
    build.assessment(e1)
    build.need(e1)
    build.referral(e1, "sent", "did_not_attend", "attended", "closed")  # ever attended
    build.referral(e1, "sent", "declined")  # neither attended nor missed
    build.disclosure(e1, shared=HOUR, decided=3 * HOUR)
    e2 = build.episode(at + HOUR)  # imported: screened at +4 h, assessed, imported referral
    build.offer(e2, "accepted")
    build.imported(e2, screened_at=4 * HOUR, disclosed_at=5 * HOUR, cj_decision_at=3 * HOUR)
    build.assessment(e2)
    build.imported_referral(e2, "did_not_attend")
    e3 = build.episode(at + 2 * HOUR)  # declined, then accepted; screening never completed
    build.offer(e3, "declined")
    build.offer(e3, "accepted", after=2 * HOUR)
    build.screening(e3, after=3 * HOUR, complete=False)
    e4 = build.episode(at + 3 * HOUR)  # declined
    build.offer(e4, "declined")
    e5 = build.episode(at + 4 * HOUR)  # not offered; a disclosure with no decision time
    build.offer(e5, "not_offered")
    build.disclosure(e5, shared=HOUR, decided=None)
    e6 = build.episode(at + 5 * HOUR)  # accepted, screened at +6 h (live) and +9 h (imported)
    build.offer(e6, "accepted")
    build.screening(e6, after=6 * HOUR)
    build.imported(e6, screened_at=9 * HOUR)
    build.assessment(e6, complete=False)
    build.referral(e6)  # a draft: not an onward referral
    return [e1, e2, e3, e4, e5, e6]


def test_compute_kpis_funnel_known_answers(funnel):
    """Each KPI's numerator, denominator and value on the six-episode funnel."""
    result = kpis.compute_kpis(YEAR_2026)

    assert list(result) == list(KPI_KEYS)
    assert nums(result["referrals"]) == (6, None, 6)
    assert nums(result["people"]) == (6, None, 6)
    assert nums(result["offer_acceptance"]) == (4, 5, 0.8)
    assert nums(result["screened"]) == (3, 4, 0.75)
    assert nums(result["median_hours_to_screening"]) == (None, 3, 4.0)
    assert nums(result["assessed"]) == (2, 3, 0.6667)
    assert nums(result["with_vulnerability"]) == (1, 3, 0.3333)
    assert nums(result["referred_onward"]) == (2, 2, 1.0)
    assert nums(result["first_appointment_attended"]) == (1, 2, 0.5)
    assert nums(result["shared_before_decision"]) == (1, 2, 0.5)
    assert result["referrals"]["by_age_group"]["adult"]["numerator"] == 6
    assert nums(result["screened"]["by_age_group"]["youth"]) == (0, 0, None)


def test_compute_kpis_empty_period_has_no_values(funnel):
    """With no episodes every count is 0 and every rate and median is None (no division)."""
    empty = kpis.Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31))

    result = kpis.compute_kpis(empty)

    assert nums(result["referrals"]) == (0, None, 0)
    for key in KPI_KEYS[2:]:
        assert result[key]["value"] is None
        assert result[key]["by_age_group"]["youth"]["value"] is None


def test_compute_kpis_period_is_local_date_across_clock_changes(build):
    """Episodes count by their UK local date, in GMT and in BST, at both ends of the period."""
    # Clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October 2026.
    build.episode(utc(2026, 3, 28, 23, 30))  # 23:30 GMT on 28 March: before the period
    build.episode(utc(2026, 3, 29, 0, 30))  # 00:30 GMT on 29 March: first day
    build.episode(utc(2026, 10, 24, 23, 30))  # 00:30 BST on 25 October: last day
    build.episode(utc(2026, 10, 25, 23, 30))  # 23:30 GMT on 25 October: last day
    build.episode(utc(2026, 10, 25, 23, 59))
    build.episode(utc(2026, 10, 26, 0, 0))  # midnight GMT on 26 October: after the period
    period = kpis.Filters(date_from=dt.date(2026, 3, 29), date_to=dt.date(2026, 10, 25))

    result = kpis.compute_kpis(period)

    assert result["referrals"]["numerator"] == 4


def test_compute_breakdown_month_uses_local_month(build):
    """23:30 UTC on 31 March 2026 is 00:30 BST on 1 April: it counts in April."""
    build.episode(utc(2026, 3, 31, 22, 59))  # 23:59 BST on 31 March
    build.episode(utc(2026, 3, 31, 23, 30))
    period = kpis.Filters(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 4, 30))

    rows = kpis.compute_breakdown(period, "month")

    counts = {row["group"]: row["kpis"]["referrals"]["numerator"] for row in rows}
    assert counts == {"2026-02": 0, "2026-03": 1, "2026-04": 1}
    assert [row["label"] for row in rows] == ["February 2026", "March 2026", "April 2026"]


def test_compute_kpis_person_turning_18_counts_in_each_age_group(build):
    """Youth means under 18 at referral by UK local date: the same person counts once overall."""
    person = build.person(born=dt.date(2008, 6, 15))
    build.episode(utc(2026, 6, 14, 22, 30), person=person)  # 23:30 BST on 14 June: aged 17
    build.episode(utc(2026, 6, 14, 23, 30), person=person)  # 00:30 BST on 15 June: aged 18

    result = kpis.compute_kpis(YEAR_2026)
    youth_only = kpis.compute_kpis(first_half_2026(age_group="youth"))

    assert result["referrals"]["by_age_group"]["youth"]["numerator"] == 1
    assert result["referrals"]["by_age_group"]["adult"]["numerator"] == 1
    assert result["people"]["numerator"] == 1
    assert result["people"]["by_age_group"]["youth"]["numerator"] == 1
    assert result["people"]["by_age_group"]["adult"]["numerator"] == 1
    assert youth_only["referrals"]["numerator"] == 1


def test_compute_kpis_people_counted_once_however_their_episodes_fall(build):
    """Distinct people by the first-in-period rule agree with counting distinct people: earlier
    episodes outside the period, two episodes at the same instant, a merged record, an adult
    filter, and a site filter (which counts distinct people directly)."""
    regular = build.person()
    build.episode(utc(2025, 12, 20, 9), person=regular)  # before the period
    build.episode(utc(2026, 2, 1, 9), person=regular)
    build.episode(utc(2026, 3, 1, 9), person=regular, site="south-custody")
    twice = build.person()
    build.episode(utc(2026, 4, 1, 9), person=twice)
    build.episode(utc(2026, 4, 1, 9), person=twice)  # same instant
    a, b = build.person(), build.person()
    build.episode(utc(2026, 5, 1, 9), person=a)
    build.episode(utc(2026, 5, 2, 9), person=b)
    build.merge(a, into=b)
    teen = build.person(born=dt.date(2008, 3, 10))
    build.episode(utc(2026, 1, 5, 9), person=teen)  # 17
    build.episode(utc(2026, 3, 20, 9), person=teen)  # 18
    build.episode(utc(2026, 6, 1, 9), person=teen)  # 18

    result = kpis.compute_kpis(YEAR_2026)
    adults = kpis.compute_kpis(first_half_2026(age_group="adult"))
    north = kpis.compute_kpis(first_half_2026(site_codes=("north-custody",)))

    assert result["referrals"]["numerator"] == 9
    assert result["people"]["numerator"] == 4
    assert result["people"]["by_age_group"]["youth"]["numerator"] == 1
    assert result["people"]["by_age_group"]["adult"]["numerator"] == 4
    assert adults["people"]["numerator"] == 4
    assert adults["people"]["by_age_group"]["youth"]["numerator"] == 0
    assert north["people"]["numerator"] == 4  # regular's south episode: still one at north
    by_month = {
        g["group"]: g["kpis"]["people"]["numerator"]
        for g in kpis.compute_breakdown(YEAR_2026, "month")
    }
    assert by_month == {
        "2026-01": 1,
        "2026-02": 1,
        "2026-03": 2,
        "2026-04": 1,
        "2026-05": 1,
        "2026-06": 1,
    }


def test_compute_kpis_live_and_imported_screening_count_once(build):
    """A live and an imported screening on one episode count once, from the earlier time."""
    episode = build.episode(utc(2026, 2, 2, 10))
    build.offer(episode, "accepted")
    build.screening(episode, after=5 * HOUR)
    build.imported(episode, screened_at=2 * HOUR)

    result = kpis.compute_kpis(YEAR_2026)

    assert nums(result["screened"]) == (1, 1, 1.0)
    assert result["median_hours_to_screening"]["value"] == 2.0


def test_compute_kpis_re_presentation_follows_merges_and_365_days(build):
    """Later episode within 365 days by person (merged records: the survivor); denominator is
    episodes referred on a local date at least 365 days before as-of."""
    p = build.person()
    build.episode(utc(2025, 1, 10, 9), person=p)  # next is 325 days later: re-presented
    build.episode(utc(2025, 12, 1, 9), person=p)  # after the cutoff: not followed up
    build.episode(utc(2026, 11, 1, 9), person=p)
    q, r = build.person(), build.person()
    build.episode(utc(2025, 2, 1, 9), person=q)  # q merged into r: next is r's, 120 days
    build.episode(utc(2025, 6, 1, 9), person=r)  # nothing later
    build.merge(q, into=r)
    build.episode(utc(2025, 3, 1, 9))  # one episode only
    t = build.person()
    build.episode(utc(2025, 4, 1, 10), person=t)  # exactly 365 days: re-presented
    build.episode(utc(2026, 4, 1, 10), person=t)
    u = build.person()
    build.episode(utc(2025, 5, 1, 10), person=u)  # 365 days and one hour: not
    build.episode(utc(2026, 5, 1, 11), person=u)
    period = kpis.Filters(
        date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), as_of=dt.date(2026, 11, 1)
    )

    result = kpis.compute_kpis(period)

    assert nums(result["re_presentation_12m"]) == (3, 6, 0.5)
    assert result["people"]["numerator"] == 5  # q and r are one person


def test_compute_kpis_re_presentation_ignores_episodes_after_as_of(build):
    """As of a date, later episodes not yet referred do not count."""
    p = build.person()
    build.episode(utc(2024, 1, 10, 9), person=p)
    build.episode(utc(2025, 1, 5, 9), person=p)
    period = kpis.Filters(
        date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 31), as_of=dt.date(2025, 1, 10)
    )
    before = kpis.Filters(
        date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 31), as_of=dt.date(2025, 1, 4)
    )

    assert nums(kpis.compute_kpis(period)["re_presentation_12m"]) == (1, 1, 1.0)
    assert nums(kpis.compute_kpis(before)["re_presentation_12m"]) == (0, 0, None)


def test_compute_kpis_site_and_force_area_filters(build):
    """Site and force-area filters select episodes by where they were referred."""
    build.episode(utc(2026, 2, 1, 9), site="north-custody")
    build.episode(utc(2026, 2, 1, 10), site="north-court")
    build.episode(utc(2026, 2, 1, 11), site="south-custody")

    north_custody = kpis.compute_kpis(first_half_2026(site_codes=("north-custody",)))
    south = kpis.compute_kpis(first_half_2026(force_area_codes=("south",)))

    assert north_custody["referrals"]["numerator"] == 1
    assert south["referrals"]["numerator"] == 1


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("site", {"north-court": 1, "north-custody": 2}),
        ("force_area", {"north": 3}),
        ("gender_identity", {"1": 1, "X": 2}),
        ("ethnic_category", {"99": 2, "A": 1}),
    ],
)
def test_compute_breakdown_groups_and_labels(build, by, expected):
    """Each breakdown lists the groups with episodes, by code, with display labels."""
    build.episode(utc(2026, 2, 1, 9), site="north-custody")
    build.episode(
        utc(2026, 2, 1, 10),
        site="north-custody",
        person=build.person(gender_identity="1", ethnic_category="A"),
    )
    build.episode(utc(2026, 2, 1, 11), site="north-court")

    rows = kpis.compute_breakdown(YEAR_2026, by)

    assert {row["group"]: row["kpis"]["referrals"]["numerator"] for row in rows} == expected
    assert all(row["label"] for row in rows)


def test_compute_breakdown_unknown_dimension_is_refused():
    """Only the five documented breakdowns exist."""
    with pytest.raises(ValueError, match="Unknown breakdown"):
        kpis.compute_breakdown(YEAR_2026, "postcode")


def test_filters_refuse_reversed_period_and_unknown_age_group():
    """A period must run forwards; the age group is youth, adult or None."""
    with pytest.raises(ValueError, match="before"):
        kpis.Filters(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match="age_group"):
        kpis.Filters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 2, 1), age_group="kid")
