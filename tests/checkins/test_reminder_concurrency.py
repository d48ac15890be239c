"""Four scanners at once over 300 due reminders: each reminder is emailed exactly once.

Needs PostgreSQL: the claim relies on SELECT … FOR UPDATE SKIP LOCKED, which SQLite doesn't
have (it runs one writer at a time instead). Each thread has its own database connection, and
the test commits for real (`transaction=True`) so the threads see each other's work.
"""

import threading
from collections import Counter
from unittest import mock

import pytest
from django.core import mail
from django.db import connection

from checkins import reminders, tasks
from checkins.models import Reminder
from tests.checkins.reminder_factories import (
    due_reminders,
)
from tests.postgres import needs_postgres

pytestmark = needs_postgres("row locks with SKIP LOCKED")

SCANNERS, REMINDERS = 4, 300


def run_concurrently(scan, count=SCANNERS):
    """Start `count` threads on `scan` at the same moment; re-raise the first error."""
    start, errors = threading.Barrier(count), []

    def scanner():
        try:
            start.wait()
            scan()
        except Exception as error:  # noqa: BLE001 - reported in the main thread
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=scanner) for _index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def assert_each_sent_once():
    subjects = Counter(message.subject for message in mail.outbox)
    assert len(subjects) == REMINDERS
    assert set(subjects.values()) == {1}, subjects.most_common(3)
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.Status.SENT}


@pytest.fixture
def due(member, cohort, settings):
    settings.REMINDER_BATCH_SIZE = 20  # many small claims, so the scanners interleave
    return due_reminders(REMINDERS, member, cohort)


def test_concurrent_scans_queuing_send_tasks_send_each_reminder_once(due):
    """The periodic task's path: claim, then on commit one send task per row (run in-process)."""
    run_concurrently(tasks.scan_due_reminders)

    assert_each_sent_once()


def test_concurrent_send_due_reminders_commands_send_each_reminder_once(due):
    run_concurrently(reminders.reminders_send_due)

    assert_each_sent_once()


def test_every_send_task_delivered_twice_still_sends_each_reminder_once(due):
    """A broker may deliver a task twice (redelivery after a visibility timeout)."""
    real_delay = tasks.send_reminder.delay

    def delay_twice(reminder_id):
        real_delay(reminder_id)
        return real_delay(reminder_id)

    with mock.patch.object(tasks.send_reminder, "delay", side_effect=delay_twice):
        run_concurrently(tasks.scan_due_reminders)

    assert_each_sent_once()
