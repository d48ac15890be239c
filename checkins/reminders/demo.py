"""Demo reminders: some due at once, so the first scan on a fresh demo sends (console) mail.

`seed_reminders(cohort=...)` plans every scheduled meeting's reminders (as the meeting
services do), then makes due now, for each pair:
- the check-in nudge for its latest meeting of the past month, to each partner who hasn't
  checked in (the demo's at-risk pairs stopped checking in);
- the reminder for its next meeting if that is within two days (the 1-hour one if it starts
  within the hour, else the 24-hour one);
and this week's coordinator digest for the cohort.
Idempotent: rows are keyed by the reminders' unique constraint, and rows already sent (or
already due) are left alone, so a second run makes nothing new due.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Cohort

from .. import reminders
from ..models import CheckIn, Meeting, Reminder

Kind = Reminder.Kind
RECENT = timedelta(days=31)  # a missing check-in after a meeting this recent gets a nudge
SOON = timedelta(days=2)  # a meeting this close gets its reminder now


def _make_due(meeting: Meeting, kind: str, user_ids, now: datetime) -> int:
    """The meeting's `kind` reminder for each user, due now, unless it exists and isn't pending
    with a later time. Returns how many rows this made due."""
    made = 0
    for user_id in user_ids:
        row = reminders.new_meeting_reminder(meeting, kind, user_id, due_at=now)
        existing = Reminder.objects.filter(
            kind=kind, subject_key=row.subject_key, recipient_id=user_id
        ).first()
        if existing is None:
            row.save()
            made += 1
        elif existing.status == Reminder.Status.PENDING and existing.due_at > now:
            made += Reminder.objects.filter(pk=existing.pk).update(due_at=now)
    return made


@transaction.atomic
def seed_reminders(*, cohort: Cohort) -> int:
    """Make the demo's reminders; returns how many were made due now by this run."""
    now = timezone.now()
    meetings = list(
        Meeting.objects.filter(cohort=cohort, status=Meeting.Status.SCHEDULED).prefetch_related(
            "pair__members"
        )
    )
    reminders.reminders_sync_for_meetings(meetings=meetings)
    checked_in = set(
        CheckIn.objects.filter(meeting__in=meetings).values_list("meeting_id", "user_id")
    )
    made = 0
    by_pair: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        by_pair.setdefault(meeting.pair_id, []).append(meeting)
    for pair_meetings in by_pair.values():
        user_ids = [member.user_id for member in pair_meetings[0].pair.members.all()]
        past = [m for m in pair_meetings if now - RECENT <= m.ends_at <= now]
        if past:
            latest = max(past, key=lambda m: m.ends_at)
            missing = [user for user in user_ids if (latest.pk, user) not in checked_in]
            made += _make_due(latest, Kind.CHECKIN_MISSING, missing, now)
        upcoming = [m for m in pair_meetings if now < m.starts_at <= now + SOON]
        if upcoming:
            following = min(upcoming, key=lambda m: m.starts_at)
            hour = following.starts_at <= now + timedelta(hours=1)
            kind = Kind.MEETING_HOUR_BEFORE if hour else Kind.MEETING_DAY_BEFORE
            made += _make_due(following, kind, user_ids, now)

    if reminders.digest_cohorts().filter(pk=cohort.pk).exists():
        created = reminders.coordinator_digests_queue(now=now, cohorts=[cohort])
        # Due on Monday morning; the demo wants it now (rows made earlier this week too).
        moved = Reminder.objects.filter(
            kind=Kind.COORDINATOR_DIGEST,
            subject_key=reminders.digest_subject_key(cohort, now),
            status=Reminder.Status.PENDING,
            due_at__gt=now,
        ).update(due_at=now)
        made += max(created, moved)
    return made
