"""Reminder emails, each sent once: rows made ahead of time, claimed when due, sent by a task.

Lifecycle of a `Reminder` row
-----------------------------
1. Created ahead of time, `pending` with a `due_at`: by `reminders_sync_for_meeting` (24 h and
   1 h before a meeting, and the check-in nudge 24 h after it), `coordinator_digests_queue`
   (one per coordinator, cohort and ISO week) and `program_message_queue` (due at once). The
   unique constraint (kind, subject_key, recipient) makes every creation idempotent.
2. Claimed by the scan (`claim_due_reminders`, run every minute by Celery beat): one
   `SELECT … FOR UPDATE SKIP LOCKED` of up to a batch of due rows (pending and due, or
   `sending` with a lease that ran out) and one bulk `UPDATE` to `sending` with
   `lease_until = now + REMINDER_LEASE_SECONDS`. Concurrent scanners skip each other's locked
   rows, so each row is queued once; the query count doesn't depend on how many rows are due.
   The send tasks are queued on commit. No task is ever scheduled for the reminder's time: the
   row waits in the database, not in the broker (a far-future countdown on Redis runs again
   whenever the visibility timeout passes).
3. Sent by `reminder_deliver` (the `send_reminder` task, or the `send_due_reminders` command):

   a. **Take the send** with one conditional UPDATE:
      `SET sent_at = now, lease_until = now + lease WHERE status = 'sending' AND sent_at IS NULL`.
      While a row is `sending`, `sent_at` marks "a send is in flight". Exactly one delivery of
      the task gets past this line; a duplicate delivery (Redis redelivering an unacknowledged
      message, a task queued by two scanners) updates no row and returns quietly.
   b. Check, at send time, whether the email is still wanted: the recipient's preferences, the
      meeting not cancelled or already started, no check-in logged yet (for the nudge). If
      not, the row becomes `cancelled` with the reason in `last_error`.
   c. Send the email, then mark the row `sent`.
   d. A transient error (SMTPException, ConnectionError, TimeoutError) clears `sent_at`, counts
      the attempt and extends the lease over an exponential backoff; the task retries itself
      after that backoff (well under the broker's visibility timeout). Without a broker (tasks
      run in-process), or from the command, nothing waits to retry: the scan after the lease
      does. After `REMINDER_MAX_ATTEMPTS` attempts the row is `failed` with the error in
      `last_error`. Any other error (a template bug, bad data) fails the row at once.
4. If a worker dies (or a retry message is lost), the row stays `sending` until its lease runs
   out; the next scan claims it again (clearing `sent_at`, counting the interrupted attempt)
   and queues a new send. A row interrupted `REMINDER_MAX_ATTEMPTS` times is given up on.

The trade-off
-------------
Email delivery can't be made exactly-once: SMTP and the database can't commit together. This
module picks "at most once per lease, at least once across worker deaths":

- Duplicate task deliveries never send twice (step a).
- A worker that dies before sending loses nothing: the lease expires and the row is re-sent.
- The one window for a duplicate email is a worker that dies (or hangs past its lease) after
  the mail server accepted the message but before the row was marked `sent`: milliseconds in
  practice. The task's hard time limit and `EMAIL_TIMEOUT` both stay well under the lease, so
  a send can't outlive its lease and race a re-claimed copy.

The opposite choice (mark `sent` before sending) would lose the email in that window instead;
for reminders a rare duplicate is the better failure.
"""

import hashlib
import logging
import smtplib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.emails import send_templated_email
from accounts.language import user_language
from accounts.lifecycle import cohort_lock_allowing
from accounts.models import Cohort, Membership, User
from accounts.services import audit
from matching.models import Pair, PairMember

from . import selectors, tasks
from .models import CheckIn, Meeting, NotificationPreference, Reminder

logger = logging.getLogger(__name__)

Kind = Reminder.Kind
Status = Reminder.Status

# Which preference switches each kind off.
PREFERENCE_FOR_KIND = {
    Kind.MEETING_DAY_BEFORE: "meeting_day_before",
    Kind.MEETING_HOUR_BEFORE: "meeting_hour_before",
    Kind.CHECKIN_MISSING: "checkin_nudge",
    Kind.COORDINATOR_DIGEST: "coordinator_digest",
    Kind.PROGRAM_MESSAGE: "program_messages",
}
MEETING_KINDS = (Kind.MEETING_DAY_BEFORE, Kind.MEETING_HOUR_BEFORE, Kind.CHECKIN_MISSING)

TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)
UNSUBSCRIBE_SALT = "peermentor.reminders.unsubscribe"
DIGEST_HOUR = 7  # digests are due on Mondays at 07:00 UTC: the start of the coordinators' week


def _lease() -> timedelta:
    return timedelta(seconds=settings.REMINDER_LEASE_SECONDS)


def retry_backoff(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed send: 60, 120, 240 … capped."""
    base = settings.REMINDER_RETRY_BACKOFF_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS)


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).isoformat()


# Meeting reminders ---------------------------------------------------------------------------


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


# Program messages and digests ----------------------------------------------------------------


@transaction.atomic
def program_message_queue(
    *, cohort: Cohort, recipients: Iterable[User], subject: str, body: str, actor: User
) -> int:
    """Queue a coordinator's message (e.g. "complete your profile") to members of the cohort.

    Rows are due at once. A recipient gets a given message (same subject and body) only once,
    however often it is queued. Returns how many new rows were queued.
    """
    cohort_lock_allowing(cohort=cohort, action="message_members")
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        raise ValidationError(_("A message needs a subject and a text."))
    if len(subject) > 200:
        raise ValidationError(_("Keep the subject under 200 characters."))
    user_ids = {user.pk for user in recipients}
    enrolled = set(cohort.enrolments.filter(user_id__in=user_ids).values_list("user", flat=True))
    if user_ids - enrolled:
        raise ValidationError(_("Messages can only go to members of the cohort."))
    digest = hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()[:24]
    key = f"program:{cohort.pk}:{digest}"
    already = set(
        Reminder.objects.filter(
            kind=Kind.PROGRAM_MESSAGE, subject_key=key, recipient_id__in=user_ids
        ).values_list("recipient_id", flat=True)
    )
    now = timezone.now()
    data = {"subject": subject, "body": body, "sender": actor.display_name}
    new = [
        Reminder(
            organization_id=cohort.organization_id,
            kind=Kind.PROGRAM_MESSAGE,
            recipient_id=user_id,
            subject_key=key,
            cohort=cohort,
            data=data,
            due_at=now,
        )
        for user_id in sorted(user_ids - already)
    ]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    audit(
        organization=cohort.organization,
        actor=actor,
        action="reminder.program_message_queued",
        cohort_id=cohort.pk,
        subject=subject,
        recipients=len(new),
    )
    if new:
        # Don't wait for the next beat tick; the scan is safe to run alongside another.
        transaction.on_commit(tasks.scan_due_reminders.delay)
    return len(new)


def _iso_week(moment: datetime) -> str:
    year, week, _weekday = moment.isocalendar()
    return f"{year}-W{week:02d}"


def digest_subject_key(cohort: Cohort, moment: datetime) -> str:
    return f"digest:{cohort.pk}:{_iso_week(moment)}"


def digest_cohorts():
    """Cohorts under way: not draft or closed, with at least one active pair."""
    return (
        Cohort.objects.exclude(status__in=[Cohort.Status.DRAFT, Cohort.Status.CLOSED])
        .filter(pairs__status=Pair.Status.ACTIVE)
        .distinct()
    )


@transaction.atomic
def coordinator_digests_queue(*, now: datetime | None = None, cohorts=None) -> int:
    """One digest row per coordinator per cohort per ISO week, due Monday 07:00 UTC.

    Run hourly by beat: the first run of a week creates the rows, later runs change nothing;
    rows created after Monday 07:00 (beat was down) are due at once. Returns rows created.
    """
    now = (now or timezone.now()).astimezone(ZoneInfo("UTC"))
    monday = now - timedelta(days=now.weekday())
    due_at = monday.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    cohorts = list(digest_cohorts() if cohorts is None else cohorts)
    coordinators = Membership.objects.filter(
        organization_id__in={cohort.organization_id for cohort in cohorts},
        role=Membership.Role.COORDINATOR,
    ).values_list("organization_id", "user_id")
    by_organization: dict[int, list[int]] = {}
    for organization_id, user_id in coordinators:
        by_organization.setdefault(organization_id, []).append(user_id)
    rows = [
        Reminder(
            organization_id=cohort.organization_id,
            kind=Kind.COORDINATOR_DIGEST,
            recipient_id=user_id,
            subject_key=digest_subject_key(cohort, now),
            cohort=cohort,
            data={"week": _iso_week(now)},
            due_at=due_at,
        )
        for cohort in cohorts
        for user_id in by_organization.get(cohort.organization_id, [])
    ]
    keys = {(row.subject_key, row.recipient_id) for row in rows}
    existing = set(
        Reminder.objects.filter(
            kind=Kind.COORDINATOR_DIGEST, subject_key__in={key for key, _user in keys}
        ).values_list("subject_key", "recipient_id")
    )
    new = [row for row in rows if (row.subject_key, row.recipient_id) not in existing]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@dataclass(frozen=True)
class AtRiskPair:
    names: list[str]
    reason: str


def at_risk_pairs(*, cohort: Cohort, now: datetime | None = None) -> list[AtRiskPair]:
    """The cohort's active pairs that `checkins.selectors` rates at risk, with the reason."""
    return [
        AtRiskPair(
            [member.user.display_name for member in row.pair.members.all()], row.health.reason
        )
        for row in selectors.cohort_pairs_with_health(cohort=cohort, now=now)
        if row.health.at_risk
    ]


# Claiming due rows ---------------------------------------------------------------------------


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


# Sending one ---------------------------------------------------------------------------------

SENT, SKIPPED, FAILED, NOT_TAKEN, RETRY = "sent", "skipped", "failed", "not taken", "retry"


class TransientSendError(Exception):
    """The email could not go out this time; the attempt is recorded, try again later."""

    def __init__(self, message: str, *, retry_in: int):
        super().__init__(message)
        self.retry_in = retry_in


def reminder_deliver(*, reminder_id: int) -> str:
    """Send one claimed reminder, at most once however often it is called (see module doc).

    Returns SENT, SKIPPED (no longer wanted), FAILED (out of attempts, or a permanent error) or
    NOT_TAKEN (gone, not claimed, or another delivery has it). Raises TransientSendError after
    recording a failed attempt that is worth retrying after `retry_in` seconds.
    """
    now = timezone.now()
    taken = Reminder.objects.filter(
        pk=reminder_id, status=Status.SENDING, sent_at__isnull=True
    ).update(sent_at=now, lease_until=now + _lease())
    if not taken:
        return NOT_TAKEN
    reminder = Reminder.objects.select_related(
        "recipient__notification_preference",
        "organization",
        "cohort__program",
        "meeting__contract",
        "pair",
    ).get(pk=reminder_id)
    if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        message = (
            f"Gave up after {reminder.attempts} attempts; the last one was interrupted "
            "(its worker stopped or ran out of time)."
        )
        _finish(reminder, status=Status.FAILED, last_error=message)
        _audit_failure(reminder, message, reminder.attempts)
        return FAILED
    reason = skip_reason(reminder, now=now)
    if reason:
        _finish(reminder, status=Status.CANCELLED, last_error=reason)
        return SKIPPED
    try:
        reminder_email_send(reminder=reminder, now=now)
    except TRANSIENT_ERRORS as error:
        attempts = reminder.attempts + 1
        message = f"{type(error).__name__}: {error}"[:1000]
        if attempts >= settings.REMINDER_MAX_ATTEMPTS:
            _finish(reminder, status=Status.FAILED, last_error=message, attempts=attempts)
            _audit_failure(reminder, message, attempts)
            return FAILED
        backoff = retry_backoff(attempts)
        Reminder.objects.filter(pk=reminder.pk, status=Status.SENDING).update(
            sent_at=None,
            attempts=attempts,
            last_error=message,
            lease_until=timezone.now() + timedelta(seconds=backoff) + _lease(),
        )
        raise TransientSendError(message, retry_in=backoff) from error
    except Exception as error:
        # A bug or bad data, not the network: retrying won't help. Keep the row for a human.
        logger.exception("Reminder %s could not be sent", reminder.pk)
        message = f"{type(error).__name__}: {error}"[:1000]
        _finish(reminder, status=Status.FAILED, last_error=message, attempts=reminder.attempts + 1)
        _audit_failure(reminder, message, reminder.attempts + 1)
        return FAILED
    _finish(
        reminder, status=Status.SENT, last_error="", attempts=reminder.attempts + 1, sent_at=now
    )
    return SENT


def _finish(reminder: Reminder, **fields) -> None:
    fields.setdefault("lease_until", None)
    Reminder.objects.filter(pk=reminder.pk, status=Status.SENDING).update(**fields)


def _audit_failure(reminder: Reminder, message: str, attempts: int) -> None:
    audit(
        organization=reminder.organization,
        actor=None,
        action="reminder.failed",
        reminder_id=reminder.pk,
        kind=reminder.kind,
        recipient_id=reminder.recipient_id,
        attempts=attempts,
        error=message,
    )


def preferences_for(user: User) -> NotificationPreference:
    """The user's preferences; the defaults (everything on) when they never saved any."""
    try:
        return user.notification_preference  # select_related by the send path
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def skip_reason(reminder: Reminder, *, now: datetime) -> str:
    """Why the reminder should not go out any more, or "" when it should."""
    recipient, meeting = reminder.recipient, reminder.meeting
    if not recipient.is_active:
        return "The recipient's account is inactive."
    if not getattr(preferences_for(recipient), PREFERENCE_FOR_KIND[reminder.kind]):
        return "Turned off in the recipient's notification preferences."
    if reminder.kind in MEETING_KINDS:
        if meeting is None or meeting.status == Meeting.Status.CANCELLED:
            return "The meeting was cancelled."
        if reminder.pair.status != Pair.Status.ACTIVE:
            return "The pair is no longer active."
        if reminder.kind != Kind.CHECKIN_MISSING and meeting.starts_at <= now:
            return "The meeting had already started."
        if (
            reminder.kind == Kind.CHECKIN_MISSING
            and CheckIn.objects.filter(meeting=meeting, user=recipient).exists()
        ):
            return "The check-in was logged."
    elif reminder.kind == Kind.COORDINATOR_DIGEST and not (
        Membership.objects.filter(
            organization=reminder.organization_id, user=recipient, role=Membership.Role.COORDINATOR
        ).exists()
    ):
        return "The recipient no longer coordinates this organization."
    elif (
        reminder.kind == Kind.PROGRAM_MESSAGE
        and reminder.cohort_id is not None
        and not reminder.cohort.enrolments.filter(user=recipient).exists()
    ):
        return "The recipient left the cohort."
    return ""


# Emails --------------------------------------------------------------------------------------


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def unsubscribe_token(*, user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user: User, kind: str) -> str:
    return _url("reminder_unsubscribe", token=unsubscribe_token(user=user, kind=kind))


class InvalidUnsubscribeLink(Exception):
    pass


def unsubscribe_link_read(token: str) -> tuple[User, str]:
    """The (user, kind) an unsubscribe token names; InvalidUnsubscribeLink if it's not ours."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kind = payload["u"], payload["k"]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidUnsubscribeLink(str(error)) from error
    if kind not in PREFERENCE_FOR_KIND:
        raise InvalidUnsubscribeLink(f"unknown kind {kind!r}")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidUnsubscribeLink("no such user")
    return user, kind


def masked_email(user: User) -> str:
    """ "a•••@example.org": enough to recognise one's address on a page anyone with the link
    (a forwarded email) can open."""
    local, _at, domain = user.email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _meeting_context(reminder: Reminder) -> dict:
    meeting = reminder.meeting
    members = list(reminder.pair.members.select_related("user"))
    partners = [m.user for m in members if m.user_id != reminder.recipient_id]
    org = {"org_slug": reminder.organization.slug}
    return {
        "meeting": meeting,
        "partners": partners,
        "partner_names": ", ".join(partner.display_name for partner in partners),
        # The zone the pair meets in, as the meeting pages show it.
        "time_zone": selectors.pair_timezone(pair=reminder.pair, contract=meeting.contract),
        "meeting_url": _url("pair_detail", **org, pair_id=meeting.pair_id),
        "checkin_url": _url("checkin_create", **org, meeting_id=meeting.pk),
    }


def reminder_email_context(reminder: Reminder, *, now: datetime) -> dict:
    context = {
        "reminder": reminder,
        "recipient": reminder.recipient,
        "organization": reminder.organization,
        "cohort": reminder.cohort,
        "preferences_url": _url("notification_preferences"),
        "unsubscribe_url": unsubscribe_url(user=reminder.recipient, kind=reminder.kind),
        "kind_label": reminder.get_kind_display(),
    }
    if reminder.kind in MEETING_KINDS:
        context |= _meeting_context(reminder)
    elif reminder.kind == Kind.COORDINATOR_DIGEST:
        context |= {
            "at_risk": at_risk_pairs(cohort=reminder.cohort, now=now),
            "active_pairs": reminder.cohort.pairs.filter(status=Pair.Status.ACTIVE).count(),
            "week": reminder.data.get("week", _iso_week(now)),
            "cohort_url": settings.SITE_URL + reminder.cohort.get_absolute_url(),
        }
    elif reminder.kind == Kind.PROGRAM_MESSAGE:
        context |= {
            "message_subject": reminder.data.get("subject", ""),
            "message_body": reminder.data.get("body", ""),
            "sender": reminder.data.get("sender", ""),
        }
    return context


def reminder_email_send(*, reminder: Reminder, now: datetime | None = None) -> None:
    # The context holds texts made in Python (labels, at-risk reasons): the recipient's language.
    language = user_language(reminder.recipient)
    with translation.override(language):
        context = reminder_email_context(reminder, now=now or timezone.now())
    send_templated_email(
        template=f"reminder_{reminder.kind}",
        to=[reminder.recipient.email],
        context=context,
        language=language,
    )


# Preferences ---------------------------------------------------------------------------------


@transaction.atomic
def notification_preferences_update(
    *, user: User, actor: User, **switches: bool
) -> NotificationPreference:
    """Save the user's notification switches (any of the five fields)."""
    unknown = set(switches) - set(PREFERENCE_FOR_KIND.values())
    if unknown:
        raise ValidationError(_("Unknown notification setting: %s") % ", ".join(sorted(unknown)))
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user
    )
    changed = {
        field: bool(value)
        for field, value in switches.items()
        if getattr(preference, field) != bool(value)
    }
    if changed:
        for field, value in changed.items():
            setattr(preference, field, value)
        preference.save()
        audit(organization=None, actor=actor, action="notifications.updated", **changed)
    return preference


def reminder_unsubscribe(*, user: User, kind: str) -> NotificationPreference:
    """Turn off one kind of email from a signed link (no login: the link is the credential)."""
    return notification_preferences_update(
        user=user, actor=user, **{PREFERENCE_FOR_KIND[Kind(kind)]: False}
    )
