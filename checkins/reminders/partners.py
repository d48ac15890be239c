"""Emails from one partner's check-in to the other partner, queued as reminder rows (due at
once) so that they go through the same exactly-once sending as every reminder.

- `partner_nudge_queue`: a check-in whose author's confidence keeps dropping, or whose blocker
  is back (`checkins.nudges`), queues one gentle note to the other partner. One row per
  triggering check-in (subject key `nudge:<check-in id>`), so editing the check-in again, or
  saving it twice, sends nothing more. Never to a coordinator.
- `checkin_reply_notice_queue`: a reply queues one email to the other partner (subject key
  `reply:<reply id>`), unless an email about this check-in's thread is still waiting to go
  out to them: a burst of replies makes one email, which links to the whole thread.

Both respect the recipient's notification preferences when sent (`skip_reason`).
"""

from django.db import transaction
from django.utils import timezone

from .. import nudges, tasks
from ..models import CheckIn, CheckInReply, Reminder
from .common import Kind, Status


def _other_partners(checkin: CheckIn, author_id: int) -> list[int]:
    return [
        user_id
        for user_id in checkin.meeting.pair.members.values_list("user_id", flat=True)
        if user_id != author_id
    ]


def nudge_subject_key(checkin: CheckIn) -> str:
    return f"nudge:{checkin.pk}"


def partner_history(*, checkin: CheckIn) -> list[nudges.CheckInFacts]:
    """The author's check-ins in the pair up to this one, oldest first (this one last)."""
    rows = (
        CheckIn.objects.filter(meeting__pair_id=checkin.meeting.pair_id, user_id=checkin.user_id)
        .filter(meeting__starts_at__lte=checkin.meeting.starts_at)
        .order_by("meeting__starts_at", "created_at", "pk")
        .values_list("pk", "confidence", "blockers")
    )
    history = [
        nudges.CheckInFacts(confidence=c, blockers=b) for pk, c, b in rows if pk != checkin.pk
    ]
    history.append(nudges.CheckInFacts(confidence=checkin.confidence, blockers=checkin.blockers))
    return history


def partner_nudge_queue(*, checkin: CheckIn) -> int:
    """Queue the nudge this check-in calls for, once; returns the number of rows created."""
    reasons = nudges.nudge_reasons(partner_history(checkin=checkin))
    if not reasons:
        return 0
    meeting = checkin.meeting
    recipients = _other_partners(checkin, checkin.user_id)
    key = nudge_subject_key(checkin)
    already = set(
        Reminder.objects.filter(
            kind=Kind.PARTNER_NUDGE, subject_key=key, recipient_id__in=recipients
        ).values_list("recipient_id", flat=True)
    )
    now = timezone.now()
    rows = [
        Reminder(
            organization_id=meeting.organization_id,
            kind=Kind.PARTNER_NUDGE,
            recipient_id=user_id,
            subject_key=key,
            pair_id=meeting.pair_id,
            cohort_id=meeting.cohort_id,
            checkin=checkin,
            data={"reasons": reasons, "author_id": checkin.user_id},
            due_at=now,
        )
        for user_id in recipients
        if user_id not in already
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        transaction.on_commit(tasks.scan_due_reminders.delay)
    return len(rows)


def checkin_reply_notice_queue(*, reply: CheckInReply) -> int:
    """Queue the email that tells the other partner about a reply; returns rows created."""
    checkin = reply.checkin
    recipients = _other_partners(checkin, reply.author_id)
    waiting = set(
        Reminder.objects.filter(
            kind=Kind.CHECKIN_REPLY,
            checkin=checkin,
            recipient_id__in=recipients,
            status__in=[Status.PENDING, Status.SENDING],
            sent_at__isnull=True,
        ).values_list("recipient_id", flat=True)
    )
    rows = [
        Reminder(
            organization_id=reply.organization_id,
            kind=Kind.CHECKIN_REPLY,
            recipient_id=user_id,
            subject_key=f"reply:{reply.pk}",
            pair_id=checkin.meeting.pair_id,
            cohort_id=checkin.meeting.cohort_id,
            checkin=checkin,
            data={"author_id": reply.author_id},
            due_at=timezone.now(),
        )
        for user_id in recipients
        if user_id not in waiting
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        transaction.on_commit(tasks.scan_due_reminders.delay)
    return len(rows)
