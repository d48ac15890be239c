"""Demo meetings and check-ins for the demo cohort's pairs with a signed contract.

Called by `seed_demo` after the contracts are seeded. Every pair with a signed contract gets
its upcoming meetings from its cadence, and a few past meetings (the weeks before its
contract's start, as if the partners had already begun) so that the pair page has history:

* most pairs checked in after every past meeting, with indicator values that grow (on track);
* every third pair (the second, the fifth, …) stopped checking in after its first meeting
  (at risk);
* the last check-in of each pair leaves next steps for the next meeting's agenda.

Check-ins go through the same service a partner's form calls. No emails are sent. Idempotent:
a pair that already has past meetings is left as it is.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Cohort
from contracts.models import Contract, Indicator
from matching.models import Pair

from . import schedule, selectors, services
from .models import CheckIn, Meeting

# Past meetings per cadence: about the last five or six weeks.
PAST_MEETINGS = {"weekly": 5, "biweekly": 3, "monthly": 1}
STEP_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 28}
LEARNED = [
    "How to open a difficult conversation with a question instead of a verdict.",
    "A simple way to plan my week around two priorities.",
    "That my partner's industry solves the same hiring problem in a completely different way.",
]
TAUGHT = [
    "How I prepare a budget review in thirty minutes.",
    "My checklist for onboarding a new team member.",
    "How I give feedback in writing so it lands well.",
]


def _past_times(contract: Contract, now: datetime.datetime) -> list[datetime.datetime]:
    """The past meetings' start times: the contract's weekday and time, a cadence apart."""
    terms = selectors.contract_terms(contract=contract)
    if terms is None:
        return []
    tz = schedule.zone(terms.timezone)
    first = schedule.first_meeting_day(terms.starts_on, terms.weekday)
    step = STEP_DAYS[terms.cadence]
    times = []
    for index in range(PAST_MEETINGS[terms.cadence], 0, -1):
        day = first - datetime.timedelta(days=step * index)
        starts_at = schedule.to_utc(datetime.datetime.combine(day, terms.time), tz)
        if starts_at < now:
            times.append(starts_at)
    return times


def _readings(goals, index: int, total: int) -> list[services.IndicatorReading]:
    readings = []
    for goal in goals:
        for indicator in goal.indicators.all():
            if indicator.kind == Indicator.Kind.NUMBER:
                share = Decimal(index + 1) / Decimal(total + 2)
                value = (indicator.target_value * share).quantize(Decimal("1"))
                readings.append(services.IndicatorReading(indicator=indicator, value=value))
            else:
                met = index == total - 1 and goal.horizon == goal.Horizon.ONE_MONTH
                readings.append(services.IndicatorReading(indicator=indicator, met=met))
    return readings


HELP_EXAMPLES = [
    "We rehearsed my presentation twice and I knew where I lost people.",
    "A tip on how to say no to a meeting without offending anyone.",
    "My partner went through my budget sheet with me line by line.",
]


def _check_in(meeting, user, partners, contract, index, total, now) -> CheckIn:
    goals = selectors.user_goals(pair=meeting.pair, user=user, contract=contract)
    last = index == total - 1
    steps = []
    if last:
        steps = [
            services.NextStepInput(
                description=f"Send {partner.first_name or partner.display_name} the draft "
                "we discussed",
                owner=user,
                due_on=now.date() + datetime.timedelta(days=5),
            )
            for partner in partners
            if partner.pk != user.pk
        ]
    checkin = services.checkin_create(
        meeting=meeting,
        user=user,
        time_effectiveness=min(5, 3 + index),
        confidence=min(5, 2 + index),
        help_rating=min(5, 3 + (index + user.pk) % 3),
        help_example=HELP_EXAMPLES[(index + user.pk) % len(HELP_EXAMPLES)],
        learned=LEARNED[index % len(LEARNED)],
        taught=TAUGHT[index % len(TAUGHT)],
        blockers="" if index else "Finding the time between two deadlines.",
        goals=[services.GoalRating(goal=goal, rating=min(5, 2 + index)) for goal in goals],
        indicators=_readings(goals, index, total),
        next_steps=steps,
        now=now,
    )
    # Logged an hour after the meeting ended, as a partner would have.
    CheckIn.objects.filter(pk=checkin.pk).update(
        created_at=meeting.ends_at + datetime.timedelta(hours=1)
    )
    return checkin


@transaction.atomic
def seed_meetings_and_checkins(*, cohort: Cohort) -> int:
    """Schedule and backfill the cohort's meetings; returns how many past meetings were made."""
    now = timezone.now()
    made = 0
    pairs = Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE).order_by("pk")
    signed = [(pair, selectors.current_contract(pair=pair)) for pair in pairs]
    signed = [(pair, contract) for pair, contract in signed if contract is not None]
    for number, (pair, contract) in enumerate(signed):
        services.meetings_ensure_scheduled(contract=contract, now=now)
        if Meeting.objects.filter(pair=pair, starts_at__lte=now).exists():
            continue
        partners = selectors.pair_partners(pair=pair)
        times = _past_times(contract, now)
        length = datetime.timedelta(minutes=contract.meeting_minutes)
        at_risk = number % 3 == 1
        for index, starts_at in enumerate(times):
            meeting = Meeting.objects.create(
                organization=pair.organization,
                cohort=pair.cohort,
                pair=pair,
                contract=contract,
                starts_at=starts_at,
                ends_at=starts_at + length,
                origin=Meeting.Origin.MANUAL,
            )
            made += 1
            if at_risk and index > 0:
                continue
            for user in partners:
                _check_in(meeting, user, partners, contract, index, len(times), now)
    return made
