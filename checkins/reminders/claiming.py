"""Claiming due rows: `claim_due_reminders` takes a batch of due rows (pending and due, or
`sending` with a lease that ran out) with one `SELECT … FOR UPDATE SKIP LOCKED` and one bulk
`UPDATE` under a lease; the periodic scan (`reminders_queue_due`) queues a `send_reminder` task
for each claimed row on commit, and `reminders_send_due` (the `send_due_reminders` command)
sends them in this process instead.
"""

from collections import Counter
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, When
from django.utils import timezone

from .. import tasks
from ..models import Reminder
from .common import Status, _lease
from .sending import RETRY, TransientSendError, reminder_deliver


def _due(now: datetime) -> Q:
    return Q(status=Status.PENDING, due_at__lte=now) | Q(status=Status.SENDING, lease_until__lt=now)


@transaction.atomic(savepoint=False)  # inside the scan's transaction: no savepoint round trips
def claim_due_reminders(*, now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Claim up to `limit` due rows for sending and return their ids. Two queries, however many.

    Due: pending with `due_at` passed, or `sending` with a lease that ran out (its worker died).
    Rows locked by a concurrent scanner are skipped, not waited for.
    """
    now = now or timezone.now()
    ids = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(_due(now))
        .order_by("due_at")
        .values_list("pk", flat=True)[: limit or settings.REMINDER_BATCH_SIZE]
    )
    if ids:
        # The predicate again, so that a database without row locks (SQLite) can't claim a row
        # another scanner has just claimed. A row taken back from an expired lease counts the
        # interrupted attempt (so a reminder that kills its worker every time is given up on)
        # and clears sent_at: that attempt is over.
        Reminder.objects.filter(_due(now), pk__in=ids).update(
            status=Status.SENDING,
            lease_until=now + _lease(),
            sent_at=None,
            attempts=Case(
                When(status=Status.SENDING, then=F("attempts") + 1),
                default=F("attempts"),
                output_field=PositiveSmallIntegerField(),
            ),
        )
    return ids


def _queue_sends(ids: list[int]) -> None:
    for reminder_id in ids:
        tasks.send_reminder.delay(reminder_id)


def reminders_queue_due(*, now: datetime | None = None, max_batches: int = 20) -> int:
    """The periodic scan: claim due rows batch by batch and queue a send task for each."""
    total = 0
    for _batch in range(max_batches):
        with transaction.atomic():
            ids = claim_due_reminders(now=now)
            transaction.on_commit(partial(_queue_sends, ids))
        total += len(ids)
        if len(ids) < settings.REMINDER_BATCH_SIZE:
            break
    return total


def reminders_send_due(*, now: datetime | None = None, max_batches: int = 20) -> Counter:
    """The same scan, sending in this process instead of queuing: `send_due_reminders`."""
    outcomes = Counter()
    for _batch in range(max_batches):
        ids = claim_due_reminders(now=now)
        for reminder_id in ids:
            try:
                outcomes[reminder_deliver(reminder_id=reminder_id)] += 1
            except TransientSendError:
                outcomes[RETRY] += 1
        if len(ids) < settings.REMINDER_BATCH_SIZE:
            break
    return outcomes
