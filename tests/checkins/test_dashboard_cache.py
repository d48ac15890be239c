"""The cohort dashboard's figures in the cache: fewer queries, nothing across organizations,
nothing across languages, and a move of the cohort shows at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Cohort
from checkins.oversight import dashboard
from matching.models import Pair
from tests.checkins.factories import in_state
from tests.checkins.test_dashboard import COMPLETE, build_known_cohort, dashboard_url
from tests.matching.factories import enrol, make_pair

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60


def _active_pairs_of(client, cohort) -> int:
    return client.get(dashboard_url(cohort)).context["data"].pair_count


def test_a_second_view_reads_the_figures_from_the_cache_in_a_few_queries(
    client_for, coordinator, cohort, django_assert_max_num_queries
):
    build_known_cohort(cohort, coordinator)
    client = client_for(coordinator)
    with CaptureQueriesContext(connection) as first:
        client.get(dashboard_url(cohort))

    with CaptureQueriesContext(connection) as second:
        response = client.get(dashboard_url(cohort, sort="-score"))

    assert response.context["data"].pair_count == 6
    tables = " ".join(query["sql"] for query in second.captured_queries)
    assert "checkins_checkin" not in tables and "contracts_indicator" not in tables
    # Session, user, time zone, two-factor rule, membership, cohort, the page's partners,
    # the organization switcher, and the three counts of how partnerships went (read fresh, so
    # an ending shows at once): no figure is computed again.
    assert len(second.captured_queries) <= 11 < len(first.captured_queries)


def test_one_organizations_cached_figures_never_show_in_anothers(
    client_for, coordinator, cohort, outsider, other_cohort
):
    build_known_cohort(cohort, coordinator)
    zed, zoe = (enrol(other_cohort, name, **COMPLETE) for name in ("Zed", "Zoe"))
    make_pair(other_cohort, [zed, zoe], status=Pair.Status.ACTIVE, score=50)
    ours, theirs = client_for(coordinator), client_for(outsider)

    assert _active_pairs_of(ours, cohort) == 6  # now in the cache
    response = theirs.get(dashboard_url(other_cohort))

    assert response.context["data"].pair_count == 1
    assert [step.count for step in response.context["data"].funnel][:2] == [2, 2]
    assert "Zed" in response.content.decode() and "Dag" not in response.content.decode()
    assert dashboard.figures_cache_key(cohort) != dashboard.figures_cache_key(other_cohort)
    assert f"org{cohort.organization_id}:cohort{cohort.pk}:" in dashboard.figures_cache_key(cohort)


def test_the_cached_figures_are_out_of_reach_of_another_organizations_coordinator(
    client_for, coordinator, cohort, outsider, other_organization
):
    build_known_cohort(cohort, coordinator)
    assert _active_pairs_of(client_for(coordinator), cohort) == 6  # now in the cache
    outsiders = client_for(outsider)
    url_in_their_organization = dashboard_url(cohort).replace(
        f"/{cohort.organization.slug}/", f"/{other_organization.slug}/"
    )

    assert outsiders.get(dashboard_url(cohort)).status_code == 404
    assert outsiders.get(url_in_their_organization).status_code == 404


def test_figures_are_reused_until_they_expire(client_for, coordinator, cohort, member, partner):
    client = client_for(coordinator)
    assert _active_pairs_of(client, cohort) == 0
    make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE, score=60)

    assert _active_pairs_of(client, cohort) == 0  # within the cache's lifetime
    cache.delete(dashboard.figures_cache_key(cohort))  # what expiry does
    assert _active_pairs_of(client, cohort) == 1


def test_the_page_says_when_its_figures_were_computed(client_for, coordinator, cohort):
    response = client_for(coordinator).get(dashboard_url(cohort))

    computed_at = response.context["data"].computed_at
    assert computed_at is not None
    assert f"Figures as of {computed_at:%H:%M}" in response.content.decode()


def test_a_move_of_the_cohort_shows_at_once(client_for, coordinator, cohort, member, partner):
    in_state(cohort, Cohort.Status.MATCHING)
    client = client_for(coordinator)
    assert _active_pairs_of(client, cohort) == 0
    make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE, score=60)

    in_state(cohort, Cohort.Status.ACTIVE)

    assert _active_pairs_of(client, cohort) == 1


def test_each_language_has_its_own_figures(client_for, coordinator, cohort):
    client = client_for(coordinator)
    english = client.get(dashboard_url(cohort)).context["data"].charts[0].title

    client.cookies["django_language"] = "da"
    danish = client.get(dashboard_url(cohort)).context["data"].charts[0].title

    assert english == "Check-ins per week"
    assert danish != english


def test_no_cache_when_its_lifetime_is_zero(
    client_for, coordinator, cohort, member, partner, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(coordinator)
    assert _active_pairs_of(client, cohort) == 0

    make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE, score=60)

    assert _active_pairs_of(client, cohort) == 1
