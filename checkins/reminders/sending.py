"""Sending one claimed reminder, at most once however often it is called: `reminder_deliver`
takes the send with a conditional UPDATE, checks that the email is still wanted
(`skip_reason`), sends it and marks the row `sent`; a transient error (`TRANSIENT_ERRORS`)
records the attempt and raises `TransientSendError` with the backoff (`retry_backoff`) to wait,
any other error fails the row at once (see the package docstring, step 3).
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import Membership
from accounts.services import audit
from matching.models import Pair, PairMember

from .. import limits
from ..models import CheckIn, Meeting, PartnershipEnding, PartnershipReview, Reminder
from .common import MEETING_KINDS, PARTNER_KINDS, PREFERENCE_FOR_KIND, Kind, Status, _lease
from .emails import reminder_email_send
from .preferences import preferences_for

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


def retry_backoff(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed send: 60, 120, 240 … capped."""
    base = settings.REMINDER_RETRY_BACKOFF_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS)


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
    if "last_error" in fields:
        fields["last_error"] = fields["last_error"][: limits.REMINDER_ERROR_MAX]
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


def skip_reason(reminder: Reminder, *, now: datetime) -> str:
    """Why the reminder should not go out any more, or "" when it should."""
    recipient, meeting = reminder.recipient, reminder.meeting
    if not recipient.is_active:
        return "The recipient's account is inactive."
    preference = PREFERENCE_FOR_KIND.get(reminder.kind)
    if preference and not getattr(preferences_for(recipient), preference):
        return "Turned off in the recipient's notification preferences."
    if reminder.kind in MEETING_KINDS:
        if meeting is None or meeting.status == Meeting.Status.CANCELLED:
            return "The meeting was cancelled."
        # The wrap-up meeting kept when a partnership ended is still reminded of.
        if (
            reminder.pair.status != Pair.Status.ACTIVE
            and not PartnershipEnding.objects.filter(wrap_up=meeting).exists()
        ):
            return "The pair is no longer active."
        if reminder.kind != Kind.CHECKIN_MISSING and meeting.starts_at <= now:
            return "The meeting had already started."
        if (
            reminder.kind == Kind.CHECKIN_MISSING
            and CheckIn.objects.filter(meeting=meeting, user=recipient).exists()
        ):
            return "The check-in was logged."
    elif reminder.kind in PARTNER_KINDS:
        if reminder.pair is None or reminder.pair.status != Pair.Status.ACTIVE:
            return "The pair is no longer active."
        if not PairMember.objects.filter(pair=reminder.pair_id, user=recipient).exists():
            return "The recipient is no longer a partner of this pair."
    elif reminder.kind == Kind.COORDINATOR_DIGEST and not (
        Membership.objects.filter(
            organization=reminder.organization_id, user=recipient, role=Membership.Role.COORDINATOR
        ).exists()
    ):
        return "The recipient no longer coordinates this organization."
    elif reminder.kind == Kind.PARTNERSHIP_REVIEW:
        if reminder.pair is None or reminder.pair.status != Pair.Status.ACTIVE:
            return "The pair is no longer active."
        if PartnershipReview.objects.filter(
            pair=reminder.pair, contract__pk=reminder.data.get("contract"), outcome__gt=""
        ).exists():
            return "The review was already decided."
    elif reminder.kind == Kind.PROGRAM_MESSAGE:
        if reminder.cohort_id is not None and not (
            reminder.cohort.enrolments.filter(user=recipient).exists()
        ):
            return "The recipient left the cohort."
        # Coordinators' texts go only to people who joined the organization.
        if not Membership.objects.filter(
            organization=reminder.organization_id, user=recipient
        ).exists():
            return "The recipient is not a member of the organization."
    return ""
