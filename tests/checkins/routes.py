"""How the isolation test (`tests/test_isolation.py`) reaches the meetings and check-in routes.

The routes name a pair or a meeting, which the World doesn't hold, so `pair_in(world)` makes
(once) an active pair of the World's coordinator and its enrolled member, with a signed
contract, a past meeting (to check in for) and a future one (to move, cancel or download).
The calendar routes are not under an organization (a feed holds all of a user's meetings);
`test_ics.py` covers them.
"""

import datetime

from django.utils import timezone

from checkins.models import CheckIn, Meeting
from matching.models import Pair
from tests.checkins.factories import active_pair, checkin, meeting_at, signed_contract
from tests.isolation import PAIR_ONLY, PARTNERS, VIEWERS, Route, once


def pair_in(world) -> Pair:
    def make():
        pair = active_pair(world.cohort, [world.coordinator, world.enrolled_member])
        contract = signed_contract(pair)
        now = timezone.now()
        world.made["checkins.past"] = meeting_at(
            pair, now - datetime.timedelta(days=2), contract=contract, note="past"
        )
        world.made["checkins.future"] = meeting_at(
            pair, now + datetime.timedelta(days=3), contract=contract, note="future"
        )
        return pair

    return once(world, "checkins.pair", make)


def past_meeting_in(world) -> Meeting:
    pair_in(world)
    return world.made["checkins.past"]


def future_meeting_in(world) -> Meeting:
    pair_in(world)
    return world.made["checkins.future"]


def checkin_in(world) -> CheckIn:
    """The enrolled member's check-in for the past meeting (its thread of replies)."""
    return once(
        world, "checkins.checkin", lambda: checkin(past_meeting_in(world), world.enrolled_member)
    )


# Views under @require_GET answer the other method with 405 for everyone, before any access
# check: only the method they accept is listed.
ROUTES = {
    "pair_detail": Route(lambda w: {"pair_id": pair_in(w).pk}, methods=("get",), access=VIEWERS),
    "meeting_add": Route(lambda w: {"pair_id": pair_in(w).pk}, access=PARTNERS),
    "meeting_record": Route(lambda w: {"pair_id": pair_in(w).pk}, access=PARTNERS),
    "meeting_reschedule": Route(lambda w: {"meeting_id": future_meeting_in(w).pk}, access=PARTNERS),
    "meeting_cancel": Route(lambda w: {"meeting_id": future_meeting_in(w).pk}, access=PARTNERS),
    "meeting_ics": Route(
        lambda w: {"meeting_id": future_meeting_in(w).pk}, methods=("get",), access=VIEWERS
    ),
    "checkin_create": Route(lambda w: {"meeting_id": past_meeting_in(w).pk}, access=PARTNERS),
    "checkin_replies": Route(lambda w: {"checkin_id": checkin_in(w).pk}, access=PAIR_ONLY),
    "cohort_pairs_health": Route(lambda w: {"cohort_id": w.cohort.pk}, methods=("get",)),
}
