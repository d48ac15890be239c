"""Organization isolation: every route under /o/<org_slug>/ is closed to everyone else.

The URL resolver is walked for every route whose pattern contains `<slug:org_slug>`. Each must
have an entry in ROUTES, saying how to build its URL from a `World` (objects of one
organization) and which methods to try; the walker test fails when a route is missing, so a new
view can't ship without these checks.

To add a route: add `"route_name": Route(...)` to ROUTES. If its URL needs an object the World
doesn't have yet (a pair, a contract, a meeting), create it in `build_world` and name it in
`World`, for both organizations. Routes inside a namespaced include are named
`namespace:name`. `access` says who besides the organization's coordinators may use the route.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AuditEvent, Cohort, Invitation, Membership, Program
from tests.factories import EnrolmentFactory, InvitationFactory, MembershipFactory

# Matches `<slug:org_slug>` and also `<str:org_slug>` or a regex's `(?P<org_slug>...)`, so a
# route can't escape the table by spelling its converter differently.
ORG_SLUG = "org_slug>"

# Who may use a route, besides coordinators of the organization (who may use all of them).
MEMBERS = "members"  # any member of the organization
ENROLLED = "enrolled"  # members enrolled in the cohort the URL names
COORDINATORS = "coordinators"  # coordinators only: members get 403


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


@dataclass(frozen=True)
class Route:
    # The URL's arguments besides org_slug, built from a World; None when it has none.
    objects: Callable[[World], dict] | None = None
    methods: tuple[str, ...] = ("get", "post")
    access: str = COORDINATORS

    def kwargs(self, world: World) -> dict:
        return {
            "org_slug": world.organization.slug,
            **(self.objects(world) if self.objects else {}),
        }


# methods: what to try. Views under @require_POST answer GET with 405 for everyone (no access
# check runs, so nothing leaks); only POST is listed for them.
ROUTES = {
    # accounts
    "organization_detail": Route(access=MEMBERS),
    "organization_members": Route(),
    "membership_role": Route(lambda w: {"membership_id": w.membership.pk}, methods=("post",)),
    "program_create": Route(),
    "program_detail": Route(lambda w: {"program_id": w.program.pk}),
    "program_edit": Route(lambda w: {"program_id": w.program.pk}),
    "cohort_create": Route(lambda w: {"program_id": w.program.pk}),
    "cohort_detail": Route(lambda w: {"cohort_id": w.cohort.pk}, access=ENROLLED),
    "cohort_edit": Route(lambda w: {"cohort_id": w.cohort.pk}),
    "cohort_invite": Route(lambda w: {"cohort_id": w.cohort.pk}),
    "invitation_resend": Route(lambda w: {"invitation_id": w.invitation.pk}, methods=("post",)),
    "invitation_revoke": Route(lambda w: {"invitation_id": w.invitation.pk}),
}

CASES = [(name, method) for name, route in ROUTES.items() for method in route.methods]


def organization_routes(resolver=None, prefix="", namespace=""):
    """(name, full pattern) of every route whose pattern holds the organization slug."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += organization_routes(entry, pattern, inner)
        elif isinstance(entry, URLPattern) and ORG_SLUG in pattern:
            found.append((f"{namespace}{entry.name}" if entry.name else pattern, pattern))
    return found


def build_world(organization, program, cohort, coordinator, enrolled_member=None) -> World:
    enrolled_member = enrolled_member or EnrolmentFactory(cohort=cohort).user
    return World(
        organization=organization,
        program=program,
        cohort=cohort,
        coordinator=coordinator,
        enrolled_member=enrolled_member,
        membership=Membership.objects.get(organization=organization, user=enrolled_member),
        invitation=InvitationFactory(cohort=cohort),
    )


@pytest.fixture
def world(organization, program, cohort, coordinator, member):
    return build_world(organization, program, cohort, coordinator, member)


@pytest.fixture
def other_world(other_organization, other_program, other_cohort, outsider):
    return build_world(other_organization, other_program, other_cohort, outsider)


def route_url(name, world, *, org_slug=None):
    kwargs = ROUTES[name].kwargs(world)
    if org_slug:
        kwargs["org_slug"] = org_slug
    return reverse(name, kwargs=kwargs)


def cases(where=lambda route: True):
    """(name, method) pairs of the routes in ROUTES that satisfy `where`, with readable ids."""
    selected = [(name, method) for name, method in CASES if where(ROUTES[name])]
    return pytest.mark.parametrize(
        ("name", "method"), selected, ids=[f"{name}-{method}" for name, method in selected]
    )


def request(client, method, url):
    return getattr(client, method)(url)


# The table is complete -----------------------------------------------------------------------


def test_walker_finds_the_organization_routes():
    names = {name for name, _pattern in organization_routes()}

    assert {"organization_detail", "cohort_detail", "invitation_revoke"} <= names
    assert "home" not in names and "invitation_accept" not in names


def test_every_route_under_an_organization_is_in_the_isolation_table():
    missing = sorted(
        f"{name} ({pattern})" for name, pattern in organization_routes() if name not in ROUTES
    )

    assert not missing, (
        "Routes under an organization without isolation checks; add them to ROUTES in "
        f"{__name__}: {', '.join(missing)}"
    )


def test_every_route_in_the_isolation_table_exists():
    names = {name for name, _pattern in organization_routes()}

    assert sorted(set(ROUTES) - names) == []


# The rules -----------------------------------------------------------------------------------


@cases()
def test_coordinator_reaches_the_route(client_for, world, name, method):
    """The table builds real URLs: otherwise the 404s below would prove nothing."""
    response = request(client_for(world.coordinator), method, route_url(name, world))

    assert response.status_code in (200, 302), response.status_code


@cases()
def test_coordinator_of_another_organization_gets_404(client_for, world, outsider, name, method):
    response = request(client_for(outsider), method, route_url(name, world))

    assert response.status_code == 404


@cases()
def test_anonymous_visitor_is_sent_to_login(client, world, name, method):
    response = request(client, method, route_url(name, world))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


@cases(lambda route: route.access == COORDINATORS)
def test_member_gets_403_on_coordinator_routes(client_for, world, name, method):
    response = request(client_for(world.enrolled_member), method, route_url(name, world))

    assert response.status_code == 403


@pytest.mark.parametrize(
    "name", [name for name, route in ROUTES.items() if route.access in (MEMBERS, ENROLLED)]
)
def test_member_reaches_the_routes_open_to_members(client_for, world, name):
    response = client_for(world.enrolled_member).get(route_url(name, world))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "name", [name for name, route in ROUTES.items() if route.access == ENROLLED]
)
def test_member_not_enrolled_gets_404_on_routes_for_enrolled_members(client_for, world, name):
    unenrolled = MembershipFactory(organization=world.organization).user

    response = client_for(unenrolled).get(route_url(name, world))

    assert response.status_code == 404


@cases(lambda route: route.objects is not None)
def test_another_organizations_ids_under_ones_own_slug_give_404(
    client_for, world, other_world, name, method
):
    url = route_url(name, other_world, org_slug=world.organization.slug)

    response = request(client_for(world.coordinator), method, url)

    assert response.status_code == 404


@cases(lambda route: route.objects is not None)
def test_a_coordinator_of_both_organizations_still_gets_404_for_mixed_urls(
    client_for, world, other_world, name, method
):
    """Being allowed into both organizations doesn't let one's URL reach the other's rows."""
    MembershipFactory(
        organization=other_world.organization,
        user=world.coordinator,
        role=Membership.Role.COORDINATOR,
    )
    url = route_url(name, other_world, org_slug=world.organization.slug)

    response = request(client_for(world.coordinator), method, url)

    assert response.status_code == 404


def test_outsider_requests_change_nothing(client_for, world, outsider):
    """After every method on every route, the organization's rows are as they were."""

    def state():
        return (
            list(Program.objects.values()),
            list(Cohort.objects.values()),
            list(Invitation.objects.values()),
            list(Membership.objects.values()),
            AuditEvent.objects.count(),
        )

    before = state()
    client = client_for(outsider)
    for name, method in CASES:
        request(client, method, route_url(name, world))

    assert state() == before
