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
# The largest career-stage distance a cohort rule may allow (the scale has five steps).
STAGE_DISTANCE_MAX = 4
