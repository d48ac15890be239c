"""The partnership pages: ending (partners and coordinators), the review, achieved goals on the
pair page, the dashboard's counts and the member's home."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from checkins.models import GoalAchievement, Meeting, PartnershipEnding
from checkins.partnership import services
from contracts.models import Contract
from matching.models import Pair
from tests.checkins.factories import active_pair, meeting_at, signed_contract, signed_pair
from tests.matching.factories import enrol

pytestmark = pytest.mark.django_db


def url(name, pair, **kwargs):
    return reverse(name, kwargs={"org_slug": pair.organization.slug, "pair_id": pair.pk, **kwargs})


@pytest.fixture
def signed(cohort, member, partner):
    return signed_pair(cohort, member, partner)


def test_the_end_page_says_the_reason_is_private_and_writes_nothing(client_for, signed, member):
    response = client_for(member).get(url("partnership_end", signed.pair))

    assert response.status_code == 200
    assert "Only your coordinators see the reason" in response.content.decode()
    assert not PartnershipEnding.objects.exists()


def test_a_partner_ends_the_partnership_from_the_page_keeping_a_wrap_up(client_for, signed, member):
    wrap_up = meeting_at(signed.pair, timezone.now() + datetime.timedelta(days=2))
    other = meeting_at(signed.pair, timezone.now() + datetime.timedelta(days=9))
    client = client_for(member)
    data = {"reason": "not_working", "note": "We never click", "wrap_up": wrap_up.pk}

    response = client.post(url("partnership_end", signed.pair), data)

    assert response.status_code == 302
    assert response.url == reverse(
        "my_partner",
        kwargs={"org_slug": signed.pair.organization.slug, "cohort_id": signed.pair.cohort_id},
    )
    ending = PartnershipEnding.objects.get()
    assert (ending.reason, ending.note, ending.wrap_up) == (
        "not_working",
        "We never click",
        wrap_up,
    )
    assert Meeting.objects.get(pk=other.pk).status == Meeting.Status.CANCELLED
    # A second submit changes nothing and says so.
    again = client.post(url("partnership_end", signed.pair), data, follow=True)
    assert "already ended" in again.content.decode()
    assert PartnershipEnding.objects.count() == 1


def test_a_coordinator_ends_a_pair_and_sees_the_reason_on_its_page(
    client_for, signed, coordinator, member
):
    client = client_for(coordinator)
    response = client.post(url("partnership_end", signed.pair), {"reason": "other"})
    assert response.status_code == 302

    coordinator_page = client.get(url("pair_detail", signed.pair)).content.decode()
    partner_page = client_for(member).get(url("pair_detail", signed.pair)).content.decode()
    assert (
        "Reason (coordinators only):" in coordinator_page and "Another reason" in coordinator_page
    )
    assert "Another reason" not in partner_page
    assert PartnershipEnding.objects.get().by_coordinator


def test_the_pair_page_celebrates_an_achieved_goal(client_for, signed, member, partner):
    goal = signed.goal_of(member)
    client = client_for(member)
    today = timezone.localdate().isoformat()

    response = client.post(
        url("goal_achieved", signed.pair, goal_id=goal.pk), {"achieved_on": today}
    )

    assert response.status_code == 302
    assert GoalAchievement.objects.get().goal == goal
    page = client_for(partner).get(url("pair_detail", signed.pair)).content.decode()
    assert "1 goal achieved. Well done!" in page
    client.post(url("goal_achieved_undo", signed.pair, goal_id=goal.pk))
    assert not GoalAchievement.objects.exists()


def test_a_partner_cannot_mark_the_other_partners_goal(client_for, signed, member, partner):
    goal = signed.goal_of(partner)
    today = timezone.localdate().isoformat()

    client_for(member).post(
        url("goal_achieved", signed.pair, goal_id=goal.pk), {"achieved_on": today}
    )

    assert not GoalAchievement.objects.exists()


def test_a_goal_of_another_pair_is_404(client_for, signed, member, cohort):
    other = signed_pair(cohort, enrol(cohort, "Olga"), enrol(cohort, "Oskar"))
    goal = other.goal_of(other.member)

    response = client_for(member).post(
        url("goal_achieved", signed.pair, goal_id=goal.pk),
        {"achieved_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 404


@pytest.fixture
def due(cohort, member, partner):
    today = timezone.localdate()
    return signed_pair(
        cohort, member, partner, starts_on=today - datetime.timedelta(days=30), ends_on=today
    )


def test_the_review_page_records_choices_and_renews_when_both_agree(
    client_for, due, member, partner
):
    first, second = client_for(member), client_for(partner)
    assert (
        "Review your partnership" in first.get(url("partnership_review", due.pair)).content.decode()
    )

    response = first.post(url("partnership_review", due.pair), {"choice": "renew"})
    assert response.status_code == 302
    shown = second.get(url("partnership_review", due.pair)).content.decode()
    assert "chose: <strong>Renew with new goals</strong>" in shown

    response = second.post(url("partnership_review", due.pair), {"choice": "renew"})

    amendment = Contract.objects.get(previous=due.contract)
    assert response.url == reverse(
        "contract_detail",
        kwargs={"org_slug": due.pair.organization.slug, "contract_id": amendment.pk},
    )


def test_the_review_page_explains_why_continuing_is_not_possible(client_for, due, member):
    page = client_for(member).get(url("partnership_review", due.pair)).content.decode()

    assert "The program has no next cohort yet" in page


def test_the_home_page_asks_to_review_the_partnership_when_due(client_for, due, member, cohort):
    cohort.status = cohort.Status.ACTIVE
    cohort.save()
    meeting_at(due.pair, timezone.now() + datetime.timedelta(days=1))

    page = client_for(member).get(reverse("home")).content.decode()

    assert "Review your partnership" in page


def test_the_dashboard_counts_endings_renewals_and_goals_in_a_bounded_number_of_queries(
    client_for, coordinator, cohort, member, partner
):
    dashboard = reverse(
        "cohort_dashboard", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )
    client = client_for(coordinator)
    first = signed_pair(cohort, member, partner)
    services.goal_mark_achieved(
        goal=first.goal_of(member), actor=member, achieved_on=timezone.localdate()
    )
    services.partnership_end(pair=first.pair, actor=member, reason="no_time")
    client.get(dashboard)
    with CaptureQueriesContext(connection) as few:
        client.get(dashboard)

    for index in range(6):
        pair = active_pair(cohort, [enrol(cohort, f"A{index}"), enrol(cohort, f"B{index}")])
        contract = signed_contract(pair)
        owner = pair.members.first().user
        services.goal_mark_achieved(
            goal=contract.sections.get(user=owner).goals.get(),
            actor=owner,
            achieved_on=timezone.localdate(),
        )
        services.partnership_end(pair=pair, actor=owner, reason="not_working")
    with CaptureQueriesContext(connection) as many:
        response = client.get(dashboard)

    assert len(many.captured_queries) <= len(few.captured_queries)
    counts = response.context["data"].partnerships
    assert counts.ended_early == 7 and counts.goals_achieved == 7
    assert dict(counts.reasons) == {"Not enough time": 1, "The partnership isn't working for us": 6}
    assert 'data-count="ended-early">7<' in response.content.decode()


def test_the_end_page_reads_in_danish(client_for, signed, member):
    member.language = "da"
    member.save()
    client = client_for(member)
    client.cookies.load({"django_language": "da"})

    with translation.override("da"):
        page = client.get(url("partnership_end", signed.pair), HTTP_ACCEPT_LANGUAGE="da")

    text = page.content.decode()
    assert "Afslut jeres partnerskab?" in text
    assert "Kun jeres koordinatorer ser grunden" in text


def test_an_ended_pair_leaves_no_active_pair_behind(signed, member):
    services.partnership_end(pair=signed.pair, actor=member, reason="no_time")

    assert not Pair.objects.filter(status=Pair.Status.ACTIVE).exists()
