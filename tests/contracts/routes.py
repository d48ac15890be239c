"""How the isolation test (`tests/test_isolation.py`) reaches the contract routes.

Contract routes name a pair, a contract or a goal, which the World doesn't hold, so
`contract_pair_in`, `contract_in` and `goal_in` make them on demand: an active pair of the
World's coordinator and its enrolled member, its first draft, and a goal in the coordinator's
section. The POST-only partner actions (ready, reopen, withdraw, goal delete) are PARTNERS
routes like the partner pages.
"""

from contracts.models import Contract, ContractSection, Goal
from matching.models import Pair, PairMember
from tests.isolation import COORDINATORS, PARTNERS, VIEWERS, Route, once


def contract_pair_in(world) -> Pair:
    """An active pair of the World's coordinator and its enrolled member."""

    def make():
        pair = Pair.objects.create(
            organization=world.organization,
            cohort=world.cohort,
            status=Pair.Status.ACTIVE,
            origin=Pair.Origin.MANUAL,
        )
        for user in (world.coordinator, world.enrolled_member):
            PairMember.objects.create(pair=pair, user=user, response=PairMember.Response.ACCEPTED)
        return pair

    return once(world, "contracts.pair", make)


def contract_in(world) -> Contract:
    """The pair's first draft, written straight into the tables: building a URL must not add
    an audit entry."""

    def make():
        contract = Contract.objects.create(
            organization=world.organization,
            cohort=world.cohort,
            pair=contract_pair_in(world),
            version=1,
        )
        for user in (world.coordinator, world.enrolled_member):
            ContractSection.objects.create(contract=contract, user=user)
        return contract

    return once(world, "contracts.contract", make)


def goal_in(world) -> Goal:
    def make():
        section = contract_in(world).sections.get(user=world.coordinator)
        return Goal.objects.create(section=section, statement="Lead quarterly planning")

    return once(world, "contracts.goal", make)


def contract_of(world) -> dict:
    return {"contract_id": contract_in(world).pk}


def goal_of(world) -> dict:
    return {"contract_id": contract_in(world).pk, "goal_id": goal_in(world).pk}


ROUTES = {
    "pair_contract": Route(
        lambda w: {"pair_id": contract_pair_in(w).pk}, methods=("get", "post"), access=VIEWERS
    ),
    "contract_detail": Route(contract_of, methods=("get",), access=VIEWERS),
    "cohort_contracts": Route(
        lambda w: {"cohort_id": w.cohort.pk}, methods=("get",), access=COORDINATORS
    ),
    "contract_section_edit": Route(contract_of, access=PARTNERS),
    "contract_goal_add": Route(contract_of, access=PARTNERS),
    "contract_goal_edit": Route(goal_of, access=PARTNERS),
    "contract_goal_delete": Route(goal_of, methods=("post",), access=PARTNERS),
    "contract_terms_edit": Route(contract_of, access=PARTNERS),
    "contract_ready": Route(contract_of, methods=("post",), access=PARTNERS),
    "contract_reopen": Route(contract_of, methods=("post",), access=PARTNERS),
    "contract_sign": Route(contract_of, access=PARTNERS),
    "contract_withdraw": Route(contract_of, methods=("post",), access=PARTNERS),
    "contract_amend": Route(contract_of, access=PARTNERS),
}
