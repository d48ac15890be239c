"""The schedule expansion on its own: plain data in, UTC meeting times out. No database."""

import datetime

import pytest

from checkins import schedule
from checkins.schedule import Terms

UTC = datetime.UTC
TUESDAY, SUNDAY = 1, 6


def terms(**overrides) -> Terms:
    values = {
        "cadence": schedule.WEEKLY,
        "weekday": TUESDAY,
        "time": datetime.time(9, 0),
        "minutes": 60,
        "timezone": "Europe/Copenhagen",
        "starts_on": datetime.date(2027, 3, 1),
        "ends_on": datetime.date(2027, 3, 31),
    }
    return Terms(**{**values, **overrides})


def local(occurrence, zone="Europe/Copenhagen"):
    return occurrence.starts_at.astimezone(schedule.zone(zone))


def test_weekly_meetings_across_the_spring_change_keep_09_00_copenhagen_time():
    # Daylight saving time starts on the last Sunday of March 2027: the 28th.
    plan = schedule.expand(
        terms(
            weekday=SUNDAY,
            starts_on=datetime.date(2027, 3, 14),
            ends_on=datetime.date(2027, 4, 4),
        )
    )

    assert [local(o).strftime("%Y-%m-%d %H:%M") for o in plan] == [
        "2027-03-14 09:00",
        "2027-03-21 09:00",
        "2027-03-28 09:00",
        "2027-04-04 09:00",
    ]
    assert [o.starts_at.strftime("%d %H:%M") for o in plan] == [
        "14 08:00",  # CET, UTC+1: winter
        "21 08:00",
        "28 07:00",  # CEST, UTC+2: from the change on
        "04 07:00",
    ]


def test_weekly_meetings_across_the_autumn_change_go_back_to_08_00_utc():
    # Daylight saving time ends on the last Sunday of October 2027: the 31st.
    plan = schedule.expand(
        terms(
            weekday=SUNDAY,
            starts_on=datetime.date(2027, 10, 24),
            ends_on=datetime.date(2027, 11, 7),
        )
    )

    assert [local(o).hour for o in plan] == [9, 9, 9]
    assert [o.starts_at for o in plan] == [
        datetime.datetime(2027, 10, 24, 7, 0, tzinfo=UTC),
        datetime.datetime(2027, 10, 31, 8, 0, tzinfo=UTC),
        datetime.datetime(2027, 11, 7, 8, 0, tzinfo=UTC),
    ]


def test_times_come_out_in_utc_with_the_agreed_length():
    occurrence = schedule.expand(terms(minutes=45))[0]

    assert occurrence.starts_at.tzinfo is UTC
    assert occurrence.ends_at - occurrence.starts_at == datetime.timedelta(minutes=45)


def test_the_first_meeting_is_on_the_first_agreed_weekday_on_or_after_the_start():
    # 1 March 2027 is a Monday; the meetings are on Tuesdays.
    plan = schedule.expand(terms(starts_on=datetime.date(2027, 3, 1)))

    assert local(plan[0]).date() == datetime.date(2027, 3, 2)
    assert [o.sequence for o in plan] == [0, 1, 2, 3, 4]


def test_a_start_on_the_agreed_weekday_meets_that_same_day():
    plan = schedule.expand(terms(starts_on=datetime.date(2027, 3, 2)))

    assert local(plan[0]).date() == datetime.date(2027, 3, 2)


def test_the_end_date_is_inclusive():
    # Tuesday 30 March is the end date: it is the last meeting.
    plan = schedule.expand(terms(ends_on=datetime.date(2027, 3, 30)))

    assert local(plan[-1]).date() == datetime.date(2027, 3, 30)
    assert len(plan) == 5


def test_nothing_is_planned_after_the_end_date():
    plan = schedule.expand(terms(ends_on=datetime.date(2027, 3, 29)))

    assert local(plan[-1]).date() == datetime.date(2027, 3, 23)


def test_an_end_before_the_start_plans_nothing():
    assert schedule.expand(terms(ends_on=datetime.date(2027, 2, 1))) == []


def test_biweekly_meetings_are_fourteen_days_apart():
    plan = schedule.expand(terms(cadence=schedule.BIWEEKLY, ends_on=datetime.date(2027, 4, 30)))

    days = [local(o).date() for o in plan]
    assert days == [
        datetime.date(2027, 3, 2),
        datetime.date(2027, 3, 16),
        datetime.date(2027, 3, 30),
        datetime.date(2027, 4, 13),
        datetime.date(2027, 4, 27),
    ]


def test_monthly_meetings_keep_the_week_of_the_month_first_tuesday():
    plan = schedule.expand(
        terms(
            cadence=schedule.MONTHLY,
            starts_on=datetime.date(2027, 3, 1),
            ends_on=datetime.date(2027, 7, 31),
        )
    )

    assert [local(o).date() for o in plan] == [
        datetime.date(2027, 3, 2),
        datetime.date(2027, 4, 6),
        datetime.date(2027, 5, 4),
        datetime.date(2027, 6, 1),
        datetime.date(2027, 7, 6),
    ]


def test_monthly_meetings_from_the_30th_fall_on_the_last_tuesday_of_each_month():
    # Tuesday 30 March 2027 is a fifth Tuesday; April has only four: the last one is the 27th.
    plan = schedule.expand(
        terms(
            cadence=schedule.MONTHLY,
            starts_on=datetime.date(2027, 3, 30),
            ends_on=datetime.date(2027, 6, 30),
        )
    )

    assert [local(o).date() for o in plan] == [
        datetime.date(2027, 3, 30),
        datetime.date(2027, 4, 27),
        datetime.date(2027, 5, 25),
        datetime.date(2027, 6, 29),
    ]


def test_monthly_meetings_from_a_tuesday_the_31st_stay_on_the_last_tuesday():
    plan = schedule.expand(
        terms(
            cadence=schedule.MONTHLY,
            starts_on=datetime.date(2026, 3, 31),  # a Tuesday, the fifth of the month
            ends_on=datetime.date(2026, 6, 30),
        )
    )

    assert [local(o).date() for o in plan] == [
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 28),
        datetime.date(2026, 5, 26),
        datetime.date(2026, 6, 30),
    ]


def test_monthly_meetings_from_a_31st_that_is_not_the_weekday_start_the_next_month():
    # Wednesday 31 March 2027: the first Tuesday after it is 6 April, a first Tuesday.
    plan = schedule.expand(
        terms(
            cadence=schedule.MONTHLY,
            starts_on=datetime.date(2027, 3, 31),
            ends_on=datetime.date(2027, 5, 31),
        )
    )

    assert [local(o).date() for o in plan] == [datetime.date(2027, 4, 6), datetime.date(2027, 5, 4)]


def test_monthly_meetings_keep_their_local_time_across_daylight_saving():
    plan = schedule.expand(
        terms(
            cadence=schedule.MONTHLY,
            starts_on=datetime.date(2027, 2, 1),
            ends_on=datetime.date(2027, 4, 30),
        )
    )

    assert [local(o).hour for o in plan] == [9, 9, 9]
    assert [o.starts_at.hour for o in plan] == [8, 8, 7]


def test_a_time_in_the_spring_gap_moves_forward_like_the_clocks():
    plan = schedule.expand(
        terms(
            weekday=SUNDAY,
            time=datetime.time(2, 30),
            starts_on=datetime.date(2027, 3, 28),
            ends_on=datetime.date(2027, 3, 28),
        )
    )

    assert local(plan[0]).strftime("%H:%M") == "03:30"


def test_an_unknown_or_empty_time_zone_plans_in_utc():
    for name in ("", "Mars/Olympus_Mons"):
        occurrence = schedule.expand(terms(timezone=name))[0]

        assert occurrence.starts_at == datetime.datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


def test_planning_the_same_terms_twice_gives_the_same_sequence_numbers():
    assert schedule.expand(terms()) == schedule.expand(terms())


def test_upcoming_keeps_only_meetings_after_the_moment_with_their_sequence():
    after = datetime.datetime(2027, 3, 16, 12, 0, tzinfo=UTC)

    plan = schedule.upcoming(terms(), after=after)

    assert [o.sequence for o in plan] == [3, 4]


def test_an_unknown_cadence_is_an_error():
    with pytest.raises(ValueError, match="cadence"):
        schedule.expand(terms(cadence="daily"))
