"""The help rating on each check-in: asked every time, labelled with the contract's own words,
charted on the partners' pair page, never shown to coordinators."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkins import services
from checkins.models import CheckIn, Meeting
from contracts.models import Contract
from tests.checkins.factories import checkin, checkin_post, past_meeting, signed_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cohort, member, partner):
    signed = signed_pair(cohort, member, partner, goals=False)
    Contract.objects.filter(pk=signed.contract.pk).update(
        help_measure="Each of us rates the help from 1 to 5 and names one example."
    )
    return signed


@pytest.fixture
def meeting(pair):
    return past_meeting(pair.pair, contract=pair.contract)


def checkin_url(meeting):
    return reverse(
        "checkin_create", kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.pk}
    )


def pair_url(pair):
    return reverse("pair_detail", kwargs={"org_slug": pair.organization.slug, "pair_id": pair.pk})


def test_a_check_in_saves_the_help_rating_and_its_example(client_for, member, meeting):
    response = client_for(member).post(
        checkin_url(meeting), checkin_post(help_rating=5, help_example="She read my draft.")
    )

    assert response.status_code == 302
    saved = CheckIn.objects.get(meeting=meeting, user=member)
    assert (saved.help_rating, saved.help_example) == (5, "She read my draft.")


@pytest.mark.parametrize("field", ["help_rating", "help_example"])
def test_a_new_check_in_needs_the_rating_and_an_example(client_for, member, meeting, field):
    response = client_for(member).post(checkin_url(meeting), checkin_post(**{field: ""}))

    assert response.status_code == 200
    assert field in response.context["forms"].main.errors
    assert not CheckIn.objects.exists()


def test_the_rating_is_from_1_to_5(client_for, member, meeting):
    response = client_for(member).post(checkin_url(meeting), checkin_post(help_rating=6))

    assert "help_rating" in response.context["forms"].main.errors
    with pytest.raises(ValidationError) as error:
        services.checkin_create(
            meeting=meeting, user=member, time_effectiveness=3, confidence=3, help_rating=0
        )
    assert "help_rating" in error.value.error_dict


def test_the_example_is_bounded(client_for, member, meeting):
    response = client_for(member).post(checkin_url(meeting), checkin_post(help_example="x" * 1001))

    assert "help_example" in response.context["forms"].main.errors
    assert not CheckIn.objects.exists()


def test_check_ins_logged_before_the_rating_was_asked_stay_without_one(member, meeting):
    old = checkin(meeting, member)

    assert old.help_rating is None and old.help_example == ""


def test_the_form_quotes_the_contracts_way_of_measuring_the_help(client_for, member, meeting):
    html = client_for(member).get(checkin_url(meeting)).content.decode()

    assert "Your contract says: “Each of us rates the help from 1 to 5" in html
    assert "How much did my partner&#x27;s help since the last meeting help me?" in html


def test_editing_an_old_check_in_shows_its_rating(client_for, member, meeting):
    checkin(meeting, member, help_rating=2, help_example="A call")

    form = client_for(member).get(checkin_url(meeting)).context["forms"].main

    assert form.initial["help_rating"] == 2 and form.initial["help_example"] == "A call"


def test_the_form_tells_members_what_coordinators_see_and_links_the_statement(
    client_for, member, meeting
):
    html = client_for(member).get(checkin_url(meeting)).content.decode()

    assert "your coordinator only sees that you checked in" not in html
    assert "not your words or your help rating" in html
    assert reverse("coordinator_view") in html


def test_the_pair_page_charts_both_partners_help_ratings(client_for, member, partner, pair):
    for days, (mine, theirs) in zip((21, 14, 7), ((2, 4), (3, 4), (5, 3)), strict=True):
        meeting = past_meeting(pair.pair, days_ago=days, contract=pair.contract)
        checkin(meeting, member, help_rating=mine, help_example=f"Example {days}")
        checkin(meeting, partner, help_rating=theirs)
    checkin(past_meeting(pair.pair, days_ago=1), member)  # no rating: left out

    response = client_for(member).get(pair_url(pair.pair))

    support = response.context["page"].support
    assert [(row.partner, row.rating) for row in support.rows] == [
        (member, 2),
        (partner, 4),
        (member, 3),
        (partner, 4),
        (member, 5),
        (partner, 3),
    ]
    html = response.content.decode()
    assert 'id="help-ratings-title"' in html
    assert html.count("<circle") >= 6
    assert f"{member.display_name}: 3 ratings, latest 5 of 5." in html
    assert "Example 21" in html


def test_the_coordinators_pair_page_has_no_help_ratings(
    client_for, coordinator, member, partner, pair, meeting
):
    checkin(meeting, member, help_rating=4, help_example="A secret example")

    response = client_for(coordinator).get(pair_url(pair.pair))

    assert response.context["page"].support is None
    html = response.content.decode()
    assert "A secret example" not in html and "help-ratings" not in html


def test_the_pair_page_reads_the_help_ratings_in_a_fixed_number_of_queries(
    client_for, member, partner, pair
):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client_for(member).get(pair_url(pair.pair)).status_code == 200
        return len(captured)

    meeting = past_meeting(pair.pair, days_ago=10, contract=pair.contract)
    checkin(meeting, member, help_rating=3)
    few = count_queries()
    for days in range(2, 9):
        meeting = past_meeting(pair.pair, days_ago=days, contract=pair.contract)
        checkin(meeting, member, help_rating=4)
        checkin(meeting, partner, help_rating=2)

    assert count_queries() == few
    assert Meeting.objects.filter(pair=pair.pair).count() == 8
