"""`reminders_sync_for_meeting`: the meeting's reminder rows follow the meeting."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkins.models import Meeting, Reminder
from checkins.reminders import reminders_sync_for_meeting, reminders_sync_for_meetings
from tests.checkins.reminder_factories import active_pair, kinds_and_due, meeting_for

pytestmark = pytest.mark.django_db

Kind, Status = Reminder.Kind, Reminder.Status
DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)


@pytest.fixture
def pair(cohort, member, partner):
    return active_pair(cohort, member, partner)


def move(meeting, *, by):
    meeting.starts_at += by
    meeting.ends_at += by
    meeting.save()
    reminders_sync_for_meeting(meeting=meeting)


def test_a_new_meeting_gets_three_reminders_for_each_partner(pair, member, partner):
    meeting = meeting_for(pair, starts_in=72)

    reminders_sync_for_meeting(meeting=meeting)

    rows = kinds_and_due(meeting)
    for user in (member, partner):
        assert rows[(Kind.MEETING_DAY_BEFORE, user.pk)] == (Status.PENDING, meeting.starts_at - DAY)
        assert rows[(Kind.MEETING_HOUR_BEFORE, user.pk)] == (
            Status.PENDING,
            meeting.starts_at - HOUR,
        )
        assert rows[(Kind.CHECKIN_MISSING, user.pk)] == (Status.PENDING, meeting.ends_at + DAY)
    assert len(rows) == 6


def test_reminder_rows_belong_to_the_meetings_organization_pair_and_cohort(pair, member):
    meeting = meeting_for(pair)

    reminders_sync_for_meeting(meeting=meeting)

    row = Reminder.objects.get(meeting=meeting, recipient=member, kind=Kind.MEETING_HOUR_BEFORE)
    assert (row.organization, row.pair, row.cohort) == (pair.organization, pair, pair.cohort)
    assert row.subject_key == f"meeting:{meeting.pk}"


def test_kinds_whose_time_has_passed_are_not_created(pair, member):
    meeting = meeting_for(pair, starts_in=3)  # the 24-hour reminder would be 21 hours late

    reminders_sync_for_meeting(meeting=meeting)

    kinds = {kind for kind, user in kinds_and_due(meeting) if user == member.pk}
    assert kinds == {Kind.MEETING_HOUR_BEFORE, Kind.CHECKIN_MISSING}


def test_a_partner_who_declined_gets_no_reminders(cohort, member, partner):
    pair = active_pair(cohort, member, partner)
    pair.members.filter(user=partner).update(response="declined")
    meeting = meeting_for(pair)

    reminders_sync_for_meeting(meeting=meeting)

    assert {user for _kind, user in kinds_and_due(meeting)} == {member.pk}


def test_syncing_an_unchanged_meeting_again_changes_nothing(pair):
    meeting = meeting_for(pair)
    reminders_sync_for_meeting(meeting=meeting)
    before = list(Reminder.objects.order_by("pk").values())

    reminders_sync_for_meeting(meeting=meeting)

    assert list(Reminder.objects.order_by("pk").values()) == before


def test_rescheduling_moves_the_pending_reminders(pair, member):
    meeting = meeting_for(pair, starts_in=72)
    reminders_sync_for_meeting(meeting=meeting)

    move(meeting, by=DAY)

    rows = kinds_and_due(meeting)
    assert rows[(Kind.MEETING_DAY_BEFORE, member.pk)] == (Status.PENDING, meeting.starts_at - DAY)
    assert rows[(Kind.MEETING_HOUR_BEFORE, member.pk)] == (Status.PENDING, meeting.starts_at - HOUR)
    assert rows[(Kind.CHECKIN_MISSING, member.pk)] == (Status.PENDING, meeting.ends_at + DAY)
    assert Reminder.objects.count() == 6


def test_a_moved_meeting_gets_fresh_reminders_even_where_one_was_sent(pair, member):
    meeting = meeting_for(pair, starts_in=20)
    reminders_sync_for_meeting(meeting=meeting)
    row = Reminder.objects.get(meeting=meeting, recipient=member, kind=Kind.MEETING_HOUR_BEFORE)
    Reminder.objects.filter(pk=row.pk).update(
        status=Status.SENT, sent_at=timezone.now(), attempts=1
    )

    move(meeting, by=2 * DAY)

    row.refresh_from_db()
    assert (row.status, row.due_at, row.sent_at, row.attempts) == (
        Status.PENDING,
        meeting.starts_at - HOUR,
        None,
        0,
    )


def test_a_meeting_moved_closer_cancels_the_reminder_whose_time_has_passed(pair, member):
    meeting = meeting_for(pair, starts_in=72)
    reminders_sync_for_meeting(meeting=meeting)

    move(meeting, by=-66 * HOUR)  # now in 6 hours: "tomorrow" is no longer true

    row = Reminder.objects.get(meeting=meeting, recipient=member, kind=Kind.MEETING_DAY_BEFORE)
    assert row.status == Status.CANCELLED
    assert "moved" in row.last_error
    hour_before = kinds_and_due(meeting)[(Kind.MEETING_HOUR_BEFORE, member.pk)]
    assert hour_before == (Status.PENDING, meeting.starts_at - HOUR)


def test_cancelling_the_meeting_cancels_its_pending_reminders(pair, member):
    meeting = meeting_for(pair, starts_in=10)
    reminders_sync_for_meeting(meeting=meeting)
    Reminder.objects.filter(
        meeting=meeting, kind=Kind.MEETING_HOUR_BEFORE, recipient=member
    ).update(status=Status.SENT)

    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    reminders_sync_for_meeting(meeting=meeting)

    statuses = {key: status for key, (status, _due) in kinds_and_due(meeting).items()}
    assert statuses.pop((Kind.MEETING_HOUR_BEFORE, member.pk)) == Status.SENT
    assert set(statuses.values()) == {Status.CANCELLED}
    assert set(
        Reminder.objects.filter(status=Status.CANCELLED).values_list("last_error", flat=True)
    ) == {"The meeting was cancelled."}


def test_a_meeting_scheduled_again_after_cancelling_gets_its_reminders_back(pair):
    meeting = meeting_for(pair, starts_in=72)
    reminders_sync_for_meeting(meeting=meeting)
    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    reminders_sync_for_meeting(meeting=meeting)

    meeting.status = Meeting.Status.SCHEDULED
    meeting.save()
    reminders_sync_for_meeting(meeting=meeting)

    assert {status for status, _due in kinds_and_due(meeting).values()} == {Status.PENDING}


def test_a_reminder_being_sent_is_left_alone_when_the_meeting_moves(pair, member):
    meeting = meeting_for(pair, starts_in=10)
    reminders_sync_for_meeting(meeting=meeting)
    in_flight = Reminder.objects.get(
        meeting=meeting, recipient=member, kind=Kind.MEETING_HOUR_BEFORE
    )
    Reminder.objects.filter(pk=in_flight.pk).update(status=Status.SENDING, sent_at=timezone.now())
    before = Reminder.objects.filter(pk=in_flight.pk).values().get()

    move(meeting, by=DAY)

    assert Reminder.objects.filter(pk=in_flight.pk).values().get() == before


def test_a_queued_reminder_not_yet_taken_by_a_task_moves_with_the_meeting(pair, member):
    meeting = meeting_for(pair, starts_in=10)
    reminders_sync_for_meeting(meeting=meeting)
    queued = Reminder.objects.get(meeting=meeting, recipient=member, kind=Kind.MEETING_HOUR_BEFORE)
    Reminder.objects.filter(pk=queued.pk).update(status=Status.SENDING)

    move(meeting, by=DAY)

    queued.refresh_from_db()
    assert (queued.status, queued.due_at) == (Status.PENDING, meeting.starts_at - HOUR)


def test_syncing_many_meetings_takes_the_same_queries_as_syncing_one(pair):
    # Ten meetings: 60 rows still fit one INSERT on SQLite (999 parameters).
    one = [meeting_for(pair, starts_in=48)]
    many = [meeting_for(pair, starts_in=48 + 24 * 7 * week) for week in range(1, 10)]

    with CaptureQueriesContext(connection) as first:
        reminders_sync_for_meetings(meetings=one)
    with CaptureQueriesContext(connection) as second:
        reminders_sync_for_meetings(meetings=many)

    assert len(second) == len(first)
    assert Reminder.objects.count() == 6 * 10
