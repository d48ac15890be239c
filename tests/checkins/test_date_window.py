"""Meetings stay inside their contract's dates (plus a small margin), the schedule plans a
bounded number of them whatever the contract says, and dates at the edge of what Python can
hold (year 1, year 9999) never turn into a server error."""

import datetime
import time

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from checkins import schedule, services, tasks
from checkins.models import Meeting, Reminder
from checkins.reminders import reminders_sync_for_meetings
from checkins.services.meetings import MEETING_MARGIN_DAYS
from tests.checkins.factories import future_meeting, meeting_at, signed_pair

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
YEAR_END = datetime.date(9999, 12, 31)


def at_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), UTC)


# The schedule, alone -----------------------------------------------------------------------


def terms(**overrides) -> schedule.Terms:
    values = {
        "cadence": schedule.WEEKLY,
        "weekday": 4,  # Friday: 9999-12-31 is one
        "time": datetime.time(20, 0),
        "minutes": 60,
        "timezone": "America/Los_Angeles",
        "starts_on": datetime.date(2026, 1, 1),
        "ends_on": YEAR_END,
    }
    return schedule.Terms(**{**values, **overrides})


def test_the_schedule_plans_a_bounded_number_of_meetings_for_a_huge_window():
    started = time.monotonic()

    occurrences = schedule.expand(terms(starts_on=datetime.date(1, 1, 1)))

    assert len(occurrences) == schedule.MAX_OCCURRENCES
    assert time.monotonic() - started < 1


def test_the_schedule_stops_at_the_last_time_python_can_hold():
    """Friday 9999-12-31 20:00 in Los Angeles is in year 10000 in UTC."""
    occurrences = schedule.expand(terms(starts_on=datetime.date(9999, 12, 1)))

    assert [o.starts_at.date() for o in occurrences] == [
        datetime.date(9999, 12, 4),
        datetime.date(9999, 12, 11),
        datetime.date(9999, 12, 18),
        datetime.date(9999, 12, 25),
    ]


def test_a_schedule_starting_on_the_last_day_python_holds_is_empty():
    assert schedule.expand(terms(starts_on=YEAR_END, weekday=5)) == []


# Existing contracts with extreme dates -------------------------------------------------------


@pytest.fixture
def forever(cohort, member, partner):
    """A signed contract ending on the last day of year 9999, written straight to the table
    as older versions allowed."""
    return signed_pair(cohort, member, partner, ends_on=YEAR_END, timezone_name="America/Denver")


def test_a_contract_ending_in_year_9999_still_renders_its_pair_page(client_for, member, forever):
    url = reverse("pair_detail", kwargs={"org_slug": "northwind", "pair_id": forever.pair.pk})
    started = time.monotonic()

    tasks.schedule_meetings_for_signed_contracts()
    response = client_for(member).get(url)

    assert response.status_code == 200
    assert time.monotonic() - started < 10
    meetings = Meeting.objects.filter(pair=forever.pair)
    assert 0 < meetings.count() <= schedule.MAX_OCCURRENCES
    assert Reminder.objects.count() <= 3 * 2 * schedule.MAX_OCCURRENCES
    # Planned no further than the window every form enforces.
    last = meetings.order_by("-starts_at").first().starts_at.date()
    assert last.year <= timezone.now().year + 10
    assert client_for(member).get(url).status_code == 200  # and again, for good


def test_a_contract_ending_in_year_9999_gives_a_small_calendar_feed(client, member, forever):
    services.meetings_ensure_scheduled(contract=forever.contract)
    token = services.calendar_feed_ensure(user=member).token
    started = time.monotonic()

    response = client.get(reverse("calendar_feed", kwargs={"token": token}))

    assert response.status_code == 200
    assert time.monotonic() - started < 10
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert 0 < len(events) <= schedule.MAX_OCCURRENCES


def test_a_contract_starting_in_year_1_plans_nothing_in_the_past_and_renders(
    client_for, member, cohort, partner
):
    old = signed_pair(cohort, member, partner, starts_on=datetime.date(1, 1, 1))
    url = reverse("pair_detail", kwargs={"org_slug": "northwind", "pair_id": old.pair.pk})

    tasks.schedule_meetings_for_signed_contracts()
    assert client_for(member).get(url).status_code == 200
    assert Meeting.objects.filter(pair=old.pair).count() <= schedule.MAX_OCCURRENCES


def test_the_meetings_an_older_scheduler_planned_beyond_the_plan_are_removed(
    member, cohort, partner
):
    """A contract ending in 2226 once got a meeting a week until then; the untouched future
    ones beyond the plan go (with their reminders), the ones a partner moved stay."""
    old = signed_pair(cohort, member, partner, ends_on=datetime.date(2226, 6, 30))
    first = timezone.now() + datetime.timedelta(days=1)
    flood = [
        meeting_at(
            old.pair,
            first + datetime.timedelta(weeks=week),
            contract=old.contract,
            origin=Meeting.Origin.SCHEDULE,
            sequence=week,
        )
        for week in range(400)
    ]
    Meeting.objects.filter(pk=flood[-1].pk).update(updated_by=member)
    reminders_sync_for_meetings(meetings=flood[:300])

    assert tasks.schedule_meetings_for_signed_contracts() == 1

    left = Meeting.objects.filter(pair=old.pair)
    assert left.count() == schedule.MAX_OCCURRENCES + 1
    assert left.filter(pk=flood[-1].pk).exists()
    assert not Reminder.objects.filter(meeting__sequence__gte=schedule.MAX_OCCURRENCES).exists()
    assert services.meetings_ensure_scheduled(contract=old.contract) == []


# Meetings added or moved by a partner ------------------------------------------------------


@pytest.fixture
def ana_and_ben(cohort, member, partner):
    return signed_pair(cohort, member, partner)  # from today, for 90 days


def test_a_meeting_in_year_9999_is_refused_not_an_error(ana_and_ben, member):
    with pytest.raises(ValidationError) as refused:
        services.meeting_add(
            pair=ana_and_ben.pair,
            actor=member,
            starts_at=datetime.datetime(9999, 12, 31, 23, 30, tzinfo=UTC),
            minutes=60,
        )

    assert "starts_at" in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_a_meeting_just_after_the_contracts_margin_is_refused(ana_and_ben, member):
    last_day = ana_and_ben.contract.ends_on + datetime.timedelta(days=MEETING_MARGIN_DAYS)

    with pytest.raises(ValidationError) as refused:
        services.meeting_add(
            pair=ana_and_ben.pair,
            actor=member,
            starts_at=at_noon(last_day + datetime.timedelta(days=1)),
            minutes=60,
        )
    meeting = services.meeting_add(
        pair=ana_and_ben.pair, actor=member, starts_at=at_noon(last_day), minutes=60
    )

    assert "during your contract" in refused.value.message_dict["starts_at"][0]
    assert meeting.starts_at.date() == last_day


def test_a_meeting_cannot_be_moved_outside_the_contract(ana_and_ben, member):
    meeting = future_meeting(ana_and_ben.pair, contract=ana_and_ben.contract)
    before = meeting.starts_at

    with pytest.raises(ValidationError):
        services.meeting_reschedule(
            meeting=meeting,
            actor=member,
            starts_at=at_noon(datetime.date(2226, 1, 1)),
            minutes=60,
        )

    meeting.refresh_from_db()
    assert meeting.starts_at == before


def test_the_meeting_form_refuses_year_9999_with_a_message(client_for, member, ana_and_ben):
    url = reverse("meeting_add", kwargs={"org_slug": "northwind", "pair_id": ana_and_ben.pair.pk})

    response = client_for(member).post(
        url, {"date": "9999-12-31", "time": "23:30", "minutes": "60", "note": ""}
    )

    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()
    assert not Meeting.objects.exists()
