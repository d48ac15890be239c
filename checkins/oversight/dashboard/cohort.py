"""The cohort dashboard as one read: the funnel, the pairs table and the charts together.

`cohort_dashboard` reads the active pairs and their health once and shares them between the
funnel and the pairs table, and the weeks once for both weekly charts, so the whole page takes
a fixed number of queries (about a dozen); it adds the closing survey's anonymous results.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Cohort

from ... import selectors
from .. import survey
from .funnel import FunnelStep, cohort_funnel
from .pairs import DEFAULT_SORT, PairTableRow, _active_pairs, pair_table
from .series import (
    Chart,
    checkins_per_week,
    cohort_weeks,
    indicators_met_per_week,
    score_distribution,
)


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
    return CohortDashboard(
        cohort=cohort,
        funnel=cohort_funnel(cohort=cohort, healths=healths, now=now),
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
    )
