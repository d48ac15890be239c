"""The pieces of the cross-organization isolation test (`tests/test_isolation.py`).

Every route under `/o/<org_slug>/` has an entry in one app's route table
(`tests/<app>/routes.py`), saying how to build its URL from a `World` (objects of one
organization) and which methods to try. The walker test fails when a route has no entry, so a
new view can't ship without these checks.

To add a route: add `"route_name": Route(...)` to its app's table. If its URL needs an object
the World doesn't hold (a pair, a contract, a meeting), make it on demand in that table's module
from the World's objects (see `tests/matching/routes.py`). `access` says who besides the
organization's coordinators may use the route.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

# Who may use a route, besides coordinators of the organization (who may use all of them
# unless the access level says otherwise).
MEMBERS = "members"  # any member of the organization
ENROLLED = "enrolled"  # members enrolled in the cohort the URL names
COORDINATORS = "coordinators"  # coordinators only: members get 403
PARTIES = "parties"  # only the people the object (a pair, a request) belongs to: others get 404
ENROLLED_ACTION = "enrolled_action"  # a POST for members enrolled in the cohort the URL names
# A pair's own pages (the World's coordinator is one of its partners, so it reaches them all):
PARTNERS = "partners"  # the partners only: other members 404, coordinators who aren't partners 403
VIEWERS = "viewers"  # the partners, and the organization's coordinators to read; others 404
PAIR_ONLY = "pair_only"  # the partners only: everyone else 404, coordinators included


@dataclass
class World:
    """One organization and one of each kind of object a route under it can name."""

    organization: object
    program: object
    cohort: object
    coordinator: object
    enrolled_member: object  # a member enrolled in `cohort`
    membership: object  # `enrolled_member`'s membership
    invitation: object  # a pending invitation to `cohort`
    # Objects the route tables make on demand, by key (see `once`).
    made: dict = field(default_factory=dict)


def once(world: World, key: str, make: Callable[[], object]):
    """The World's object called `key`, made on first use.

    Tables keep their objects here rather than finding them again by query, so that one
    table's pair or contract is never mistaken for another's within a test.
    """
    if key not in world.made:
        world.made[key] = make()
    return world.made[key]


@dataclass(frozen=True)
class Route:
    # The URL's arguments besides org_slug, built from a World; None when it has none.
    objects: Callable[[World], dict] | None = None
    # What to try. Views under @require_POST answer GET with 405 for everyone before any
    # access check (nothing leaks), so only POST is listed for them.
    methods: tuple[str, ...] = ("get", "post")
    access: str = COORDINATORS

    def kwargs(self, world: World) -> dict:
        return {
            "org_slug": world.organization.slug,
            **(self.objects(world) if self.objects else {}),
        }
