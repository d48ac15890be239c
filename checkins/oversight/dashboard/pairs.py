"""The pairs table: the cohort's active pairs with their health, score and contract status.

One table serves both the cohort dashboard and the cohort's pairs page. `_active_pairs` reads
the active pairs (one query, no model instances), `pair_table_rows` filters and sorts them by
the choices in `SORTS`, `HEALTH_LABELS` and `CONTRACT_LABELS` with no further query,
`pair_table` adds the counts per health status, `cohort_pair_table` does all of it for one
cohort, and `pair_rows_load_partners` fills the pairs and partners of the rows on one page.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy

from accounts.models import Cohort
from contracts.models import Contract
from matching.models import Pair, PairMember

from ... import health, selectors

NO_CONTRACT = "none"
CONTRACT_LABELS = {
    Contract.Status.SIGNED.value: gettext_lazy("Signed"),
    Contract.Status.READY.value: gettext_lazy("Ready for signature"),
    Contract.Status.DRAFT.value: gettext_lazy("Draft"),
    NO_CONTRACT: gettext_lazy("Not started"),
}
HEALTH_LABELS = {
    health.Status.AT_RISK.value: gettext_lazy("At risk"),
    health.Status.NO_CONTRACT.value: gettext_lazy("No signed contract"),
    health.Status.TOO_EARLY.value: gettext_lazy("Too early to tell"),
    health.Status.ON_TRACK.value: gettext_lazy("On track"),
}
DEFAULT_SORT = "health"
SORTS = {
    "health": gettext_lazy("Health (at risk first)"),
    "score": gettext_lazy("Score (lowest first)"),
    "-score": gettext_lazy("Score (highest first)"),
    "last_checkin": gettext_lazy("Last check-in (oldest first)"),
    "-last_checkin": gettext_lazy("Last check-in (newest first)"),
}
_NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


@dataclass
class ActivePair:
    """What the table needs of an active pair before its page is picked (no model instance)."""

    pk: int
    score: float
    latest_contract_status: str | None  # of its latest contract version, if any


@dataclass
class PairTableRow:
    pair_id: int
    score: float
    health: selectors.PairHealth
    contract_status: str  # a key of CONTRACT_LABELS
    partners: list = field(default_factory=list)  # filled for one page by `pair_rows_load_partners`
    pair: Pair | None = None  # likewise

    @property
    def contract_label(self) -> str:
        return CONTRACT_LABELS[self.contract_status]


def _sort_key(sort: str):
    def by_health(row):
        return (health.ORDER[row.health.status], row.health.last_checkin_at or _NEVER, row.pair_id)

    def by_score(row):
        return (row.score, row.pair_id)

    def by_last(row):
        return (row.health.last_checkin_at or _NEVER, row.pair_id)

    return {"health": by_health, "score": by_score, "last_checkin": by_last}[sort.lstrip("-")]


def _active_pairs(cohort: Cohort) -> list[ActivePair]:
    latest = Contract.objects.filter(pair=OuterRef("pk")).order_by("-version")
    return [
        ActivePair(*row)
        for row in Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE)
        .annotate(latest_contract_status=Subquery(latest.values("status")[:1]))
        .order_by("pk")
        .values_list("pk", "score", "latest_contract_status")
    ]


def pair_table_rows(
    *,
    pairs: list[ActivePair],
    healths: dict,
    sort: str = DEFAULT_SORT,
    health_filter: str = "",
    contract_filter: str = "",
) -> list[PairTableRow]:
    """The active pairs as table rows, filtered and sorted (no query: pairs from
    `_active_pairs`, healths from `pairs_health`). Unknown sorts and filters are ignored."""
    rows = []
    for pair in pairs:
        pair_health = healths[pair.pk]
        if pair_health.contract is not None:
            status = Contract.Status.SIGNED.value
        else:
            status = pair.latest_contract_status or NO_CONTRACT
            if status not in CONTRACT_LABELS:  # only superseded versions: none in force
                status = NO_CONTRACT
        if health_filter in HEALTH_LABELS and pair_health.status.value != health_filter:
            continue
        if contract_filter in CONTRACT_LABELS and status != contract_filter:
            continue
        rows.append(PairTableRow(pair.pk, pair.score, pair_health, status))
    sort = sort if sort in SORTS else DEFAULT_SORT
    rows.sort(key=_sort_key(sort), reverse=sort.startswith("-"))
    return rows


@dataclass
class PairTable:
    """The table as a page shows it: the rows after filtering and sorting, and the counts."""

    pairs: list[PairTableRow]  # filtered and sorted
    pair_count: int  # active pairs, before filtering
    health_counts: dict[str, int]  # active pairs per health status
    sort: str
    health_filter: str
    contract_filter: str


def pair_table(
    *,
    pairs: list[ActivePair],
    healths: dict,
    sort: str = DEFAULT_SORT,
    health_filter: str = "",
    contract_filter: str = "",
) -> PairTable:
    """The table of these active pairs (no query: pairs from `_active_pairs`, healths from
    `pairs_health`). Unknown sorts and filters fall back to the defaults."""
    health_counts = {status.value: 0 for status in health.Status}
    for pair in pairs:
        health_counts[healths[pair.pk].status.value] += 1
    return PairTable(
        pairs=pair_table_rows(
            pairs=pairs,
            healths=healths,
            sort=sort,
            health_filter=health_filter,
            contract_filter=contract_filter,
        ),
        pair_count=len(pairs),
        health_counts=health_counts,
        sort=sort if sort in SORTS else DEFAULT_SORT,
        health_filter=health_filter if health_filter in HEALTH_LABELS else "",
        contract_filter=contract_filter if contract_filter in CONTRACT_LABELS else "",
    )


def cohort_pair_table(
    *,
    cohort: Cohort,
    sort: str = DEFAULT_SORT,
    health_filter: str = "",
    contract_filter: str = "",
    now: datetime.datetime | None = None,
) -> PairTable:
    """The cohort's pairs table, in a fixed number of queries however many pairs it has."""
    pairs = _active_pairs(cohort)
    healths = selectors.pairs_health(pairs=[pair.pk for pair in pairs], now=now)
    return pair_table(
        pairs=pairs,
        healths=healths,
        sort=sort,
        health_filter=health_filter,
        contract_filter=contract_filter,
    )


def pair_rows_load_partners(*, rows: list[PairTableRow]) -> None:
    """Fill `pair` and `partners` (users, by name) of these rows (one page of the table) in one
    query."""
    by_pair = {row.pair_id: row for row in rows}
    if not by_pair:
        return
    for member in (
        PairMember.objects.filter(pair_id__in=by_pair)
        .select_related("user", "pair")
        .order_by("user__first_name", "user__last_name", "user__email")
    ):
        row = by_pair[member.pair_id]
        row.pair = member.pair
        row.partners.append(member.user)
