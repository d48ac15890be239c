"""How complete a profile is, for its owner and for the cohort's coordinators."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles import selectors
from profiles.models import Profile
from tests.factories import EnrolmentFactory, MembershipFactory
from tests.profiles.factories import (
    NeedFactory,
    OfferFactory,
    ProfileFactory,
    complete_profile,
)

pytestmark = pytest.mark.django_db


def cohort_profiles_url(cohort, **query):
    url = reverse(
        "cohort_profiles", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# One profile -------------------------------------------------------------------------------


def test_an_empty_profile_is_0_percent_and_names_what_is_missing(organization, member):
    completeness = selectors.profile_completeness(
        ProfileFactory(organization=organization, user=member, goal="")
    )

    assert completeness.percent == 0
    assert not completeness.is_complete
    assert [str(item) for item in completeness.missing][0] == "your one-year goal"
    assert len(completeness.missing) == 5


def test_a_profile_missing_only_a_need_is_80_percent(organization, member):
    profile = ProfileFactory(
        organization=organization, user=member, languages=["English"], timezone="UTC"
    )
    OfferFactory(profile=profile)

    completeness = selectors.profile_completeness(profile)

    assert completeness.percent == 80
    assert [str(item) for item in completeness.missing] == ["at least one thing you need"]
    assert not selectors.profile_is_complete(profile)


def test_goal_offer_need_language_and_time_zone_make_a_profile_complete(organization, member):
    profile = complete_profile(organization=organization, user=member)

    assert selectors.profile_is_complete(profile)
    assert selectors.profile_completeness(profile).percent == 100
    assert selectors.profile_completeness(profile).suggestions  # stage, role… still suggested


def test_a_profile_without_a_one_year_goal_is_not_complete(organization, member, cohort):
    profile = complete_profile(organization=organization, user=member, goal="")

    assert not selectors.profile_is_complete(profile)
    assert [str(item) for item in selectors.profile_completeness(profile).missing] == [
        "your one-year goal"
    ]
    assert not Profile.objects.filter(pk=profile.pk).complete().exists()
    row = selectors.cohort_profile_statuses(cohort=cohort).get(user=member)
    assert not row.is_complete
    assert [str(item) for item in selectors.completeness_of_row(row).missing] == [
        "your one-year goal"
    ]


def test_no_profile_at_all_is_incomplete():
    assert not selectors.profile_is_complete(None)


def test_profile_page_shows_the_percentage_and_what_is_missing(client_for, organization, member):
    profile = ProfileFactory(organization=organization, user=member, languages=["English"])
    NeedFactory(profile=profile)

    response = client_for(member).get(
        reverse("profile_detail", kwargs={"org_slug": organization.slug, "user_id": member.pk})
    )

    content = response.content.decode()
    assert "60% complete" in content
    assert "at least one thing you offer" in content and "your time zone" in content


# A cohort ----------------------------------------------------------------------------------


def test_cohort_statuses_tell_who_is_complete_and_what_others_miss(
    organization, cohort, member, partner
):
    complete_profile(organization=organization, user=member)
    ProfileFactory(organization=organization, user=partner, languages=["Danish"])
    newcomer = EnrolmentFactory(cohort=cohort).user

    rows = {row.user: row for row in selectors.cohort_profile_statuses(cohort=cohort)}

    assert rows[member].is_complete
    assert not rows[partner].is_complete and rows[partner].has_language
    assert not rows[partner].has_offer and not rows[partner].has_timezone
    assert not rows[newcomer].has_profile and not rows[newcomer].is_complete
    assert selectors.cohort_profile_counts(cohort=cohort) == {"total": 3, "complete": 1}


def test_a_profile_complete_in_another_organization_does_not_count(
    organization, other_organization, cohort, member
):
    complete_profile(organization=other_organization, user=member)

    (row,) = selectors.cohort_profile_statuses(cohort=cohort).filter(user=member)

    assert not row.is_complete and not row.has_profile


def test_cohort_statuses_filter_complete_and_incomplete(organization, cohort, member, partner):
    complete_profile(organization=organization, user=member)

    complete = selectors.cohort_profile_statuses(cohort=cohort, status="complete")
    incomplete = selectors.cohort_profile_statuses(cohort=cohort, status="incomplete")

    assert [row.user for row in complete] == [member]
    assert [row.user for row in incomplete] == [partner]


def test_cohort_statuses_take_one_query_however_many_members(organization, cohort):
    for _ in range(20):
        complete_profile(organization=organization, user=EnrolmentFactory(cohort=cohort).user)

    with CaptureQueriesContext(connection) as context:
        rows = list(selectors.cohort_profile_statuses(cohort=cohort))
        [selectors.completeness_of_row(row) for row in rows]

    assert len(rows) == 20
    assert len(context.captured_queries) == 1


def test_coordinator_sees_n_of_m_complete_with_links(
    client_for, organization, cohort, coordinator, member, partner
):
    complete_profile(organization=organization, user=member)

    response = client_for(coordinator).get(cohort_profiles_url(cohort))

    assert response.status_code == 200
    content = response.content.decode()
    assert "1 of 2 complete" in content
    assert (
        reverse("profile_detail", kwargs={"org_slug": organization.slug, "user_id": partner.pk})
        in content
    )
    assert "at least one thing you offer" in content


def test_coordinator_filters_incomplete_profiles(
    client_for, organization, cohort, coordinator, member, partner
):
    complete_profile(organization=organization, user=member)

    response = client_for(coordinator).get(cohort_profiles_url(cohort, status="incomplete"))

    assert [row.user for row, _completeness in response.context["rows"]] == [partner]
    assert response.context["counts"] == {"total": 2, "complete": 1}


def test_cohort_profiles_are_paginated_by_50_and_pages_keep_the_filter(
    client_for, organization, cohort, coordinator
):
    EnrolmentFactory.create_batch(51, cohort=cohort)

    response = client_for(coordinator).get(cohort_profiles_url(cohort, status="incomplete"))

    assert len(response.context["rows"]) == 50
    assert "?status=incomplete&amp;page=2" in response.content.decode()


def test_member_gets_403_on_cohort_profiles(client_for, cohort, member):
    assert client_for(member).get(cohort_profiles_url(cohort)).status_code == 403


def test_outsider_gets_404_on_cohort_profiles(client_for, cohort, outsider):
    assert client_for(outsider).get(cohort_profiles_url(cohort)).status_code == 404


def test_cohort_profiles_queries_do_not_grow_from_5_to_50_members(
    client_for, organization, cohort, coordinator, django_assert_max_num_queries
):
    def add_members(count):
        for index in range(count):
            user = EnrolmentFactory(cohort=cohort).user
            if index % 2:
                complete_profile(organization=organization, user=user)

    client = client_for(coordinator)
    url = cohort_profiles_url(cohort)
    add_members(5)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    few = len(context.captured_queries)

    add_members(45)
    MembershipFactory.create_batch(3, organization=organization)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["rows"]) == 50
