"""People, meetings, check-ins and calendar feeds: the partners of a pair, a user's meetings
for their calendar feed (going back `FEED_HISTORY`), a meeting with its partners, a pair's open
next steps, a user's goals in a contract and their check-in for a meeting, and a calendar feed
found by its token with the path of its URL.
"""

import datetime

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contracts.models import Contract, Goal
from matching.models import Pair, PairMember

from ..models import CalendarFeed, CheckIn, Meeting, NextStep
from .common import _members_with_users

# How far back a calendar feed goes: calendar apps keep what they already imported.
FEED_HISTORY = datetime.timedelta(days=365)


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


# Calendar feeds ----------------------------------------------------------------------------


def feed_for_token(*, token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token=token).first()


def feed_path(*, feed: CalendarFeed) -> str:
    return reverse("calendar_feed", kwargs={"token": feed.token})
