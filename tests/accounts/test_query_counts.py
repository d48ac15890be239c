"""List pages run a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    InvitationFactory,
    MembershipFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def assert_queries_do_not_grow(client, url, add_rows, django_assert_max_num_queries):
    """Count the queries with few rows, add many more, and allow no more queries than before."""
    client.get(url)  # warm caches (content types, sessions) so both counts compare alike
    few = queries_for(client, url)

    add_rows()

    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_cohort_page_queries_do_not_grow_with_members_and_invitations(
    client_for, coordinator, cohort, django_assert_max_num_queries
):
    EnrolmentFactory.create_batch(5, cohort=cohort)
    InvitationFactory.create_batch(5, cohort=cohort, invited_by=coordinator)

    def add_rows():
        EnrolmentFactory.create_batch(55, cohort=cohort)
        InvitationFactory.create_batch(55, cohort=cohort, invited_by=coordinator)

    response = assert_queries_do_not_grow(
        client_for(coordinator), cohort.get_absolute_url(), add_rows, django_assert_max_num_queries
    )
    assert response.context["members"].paginator.count == 60
    assert response.context["invitations"].paginator.count == 60


def test_organization_page_queries_do_not_grow_with_programs_and_cohorts(
    client_for, coordinator, organization, django_assert_max_num_queries
):
    def add_program(cohorts):
        program = ProgramFactory(organization=organization)
        for cohort in CohortFactory.create_batch(cohorts, program=program):
            EnrolmentFactory.create_batch(2, cohort=cohort)

    add_program(cohorts=1)

    def add_rows():
        for _ in range(5):
            add_program(cohorts=3)

    response = assert_queries_do_not_grow(
        client_for(coordinator),
        organization.get_absolute_url(),
        add_rows,
        django_assert_max_num_queries,
    )
    assert len(response.context["programs"]) == 6


def test_members_page_queries_do_not_grow_with_members(
    client_for, coordinator, organization, cohort, django_assert_max_num_queries
):
    for enrolment in EnrolmentFactory.create_batch(5, cohort=cohort):
        assert enrolment.user.memberships.get().organization == organization

    def add_rows():
        EnrolmentFactory.create_batch(30, cohort=cohort)
        MembershipFactory.create_batch(25, organization=organization)

    url = reverse("organization_members", kwargs={"org_slug": organization.slug})
    response = assert_queries_do_not_grow(
        client_for(coordinator), url, add_rows, django_assert_max_num_queries
    )
    assert response.context["page"].paginator.count == 61


def test_program_page_queries_do_not_grow_with_cohorts(
    client_for, coordinator, program, django_assert_max_num_queries
):
    CohortFactory(program=program)

    def add_rows():
        for cohort in CohortFactory.create_batch(10, program=program):
            EnrolmentFactory(cohort=cohort)
            InvitationFactory(cohort=cohort)

    response = assert_queries_do_not_grow(
        client_for(coordinator), program.get_absolute_url(), add_rows, django_assert_max_num_queries
    )
    assert len(response.context["cohorts"]) == 11


def test_home_page_queries_do_not_grow_with_organizations_and_cohorts(
    client_for, member, django_assert_max_num_queries
):
    def add_rows():
        for _ in range(8):
            EnrolmentFactory(user=member)

    response = assert_queries_do_not_grow(
        client_for(member), reverse("home"), add_rows, django_assert_max_num_queries
    )
    assert len(response.context["memberships"]) == 9
