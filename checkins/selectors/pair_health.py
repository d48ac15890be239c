"""Health: `pairs_health` assesses any number of pairs (`checkins.health`: on track, at risk,
too early to tell, no contract) in four queries, from their signed contract, their meetings,
their last check-in and their indicators' latest readings; a `PairHealth` says why a pair is
at risk without anything private, and `cohort_pairs_with_health` lists a cohort's active pairs
with their health (`PairRow`), at-risk first, with their members (for the coordinator's digest; the
pages show the pairs table of `checkins.oversight.dashboard`).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Cohort
from contracts.models import Contract, Indicator
from matching.models import Pair

from .. import health, schedule
from ..models import CheckIn, IndicatorValue, Meeting
from .common import _members_with_users

# Health ------------------------------------------------------------------------------------


@dataclass
class PairHealth:
    assessment: health.Assessment
    contract: Contract | None = None
    last_checkin_at: datetime.datetime | None = None
    next_meeting_at: datetime.datetime | None = None
    started_at: datetime.datetime | None = None

    @property
    def status(self) -> health.Status:
        return self.assessment.status

    @property
    def timezone(self) -> str:
        """For showing its times: the contract's zone, or UTC (without a query per pair)."""
        return schedule.zone(self.contract.timezone if self.contract else None).key

    @property
    def at_risk(self) -> bool:
        return self.status == health.Status.AT_RISK

    @property
    def reasons(self) -> list[str]:
        """Why the pair is at risk, in words (nothing private: no values, no notes)."""
        texts = []
        if health.NO_RECENT_CHECKIN in self.assessment.reasons:
            if self.last_checkin_at:
                texts.append(
                    _("No check-in since %(date)s.")
                    % {"date": date_format(self.last_checkin_at, "j M Y")}
                )
            else:
                texts.append(_("No check-in yet."))
        overdue = len(self.assessment.overdue)
        if overdue:
            texts.append(
                ngettext(
                    "%(count)s indicator is past its due date and not met.",
                    "%(count)s indicators are past their due date and not met.",
                    overdue,
                )
                % {"count": overdue}
            )
        return texts

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


def _latest_reading(field_name: str):
    return Subquery(
        IndicatorValue.objects.filter(indicator=OuterRef("pk"), **{f"{field_name}__isnull": False})
        .order_by("-checkin__created_at", "-pk")
        .values(field_name)[:1]
    )


def pairs_health(*, pairs, now: datetime.datetime | None = None) -> dict[int, PairHealth]:
    """Health of each pair (by id) in four queries, however many pairs there are."""
    now = now or timezone.now()
    pair_ids = [getattr(pair, "pk", pair) for pair in pairs]
    if not pair_ids:
        return {}

    contracts = {}
    for contract in Contract.objects.filter(
        pair_id__in=pair_ids, status=Contract.Status.SIGNED
    ).order_by("pair_id", "-version"):
        contracts.setdefault(contract.pair_id, contract)

    meetings = {
        row["pair_id"]: row
        for row in Meeting.objects.filter(pair_id__in=pair_ids, status=Meeting.Status.SCHEDULED)
        .values("pair_id")
        .annotate(first=Min("starts_at"), next=Min("starts_at", filter=Q(starts_at__gt=now)))
        .order_by()
    }
    last_checkins = dict(
        CheckIn.objects.filter(meeting__pair_id__in=pair_ids)
        .values("meeting__pair_id")
        .annotate(last=Max("created_at"))
        .order_by()
        .values_list("meeting__pair_id", "last")
    )
    indicators = defaultdict(list)
    for indicator in Indicator.objects.filter(
        goal__section__contract_id__in=[contract.pk for contract in contracts.values()]
    ).annotate(
        pair_id=F("goal__section__contract__pair_id"),
        latest_value=_latest_reading("value"),
        latest_met=_latest_reading("met"),
    ):
        indicators[indicator.pair_id].append(
            health.IndicatorState(
                kind=indicator.kind,
                due_on=indicator.due_on,
                target=indicator.target_value,
                latest_value=indicator.latest_value,
                latest_met=indicator.latest_met,
                description=indicator.description,
            )
        )

    result = {}
    for pair_id in pair_ids:
        contract = contracts.get(pair_id)
        row = meetings.get(pair_id, {})
        started_at = row.get("first")
        if started_at is None and contract is not None and contract.starts_on:
            started_at = datetime.datetime.combine(
                contract.starts_on, datetime.time(), datetime.UTC
            )
        assessment = health.assess(
            now=now,
            cadence=contract.cadence if contract else None,
            started_at=started_at,
            last_checkin_at=last_checkins.get(pair_id),
            indicators=indicators[pair_id],
        )
        result[pair_id] = PairHealth(
            assessment=assessment,
            contract=contract,
            last_checkin_at=last_checkins.get(pair_id),
            next_meeting_at=row.get("next"),
            started_at=started_at,
        )
    return result


@dataclass
class PairRow:
    pair: Pair
    health: PairHealth


def cohort_pairs_with_health(
    *, cohort: Cohort, now: datetime.datetime | None = None
) -> list[PairRow]:
    """The cohort's active pairs, at-risk first, then by their last check-in (oldest first)."""
    pairs = list(
        Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE)
        .prefetch_related(Prefetch("members", queryset=_members_with_users()))
        .order_by("pk")
    )
    healths = pairs_health(pairs=pairs, now=now)
    rows = [PairRow(pair, healths[pair.pk]) for pair in pairs]
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    rows.sort(
        key=lambda row: (
            health.ORDER[row.health.status],
            row.health.last_checkin_at or never,
            row.pair.pk,
        )
    )
    return rows
