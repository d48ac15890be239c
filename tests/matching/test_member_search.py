"""The coordinator's member pickers search on the server: the matching page of a big cohort
lists no member by member, the search is scoped to the cohort and the organization, and the
manual pair form takes a typed email address or member id, checked on the server."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Enrolment, Membership, User
from matching.models import Pair
from matching.selectors import SEARCH_LIMIT
from tests.factories import CohortFactory
from tests.matching.factories import enrol, make_pair

pytestmark = pytest.mark.django_db


def url(name, cohort, org_slug="northwind"):
    return reverse(name, kwargs={"org_slug": org_slug, "cohort_id": cohort.pk})


def enrol_many(cohort, count, prefix="person"):
    """`count` members enrolled in `cohort`, in three bulk queries."""
    users = User.objects.bulk_create(
        User(
            email=f"{prefix}{n}@northwind.test", first_name=f"{prefix.title()}{n}", last_name="Big"
        )
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(organization=cohort.organization, user=user, role=Membership.Role.MEMBER)
        for user in users
    )
    Enrolment.objects.bulk_create(Enrolment(cohort=cohort, user=user) for user in users)
    return users


def search(client, cohort, query, org_slug="northwind"):
    return client.get(url("matching_member_search", cohort, org_slug), {"q": query})


def test_the_matching_page_of_a_big_cohort_lists_no_member_as_an_option(
    client_for, coordinator, cohort
):
    enrol_many(cohort, 300)

    page = client_for(coordinator).get(url("matching_cohort", cohort)).content.decode()

    assert page.count("<option") < 10
    assert "person7@northwind.test" not in page.split('id="unpaired-heading"')[0]
    assert f'data-member-search="{url("matching_member_search", cohort)}"' in page
    assert "js/member-search.js" in page and "<script>" not in page


def test_the_pair_by_hand_page_lists_no_member_as_an_option(client_for, coordinator, cohort):
    enrol_many(cohort, 300)

    page = client_for(coordinator).get(url("matching_pair_manual", cohort)).content.decode()

    assert page.count("<option") == 0
    assert "js/member-search.js" in page and "<script>" not in page


def test_search_returns_at_most_twenty_members_without_a_partner(client_for, coordinator, cohort):
    enrol_many(cohort, 50)

    response = search(client_for(coordinator), cohort, "big")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    results = response.json()["results"]
    assert len(results) == SEARCH_LIMIT == 20
    assert set(results[0]) == {"id", "name", "email"}


def test_search_matches_every_word_in_names_and_email_addresses(
    client_for, coordinator, cohort, member
):
    enrol_many(cohort, 30)

    client = client_for(coordinator)

    assert [r["email"] for r in search(client, cohort, "ana silva").json()["results"]] == [
        "ana@northwind.test"
    ]
    assert [r["name"] for r in search(client, cohort, "person12@").json()["results"]] == [
        "Person12 Big"
    ]
    assert search(client, cohort, "  ").json()["results"] == []


def test_search_leaves_out_other_cohorts_and_members_with_a_partner(
    client_for, coordinator, cohort, member, partner, program
):
    sibling = CohortFactory(program=program, name="Sibling", slug="sibling")
    enrol(sibling, "Sam")
    carl, dina = enrol(cohort, "Carl"), enrol(cohort, "Dina")
    make_pair(cohort, [carl, dina])

    results = search(client_for(coordinator), cohort, "northwind.test").json()["results"]

    assert {r["email"] for r in results} == {"ana@northwind.test", "ben@northwind.test"}


def test_search_of_another_organizations_cohort_is_a_404(
    client_for, coordinator, outsider, other_cohort
):
    assert search(client_for(coordinator), other_cohort, "olu").status_code == 404
    assert search(client_for(coordinator), other_cohort, "olu", "southwind").status_code == 404


def test_a_member_cannot_search(client_for, member, cohort):
    assert search(client_for(member), cohort, "ben").status_code == 403


def test_pairing_by_hand_takes_typed_email_addresses(client_for, coordinator, cohort):
    carl, dina = enrol(cohort, "Carl"), enrol(cohort, "Dina")

    response = client_for(coordinator).post(
        url("matching_pair_manual", cohort),
        {"first": " CARL@northwind.test ", "second": str(dina.pk)},
    )

    assert response.status_code == 302
    pair = Pair.objects.get(origin=Pair.Origin.MANUAL)
    assert {m.user for m in pair.members.all()} == {carl, dina}


@pytest.mark.parametrize("typed", ["nobody@northwind.test", "zed@northwind.test", "99999999999"])
def test_pairing_by_hand_refuses_an_address_outside_the_cohort(
    client_for, coordinator, cohort, program, typed
):
    enrol(CohortFactory(program=program, name="Sibling", slug="sibling"), "Zed")
    enrol(cohort, "Carl")

    response = client_for(coordinator).post(
        url("matching_pair_manual", cohort), {"first": "carl@northwind.test", "second": typed}
    )

    assert response.status_code == 200
    assert (
        "No member without a partner in this cohort has this email address."
        in (response.context["form"].errors["second"][0])
    )
    assert not Pair.objects.exists()


def test_the_search_takes_the_same_queries_for_one_result_or_a_full_page(
    client_for, coordinator, cohort
):
    enrol_many(cohort, 60)
    client = client_for(coordinator)
    search(client, cohort, "Person1")  # the first visit saves the session
    with CaptureQueriesContext(connection) as one:
        assert len(search(client, cohort, "Person59").json()["results"]) == 1
    with CaptureQueriesContext(connection) as full:
        assert len(search(client, cohort, "Person").json()["results"]) == SEARCH_LIMIT

    assert len(full) == len(one)
