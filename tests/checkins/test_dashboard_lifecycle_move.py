"""The move the coordinator still has to make comes first in the dashboard's "What to do next"."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Cohort
from checkins.oversight import dashboard
from contracts.models import Contract
from matching.models import Pair
from tests.checkins.factories import in_state, signed_contract
from tests.checkins.test_dashboard import dashboard_url
from tests.matching.factories import enrol, make_pair

pytestmark = pytest.mark.django_db

Status = Cohort.Status
SIGNED, READY, DRAFT = (Contract.Status.SIGNED, Contract.Status.READY, Contract.Status.DRAFT)


# The rule, on plain data ------------------------------------------------------------------------


def test_signed_pairs_of_a_matching_cohort_wait_for_the_move_to_active():
    move = dashboard.pending_lifecycle_move(
        status=Status.MATCHING, contract_statuses=[SIGNED, READY, SIGNED, "none", SIGNED]
    )

    assert move == dashboard.LifecycleMove(Status.ACTIVE, 3)


@pytest.mark.parametrize(
    ("status", "contracts"),
    [
        (Status.MATCHING, [READY, DRAFT, "none"]),  # nobody is held back yet
        (Status.MATCHING, []),
        (Status.ACTIVE, [SIGNED, SIGNED]),  # already where the pairs need it
        (Status.OPEN, []),  # and fewer than two complete profiles
        (Status.CLOSED, [SIGNED]),
    ],
)
def test_no_move_is_asked_when_no_signed_pair_waits_on_one(status, contracts):
    assert dashboard.pending_lifecycle_move(status=status, contract_statuses=contracts) is None


def test_an_open_cohort_with_enough_complete_profiles_waits_for_the_move_to_matching():
    move = dashboard.pending_lifecycle_move(
        status=Status.OPEN, contract_statuses=[], complete_profiles=5
    )

    assert move == dashboard.LifecycleMove(Status.MATCHING, 5)
    assert (
        dashboard.pending_lifecycle_move(
            status=Status.OPEN, contract_statuses=[], complete_profiles=1
        )
        is None
    )
    with translation.override("en"):
        assert move.message == (
            "Move the cohort to Matching: 5 members with a complete profile wait for a partner "
            "until you do."
        )


def test_the_move_says_how_many_pairs_it_holds_back_in_singular_and_plural():
    with translation.override("en"):
        one = dashboard.LifecycleMove(Status.ACTIVE, 1).message
        three = dashboard.LifecycleMove(Status.ACTIVE, 3).message

    assert one == "Move the cohort to Active: 1 signed pair can't schedule meetings until you do."
    assert three == (
        "Move the cohort to Active: 3 signed pairs can't schedule meetings until you do."
    )


def test_the_move_is_translated_into_danish():
    with translation.override("da"):
        message = dashboard.LifecycleMove(Status.ACTIVE, 2).message

    assert "2" in message and "Move the cohort" not in message


# The page ------------------------------------------------------------------------------------


def _signed_pairs(cohort, count, *, prefix="P"):
    for index in range(count):
        users = [enrol(cohort, f"{prefix}{index}a"), enrol(cohort, f"{prefix}{index}b")]
        signed_contract(make_pair(cohort, users, status=Pair.Status.ACTIVE))


def test_the_move_to_active_is_the_first_thing_to_do(client_for, coordinator, cohort):
    _signed_pairs(cohort, 3)
    in_state(cohort, Status.MATCHING)

    html = client_for(coordinator).get(dashboard_url(cohort)).content.decode()
    section = html.split('id="next-heading"')[1].split("</section>")[0]
    lifecycle_url = reverse("cohort_lifecycle", args=[cohort.organization.slug, cohort.pk])

    first_link = re.search(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', section)
    assert first_link.group(1) == lifecycle_url
    assert first_link.group(2) == (
        "Move the cohort to Active: 3 signed pairs can&#x27;t schedule meetings until you do."
    )


def test_an_active_cohorts_dashboard_asks_for_no_move(client_for, coordinator, cohort):
    _signed_pairs(cohort, 2)
    in_state(cohort, Status.ACTIVE)

    html = client_for(coordinator).get(dashboard_url(cohort)).content.decode()

    assert "Move the cohort to" not in html


def test_the_move_costs_no_query_of_its_own(client_for, coordinator, cohort, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0  # the figures computed afresh on each request
    _signed_pairs(cohort, 1)
    in_state(cohort, Status.MATCHING)
    client = client_for(coordinator)
    client.get(dashboard_url(cohort))
    with CaptureQueriesContext(connection) as few:
        client.get(dashboard_url(cohort))

    _signed_pairs(cohort, 6, prefix="Q")

    with CaptureQueriesContext(connection) as more:
        response = client.get(dashboard_url(cohort))
    assert response.context["data"].lifecycle_move.held == 7
    assert len(more.captured_queries) <= len(few.captured_queries)


def test_an_open_cohorts_dashboard_asks_for_the_move_to_matching(client_for, coordinator, cohort):
    for name in ("Ann", "Bob", "Cy"):
        enrol(cohort, name, offers={"Budgeting": 4}, needs={"Writing": 3})
    in_state(cohort, Status.OPEN)

    html = client_for(coordinator).get(dashboard_url(cohort)).content.decode()
    section = html.split('id="next-heading"')[1].split("</section>")[0]

    first_link = re.search(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', section)
    assert first_link.group(1) == reverse(
        "cohort_lifecycle", args=[cohort.organization.slug, cohort.pk]
    )
    assert first_link.group(2) == (
        "Move the cohort to Matching: 3 members with a complete profile wait for a partner "
        "until you do."
    )
