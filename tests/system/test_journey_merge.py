"""Journey: a team leader reviews the frequent attender's two records, merges them, and then
undoes the merge (issue #8), with axe on every page reached."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from divert.cases.models import Episode
from divert.cases.tests import factories
from divert.linkage.models import PersonMerge
from divert.people.models import Person
from tests.system.journey import check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def frequent_attender(users, service):
    """Lee Marshall (NHS number known) and Leigh Marshall (none): one man, two records,
    each with an episode at the north custody suite, and an unrelated person."""
    author = users["practitioner"]
    site, team = service["sites"]["north-custody"], service["teams"]["north"]
    born = dt.date(1996, 5, 3)
    lee = factories.person(
        author,
        given_name="Lee",
        family_name="Marshall",
        date_of_birth=born,
        nhs_number="9434765919",
        has_no_fixed_abode=True,
    )
    leigh = factories.person(author, given_name="Leigh", family_name="Marshall", date_of_birth=born)
    other = factories.person(
        author, given_name="Margaret", family_name="Hughes", date_of_birth=dt.date(1960, 1, 5)
    )
    for subject, days in ((lee, 9), (leigh, 380), (other, 30)):
        factories.episode(
            author,
            site=site,
            team=team,
            subject=subject,
            received_at=timezone.now() - dt.timedelta(days=days),
        )
    return lee, leigh


def test_team_leader_merges_and_unmerges_the_frequent_attender(live_server, page, service, users):
    """
    Given the frequent attender recorded twice (Lee and Leigh Marshall), each with an episode
      on the north team's caseload
    When the north team leader finds duplicates, compares the two records, decides they are
      the same person, keeps Lee's record and merges, then undoes the merge
    Then after the merge one person shows both episodes and Leigh's old record leads there
      with a banner; after undoing, the two records are separate again with one episode each;
      and no page has axe violations
    """
    lee, leigh = frequent_attender(users, service)
    sign_in(page, live_server, users["team_leader"])

    page.get_by_role("link", name="Duplicates").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicate people")
    check(page, "queue-empty")
    page.get_by_role("button", name="Find duplicates now").click()
    expect(page.get_by_text("1 possible duplicates to look at")).to_be_visible()
    check(page, "queue")

    page.get_by_role("link", name=re.compile("Compare")).first.click()
    expect(page.get_by_role("heading", name="Compare two records")).to_be_visible()
    expect(page.get_by_text("Date of birth matches").first).to_be_visible()
    check(page, "compare")
    page.get_by_label("Yes, the same person").check()
    page.get_by_role("button", name="Save the decision").click()

    expect(page.get_by_role("heading", name=re.compile("Merge two records"))).to_be_visible()
    check(page, "merge")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the record to keep")
    check(page, "merge-error")
    page.get_by_label(re.compile(f"Keep {lee.local_id}")).check()
    page.get_by_label("Why are you sure they are the same person?").fill(
        "He confirmed both names at the desk; same custody photograph"
    )
    page.get_by_role("button", name="Merge the records").click()

    expect(page).to_have_url(re.compile(rf"/people/{lee.pk}/$"))
    expect(page.get_by_text(f"{leigh.local_id} merged into {lee.local_id}")).to_be_visible()
    episode_links = page.locator("main table a[href*='/episodes/']")
    expect(episode_links).to_have_count(2)
    expect(page.get_by_text("Records merged into this one")).to_be_visible()
    check(page, "person-merged")

    page.goto(f"{live_server.url}/people/{leigh.pk}/")
    expect(page).to_have_url(re.compile(rf"/people/{lee.pk}/$"))
    expect(page.get_by_text(f"Record {leigh.local_id} was merged into")).to_be_visible()
    check(page, "person-redirected")

    page.get_by_role("link", name=re.compile("Undo the merge")).click()
    check(page, "unmerge")
    page.get_by_label("Why should this merge be undone?").fill(
        "Two brothers: the GP confirmed different NHS registrations"
    )
    page.get_by_role("button", name="Undo the merge").click()

    expect(page.get_by_text("is a separate record again")).to_be_visible()
    expect(page.locator("main table a[href*='/episodes/']")).to_have_count(1)
    check(page, "person-unmerged")
    page.goto(f"{live_server.url}/people/{leigh.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leigh Marshall")
    assert Person.objects.current().filter(pk__in=[lee.pk, leigh.pk]).count() == 2
    assert Episode.objects.filter(person=leigh).count() == 1
    assert PersonMerge.objects.get().unmerged_at is not None
