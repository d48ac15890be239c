"""Named people and places shared by the whole suite.

`organization` runs `program`, whose `cohort` has two enrolled members, `member` and `partner`;
`coordinator` coordinates the organization. `outsider` coordinates `other_organization`, which
has its own `other_program` and `other_cohort`.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Membership
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    OrganizationFactory,
    ProgramFactory,
    UserFactory,
)

LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache: no test inherits another's attempts."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Northwind Collective", slug="northwind")


@pytest.fixture
def program(organization):
    return ProgramFactory(organization=organization, name="Peer mentoring for team leads")


@pytest.fixture
def cohort(program):
    return CohortFactory(program=program, name="Autumn 2026", slug="autumn-2026")


@pytest.fixture
def coordinator(organization):
    user = UserFactory(email="cora@northwind.test", first_name="Cora", last_name="Lindqvist")
    MembershipFactory(organization=organization, user=user, role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def member(cohort):
    return EnrolmentFactory(
        cohort=cohort,
        user__email="ana@northwind.test",
        user__first_name="Ana",
        user__last_name="Silva",
    ).user


@pytest.fixture
def partner(cohort):
    return EnrolmentFactory(
        cohort=cohort,
        user__email="ben@northwind.test",
        user__first_name="Ben",
        user__last_name="Okafor",
    ).user


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Southwind Guild", slug="southwind")


@pytest.fixture
def other_program(other_organization):
    return ProgramFactory(organization=other_organization, name="Southwind mentoring")


@pytest.fixture
def other_cohort(other_program):
    return CohortFactory(program=other_program, name="Spring 2027", slug="spring-2027")


@pytest.fixture
def outsider(other_organization, other_cohort):
    """Coordinator of another organization: powerful there, a stranger here."""
    user = UserFactory(email="olu@southwind.test", first_name="Olu", last_name="Bakare")
    MembershipFactory(organization=other_organization, user=user, role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def client_for():
    """`client_for(user)`: a test client logged in as `user`."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def links_in():
    """`links_in(message)`: the paths (with query) of the links in an email's text body."""

    def find(message):
        paths = []
        for url in LINK.findall(message.body):
            parts = urlsplit(url)
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return paths

    return find
