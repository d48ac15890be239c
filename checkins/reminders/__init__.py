"""Reminder emails, each sent once: rows made ahead of time, claimed when due, sent by a task.

Lifecycle of a `Reminder` row
-----------------------------
1. Created ahead of time, `pending` with a `due_at`: by `reminders_sync_for_meeting` (24 h and
   1 h before a meeting, and the check-in nudge 24 h after it), `coordinator_digests_queue`
   (one per coordinator, cohort and ISO week), `program_message_queue` (due at once) and
   `partner_nudge_queue` / `checkin_reply_notice_queue` (due at once, to the other partner). The
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
package picks "at most once per lease, at least once across worker deaths":

- Duplicate task deliveries never send twice (step a).
- A worker that dies before sending loses nothing: the lease expires and the row is re-sent.
- The one window for a duplicate email is a worker that dies (or hangs past its lease) after
  the mail server accepted the message but before the row was marked `sent`: milliseconds in
  practice. The task's hard time limit and `EMAIL_TIMEOUT` both stay well under the lease, so
  a send can't outlive its lease and race a re-claimed copy.

The opposite choice (mark `sent` before sending) would lose the email in that window instead;
for reminders a rare duplicate is the better failure.

The package
-----------
The code lives in submodules by role: `meetings` (the meeting reminders: subject keys, the
plan and `reminders_sync_for_meeting(s)`), `messages` (program messages and coordinator
digests, with the at-risk pairs a digest lists), `claiming` (the scan: claiming due rows under
a lease, then queuing or sending them), `sending` (delivering one claimed row, step 3 above,
with `skip_reason`), `emails` (each email's context, rendered in the recipient's language),
`partners` (a reply's email and the gentle nudge to a partner, queued from a check-in),
`preferences` (notification switches, unsubscribe links and their tokens) and `common` (the
kinds, statuses and helpers they share). Callers import from `checkins.reminders`: every
public name is re-exported here. The member's pages sit beside them: `views`, `forms` and
`urls` (notification preferences and the one-click unsubscribe link), and `demo` makes the
demo's reminder rows.
"""

from .claiming import claim_due_reminders, reminders_queue_due, reminders_send_due
from .common import MEETING_KINDS, PARTNER_KINDS, PREFERENCE_FOR_KIND, Kind, Status
from .emails import reminder_email_context, reminder_email_send
from .meetings import _meeting_plan as _meeting_plan
from .meetings import (
    meeting_subject_key,
    new_meeting_reminder,
    reminders_sync_for_meeting,
    reminders_sync_for_meetings,
    utc_iso,
)
from .messages import (
    DIGEST_HOUR,
    AtRiskPair,
    at_risk_pairs,
    coordinator_digests_queue,
    digest_cohorts,
    digest_subject_key,
    program_message_queue,
)
from .partners import (
    checkin_reply_notice_queue,
    nudge_subject_key,
    partner_history,
    partner_nudge_queue,
)
from .preferences import (
    UNSUBSCRIBE_SALT,
    InvalidUnsubscribeLink,
    masked_email,
    notification_preferences_update,
    preferences_for,
    reminder_unsubscribe,
    unsubscribe_link_read,
    unsubscribe_token,
    unsubscribe_url,
)
from .sending import (
    FAILED,
    NOT_TAKEN,
    RETRY,
    SENT,
    SKIPPED,
    TRANSIENT_ERRORS,
    TransientSendError,
    reminder_deliver,
    retry_backoff,
    skip_reason,
)

__all__ = [
    # Kinds and statuses
    "Kind",
    "Status",
    "PREFERENCE_FOR_KIND",
    "MEETING_KINDS",
    "PARTNER_KINDS",
    # Emails from one partner's check-in to the other
    "nudge_subject_key",
    "partner_history",
    "partner_nudge_queue",
    "checkin_reply_notice_queue",
    # Meeting reminders
    "utc_iso",
    "meeting_subject_key",
    "reminders_sync_for_meeting",
    "reminders_sync_for_meetings",
    "new_meeting_reminder",
    # Program messages and digests
    "DIGEST_HOUR",
    "program_message_queue",
    "digest_subject_key",
    "digest_cohorts",
    "coordinator_digests_queue",
    "AtRiskPair",
    "at_risk_pairs",
    # Claiming due rows
    "claim_due_reminders",
    "reminders_queue_due",
    "reminders_send_due",
    # Sending one
    "SENT",
    "SKIPPED",
    "FAILED",
    "NOT_TAKEN",
    "RETRY",
    "TRANSIENT_ERRORS",
    "retry_backoff",
    "TransientSendError",
    "reminder_deliver",
    "skip_reason",
    # Emails
    "reminder_email_context",
    "reminder_email_send",
    # Preferences and unsubscribe links
    "UNSUBSCRIBE_SALT",
    "preferences_for",
    "unsubscribe_token",
    "unsubscribe_url",
    "InvalidUnsubscribeLink",
    "unsubscribe_link_read",
    "masked_email",
    "notification_preferences_update",
    "reminder_unsubscribe",
]
