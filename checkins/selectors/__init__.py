"""Reads for meetings, check-ins, pair health and calendar feeds.

Each selector owns its queries: list pages call them once for all their rows, so that the
number of queries does not grow with the rows.

Privacy: what partners write in a check-in (notes, what they learned or taught, blockers,
next steps, indicator values) stays between the partners. Selectors that serve coordinators
never load it: `pair_page(..., private=False)` leaves those parts out altogether.

The package
-----------
The reads live in submodules by role: `terms` (the contract in force, its meeting terms and
time zone, and the contracts whose meetings are still to be planned), `meetings` (partners,
meetings, check-ins and calendar feeds), `pair_health` (the pairs' health, and a cohort's
pairs with their health), `page` (the pair page), `form_data` (what the views and their
forms start from: the reschedule form's initial values, the check-in page) and `common` (the
helpers they share). Callers import from `checkins.selectors` only: every public name is
re-exported here.
"""

from .form_data import CheckInSetup, checkin_setup, meeting_form_initial
from .meetings import (
    FEED_HISTORY,
    checkin_of,
    feed_for_token,
    feed_path,
    meeting_with_members,
    open_next_steps,
    pair_partners,
    pair_user_ids,
    user_feed_meetings,
    user_goals,
)
from .page import GoalRow, IndicatorRow, MeetingRow, PairPage, agenda_items, pair_page
from .pair_health import PairHealth, PairRow, cohort_pairs_with_health, pairs_health
from .terms import (
    CURRENT,
    contract_terms,
    contracts_needing_schedule,
    current_contract,
    pair_timezone,
    replaceable_meetings,
)

__all__ = [
    # Contracts and their terms
    "current_contract",
    "CURRENT",
    "pair_timezone",
    "contract_terms",
    "contracts_needing_schedule",
    "replaceable_meetings",
    # People
    "pair_user_ids",
    "pair_partners",
    # Meetings
    "FEED_HISTORY",
    "user_feed_meetings",
    "meeting_with_members",
    "open_next_steps",
    # Check-ins
    "user_goals",
    "checkin_of",
    # Health
    "PairHealth",
    "pairs_health",
    "PairRow",
    "cohort_pairs_with_health",
    # The pair page
    "MeetingRow",
    "IndicatorRow",
    "GoalRow",
    "PairPage",
    "pair_page",
    "agenda_items",
    # Calendar feeds
    "feed_for_token",
    "feed_path",
    # Forms' data
    "meeting_form_initial",
    "CheckInSetup",
    "checkin_setup",
]
