"""Writes for matching: runs, proposals, publication, answers and partner requests.

Every function here is keyword-only, validates before it writes, raises ValidationError with
a message a person can act on, and records who did it in the audit log. Services that create
or publish pairs first lock the cohort's row, so that two of them (a run being saved, a
publication, a request being accepted) never pair the same member twice.

The package
-----------
The services live in submodules by role: `runs` (a cohort's matching settings, and the runs of
the engine that store proposals), `review` (what a coordinator does with the proposals: lock,
forbid, pair by hand, publish), `answers` (members accepting or declining their pair, and
partner requests), `wishes` (keeping or setting aside mutual wished partners, and members who
would pair again), `emails` (the messages the tasks send) and `common` (the helpers they share:
locking the cohort or a pair, who already has a partner, forbidding and creating pairs).
Callers import from `matching.services` only: every public name is re-exported here, with
`ValidationError` (which callers catch as `services.ValidationError`).
"""

from django.core.exceptions import ValidationError

from .answers import pair_respond, partner_request_answer, partner_request_create
from .emails import (
    pair_active_email_send,
    pair_declined_email_send,
    pair_published_email_send,
    partner_request_email_send,
)
from .review import matching_publish, pair_create_manual, pair_forbid, pair_set_locked
from .runs import (
    INCOMPLETE_PROFILE_REASON,
    RUN_TIMEOUT_SECONDS,
    match_settings_update,
    matching_run_create,
    matching_run_execute,
    matching_run_start,
)
from .wishes import pair_again_record, wish_set_honoured

__all__ = [
    "ValidationError",
    # Settings and runs
    "RUN_TIMEOUT_SECONDS",
    "INCOMPLETE_PROFILE_REASON",
    "match_settings_update",
    "matching_run_create",
    "matching_run_start",
    "matching_run_execute",
    # Reviewing proposals and publishing
    "pair_set_locked",
    "pair_forbid",
    "pair_create_manual",
    "matching_publish",
    # Wished partners and pairing again
    "wish_set_honoured",
    "pair_again_record",
    # Members' answers and partner requests
    "pair_respond",
    "partner_request_create",
    "partner_request_answer",
    # Emails
    "pair_published_email_send",
    "pair_active_email_send",
    "pair_declined_email_send",
    "partner_request_email_send",
]
