"""How the isolation test reaches the partnership routes: ending, the review and achieved goals.

They use the check-ins table's pair (`pair_in`: the World's coordinator and enrolled member,
with a signed contract and a goal each). Ending is for the partners and the organization's
coordinators alike (VIEWERS); the review and the goals are the partners' own.
"""

from contracts.models import Goal
from tests.checkins.routes import pair_in
from tests.isolation import PARTNERS, VIEWERS, Route


def _goal(world) -> dict:
    pair = pair_in(world)
    goal = Goal.objects.filter(section__contract__pair=pair).order_by("pk").first()
    return {"pair_id": pair.pk, "goal_id": goal.pk}


ROUTES = {
    "partnership_end": Route(lambda w: {"pair_id": pair_in(w).pk}, access=VIEWERS),
    "partnership_review": Route(lambda w: {"pair_id": pair_in(w).pk}, access=PARTNERS),
    "goal_achieved": Route(_goal, methods=("post",), access=PARTNERS),
    "goal_achieved_undo": Route(_goal, methods=("post",), access=PARTNERS),
}
