"""Builders for meetings and check-ins tests, straight from the models.

`signed_pair(cohort, member, partner)` gives an active pair with a signed contract (weekly,
Tuesday 09:00 Copenhagen by default): a section per partner, each with one goal, a number
indicator and a yes/no indicator. Nothing goes through the contracts services, so these tests
don't depend on how signing works.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import Cohort
from checkins.models import CheckIn, GoalProgress, IndicatorValue, Meeting, NextStep
from contracts.models import Contract, ContractSection, Goal, Indicator
from matching.models import Pair, PairMember

COPENHAGEN = "Europe/Copenhagen"


def active_pair(cohort, users) -> Pair:
    pair = Pair.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        status=Pair.Status.ACTIVE,
        origin=Pair.Origin.MANUAL,
        published_at=timezone.now(),
        activated_at=timezone.now(),
    )
    for user in users:
        PairMember.objects.create(pair=pair, user=user, response=PairMember.Response.ACCEPTED)
    return pair


def signed_contract(
    pair,
    *,
    cadence=Contract.Cadence.WEEKLY,
    weekday=Contract.Weekday.TUESDAY,
    time=datetime.time(9, 0),
    timezone_name=COPENHAGEN,
    starts_on=None,
    ends_on=None,
    minutes=60,
    version=1,
    previous=None,
    goals=True,
    agenda=None,
    status=Contract.Status.SIGNED,
) -> Contract:
    today = timezone.now().date()
    starts_on = starts_on or today
    fields = {"agenda": agenda} if agenda is not None else {}
    contract = Contract.objects.create(
        organization=pair.organization,
        cohort=pair.cohort,
        pair=pair,
        version=version,
        previous=previous,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on or starts_on + datetime.timedelta(days=90),
        cadence=cadence,
        meeting_minutes=minutes,
        meeting_weekday=weekday,
        meeting_time=time,
        timezone=timezone_name,
        signed_at=timezone.now() if status == Contract.Status.SIGNED else None,
        **fields,
    )
    if goals:
        for index, member in enumerate(pair.members.select_related("user")):
            give_goal(contract, member.user, f"Goal {index + 1} of {member.user.first_name}")
    return contract


def give_goal(
    contract,
    user,
    statement,
    *,
    target=Decimal("10"),
    unit="sessions",
    due_on=None,
    yes_no_due_on=None,
) -> Goal:
    section, _created = ContractSection.objects.get_or_create(contract=contract, user=user)
    goal = Goal.objects.create(section=section, statement=statement)
    Indicator.objects.create(
        goal=goal,
        description=f"{user.first_name}'s sessions",
        kind=Indicator.Kind.NUMBER,
        target_value=target,
        unit=unit,
        due_on=due_on or contract.ends_on,
        position=0,
    )
    Indicator.objects.create(
        goal=goal,
        description=f"{user.first_name}'s manager agrees",
        kind=Indicator.Kind.YES_NO,
        due_on=yes_no_due_on or contract.ends_on,
        position=1,
    )
    return goal


@dataclass
class SignedPair:
    pair: Pair
    contract: Contract
    member: object
    partner: object

    def goal_of(self, user) -> Goal:
        return Goal.objects.get(section__contract=self.contract, section__user=user)

    def indicator_of(self, user, kind=Indicator.Kind.NUMBER) -> Indicator:
        return Indicator.objects.get(
            goal__section__contract=self.contract, goal__section__user=user, kind=kind
        )


def signed_pair(cohort, member, partner, **contract) -> SignedPair:
    pair = active_pair(cohort, [member, partner])
    return SignedPair(pair, signed_contract(pair, **contract), member, partner)


def meeting_at(pair, starts_at, *, minutes=60, contract=None, **fields) -> Meeting:
    fields.setdefault("origin", Meeting.Origin.MANUAL)
    return Meeting.objects.create(
        organization=pair.organization,
        cohort=pair.cohort,
        pair=pair,
        contract=contract,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        **fields,
    )


def past_meeting(pair, *, days_ago=2, **fields) -> Meeting:
    return meeting_at(pair, timezone.now() - datetime.timedelta(days=days_ago), **fields)


def future_meeting(pair, *, days_ahead=3, **fields) -> Meeting:
    return meeting_at(pair, timezone.now() + datetime.timedelta(days=days_ahead), **fields)


def checkin(meeting, user, *, created_at=None, **fields) -> CheckIn:
    fields.setdefault("time_effectiveness", 4)
    fields.setdefault("confidence", 3)
    row = CheckIn.objects.create(meeting=meeting, user=user, **fields)
    if created_at is not None:
        CheckIn.objects.filter(pk=row.pk).update(created_at=created_at)
        row.refresh_from_db()
    return row


def log_value(row: CheckIn, indicator, *, value=None, met=None, note="") -> IndicatorValue:
    return IndicatorValue.objects.create(
        checkin=row, indicator=indicator, value=value, met=met, note=note
    )


def rate_goal(row: CheckIn, goal, rating=3, note="") -> GoalProgress:
    return GoalProgress.objects.create(checkin=row, goal=goal, rating=rating, note=note)


def next_step(row: CheckIn, owner, description="Send the draft", *, due_in_days=7) -> NextStep:
    return NextStep.objects.create(
        pair=row.meeting.pair,
        checkin=row,
        owner=owner,
        description=description,
        due_on=timezone.now().date() + datetime.timedelta(days=due_in_days),
    )


def checkin_post(goals=(), indicators=None, steps=(), done=(), **main) -> dict:
    """POST data for the check-in form. `indicators` maps an indicator to its raw input."""
    data = {
        "learned": "",
        "taught": "",
        "blockers": "",
        "time_effectiveness": "4",
        "confidence": "3",
        "help_rating": "4",
        "help_example": "Walked me through the budget sheet.",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "10",
    }
    data.update({key: str(value) for key, value in main.items()})
    for goal, rating in goals:
        data[f"goal-{goal.pk}-rating"] = str(rating)
        data[f"goal-{goal.pk}-note"] = ""
    for indicator, raw in (indicators or {}).items():
        key = "met" if indicator.kind == Indicator.Kind.YES_NO else "value"
        data[f"indicator-{indicator.pk}-{key}"] = raw
        data[f"indicator-{indicator.pk}-note"] = ""
    for index, (description, owner, due_on) in enumerate(steps):
        data[f"steps-{index}-description"] = description
        data[f"steps-{index}-owner"] = str(owner.pk) if owner else ""
        data[f"steps-{index}-due_on"] = due_on.isoformat() if due_on else ""
    if done:
        data["open-done"] = [str(step.pk) for step in done]
    return data


def in_state(cohort, status):
    """Put the cohort in `status` directly (the lifecycle's checks are tested on their own)."""
    Cohort.objects.filter(pk=cohort.pk).update(status=status)
    cohort.refresh_from_db()
    return cohort
