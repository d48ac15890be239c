"""Reads for meetings, check-ins, pair health and calendar feeds.

Each selector owns its queries: list pages call them once for all their rows, so that the
number of queries does not grow with the rows.

Privacy: what partners write in a check-in (notes, what they learned or taught, blockers,
next steps, indicator values) stays between the partners. Selectors that serve coordinators
never load it: `pair_page(..., private=False)` leaves those parts out altogether.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.lifecycle import statuses_allowing
from accounts.models import Cohort, User
from contracts.models import Contract, ContractSection, Goal, Indicator
from matching.models import Pair, PairMember
from profiles.models import Profile

from . import charts, health, schedule
from .models import CalendarFeed, CheckIn, GoalProgress, IndicatorValue, Meeting, NextStep

# How far back a calendar feed goes: calendar apps keep what they already imported.
FEED_HISTORY = datetime.timedelta(days=365)


# Contracts and their terms ---------------------------------------------------------------


def current_contract(*, pair: Pair) -> Contract | None:
    """The pair's signed contract in force: the latest signed version."""
    return (
        Contract.objects.filter(pair=pair, status=Contract.Status.SIGNED)
        .select_related("cohort", "pair")
        .order_by("-version")
        .first()
    )


CURRENT = object()  # "the pair's current contract", looked up when needed


def pair_timezone(*, pair: Pair, contract=CURRENT) -> str:
    """The pair's meeting time zone: its contract's (by default its current contract); else
    the first partner's profile's; else UTC."""
    if contract is CURRENT:
        contract = current_contract(pair=pair)
    if contract is not None and contract.timezone:
        return schedule.zone(contract.timezone).key
    profile_zone = (
        Profile.objects.filter(
            organization_id=pair.organization_id, user__pair_memberships__pair=pair
        )
        .exclude(timezone="")
        .order_by("user__pair_memberships__pk")
        .values_list("timezone", flat=True)
        .first()
    )
    return schedule.zone(profile_zone).key


def contract_terms(*, contract: Contract) -> schedule.Terms | None:
    """The contract's meeting terms, or None when it names no meeting time.

    A contract without its own dates runs over its cohort's.
    """
    if contract.meeting_time is None:
        return None
    return schedule.Terms(
        cadence=contract.cadence,
        weekday=contract.meeting_weekday,
        time=contract.meeting_time,
        minutes=contract.meeting_minutes,
        timezone=pair_timezone(pair=contract.pair, contract=contract),
        starts_on=contract.starts_on or contract.cohort.starts_on,
        ends_on=contract.ends_on or contract.cohort.ends_on,
    )


def contracts_needing_schedule(*, now: datetime.datetime | None = None) -> QuerySet[Contract]:
    """Signed contracts of active pairs, in cohorts that allow meetings, with none planned yet.

    For the periodic task that calls `services.meetings_ensure_scheduled` on each: a newly
    signed contract, or a newly signed amendment (its meetings are re-planned). Contracts
    whose end date has passed are left out.
    """
    today = (now or timezone.now()).date()
    planned = Meeting.objects.filter(contract=OuterRef("pk"), sequence__isnull=False)
    return (
        Contract.objects.filter(status=Contract.Status.SIGNED, pair__status=Pair.Status.ACTIVE)
        .filter(cohort__status__in=statuses_allowing("schedule_meetings"))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exclude(meeting_time__isnull=True)
        .exclude(Exists(planned))
        .select_related("cohort", "pair", "organization")
        .order_by("pk")
    )


def replaceable_meetings(*, contract: Contract, now: datetime.datetime) -> QuerySet[Meeting]:
    """Future meetings planned from an earlier version that nobody has moved or cancelled."""
    return Meeting.objects.filter(
        Q(contract__isnull=True) | Q(contract__version__lt=contract.version),
        pair_id=contract.pair_id,
        origin=Meeting.Origin.SCHEDULE,
        status=Meeting.Status.SCHEDULED,
        updated_by__isnull=True,
        starts_at__gt=now,
    )


# People ------------------------------------------------------------------------------------


def pair_user_ids(*, pair: Pair) -> set[int]:
    return set(PairMember.objects.filter(pair=pair).values_list("user_id", flat=True))


def pair_partners(*, pair: Pair) -> list[User]:
    return [member.user for member in pair.members.select_related("user")]


# Meetings ----------------------------------------------------------------------------------


def _meetings():
    return Meeting.objects.select_related("pair", "organization", "cohort", "contract")


def user_feed_meetings(*, user: User, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """Every meeting of the user's pairs, in all organizations, for their calendar feed."""
    since = (now or timezone.now()) - FEED_HISTORY
    return (
        _meetings()
        .filter(pair__members__user=user, starts_at__gte=since)
        .exclude(pair__status__in=[Pair.Status.DECLINED, Pair.Status.PROPOSED])
        .prefetch_related(Prefetch("pair__members", queryset=_members_with_users()))
        .order_by("starts_at")
    )


def _members_with_users():
    return PairMember.objects.select_related("user")


def meeting_with_members(*, meeting_id: int) -> Meeting | None:
    return (
        _meetings()
        .prefetch_related(Prefetch("pair__members", queryset=_members_with_users()))
        .filter(pk=meeting_id)
        .first()
    )


def open_next_steps(*, pair: Pair) -> QuerySet[NextStep]:
    return NextStep.objects.filter(pair=pair, done_at__isnull=True).select_related("owner")


# Check-ins ---------------------------------------------------------------------------------


def user_goals(*, pair: Pair, user: User, contract: Contract | None) -> list[Goal]:
    """The user's goals in the contract, each with its indicators."""
    if contract is None:
        return []
    return list(
        Goal.objects.filter(section__contract=contract, section__user=user)
        .select_related("section")
        .prefetch_related("indicators")
    )


def checkin_of(*, meeting: Meeting, user: User) -> CheckIn | None:
    return (
        CheckIn.objects.filter(meeting=meeting, user=user)
        .prefetch_related("goal_progress", "indicator_values", "next_steps__owner")
        .first()
    )


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
        CheckIn.objects.all()
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


# Calendar feeds ----------------------------------------------------------------------------


def feed_for_token(*, token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token=token).first()


def feed_path(*, feed: CalendarFeed) -> str:
    return reverse("calendar_feed", kwargs={"token": feed.token})


# Forms' data -------------------------------------------------------------------------------


def health_counts(*, rows: list[PairRow]) -> dict[str, int]:
    counts = {status.value: 0 for status in health.Status}
    for row in rows:
        counts[row.health.status.value] += 1
    return counts


def meeting_form_initial(*, meeting: Meeting) -> dict:
    """The meeting's date and time in the pair's time zone, for the reschedule form."""
    tz = schedule.zone(pair_timezone(pair=meeting.pair))
    local = meeting.starts_at.astimezone(tz)
    return {
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        "note": meeting.note,
    }


@dataclass
class CheckInSetup:
    """What the check-in page needs: the meeting, the user's goals, the open next steps."""

    meeting: Meeting
    partners: QuerySet
    goals: list[Goal]
    open_steps: QuerySet
    today: datetime.date
    timezone: str
    checkin: CheckIn | None
    contract: Contract | None

    def form_kwargs(self) -> dict:
        return {
            "goals": self.goals,
            "partners": self.partners,
            "open_steps": self.open_steps,
            "today": self.today,
            "checkin": self.checkin,
        }


def checkin_setup(
    *, meeting: Meeting, user: User, now: datetime.datetime | None = None
) -> CheckInSetup:
    contract = current_contract(pair=meeting.pair)
    zone_name = pair_timezone(pair=meeting.pair, contract=contract)
    checkin = checkin_of(meeting=meeting, user=user)
    open_steps = open_next_steps(pair=meeting.pair)
    if checkin is not None:
        open_steps = open_steps.exclude(checkin=checkin)
    return CheckInSetup(
        meeting=meeting,
        partners=User.objects.filter(pair_memberships__pair=meeting.pair).order_by(
            "first_name", "last_name", "email"
        ),
        goals=user_goals(pair=meeting.pair, user=user, contract=contract),
        open_steps=open_steps,
        today=schedule.local_today(zone_name, now or timezone.now()),
        timezone=zone_name,
        checkin=checkin,
        contract=contract,
    )
