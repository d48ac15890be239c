"""Contracts and their terms: the pair's signed contract in force (`current_contract`), the
pair's meeting time zone (`pair_timezone`), a contract's meeting terms for the schedule
(`contract_terms`), the signed contracts whose meetings are still to be planned
(`contracts_needing_schedule`, for the periodic task) and the future meetings an earlier
version planned that an amendment may replace (`replaceable_meetings`).
"""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.dates import date_window
from accounts.lifecycle import statuses_allowing
from contracts.models import Contract
from matching.models import Pair
from profiles.models import Profile

from .. import schedule
from ..models import Meeting

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

    A contract without its own dates runs over its cohort's; dates outside the window of
    `accounts.dates` are brought inside it.
    """
    if contract.meeting_time is None:
        return None
    earliest, latest = date_window()
    # Clamped to the window every form enforces: older data may hold any date Python allows.
    starts_on = max(contract.starts_on or contract.cohort.starts_on, earliest)
    ends_on = min(contract.ends_on or contract.cohort.ends_on, latest)
    return schedule.Terms(
        cadence=contract.cadence,
        weekday=contract.meeting_weekday,
        time=contract.meeting_time,
        minutes=contract.meeting_minutes,
        timezone=pair_timezone(pair=contract.pair, contract=contract),
        starts_on=starts_on,
        ends_on=ends_on,
    )


def contracts_needing_schedule(*, now: datetime.datetime | None = None) -> QuerySet[Contract]:
    """Signed contracts of active pairs, in cohorts that allow meetings, with none planned yet
    or with untouched future meetings beyond the longest plan.

    For the periodic task that calls `services.meetings_ensure_scheduled` on each: a newly
    signed contract, or a newly signed amendment (its meetings are re-planned), whose signing
    could not plan them; or a contract that an older version of the scheduler filled with
    meetings up to a far-off end date (they are removed). Contracts whose end date has passed
    are left out.
    """
    now = now or timezone.now()
    planned = Meeting.objects.filter(contract=OuterRef("pk"), sequence__isnull=False)
    beyond_plan = Meeting.objects.filter(
        contract=OuterRef("pk"),
        sequence__gte=schedule.MAX_OCCURRENCES,
        starts_at__gt=now,
        status=Meeting.Status.SCHEDULED,
        origin=Meeting.Origin.SCHEDULE,
        updated_by__isnull=True,
    )
    return (
        Contract.objects.filter(status=Contract.Status.SIGNED, pair__status=Pair.Status.ACTIVE)
        .filter(cohort__status__in=statuses_allowing("schedule_meetings"))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=now.date()))
        .exclude(meeting_time__isnull=True)
        .filter(~Exists(planned) | Exists(beyond_plan))
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
