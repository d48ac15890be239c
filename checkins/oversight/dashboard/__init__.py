"""Reads for the coordinators' dashboards: the cohort dashboard and the program dashboard.

Every number the dashboards show is computed here, with a fixed number of queries however
many members, pairs and check-ins a cohort has: aggregates (`Count` with filters, `Exists`
subqueries, window functions) in the database, and `selectors.pairs_health` (constant-query)
for the pairs' health. Nothing here loads what partners write in a check-in: only dates,
statuses, and whether each indicator's latest reading meets its target.

The funnel
----------
The funnel follows people through the cohort. Each step counts the people who meet its
condition *and every earlier step's*, so a step never counts more people than the one before
and every invited person is "stuck" at exactly one step (or has reached the last one).

1. **invited** — everyone invited to or enrolled in the cohort: the enrolled members, plus the
   open invitations (pending or expired; not accepted, not revoked) whose address belongs to
   nobody enrolled yet.
2. **joined** — enrolled in the cohort (by accepting an invitation or by an import).
3. **profile complete** — joined, and the member's profile in the organization has at least
   one offer, one need, a language and a time zone (the rule matching uses).
4. **matched** — profile complete, and in an *active* pair of this cohort (every partner
   accepted). Proposed or published pairs awaiting answers don't count yet.
5. **contract signed** — matched, and that pair has a signed contract in force (a signed
   version; amendments in progress don't undo it).
6. **meeting regularly** — contract signed, and the pair's health is *on track*
   (`checkins/health.py`), or either partner logged a check-in within one cadence period of
   the pair's contract (7, 14 or 31 days: weekly, every two weeks, monthly), which covers pairs
   that already meet but are "too early to tell" or at risk only for an overdue indicator.

Percentages are of the invited (rounded half up); each step also gives its share of the step
before. "Stuck at" a step means reached it but not the next one.

The package
-----------
The reads live in submodules by role: `funnel` (the steps and their counts), `stuck` (the
people stuck at a step, and the reminder suggested to them), `pairs` (the one pairs table, shown
on the dashboard and on the cohort's pairs page: rows, sorting, filtering), `series` (the
charts' numbers), `cohort` (the cohort dashboard, all of the above in one read), `program` (the
program's cohorts side by side) and `common` (helpers they share). Callers import from
`checkins.oversight.dashboard`: every public name is re-exported here.
"""

from .cohort import (
    CohortDashboard,
    CohortFigures,
    LifecycleMove,
    cached_cohort_figures,
    cohort_dashboard,
    cohort_figures,
    figures_cache_key,
    pending_lifecycle_move,
)
from .common import percent
from .funnel import (
    COMPLETE,
    CONTRACT_SIGNED,
    INVITED,
    JOINED,
    MATCHED,
    MATCHED_Q,
    MEETING_Q,
    MEETING_REGULARLY,
    MEMBER_STEPS,
    NEEDS_HEALTH,
    PROFILE_COMPLETE,
    REACHED,
    SIGNED_Q,
    STEP_HELP,
    STEP_LABELS,
    STEPS,
    STUCK,
    STUCK_LABELS,
    FunnelStep,
    cohort_funnel,
    meets_regularly,
)
from .pairs import (
    CONTRACT_LABELS,
    DEFAULT_SORT,
    HEALTH_LABELS,
    NO_CONTRACT,
    SORTS,
    ActivePair,
    PairTable,
    PairTableRow,
    cohort_pair_table,
    pair_rows_load_partners,
    pair_table,
    pair_table_rows,
)
from .program import ProgramCohortRow, program_cohorts_overview
from .series import (
    MAX_WEEKS,
    SCORE_BINS,
    Chart,
    checkins_per_week,
    cohort_weeks,
    indicators_met_per_week,
    score_distribution,
)
from .stuck import StuckList, default_message, funnel_step_people

__all__ = [
    # The cohort dashboard
    "CohortDashboard",
    "CohortFigures",
    "cohort_figures",
    "cached_cohort_figures",
    "figures_cache_key",
    "LifecycleMove",
    "cohort_dashboard",
    "pending_lifecycle_move",
    # The funnel
    "INVITED",
    "JOINED",
    "PROFILE_COMPLETE",
    "MATCHED",
    "CONTRACT_SIGNED",
    "MEETING_REGULARLY",
    "STEPS",
    "STEP_LABELS",
    "STEP_HELP",
    "STUCK_LABELS",
    "COMPLETE",
    "MATCHED_Q",
    "SIGNED_Q",
    "MEETING_Q",
    "REACHED",
    "STUCK",
    "MEMBER_STEPS",
    "NEEDS_HEALTH",
    "percent",
    "FunnelStep",
    "meets_regularly",
    "cohort_funnel",
    # The people stuck at a step
    "StuckList",
    "funnel_step_people",
    "default_message",
    # The pairs table
    "NO_CONTRACT",
    "CONTRACT_LABELS",
    "HEALTH_LABELS",
    "DEFAULT_SORT",
    "SORTS",
    "ActivePair",
    "PairTable",
    "PairTableRow",
    "cohort_pair_table",
    "pair_table",
    "pair_table_rows",
    "pair_rows_load_partners",
    # Charts
    "MAX_WEEKS",
    "SCORE_BINS",
    "Chart",
    "cohort_weeks",
    "checkins_per_week",
    "indicators_met_per_week",
    "score_distribution",
    # The program dashboard
    "ProgramCohortRow",
    "program_cohorts_overview",
]
