"""The pair page: meetings, check-in status, agenda, indicator charts; and what coordinators see."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins import charts
from contracts.models import Indicator
from tests.checkins.factories import (
    checkin,
    future_meeting,
    log_value,
    next_step,
    past_meeting,
    rate_goal,
    signed_pair,
)
from tests.factories import EnrolmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PRIVATE = [
    "I learned to say no politely",
    "I taught spreadsheet shortcuts",
    "Afraid of the quarterly review",
    "Goal note: slow month",
    "Indicator note: counted twice",
    "Book the rehearsal room",
]


@pytest.fixture(autouse=True)
def _no_reminders():
    with mock.patch("checkins.reminders.reminders_sync_for_meeting"):
        yield


@pytest.fixture
def ana_and_ben(cohort, member, partner):
    return signed_pair(cohort, member, partner)


@pytest.fixture
def history(ana_and_ben, member, partner):
    """Two past meetings with check-ins full of private text, and one meeting ahead."""
    number = ana_and_ben.indicator_of(member)
    yes_no = ana_and_ben.indicator_of(member, Indicator.Kind.YES_NO)
    first = past_meeting(ana_and_ben.pair, days_ago=14, contract=ana_and_ben.contract)
    second = past_meeting(ana_and_ben.pair, days_ago=7, contract=ana_and_ben.contract)
    early = checkin(first, member)
    log_value(early, number, value=Decimal("3"))
    log_value(early, yes_no, met=False)
    late = checkin(
        second,
        member,
        learned=PRIVATE[0],
        taught=PRIVATE[1],
        blockers=PRIVATE[2],
    )
    rate_goal(late, ana_and_ben.goal_of(member), 4, note=PRIVATE[3])
    log_value(late, number, value=Decimal("7.5"), note=PRIVATE[4])
    log_value(late, yes_no, met=True)
    next_step(late, partner, PRIVATE[5])
    upcoming = future_meeting(ana_and_ben.pair, contract=ana_and_ben.contract)
    return {"first": first, "second": second, "upcoming": upcoming}


def pair_url(world):
    return reverse("pair_detail", kwargs={"org_slug": "northwind", "pair_id": world.pair.pk})


def test_partners_see_meetings_agenda_check_ins_and_charts(
    client_for, member, ana_and_ben, history
):
    response = client_for(member).get(pair_url(ana_and_ben))

    assert response.status_code == 200
    content = response.content.decode()
    page = response.context["page"]
    upcoming = history["upcoming"]
    assert upcoming.pk in [m.pk for m in page.upcoming]  # with those the contract schedules
    for name in ("meeting_reschedule", "meeting_cancel", "meeting_ics"):
        url = reverse(name, kwargs={"org_slug": "northwind", "meeting_id": upcoming.pk})
        assert url in content
    assert [row.meeting.pk for row in page.past] == [history["second"].pk, history["first"].pk]
    assert "Ana Silva checked in" in content and "Ben Okafor: no check-in yet" in content
    assert "Log my check-in" not in content  # Ana checked in for both
    assert PRIVATE[0] in content and PRIVATE[5] in content
    assert "Review of short- and long-term goals" in content
    assert (
        reverse("pair_contract", kwargs={"org_slug": "northwind", "pair_id": ana_and_ben.pair.pk})
        in content
    )


def test_the_partner_who_has_not_checked_in_is_asked_to(client_for, partner, ana_and_ben, history):
    content = client_for(partner).get(pair_url(ana_and_ben)).content.decode()

    checkin_url = reverse(
        "checkin_create", kwargs={"org_slug": "northwind", "meeting_id": history["second"].pk}
    )
    assert checkin_url in content and "Log my check-in" in content


def test_indicator_history_is_drawn_as_accessible_svg_with_a_table(
    client_for, member, ana_and_ben, history
):
    content = client_for(member).get(pair_url(ana_and_ben)).content.decode()

    number = ana_and_ben.indicator_of(member)
    assert f'aria-labelledby="indicator-{number.pk}-title indicator-{number.pk}-desc"' in content
    assert (
        f'<title id="indicator-{number.pk}-title">Progress: Ana&#x27;s sessions</title>' in content
    )
    assert "2 values" in content and "latest 7.5 sessions" in content
    assert 'stroke-dasharray="5 4"' in content  # the target line
    assert "pm-dot-met" in content and "pm-dot-unmet" in content  # the yes/no row
    assert "<table" in content and "7.5 sessions" in content
    assert " style=" not in content.split("<main", 1)[1]


def test_coordinators_see_statuses_and_dates_but_nothing_private(
    client_for, coordinator, ana_and_ben, history
):
    response = client_for(coordinator).get(pair_url(ana_and_ben))

    assert response.status_code == 200
    content = response.content.decode()
    for text in PRIVATE:
        assert text not in content
    assert "Ana Silva checked in" in content and "Ben Okafor: no check-in yet" in content
    assert "<svg" not in content.split("<main", 1)[1]
    assert "Reschedule" not in content and "Log my check-in" not in content
    page = response.context["page"]
    assert page.private is False and page.goals == [] and page.next_steps == []
    loaded = [c for row in page.past for _user, c in row.checkins if c is not None]
    assert loaded and all("learned" in c.get_deferred_fields() for c in loaded)


def test_a_member_outside_the_pair_gets_404(client_for, cohort, ana_and_ben):
    stranger = EnrolmentFactory(cohort=cohort).user

    assert client_for(stranger).get(pair_url(ana_and_ben)).status_code == 404


def test_a_member_of_the_organization_in_no_cohort_gets_404(client_for, organization, ana_and_ben):
    somebody = MembershipFactory(organization=organization).user

    assert client_for(somebody).get(pair_url(ana_and_ben)).status_code == 404


def test_the_health_badge_is_on_the_page(client_for, member, ana_and_ben, history):
    content = client_for(member).get(pair_url(ana_and_ben)).content.decode()

    assert "On track" in content


def test_a_pair_without_a_signed_contract_says_how_meetings_start(
    client_for, cohort, member, partner
):
    world = signed_pair(cohort, member, partner, status="draft")

    content = client_for(member).get(pair_url(world)).content.decode()

    assert "as soon as both partners have signed it" in content
    assert "No signed contract" in content


@pytest.mark.parametrize("viewer", ["member", "coordinator"])
def test_the_pair_page_queries_do_not_grow_with_meetings_and_check_ins(
    request,
    client_for,
    ana_and_ben,
    member,
    partner,
    history,
    viewer,
    django_assert_max_num_queries,
):
    client = client_for(request.getfixturevalue(viewer))
    url = pair_url(ana_and_ben)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    few = len(context.captured_queries)

    number = ana_and_ben.indicator_of(member)
    for days_ago in range(20, 60, 3):
        meeting = past_meeting(ana_and_ben.pair, days_ago=days_ago)
        for user in (member, partner):
            row = checkin(meeting, user, learned="more")
            next_step(row, user, f"Step {days_ago}")
        log_value(row, ana_and_ben.indicator_of(partner), value=days_ago)
        log_value(
            checkin(past_meeting(ana_and_ben.pair, days_ago=days_ago + 1), member), number, value=1
        )
    for days_ahead in range(5, 40, 5):
        future_meeting(ana_and_ben.pair, days_ahead=days_ahead)

    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["page"].past) > 20


# The chart builder -------------------------------------------------------------------------


def test_a_chart_escapes_what_partners_typed():
    svg = charts.indicator_chart(
        chart_id="x",
        description='<script>alert("hi")</script>',
        kind="number",
        target=Decimal("5"),
        unit="<b>",
        due_on=None,
        points=[charts.Point(datetime.date(2027, 1, 5), Decimal("2"))],
    )

    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_no_values_no_chart():
    assert (
        charts.indicator_chart(
            chart_id="x",
            description="d",
            kind="yes_no",
            target=None,
            unit="",
            due_on=None,
            points=[],
        )
        == ""
    )


def test_numbers_drop_trailing_zeros():
    assert [charts.number(Decimal(v)) for v in ("10.00", "7.50", "0")] == ["10", "7.5", "0"]


def test_today_is_the_pairs_local_day(ana_and_ben, member):
    from checkins import selectors

    page = selectors.pair_page(pair=ana_and_ben.pair, user=member, private=True)

    assert page.today in {
        timezone.now().date(),
        timezone.now().date() + datetime.timedelta(days=1),
    }


def test_the_next_four_meetings_are_listed_and_the_rest_on_request(client_for, member, ana_and_ben):
    for week in range(6):
        future_meeting(ana_and_ben.pair, days_ahead=3 + 7 * week, note=f"Week {week + 1}")
    url = pair_url(ana_and_ben)
    client = client_for(member)

    page = client.get(url).content.decode()
    assert [f"Week {n}" in page for n in range(1, 7)] == [True] * 4 + [False] * 2
    assert 'href="?meetings=all#upcoming-heading">Show 2 more meetings</a>' in page

    everything = client.get(url, {"meetings": "all"}).content.decode()
    assert all(f"Week {n}" in everything for n in range(1, 7))
    assert "more meetings" not in everything
