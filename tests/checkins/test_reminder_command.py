"""`manage.py send_due_reminders`: one scan in this process, sending what is due."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from checkins.models import NotificationPreference, Reminder
from tests.checkins.reminder_factories import (
    due_reminders,
    reminder,
)

pytestmark = pytest.mark.django_db


def send_due_reminders():
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    return out.getvalue()


def test_the_command_sends_the_due_reminders_and_says_how_many(member, cohort):
    due_reminders(3, member, cohort)

    output = send_due_reminders()

    assert "Sent 3 reminders." in output
    assert len(mail.outbox) == 3
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.Status.SENT}


def test_running_the_command_twice_sends_nothing_the_second_time(member, cohort):
    due_reminders(3, member, cohort)
    send_due_reminders()

    output = send_due_reminders()

    assert "Sent 0 reminders." in output
    assert len(mail.outbox) == 3


def test_the_command_reports_skipped_reminders_and_leaves_future_ones(member, partner, cohort):
    reminder(member, cohort, key="wanted")
    reminder(partner, cohort, key="unwanted")
    reminder(member, cohort, key="tomorrow", due_at=timezone.now() + datetime.timedelta(days=1))
    NotificationPreference.objects.create(user=partner, program_messages=False)

    output = send_due_reminders()

    assert "Sent 1 reminder. Skipped 1 (no longer wanted), failed 0, to retry 0." in output
    assert Reminder.objects.get(subject_key__endswith="tomorrow").status == Reminder.Status.PENDING


def test_the_command_works_through_more_than_one_batch(member, cohort, settings):
    settings.REMINDER_BATCH_SIZE = 4
    due_reminders(10, member, cohort)

    assert "Sent 10 reminders." in send_due_reminders()
