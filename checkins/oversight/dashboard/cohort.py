"""The cohort dashboard as one read: the funnel, the pairs table and the charts together.

`cohort_dashboard` reads the active pairs and their health once and shares them between the
funnel and the pairs table, and the weeks once for both weekly charts, so the whole page takes
a fixed number of queries (about a dozen); it adds the closing survey's anonymous results.

The figures (`CohortFigures`: the pairs and their health, the funnel, the charts, the survey)
take a few hundred milliseconds on a cohort of thousands, so they are kept in the cache for
`DASHBOARD_CACHE_SECONDS` (Redis in production, per-process memory otherwise). The key holds
the organization, the cohort, its state and the language of the page, so one organization's
figures are never read for another's cohort (and the view reaches the key only after
`get_cohort_for_coordinator` let the coordinator in); a move of the cohort starts afresh at
once, anything else shows within the cache's lifetime. What depends on the request (sorting,
filtering, the page of the table and its partners) is done on every request.
"""

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.lifecycle import status_label
from accounts.models import Cohort
from contracts.models import Contract

from ... import selectors
from ...partnership.selectors import PartnershipCounts, cohort_partnership_counts
from .. import survey
from ..lifecycle import MIN_COMPLETE_PROFILES
from .funnel import PROFILE_COMPLETE, FunnelStep, cohort_funnel
from .pairs import (
    DEFAULT_SORT,
    ActivePair,
    PairTableRow,
    _active_pairs,
    pair_table,
    pair_table_rows,
)
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
    # When the figures were computed (they may come from the cache).
    computed_at: datetime.datetime | None = None


@dataclass
class CohortFigures:
    """The part of the dashboard that is the same for every request on the cohort (cached)."""

    pairs: list[ActivePair]
    healths: dict  # pair id → selectors.PairHealth, its contract a `ContractInForce`
    funnel: list[FunnelStep]
    charts: list[Chart]
    survey: dict
    computed_at: datetime.datetime


@dataclass(frozen=True)
class ContractInForce:
    """What the dashboard reads of a pair's contract in force. The figures hold this in place
    of the model instance: a thousand contracts take ten times longer to read back from the
    cache than the rest of the figures together."""

    pk: int
    cadence: str
    timezone: str


def _light(pair_health: selectors.PairHealth) -> selectors.PairHealth:
    contract = pair_health.contract
    if contract is None:
        return pair_health
    return dataclasses.replace(
        pair_health,
        contract=ContractInForce(contract.pk, contract.cadence, contract.timezone),
    )


def cohort_figures(*, cohort: Cohort, now: datetime.datetime | None = None) -> CohortFigures:
    """The cohort's figures, computed now (a fixed number of queries)."""
    now = now or timezone.now()
    pairs = _active_pairs(cohort)
    healths = selectors.pairs_health(pairs=[pair.pk for pair in pairs], now=now)
    weeks = cohort_weeks(cohort=cohort, now=now)
    return CohortFigures(
        pairs=pairs,
        healths={pair_id: _light(pair_health) for pair_id, pair_health in healths.items()},
        funnel=cohort_funnel(cohort=cohort, healths=healths, now=now),
        charts=[
            checkins_per_week(cohort=cohort, weeks=weeks),
            indicators_met_per_week(cohort=cohort, weeks=weeks),
            score_distribution(cohort=cohort),
        ],
        survey=survey.cohort_survey_summary(cohort=cohort),
        computed_at=now,
    )


def figures_cache_key(cohort: Cohort) -> str:
    return (
        f"dashboard:v1:org{cohort.organization_id}:cohort{cohort.pk}:{cohort.status}:"
        f"{translation.get_language()}"
    )


def cached_cohort_figures(*, cohort: Cohort) -> CohortFigures:
    """The cohort's figures from the cache, computed and stored when missing or expired."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return cohort_figures(cohort=cohort)
    key = figures_cache_key(cohort)
    figures = cache.get(key)
    if figures is None:
        figures = cohort_figures(cohort=cohort)
        cache.set(key, figures, timeout=seconds)
    return figures


def cohort_dashboard(
    *,
    cohort: Cohort,
    sort: str = DEFAULT_SORT,
    health_filter: str = "",
    contract_filter: str = "",
    now: datetime.datetime | None = None,
    cached: bool = False,
) -> CohortDashboard:
    """Everything the cohort dashboard shows, in a fixed number of queries (about a dozen);
    with `cached`, the figures may come from the cache (see the module's docstring)."""
    if cached and now is None:
        figures = cached_cohort_figures(cohort=cohort)
    else:
        figures = cohort_figures(cohort=cohort, now=now)
    pairs, healths = figures.pairs, figures.healths
    table = pair_table(
        pairs=pairs,
        healths=healths,
        sort=sort,
        health_filter=health_filter,
        contract_filter=contract_filter,
    )
    return CohortDashboard(
        cohort=cohort,
        funnel=figures.funnel,
        pairs=table.pairs,
        pair_count=table.pair_count,
        health_counts=table.health_counts,
        charts=figures.charts,
        sort=table.sort,
        health_filter=table.health_filter,
        contract_filter=table.contract_filter,
        survey=figures.survey,
        partnerships=cohort_partnership_counts(cohort=cohort),
        lifecycle_move=pending_lifecycle_move(
            status=cohort.status,
            # Only a matching cohort holds signed pairs back (no need to list them otherwise).
            contract_statuses=[
                row.contract_status for row in pair_table_rows(pairs=pairs, healths=healths)
            ]
            if cohort.status == Cohort.Status.MATCHING
            else [],
            complete_profiles=next(
                step.count for step in figures.funnel if step.key == PROFILE_COMPLETE
            ),
        ),
        computed_at=figures.computed_at,
    )
