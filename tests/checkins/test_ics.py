"""Meetings as .ics files, and each user's private calendar feed."""

import datetime
from unittest import mock

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from checkins import services
from checkins.models import CalendarFeed
from tests.checkins.factories import future_meeting, meeting_at, signed_pair
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture(autouse=True)
def _no_reminders():
    with mock.patch("checkins.reminders.reminders_sync_for_meeting"):
        yield


@pytest.fixture
def ana_and_ben(cohort, member, partner):
    return signed_pair(cohort, member, partner)


@pytest.fixture
def meeting(ana_and_ben):
    starts_at = datetime.datetime(2027, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 in Copenhagen
    return meeting_at(ana_and_ben.pair, starts_at, minutes=45, contract=ana_and_ben.contract)


def ics_url(meeting):
    return reverse("meeting_ics", kwargs={"org_slug": "northwind", "meeting_id": meeting.pk})


def events(response):
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return [component for component in calendar.walk("VEVENT")]


def test_a_meetings_ics_has_its_times_in_utc(client_for, member, meeting):
    response = client_for(member).get(ics_url(meeting))

    [event] = events(response)
    assert event.decoded("dtstart") == datetime.datetime(2027, 3, 30, 7, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime.datetime(2027, 3, 30, 7, 45, tzinfo=UTC)
    raw = response.content.decode()
    assert "DTSTART:20270330T070000Z" in raw and "DTEND:20270330T074500Z" in raw
    assert event["status"] == "CONFIRMED"
    assert "Ana Silva" in str(event["summary"]) and "Ben Okafor" in str(event["summary"])
    assert response["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'


def test_the_uid_stays_and_the_sequence_grows_when_a_meeting_moves(client_for, member, ana_and_ben):
    meeting = future_meeting(ana_and_ben.pair, contract=ana_and_ben.contract)
    client = client_for(member)
    [before] = events(client.get(ics_url(meeting)))

    services.meeting_reschedule(
        meeting=meeting,
        actor=member,
        starts_at=meeting.starts_at + datetime.timedelta(hours=3),
        minutes=60,
    )
    [after] = events(client.get(ics_url(meeting)))

    assert str(after["uid"]) == str(before["uid"]) == f"meeting-{meeting.pk}@127.0.0.1"
    assert (before["sequence"], after["sequence"]) == (0, 1)
    moved_to = meeting.starts_at.replace(microsecond=0) + datetime.timedelta(hours=3)
    assert after.decoded("dtstart") == moved_to


def test_a_cancelled_meeting_says_so(client_for, member, ana_and_ben):
    meeting = future_meeting(ana_and_ben.pair, contract=ana_and_ben.contract)
    services.meeting_cancel(meeting=meeting, actor=member)

    [event] = events(client_for(member).get(ics_url(meeting)))

    assert event["status"] == "CANCELLED"
    assert event["sequence"] == 1


def test_the_ics_holds_nothing_private(client_for, coordinator, meeting):
    response = client_for(coordinator).get(ics_url(meeting))

    [event] = events(response)
    assert "pairs/" in str(event["description"])
    assert set(event) <= {
        "UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "LAST-MODIFIED", "SUMMARY", "STATUS",
        "LOCATION", "DESCRIPTION", "URL", "TRANSP",
    }  # fmt: skip


# The feed ----------------------------------------------------------------------------------


def feed_url(user):
    return reverse(
        "calendar_feed", kwargs={"token": services.calendar_feed_ensure(user=user).token}
    )


def test_the_feed_has_all_of_its_owners_meetings_in_every_organization(
    client, member, ana_and_ben, other_cohort
):
    ours = future_meeting(ana_and_ben.pair)
    # Ana is also in a pair in another organization.
    EnrolmentFactory(cohort=other_cohort, user=member)
    elsewhere = signed_pair(other_cohort, member, EnrolmentFactory(cohort=other_cohort).user)
    theirs = future_meeting(elsewhere.pair, days_ahead=9)
    # A pair Ana is not in.
    strangers = signed_pair(
        CohortFactory(program__organization=ana_and_ben.pair.organization),
        UserFactory(),
        UserFactory(),
    )
    future_meeting(strangers.pair)

    response = client.get(feed_url(member))

    assert response.status_code == 200
    uids = {str(event["uid"]) for event in events(response)}
    assert uids == {f"meeting-{ours.pk}@127.0.0.1", f"meeting-{theirs.pk}@127.0.0.1"}
    summaries = {str(event["summary"]) for event in events(response)}
    assert "Peer mentoring with Ben Okafor" in summaries


def test_the_feed_needs_no_login(client, member, meeting):
    response = client.get(feed_url(member))

    assert response.status_code == 200
    assert len(events(response)) == 1
    raw = response.content.decode()
    assert "X-PUBLISHED-TTL:PT1H" in raw and "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in raw
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_unknown_token_is_a_404(client, member, meeting):
    feed_url(member)

    response = client.get(reverse("calendar_feed", kwargs={"token": "not-a-token"}))

    assert response.status_code == 404


def test_resetting_the_token_closes_the_old_url(client_for, client, member, meeting):
    old_url = feed_url(member)

    response = client_for(member).post(reverse("calendar_feed_reset"))

    assert response.status_code == 302
    assert client.get(old_url).status_code == 404
    new_url = reverse("calendar_feed", kwargs={"token": CalendarFeed.objects.get().token})
    assert new_url != old_url
    assert client.get(new_url).status_code == 200
    assert AuditEvent.objects.filter(action="calendar_feed.reset", actor=member).exists()


def test_resetting_needs_a_post(client_for, member):
    assert client_for(member).get(reverse("calendar_feed_reset")).status_code == 405


def test_the_calendar_page_shows_the_feed_url_and_how_to_subscribe(client_for, member):
    response = client_for(member).get(reverse("calendar_settings"))

    content = response.content.decode()
    token = CalendarFeed.objects.get(user=member).token
    assert f"http://testserver/calendar/{token}.ics" in content
    assert "webcal://testserver/calendar/" in content
    assert "Google Calendar" in content and "Outlook" in content and "Apple" in content
    assert reverse("calendar_feed_reset") in content


def test_the_calendar_pages_need_a_login(client):
    for name in ("calendar_settings", "calendar_feed_reset"):
        response = client.post(reverse(name)) if "reset" in name else client.get(reverse(name))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_old_meetings_leave_the_feed_after_a_year(client, member, ana_and_ben):
    meeting_at(ana_and_ben.pair, timezone.now() - datetime.timedelta(days=400))
    recent = meeting_at(ana_and_ben.pair, timezone.now() - datetime.timedelta(days=30))

    uids = {str(event["uid"]) for event in events(client.get(feed_url(member)))}

    assert uids == {f"meeting-{recent.pk}@127.0.0.1"}
