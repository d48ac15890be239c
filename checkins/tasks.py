"""Background work for check-ins and reminders.

Tasks take ids, re-fetch, and return quietly when the row is gone or no longer in the state
they were queued for. Each task imports the modules it calls inside its body, so `services` and
`reminders` can import this one to queue tasks without an import circle. Nothing here is
scheduled for a far-off time: reminders wait as rows in the database and `scan_due_reminders`
(every minute, Celery beat) queues them when due.
"""

import logging

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task
def scan_due_reminders() -> int:
    """Claim the due reminders and queue one `send_reminder` per row (on commit)."""
    from . import reminders

    return reminders.reminders_queue_due()


# The hard time limit keeps a hung send from outliving its lease, after which the scan would
# claim the row again (see the trade-off in the checkins.reminders docstring). The worker
# process is replaced and the row, still leased, is claimed again after its lease as an
# interrupted attempt. No soft limit: its exception would look like a permanent failure.
@shared_task(
    bind=True,
    max_retries=None,  # the row's own attempts counter decides when to give up
    time_limit=settings.REMINDER_LEASE_SECONDS // 2,
)
def send_reminder(self, reminder_id: int) -> str:
    """Send one claimed reminder; a duplicate delivery of this task sends nothing."""
    from . import reminders

    try:
        return reminders.reminder_deliver(reminder_id=reminder_id)
    except reminders.TransientSendError as error:
        if self.request.is_eager:
            # In-process (no broker), a retry would run at once or raise into the scan that
            # queued this. The row keeps its lease; the first scan after it sends it again.
            logger.warning("Reminder %s: %s; the scan will try again later", reminder_id, error)
            return reminders.RETRY
        logger.warning("Reminder %s: %s; retrying in %ss", reminder_id, error, error.retry_in)
        raise self.retry(exc=error, countdown=error.retry_in) from error


@shared_task
def queue_coordinator_digests() -> int:
    """This ISO week's digest rows (idempotent: runs hourly, creates them once a week)."""
    from . import reminders

    return reminders.coordinator_digests_queue()


@shared_task
def schedule_meetings_for_signed_contracts() -> int:
    """Keep every signed contract's meetings scheduled ahead (idempotent)."""
    from . import selectors, services

    count = 0
    for contract in selectors.contracts_needing_schedule():
        # One contract's bad data must not stop the others from being scheduled.
        try:
            services.meetings_ensure_scheduled(contract=contract)
        except Exception:
            logger.exception("Could not schedule the meetings of contract %s", contract.pk)
            continue
        count += 1
    return count


@shared_task
def queue_partnership_reviews() -> int:
    """Open the reviews whose contract reached its review date and queue their emails
    (idempotent: each partner is emailed once per review; the reminder scan sends them)."""
    from .partnership import services

    return services.partnership_reviews_queue()
