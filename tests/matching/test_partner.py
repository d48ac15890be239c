"""A member's partner page: before publication, the proposal, answering it, and after."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from matching import services
from matching.models import MatchSettings, Pair, PairMember, PairRule
from profiles.models import Need, Offer
from tests.matching.factories import cohort_of_four, enrol, give_profile, ids, make_pair, tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(cohort, member, partner):
    return cohort_of_four(cohort, member, partner)


@pytest.fixture
def published(cohort, four):
    return make_pair(
        cohort,
        [four.ana, four.ben],
        status=Pair.Status.PUBLISHED,
        score=87.7,
        explanation="Ana Silva offers Public speaking (expert), which Ben Okafor needs most.",
    )


def partner_url(cohort):
    return reverse("my_partner", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})


def respond_url(pair):
    return reverse("pair_respond", kwargs={"org_slug": "northwind", "pair_id": pair.pk})


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_member_without_a_partner_sees_a_friendly_empty_state(client_for, member, cohort):
    page = client_for(member).get(partner_url(cohort)).content.decode()

    assert "You don't have a partner yet." in page


def test_the_empty_state_points_to_suggestions_when_requests_are_allowed(
    client_for, member, cohort
):
    MatchSettings.objects.create(cohort=cohort, allow_requests=True)

    page = client_for(member).get(partner_url(cohort)).content.decode()

    assert (
        reverse("matching_suggestions", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})
        in page
    )


def test_before_publication_a_member_sees_matching_in_progress(client_for, cohort, four):
    make_pair(cohort, [four.ana, four.ben], explanation="Secret until published")

    page = client_for(four.ana).get(partner_url(cohort)).content.decode()

    assert "Matching in progress." in page
    assert "Ben Okafor" not in page and "Secret until published" not in page


def test_after_publication_a_member_sees_the_partners_profile_and_why(
    client_for, cohort, four, published
):
    profile = four.ben.profiles.get()
    profile.about, profile.goal = "Runs the fundraising team.", "Give a conference talk."
    profile.languages, profile.timezone = ["English", "Danish"], "Europe/London"
    profile.save()

    response = client_for(four.ana).get(partner_url(cohort))

    page = response.content.decode()
    assert "Ben Okafor" in page
    assert (
        reverse("profile_detail", kwargs={"org_slug": "northwind", "user_id": four.ben.pk}) in page
    )
    for text in [
        "Runs the fundraising team.",
        "Give a conference talk.",
        "English, Danish",
        "Europe/London",
        "Fundraising",
        "Public speaking",
        "which Ben Okafor needs most",
        "Accept",
        "Decline",
    ]:
        assert text in page, text
    assert "ben@northwind.test" not in page  # contact details once the pair is active


def test_both_accepting_makes_the_pair_active_and_emails_both(
    client_for, cohort, four, published, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(four.ana).post(respond_url(published), {"response": "accept"})
    published.refresh_from_db()
    assert published.status == Pair.Status.PUBLISHED
    assert message_texts(first) == [
        "Thank you! We'll let you know as soon as your partner accepts too."
    ]
    assert not mailoutbox

    with django_capture_on_commit_callbacks(execute=True):
        client_for(four.ben).post(respond_url(published), {"response": "accept"})

    published.refresh_from_db()
    assert published.status == Pair.Status.ACTIVE and published.activated_at
    assert set(published.members.values_list("response", flat=True)) == {"accepted"}
    assert sorted(message.to[0] for message in mailoutbox) == [
        "ana@northwind.test",
        "ben@northwind.test",
    ]
    to_ana = next(message for message in mailoutbox if message.to == ["ana@northwind.test"])
    assert to_ana.subject == "You and Ben Okafor are now partners"
    assert "ben@northwind.test" in to_ana.body
    assert list(AuditEvent.objects.order_by("created_at").values_list("action", "actor")) == [
        ("pair.accepted", four.ana.pk),
        ("pair.accepted", four.ben.pk),
        ("pair.activated", four.ben.pk),
    ]
    page = client_for(four.ana).get(partner_url(cohort)).content.decode()
    assert "You have been partners since" in page and "ben@northwind.test" in page


def test_declining_needs_a_reason(client_for, cohort, four, published):
    response = client_for(four.ana).post(
        respond_url(published), {"response": "decline", "reason": " "}
    )

    assert message_texts(response) == ["Please say why, so that your next proposal fits better."]
    published.refresh_from_db()
    assert published.status == Pair.Status.PUBLISHED


def test_declining_ends_the_pair_forbids_it_and_tells_the_coordinators(
    client_for, coordinator, cohort, four, published, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(four.ben).post(
            respond_url(published), {"response": "decline", "reason": "We sit in the same team"}
        )

    published.refresh_from_db()
    assert published.status == Pair.Status.DECLINED
    declined = published.members.get(user=four.ben)
    assert (declined.response, declined.decline_reason) == ("declined", "We sit in the same team")
    rule = PairRule.objects.get(cohort=cohort)
    assert {rule.user_a_id, rule.user_b_id} == ids(four.ana, four.ben)
    event = AuditEvent.objects.get(action="pair.declined")
    assert event.actor == four.ben and event.data["reason"] == "We sit in the same team"
    (message,) = mailoutbox
    assert message.to == [coordinator.email]
    assert "Ana Silva and Ben Okafor" in message.body and "We sit in the same team" in message.body
    page = client_for(four.ana).get(partner_url(cohort)).content.decode()
    assert "This proposal was declined." in page


def test_a_member_who_accepted_can_still_decline_until_the_pair_is_active(
    client_for, four, published
):
    client_for(four.ana).post(respond_url(published), {"response": "accept"})
    client_for(four.ana).post(
        respond_url(published), {"response": "decline", "reason": "Changed my mind"}
    )

    published.refresh_from_db()
    assert published.status == Pair.Status.DECLINED


def test_an_active_pair_cannot_be_answered_again(client_for, cohort, four):
    pair = make_pair(cohort, [four.ana, four.ben], status=Pair.Status.ACTIVE)

    response = client_for(four.ana).post(respond_url(pair), {"response": "decline", "reason": "x"})

    assert message_texts(response) == ["This pair is already active."]


def test_a_proposal_cannot_be_answered_before_publication(cohort, four):
    pair = make_pair(cohort, [four.ana, four.ben])

    with pytest.raises(services.ValidationError, match="no longer be answered"):
        services.pair_respond(pair=pair, user=four.ana, accept=True)


def test_a_member_cannot_respond_for_a_pair_they_are_not_in(client_for, cohort, four, published):
    response = client_for(four.carl).post(respond_url(published), {"response": "accept"})

    assert response.status_code == 404
    assert not PairMember.objects.filter(response="accepted").exists()


def test_the_partner_page_takes_the_same_queries_however_long_the_profile(
    client_for, cohort, four, published
):
    with CaptureQueriesContext(connection) as short:
        assert client_for(four.ana).get(partner_url(cohort)).status_code == 200
    profile = four.ben.profiles.get()
    for index in range(8):
        Offer.objects.create(
            profile=profile, tag=tag(cohort.organization, f"Skill {index}"), level=3
        )
        Need.objects.create(
            profile=profile, tag=tag(cohort.organization, f"Need {index}"), priority=2
        )
    with CaptureQueriesContext(connection) as long:
        assert client_for(four.ana).get(partner_url(cohort)).status_code == 200

    assert len(long) == len(short)


def test_a_trio_member_sees_both_partners(client_for, cohort, four):
    eve = enrol(cohort, "Eve")
    give_profile(eve, cohort.organization, offers={"Writing": 3}, needs={"Budgeting": 2})
    make_pair(cohort, [four.ana, four.ben, eve], status=Pair.Status.PUBLISHED)

    page = client_for(four.ana).get(partner_url(cohort)).content.decode()

    assert "Your partners" in page and "Ben Okafor" in page and "Eve Tester" in page


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("x" * 100_000, "Ensure this value has at most 500 characters (it has 100000)."),
        ("Not a good fit\x00", "Null characters are not allowed."),
        ("Not a good \u202efit", "U+202E"),
    ],
    ids=["too-long", "nul", "bidi-override"],
)
def test_a_decline_with_an_invalid_reason_shows_the_error_and_changes_nothing(
    client_for, four, published, reason, error
):
    response = client_for(four.ana).post(
        respond_url(published), {"response": "decline", "reason": reason}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert '<details class="flex-grow-1" open>' in page
    published.refresh_from_db()
    assert published.status == Pair.Status.PUBLISHED
    assert not PairMember.objects.filter(pair=published).exclude(response="pending").exists()
    assert not AuditEvent.objects.filter(action__startswith="pair.").exists()


def test_an_answer_that_is_neither_accept_nor_decline_changes_nothing(client_for, four, published):
    response = client_for(four.ana).post(respond_url(published), {"response": "maybe"})

    assert message_texts(response) == ["Choose to accept or to decline."]
    published.refresh_from_db()
    assert published.status == Pair.Status.PUBLISHED
    assert not PairMember.objects.filter(pair=published).exclude(response="pending").exists()
