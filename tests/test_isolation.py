"""Organization isolation: every route under /o/<org_slug>/ is closed to everyone else.

The URL resolver is walked for every route whose pattern contains the organization slug; each
must have an entry in one app's route table (see `tests/isolation.py`). For every entry: a
coordinator of another organization gets 404, an anonymous visitor the login page, a member
doing coordinator work 403, and another organization's ids under one's own slug 404.
"""

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AuditEvent, Membership
from tests.accounts.audit_routes import ROUTES as AUDIT_ROUTES
from tests.accounts.routes import ROUTES as ACCOUNTS_ROUTES
from tests.accounts.security_routes import ROUTES as SECURITY_ROUTES
from tests.checkins.dashboard_routes import ROUTES as DASHBOARD_ROUTES
from tests.checkins.lifecycle_routes import ROUTES as LIFECYCLE_ROUTES
from tests.checkins.partnership_routes import ROUTES as PARTNERSHIP_ROUTES
from tests.checkins.routes import ROUTES as CHECKINS_ROUTES
from tests.contracts.document_routes import ROUTES as DOCUMENT_ROUTES
from tests.contracts.routes import ROUTES as CONTRACTS_ROUTES
from tests.factories import EnrolmentFactory, InvitationFactory, MembershipFactory
from tests.isolation import (
    COORDINATORS,
    ENROLLED,
    ENROLLED_ACTION,
    MEMBERS,
    PAIR_ONLY,
    PARTIES,
    PARTNERS,
    VIEWERS,
    World,
)
from tests.matching.routes import ROUTES as MATCHING_ROUTES
from tests.matching.routes import pair_in
from tests.profiles.import_routes import ROUTES as IMPORT_ROUTES
from tests.profiles.routes import ROUTES as PROFILES_ROUTES

# Matches `<slug:org_slug>` and also `<str:org_slug>` or a regex's `(?P<org_slug>...)`, so a
# route can't escape the table by spelling its converter differently.
ORG_SLUG = "org_slug>"
PROJECT_APPS = ("accounts", "profiles", "matching", "contracts", "checkins")

TABLES = [
    ACCOUNTS_ROUTES,
    AUDIT_ROUTES,
    SECURITY_ROUTES,
    PROFILES_ROUTES,
    IMPORT_ROUTES,
    MATCHING_ROUTES,
    CONTRACTS_ROUTES,
    DOCUMENT_ROUTES,
    CHECKINS_ROUTES,
    DASHBOARD_ROUTES,
    LIFECYCLE_ROUTES,
    PARTNERSHIP_ROUTES,
]
ROUTES = {name: route for table in TABLES for name, route in table.items()}

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
def second_coordinator(organization):
    """A coordinator of the organization who is nobody's partner."""
    return MembershipFactory(organization=organization, role=Membership.Role.COORDINATOR).user


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
    "name", [name for name, route in ROUTES.items() if route.access in (ENROLLED, ENROLLED_ACTION)]
)
def test_member_not_enrolled_gets_404_on_routes_for_enrolled_members(client_for, world, name):
    unenrolled = MembershipFactory(organization=world.organization).user
    method = ROUTES[name].methods[0]

    response = request(client_for(unenrolled), method, route_url(name, world))

    assert response.status_code == 404


@cases(lambda route: route.access == ENROLLED_ACTION)
def test_enrolled_member_can_use_the_actions_for_enrolled_members(client_for, world, name, method):
    response = request(client_for(world.enrolled_member), method, route_url(name, world))

    assert response.status_code == 302


@cases(lambda route: route.access == PARTIES)
def test_a_party_can_use_the_route_and_other_members_get_404(client_for, world, name, method):
    url = route_url(name, world)
    stranger = EnrolmentFactory(cohort=world.cohort).user

    assert request(client_for(stranger), method, url).status_code == 404
    assert request(client_for(world.coordinator), method, url).status_code == 302


@cases(lambda route: route.access in (PARTIES, PARTNERS, VIEWERS, PAIR_ONLY))
def test_a_member_who_is_not_a_partner_gets_404_on_a_pairs_routes(client_for, world, name, method):
    stranger = EnrolmentFactory(cohort=world.cohort).user

    response = request(client_for(stranger), method, route_url(name, world))

    assert response.status_code == 404


@cases(lambda route: route.access == PARTNERS)
def test_a_coordinator_who_is_not_a_partner_gets_403_on_the_partners_routes(
    client_for, world, second_coordinator, name, method
):
    response = request(client_for(second_coordinator), method, route_url(name, world))

    assert response.status_code == 403


@cases(lambda route: route.access == PAIR_ONLY)
def test_a_coordinator_who_is_not_a_partner_gets_404_on_the_pairs_own_routes(
    client_for, world, second_coordinator, name, method
):
    response = request(client_for(second_coordinator), method, route_url(name, world))

    assert response.status_code == 404


@cases(lambda route: route.access == VIEWERS)
def test_a_coordinator_who_is_not_a_partner_can_read_a_pairs_pages(
    client_for, world, second_coordinator, name, method
):
    response = request(client_for(second_coordinator), method, route_url(name, world))

    assert response.status_code == 200


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


def test_a_pair_of_another_organization_cannot_be_answered_by_its_own_member(
    client_for, world, other_world
):
    """Even a member of the other pair can't reach it through this organization's slug."""
    pair = pair_in(other_world)
    url = reverse("pair_respond", kwargs={"org_slug": world.organization.slug, "pair_id": pair.pk})
    MembershipFactory(organization=world.organization, user=other_world.enrolled_member)

    response = client_for(other_world.enrolled_member).post(url, {"response": "accept"})

    assert response.status_code == 404


def project_state():
    """Every row of the project's models, except `access.denied` audit events: a request for
    an organization one isn't in is recorded on purpose (accounts/access.py), and
    `test_outsider_requests_change_nothing` checks those events separately."""
    state = {}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            rows = model.objects.order_by("pk")
            if model is AuditEvent:
                rows = rows.exclude(action="access.denied")
            state[model._meta.label] = list(rows.values())
    return state


def test_outsider_requests_change_nothing(client_for, world, outsider):
    """After every method on every route, every row of the project's models is as it was."""
    urls = [(method, route_url(name, world)) for name, method in CASES]
    client = client_for(outsider)  # logging in updates the outsider's own last_login
    before = project_state()

    for method, url in urls:
        request(client, method, url)

    assert project_state() == before
    # ...but each request was recorded for the organization's coordinators (the one change).
    denied = AuditEvent.objects.filter(
        action="access.denied", actor=outsider, organization=world.organization
    )
    assert sorted((e.data["method"], e.data["path"]) for e in denied) == sorted(
        (method.upper(), url) for method, url in urls
    )


def test_a_coordinator_who_is_not_a_partner_changes_nothing_on_the_partners_routes(
    client_for, world, second_coordinator
):
    urls = [
        route_url(name, world)
        for name, method in CASES
        if method == "post" and ROUTES[name].access == PARTNERS
    ]
    client = client_for(second_coordinator)
    before = project_state()

    for url in urls:
        client.post(url, {"typed_name": "Cora Lindqvist", "password": "pass-word-123"})

    assert project_state() == before
