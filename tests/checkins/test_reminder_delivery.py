"""Claiming due reminders and sending each once: skips, retries, failures and leases."""

import datetime
import smtplib
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from checkins import reminders, tasks
from checkins.models import CheckIn, Meeting, NotificationPreference, Reminder
from checkins.reminders import claim_due_reminders, reminder_deliver, reminders_sync_for_meeting
from tests.checkins.reminder_factories import (
    active_pair,
    due_reminders,
    meeting_for,
    reminder,
)

pytestmark = pytest.mark.django_db

Kind, Status = Reminder.Kind, Reminder.Status
MINUTE = datetime.timedelta(minutes=1)


def claim_and_deliver(reminder_id):
    assert reminder_id in claim_due_reminders()
    return reminder_deliver(reminder_id=reminder_id)


def fail_then_send(failures, error=None):
    """A replacement for the email backend's send: raises `failures` times, then sends."""
    error = error or smtplib.SMTPServerDisconnected("gone")
    real_send = EmailBackend.send_messages
    calls = {"count": 0}

    def send_messages(backend, messages):
        calls["count"] += 1
        if calls["count"] <= failures:
            raise error
        return real_send(backend, messages)

    return mock.patch.object(EmailBackend, "send_messages", send_messages)


# Claiming ------------------------------------------------------------------------------------


def test_claiming_marks_due_rows_sending_with_a_lease(member, cohort, settings):
    row = reminder(member, cohort)
    before = timezone.now()

    assert claim_due_reminders() == [row.pk]

    row.refresh_from_db()
    lease = datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
    assert row.status == Status.SENDING
    assert before + lease <= row.lease_until <= timezone.now() + lease


def test_claiming_leaves_future_claimed_and_finished_rows_alone(member, cohort):
    reminder(member, cohort, key="later", due_at=timezone.now() + MINUTE)
    reminder(
        member, cohort, key="claimed", status=Status.SENDING, lease_until=timezone.now() + MINUTE
    )
    for status in (Status.SENT, Status.CANCELLED, Status.FAILED):
        reminder(member, cohort, key=status, status=status)

    assert claim_due_reminders() == []


def test_a_claimed_row_is_not_claimed_again_while_its_lease_runs(member, cohort):
    row = reminder(member, cohort)

    assert claim_due_reminders() == [row.pk]
    assert claim_due_reminders() == []


def test_a_row_whose_lease_ran_out_is_claimed_again(member, cohort, settings):
    """The worker that had it died: the next scan after the lease hands it out again."""
    row = reminder(member, cohort)
    claim_due_reminders()
    Reminder.objects.filter(pk=row.pk).update(sent_at=timezone.now())  # it had taken the send
    after_lease = timezone.now() + datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS + 1)

    assert claim_due_reminders(now=after_lease) == [row.pk]

    row.refresh_from_db()
    assert (row.status, row.sent_at, row.attempts) == (Status.SENDING, None, 1)


def test_a_reminder_whose_sends_keep_being_interrupted_is_given_up(member, cohort, settings):
    """A row that kills its worker every time must not come back every lease forever."""
    settings.REMINDER_MAX_ATTEMPTS = 3
    row = reminder(member, cohort)
    moment = timezone.now()
    lease = datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS + 1)
    for _attempt in range(3):
        moment += lease
        claim_due_reminders(now=moment)
        Reminder.objects.filter(pk=row.pk).update(sent_at=moment)  # took it, then died

    claim_due_reminders(now=moment + lease)
    assert reminder_deliver(reminder_id=row.pk) == reminders.FAILED

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert row.last_error.startswith("Gave up after 3 attempts")
    assert mail.outbox == []


def test_claiming_takes_the_oldest_due_rows_first_up_to_the_batch_size(member, cohort, settings):
    settings.REMINDER_BATCH_SIZE = 3
    rows = due_reminders(5, member, cohort)  # row i is due i seconds ago

    claimed = claim_due_reminders()

    assert claimed == [row.pk for row in reversed(rows)][:3]


@pytest.mark.parametrize("due", [10, 200])
def test_claiming_takes_two_queries_however_many_rows_are_due(member, cohort, due):
    due_reminders(due, member, cohort)

    with CaptureQueriesContext(connection) as queries:
        claimed = claim_due_reminders()

    assert len(claimed) == due
    statements = [query["sql"].split()[0] for query in queries]
    assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE")] == ["SELECT", "UPDATE"]


def test_the_scan_task_queues_one_send_per_claimed_row_after_commit(
    member, cohort, django_capture_on_commit_callbacks
):
    due_reminders(3, member, cohort)

    with mock.patch.object(tasks.send_reminder, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert tasks.scan_due_reminders() == 3
        assert delay.call_count == 0  # nothing is queued before the claim commits
        for callback in callbacks:
            callback()

    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(
        Reminder.objects.values_list("pk", flat=True)
    )


def test_the_scan_task_sends_the_due_reminders_when_tasks_run_in_process(
    member, cohort, django_capture_on_commit_callbacks
):
    due_reminders(3, member, cohort)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan_due_reminders()

    assert sorted(message.subject for message in mail.outbox) == ["bulk 0", "bulk 1", "bulk 2"]
    assert set(Reminder.objects.values_list("status", flat=True)) == {Status.SENT}


# Sending once ---------------------------------------------------------------------------------


def test_a_claimed_reminder_is_sent_and_marked_sent(member, cohort):
    row = reminder(member, cohort)

    assert claim_and_deliver(row.pk) == reminders.SENT

    row.refresh_from_db()
    assert (row.status, row.attempts, row.lease_until) == (Status.SENT, 1, None)
    assert row.sent_at is not None
    assert [message.to for message in mail.outbox] == [[member.email]]


def test_a_second_delivery_of_the_same_task_sends_nothing(member, cohort):
    row = reminder(member, cohort)
    claim_and_deliver(row.pk)

    assert tasks.send_reminder.delay(row.pk).get() == reminders.NOT_TAKEN

    assert len(mail.outbox) == 1


def test_a_delivery_racing_one_that_already_took_the_send_sends_nothing(member, cohort):
    row = reminder(member, cohort)
    claim_due_reminders()
    Reminder.objects.filter(pk=row.pk).update(sent_at=timezone.now())  # another worker has it

    assert reminder_deliver(reminder_id=row.pk) == reminders.NOT_TAKEN
    assert mail.outbox == []


def test_a_reminder_that_was_not_claimed_is_not_sent(member, cohort):
    row = reminder(member, cohort)

    assert reminder_deliver(reminder_id=row.pk) == reminders.NOT_TAKEN
    assert mail.outbox == []


def test_a_task_for_a_deleted_reminder_returns_quietly(member, cohort):
    row = reminder(member, cohort)
    claim_due_reminders()
    row.delete()

    assert tasks.send_reminder.delay(row.pk).get() == reminders.NOT_TAKEN


# Still wanted? (checked when sending) ---------------------------------------------------------


@pytest.fixture
def pair(cohort, member, partner):
    return active_pair(cohort, member, partner)


def meeting_row(meeting, user, kind):
    return Reminder.objects.get(meeting=meeting, recipient=user, kind=kind)


def make_due(row):
    Reminder.objects.filter(pk=row.pk).update(due_at=timezone.now() - MINUTE)


def test_preferences_turned_off_after_the_reminder_was_planned_are_respected(pair, member):
    meeting = meeting_for(pair, starts_in=30)
    reminders_sync_for_meeting(meeting=meeting)
    NotificationPreference.objects.create(user=member, meeting_day_before=False)
    row = meeting_row(meeting, member, Kind.MEETING_DAY_BEFORE)
    make_due(row)

    assert claim_and_deliver(row.pk) == reminders.SKIPPED

    row.refresh_from_db()
    assert row.status == Status.CANCELLED
    assert row.last_error == "Turned off in the recipient's notification preferences."
    assert mail.outbox == []


def test_preferences_turned_back_on_before_sending_let_the_reminder_go(pair, member):
    NotificationPreference.objects.create(user=member, meeting_hour_before=False)
    meeting = meeting_for(pair, starts_in=30)
    reminders_sync_for_meeting(meeting=meeting)  # planned while the switch was off
    NotificationPreference.objects.filter(user=member).update(meeting_hour_before=True)
    row = meeting_row(meeting, member, Kind.MEETING_HOUR_BEFORE)
    make_due(row)

    assert claim_and_deliver(row.pk) == reminders.SENT


def test_other_kinds_still_go_out_when_one_kind_is_off(pair, member):
    NotificationPreference.objects.create(user=member, meeting_day_before=False)
    meeting = meeting_for(pair, starts_in=30)
    reminders_sync_for_meeting(meeting=meeting)
    row = meeting_row(meeting, member, Kind.MEETING_HOUR_BEFORE)
    make_due(row)

    assert claim_and_deliver(row.pk) == reminders.SENT


def test_the_checkin_nudge_is_skipped_when_the_partner_logged_a_check_in(pair, member, partner):
    meeting = meeting_for(pair, starts_in=-3)
    reminders_sync_for_meeting(meeting=meeting)
    CheckIn.objects.create(meeting=meeting, user=member, time_effectiveness=4, confidence=4)
    Reminder.objects.filter(kind=Kind.CHECKIN_MISSING).update(due_at=timezone.now() - MINUTE)

    outcomes = reminders.reminders_send_due()

    assert outcomes == {reminders.SENT: 1, reminders.SKIPPED: 1}
    assert [message.to for message in mail.outbox] == [[partner.email]]
    skipped = meeting_row(meeting, member, Kind.CHECKIN_MISSING)
    assert (skipped.status, skipped.last_error) == (Status.CANCELLED, "The check-in was logged.")


def test_a_reminder_for_a_meeting_cancelled_since_is_skipped(pair, member):
    meeting = meeting_for(pair, starts_in=30)
    reminders_sync_for_meeting(meeting=meeting)
    row = meeting_row(meeting, member, Kind.MEETING_DAY_BEFORE)
    make_due(row)
    claim_due_reminders()  # queued before the cancellation reached it
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)

    assert reminder_deliver(reminder_id=row.pk) == reminders.SKIPPED

    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.CANCELLED, "The meeting was cancelled.")


def test_a_meeting_reminder_that_comes_after_the_meeting_started_is_skipped(pair, member):
    meeting = meeting_for(pair, starts_in=-0.5)
    row = Reminder.objects.create(
        organization=pair.organization,
        kind=Kind.MEETING_HOUR_BEFORE,
        recipient=member,
        subject_key=f"meeting:{meeting.pk}",
        meeting=meeting,
        pair=pair,
        cohort=pair.cohort,
        due_at=meeting.starts_at - datetime.timedelta(hours=1),
    )

    assert claim_and_deliver(row.pk) == reminders.SKIPPED
    row.refresh_from_db()
    assert row.last_error == "The meeting had already started."


def test_a_program_message_to_someone_who_left_the_cohort_is_skipped(member, cohort):
    row = reminder(member, cohort)
    cohort.enrolments.filter(user=member).delete()

    assert claim_and_deliver(row.pk) == reminders.SKIPPED


# Errors ---------------------------------------------------------------------------------------


def run_as_worker(reminder_id):
    """Run the send task as a worker would (not in-process), with Celery's retry recorded."""
    with mock.patch.object(tasks.send_reminder, "retry", side_effect=Retry()) as retry:
        try:
            outcome = tasks.send_reminder.run(reminder_id)
        except Retry:
            return "retry", retry.call_args.kwargs["countdown"]
    return outcome, None


def test_a_transient_email_error_is_retried_and_then_sent(member, cohort):
    row = reminder(member, cohort)
    claim_due_reminders()

    with fail_then_send(1):
        assert run_as_worker(row.pk) == ("retry", 60)  # Celery redelivers it in 60 s
        assert run_as_worker(row.pk) == (reminders.SENT, None)  # the retry

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_reminder_is_marked_failed(member, cohort, settings):
    settings.REMINDER_MAX_ATTEMPTS = 3
    row = reminder(member, cohort)
    claim_due_reminders()

    with fail_then_send(10):
        outcomes = [run_as_worker(row.pk) for _attempt in range(4)]

    assert outcomes == [("retry", 60), ("retry", 120), (reminders.FAILED, None)] + [
        (reminders.NOT_TAKEN, None)
    ]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.lease_until) == (Status.FAILED, 3, None)
    assert row.last_error == "SMTPServerDisconnected: gone"
    assert mail.outbox == []
    event = AuditEvent.objects.get(action="reminder.failed")
    assert event.data["reminder_id"] == row.pk


def test_in_process_a_transient_error_leaves_the_row_to_the_scan_after_its_lease(
    member, cohort, settings
):
    """Without a broker (no REDIS_URL) there is nothing to retry later: the lease is the retry."""
    row = reminder(member, cohort)
    claim_due_reminders()

    with fail_then_send(1):
        assert tasks.send_reminder.delay(row.pk).get() == reminders.RETRY
    later = timezone.now() + datetime.timedelta(seconds=60 + settings.REMINDER_LEASE_SECONDS + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert reminders.reminders_send_due() == {reminders.SENT: 1}

    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "error", [smtplib.SMTPServerDisconnected("gone"), ConnectionRefusedError(), TimeoutError()]
)
def test_a_transient_error_records_the_attempt_and_asks_for_a_retry_later(member, cohort, error):
    row = reminder(member, cohort)
    claim_due_reminders()

    with fail_then_send(1, error), pytest.raises(reminders.TransientSendError) as raised:
        reminder_deliver(reminder_id=row.pk)

    row.refresh_from_db()
    assert raised.value.retry_in == 60
    assert (row.status, row.attempts, row.sent_at) == (Status.SENDING, 1, None)
    assert type(error).__name__ in row.last_error
    # The lease covers the wait, so the scan doesn't hand the row out while the retry waits.
    assert row.lease_until > timezone.now() + datetime.timedelta(seconds=60)


def test_retries_back_off_exponentially_up_to_a_cap(settings):
    settings.REMINDER_RETRY_BACKOFF_SECONDS = 60

    assert [reminders.retry_backoff(n) for n in range(1, 7)] == [60, 120, 240, 480, 900, 900]


def test_a_permanent_error_fails_at_once_without_retrying(member, cohort):
    row = reminder(member, cohort)
    claim_due_reminders()

    with fail_then_send(10, ValueError("bad header")):
        assert run_as_worker(row.pk) == (reminders.FAILED, None)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (
        Status.FAILED,
        1,
        "ValueError: bad header",
    )


def test_a_worker_that_died_mid_send_is_replaced_after_the_lease(member, cohort, settings):
    """At least once: the row is re-claimed when the lease runs out, and sent once then."""
    row = reminder(member, cohort)
    claim_due_reminders()
    Reminder.objects.filter(pk=row.pk).update(sent_at=timezone.now())  # took it, then died
    assert reminders.reminders_send_due() == {}  # still leased: nothing to do

    later = timezone.now() + datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert reminders.reminders_send_due() == {reminders.SENT: 1}

    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(mail.outbox) == 1
