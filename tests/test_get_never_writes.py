"""A GET never writes: every page the isolation walker reaches under an organization is opened
by the coordinator (who is also a partner in the World's pairs), and no statement that changes
data runs, apart from the session the login keeps.

The pages are the isolation walker's (`tests/test_isolation.py`, whose completeness test makes
sure every route under an organization is in its table).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Cohort
from tests.test_isolation import CASES, build_world, route_url

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# The session row the login keeps (the current organization is remembered in it).
SESSION = re.compile(r'\b"?django_session"?\b')


def writes_of(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if WRITE.match(query["sql"]) and not SESSION.search(query["sql"])
    ]


@pytest.fixture
def world(organization, program, cohort, coordinator, member):
    cohort.status = Cohort.Status.ACTIVE
    cohort.save(update_fields=["status"])
    return build_world(organization, program, cohort, coordinator, member)


@pytest.mark.django_db
def test_the_check_sees_a_write():
    with CaptureQueriesContext(connection) as queries:
        Cohort.objects.update(name="Renamed")

    assert writes_of(queries.captured_queries)


def test_no_page_writes_on_get(client_for, world):
    client = client_for(world.coordinator)
    client.get("/")  # the first request may store the login's session details
    # Building a page's address may create what the page shows: done before any is opened.
    urls = {name: route_url(name, world) for name, method in CASES if method == "get"}
    written = {}
    opened = 0
    for name, url in sorted(urls.items()):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        opened += response.status_code == 200
        if writes := writes_of(queries.captured_queries):
            written[name] = writes[:2]

    assert opened > 30
    assert sorted(written) == [], written
