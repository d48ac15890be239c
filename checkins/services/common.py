"""Helpers shared by the services' submodules: `_sync_reminders` hands a meeting that was
created, moved or cancelled to `reminders.reminders_sync_for_meeting` (looked up on
`checkins.reminders` when called, in the caller's transaction), and `_locked_meeting` locks a
meeting's row (with its pair and organization) before a partner changes it or checks in for it.
"""

from ..models import Meeting


def _sync_reminders(meeting: Meeting) -> None:
    # Imported here: the reminders module is built alongside this one and reads our models.
    from .. import reminders

    reminders.reminders_sync_for_meeting(meeting=meeting)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update()
        .select_related("pair", "organization")
        .get(pk=meeting.pk)
    )
