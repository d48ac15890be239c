"""How long the matching app's texts may be: the forms' and the database's one source."""

FORBID_REASON_MAX = 200
DECLINE_REASON_MAX = 500
REQUEST_MESSAGE_MAX = 500
UNMATCHED_REASON_MAX = 300
PROGRESS_NOTE_MAX = 200
# Written by the application, not typed: cut to fit where they are stored.
RUN_ERROR_MAX = 2000
# Up to three sentences naming members and tags; the longest names and tags fit well inside.
EXPLANATION_MAX = 10000

# The partners' thread (matching/conversation/).
MESSAGE_MAX = 2000
# A short exchange before and between meetings, not a chat: enough for a busy day, and a cap
# on what one pair can send (each message is an email) over a cohort's months.
MESSAGES_PER_PAIR_PER_DAY = 30
MESSAGES_PER_PAIR_TOTAL = 1000
# The same text sent again by the same person this soon is a double-submit, not a new message.
DUPLICATE_MESSAGE_SECONDS = 120
MESSAGES_PAGE_SIZE = 20
# An intro call is proposed for the coming weeks, not for next year.
INTRO_CALL_DAYS_AHEAD = 60
# The largest career-stage distance a cohort rule may allow (the scale has five steps).
STAGE_DISTANCE_MAX = 4
