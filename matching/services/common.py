"""Helpers shared by the services' submodules: locking the cohort, and making or ending pairs.

`_lock_cohort` takes the cohort's row lock (and refuses what its state does not allow) before
any service that creates, publishes or answers pairs; `_locked_pair` then locks one pair's row.
`_in_current_pair` says which members already have a partner in the cohort, `_forbid` makes
sure members are never proposed to each other again, and `_create_pair` makes a pair with the
engine's score and explanation (for a pair made by hand or by an accepted partner request).
"""

from collections.abc import Sequence
from itertools import combinations

from django.utils import timezone

from accounts.lifecycle import cohort_lock_allowing
from accounts.models import Cohort, User

from .. import engine, limits, selectors
from ..models import Pair, PairMember, PairRule
from ..wording import current_wording


def _lock_cohort(cohort: Cohort | int, action: str) -> Cohort:
    """Lock the cohort first (see accounts.lifecycle) and refuse unless its state allows it."""
    return cohort_lock_allowing(cohort=cohort, action=action)


def _in_current_pair(cohort: Cohort, user_ids) -> set[int]:
    return set(
        PairMember.objects.filter(
            pair__cohort=cohort, pair__status__in=selectors.CURRENT_STATUSES, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )


def _forbid(*, cohort: Cohort, user_ids, actor: User | None, reason: str) -> None:
    for first, second in combinations(sorted(user_ids), 2):
        rule, _created = PairRule.objects.get_or_create(
            cohort=cohort,
            user_a_id=first,
            user_b_id=second,
            defaults={"kind": PairRule.Kind.FORBID, "created_by": actor, "reason": reason[:200]},
        )
        if rule.kind != PairRule.Kind.FORBID:  # a wish not kept becomes a pair never made
            rule.kind = PairRule.Kind.FORBID
            rule.save(update_fields=["kind"])


def _create_pair(
    *,
    cohort: Cohort,
    users: Sequence[User],
    origin: str,
    status: str = Pair.Status.PROPOSED,
    locked: bool = False,
    response: str = PairMember.Response.PENDING,
) -> Pair:
    """A pair of `users` with the engine's score and explanation, whatever the rules say."""
    data = selectors.members_input(cohort=cohort, users=list(users))
    result = selectors.group_result(data, [user.pk for user in users])
    now = timezone.now()
    active = status == Pair.Status.ACTIVE
    pair = Pair.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        status=status,
        origin=origin,
        score=result.score,
        explanation=engine.explain(result, data.names, data.tag_names, current_wording())[
            : limits.EXPLANATION_MAX
        ],
        locked=locked,
        published_at=now if active else None,
        activated_at=now if active else None,
    )
    PairMember.objects.bulk_create(
        PairMember(pair=pair, user=user, response=response, responded_at=now if active else None)
        for user in users
    )
    return pair


def _locked_pair(pair: Pair) -> Pair:
    return Pair.objects.select_for_update().select_related("cohort", "organization").get(pk=pair.pk)
