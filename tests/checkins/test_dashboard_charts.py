"""The dashboard's charts: check-ins per week and the share of indicators met, on fixed dates.

The shared `cohort` starts on Tuesday 1 September 2026; "now" is Wednesday 30 September, so
the weeks shown start on Mondays 31 Aug, 7, 14, 21 and 28 Sep.
"""

import datetime
from decimal import Decimal

import pytest

from checkins import charts
from checkins.oversight import dashboard
from contracts.models import Contract, Indicator
from matching.models import Pair
from tests.checkins.factories import checkin, log_value, meeting_at, signed_pair

UTC = datetime.UTC
NOW = datetime.datetime(2026, 9, 30, 12, 0, tzinfo=UTC)
WEEKS = ["31 Aug", "7 Sep", "14 Sep", "21 Sep", "28 Sep"]


def at(day, hour=10):
    """A time in September 2026."""
    return datetime.datetime(2026, 9, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def ana_and_ben(cohort, member, partner):
    return signed_pair(cohort, member, partner, starts_on=datetime.date(2026, 9, 1))


def log(pair, user, when, readings=()):
    """A meeting an hour before `when` and `user`'s check-in at `when`, with readings
    [(indicator, value or met)]."""
    meeting = meeting_at(pair.pair, when - datetime.timedelta(hours=1), contract=pair.contract)
    row = checkin(meeting, user, created_at=when)
    for indicator, reading in readings:
        if indicator.kind == Indicator.Kind.YES_NO:
            log_value(row, indicator, met=reading)
        else:
            log_value(row, indicator, value=None if reading is None else Decimal(reading))
    return row


def test_check_ins_are_counted_per_week_from_the_cohorts_start(cohort, ana_and_ben):
    pair = ana_and_ben
    log(pair, pair.member, at(1))
    log(pair, pair.partner, at(3))
    for day, user in ((15, pair.member), (15, pair.partner), (18, pair.member)):
        log(pair, user, at(day, hour=9 + day % 5))

    chart = dashboard.checkins_per_week(cohort=cohort, now=NOW)

    assert chart.rows == [
        ("31 Aug", "2"),
        ("7 Sep", "0"),
        ("14 Sep", "3"),
        ("21 Sep", "0"),
        ("28 Sep", "0"),
    ]
    assert chart.description == "5 check-ins in 5 weeks; the busiest week had 3."
    assert chart.svg.count("<rect") == 5
    assert "14 Sep: 3 check-ins" in chart.svg


def test_check_ins_of_another_cohort_are_not_counted(cohort, other_cohort, ana_and_ben):
    from tests.factories import EnrolmentFactory

    other = signed_pair(
        other_cohort,
        EnrolmentFactory(cohort=other_cohort).user,
        EnrolmentFactory(cohort=other_cohort).user,
    )
    log(other, other.member, at(2))

    chart = dashboard.checkins_per_week(cohort=cohort, now=NOW)

    assert chart.rows == []
    assert chart.svg == ""


def test_the_share_of_indicators_met_follows_each_indicators_latest_reading(cohort, ana_and_ben):
    pair = ana_and_ben
    number_a = pair.indicator_of(pair.member)  # target 10
    yes_no_a = pair.indicator_of(pair.member, Indicator.Kind.YES_NO)
    number_b = pair.indicator_of(pair.partner)
    log(pair, pair.member, at(1), [(number_a, "5")])  # 31 Aug: 0 of 1
    log(pair, pair.partner, at(8), [(yes_no_a, True)])  # 7 Sep: 1 of 2
    log(pair, pair.member, at(15), [(number_a, "12"), (number_b, "10")])  # met, met
    log(pair, pair.partner, at(16), [(yes_no_a, False)])  # no longer met
    log(pair, pair.member, at(17), [(number_a, "8"), (number_b, None)])  # unmet; b unread
    # 14 Sep, at the end of the week: a unmet, yes/no unmet, b met: 1 of 3.

    chart = dashboard.indicators_met_per_week(cohort=cohort, now=NOW)

    assert chart.rows == [
        ("31 Aug", "0%"),
        ("7 Sep", "50%"),
        ("14 Sep", "33%"),
        ("21 Sep", "33%"),
        ("28 Sep", "33%"),
    ]
    assert "now 33% of 3 indicators" in chart.description


def test_readings_of_a_superseded_contract_are_left_out(cohort, ana_and_ben):
    pair = ana_and_ben
    log(pair, pair.member, at(1), [(pair.indicator_of(pair.member), "12")])
    Contract.objects.filter(pk=pair.contract.pk).update(status=Contract.Status.SUPERSEDED)

    chart = dashboard.indicators_met_per_week(cohort=cohort, now=NOW)

    assert chart.rows == []
    assert chart.description == "No indicator has a reading yet."


def test_readings_of_a_pair_no_longer_active_are_left_out(cohort, ana_and_ben):
    pair = ana_and_ben
    log(pair, pair.member, at(1), [(pair.indicator_of(pair.member), "12")])
    Pair.objects.filter(pk=pair.pair.pk).update(status=Pair.Status.DISSOLVED)

    assert dashboard.indicators_met_per_week(cohort=cohort, now=NOW).rows == []


def test_a_long_cohort_shows_its_latest_weeks_with_the_running_share_intact(cohort, ana_and_ben):
    pair = ana_and_ben
    log(pair, pair.member, at(1), [(pair.indicator_of(pair.member), "12")])
    cohort.ends_on = datetime.date(2028, 6, 30)
    later = NOW + datetime.timedelta(weeks=60)

    chart = dashboard.indicators_met_per_week(cohort=cohort, now=later)

    assert len(chart.rows) == dashboard.MAX_WEEKS
    assert {share for _week, share in chart.rows} == {"100%"}


def test_the_charts_are_accessible_svg():
    svg = charts.bar_chart(
        chart_id="c",
        title="Check-ins <per> week",
        description="Two weeks",
        labels=["a", "b"],
        values=[1, 3],
    )
    line = charts.share_chart(
        chart_id="s",
        title="Met",
        description="Shares",
        labels=["a", "b", "c"],
        shares=[50, None, 100],
    )

    assert 'role="img"' in svg and '<title id="c-title">Check-ins &lt;per&gt; week</title>' in svg
    assert '<desc id="c-desc">Two weeks</desc>' in svg
    assert "style=" not in svg + line
    assert line.count("<circle") == 2  # the week without a reading is a gap
    assert charts.bar_chart(chart_id="e", title="", description="", labels=[], values=[]) == ""


def test_the_funnel_meter_is_decorative_and_clamped():
    assert 'aria-hidden="true"' in charts.meter(percent=40)
    assert 'width="100" height="6" rx="1" fill="#0d6efd"' in charts.meter(percent=140)
    assert 'width="0" height="6" rx="1" fill="#0d6efd"' in charts.meter(percent=None)
