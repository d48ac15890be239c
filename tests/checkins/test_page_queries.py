"""The pair page and the check-in page read each thing once: the contract in force, the
cohort's organization with the pair, the partners for all the next-step rows together."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.checkins.factories import checkin, next_step, past_meeting, signed_pair

pytestmark = pytest.mark.django_db

# Whatever the number of meetings, check-ins and rows (benchmarks/page_cpu.py lists them).
PAIR_PAGE_QUERIES = 23
CHECKIN_PAGE_QUERIES = 13


@pytest.fixture
def pair(cohort, member, partner):
    return signed_pair(cohort, member, partner)


def queries_of(client, url) -> list[str]:
    client.get(url)  # the first visit may write the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured]


def reading(queries, table) -> list[str]:
    return [sql for sql in queries if sql.startswith("SELECT") and f'FROM "{table}"' in sql]


def partners_read(queries) -> list[str]:
    return [sql for sql in reading(queries, "accounts_user") if '"matching_pairmember"' in sql]


def pair_url(pair):
    return reverse(
        "pair_detail",
        kwargs={"org_slug": pair.pair.organization.slug, "pair_id": pair.pair.pk},
    )


def checkin_url(meeting):
    return reverse(
        "checkin_create",
        kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.pk},
    )


def test_the_pair_page_reads_the_contract_once_and_no_organization_alone(client_for, pair, member):
    checkin(past_meeting(pair.pair, contract=pair.contract), member)
    queries = queries_of(client_for(member), pair_url(pair))

    assert len(reading(queries, "contracts_contract")) == 1
    assert reading(queries, "accounts_organization") == []
    # Once for the two-factor rule, the access check and the organization switcher.
    assert len(reading(queries, "accounts_membership")) == 1
    assert len(queries) == PAIR_PAGE_QUERIES


def test_the_check_in_page_reads_the_partners_once_for_all_the_step_rows(
    client_for, pair, member, partner
):
    earlier = checkin(past_meeting(pair.pair, days_ago=9, contract=pair.contract), member)
    next_step(earlier, partner)
    meeting = past_meeting(pair.pair, contract=pair.contract)
    client = client_for(member)
    few = queries_of(client, checkin_url(meeting))
    # Editing a check-in with next steps shows a row per step: more rows, no more queries.
    row = checkin(meeting, member)
    for n in range(4):
        next_step(row, partner if n % 2 else member, description=f"Step {n}")
    more = queries_of(client, checkin_url(meeting))

    # The partners, offered as owners in each row: read once, for three rows as for six.
    assert len(partners_read(few)) == 1
    assert len(partners_read(more)) == 1
    assert len(few) == CHECKIN_PAGE_QUERIES
