"""Find duplicates, decide a pair, merge and unmerge: the review queue's actions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from divert.audit.models import AuditEvent
from divert.cases.tests import factories
from divert.linkage import actions
from divert.linkage.models import (
    DuplicateCandidate,
    FindDuplicatesRun,
    LinkDecision,
    PersonKey,
    PersonMerge,
)
from divert.people import actions as people_actions
from divert.people.models import Alert, Alias, Person

pytestmark = pytest.mark.django_db

LEE_BORN = dt.date(1996, 5, 3)


@pytest.fixture
def lee(service, users):
    """The frequent attender on two records (Lee with an NHS number, Leigh without), each with
    an episode at the north custody suite, plus an unrelated person."""
    author = users["practitioner"]
    site, team = service["sites"]["north-custody"], service["teams"]["north"]
    lee = factories.person(
        author,
        given_name="Lee",
        family_name="Marshall",
        date_of_birth=LEE_BORN,
        nhs_number="9434765919",
        postcode="DH1 3LE",
    )
    leigh = factories.person(
        author,
        given_name="Leigh",
        family_name="Marshall",
        date_of_birth=LEE_BORN,
        pnc_id="96/123456K",
        postcode="DH1 3LE",
    )
    other = factories.person(
        author, given_name="Margaret", family_name="Hughes", date_of_birth=dt.date(1960, 1, 5)
    )
    episodes = {
        "lee": factories.episode(author, site=site, team=team, subject=lee),
        "leigh": factories.episode(
            author,
            site=site,
            team=team,
            subject=leigh,
            received_at=timezone.now() - dt.timedelta(days=300),
        ),
    }
    return {"lee": lee, "leigh": leigh, "other": other, "episodes": episodes}


def candidate_for(a, b):
    return DuplicateCandidate.objects.for_pair(a.pk, b.pk).get()


def test_find_duplicates_proposes_the_two_records_of_one_person(lee, users):
    """Lee and Leigh Marshall, born the same day at one postcode, are queued with evidence."""
    run = actions.find_duplicates(by=users["team_leader"])

    candidate = candidate_for(lee["lee"], lee["leigh"])
    assert candidate.run == run
    assert candidate.status == DuplicateCandidate.Status.OPEN
    assert candidate.band in {"match", "review"}
    levels = {item["field"]: item["level"] for item in candidate.evidence}
    assert levels["date_of_birth"] == "exact"
    assert levels["family_name"] == "exact"
    assert not DuplicateCandidate.objects.filter(first=lee["other"]).exists()
    assert not DuplicateCandidate.objects.filter(second=lee["other"]).exists()
    assert run.people_compared == 3
    assert run.candidates_proposed == 1
    event = AuditEvent.objects.get(event="linkage.duplicates_found")
    assert event.changes["proposed"] == 1


def test_find_duplicates_never_reproposes_a_decided_pair(lee, users):
    """Once someone decides "different people", later runs leave the pair alone."""
    actions.find_duplicates(by=users["team_leader"])
    candidate = candidate_for(lee["lee"], lee["leigh"])
    actions.decide_pair(
        candidate=candidate, outcome="different", by=users["team_leader"], reason="Twins"
    )

    run = actions.find_duplicates(by=None, trigger=FindDuplicatesRun.Trigger.COMMAND)

    assert run.candidates_proposed == 0
    assert run.pairs_already_decided == 1
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.DECIDED


def test_find_duplicates_reruns_update_rather_than_duplicate(lee, users):
    """Running twice keeps one proposal per pair, from the latest run."""
    actions.find_duplicates(by=users["team_leader"])
    second = actions.find_duplicates(by=users["team_leader"])

    assert DuplicateCandidate.objects.count() == 1
    assert DuplicateCandidate.objects.get().run == second


def test_decide_pair_not_sure_keeps_it_out_of_later_runs(lee, users):
    """ "Not sure" is kept as a decision and the pair moves to the not-sure list."""
    actions.find_duplicates(by=users["team_leader"])
    candidate = candidate_for(lee["lee"], lee["leigh"])

    decision = actions.decide_pair(candidate=candidate, outcome="not_sure", by=users["team_leader"])
    actions.find_duplicates(by=users["team_leader"])

    assert decision.outcome == LinkDecision.Outcome.NOT_SURE
    assert candidate_for(lee["lee"], lee["leigh"]).status == DuplicateCandidate.Status.NOT_SURE
    assert AuditEvent.objects.filter(event="linkage.pair_decided").count() == 1


def test_decide_pair_refuses_an_unknown_outcome_and_a_second_decision(lee, users):
    """The outcome must be one of the three, and a decided pair is not decided again."""
    actions.find_duplicates(by=users["team_leader"])
    candidate = candidate_for(lee["lee"], lee["leigh"])

    with pytest.raises(ValidationError) as error:
        actions.decide_pair(candidate=candidate, outcome="maybe", by=users["team_leader"])
    actions.decide_pair(candidate=candidate, outcome="different", by=users["team_leader"])
    with pytest.raises(ValidationError):
        actions.decide_pair(candidate=candidate, outcome="same", by=users["team_leader"])

    assert "outcome" in error.value.message_dict


def snapshot(person):
    """Everything a merge may touch, as plain values."""
    person.refresh_from_db()
    return {
        "fields": (person.nhs_number, person.pnc_id, person.merged_into_id),
        "episodes": sorted(person.episodes.values_list("pk", flat=True)),
        "aliases": sorted(Alias.objects.filter(person=person).values_list("pk", "given_name")),
        "alerts": sorted(Alert.objects.filter(person=person).values_list("pk", flat=True)),
        "keys": PersonKey.objects.filter(person=person).count(),
    }


def test_merge_then_unmerge_restores_everything_exactly(lee, users):
    """A merge moves episodes, aliases and alerts, copies the missing identifiers and adds
    the merged name as an alias; unmerging puts every row and field back as it was."""
    leader, author = users["team_leader"], users["practitioner"]
    survivor, merged = lee["lee"], lee["leigh"]
    people_actions.add_alias(person=merged, by=author, given_name="Lenny", kind="nickname")
    people_actions.raise_alert(
        person=merged, by=author, category="other", description="Prefers phone calls"
    )
    before = {"survivor": snapshot(survivor), "merged": snapshot(merged)}

    merge = actions.merge_people(
        survivor=survivor, merged=merged, by=leader, reason="Same NHS GP, same scar, same phone"
    )

    during = {"survivor": snapshot(survivor), "merged": snapshot(merged)}
    assert during["merged"]["fields"][2] == survivor.pk
    assert during["merged"]["episodes"] == during["merged"]["alerts"] == []
    assert during["merged"]["keys"] == 0
    assert during["survivor"]["episodes"] == sorted(
        before["survivor"]["episodes"] + before["merged"]["episodes"]
    )
    assert during["survivor"]["fields"][:2] == ("9434765919", "96/123456K")
    names = [name for _, name in during["survivor"]["aliases"]]
    assert sorted(names) == ["Leigh", "Lenny"]
    assert len(during["survivor"]["alerts"]) == 1
    assert merge.decision.outcome == LinkDecision.Outcome.SAME
    assert merge.survivor_before == {"pnc_id": None}

    actions.unmerge_people(merge=merge, by=leader, reason="Different birthmarks, two brothers")

    assert snapshot(survivor) == before["survivor"]
    assert snapshot(merged) == before["merged"]
    merge.refresh_from_db()
    assert merge.unmerged_by == leader
    latest = LinkDecision.objects.for_pair(survivor.pk, merged.pk).first()
    assert latest.outcome == LinkDecision.Outcome.DIFFERENT
    events = list(
        AuditEvent.objects.filter(event__in=["person.merged", "person.unmerged"]).order_by(
            "sequence"
        )
    )
    assert [e.event for e in events] == ["person.merged", "person.unmerged"]
    assert events[0].changes["moved"] == {
        "episodes": 1,
        "aliases": 1,
        "alerts": 1,
        "import_refs": 0,
    }
    assert "Leigh" not in str(events[0].changes) + events[0].reason


def test_unmerge_keeps_rows_added_to_the_survivor_since(lee, users):
    """An alert raised on the survivor after the merge stays with the survivor."""
    leader = users["team_leader"]
    merge = actions.merge_people(
        survivor=lee["lee"], merged=lee["leigh"], by=leader, reason="Confirmed at the desk"
    )
    later = people_actions.raise_alert(
        person=lee["lee"], by=leader, category="other", description="New phone number"
    )

    actions.unmerge_people(merge=merge, by=leader, reason="Wrong person merged")

    later.refresh_from_db()
    assert later.person == lee["lee"]


def test_merge_refuses_different_nhs_numbers_and_no_reason(lee, users):
    """Two different NHS numbers are two people; a merge always has a reason."""
    other = lee["other"]
    Person.objects.filter(pk=other.pk).update(nhs_number="4010232137")

    with pytest.raises(ValidationError) as error:
        actions.merge_people(survivor=lee["lee"], merged=other, by=users["team_leader"], reason="")

    assert set(error.value.message_dict) == {"survivor", "reason"}
    assert PersonMerge.objects.count() == 0


def test_merge_with_a_stale_copy_is_refused(lee, users):
    """Two people merging at once: the second re-reads under lock and finds it done."""
    stale_survivor = Person.objects.get(pk=lee["lee"].pk)
    stale_merged = Person.objects.get(pk=lee["leigh"].pk)
    actions.merge_people(
        survivor=lee["lee"], merged=lee["leigh"], by=users["team_leader"], reason="Same person"
    )

    with pytest.raises(ValidationError):
        actions.merge_people(
            survivor=stale_merged,
            merged=stale_survivor,
            by=users["service_manager"],
            reason="Same person, too",
        )

    assert PersonMerge.objects.count() == 1


def test_unmerge_twice_and_out_of_order_are_refused(lee, users):
    """A reversed merge cannot be reversed again."""
    leader = users["team_leader"]
    first = actions.merge_people(
        survivor=lee["leigh"], merged=lee["lee"], by=leader, reason="Same person at intake"
    )
    actions.unmerge_people(merge=first, by=leader, reason="Merged by mistake")

    with pytest.raises(ValidationError):
        actions.unmerge_people(merge=first, by=leader, reason="Merged by mistake again")


def test_unmerge_refused_while_the_survivor_is_itself_merged(lee, users):
    """When the survivor was later merged into a third record, that merge is undone first."""
    leader = users["team_leader"]
    Person.objects.filter(pk=lee["lee"].pk).update(nhs_number=None)
    first = actions.merge_people(
        survivor=lee["leigh"], merged=lee["lee"], by=leader, reason="Same person at intake"
    )
    second = actions.merge_people(
        survivor=lee["other"], merged=lee["leigh"], by=leader, reason="Checked twice, same"
    )

    with pytest.raises(ValidationError):
        actions.unmerge_people(merge=first, by=leader, reason="Merged by mistake")
    actions.unmerge_people(merge=second, by=leader, reason="Merged by mistake")
    actions.unmerge_people(merge=first, by=leader, reason="Merged by mistake")

    assert Person.objects.current().count() == 3


def test_person_merge_constraints(lee, users):
    """The database refuses a merge of a person into themself, and two standing merges of
    one person."""
    leader = users["team_leader"]
    merge = actions.merge_people(
        survivor=lee["lee"], merged=lee["leigh"], by=leader, reason="Same person at intake"
    )
    row = {
        "decision": merge.decision,
        "reason": "x",
        "merged_at": timezone.now(),
        "merged_by": leader,
    }

    with transaction.atomic(), pytest.raises(IntegrityError):
        PersonMerge.objects.create(survivor=lee["lee"], merged=lee["lee"], **row)
    with transaction.atomic(), pytest.raises(IntegrityError):
        PersonMerge.objects.create(survivor=lee["other"], merged=lee["leigh"], **row)
