"""How long the check-ins app's texts may be: the forms' and the database's one source."""

MEETING_NOTE_MAX = 300
CHECKIN_TEXT_MAX = 4000  # what I learned, what I taught, blockers
GOAL_NOTE_MAX = 2000
INDICATOR_NOTE_MAX = 300
NEXT_STEP_MAX = 300
WHAT_HELPED_MAX = 2000
HELP_EXAMPLE_MAX = 1000  # one example of the help received since the last meeting
REPLY_BODY_MAX = 2000  # a partner's reply to a check-in
# How much a thread may hold, and how fast one person may write to it.
REPLIES_PER_CHECKIN_MAX = 200
REPLIES_PER_HOUR_MAX = 30
MESSAGE_SUBJECT_MAX = 200  # a coordinator's message to members
MESSAGE_BODY_MAX = 5000
ENDING_NOTE_MAX = 2000  # a private note to the coordinators when a partnership ends
# Written by the application, not typed: cut to fit where it is stored.
REMINDER_ERROR_MAX = 2000
