"""What the reminder submodules share: the kinds and statuses, which preference switches each
kind off, the kinds that belong to a meeting, the lease a claimed row is held for (`_lease`,
for the claim and the send) and absolute links into the site (`_url`, for the emails and the
unsubscribe links).
"""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from ..models import Reminder

Kind = Reminder.Kind
Status = Reminder.Status

# Which preference switches each kind off.
PREFERENCE_FOR_KIND = {
    Kind.MEETING_DAY_BEFORE: "meeting_day_before",
    Kind.MEETING_HOUR_BEFORE: "meeting_hour_before",
    Kind.CHECKIN_MISSING: "checkin_nudge",
    Kind.COORDINATOR_DIGEST: "coordinator_digest",
    Kind.PROGRAM_MESSAGE: "program_messages",
    Kind.CHECKIN_REPLY: "checkin_replies",
    Kind.PARTNER_NUDGE: "partner_nudges",
}
MEETING_KINDS = (Kind.MEETING_DAY_BEFORE, Kind.MEETING_HOUR_BEFORE, Kind.CHECKIN_MISSING)
# Emails from one partner's check-in to the other: a reply, a nudge. Never to a coordinator.
PARTNER_KINDS = (Kind.CHECKIN_REPLY, Kind.PARTNER_NUDGE)


def _lease() -> timedelta:
    return timedelta(seconds=settings.REMINDER_LEASE_SECONDS)


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)
