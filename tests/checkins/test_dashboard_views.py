"""The dashboards as coordinators reach them: who gets in, the program view, the closing
survey, and query counts that don't grow with the cohort."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Cohort
from checkins.models import ClosingSurvey, ClosingSurveyRequest
from checkins.oversight import dashboard
from contracts.models import Contract
from matching.models import Pair
from tests.checkins.factories import checkin, log_value, meeting_at, signed_contract
from tests.checkins.test_dashboard import (
    COMPLETE,
    build_known_cohort,
    dashboard_url,
    step_url,
)
from tests.factories import CohortFactory, EnrolmentFactory, InvitationFactory
from tests.matching.factories import enrol, make_pair

DAY = datetime.timedelta(days=1)


def program_url(program):
    return reverse(
        "program_dashboard",
        kwargs={"org_slug": program.organization.slug, "program_id": program.pk},
    )


# Who gets in -----------------------------------------------------------------------------------


def _urls(cohort, program):
    return [dashboard_url(cohort), step_url(cohort, "joined"), program_url(program)]


def test_a_coordinator_of_another_organization_gets_404(client_for, outsider, cohort, program):
    client = client_for(outsider)

    assert [client.get(url).status_code for url in _urls(cohort, program)] == [404] * 3


def test_a_member_gets_403(client_for, member, cohort, program):
    client = client_for(member)

    assert [client.get(url).status_code for url in _urls(cohort, program)] == [403] * 3


def test_an_anonymous_visitor_is_sent_to_log_in(client, cohort, program):
    for url in _urls(cohort, program):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_another_organizations_cohort_or_program_under_ones_own_slug_is_404(
    client_for, coordinator, other_cohort, other_program
):
    slug = "northwind"
    urls = [
        reverse("cohort_dashboard", kwargs={"org_slug": slug, "cohort_id": other_cohort.pk}),
        reverse(
            "cohort_funnel_step",
            kwargs={"org_slug": slug, "cohort_id": other_cohort.pk, "step": "joined"},
        ),
        reverse("program_dashboard", kwargs={"org_slug": slug, "program_id": other_program.pk}),
    ]
    client = client_for(coordinator)

    assert [client.get(url).status_code for url in urls] == [404] * 3


# The program dashboard -------------------------------------------------------------------------


def test_the_program_dashboard_counts_each_cohort(client_for, coordinator, program, cohort):
    build_known_cohort(cohort, coordinator)
    spring = CohortFactory(program=program, name="Spring 2027", starts_on=datetime.date(2027, 3, 1))
    spring_ann = enrol(spring, "Ann", **COMPLETE)
    make_pair(spring, [spring_ann, enrol(spring, "Abe", **COMPLETE)], status=Pair.Status.ACTIVE)
    elsewhere = CohortFactory(
        name="Another program's cohort", program__organization=program.organization
    )

    response = client_for(coordinator).get(program_url(program))

    rows = {row.cohort.name: row for row in response.context["rows"]}
    assert list(rows) == ["Spring 2027", "Autumn 2026"]  # newest first
    autumn = rows["Autumn 2026"]
    assert (
        autumn.cohort.member_count,
        autumn.cohort.invited_count,
        autumn.cohort.pair_count,
        autumn.cohort.signed_count,
        autumn.at_risk,
    ) == (17, 2, 6, 5, 2)
    spring_row = rows["Spring 2027"]
    assert (spring_row.cohort.member_count, spring_row.cohort.pair_count, spring_row.at_risk) == (
        2,
        1,
        0,
    )
    html = response.content.decode()
    assert dashboard_url(cohort) in html and elsewhere.name not in html


def test_the_program_dashboard_of_a_program_without_cohorts_says_so(
    client_for, coordinator, organization
):
    from tests.factories import ProgramFactory

    empty = ProgramFactory(organization=organization)

    response = client_for(coordinator).get(program_url(empty))

    assert response.status_code == 200
    assert "No cohorts yet." in response.content.decode()


# The closing survey ----------------------------------------------------------------------------


def test_the_dashboard_shows_the_closing_survey_once_members_were_asked(
    client_for, coordinator, cohort, member, partner
):
    client = client_for(coordinator)
    before = client.get(dashboard_url(cohort)).content.decode()
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CLOSED)
    for user in (member, partner):
        ClosingSurveyRequest.objects.create(
            organization=cohort.organization, cohort=cohort, user=user, requested_at=timezone.now()
        )
    ClosingSurvey.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        goal_reached=ClosingSurvey.GoalReached.PARTLY,
        would_pair_again=True,
        what_helped="Weekly calls kept me honest.",
        submitted_on=timezone.now().date(),
    )

    after = client.get(dashboard_url(cohort)).content.decode()

    assert "Closing survey" not in before
    assert "Closing survey" in after
    assert "1 of 2 members asked have answered" in after
    assert "Weekly calls kept me honest." in after


# Queries don't grow with the cohort ------------------------------------------------------------


def grow(cohort, count, *, start=0):
    """`count` more signed pairs with two check-ins (one with indicator readings) and a future
    meeting, `count` members without a profile, and `count` open invitations."""
    now = timezone.now()
    for index in range(start, start + count):
        users = [
            enrol(cohort, f"Grow{index}a", **COMPLETE),
            enrol(cohort, f"Grow{index}b", **COMPLETE),
        ]
        pair = make_pair(cohort, users, status=Pair.Status.ACTIVE, score=10 * (index % 10))
        contract = signed_contract(pair, starts_on=(now - 30 * DAY).date())
        first = meeting_at(pair, now - 30 * DAY, contract=contract)
        checkin(first, users[0], created_at=now - 29 * DAY)
        last = meeting_at(pair, now - (index % 20) * DAY - DAY, contract=contract)
        row = checkin(last, users[1], created_at=now - (index % 20) * DAY)
        for indicator in contract.sections.get(user=users[1]).goals.get().indicators.all():
            log_value(row, indicator, value=index, met=index % 2 == 0)
        meeting_at(pair, now + 3 * DAY, contract=contract)
        EnrolmentFactory(cohort=cohort)
        InvitationFactory(cohort=cohort)
    # One pair with a draft contract, one without any.
    draft = make_pair(
        cohort,
        [enrol(cohort, f"Draft{start}a"), enrol(cohort, f"Draft{start}b")],
        status=Pair.Status.ACTIVE,
    )
    signed_contract(draft, status=Contract.Status.DRAFT, goals=False)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def growing(client_for, coordinator, cohort, program):
    """(client, a function that grows the cohort): the first growth is small."""
    grow(cohort, 1)
    client = client_for(coordinator)
    client.get(dashboard_url(cohort))  # a first request settles the session
    return client


def test_the_dashboards_queries_do_not_grow_with_the_cohort(
    growing, cohort, django_assert_max_num_queries, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 0  # the figures' own queries, computed on each request
    url = dashboard_url(cohort) + "?sort=-score"
    few = _queries(growing, url)

    grow(cohort, 30, start=1)

    with django_assert_max_num_queries(few):
        response = growing.get(url)
    assert response.context["page"].paginator.count == 33
    assert few < 30


@pytest.mark.parametrize("step", dashboard.STEPS)
def test_the_step_lists_queries_do_not_grow_with_the_cohort(
    growing, cohort, step, django_assert_max_num_queries
):
    few = _queries(growing, step_url(cohort, step))

    grow(cohort, 12, start=1)

    with django_assert_max_num_queries(few):
        assert growing.get(step_url(cohort, step)).status_code == 200


def test_the_program_dashboards_queries_do_not_grow_with_cohorts(
    growing, cohort, program, django_assert_max_num_queries
):
    few = _queries(growing, program_url(program))

    for index in range(3):
        grow(CohortFactory(program=program), 3, start=100 * (index + 1))
    grow(cohort, 3, start=1)

    with django_assert_max_num_queries(few):
        response = growing.get(program_url(program))
    assert len(response.context["rows"]) == 4
