"""A member's suggestions come from the latest matching run's stored best partners, not from a
fresh scoring of the whole cohort: the page's queries and work don't grow with the cohort."""

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import engine, selectors, services
from matching.models import MatchRun, MatchSettings, Pair, PairRule, SuggestedPartners
from tests.matching.factories import cohort_of_four, enrol, make_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(cohort, member, partner):
    MatchSettings.objects.create(cohort=cohort, allow_requests=True)
    return cohort_of_four(cohort, member, partner)


def suggestions_url(cohort):
    return reverse("matching_suggestions", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})


def run_then_free_everyone(cohort):
    """A finished whole-cohort run whose proposals are gone again (as after a reset), so every
    member is free and the run's stored best partners are all there is."""
    run = services.matching_run_create(cohort=cohort, actor=None, scope=MatchRun.Scope.COHORT)
    run = services.matching_run_execute(run=run)
    Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED).delete()
    return run


@pytest.fixture
def no_fresh_scoring(monkeypatch):
    """Call it once the run is done: from then on, loading the whole cohort fails the test."""

    def refuse(**kwargs):
        raise AssertionError("the whole cohort was loaded for one member's suggestions")

    return lambda: monkeypatch.setattr(selectors, "matching_input", refuse)


def test_a_run_stores_each_members_best_partners_best_first(cohort, four):
    run = run_then_free_everyone(cohort)

    stored = {row.user_id: row.partners for row in SuggestedPartners.objects.filter(run=run)}

    assert set(stored) == {four.ana.pk, four.ben.pk, four.carl.pk, four.dina.pk}
    assert stored[four.ana.pk][0][0] == four.ben.pk
    for partners in stored.values():
        scores = [score for _pk, score in partners]
        assert scores == sorted(scores, reverse=True)


def test_suggestions_come_from_the_run_without_scoring_the_cohort(
    client_for, cohort, four, no_fresh_scoring
):
    run_then_free_everyone(cohort)
    no_fresh_scoring()

    response = client_for(four.ana).get(suggestions_url(cohort))

    suggestions = response.context["suggestions"]
    assert suggestions[0].user == four.ben
    assert suggestions[0].explanation.startswith("Ana Silva offers Public speaking (expert)")


def test_stored_suggestions_leave_out_members_paired_or_forbidden_since(
    client_for, cohort, four, no_fresh_scoring
):
    run_then_free_everyone(cohort)
    no_fresh_scoring()
    make_pair(cohort, [four.carl, four.dina])
    PairRule.objects.create(cohort=cohort, user_a=four.ana, user_b=four.ben)

    suggestions = client_for(four.ana).get(suggestions_url(cohort)).context["suggestions"]

    assert list(suggestions) == []


def test_a_big_cohort_without_a_run_waits_for_one_instead_of_scoring(
    client_for, cohort, four, no_fresh_scoring, monkeypatch
):
    monkeypatch.setattr(selectors, "FRESH_SCORING_LIMIT", 3)
    no_fresh_scoring()

    response = client_for(four.ana).get(suggestions_url(cohort))

    assert response.context["suggestions"].waiting_for_run
    assert "once your coordinator has run the matching" in response.content.decode()


def test_asking_a_member_outside_the_stored_suggestions_is_checked_for_the_two_only(
    cohort, four, no_fresh_scoring
):
    no_fresh_scoring()
    assert selectors.may_request(cohort=cohort, from_user=four.ana, to_user=four.carl)
    PairRule.objects.create(cohort=cohort, user_a=four.ana, user_b=four.carl)
    assert not selectors.may_request(cohort=cohort, from_user=four.ana, to_user=four.carl)


def page_queries(client, cohort):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(suggestions_url(cohort)).status_code == 200
    return len(queries)


def test_the_suggestions_page_takes_the_same_queries_whatever_the_cohorts_size(
    client_for, cohort, four
):
    run_then_free_everyone(cohort)
    client = client_for(four.ana)
    client.get(suggestions_url(cohort))  # the first visit saves the session
    small = page_queries(client, cohort)

    for index in range(40):
        enrol(cohort, f"Extra{index}", offers={"Writing": 2}, needs={"Budgeting": 2})
    run_then_free_everyone(cohort)
    big = page_queries(client, cohort)

    assert big == small <= 25


def test_best_partners_keeps_the_k_best_allowed_and_the_best_leftovers():
    scores = np.array(
        [
            [-1.0, 0.9, 0.8, 0.1, -1.0],
            [0.9, -1.0, 0.5, 0.2, 0.3],
            [0.8, 0.5, -1.0, 0.4, 0.6],
            [0.1, 0.2, 0.4, -1.0, -1.0],
            [-1.0, 0.3, 0.6, -1.0, -1.0],
        ],
        dtype=np.float32,
    )

    best = engine.best_partners(scores, [10, 11, 12, 13, 14], 2, leftover_rows=[3])

    assert best[10] == ((11, 90.0), (12, 80.0), (13, 10.0))
    assert best[14] == ((12, 60.0), (11, 30.0))
    assert best[13] == ((12, 40.0), (11, 20.0))
