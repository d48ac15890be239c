"""The pair page: `pair_page` reads everything the page shows (`PairPage`): the partners, the
pair's health, its upcoming meetings and its past ones with each partner's check-in, and, on
the partners' own page only (`private=True`), the contract's agenda, the open next steps and
each goal with its latest rating and its indicators' readings and charts; for a coordinator
none of what partners write is loaded at all.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from accounts.models import User
from contracts.models import Contract, ContractSection, Goal, Indicator
from matching.models import Pair

from .. import charts, schedule
from ..models import CheckIn, GoalProgress, IndicatorValue, Meeting, NextStep
from .meetings import open_next_steps
from .pair_health import PairHealth, pairs_health
from .support import PairSupport, pair_support
from .terms import pair_timezone

# The pair page -----------------------------------------------------------------------------


@dataclass
class MeetingRow:
    meeting: Meeting
    # One entry per partner: (user, their check-in or None). The check-in objects carry the
    # private content only on the partners' page.
    checkins: list[tuple[User, CheckIn | None]]
    mine: CheckIn | None = None


@dataclass
class IndicatorRow:
    indicator: Indicator
    points: list[charts.Point]
    chart: str = ""


@dataclass
class GoalRow:
    goal: Goal
    owner: User
    latest_rating: int | None
    indicators: list[IndicatorRow] = field(default_factory=list)


@dataclass
class PairPage:
    pair: Pair
    partners: list[User]
    contract: Contract | None
    timezone: str
    health: PairHealth
    upcoming: list[Meeting]
    past: list[MeetingRow]
    next_meeting: Meeting | None
    private: bool
    today: datetime.date
    agenda: list[str] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    goals: list[GoalRow] = field(default_factory=list)
    support: PairSupport | None = None  # the partners' help ratings: on their own page only


def _visible_upcoming(meeting: Meeting) -> bool:
    # Meetings the schedule itself cancelled (replaced by an amendment) are noise; those a
    # partner cancelled stay listed so that the other partner sees what happened.
    return meeting.status == Meeting.Status.SCHEDULED or meeting.updated_by_id is not None


def pair_page(
    *, pair: Pair, user: User, private: bool, now: datetime.datetime | None = None
) -> PairPage:
    """Everything the pair page shows. With `private=False` (a coordinator), no check-in
    content, next steps, goals or indicator values are loaded at all."""
    now = now or timezone.now()
    partners = [member.user for member in pair.members.select_related("user")]
    pair_health = pairs_health(pairs=[pair], now=now)[pair.pk]
    contract = pair_health.contract
    if contract is not None:
        contract.pair = pair

    checkins = (
        CheckIn.objects.annotate(reply_count=Count("replies"))
        if private
        else CheckIn.objects.only("pk", "meeting_id", "user_id", "created_at")
    )
    meetings = list(
        Meeting.objects.filter(pair=pair).prefetch_related(
            Prefetch("checkins", queryset=checkins.order_by("pk"))
        )
    )
    upcoming = [m for m in meetings if m.starts_at > now and _visible_upcoming(m)]
    past = []
    for meeting in reversed([m for m in meetings if m.starts_at <= now]):
        by_user = {checkin.user_id: checkin for checkin in meeting.checkins.all()}
        past.append(
            MeetingRow(
                meeting=meeting,
                checkins=[(partner, by_user.get(partner.pk)) for partner in partners],
                mine=by_user.get(user.pk),
            )
        )
    zone_name = pair_timezone(pair=pair, contract=contract)
    page = PairPage(
        pair=pair,
        partners=partners,
        contract=contract,
        timezone=zone_name,
        today=schedule.local_today(zone_name, now),
        health=pair_health,
        upcoming=upcoming,
        past=past,
        next_meeting=next((m for m in upcoming if m.status == Meeting.Status.SCHEDULED), None),
        private=private,
    )
    if private:
        page.agenda = agenda_items(contract)
        page.next_steps = list(open_next_steps(pair=pair))
        page.goals = _goal_rows(contract=contract, partners=partners)
        page.support = pair_support(pair=pair, partners=partners)
    return page


def agenda_items(contract: Contract | None) -> list[str]:
    """The contract's agenda format, one item per line (numbering left to the list)."""
    if contract is None:
        return []
    items = []
    for line in str(contract.agenda).splitlines():
        line = line.strip()
        if not line:
            continue
        head, dot, rest = line.partition(". ")
        items.append(rest.strip() if dot and head.isdigit() else line.lstrip("-* "))
    return items


def _goal_rows(*, contract: Contract | None, partners: list[User]) -> list[GoalRow]:
    if contract is None:
        return []
    users = {partner.pk: partner for partner in partners}
    sections = ContractSection.objects.filter(contract=contract).select_related("user")
    sections = sections.prefetch_related(
        Prefetch("goals", queryset=Goal.objects.prefetch_related("indicators"))
    )
    goals = [(section, goal) for section in sections for goal in section.goals.all()]
    indicator_ids = [i.pk for _section, goal in goals for i in goal.indicators.all()]
    history = defaultdict(list)
    for value in (
        IndicatorValue.objects.filter(indicator_id__in=indicator_ids)
        .select_related("checkin__meeting")
        .order_by("checkin__meeting__starts_at", "checkin__created_at", "pk")
    ):
        history[value.indicator_id].append(
            charts.Point(
                when=value.checkin.meeting.starts_at.date(),
                value=value.value,
                met=value.met,
                note=value.note,
            )
        )
    ratings = {}
    for progress in (
        GoalProgress.objects.filter(goal__in=[goal for _section, goal in goals])
        .order_by("checkin__created_at", "pk")
        .values("goal_id", "rating")
    ):
        ratings[progress["goal_id"]] = progress["rating"]

    rows = []
    for section, goal in goals:
        row = GoalRow(
            goal=goal,
            owner=users.get(section.user_id) or section.user,
            latest_rating=ratings.get(goal.pk),
        )
        for indicator in goal.indicators.all():
            points = history[indicator.pk]
            row.indicators.append(
                IndicatorRow(
                    indicator=indicator,
                    points=points,
                    chart=charts.indicator_chart(
                        chart_id=f"indicator-{indicator.pk}",
                        description=indicator.description,
                        kind=indicator.kind,
                        target=indicator.target_value,
                        unit=indicator.unit,
                        due_on=indicator.due_on,
                        points=points,
                    ),
                )
            )
        rows.append(row)
    return rows
