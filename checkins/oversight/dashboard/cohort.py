"""The cohort dashboard as one read: the funnel, the pairs table and the charts together.

`cohort_dashboard` reads the active pairs and their health once and shares them between the
funnel and the pairs table, and the weeks once for both weekly charts, so the whole page takes
a fixed number of queries (about a dozen); it adds the closing survey's anonymous results.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import ngettext

from accounts.lifecycle import status_label
from accounts.models import Cohort
from contracts.models import Contract

from ... import selectors
from ...partnership.selectors import PartnershipCounts, cohort_partnership_counts
from .. import survey
from ..lifecycle import MIN_COMPLETE_PROFILES
from .funnel import PROFILE_COMPLETE, FunnelStep, cohort_funnel
from .pairs import DEFAULT_SORT, PairTableRow, _active_pairs, pair_table, pair_table_rows
from .series import (
    Chart,
    checkins_per_week,
    cohort_weeks,
    indicators_met_per_week,
    score_distribution,
)


@dataclass(frozen=True)
class LifecycleMove:
    """A move between states only the coordinator can make, and how many wait on it: signed
    pairs (to Active) or members with a complete profile (to Matching)."""

    to_status: str
    held: int

    @property
    def message(self) -> str:
        names = {"state": status_label(self.to_status), "count": self.held}
        if self.to_status == Cohort.Status.MATCHING:
            return (
                ngettext(
                    "Move the cohort to %(state)s: %(count)s member with a complete profile "
                    "waits for a partner until you do.",
                    "Move the cohort to %(state)s: %(count)s members with a complete profile "
                    "wait for a partner until you do.",
                    self.held,
                )
                % names
            )
        return (
            ngettext(
                "Move the cohort to %(state)s: %(count)s signed pair can't schedule meetings "
                "until you do.",
                "Move the cohort to %(state)s: %(count)s signed pairs can't schedule meetings "
                "until you do.",
                self.held,
            )
            % names
        )


def pending_lifecycle_move(
    *, status: str, contract_statuses: list[str], complete_profiles: int = 0
) -> LifecycleMove | None:
    """The move the coordinator still has to make for members to go on, given the cohort's
    state, the contract status of each active pair and the number of complete profiles
    (plain data, no query).

    Active pairs may sign while the cohort is matching, but their meetings are scheduled only
    once it is active: each signed pair is held back until the coordinator moves it. While
    the cohort is open, members with a complete profile wait for the matching, which needs
    at least `MIN_COMPLETE_PROFILES` of them.
    """
    if status == Cohort.Status.OPEN and complete_profiles >= MIN_COMPLETE_PROFILES:
        return LifecycleMove(Cohort.Status.MATCHING, complete_profiles)
    if status != Cohort.Status.MATCHING:
        return None
    held = sum(1 for value in contract_statuses if value == Contract.Status.SIGNED)
    return LifecycleMove(Cohort.Status.ACTIVE, held) if held else None


@dataclass
class CohortDashboard:
    cohort: Cohort
    funnel: list[FunnelStep]
    pairs: list[PairTableRow]  # filtered and sorted
    pair_count: int  # active pairs, before filtering
    health_counts: dict[str, int]  # active pairs per health status
    charts: list[Chart]
    sort: str
    health_filter: str
    contract_filter: str
    # The closing survey's anonymous results (`survey.cohort_survey_summary`); shown once
    # anyone was asked, i.e. after the cohort closed.
    survey: dict = field(default_factory=dict)
    # What the coordinator must move for pairs to go on: the first item of "What to do next".
    lifecycle_move: LifecycleMove | None = None
    # How partnerships went: ended early (reasons grouped), renewed, continued, goals achieved.
    partnerships: PartnershipCounts | None = None


def cohort_dashboard(
    *,
    cohort: Cohort,
    sort: str = DEFAULT_SORT,
    health_filter: str = "",
    contract_filter: str = "",
    now: datetime.datetime | None = None,
) -> CohortDashboard:
    """Everything the cohort dashboard shows, in a fixed number of queries (about a dozen)."""
    now = now or timezone.now()
    pairs = _active_pairs(cohort)
    healths = selectors.pairs_health(pairs=[pair.pk for pair in pairs], now=now)
    weeks = cohort_weeks(cohort=cohort, now=now)
    table = pair_table(
        pairs=pairs,
        healths=healths,
        sort=sort,
        health_filter=health_filter,
        contract_filter=contract_filter,
    )
    funnel = cohort_funnel(cohort=cohort, healths=healths, now=now)
    return CohortDashboard(
        cohort=cohort,
        funnel=funnel,
        pairs=table.pairs,
        pair_count=table.pair_count,
        health_counts=table.health_counts,
        charts=[
            checkins_per_week(cohort=cohort, weeks=weeks),
            indicators_met_per_week(cohort=cohort, weeks=weeks),
            score_distribution(cohort=cohort),
        ],
        sort=table.sort,
        health_filter=table.health_filter,
        contract_filter=table.contract_filter,
        survey=survey.cohort_survey_summary(cohort=cohort),
        partnerships=cohort_partnership_counts(cohort=cohort),
        lifecycle_move=pending_lifecycle_move(
            status=cohort.status,
            contract_statuses=[
                row.contract_status for row in pair_table_rows(pairs=pairs, healths=healths)
            ],
            complete_profiles=next(step.count for step in funnel if step.key == PROFILE_COMPLETE),
        ),
    )
