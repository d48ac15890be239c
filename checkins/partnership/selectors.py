"""Reads for ending, reviewing and renewing: the pair page's partnership section, the review
page, the contracts whose review date came, and the dashboard's counts (a fixed number of
queries each)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Cohort, User
from contracts.models import Contract, Goal
from matching.models import Pair

from ..models import GoalAchievement, Meeting, PartnershipEnding, PartnershipReview, ReviewChoice


def contract_in_force(*, pair: Pair) -> Contract | None:
    """The pair's newest signed version."""
    return (
        Contract.objects.filter(pair=pair, status=Contract.Status.SIGNED)
        .select_related("cohort")
        .order_by("-version")
        .first()
    )


def contracts_due_for_review(*, today: datetime.date) -> QuerySet[Contract]:
    """Signed contracts in force of active pairs whose review date came, without a decided
    review."""
    return (
        Contract.objects.filter(
            status=Contract.Status.SIGNED,
            pair__status=Pair.Status.ACTIVE,
            ends_on__isnull=False,
            ends_on__lte=today,
        )
        .exclude(review__outcome__in=PartnershipReview.Choice.values)
        .select_related("pair")
        .order_by("pk")
    )


def upcoming_meetings(*, pair: Pair, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """The pair's scheduled meetings ahead: the ones a wrap-up meeting can be chosen from."""
    return Meeting.objects.filter(
        pair=pair, status=Meeting.Status.SCHEDULED, starts_at__gt=now or timezone.now()
    ).order_by("starts_at")


@dataclass
class GoalItem:
    goal: Goal
    owner_id: int
    achievement: GoalAchievement | None


@dataclass
class PartnershipSection:
    """What the pair page's "Partnership" section shows."""

    pair: Pair
    is_partner: bool
    ending: PartnershipEnding | None = None
    review: PartnershipReview | None = None
    review_due: bool = False  # the review date came and nothing is decided yet
    goals: list[GoalItem] = field(default_factory=list)

    @property
    def achieved(self) -> list[GoalItem]:
        return [item for item in self.goals if item.achievement]

    @property
    def can_end(self) -> bool:
        return self.pair.status == Pair.Status.ACTIVE and self.ending is None


_LOOK_IT_UP = object()


def partnership_section(
    *,
    pair: Pair,
    user: User,
    is_partner: bool,
    today: datetime.date | None = None,
    contract: Contract | None = _LOOK_IT_UP,
) -> PartnershipSection:
    """In at most four queries (three when the caller gives the contract in force, or None).
    A coordinator sees the ending's reason; partners see their goals (with achievements) and
    whether their review is due."""
    today = today or timezone.localdate()
    section = PartnershipSection(pair=pair, is_partner=is_partner)
    section.ending = PartnershipEnding.objects.filter(pair=pair).select_related("ended_by").first()
    if contract is _LOOK_IT_UP:
        contract = contract_in_force(pair=pair)
    if contract is None:
        return section
    goals = Goal.objects.filter(section__contract=contract).select_related("section", "achievement")
    section.goals = [
        GoalItem(
            goal=goal,
            owner_id=goal.section.user_id,
            achievement=getattr(goal, "achievement", None),
        )
        for goal in goals.order_by("section__user_id", "position", "pk")
    ]
    section.review = PartnershipReview.objects.filter(contract=contract).first()
    section.review_due = (
        pair.status == Pair.Status.ACTIVE
        and contract.ends_on is not None
        and contract.ends_on <= today
        and not (section.review and section.review.outcome)
    )
    return section


@dataclass
class ReviewPage:
    pair: Pair
    contract: Contract | None
    review: PartnershipReview | None
    due: bool
    mine: str = ""  # my choice so far
    partner_choices: list[tuple[User, str]] = field(default_factory=list)
    continue_problem: str = ""
    renew_problem: str = ""
    next_cohort: Cohort | None = None


def review_page(*, pair: Pair, user: User, today: datetime.date | None = None) -> ReviewPage:
    from . import services

    today = today or timezone.localdate()
    contract = contract_in_force(pair=pair)
    due = bool(contract and contract.ends_on and contract.ends_on <= today)
    review = PartnershipReview.objects.filter(contract=contract).first() if contract else None
    page = ReviewPage(pair=pair, contract=contract, review=review, due=due)
    if review is not None:
        for choice in ReviewChoice.objects.filter(review=review).select_related("user"):
            if choice.user_id == user.pk:
                page.mine = choice.choice
            else:
                page.partner_choices.append((choice.user, choice.get_choice_display()))
    page.next_cohort = services.next_cohort(pair.cohort)
    page.continue_problem = services.continue_problem(pair.cohort)
    if contract is not None:
        try:
            services.renewal_dates(contract, today)
        except ValidationError as error:
            page.renew_problem = " ".join(error.messages)
    return page


@dataclass
class PartnershipCounts:
    """The dashboard's figures on how partnerships went, for one cohort."""

    ended_early: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)  # (label, count), most first
    ended_at_review: int = 0
    renewals: int = 0
    continuations: int = 0
    goals_achieved: int = 0


def cohort_partnership_counts(*, cohort: Cohort) -> PartnershipCounts:
    """In three queries, however many pairs."""
    counts = PartnershipCounts()
    labels = dict(PartnershipEnding.Reason.choices)
    for row in (
        PartnershipEnding.objects.filter(cohort=cohort)
        .values("kind", "reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "reason")
    ):
        if row["kind"] == PartnershipEnding.Kind.EARLY:
            counts.ended_early += row["n"]
            counts.reasons.append((str(labels[row["reason"]]), row["n"]))
        elif row["kind"] == PartnershipEnding.Kind.AT_REVIEW:
            counts.ended_at_review += row["n"]
    outcomes = PartnershipReview.objects.filter(cohort=cohort).aggregate(
        renewals=Count("pk", filter=Q(outcome=PartnershipReview.Choice.RENEW)),
        continuations=Count("pk", filter=Q(outcome=PartnershipReview.Choice.CONTINUE)),
    )
    counts.renewals = outcomes["renewals"]
    counts.continuations = outcomes["continuations"]
    counts.goals_achieved = GoalAchievement.objects.filter(cohort=cohort).count()
    return counts


def member_partnership_data(*, user: User) -> dict:
    """For the member's data export: the partnerships they ended (with the reason and note
    they gave), their choices at reviews, and the goals they marked achieved."""
    return {
        "ended_by_me": list(
            PartnershipEnding.objects.filter(ended_by=user)
            .order_by("ended_at")
            .values("pair_id", "cohort__name", "kind", "reason", "note", "ended_at")
        ),
        "review_choices": list(
            ReviewChoice.objects.filter(user=user)
            .order_by("chosen_at")
            .values("review__pair_id", "review__due_on", "choice", "chosen_at")
        ),
        "goals_achieved": list(
            GoalAchievement.objects.filter(marked_by=user)
            .order_by("achieved_on")
            .values("goal_id", "goal__statement", "achieved_on")
        ),
    }
