"""How the isolation test (`tests/test_isolation.py`) reaches the matching routes.

Matching routes name a pair, a run or a partner request, which the World doesn't hold, so
`pair_in`, `run_in` and `request_in` make one in the World's cohort on demand. The World's pair
and request are between its coordinator and its enrolled member.
"""

from django.utils import timezone

from matching.models import MatchRun, Pair, PairMember, PartnerRequest
from tests.isolation import ENROLLED, ENROLLED_ACTION, PARTIES, PARTNERS, Route, once


def pair_in(world) -> Pair:
    """A proposal in the World's cohort between its coordinator and its enrolled member."""

    def make():
        pair = Pair.objects.create(organization=world.organization, cohort=world.cohort)
        for user in (world.coordinator, world.enrolled_member):
            PairMember.objects.create(pair=pair, user=user)
        return pair

    return once(world, "matching.pair", make)


def published_pair_in(world) -> Pair:
    """A pair awaiting answers between the World's coordinator and its enrolled member: its
    members can open its thread (a proposal's is hidden)."""

    def make():
        pair = Pair.objects.create(
            organization=world.organization,
            cohort=world.cohort,
            status=Pair.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        for user in (world.coordinator, world.enrolled_member):
            PairMember.objects.create(pair=pair, user=user)
        return pair

    return once(world, "matching.published_pair", make)


def published_pair_of(world) -> dict:
    return {"pair_id": published_pair_in(world).pk}


def run_in(world) -> MatchRun:
    return once(
        world,
        "matching.run",
        lambda: MatchRun.objects.create(
            organization=world.organization, cohort=world.cohort, status=MatchRun.Status.DONE
        ),
    )


def request_in(world) -> PartnerRequest:
    """A pending request from the World's enrolled member to its coordinator."""
    return once(
        world,
        "matching.request",
        lambda: PartnerRequest.objects.create(
            cohort=world.cohort, from_user=world.enrolled_member, to_user=world.coordinator
        ),
    )


def cohort_of(world) -> dict:
    return {"cohort_id": world.cohort.pk}


def pair_of(world) -> dict:
    return {"pair_id": pair_in(world).pk}


ROUTES = {
    "matching_cohort": Route(cohort_of, methods=("get",)),
    "matching_settings": Route(cohort_of, methods=("post",)),
    "matching_run_start": Route(cohort_of, methods=("post",)),
    "matching_run_status": Route(lambda w: {"run_id": run_in(w).pk}, methods=("get",)),
    "matching_pair_manual": Route(cohort_of),
    "matching_member_search": Route(cohort_of, methods=("get",)),
    "matching_publish": Route(cohort_of),
    "matching_wish": Route(cohort_of, methods=("post",)),
    "pair_lock": Route(pair_of, methods=("post",)),
    "pair_forbid": Route(pair_of),
    "my_partner": Route(cohort_of, methods=("get",), access=ENROLLED),
    "matching_suggestions": Route(cohort_of, methods=("get",), access=ENROLLED),
    "partner_request_create": Route(cohort_of, methods=("post",), access=ENROLLED_ACTION),
    "pair_respond": Route(pair_of, methods=("post",), access=PARTIES),
    "partner_request_answer": Route(
        lambda w: {"request_id": request_in(w).pk}, methods=("post",), access=PARTIES
    ),
    # The partners' thread: theirs alone, so coordinators who aren't partners get 403.
    "pair_conversation": Route(published_pair_of, methods=("get",), access=PARTNERS),
    "pair_message_send": Route(published_pair_of, methods=("post",), access=PARTNERS),
    "intro_call_propose": Route(published_pair_of, methods=("post",), access=PARTNERS),
    "intro_call_accept": Route(published_pair_of, methods=("post",), access=PARTNERS),
}
