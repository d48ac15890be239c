"""Demo matching: the demo cohort's pairs, published, with a few already accepted.

Called by `seed_demo` after the profiles are seeded. Idempotent: a cohort that already has
published (or answered) pairs is left as it is.
"""

from accounts.models import Cohort, User

from . import services
from .models import MatchRun, Pair

ACCEPTED_PAIRS = 8
HALF_ACCEPTED_PAIRS = 1


def seed_matching(*, cohort: Cohort, actor: User) -> MatchRun | None:
    """Run and publish the matching of `cohort` as `actor`, then have a few pairs accept.

    Returns the run, or None when the cohort already had published pairs. The first
    enrolled member's pair is left unanswered, so that logging in as them shows a proposal
    to accept or decline. No emails are sent.
    """
    if Pair.objects.filter(cohort=cohort).exclude(status=Pair.Status.PROPOSED).exists():
        return None
    run = services.matching_run_create(cohort=cohort, actor=actor)
    run = services.matching_run_execute(run=run)
    if run.status != MatchRun.Status.DONE:
        raise RuntimeError(f"The demo matching failed: {run.error}")
    if not Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED).exists():
        return run
    services.matching_publish(cohort=cohort, actor=actor, notify=False)
    first_member = cohort.enrolments.order_by("user__email").values_list("user_id", flat=True)
    first_member = first_member.first()
    pairs = (
        Pair.objects.filter(cohort=cohort, status=Pair.Status.PUBLISHED)
        .exclude(members__user_id=first_member)
        .prefetch_related("members__user")
        .order_by("-score", "pk")
    )
    for index, pair in enumerate(pairs[: ACCEPTED_PAIRS + HALF_ACCEPTED_PAIRS]):
        members = list(pair.members.all())
        answering = members if index < ACCEPTED_PAIRS else members[:1]
        for member in answering:
            services.pair_respond(pair=pair, user=member.user, accept=True, notify=False)
    run.refresh_from_db()
    return run
