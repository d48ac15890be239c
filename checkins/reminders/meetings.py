"""Meeting reminders: each partner's reminder 24 h and 1 h before a meeting and the check-in
nudge 24 h after it. `reminders_sync_for_meeting(s)` makes a meeting's rows match the meeting
(created, moved, cancelled or scheduled again), keyed by `meeting_subject_key` and armed for the
meeting time they were computed from (`utc_iso`); `new_meeting_reminder` builds one unsaved row
(the demo and the benchmark use it too).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching.models import PairMember

from ..models import Meeting, Reminder
from .common import MEETING_KINDS, Kind, Status


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).isoformat()


def _meeting_plan(meeting: Meeting) -> list[tuple[str, datetime, datetime]]:
    """(kind, due_at, the meeting time it was computed from) for each meeting reminder."""
    return [
        (Kind.MEETING_DAY_BEFORE, meeting.starts_at - timedelta(hours=24), meeting.starts_at),
        (Kind.MEETING_HOUR_BEFORE, meeting.starts_at - timedelta(hours=1), meeting.starts_at),
        (Kind.CHECKIN_MISSING, meeting.ends_at + timedelta(hours=24), meeting.ends_at),
    ]


def meeting_subject_key(meeting: Meeting) -> str:
    return f"meeting:{meeting.pk}"


def _rearm(row: Reminder, due_at: datetime, armed_for: str, now: datetime) -> None:
    """Point a row at the meeting's new time: a fresh reminder if that is still ahead."""
    row.data = {**row.data, "armed_for": armed_for}
    if due_at >= now:
        row.due_at, row.status, row.lease_until, row.sent_at = due_at, Status.PENDING, None, None
        row.attempts, row.last_error = 0, ""
    elif row.status in (Status.PENDING, Status.SENDING):
        row.due_at, row.status, row.lease_until = due_at, Status.CANCELLED, None
        row.last_error = "The meeting moved and this reminder's time had passed."
    # A sent, failed or cancelled row whose new time has passed stays as the record it is.


def reminders_sync_for_meeting(*, meeting: Meeting) -> None:
    """Make the meeting's reminders match it; call after creating, moving or cancelling it.

    For each partner: 24 h and 1 h before the start, and the check-in nudge 24 h after the end.
    A kind whose time has already passed is not created. A moved meeting re-arms its rows
    (sent or cancelled ones too) for the new time; a cancelled meeting cancels what hasn't gone
    out. Idempotent: syncing an unchanged meeting changes nothing. Preferences and check-ins
    are checked when a reminder is sent, not here.
    """
    reminders_sync_for_meetings(meetings=[meeting])


@transaction.atomic
def reminders_sync_for_meetings(*, meetings: Sequence[Meeting]) -> None:
    """`reminders_sync_for_meeting` for many meetings at once, in four queries however many."""
    now = timezone.now()
    by_key = {meeting_subject_key(meeting): meeting for meeting in meetings}
    # Locking the rows serializes two syncs of one meeting, and a sync with a send taking a row.
    rows = {
        (row.subject_key, row.kind, row.recipient_id): row
        for row in Reminder.objects.select_for_update().filter(
            subject_key__in=by_key, kind__in=MEETING_KINDS
        )
    }
    recipients: dict[int, list[int]] = {}
    for pair_id, user_id in (
        PairMember.objects.filter(pair_id__in={meeting.pair_id for meeting in meetings})
        .exclude(response=PairMember.Response.DECLINED)
        .values_list("pair_id", "user_id")
    ):
        recipients.setdefault(pair_id, []).append(user_id)
    to_create, to_update, to_cancel = [], [], []
    for key, meeting in by_key.items():
        if meeting.status == Meeting.Status.CANCELLED:
            to_cancel += [row.pk for (k, _kind, _user), row in rows.items() if k == key]
            continue
        for user_id in recipients.get(meeting.pair_id, []):
            for kind, due_at, moment in _meeting_plan(meeting):
                armed_for = utc_iso(moment)
                row = rows.get((key, kind, user_id))
                if row is None:
                    if due_at >= now:
                        to_create.append(
                            new_meeting_reminder(meeting, kind, user_id, due_at=due_at)
                        )
                    continue
                in_flight = row.status == Status.SENDING and row.sent_at is not None
                moved = row.data.get("armed_for") != armed_for
                revived = row.status == Status.CANCELLED and due_at >= now  # un-cancelled
                if not in_flight and (moved or revived):
                    _rearm(row, due_at, armed_for, now)
                    to_update.append(row)
    # Rows queued by a scan but not yet taken by a send task count as not sent.
    not_sent = Q(status=Status.PENDING) | Q(status=Status.SENDING, sent_at__isnull=True)
    if to_cancel:
        Reminder.objects.filter(not_sent, pk__in=to_cancel).update(
            status=Status.CANCELLED, lease_until=None, last_error="The meeting was cancelled."
        )
    Reminder.objects.bulk_create(to_create, ignore_conflicts=True)
    Reminder.objects.bulk_update(
        to_update, ["data", "due_at", "status", "lease_until", "sent_at", "attempts", "last_error"]
    )


def new_meeting_reminder(
    meeting: Meeting, kind: str, user_id: int, *, due_at: datetime
) -> Reminder:
    """An unsaved reminder row of the meeting, armed for its current time."""
    moment = meeting.ends_at if kind == Kind.CHECKIN_MISSING else meeting.starts_at
    return Reminder(
        organization_id=meeting.organization_id,
        kind=kind,
        recipient_id=user_id,
        subject_key=meeting_subject_key(meeting),
        meeting=meeting,
        pair_id=meeting.pair_id,
        cohort_id=meeting.cohort_id,
        data={"armed_for": utc_iso(moment)},
        due_at=due_at,
    )
