"""The cohort's funnel: its six steps, their labels, and how many people reached each one.

The steps are defined in the package docstring (`checkins.oversight.dashboard`). `_member_progress`
annotates each enrolment with how far its member got (one query, however many members),
`cohort_funnel` counts the people at each step, and the conditions `REACHED` and `STUCK` (on
those annotations) are shared with the lists of people stuck at a step (`stuck`).
"""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Value
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from accounts.models import Cohort, Enrolment, Invitation
from contracts.models import Contract
from matching.models import Pair, PairMember
from profiles.models import Profile

from ... import charts, health, selectors
from .common import _not_enrolled, percent

INVITED = "invited"
JOINED = "joined"
PROFILE_COMPLETE = "profile_complete"
MATCHED = "matched"
CONTRACT_SIGNED = "contract_signed"
MEETING_REGULARLY = "meeting_regularly"
STEPS = (INVITED, JOINED, PROFILE_COMPLETE, MATCHED, CONTRACT_SIGNED, MEETING_REGULARLY)

STEP_LABELS = {
    INVITED: gettext_lazy("Invited"),
    JOINED: gettext_lazy("Joined"),
    PROFILE_COMPLETE: gettext_lazy("Profile complete"),
    MATCHED: gettext_lazy("Matched"),
    CONTRACT_SIGNED: gettext_lazy("Contract signed"),
    MEETING_REGULARLY: gettext_lazy("Meeting regularly"),
}
STEP_HELP = {
    INVITED: gettext_lazy(
        "Everyone invited to the cohort or enrolled in it (open invitations, pending or "
        "expired, count until they are accepted or revoked)."
    ),
    JOINED: gettext_lazy("Enrolled in the cohort: accepted an invitation or imported."),
    PROFILE_COMPLETE: gettext_lazy(
        "Joined, with at least one offer, one need, a language and a time zone."
    ),
    MATCHED: gettext_lazy("Profile complete, and in an active pair (every partner accepted)."),
    CONTRACT_SIGNED: gettext_lazy("Matched, and the pair's contract is signed."),
    MEETING_REGULARLY: gettext_lazy(
        "Contract signed, and the pair is on track or logged a check-in within its cadence "
        "(7, 14 or 31 days)."
    ),
}
# The heading of the list of people stuck at a step: reached it, not the next one.
STUCK_LABELS = {
    INVITED: gettext_lazy("Invited, not joined yet"),
    JOINED: gettext_lazy("Joined, profile not complete"),
    PROFILE_COMPLETE: gettext_lazy("Profile complete, not in an active pair"),
    MATCHED: gettext_lazy("Matched, no signed contract"),
    CONTRACT_SIGNED: gettext_lazy("Contract signed, not meeting regularly"),
    MEETING_REGULARLY: gettext_lazy("Meeting regularly"),
}

# What each step adds to the one before, on the rows of `_member_progress`.
COMPLETE = Q(is_complete=True)
MATCHED_Q = COMPLETE & Q(in_active_pair=True)
SIGNED_Q = MATCHED_Q & Q(has_signed_contract=True)
MEETING_Q = SIGNED_Q & Q(meets_regularly=True)
REACHED = {
    JOINED: Q(),
    PROFILE_COMPLETE: COMPLETE,
    MATCHED: MATCHED_Q,
    CONTRACT_SIGNED: SIGNED_Q,
    MEETING_REGULARLY: MEETING_Q,
}
STUCK = {
    JOINED: ~COMPLETE,
    PROFILE_COMPLETE: COMPLETE & Q(in_active_pair=False),
    MATCHED: MATCHED_Q & Q(has_signed_contract=False),
    CONTRACT_SIGNED: SIGNED_Q & Q(meets_regularly=False),
    MEETING_REGULARLY: MEETING_Q,
}
# Steps whose people are members (they can get a message): all but the invitations.
MEMBER_STEPS = STEPS[1:]
NEEDS_HEALTH = (CONTRACT_SIGNED, MEETING_REGULARLY)


@dataclass(frozen=True)
class FunnelStep:
    key: str
    count: int
    percent: int | None  # of the invited
    of_previous: int | None  # of the step before (None for the first)
    stuck: int  # reached this step, not the next

    @property
    def label(self) -> str:
        return STEP_LABELS[self.key]

    @property
    def help(self) -> str:
        return STEP_HELP[self.key]

    @property
    def stuck_label(self) -> str:
        return STUCK_LABELS[self.key]

    @property
    def meter(self) -> SafeString:
        return charts.meter(percent=self.percent)


def meets_regularly(pair_health: selectors.PairHealth, now: datetime.datetime) -> bool:
    """On track, or a check-in within one cadence period of the pair's contract."""
    contract = pair_health.contract
    if contract is None:
        return False
    if pair_health.status == health.Status.ON_TRACK:
        return True
    period = datetime.timedelta(days=health.FIRST_PERIOD_DAYS[contract.cadence])
    last = pair_health.last_checkin_at
    return last is not None and now - last <= period


def _users_in(pair_members: QuerySet[PairMember]) -> ExpressionWrapper:
    """True for the enrolments whose user is among `pair_members`' users.

    An uncorrelated `user_id IN (SELECT …)`: the database reads the list once per query. (A
    per-member `EXISTS` joined to the cohort's pairs made SQLite walk all of them for every
    member: seconds on a 2,000-member cohort.)
    """
    return ExpressionWrapper(
        Q(user_id__in=pair_members.values("user_id")), output_field=BooleanField()
    )


def _active_members(cohort: Cohort) -> QuerySet[PairMember]:
    return PairMember.objects.filter(pair__cohort=cohort, pair__status=Pair.Status.ACTIVE)


def _member_progress(
    *, cohort: Cohort, regular_pair_ids: list[int] | None = None
) -> QuerySet[Enrolment]:
    """The cohort's enrolments (with their users, in name order) annotated with how far each
    member got: is_complete (`Profile.objects.complete()`, the rule matching uses),
    in_active_pair, has_signed_contract and, when `regular_pair_ids` is given, meets_regularly.

    Each flag is an uncorrelated `user_id IN (…)`, read once per query: one query, however
    many members.
    """
    active = _active_members(cohort)
    complete = Profile.objects.for_organization(cohort.organization_id).complete()
    rows = (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("user")
        .annotate(
            is_complete=_users_in(complete),
            in_active_pair=_users_in(active),
            has_signed_contract=_users_in(
                active.filter(pair__contracts__status=Contract.Status.SIGNED)
            ),
        )
        .order_by("user__last_name", "user__first_name", "user__email", "pk")
    )
    if regular_pair_ids is not None:
        rows = rows.annotate(
            # The ids are the cohort's active pairs already: no join to the pairs needed.
            meets_regularly=_users_in(PairMember.objects.filter(pair_id__in=regular_pair_ids))
            if regular_pair_ids
            else Value(False, output_field=BooleanField())
        )
    return rows


def _open_invitations(cohort: Cohort) -> QuerySet[Invitation]:
    """Open invitations (pending or expired) to addresses nobody enrolled in the cohort has."""
    return (
        _not_enrolled(Invitation.objects.filter(cohort=cohort).pending())
        .select_related("invited_by")
        .order_by("email_lower", "pk")
    )


def _regular_pair_ids(healths: dict, now: datetime.datetime) -> list[int]:
    return sorted(pk for pk, row in healths.items() if meets_regularly(row, now))


def _active_pair_ids(cohort: Cohort) -> list[int]:
    return list(
        Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def cohort_funnel(
    *, cohort: Cohort, healths: dict | None = None, now: datetime.datetime | None = None
) -> list[FunnelStep]:
    """The six steps with their counts and percentages (see the package docstring).

    Two aggregate queries, plus `pairs_health` when `healths` (of the cohort's active pairs) is
    not given.
    """
    now = now or timezone.now()
    if healths is None:
        healths = selectors.pairs_health(pairs=_active_pair_ids(cohort), now=now)
    counts = _member_progress(
        cohort=cohort, regular_pair_ids=_regular_pair_ids(healths, now)
    ).aggregate(**{step: Count("pk", filter=REACHED[step] or None) for step in MEMBER_STEPS})
    counts[INVITED] = counts[JOINED] + _open_invitations(cohort).count()
    invited = counts[INVITED]
    funnel = []
    for index, step in enumerate(STEPS):
        following = counts[STEPS[index + 1]] if index + 1 < len(STEPS) else 0
        previous = counts[STEPS[index - 1]] if index else None
        funnel.append(
            FunnelStep(
                key=step,
                count=counts[step],
                percent=percent(counts[step], invited),
                of_previous=None if previous is None else percent(counts[step], previous),
                stuck=counts[step] - following,
            )
        )
    return funnel
