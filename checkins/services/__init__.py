"""Writes for meetings, check-ins and calendar feeds.

Every function is keyword-only, runs in a transaction, validates before it writes and records
who did it in the audit log.

Meetings and the contract
-------------------------
A contract lives in the layer below; when one is signed, this layer schedules its meetings
through `meetings_ensure_scheduled(contract=...)`, which `receivers` calls when contracts
sends `contract_signed` and a periodic task calls for `selectors.contracts_needing_schedule()`.
It is idempotent: each planned meeting carries its position in the recurrence (`sequence`), so
planning again only adds what is missing. A signed amendment re-plans: the future meetings that
the previous version planned and that nobody moved or cancelled are moved onto the new plan (or
cancelled when the new plan has fewer); past meetings and those partners added, moved or
cancelled stay.

Reminders are another module's work: every meeting that is created, moved or cancelled is
handed to `reminders.reminders_sync_for_meeting`, in the same transaction.

The package
-----------
The services live in submodules by role: `scheduling` (planning a signed contract's meetings,
and re-planning them after an amendment), `meetings` (meetings a partner adds, moves or
cancels, and the email that tells the other partners), `check_ins` (a partner's check-in after
a meeting, with goal ratings, indicator values and next steps), `feeds` (calendar feeds and
their secret tokens) and `common` (the helpers they share: handing a meeting to the reminders,
locking a meeting's row). Callers import from `checkins.services` only: every public name is
re-exported here.
"""

from .check_ins import (
    GoalRating,
    IndicatorReading,
    NextStepInput,
    checkin_create,
    checkin_save,
    checkin_update,
)
from .feeds import calendar_feed_ensure, calendar_feed_reset
from .meetings import (
    MAX_MINUTES,
    MIN_MINUTES,
    meeting_add,
    meeting_cancel,
    meeting_changed_email_send,
    meeting_record_held,
    meeting_reschedule,
)
from .scheduling import meetings_ensure_scheduled

__all__ = [
    # Scheduling
    "meetings_ensure_scheduled",
    # Meetings changed by a partner
    "MIN_MINUTES",
    "MAX_MINUTES",
    "meeting_add",
    "meeting_record_held",
    "meeting_reschedule",
    "meeting_cancel",
    "meeting_changed_email_send",
    # Check-ins
    "GoalRating",
    "IndicatorReading",
    "NextStepInput",
    "checkin_create",
    "checkin_update",
    "checkin_save",
    # Calendar feeds
    "calendar_feed_ensure",
    "calendar_feed_reset",
]
