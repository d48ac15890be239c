"""At-risk rules, on plain data first, then for many pairs at once from the database."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins import health, selectors
from checkins.health import IndicatorState, Status
from tests.checkins.factories import (
    checkin,
    future_meeting,
    log_value,
    meeting_at,
    past_meeting,
    signed_pair,
)
from tests.factories import EnrolmentFactory

UTC = datetime.UTC
NOW = datetime.datetime(2027, 5, 10, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - datetime.timedelta(days=100)


def days(n, hours=0):
    return datetime.timedelta(days=n, hours=hours)


def assess(**overrides):
    values = {
        "now": NOW,
        "cadence": "weekly",
        "started_at": LONG_AGO,
        "last_checkin_at": NOW - days(1),
        "indicators": (),
    }
    return health.assess(**{**values, **overrides})


def number(value, target="10", due_on=datetime.date(2027, 5, 1)):
    latest = None if value is None else Decimal(value)
    return IndicatorState("number", due_on, target=Decimal(target), latest_value=latest)


def yes_no(met, due_on=datetime.date(2027, 5, 1)):
    return IndicatorState("yes_no", due_on, latest_met=met)


# The rules on plain data -------------------------------------------------------------------


def test_a_recent_check_in_and_no_overdue_indicator_is_on_track():
    assert assess().status == Status.ON_TRACK


@pytest.mark.parametrize(("cadence", "window"), [("weekly", 14), ("biweekly", 28), ("monthly", 61)])
def test_no_check_in_for_twice_the_cadence_is_at_risk(cadence, window):
    just_inside = assess(cadence=cadence, last_checkin_at=NOW - days(window) + days(0, 1))
    at_the_window = assess(cadence=cadence, last_checkin_at=NOW - days(window))

    assert just_inside.status == Status.ON_TRACK
    assert at_the_window.status == Status.AT_RISK
    assert at_the_window.reasons == (health.NO_RECENT_CHECKIN,)


def test_without_any_check_in_the_window_counts_from_the_start():
    assert assess(last_checkin_at=None, started_at=NOW - days(13)).status == Status.ON_TRACK
    assert assess(last_checkin_at=None, started_at=NOW - days(14)).status == Status.AT_RISK


def test_the_first_cadence_period_is_too_early_to_tell():
    assert assess(last_checkin_at=None, started_at=NOW - days(6)).status == Status.TOO_EARLY
    assert assess(last_checkin_at=None, started_at=NOW - days(7)).status == Status.ON_TRACK
    monthly = assess(cadence="monthly", last_checkin_at=None, started_at=NOW - days(30))
    assert monthly.status == Status.TOO_EARLY


def test_a_start_in_the_future_is_too_early_to_tell():
    assert assess(last_checkin_at=None, started_at=NOW + days(5)).status == Status.TOO_EARLY


def test_a_pair_that_has_not_started_at_all_is_too_early_to_tell():
    assert assess(last_checkin_at=None, started_at=None).status == Status.TOO_EARLY


def test_no_signed_contract_means_no_cadence_to_judge_by():
    assert assess(cadence=None).status == Status.NO_CONTRACT


def test_a_number_below_its_target_past_its_due_date_is_at_risk():
    result = assess(indicators=[number("7")])

    assert result.status == Status.AT_RISK
    assert result.reasons == (health.INDICATOR_OVERDUE,)
    assert len(result.overdue) == 1


def test_a_number_that_reached_its_target_is_fine_after_its_due_date():
    assert assess(indicators=[number("10"), number("12")]).status == Status.ON_TRACK


def test_a_number_never_measured_past_its_due_date_is_at_risk():
    assert assess(indicators=[number(None)]).status == Status.AT_RISK


def test_a_yes_no_not_met_past_its_due_date_is_at_risk():
    assert assess(indicators=[yes_no(False)]).status == Status.AT_RISK
    assert assess(indicators=[yes_no(None)]).status == Status.AT_RISK
    assert assess(indicators=[yes_no(True)]).status == Status.ON_TRACK


def test_an_indicator_is_overdue_only_after_its_due_date():
    due_today = number("1", due_on=NOW.date())
    due_yesterday = number("1", due_on=NOW.date() - days(1))

    assert assess(indicators=[due_today]).status == Status.ON_TRACK
    assert assess(indicators=[due_yesterday]).status == Status.AT_RISK


def test_an_indicator_without_a_due_date_is_never_overdue():
    assert assess(indicators=[number("0", due_on=None)]).status == Status.ON_TRACK


def test_an_overdue_indicator_makes_even_a_new_pair_at_risk():
    result = assess(started_at=NOW - days(2), last_checkin_at=None, indicators=[yes_no(False)])

    assert result.status == Status.AT_RISK


def test_both_reasons_are_given_when_both_apply():
    result = assess(last_checkin_at=NOW - days(30), indicators=[yes_no(False)])

    assert result.reasons == (health.NO_RECENT_CHECKIN, health.INDICATOR_OVERDUE)


def test_on_track_says_when_a_check_in_becomes_due():
    result = assess(last_checkin_at=NOW - days(3))

    assert result.checkin_due_by == NOW - days(3) + days(14)


# Many pairs from the database --------------------------------------------------------------


@pytest.fixture
def ana_and_ben(cohort, member, partner):
    return signed_pair(cohort, member, partner)


def another_pair(cohort, **contract):
    one, two = EnrolmentFactory(cohort=cohort).user, EnrolmentFactory(cohort=cohort).user
    return signed_pair(cohort, one, two, **contract)


@pytest.mark.django_db
def test_pairs_health_uses_the_latest_check_in_of_either_partner(ana_and_ben):
    now = timezone.now()
    meeting = past_meeting(ana_and_ben.pair, days_ago=40)
    past_meeting(ana_and_ben.pair, days_ago=50)
    recent = meeting_at(ana_and_ben.pair, meeting.starts_at)
    checkin(meeting, ana_and_ben.member, created_at=now - days(30))
    checkin(recent, ana_and_ben.partner, created_at=now - days(3))

    result = selectors.pairs_health(pairs=[ana_and_ben.pair], now=now)[ana_and_ben.pair.pk]

    assert result.last_checkin_at == now - days(3)
    assert result.status == Status.ON_TRACK


@pytest.mark.django_db
def test_pairs_health_reads_the_latest_value_of_each_indicator(ana_and_ben):
    now = timezone.now()
    indicator = ana_and_ben.indicator_of(ana_and_ben.member)
    indicator.due_on = now.date() - days(1)
    indicator.save()
    first, second = past_meeting(ana_and_ben.pair, days_ago=20), past_meeting(ana_and_ben.pair)
    log_value(checkin(first, ana_and_ben.member, created_at=now - days(20)), indicator, value=12)
    row = checkin(second, ana_and_ben.member, created_at=now - days(2))
    log_value(row, indicator, value=Decimal("8.5"))

    result = selectors.pairs_health(pairs=[ana_and_ben.pair], now=now)[ana_and_ben.pair.pk]

    assert result.status == Status.AT_RISK
    assert result.assessment.overdue[0].latest_value == Decimal("8.5")
    assert "1 indicator is past its due date and not met." in result.reasons


@pytest.mark.django_db
def test_pairs_health_starts_the_clock_at_the_first_meeting(ana_and_ben):
    future_meeting(ana_and_ben.pair, days_ahead=2)

    result = selectors.pairs_health(pairs=[ana_and_ben.pair])[ana_and_ben.pair.pk]

    assert result.status == Status.TOO_EARLY
    assert result.next_meeting_at is not None


@pytest.mark.django_db
def test_pairs_health_runs_a_fixed_number_of_queries(cohort, ana_and_ben):
    def count(pairs):
        with CaptureQueriesContext(connection) as context:
            selectors.pairs_health(pairs=pairs)
        return len(context.captured_queries)

    few = count([ana_and_ben.pair])
    pairs = [ana_and_ben.pair]
    for _ in range(6):
        world = another_pair(cohort)
        row = checkin(past_meeting(world.pair), world.member)
        log_value(row, world.indicator_of(world.member), value=3)
        pairs.append(world.pair)

    assert count(pairs) == few == 4


# The coordinators' list --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_cohort_list_shows_pairs_at_risk_first(client_for, coordinator, cohort, ana_and_ben):
    on_track = another_pair(cohort)
    checkin(past_meeting(on_track.pair, days_ago=10), on_track.member)
    quiet_since = timezone.now() - days(39)
    checkin(past_meeting(ana_and_ben.pair, days_ago=40), ana_and_ben.member, created_at=quiet_since)
    url = reverse("cohort_pairs_health", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})

    response = client_for(coordinator).get(url)

    rows = list(response.context["page"])
    assert [row.pair for row in rows] == [ana_and_ben.pair, on_track.pair]
    assert [row.health.status for row in rows] == [Status.AT_RISK, Status.ON_TRACK]
    assert "At risk" in response.content.decode()


@pytest.mark.django_db
def test_the_cohort_list_is_for_coordinators(client_for, member, cohort, ana_and_ben):
    url = reverse("cohort_pairs_health", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})

    assert client_for(member).get(url).status_code == 403


@pytest.mark.django_db
def test_the_cohort_list_queries_do_not_grow_with_pairs(
    client_for, coordinator, cohort, ana_and_ben, django_assert_max_num_queries
):
    client = client_for(coordinator)
    url = reverse("cohort_pairs_health", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    few = len(context.captured_queries)

    for index in range(30):
        world = another_pair(cohort, timezone_name="" if index % 2 else "Europe/Oslo")
        checkin(past_meeting(world.pair), world.member)
        future_meeting(world.pair)

    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 31
    assert len(response.context["page"]) == 25
