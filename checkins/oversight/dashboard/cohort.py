"""The cohort dashboard as one read: the funnel, the pairs table and the charts together.

`cohort_dashboard` reads the active pairs and their health once and shares them between the
funnel and the pairs table, and the weeks once for both weekly charts, so the whole page takes
a fixed number of queries (about a dozen); it adds the closing survey's anonymous results.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Cohort

from ... import health, selectors
from .. import survey
from .funnel import FunnelStep, cohort_funnel
from .pairs import (
    CONTRACT_LABELS,
    DEFAULT_SORT,
    HEALTH_LABELS,
    SORTS,
    PairTableRow,
    _active_pairs,
    pair_table_rows,
)
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
    health_counts = {status.value: 0 for status in health.Status}
    for row in healths.values():
        health_counts[row.status.value] += 1
    return CohortDashboard(
        cohort=cohort,
        funnel=cohort_funnel(cohort=cohort, healths=healths, now=now),
        pairs=pair_table_rows(
            pairs=pairs,
            healths=healths,
            sort=sort,
            health_filter=health_filter,
            contract_filter=contract_filter,
        ),
        pair_count=len(pairs),
        health_counts=health_counts,
        charts=[
            checkins_per_week(cohort=cohort, weeks=weeks),
            indicators_met_per_week(cohort=cohort, weeks=weeks),
            score_distribution(cohort=cohort),
        ],
        sort=sort if sort in SORTS else DEFAULT_SORT,
        health_filter=health_filter if health_filter in HEALTH_LABELS else "",
        contract_filter=contract_filter if contract_filter in CONTRACT_LABELS else "",
        survey=survey.cohort_survey_summary(cohort=cohort),
    )
