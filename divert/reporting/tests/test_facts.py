"""The per-episode KPI facts stay equal to the clinical record through every kind of write."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from divert.audit.models import AuditEvent
from divert.cases.actions import record_offer
from divert.linkage.actions import merge_people, unmerge_people
from divert.reporting import facts, kpis
from divert.reporting.models import EpisodeFact
from divert.reporting.tests.builders import HOUR, Builder, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def build(users, service):
    return Builder(users, service)


def fact(episode):
    return EpisodeFact.objects.get(episode=episode)


def test_each_recorded_step_updates_the_episode_facts(build):
    episode = build.episode(utc(2026, 3, 2, 9))
    assert not fact(episode).accepted

    build.offer(episode, "accepted")
    build.screening(episode, after=2 * HOUR)
    build.assessment(episode)
    build.need(episode)
    build.referral(episode, "sent", "attended")
    build.disclosure(episode, shared=HOUR, decided=3 * HOUR)

    row = fact(episode)
    assert (row.accepted, row.has_assessment, row.has_need) == (True, True, True)
    assert row.screened_at == utc(2026, 3, 2, 11)
    assert (row.onward_referrals, row.attended, row.did_not_attend) == (1, 1, 0)
    assert (row.shared_at, row.decided_at) == (utc(2026, 3, 2, 10), utc(2026, 3, 2, 12))
    assert facts.stale_count() == 0


def test_recording_through_the_action_updates_the_facts(build, users):
    episode = build.episode(utc(2026, 3, 2, 9))

    record_offer(
        by=users["practitioner"],
        episode=episode,
        offered_at=utc(2026, 3, 2, 10),
        outcome="declined",
        reason_detail="Synthetic reason",
    )

    assert fact(episode).declined
    assert facts.stale_count() == 0


def test_a_new_episode_becomes_the_previous_ones_next_referral(build):
    person = build.person()
    first = build.episode(utc(2025, 1, 10, 9), person=person)
    assert fact(first).next_referral_at is None

    build.episode(utc(2025, 6, 1, 9), person=person)

    assert fact(first).next_referral_at == utc(2025, 6, 1, 9)


def test_merge_and_unmerge_rederive_both_records(build, users):
    """Merging joins two people's episodes into one sequence; unmerging splits it again."""
    a, b = build.person(), build.person()
    early = build.episode(utc(2025, 1, 10, 9), person=a)
    late = build.episode(utc(2025, 3, 1, 9), person=b)
    middle = build.episode(utc(2025, 2, 1, 9), person=a)
    by = users["team_leader"]

    merge = merge_people(survivor=b, merged=a, by=by, reason="Same NHS number on a letter")

    assert {fact(e).person_key for e in (early, middle, late)} == {b.pk}
    assert fact(middle).next_referral_at == utc(2025, 3, 1, 9)
    assert facts.stale_count() == 0

    unmerge_people(merge=merge, by=by, reason="Different people after all")

    assert fact(middle).person_key == a.pk
    assert fact(middle).next_referral_at is None
    assert fact(late).person_key == b.pk
    assert facts.stale_count() == 0


def test_a_person_edit_moves_their_episodes_between_groups(build):
    episode = build.episode(utc(2026, 3, 2, 9))
    person = episode.person

    person.ethnic_category = "A"
    person.save()

    assert fact(episode).ethnic_category == "A"


def test_deleting_an_episode_removes_its_facts_and_keeps_the_rest_right(build):
    """The cascade deletes the episode's rows first; their delete signals must not bring the
    episode's facts back."""
    person = build.person()
    first = build.episode(utc(2025, 1, 10, 9), person=person)
    second = build.episode(utc(2025, 6, 1, 9), person=person)
    build.offer(second, "accepted")
    build.referral(second, "sent", "attended")

    second.delete()

    assert list(EpisodeFact.objects.values_list("episode_id", flat=True)) == [first.pk]
    assert fact(first).next_referral_at is None
    assert facts.stale_count() == 0


def test_refresh_in_chunks_keeps_each_person_whole(build, monkeypatch):
    monkeypatch.setattr(facts, "CHUNK", 2)
    people = [build.person() for _ in range(5)]
    for n, person in enumerate(people):
        build.episode(utc(2025, 1, 1 + n, 9), person=person)
        build.episode(utc(2025, 2, 1 + n, 9), person=person)
    EpisodeFact.objects.all().delete()

    written = facts.refresh_people(p.pk for p in people)

    assert written == 10
    assert facts.stale_count() == 0


def test_stale_count_finds_a_changed_a_missing_and_an_extra_row(build):
    episodes = [build.episode(utc(2026, 3, n, 9)) for n in (2, 3, 4)]
    assert facts.stale_count() == 0

    EpisodeFact.objects.filter(episode=episodes[0]).update(accepted=True)  # changed: 2 rows
    EpisodeFact.objects.filter(episode=episodes[1]).delete()  # missing: 1 row
    copy = fact(episodes[2])
    copy.episode_id = episodes[2].pk + 1000
    copy.save(force_insert=True)  # extra: 1 row

    assert facts.stale_count() == 4
    assert facts.refresh_all() == 3
    assert facts.stale_count() == 0


def test_the_pages_read_the_table(build):
    """compute_kpis answers from reporting_episodefact, not from the clinical tables."""
    episode = build.episode(utc(2026, 3, 2, 9))
    build.offer(episode, "accepted")
    period = kpis.Filters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    EpisodeFact.objects.all().delete()

    assert kpis.compute_kpis(period)["referrals"]["numerator"] == 0
    assert kpis.compute_kpis(period, source="live")["referrals"]["numerator"] == 1


def test_report_facts_command_checks_and_rebuilds(build, users):
    build.episode(utc(2026, 3, 2, 9))
    username = users["service_manager"].username
    out = StringIO()
    call_command("report", "facts", "--check", "--by", username, stdout=out)
    assert "match" in out.getvalue()

    EpisodeFact.objects.all().delete()
    with pytest.raises(CommandError, match="1 KPI fact rows differ"):
        call_command("report", "facts", "--check", "--by", username)

    call_command("report", "facts", "--rebuild", "--by", username, stdout=out)
    assert "1 episodes" in out.getvalue()
    assert facts.stale_count() == 0
    assert AuditEvent.objects.filter(event="reporting.facts_rebuilt").count() == 1


def test_sqlite_scans_the_table_only_for_a_period_covering_most_of_the_data(build):
    """The scan choice changes the plan, never the numbers."""
    for year in range(2020, 2027):
        episode = build.episode(utc(year, 3, 2, 9))
        build.offer(episode, "accepted")
    month = kpis.Filters(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31))
    years = kpis.Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2026, 12, 31))

    from django.db import connection

    expected = connection.vendor == "sqlite"
    assert kpis.wide_period(years) is expected
    assert kpis.wide_period(month) is False
    for filters in (month, years):
        for by in (None, "month", "site"):
            d = kpis.django_dialect()
            scanned = kpis.build_sql(filters, by, d, scan=True)
            assert ("NOT INDEXED" in scanned) is expected
            rows = kpis.run(filters, by, kpis.django_dialect(), kpis._django_execute, scan=True)
            assert rows == kpis.run(filters, by, kpis.django_dialect(), kpis._django_execute)


def test_every_table_the_facts_read_is_watched():
    """A table added to ``kpis.fact_ctes`` without its model in ``facts.sources()`` would let
    writes to it leave the summary table stale."""
    import re

    sql = kpis.facts_sql(kpis.django_dialect(), kpis.Scope())
    read = set(re.findall(r"(?:FROM|JOIN)\s+([a-z]+_[a-z_]+)", sql)) - {kpis.FACTS_TABLE}
    assert read == {model._meta.db_table for model in facts.sources()}
