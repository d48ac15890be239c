"""Builders for reminder tests: an active pair, meetings built directly, reminder rows.

`active_pair(cohort, member, partner)` pairs the shared `member` and `partner`;
`meeting_for(pair, starts_in=...)` adds a scheduled meeting that many hours (or a timedelta)
from now; `due_reminders(n, ...)` bulk-creates n program-message rows that are due now, each
with its own subject so that an email names the row it came from.
"""

import datetime

from django.utils import timezone

from checkins.models import Meeting, Reminder
from matching.models import Pair, PairMember
from tests.factories import EnrolmentFactory

HOUR = datetime.timedelta(hours=1)


def active_pair(cohort, *users) -> Pair:
    users = users or tuple(EnrolmentFactory.create_batch(2, cohort=cohort))
    users = tuple(getattr(user, "user", user) for user in users)  # Enrolments or users
    pair = Pair.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        status=Pair.Status.ACTIVE,
        activated_at=timezone.now() - datetime.timedelta(days=30),
    )
    for user in users:
        PairMember.objects.create(pair=pair, user=user, response=PairMember.Response.ACCEPTED)
    return pair


def meeting_for(pair, *, starts_in=48, minutes=60, **fields) -> Meeting:
    """A meeting `starts_in` hours (or a timedelta) from now; negative: in the past."""
    if not isinstance(starts_in, datetime.timedelta):
        starts_in = datetime.timedelta(hours=starts_in)
    starts_at = fields.pop("starts_at", None) or timezone.now() + starts_in
    return Meeting.objects.create(
        organization=pair.organization,
        cohort=pair.cohort,
        pair=pair,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        origin=Meeting.Origin.MANUAL,
        **fields,
    )


def reminder(recipient, cohort, *, kind=Reminder.Kind.PROGRAM_MESSAGE, key="test", **fields):
    fields.setdefault("due_at", timezone.now() - datetime.timedelta(minutes=1))
    fields.setdefault("data", {"subject": f"Message {key}", "body": "Please do it.", "sender": ""})
    return Reminder.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        kind=kind,
        recipient=recipient,
        subject_key=f"program:{cohort.pk}:{key}",
        **fields,
    )


def due_reminders(count, recipient, cohort, *, prefix="bulk") -> list[Reminder]:
    """`count` program messages due now, subjects "<prefix> 0" … so emails name their row."""
    now = timezone.now()
    return Reminder.objects.bulk_create(
        Reminder(
            organization=cohort.organization,
            cohort=cohort,
            kind=Reminder.Kind.PROGRAM_MESSAGE,
            recipient=recipient,
            subject_key=f"program:{cohort.pk}:{prefix}-{index}",
            data={"subject": f"{prefix} {index}", "body": "Please do it.", "sender": ""},
            due_at=now - datetime.timedelta(seconds=index),
        )
        for index in range(count)
    )


def kinds_and_due(meeting) -> dict:
    """{(kind, recipient id): (status, due_at)} of a meeting's reminder rows."""
    return {
        (row.kind, row.recipient_id): (row.status, row.due_at)
        for row in Reminder.objects.filter(meeting=meeting)
    }
